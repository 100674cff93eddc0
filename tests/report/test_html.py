"""report.html in a real browser (headless Chromium): it renders, its script runs without
errors, sorting/filtering/expanding work, and a screenshot is kept in artifacts/report.png.

Skipped when /usr/bin/chromium is missing, unless CI is set: then it fails (CI installs it
with ``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from matcher.api import alternatives_for, load, match
from matcher.report import tables as R
from matcher.report.html import render_report
from tests.conftest import ROOT, SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # belt and braces: the page must need no network
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.fixture(scope="module")
def chromium():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("CI"):
            pytest.fail(
                "CI is set but /usr/bin/chromium is missing: install it with apt-get install -y chromium"
            )
        pytest.skip(
            "/usr/bin/chromium is not installed (apt-get install -y chromium); set CI to make this fail"
        )
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """report.html of the sample cohort, built through the library, with its pairs table."""
    cohort, config = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
    result = match(cohort, config)
    pairs = R.pairs_table(result)
    alts = R.alternatives_table(result, alternatives_for(result, 3))
    page = render_report(
        result,
        pairs_table=pairs,
        unmatched_table=R.unmatched_table(result),
        alternatives_table=alts,
        summary=R.summary(result),
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_bytes(page)
    return path, pairs, alts


def run_chromium(chromium, tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    proc = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def console_messages(stderr: str) -> list[str]:
    """Everything the page wrote to the console, uncaught errors and CSP refusals included."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


class Dom(HTMLParser):
    """The few things the tests read from a dumped DOM."""

    def __init__(self, text: str):
        super().__init__()
        self.items: list[dict] = []  # pairs-table bodies, in DOM order
        self.details: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}
        self.svgs = 0
        self.svg_text: list[str] = []  # the <text> of the charts
        self.body: dict = {}
        self._table = None
        self._in_text = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        elif tag == "svg":
            self.svgs += 1
        elif tag == "text":
            self._in_text = True
        elif tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[a["id"]] = a
        elif tag == "tbody" and "item" in (a.get("class") or "").split() and self._table == "pairs-table":
            self.items.append(a)
        elif tag == "tr" and "detail" in (a.get("class") or "").split():
            self.details[a["id"]] = a

    def handle_endtag(self, tag):
        if tag == "text":
            self._in_text = False

    def handle_data(self, data):
        if self._in_text:
            self.svg_text.append(data)


def test_report_in_a_browser(chromium, report, tmp_path):
    path, (_, rows), (_, alt_rows) = report
    proc = run_chromium(chromium, tmp_path, path.as_uri(), "--virtual-time-budget=2000", "--dump-dom")
    assert not console_messages(proc.stderr), console_messages(proc.stderr)
    dom = Dom(proc.stdout)
    assert dom.body.get("data-ready") == "1", "the page's script did not finish"
    assert "data-js-errors" not in dom.body
    assert dom.svgs == 4
    for label in ("How good are the pairs?", "Average of each C", "Mentee readiness", "pair score (0–100)"):
        assert label in dom.svg_text, label  # the charts' text is in the rendered DOM
    assert [b["data-id"] for b in dom.items] == [r[0] for r in rows]
    assert not any("hidden" in b for b in dom.items)
    assert dom.tables["pairs-table"].get("data-shown") == str(len(rows))
    assert len(dom.details) == len(rows) and all("hidden" in d for d in dom.details.values())
    with_alts = {r[0] for r in alt_rows} & {r[0] for r in rows}
    assert proc.stdout.count('class="alts"') == len(with_alts) > 0
    first = alt_rows[0]
    assert f"Ranked alternatives for {first[0]}" in proc.stdout


def test_filter_sort_and_expand_from_the_url(chromium, report, tmp_path):
    path, (header, rows), _ = report
    url = path.as_uri() + "#filter=E00&sort=score&dir=desc&open=E002"
    proc = run_chromium(chromium, tmp_path, url, "--virtual-time-budget=2000", "--dump-dom")
    assert not console_messages(proc.stderr), console_messages(proc.stderr)
    dom = Dom(proc.stdout)
    assert dom.body.get("data-ready") == "1"
    score = header.index("score")
    hits = [r for r in rows if any("e00" in str(v).lower() for v in r)]
    assert 0 < len(hits) < len(rows)
    order = sorted(range(len(hits)), key=lambda k: (-float(hits[k][score]), k))
    shown = [b["data-id"] for b in dom.items if "hidden" not in b]
    assert shown == [hits[k][0] for k in order]
    assert len(dom.items) == len(rows)  # the others are hidden, not removed
    assert dom.tables["pairs-table"].get("data-shown") == str(len(hits))
    assert dom.tables["pairs-table"].get("data-sort") == "score:desc"
    assert re.search(r'aria-sort="descending"[^>]*>|data-key="score"[^>]*aria-sort="descending"', proc.stdout)
    e002 = next(k for k, r in enumerate(rows) if r[0] == "E002")
    opened = [d for d, a in dom.details.items() if "hidden" not in a]
    assert opened == [f"pairs-table-alt-{e002}"]


def test_screenshot(chromium, report, tmp_path):
    path, *_ = report
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "report.png"
    png.unlink(missing_ok=True)
    proc = run_chromium(
        chromium, tmp_path, path.as_uri() + "#open=E002", f"--screenshot={png}", "--window-size=1280,2000"
    )
    assert not console_messages(proc.stderr), console_messages(proc.stderr)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a blank page compresses to a few kB
