"""The review app in a real browser: Playwright driving Debian's chromium.

One coordinator's session, end to end: open the app, use an alternative and check that
the Δ shown before confirming equals the change of the re-solved total, undo, forbid a
pair, change a capacity, publish and compare the published files with the CLI's, mark a
pair failed and publish the re-match (compared with ``mentor-match rematch``); and the
mentors' approval of a published round (compared with ``mentor-match approve``). No page
logs an error (a CSP refusal would), and no request leaves the app's origin. Screenshots
are kept in artifacts/ (review-*.png), also of the page as printed.

Skipped when /usr/bin/chromium is missing, unless CI is set: then it fails (CI installs
it with ``apt-get install -y chromium``).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from cli.review_app.server import running
from cli.review_app.session import Session
from tests.conftest import ROOT, SAMPLE, several_choice_cohort

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
ARGS = (SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
A4_CSS_WIDTH = 718  # 210 mm less two 12 mm margins, at 96 px per inch


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("CI"):
            pytest.fail(
                "CI is set but /usr/bin/chromium is missing: install it with apt-get install -y chromium"
            )
        pytest.skip(
            "/usr/bin/chromium is not installed (apt-get install -y chromium); set CI to make this fail"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless=new"])
        yield b
        b.close()


def number(text: str) -> float:
    return float(text.strip().replace("−", "-").replace(",", ""))


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "timings.json"
    }


def invoke(*args) -> None:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def shot(page, name: str, **kw) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-{name}.png"), **kw)


def watched(browser):
    """A new browser context and page whose console errors and warnings (a CSP refusal
    logs one) and page errors are collected in ``problems`` and every request's address in
    ``requests`` → (context, page, problems, requests, ready): ``ready()`` waits for the
    app's script to have run on the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))

    def ready():
        page.wait_for_selector("body[data-app-ready='1']", state="attached")

    return context, page, problems, requests, ready


def test_a_coordinators_session_in_the_browser(browser, tmp_path):
    session = Session(*ARGS, workspace=tmp_path / "ws")
    ws = session.workspace.path
    with running(session) as url:
        origin = url.split("/", 3)[:3]
        context, page, problems, requests, ready = watched(browser)

        # 1. the proposal, as the report shows it
        page.goto(url)
        ready()
        assert page.locator("body").get_attribute("data-ready") == "1"  # the report's own script ran
        assert page.locator("#pairs-table tbody.item").count() == 100  # a page of the 150 pairs
        total0 = number(page.inner_text("#status-total"))
        shot(page, "proposal")

        # 2. use an alternative: the preview's Δ is the re-solved total's change
        row = page.locator("#pairs-table tbody.item[data-id='E003']")
        row.locator("button.toggle").click()
        row.locator("td[data-ready='1'] table.alts").wait_for()  # fetched when opened
        alt = row.locator("table.alts a").filter(has_text=re.compile(r"^R\d+$")).nth(2)
        target = alt.inner_text()
        alt.click()
        page.wait_for_selector("#preview-delta")
        shown = number(page.inner_text("#preview-delta"))
        moves = int(page.inner_text("#preview-moves"))
        shot(page, "preview")
        page.click("#confirm")
        ready()
        total1 = number(page.inner_text("#status-total"))
        assert shown == pytest.approx(total1 - total0, abs=1e-6)
        assert page.locator("#banner").is_visible()
        assert number(page.inner_text("#banner-delta")) == shown
        assert page.locator("tbody.changed[data-id='E003']").count() == 1
        page.click("#show-changed")
        ready()
        changed = page.locator("#pairs-table tbody.item.changed")
        assert changed.count() == page.locator("#pairs-table tbody.item").count() == moves + 1
        assert (
            session.cohort.mentor_ids[session.proposal().mentor_of[session.cohort.mentee_index("E003")]]
            == target
        )
        shot(page, "after-pin")

        # 3. undo: back to the first proposal
        page.click("#undo")
        ready()
        assert number(page.inner_text("#status-total")) == total0

        # 4. never this pair (with a reason), from the mentee's page
        page.goto(url + "mentee/E005")
        ready()
        before = page.inner_text("#pair a b")
        page.fill("#forbid-form input[name=reason]", "conflict of interest")
        page.click("#forbid-form button[type=submit]")
        page.wait_for_selector("#preview-delta")
        page.click("#confirm")
        ready()
        assert page.url.endswith("/mentee/E005")
        assert page.inner_text("#pair a b") != before
        shot(page, "mentee", full_page=True)

        # 5. a mentor's capacity
        page.goto(url + "mentor/R014")
        ready()
        page.fill("#capacity-form input[name=capacity]", "1")
        page.fill("#capacity-form input[name=reason]", "fewer hours")
        page.click("#capacity-form button[type=submit]")
        page.wait_for_selector("#preview-delta")
        page.click("#confirm")
        ready()
        assert page.inner_text("#capacity") == "1"

        # 6. publish: the files are the CLI's
        page.goto(url + "publish")
        ready()
        page.click("#publish")
        page.wait_for_selector("#published-banner")
        invoke(
            "match", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2], "--pin", ws / "pins.csv",
            "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", tmp_path / "cli-1",
        )  # fmt: skip
        assert files(ws / "round-1") == files(tmp_path / "cli-1")

        # 7. a re-match: mark a pair failed, review, publish round 2
        page.goto(url + "publish")
        ready()
        page.click("#start-rematch")
        ready()
        page.goto(url + "mentee/E003")
        ready()
        failed_mentor = page.inner_text("#pair a b")
        page.select_option("#fail-form select[name=reason]", "challenge")
        page.fill("#fail-form input[name=note]", "too gentle")
        page.click("#fail-form button[type=submit]")
        page.wait_for_selector("#preview-delta")
        page.click("#confirm")
        ready()
        assert page.inner_text("#pair a b") != failed_mentor
        page.goto(url)
        ready()
        assert page.locator("#changes-table").count() == 1
        shot(page, "rematch")
        page.goto(url + "publish")
        ready()
        page.click("#publish")
        page.wait_for_selector("#published-banner")
        invoke(
            "rematch", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
            "--pairs", ws / "round-1" / "pairs.csv", "--failed", ws / "failed.csv", "--pin", ws / "pins.csv",
            "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", tmp_path / "cli-2",
        )  # fmt: skip
        assert files(ws / "round-2") == files(tmp_path / "cli-2")
        failed = list(csv.DictReader(io.StringIO((ws / "failed.csv").read_text(encoding="utf-8-sig"))))
        assert [(r["mentee_id"], r["mentor_id"], r["reason"]) for r in failed] == [
            ("E003", failed_mentor, "challenge")
        ]

        # 8. printed: A4, the table fits the width, no navigation, no alternatives
        page.goto(url + "?page=all")
        ready()
        page.set_viewport_size({"width": A4_CSS_WIDTH, "height": 1000})
        page.emulate_media(media="print")
        fits = page.evaluate(
            "() => [document.querySelector('#pairs-table').getBoundingClientRect().right, "
            "document.documentElement.clientWidth, getComputedStyle(document.querySelector('nav.top')).display]"
        )
        assert fits[0] <= fits[1] + 0.5 and fits[2] == "none"
        page.evaluate("() => document.querySelector('#pairs').scrollIntoView()")
        shot(page, "print")
        context.close()
    assert problems == []
    assert all(u.split("/", 3)[:3] == origin for u in requests), [
        u for u in requests if not u.startswith(url)
    ]


def test_mentor_approval_in_the_browser(browser, tmp_path):
    """Publish round 1, start the mentors' approval, record a decline (with a note) and an
    accept pair by pair, review the re-match and publish round 2 — the files are what
    ``mentor-match approve`` writes from the workspace's responses.csv."""
    session = Session(*ARGS, workspace=tmp_path / "ws")
    ws = session.workspace.path
    with running(session) as url:
        origin = url.split("/", 3)[:3]
        context, page, problems, requests, ready = watched(browser)

        page.goto(url + "publish")
        ready()
        page.click("#publish")
        page.wait_for_selector("#published-banner")
        page.goto(url + "publish")
        ready()
        page.click("#start-approval")
        ready()
        assert page.url.endswith("/approval") and page.locator("#nav-approval").count() == 1
        declined = page.locator("#approval tr[data-mentee='E003']")
        declined_mentor = declined.get_attribute("data-mentor")
        declined.locator("select[name=response]").select_option("decline")
        declined.locator("input[name=note]").fill("no time this term")
        declined.locator("button.record").click()
        ready()
        declined = page.locator("#approval tr[data-mentee='E003']")
        assert declined.get_attribute("data-response") == "decline"
        assert "no time this term" in declined.locator("td.answer").inner_text()
        now = declined.locator("td").nth(3).inner_text()
        assert declined_mentor not in now and "changed" in now
        accepted = page.locator("#approval tr[data-mentee='E010']")
        accepted.locator("select[name=response]").select_option("accept")
        accepted.locator("button.record").click()
        ready()
        assert page.locator("#approval tr[data-mentee='E010']").get_attribute("data-response") == "accept"
        assert "1 accepted · 1 declined" in page.inner_text("#approval-counts")
        assert page.locator("#banner").is_visible()
        shot(page, "approval", full_page=False)
        # 100 pairs a page, as the proposal; Show and Find narrow them over every page
        n_pairs = len((ws / "round-1" / "pairs.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
        assert page.locator("#approval tbody tr").count() == 100
        page.locator("nav.pager a[rel=next]").first.click()
        ready()
        assert page.locator("#approval tbody tr").count() == n_pairs - 100
        page.select_option("#approval-filter select[name=show]", "decline")
        page.click("#approval-filter button[type=submit]")
        ready()
        assert [page.locator("#approval tbody tr").nth(0).get_attribute("data-mentee")] == ["E003"]
        assert page.locator("#approval tbody tr").count() == 1
        assert f"(filtered from {n_pairs})" in page.inner_text("nav.pager >> nth=0")
        page.select_option("#approval-filter select[name=show]", "")
        page.fill("#approval-filter input[name=filter]", "E020")
        page.click("#approval-filter button[type=submit]")
        ready()
        row = page.locator("#approval tr[data-mentee='E020']")
        assert page.locator("#approval tbody tr").count() == 1
        row.locator("select[name=response]").select_option("accept")
        row.locator("button.record").click()
        ready()
        assert page.url.endswith("approval?filter=E020")  # back on the same filtered list
        assert page.locator("#approval tr[data-mentee='E020']").get_attribute("data-response") == "accept"
        shot(page, "approval-filtered", full_page=False)
        page.goto(url)
        ready()
        assert page.locator("#changes-table").count() == 1
        assert "Mentor approval of round 1" in page.inner_text("#status")
        shot(page, "approval-proposal")
        page.goto(url + "publish")
        ready()
        page.click("#publish")
        page.wait_for_selector("#published-banner")
        shot(page, "approval-published")
        invoke(
            "approve", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
            "--pairs", ws / "round-1" / "pairs.csv", "--responses", ws / "responses.csv", "--pin", ws / "pins.csv",
            "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", tmp_path / "cli-2",
        )  # fmt: skip
        assert files(ws / "round-2") == files(tmp_path / "cli-2")
        answers = list(csv.DictReader(io.StringIO((ws / "responses.csv").read_text(encoding="utf-8-sig"))))
        assert sorted((r["mentee_id"], r["response"], r["note"]) for r in answers) == [
            ("E003", "decline", "no time this term"),
            ("E010", "accept", ""),
            ("E020", "accept", ""),
        ]
        context.close()
    assert problems == []
    assert all(u.split("/", 3)[:3] == origin for u in requests)


def test_report_prints_on_a4_with_the_table_in_the_width(browser, tmp_path):
    invoke(
        "match", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2], "--out", tmp_path / "out"
    )
    page = browser.new_page(viewport={"width": A4_CSS_WIDTH, "height": 1000})
    page.goto((tmp_path / "out" / "report.html").as_uri() + "#open=E002")
    page.wait_for_selector("body[data-ready='1']")
    page.emulate_media(media="print")
    right, width, detail = page.evaluate(
        "() => [document.querySelector('#pairs-table').getBoundingClientRect().right, "
        "document.documentElement.clientWidth, "
        "getComputedStyle(document.querySelector('tr.detail:not([hidden])')).display]"
    )
    assert right <= width + 0.5  # nothing cut off at the right
    assert detail == "none"  # alternatives collapsed, even one opened on screen
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 0 < pages <= 20  # 150 pairs with their reasons: 54 pages before the print stylesheet
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-print.pdf").write_bytes(pdf)
    page.close()


def test_a_mentees_choices_in_the_browser(browser, tmp_path):
    # A cohort with stated choices and bonuses: the mentee page shows whose choice the pair
    # is, the bonus, and each choice with what happened; it logs no error (no CSP refusal)
    # and a name written as markup stays text.
    from matcher.synthetic.cohort import write_cohort

    m, e = write_cohort(tmp_path / "in", 60, 20, 3, preferences=True)
    rows = list(csv.DictReader(m.read_text(encoding="utf-8").splitlines()))
    old = rows[3]["name"]  # R004, a popular mentor in this seed's choices
    rows[3]["name"] = "<img src=x onerror=alert(1)>"
    for path, table in ((m, rows), (e, list(csv.DictReader(e.read_text(encoding="utf-8").splitlines())))):
        for r in table:  # choices that named R004 by name now give its id
            if "preferred_mentors" in r:
                r["preferred_mentors"] = ";".join(
                    "R004" if x == old else x for x in r["preferred_mentors"].split(";")
                )
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(table[0]))
            w.writeheader()
            w.writerows(table)
    config = tmp_path / "in" / "c.toml"
    config.write_text("[preferences]\nmentee_bonus = [15, 10, 5]\n", encoding="utf-8")
    invoke("match", "--mentors", m, "--mentees", e, "--config", config, "--out", tmp_path / "out")
    audit = list(
        csv.DictReader((tmp_path / "out" / "preferences.csv").read_text(encoding="utf-8-sig").splitlines())
    )
    chose_r004 = next(
        r["person_id"] for r in audit if r["side"] == "mentee" and "R004" in r["choices"].split(";")
    )
    session = Session(m, e, config, workspace=tmp_path / "ws")
    with running(session) as url:
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        problems = []
        page.on(
            "console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda err: problems.append(str(err)))
        page.on("dialog", lambda d: problems.append("dialog: " + d.message))
        page.goto(url.rstrip("/") + f"/mentee/{chose_r004}")
        page.wait_for_selector("#choices-table")
        row = next(r for r in audit if r["side"] == "mentee" and r["person_id"] == chose_r004)
        cells = page.locator("#choices-table tbody tr")
        assert cells.count() == len(row["choices"].split(";"))
        assert page.locator("#choices-table img").count() == 0  # the markup name is text
        assert "<img src=x onerror=alert(1)>" in page.inner_text("#choices-table")
        if page.locator("#pair-choice").count():
            assert "choice" in page.inner_text("#pair-choice")
            assert "choice bonus" in page.inner_text("#pair-bonus")
        shot(page, "choices")
        assert problems == []


def test_several_mentors_per_mentee_in_the_browser(browser, tmp_path):
    """Mentees who want 2 mentors, with stated choices: a mentee's page shows each pair's
    choice words and the choices panel; each pair's *why not a higher-scoring mentor* list;
    *Also use this mentor* pins one pair then a second (each preview's Δ is the re-solved
    total's change), a third is refused, a pair is released and undone; the published round
    is what ``match --pin`` writes from the workspace's pins.csv (two rows for the mentee)."""
    m, e, config = several_choice_cohort(tmp_path / "in")
    session = Session(m, e, config, workspace=tmp_path / "ws")
    ws, c = session.workspace.path, session.cohort
    p = session.proposal()
    two = [
        c.mentee_ids[i] for i in range(c.n_mentees) if c.mentors_wanted[i] == 2 and p.pairing.count[i] == 2
    ]
    with running(session) as url:
        origin = url.split("/", 3)[:3]
        context, page, problems, requests, ready = watched(browser)

        # 1. a mentee with two mentors and stated choices, whose pair has higher-scoring
        # mentors not chosen
        mentee = None
        for e_id in two:
            page.goto(url + f"mentee/{e_id}")
            ready()
            if page.locator("section.why-not a.use").count() and page.locator("#choices-table").count():
                mentee = e_id
                break
        assert mentee is not None
        assert page.locator("h1").inner_text().startswith(f"Mentee {mentee}")
        cards = page.locator(".pair-card")
        assert cards.count() == 2
        for k in range(2):  # each pair: whose choice it is and the bonus
            words = cards.nth(k).locator(".pair-choice").inner_text()
            assert "choice" in words and "choice bonus" in words
        assert page.locator("#choices-table").count() == 1  # the preference panel
        assert page.locator("#choices h2").inner_text().startswith(f"{mentee}'s choices — got:")
        why_not = page.locator("section.why-not").first
        assert why_not.locator("h4").inner_text().startswith("Why not a higher-scoring mentor than")
        assert why_not.locator("tbody tr").count() >= 1
        shot(page, "several-mentee", full_page=True)

        # 2. also use a higher-scoring mentor: the previewed Δ is the re-solved change of
        # score plus choice bonus, as the solver counts it — the status line's second total
        def total() -> float:
            on_screen = number(page.inner_text("#status-counted"))
            assert on_screen == pytest.approx(session.proposal().totals()[1] / 100, abs=1e-6)
            assert number(page.inner_text("#status-total")) != on_screen  # the five Cs alone
            return on_screen

        total0 = total()
        use = why_not.locator("a.use").first
        first = use.get_attribute("data-mentor")
        priced = use.locator("xpath=ancestor::tr").locator("td").nth(2).inner_text()
        use.click()
        page.wait_for_selector("#preview-delta")
        shown = number(page.inner_text("#preview-delta"))
        if shown <= 0:
            assert f"{-shown:.2f} points" in priced  # explain's words price the same change
        assert page.locator("#preview-pairs").count() == 1
        shot(page, "several-preview")
        page.click("#confirm")
        ready()
        total1 = total()
        assert shown == pytest.approx(total1 - total0, abs=1e-6)
        assert f"Pinned by you: {first}" in page.inner_text("#pins-held")
        assert "pin up to 1 more" in page.inner_text("#pins-held")

        # 3. a second pin for the same mentee, from the alternatives
        use = page.locator("#alternatives a.use").first
        second = use.get_attribute("data-mentor")
        assert use.inner_text() == "Also use this mentor…"
        moves = use.locator("xpath=ancestor::tr").locator("td").nth(7).inner_text().strip()
        use.click()
        page.wait_for_selector("#preview-delta")
        shown = number(page.inner_text("#preview-delta"))
        # who must move: the alternatives' own count, "not computed" where it is blank
        assert page.inner_text("#preview-moves") == (moves or "not computed")
        page.click("#confirm")
        ready()
        assert total() == pytest.approx(total1 + shown, abs=1e-6)
        assert "Every place is pinned" in page.inner_text("#pins-held")
        assert page.locator(f"#pair-{first} .badge").inner_text() == "pinned by you"
        assert page.locator(f"#pair-{second} .badge").inner_text() == "pinned by you"
        assert page.locator("#alternatives").count() == 0  # no place left to pin
        shot(page, "several-two-pins", full_page=True)

        # 4. a third pin is refused with the reason
        third = next(r for r in c.mentor_ids if r not in (first, second))
        page.goto(url + f"preview?action=add_pin&mentee={mentee}&mentor={third}")
        ready()
        assert "release a pin first" in page.inner_text("#preview-problem")

        # 5. release one pair, then undo
        page.goto(url + f"mentee/{mentee}")
        ready()
        page.locator(f"#pair-{second} a.release").click()
        page.wait_for_selector("#preview-delta")
        page.click("#confirm")
        ready()
        assert f"Pinned by you: {first} (1 of the 2" in page.inner_text("#pins-held")
        page.click("#undo")
        ready()
        assert "Every place is pinned" in page.inner_text("#pins-held")

        # 6. publish: the files are the CLI's, pins.csv with both pairs
        page.goto(url + "publish")
        ready()
        page.click("#publish")
        page.wait_for_selector("#published-banner")
        pins = list(csv.DictReader(io.StringIO((ws / "pins.csv").read_text(encoding="utf-8-sig"))))
        assert sorted((r["mentee_id"], r["mentor_id"]) for r in pins) == sorted(
            [(mentee, first), (mentee, second)]
        )
        invoke(
            "match", "--mentors", m, "--mentees", e, "--config", config, "--pin", ws / "pins.csv",
            "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", tmp_path / "cli-1",
        )  # fmt: skip
        assert files(ws / "round-1") == files(tmp_path / "cli-1")
        context.close()
    assert problems == []
    assert all(u.split("/", 3)[:3] == origin for u in requests)
