"use strict";
// The review app's small script (the report's own script sorts, filters and expands the
// tables). A form is sent once: its button is disabled after the first click; the server
// refuses a form based on an older version anyway.
(() => {
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
  document.body.dataset.appReady = "1";
})();
