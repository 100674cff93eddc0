"""Benchmark the review app (``mentor-match review``): start-up, action previews, re-solves.

Usage (from the repository root, with the project installed with its ``test`` extra):

    python benchmarks/review_app.py                         # 1,000×400 and 10,000×4,000
    python benchmarks/review_app.py --sizes 1000x400 --actions 30
    python benchmarks/review_app.py --smoke                 # tiny, quick

For each size it generates a seeded cohort (``mentor-match generate``) and measures:

* **start-up**: ``mentor-match review --no-browser`` as a separate process, from its
  start until the proposal page has been served once (the address printed, then a
  ``GET`` of it answered 200) — a usable page;
* **preview** of *use this mentor* for alternatives of many mentees: the look-up in the
  session (the engine warm) and the whole ``GET /preview`` page over HTTP; on candidate
  sets (above 3 million pairs) there is no exact look-up, so a capacity change is
  previewed instead, by an exact re-solve (from its form's submit to the preview page);
* **re-solved proposal on screen**: in Debian's chromium (Playwright) when it is
  installed — from the click on *Confirm* to the re-solved proposal page loaded and its
  script run — else over HTTP (``POST /act`` and the ``GET`` of the page it redirects
  to). The first action is a warm-up and is not counted.

Times are p50 / p95 / max over the actions. Results print as a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLI = [sys.executable, "-c", "from cli.main import cli; cli()"]
CHROMIUM = Path("/usr/bin/chromium")


def generate(n_e: int, n_r: int, seed: int, folder: Path) -> None:
    from matcher.api import generate_files

    generate_files(n_e, n_r, seed=seed, out=folder).publish()


def get(url: str, path: str = "") -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    conn.request("GET", parts.path + path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def startup(folder: Path, work: Path) -> float:
    """Seconds from starting ``mentor-match review`` to the proposal page served."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, "review", "--mentors", str(folder / "mentors.csv"), "--mentees", str(folder / "mentees.csv"),
         "--workspace", str(work), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        if not line.startswith("Review app: "):
            raise SystemExit(f"review did not start: {line!r}")
        status, _ = get(line.split()[-1])
        elapsed = time.perf_counter() - t0
        if status != 200:
            raise SystemExit(f"first page answered {status}")
        return elapsed
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        proc.stdout.close()


def stats(xs: list[float]) -> str:
    if not xs:
        return "–"
    a = np.asarray(xs)
    return f"{np.percentile(a, 50):.3f} / {np.percentile(a, 95):.3f} / {a.max():.3f} s"


def candidates(session, n: int) -> list[tuple[str, str]]:
    """(mentee, mentor) of priced alternatives, spread over the cohort."""
    p = session.proposal()
    c = session.cohort
    mentees = np.linspace(0, c.n_mentees - 1, num=min(c.n_mentees, 4 * n), dtype=int)
    out = []
    for a in p.alternatives_of(sorted(set(mentees.tolist()))):
        if a.delta_score is not None and a.rank == 1:
            out.append((c.mentee_ids[a.mentee], c.mentor_ids[a.mentor]))
    return out


def actions(folder: Path, work: Path, n: int) -> dict:
    from cli.review_app.server import running
    from cli.review_app.session import Session

    t0 = time.perf_counter()
    session = Session(folder / "mentors.csv", folder / "mentees.csv", workspace=work)
    session.proposal().tables  # noqa: B018
    out = {"session": time.perf_counter() - t0}
    if session.proposal().result.problem.exact_deltas:
        session.proposal().engine  # noqa: B018 - the engine warm, as after a few seconds of use
        pairs = candidates(session, n)
    else:
        pairs = []
    look, page, shown = [], [], []
    with running(session) as url:
        for e, r in pairs[:n]:
            t = time.perf_counter()
            session.preview({"action": "pin", "mentee": e, "mentor": r})
            look.append(time.perf_counter() - t)
            t = time.perf_counter()
            status, _ = get(url, f"preview?action=pin&mentee={e}&mentor={r}")
            page.append(time.perf_counter() - t)
            assert status == 200
        if not pairs:  # candidate sets: no exact look-up; a capacity change, previewed by a re-solve
            c = session.cohort
            pairs = [("", c.mentor_ids[j]) for j in range(min(n, c.n_mentors))]
        shown = on_screen(url, session, pairs[: n + 1])
    out.update(lookup=look, preview=page, resolve=shown[1:], resolved_preview=list(resolved_previews[1:]))
    resolved_previews.clear()
    return out


resolved_previews: list[float] = []  # previews that needed a re-solve (no exact look-up)


def on_screen(url: str, session, pairs) -> list[float]:
    """Seconds from Confirm to the re-solved proposal shown, per action."""
    times = []
    if CHROMIUM.is_file():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless=new"]
            )
            page = browser.new_page()
            for e, r in pairs:
                if e:
                    page.goto(url + f"preview?action=pin&mentee={e}&mentor={r}")
                else:
                    cap = int(session.proposal().result.problem.capacity[session.cohort.mentor_index(r)])
                    page.goto(url + f"mentor/{r}")
                    page.fill("#capacity-form input[name=capacity]", str(cap + 1))
                    t = time.perf_counter()
                    page.click("#capacity-form button[type=submit]")
                    page.wait_for_selector("#preview", state="attached")
                    resolved_previews.append(time.perf_counter() - t)
                if page.locator("#confirm").count() == 0:
                    continue
                time.sleep(0.7)  # a coordinator reads the preview; the engine of the last re-solve warms
                t = time.perf_counter()
                page.click("#confirm")
                page.wait_for_selector("body[data-app-ready='1'] #banner", state="attached")
                times.append(time.perf_counter() - t)
            browser.close()
        return times
    for e, r in pairs:  # no browser: the two requests a browser makes
        from cli.review_app.views import ACTION_FIELDS  # noqa: F401 - same fields as the form

        entry = {"action": "pin", "mentee": e, "mentor": r}
        t = time.perf_counter()
        session.act(entry, session.version)
        get(url, "")
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000x400,10000x4000", help="comma-separated MENTEESxMENTORS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--actions", type=int, default=20)
    ap.add_argument("--smoke", action="store_true", help="a tiny run")
    args = ap.parse_args()
    sizes = ["150x60"] if args.smoke else args.sizes.split(",")
    n = 3 if args.smoke else args.actions
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            n_e, n_r = (int(x) for x in size.lower().split("x"))
            folder = Path(tmp) / size
            generate(n_e, n_r, args.seed, folder)
            up = startup(folder, Path(tmp) / f"ws-up-{size}")
            got = actions(folder, Path(tmp) / f"ws-{size}", n)
            rows.append((size, up, got))
            print(f"{size}: done", file=sys.stderr)
    how = "chromium (Playwright): click Confirm → re-solved page shown" if CHROMIUM.is_file() else "HTTP"
    print(f"Measured on {date.today()} ({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}); "
          f"re-solve timed in {how}; p50 / p95 / max.\n")  # fmt: skip
    print("| mentees × mentors | start-up to a usable page | session (load, score, solve, tables) "
          "| preview: look-up | preview page (HTTP) | preview by re-solve (page) | re-solved proposal on screen |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for size, up, got in rows:
        a, b = size.split("x")
        print(
            f"| {int(a):,} × {int(b):,} | {up:.2f} s | {got['session']:.2f} s | {stats(got['lookup'])} "
            f"| {stats(got['preview'])} | {stats(got['resolved_preview'])} "
            f"| {stats(got['resolve'])} ({len(got['resolve'])} actions) |"
        )


if __name__ == "__main__":
    main()
