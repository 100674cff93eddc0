"use strict";
// The review app's small script (the report's own script sorts, filters and expands the
// tables). A mentee's alternatives are fetched from the app when their row is first
// opened (the server escapes every value; nothing else is ever inserted). A form is sent
// once: its button is disabled after the first click, and the server refuses a form
// based on an older version anyway.
(() => {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.toggle");
    if (!button) return;
    const row = document.getElementById(button.getAttribute("aria-controls"));
    const cell = row && row.querySelector("td[data-src]");
    if (!cell || cell.dataset.loaded) return;
    cell.dataset.loaded = "1";
    cell.textContent = "Loading…";
    try {
      const response = await fetch(cell.dataset.src, {credentials: "same-origin"});
      cell.innerHTML = response.ok ? await response.text() : "Could not load the alternatives.";
    } catch (e) {
      cell.textContent = "Could not load the alternatives.";
    }
    cell.dataset.ready = "1";
  });
  // The pairs table shows a page of the pairs: its filter box (Enter) and column headings
  // ask the app for the pairs filtered or sorted over every page.
  const table = document.getElementById("pairs-table");
  const input = document.getElementById("pairs-filter");
  const go = (changes) => {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) q.set(k, v); else q.delete(k);
    }
    q.delete("page");
    location.search = q.toString();
  };
  if (input) {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") go({filter: input.value.trim()});
    });
  }
  if (table && document.body.dataset.paged) {
    table.tHead.addEventListener("click", (event) => {
      const th = event.target.closest("th[data-key]");
      if (!th) return;
      event.stopImmediatePropagation();
      const q = new URLSearchParams(location.search);
      const first = th.dataset.type === "num" ? "desc" : "asc";
      const again = q.get("sort") === th.dataset.key;
      go({sort: th.dataset.key, dir: again ? (q.get("dir") === "desc" ? "asc" : "desc") : first});
    }, true);
    const q = new URLSearchParams(location.search);
    const th = table.querySelector(`th[data-key="${q.get("sort")}"]`);
    if (th) th.setAttribute("aria-sort", q.get("dir") === "desc" ? "descending" : "ascending");
  }
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
  document.body.dataset.appReady = "1";
})();
