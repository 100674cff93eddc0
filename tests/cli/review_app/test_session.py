"""The review app over HTTP (Starlette's test client): every route, the token, CSRF, the
Host check, the security headers, stale-state refusal, path traversal, the log lines,
and the promises about files: the app's proposal is what ``mentor-match match`` writes
from the workspace's files, publishing writes what the command writes, and the re-match
is what ``mentor-match rematch`` writes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cli.main import cli
from cli.review_app.server import LOG, create_app
from cli.review_app.session import Session, WorkspaceError
from cli.review_app.views import signed
from matcher.io.cohort import natural_key
from matcher.report import tables as T
from tests.conftest import SAMPLE, several_choice_cohort

PORT = 8765
TOKEN = "0123456789abcdef0123456789abcdef"
ARGS = (SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
PAGES = ["", "mentors", "unused", "unmatched", "decisions", "publish", "rounds", "mentee/E003", "mentor/R014"]
PAGES += ["approval"]
FRAGMENTS = ["alternatives/E003"]


class Forms(HTMLParser):
    """Forms of a page: action → {field: value}; also every src/href."""

    def __init__(self, text: str):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self.urls: list[str] = []
        self._form = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href", "action"):
            if a.get(key) is not None:
                self.urls.append(a[key])
        if tag == "form":
            self._form = {}
            self.forms.append((a.get("action", ""), self._form))
        elif tag in ("input", "select") and self._form is not None and a.get("name"):
            self._form[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def form(self, action_end: str, **having) -> dict:
        for action, fields in self.forms:
            if action.endswith(action_end) and all(fields.get(k) == v for k, v in having.items()):
                return dict(fields)
        raise AssertionError(f"no form for {action_end} {having}")


def make(tmp_path, **kw):
    session = Session(*ARGS, workspace=tmp_path / "ws", **kw)
    app, core = create_app(session, token=TOKEN, port=PORT)
    client = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    return session, core, client


@pytest.fixture
def app(tmp_path):
    return make(tmp_path)


def url(path: str = "") -> str:
    return f"/{TOKEN}/{path}"


def confirm(client, path: str) -> tuple[dict, str]:
    """Open a preview page, send its Confirm form; → (the form sent, the preview page)."""
    page = client.get(url(path))
    assert page.status_code == 200, page.text
    form = Forms(page.text).form("/act")
    got = client.post(url("act"), data=form)
    assert got.status_code == 303, got.text
    return form, page.text


def preview_post(client, core, **fields) -> str:
    page = client.post(url("preview"), data={"csrf": core.csrf, **fields})
    assert page.status_code == 200, page.text
    return page.text


def confirm_post(client, core, **fields) -> None:
    form = Forms(preview_post(client, core, **fields)).form("/act")
    got = client.post(url("act"), data=form)
    assert got.status_code == 303, got.text


def text_of(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)<', html, flags=re.S)
    assert m, element_id
    return m.group(1).strip()


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "timings.json"
    }


def invoke(*args) -> None:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------- access


def test_every_page_answers_with_the_token(app):
    _, _, client = app
    more = [
        "preview?action=pin&mentee=E003&mentor=R040",
        "alternatives/E003",
        "static/app.css",
        "static/report.js",
    ]
    for path in [*PAGES, *more]:
        got = client.get(url(path))
        assert got.status_code == 200, (path, got.text[:300])


@pytest.mark.parametrize("path", [*PAGES, "static/app.css", "act", "rounds/1/pairs.csv"])
def test_without_the_token_every_request_is_forbidden(app, path):
    _, core, client = app
    for prefix in ("/", "/" + TOKEN[:-1] + "0/", "/x/" + TOKEN + "/", "/" + TOKEN.upper() + "/"):
        assert client.get(prefix + path).status_code == 403
        assert client.post(prefix + path, data={"csrf": core.csrf}).status_code == 403
    assert client.get("/favicon.ico").status_code == 403


def test_host_header_must_be_loopback_with_the_port(app):
    _, _, client = app
    assert client.get(url(), headers={"host": f"localhost:{PORT}"}).status_code == 200
    assert client.get(url(), headers={"host": f"[::1]:{PORT}"}).status_code == 200
    for host in ("evil.example:8765", f"127.0.0.1:{PORT + 1}", "127.0.0.1", f"attacker.localhost:{PORT}", ""):
        got = client.get(url(), headers={"host": host})
        assert got.status_code == 403, host
        assert "Pairs" not in got.text


def test_state_changing_requests_need_the_csrf_token_and_our_origin(app):
    session, core, client = app
    form = Forms(client.get(url("preview?action=pin&mentee=E003&mentor=R040")).text).form("/act")
    for bad in (
        {**form, "csrf": ""},
        {**form, "csrf": core.csrf[:-1] + "x"},
        {k: v for k, v in form.items() if k != "csrf"},
    ):
        got = client.post(url("act"), data=bad)
        assert got.status_code == 403 and "nothing was applied" in got.text
    assert client.post(url("act"), data=form, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post(url("act"), data=form, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    for path in ("undo", "redo", "publish", "rematch", "approve", "preview"):
        assert client.post(url(path), data={"version": "0"}).status_code == 403
    assert session.version == 0  # nothing was applied
    got = client.post(
        url("act"), data=form, headers={"origin": f"http://127.0.0.1:{PORT}", "sec-fetch-site": "same-origin"}
    )
    assert got.status_code == 303 and session.version == 1


def test_security_headers_and_nothing_from_the_network(app):
    _, _, client = app
    for path in PAGES:
        got = client.get(url(path))
        csp = got.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert (
            "http" not in csp and "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
        )
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["referrer-policy"] == "same-origin"  # never to another site; Origin stays set
        assert got.headers["cache-control"] == "no-store"
        page = Forms(got.text)
        assert "<script>" not in got.text  # no inline script: the CSP would block it anyway
        for u in page.urls:
            assert u.startswith(f"/{TOKEN}/") or u.startswith("#") or u == "data:,", (
                path,
                u,
            )  # data:, no favicon
    forbidden = client.get("/")
    assert forbidden.headers["content-security-policy"]  # even on a refusal


def test_path_traversal_is_refused(app, tmp_path):
    _session, core, client = app
    client.post(url("publish"), data={"csrf": core.csrf, "version": "0"})
    assert client.get(url("rounds/1/pairs.csv")).status_code == 200
    secret = tmp_path / "secret.csv"
    secret.write_text("secret", encoding="utf-8")
    attempts = [
        "rounds/1/../../secret.csv",
        "rounds/1/..%2f..%2fsecret.csv",
        "rounds/1/%2e%2e/%2e%2e/secret.csv",
        "rounds/../1/pairs.csv",
        "rounds/1/journal.jsonl",
        "rounds/1/..%2fjournal.jsonl",
        "rounds/0/pairs.csv",
        "rounds/-1/pairs.csv",
        "rounds/1/mentors.csv",
        "static/..%2fserver.py",
        "static/../server.py",
        "static/%2e%2e%2fserver.py",
        "rounds/1/%2fetc%2fpasswd",
        "mentee/..%2f..%2fsecret.csv",
    ]
    for path in attempts:
        got = client.get(url(path))
        assert got.status_code in (404, 403), (path, got.status_code)
        assert (
            "secret" not in got.text.replace("secret.csv", "")
            and "def " not in got.text
            and "root:" not in got.text
        )
        assert '"action"' not in got.text


def test_stale_state_is_refused_and_never_applied_twice(app):
    session, core, client = app
    page = client.get(url("preview?action=pin&mentee=E003&mentor=R040"))
    form = Forms(page.text).form("/act")
    assert client.post(url("act"), data=form).status_code == 303
    again = client.post(url("act"), data=form)  # the same form sent twice (a double click, a reload)
    assert again.status_code == 409
    assert "out of date" in again.text and "nothing was applied" in again.text
    assert session.version == 1 and len(session.workspace.journal()) == 1
    # a second tab, opened before the action, cannot undo on the old state either
    assert client.post(url("undo"), data={"csrf": core.csrf, "version": "0"}).status_code == 409
    # two tabs see one state
    other = TestClient(client.app, base_url=f"http://localhost:{PORT}")
    assert 'data-version="1"' in other.get(url()).text and 'data-version="1"' in client.get(url()).text


def test_log_lines_hold_ids_only(app, caplog):
    session, core, client = app
    c = session.cohort
    names = [str(n) for n in c.mentees["name"]] + [str(n) for n in c.mentors["name"]]
    emails = [str(n) for n in c.mentees["email"]]
    secret_reason = "Grace Hughes said something private"
    with caplog.at_level(logging.INFO, logger=LOG.name):
        for path in PAGES:
            client.get(url(path))
        confirm_post(client, core, action="forbid", mentee="E003", mentor="R035", reason=secret_reason)
        confirm_post(
            client, core, action="capacity", mentor="R014", capacity="2", reason="private note about health"
        )
        client.post(url("undo"), data={"csrf": core.csrf, "version": str(session.version)})
        client.get("/nope")
        client.get(url(), headers={"host": "evil.example"})
    lines = [r.getMessage() for r in caplog.records if r.name == LOG.name]
    assert len(lines) >= len(PAGES) + 5
    text = "\n".join(lines)
    assert TOKEN not in text and core.csrf not in text
    assert "private" not in text and "health" not in text
    for value in names + emails:
        assert value not in text, value
    assert "GET /mentee/E003 200" in text  # ids are fine
    assert "refused: token 403" in text and "refused: host 403" in text


# ---------------------------------------------------------------------------- actions


def test_pin_an_alternative_shows_its_exact_delta_then_undo(app):
    session, core, client = app
    before = session.proposal()
    m0, s0 = before.totals()
    alt = next(a for a in before.alternatives if a.delta_score is not None and a.moves)
    e_id, r_id = session.cohort.mentee_ids[alt.mentee], session.cohort.mentor_ids[alt.mentor]
    _form, page = confirm(client, f"preview?action=pin&mentee={e_id}&mentor={r_id}")
    shown = text_of(page, "preview-delta").replace("−", "-")
    after = session.proposal()
    m1, s1 = after.totals()
    assert float(shown) == pytest.approx((s1 - s0) / 100) == pytest.approx(alt.delta_score)
    assert int(text_of(page, "preview-matched")) == m1 - m0 == alt.delta_matched
    assert after.mentor_of[alt.mentee] == alt.mentor
    home = client.get(url()).text
    assert 'id="banner"' in home and text_of(home, "banner-delta").replace("−", "-") == shown
    changed = re.findall(r'<tbody class="item changed" data-id="([^"]+)"', client.get(url("?changed=1")).text)
    moved = {session.cohort.mentee_ids[k] for k in (after.mentor_of != before.mentor_of).nonzero()[0]}
    assert set(changed) == moved and e_id in changed
    # undo: back to the first proposal, exactly
    assert (
        client.post(url("undo"), data={"csrf": core.csrf, "version": "1", "next": url()}).status_code == 303
    )
    assert (session.proposal().mentor_of == before.mentor_of).all()
    assert client.post(url("redo"), data={"csrf": core.csrf, "version": "2"}).status_code == 303
    assert session.proposal().mentor_of[alt.mentee] == alt.mentor


def test_every_action_and_the_workspace_files_reproduce_the_proposal(app, tmp_path):
    """Pin, forbid, capacity, leave out (both sides): then ``mentor-match match`` with the
    workspace's files writes exactly the outputs the app's proposal gives."""
    session, core, client = app
    c = session.cohort
    confirm(client, "preview?action=pin&mentee=E003&mentor=R040")
    mentor_of_5 = c.mentor_ids[session.proposal().mentor_of[c.mentee_index("E005")]]
    confirm_post(
        client, core, action="forbid", mentee="E005", mentor=mentor_of_5, reason="conflict of interest"
    )
    confirm_post(client, core, action="capacity", mentor="R014", capacity="1", reason="fewer hours")
    confirm_post(client, core, action="capacity", mentor="R010", capacity="5", reason="offered more")
    confirm_post(client, core, action="leave_out", side="mentee", id="E020", reason="on leave")
    confirm_post(client, core, action="leave_out", side="mentor", id="R001", reason="")
    p = session.proposal()
    assert p.result is not None and p.mentor_of[c.mentee_index("E020")] == -1
    assert (p.mentor_of != c.mentor_index("R001")).all()
    assert p.mentor_of[c.mentee_index("E005")] != c.mentor_index(mentor_of_5)
    decisions = client.get(url("decisions")).text
    assert "conflict of interest" in decisions and "E003 → R040" in decisions
    ws = session.workspace.path
    out = tmp_path / "cli"
    invoke(
        "match", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    mine = T.match_outputs(p.result, p.alternatives, history=session.past.with_pairs(c, p.mentor_of))
    want = files(out)
    assert sorted(want) == sorted(n for n in mine if n != "timings.json")
    assert [n for n in want if mine[n] != want[n]] == []
    # the command line the decisions page shows is that command
    assert "--capacity" in decisions and str(ws / "forbid.csv") in decisions


def test_impossible_actions_are_refused_with_the_reason(app):
    session, core, client = app
    c = session.cohort
    i = c.mentee_index("E003")
    j = next(j for j in range(c.n_mentors) if session.proposal().result.problem.excluded[i, j])
    page = client.get(url(f"preview?action=pin&mentee=E003&mentor={c.mentor_ids[j]}")).text
    assert 'id="preview-problem"' in page and "breaks the hard rule" in page and 'id="confirm"' not in page
    bad = client.post(
        url("act"),
        data={
            "csrf": core.csrf,
            "version": "0",
            "action": "pin",
            "mentee": "E003",
            "mentor": c.mentor_ids[j],
        },
    )
    assert bad.status_code == 400 and "breaks the hard rule" in bad.text
    unknown = client.get(url("preview?action=pin&mentee=NOBODY&mentor=R001")).text
    assert "no mentee has the id" in unknown
    assert session.version == 0
    # a capacity below the mentor's pins names the pins
    confirm(client, "preview?action=pin&mentee=E003&mentor=R040")
    page = preview_post(client, core, action="capacity", mentor="R040", capacity="0", reason="")
    assert "pins give this mentor 1 mentees" in page and 'id="confirm"' not in page
    assert client.get(url("mentee/NOBODY")).status_code == 404


def test_the_pairs_table_a_page_at_a_time(app):
    _, _, client = app

    def ids(html):
        return re.findall(r'<tbody class="item[^"]*" data-id="([^"]+)"', html.split('id="unmatched"')[0])

    first, second = client.get(url()).text, client.get(url("?page=2")).text
    assert ids(first) == [f"E{n:03d}" for n in range(1, 101)] and ids(second) == [
        f"E{n:03d}" for n in range(101, 151)
    ]
    assert "Pairs 1–100 of 150" in first and "page 1 of 2" in first and 'data-paged="1"' in first
    everyone = client.get(url("?page=all")).text
    assert len(ids(everyone)) == 150
    by_score = ids(client.get(url("?sort=score&dir=desc&page=all")).text)
    scores = dict(
        re.findall(r'data-id="(E\d+)"><tr class="main">.*?<td class="n" data-v="([\d.]+)"', everyone)
    )
    assert [float(scores[e]) for e in by_score] == sorted((float(v) for v in scores.values()), reverse=True)
    hits = ids(client.get(url("?filter=Cardiology&page=all")).text)
    assert 0 < len(hits) < 150
    assert "(filtered from 150)" in client.get(url("?filter=Cardiology")).text
    assert ids(client.get(url("?page=99")).text) == ids(second)  # past the end: the last page
    assert ids(client.get(url("?page=x")).text) == ids(first)


def test_views_say_why(app):
    session, core, client = app
    unused = client.get(url("unused")).text
    assert "capacity 4, no mentee for whom R014 is allowed and better than their proposed mentor" in unused
    assert "excluded for 111 mentees by location" in unused
    assert "capacity 0: takes no mentees this round" in unused
    mentee = client.get(url("mentee/E003")).text
    assert text_of(mentee, "rank") == "27th" and "of 49 feasible mentors" in mentee
    assert text_of(mentee, "status-matched") == "150"  # the status line, not the mentee's own flag
    assert "Weak points" in mentee and "context 0.18" in mentee
    assert "full; giving them to this mentee would cost the programme 0.06 points" in mentee
    assert "infeasible — no shared language" in mentee
    mentor = client.get(url("mentor/R035")).text
    assert "E003" in mentor and "27 of 49 feasible mentors" in mentor
    effect = session.preview({"action": "leave_out", "side": "mentee", "id": "E007", "reason": ""})
    assert effect.delta_matched == -1  # E007 loses their mentor: the action's subject, not an "other"
    assert "E007" not in {m.mentee for m in effect.moves}
    confirm_post(client, core, action="leave_out", side="mentee", id="E007", reason="")
    unmatched = client.get(url("unmatched")).text
    assert "E007" in unmatched and "left out of this round (your decision)" in unmatched
    mentors = client.get(url("mentors")).text
    assert mentors.count('<tbody class="item"') == session.cohort.n_mentors


def test_publish_writes_what_the_command_writes(app, tmp_path):
    session, core, client = app
    confirm(client, "preview?action=pin&mentee=E003&mentor=R040")
    got = client.post(url("publish"), data={"csrf": core.csrf, "version": "1"})
    assert got.status_code == 303
    rounds = client.get(got.headers["location"]).text
    assert "Round 1 published" in rounds and "pairs.xlsx" in rounds
    ws = session.workspace.path
    out = tmp_path / "cli"
    invoke(
        "match", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    assert files(ws / "round-1") == files(out)
    assert client.get(url("rounds/1/pairs.csv")).content == (out / "pairs.csv").read_bytes()
    assert session.version == 2 and session.state.published == {1: "match"}


def test_rematch_from_the_app_is_the_commands_rematch(app, tmp_path):
    session, core, client = app
    client.post(url("publish"), data={"csrf": core.csrf, "version": "0"})
    assert client.post(url("rematch"), data={"csrf": core.csrf, "version": "1"}).status_code == 303
    assert session.state.stage.kind == "rematch" and session.round == 2
    pairs = {
        r["mentee_id"]: r["mentor_id"]
        for r in csv.DictReader(
            io.StringIO((session.workspace.path / "round-1" / "pairs.csv").read_text("utf-8-sig"))
        )
    }
    page = client.get(url("mentee/E003")).text
    assert 'id="fail-form"' in page
    confirm_post(
        client,
        core,
        action="fail",
        mentee="E003",
        mentor=pairs["E003"],
        reason="challenge",
        note="too gentle",
    )
    confirm_post(
        client, core, action="fail", mentee="E010", mentor=pairs["E010"], reason="availability", note=""
    )
    p = session.proposal()
    c = session.cohort
    assert c.mentor_ids[p.mentor_of[c.mentee_index("E003")]] != pairs["E003"]
    home = client.get(url()).text
    assert "What changed since the last round" in home and "pair failed (challenge)" in home
    bad = preview_post(client, core, action="fail", mentee="E003", mentor="R001", reason="care", note="")
    assert "is not a pair of round 1" in bad
    assert (
        client.post(url("publish"), data={"csrf": core.csrf, "version": str(session.version)}).status_code
        == 303
    )
    ws = session.workspace.path
    out = tmp_path / "cli"
    invoke(
        "rematch", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
        "--pairs", ws / "round-1" / "pairs.csv", "--failed", ws / "failed.csv",
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    assert files(ws / "round-2") == files(out)
    failed = list(csv.DictReader(io.StringIO((ws / "failed.csv").read_text("utf-8-sig"))))
    assert [(r["mentee_id"], r["reason"], r["note"]) for r in failed] == [
        ("E003", "challenge", "too gentle"),
        ("E010", "availability", ""),
    ]


def _published_pairs(session, n: int) -> dict[str, str]:
    text = (session.workspace.path / f"round-{n}" / "pairs.csv").read_text("utf-8-sig")
    return {r["mentee_id"]: r["mentor_id"] for r in csv.DictReader(io.StringIO(text))}


def _respond(client, core, session, mentee, mentor, response, note=""):
    """Send the approval page's form for this pair, as the browser does."""
    page = client.get(url(f"approval?filter={mentee}")).text  # found as a coordinator would
    form = Forms(page).form("/act", action="respond", mentee=mentee)
    assert form["mentor"] == mentor
    return client.post(url("act"), data={**form, "response": response, "note": note})


def test_approval_from_the_app_is_the_commands_approve(app, tmp_path):
    session, core, client = app
    confirm_post(client, core, action="leave_out", side="mentor", id="R014", reason="on leave")
    client.post(url("publish"), data={"csrf": core.csrf, "version": "1"})
    assert 'id="start-approval"' in client.get(url("publish")).text
    got = client.post(url("approve"), data={"csrf": core.csrf, "version": "2"})
    assert got.status_code == 303 and got.headers["location"] == url("approval")
    assert session.state.stage.kind == "approve" and session.round == 2
    pairs = _published_pairs(session, 1)
    page = client.get(url("approval")).text
    assert page.count("<tr data-mentee=") == min(len(pairs), 100) and "Mentor approval of round 1" in page
    assert client.get(url("approval?page=all")).text.count("<tr data-mentee=") == len(pairs)
    before = session.proposal().mentor_of.copy()
    assert _respond(client, core, session, "E003", pairs["E003"], "decline", "too busy").status_code == 303
    assert _respond(client, core, session, "E010", pairs["E010"], "accept").status_code == 303
    assert _respond(client, core, session, "E020", pairs["E020"], "decline").status_code == 303
    c, p = session.cohort, session.proposal()
    r014 = c.mentor_index("R014")
    for e in ("E003", "E020"):  # a declined pair is never proposed again
        assert c.mentor_ids[p.mentor_of[c.mentee_index(e)]] != pairs[e]
    assert r014 not in p.mentor_of  # the round's decisions carry over: R014 is still left out
    kept = [i for i in range(c.n_mentees) if c.mentee_ids[i] not in ("E003", "E020")]
    assert (p.mentor_of[kept] == before[kept]).all()  # accepted and unanswered pairs stay exactly
    home = client.get(url()).text
    assert "What changed since the last round" in home and "Mentor approval of round 1" in home
    page = client.get(url("approval")).text
    assert 'id="approval-counts"' in page and "<b>1</b> accepted · <b>2</b> declined" in page
    decisions = client.get(url("decisions")).text
    assert "declines E003 (too busy)" in decisions and "mentor-match approve" in decisions
    assert (
        client.post(url("publish"), data={"csrf": core.csrf, "version": str(session.version)}).status_code
        == 303
    )
    assert session.state.published == {1: "match", 2: "approve"}
    ws = session.workspace.path
    out = tmp_path / "cli"
    invoke(
        "approve", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
        "--pairs", ws / "round-1" / "pairs.csv", "--responses", ws / "responses.csv",
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    assert files(ws / "round-2") == files(out)
    assert session.command()[:2] == ["mentor-match", "approve"]
    answers = list(csv.DictReader(io.StringIO((ws / "responses.csv").read_text("utf-8-sig"))))
    assert sorted((r["mentee_id"], r["response"], r["note"]) for r in answers) == [
        ("E003", "decline", "too busy"),
        ("E010", "accept", ""),
        ("E020", "decline", ""),
    ]
    journal = [e["action"] for e in session.workspace.journal()]
    assert journal == ["leave_out", "publish", "start_approval", "respond", "respond", "respond", "publish"]
    history = (ws / "round-2" / "history.csv").read_text("utf-8-sig")
    assert f"E003,{pairs['E003']},failed,declined" in history


def test_approval_answers_undo_redo_and_resume(app, tmp_path):
    session, core, client = app
    client.post(url("publish"), data={"csrf": core.csrf, "version": "0"})
    client.post(url("approve"), data={"csrf": core.csrf, "version": "1"})
    pairs = _published_pairs(session, 1)
    start = session.proposal().mentor_of.copy()
    _respond(client, core, session, "E003", pairs["E003"], "decline")
    declined = session.proposal().mentor_of.copy()
    assert (declined != start).any()
    assert b"decline" in (session.workspace.path / "responses.csv").read_bytes()
    undo = client.post(url("undo"), data={"csrf": core.csrf, "version": "3", "next": url("approval")})
    assert undo.status_code == 303 and undo.headers["location"] == url("approval")
    assert dict(session.state.decisions.responses) == {} and (session.proposal().mentor_of == start).all()
    assert b"decline" not in (session.workspace.path / "responses.csv").read_bytes()
    client.post(url("redo"), data={"csrf": core.csrf, "version": "4"})
    assert (session.proposal().mentor_of == declined).all()
    # taking an answer back is an action too (and undoable)
    form = Forms(client.get(url("approval")).text).form("/act", action="unrespond", mentee="E003")
    assert client.post(url("act"), data=form).status_code == 303
    assert dict(session.state.decisions.responses) == {} and session.state.can_undo
    client.post(url("undo"), data={"csrf": core.csrf, "version": "6"})
    again = Session(*ARGS, workspace=tmp_path / "ws")  # a new start resumes the approval
    assert again.state.stage.kind == "approve" and dict(again.state.decisions.responses) == {
        ("E003", pairs["E003"]): ("decline", "")
    }
    assert (again.proposal().mentor_of == declined).all()
    # the decisions page takes an answer back through its preview, as every decision
    link = next(u for u in Forms(client.get(url("decisions")).text).urls if "action=unrespond" in u)
    preview = client.get(link)
    assert "take back" in preview.text and "E003" in preview.text
    assert client.post(url("act"), data=Forms(preview.text).form("/act")).status_code == 303
    assert dict(session.state.decisions.responses) == {} and (session.proposal().mentor_of == start).all()


def test_approval_routes_refuse_bad_csrf_stale_state_and_wrong_pairs(app):
    session, core, client = app
    # before a round is published there is nothing to approve
    assert (
        client.get(url("approval")).status_code == 200
        and 'id="no-approval"' in client.get(url("approval")).text
    )
    bad = client.post(url("approve"), data={"csrf": core.csrf, "version": "0"})
    assert bad.status_code == 400 and "publish round 1 first" in bad.text
    client.post(url("publish"), data={"csrf": core.csrf, "version": "0"})
    pairs = _published_pairs(session, 1)
    answer = {
        "csrf": core.csrf,
        "version": "1",
        "action": "respond",
        "mentee": "E003",
        "mentor": pairs["E003"],
    }
    early = client.post(url("act"), data={**answer, "response": "decline", "note": ""})
    assert early.status_code == 400 and "during an approval" in early.text
    for form in ({"version": "1"}, {"csrf": core.csrf[:-1] + "x", "version": "1"}):
        assert client.post(url("approve"), data=form).status_code == 403
    assert (
        client.post(
            url("approve"),
            data={"csrf": core.csrf, "version": "1"},
            headers={"origin": "http://evil.example"},
        ).status_code
        == 403
    )
    assert (
        client.post("/" + TOKEN[:-1] + "0/approve", data={"csrf": core.csrf, "version": "1"}).status_code
        == 403
    )
    assert client.get("/" + TOKEN[:-1] + "0/approval").status_code == 403
    stale = client.post(url("approve"), data={"csrf": core.csrf, "version": "0"})
    assert stale.status_code == 409 and "nothing was applied" in stale.text
    assert session.state.stage.kind == "match" and session.version == 1
    assert client.post(url("approve"), data={"csrf": core.csrf, "version": "1"}).status_code == 303
    answer["version"] = "2"
    for fields, says in (
        ({"response": "maybe", "note": ""}, "response must be one of: accept, decline"),
        (
            {"response": "decline", "note": "", "mentor": "R001" if pairs["E003"] != "R001" else "R002"},
            "is not a pair of round 1",
        ),
        ({"response": "decline", "note": "", "mentee": "NOBODY"}, "no mentee has the id"),
    ):
        got = client.post(url("act"), data={**answer, **fields})
        assert got.status_code == 400 and says in got.text, got.text
    nocsrf = client.post(url("act"), data={**answer, "csrf": "", "response": "decline", "note": ""})
    assert nocsrf.status_code == 403
    assert session.version == 2 and dict(session.state.decisions.responses) == {}
    # a note is text: escaped on every page that shows it
    note = '<script>alert(1)</script>&"'
    assert client.post(url("act"), data={**answer, "response": "decline", "note": note}).status_code == 303
    stale = client.post(url("act"), data={**answer, "response": "accept", "note": ""})
    assert (
        stale.status_code == 409
        and session.state.decisions.responses[("E003", pairs["E003"])][0] == "decline"
    )
    for path in ("approval", "decisions", ""):
        text = client.get(url(path)).text
        assert "<script>alert" not in text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in client.get(url("approval")).text


def test_a_responses_file_sent_to_the_app_is_recorded_as_one_decision(app):
    session, core, client = app
    client.post(url("publish"), data={"csrf": core.csrf, "version": "0"})
    client.post(url("approve"), data={"csrf": core.csrf, "version": "1"})
    pairs = _published_pairs(session, 1)
    (e1, r1), (e2, r2) = list(pairs.items())[:2]

    def send(text: str, version: int, name="responses.csv", **form):
        data = {"csrf": core.csrf, "version": str(version), **form}
        return client.post(
            url("approval/import"), data=data, files={"responses": (name, text.encode(), "text/csv")}
        )

    head = "mentor_id,mentee_id,response,note\n"
    bad = send(head + f"{r1},{e1},maybe,\nR999,{e2},accept,\n", 2)
    assert bad.status_code == 400 and "2 problems in the input" in bad.text
    assert "is not a response" in bad.text and "is not a mentor of any proposed pair" in bad.text
    assert session.version == 2 and dict(session.state.decisions.responses) == {}
    assert send(head, 2, name="responses.txt").status_code == 400
    assert send(head, 2, csrf="").status_code == 403
    assert send(head + f"{r1},{e1},decline,<b>busy</b>\n", 1).status_code == 409
    assert session.version == 2
    good = send(head + f"{r1},{e1},Decline,<b>busy</b>\n{r2},{e2},accept,fine\n{r2},{e2},accept,\n", 2)
    assert good.status_code == 303 and session.version == 3
    assert dict(session.state.decisions.responses) == {
        (e1, r1): ("decline", "<b>busy</b>"),
        (e2, r2): ("accept", "fine"),
    }
    assert session.workspace.journal()[-1]["action"] == "respond_file"
    page = client.get(url("approval")).text
    assert "&lt;b&gt;busy&lt;/b&gt;" in page and "<b>busy</b>" not in page
    assert "record the answers of responses.csv: 1 accepted, 1 declined" in client.get(url("decisions")).text
    c = session.cohort
    assert c.mentor_ids[session.proposal().mentor_of[c.mentee_index(e1)]] != r1
    client.post(url("undo"), data={"csrf": core.csrf, "version": "3"})
    assert dict(session.state.decisions.responses) == {}


def test_a_new_session_on_the_workspace_resumes(app, tmp_path):
    session, core, client = app
    confirm(client, "preview?action=pin&mentee=E003&mentor=R040")
    confirm_post(client, core, action="capacity", mentor="R014", capacity="1", reason="")
    again = Session(*ARGS, workspace=tmp_path / "ws")
    assert again.version == session.version == 2
    assert again.state.decisions == session.state.decisions
    assert (again.proposal().mentor_of == session.proposal().mentor_of).all()


def test_seed_files_are_imported_once(tmp_path):
    pins = tmp_path / "seed-pins.csv"
    pins.write_text("mentee_id,mentor_id\nE003,R040\n", encoding="utf-8")
    session, _, _client = make(tmp_path, pins=pins)
    assert dict(session.state.decisions.pins) == {"E003": ("R040",)} and session.version == 1
    again = Session(*ARGS, workspace=tmp_path / "ws", pins=pins)  # the same command line resumes
    assert again.version == 1
    other = tmp_path / "other.csv"
    other.write_text("mentee_id,mentor_id\nE004,R040\n", encoding="utf-8")
    from matcher.errors import OptionError

    with pytest.raises(OptionError, match="started with another --pin file"):
        Session(*ARGS, workspace=tmp_path / "ws", pins=other)


def test_candidate_sets_too(tmp_path, monkeypatch):
    """Above DENSE_LIMIT pairs the proposal is solved on candidate sets: every page still
    answers, previews are exact re-solves, and publishing writes what the command writes."""
    from matcher.solve import candidates

    monkeypatch.setattr(candidates, "DENSE_LIMIT", 1000)  # the sample's 9,000 pairs are 'large' now
    session, core, client = make(tmp_path)
    assert not session.dense and not session.proposal().result.problem.exact_deltas
    for path in [*PAGES, *FRAGMENTS]:
        assert client.get(url(path)).status_code == 200, path
    assert "by the hard rules" in client.get(url("unused")).text
    page = client.get(url("preview?action=pin&mentee=E003&mentor=R040")).text
    assert "by re-solving the whole programme" in page
    confirm(client, "preview?action=pin&mentee=E003&mentor=R040")
    assert client.post(url("publish"), data={"csrf": core.csrf, "version": "1"}).status_code == 303
    ws = session.workspace.path
    invoke(
        "match", "--mentors", ARGS[0], "--mentees", ARGS[1], "--config", ARGS[2],
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv",
        "--out", tmp_path / "cli",
    )  # fmt: skip
    assert files(ws / "round-1") == files(tmp_path / "cli")


def test_decisions_that_no_longer_hold_can_be_repaired(app, tmp_path):
    """The mentors file changed after a pin was made (R040 now takes nobody): the app says
    the decisions cannot be solved, publishes nothing, and lets the coordinator release the
    pin to get a proposal again."""
    from tests.io.test_capacity_file import edited_mentors

    _, _, client = app
    confirm(client, "preview?action=pin&mentee=E003&mentor=R040")
    changed = edited_mentors(tmp_path, {"R040": 0})
    again = Session(changed, *ARGS[1:], workspace=tmp_path / "ws")
    assert any("differs from when this workspace was made" in w for w in again.warnings)
    app2, core2 = create_app(again, token=TOKEN, port=PORT)
    c2 = TestClient(app2, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    home = c2.get(url()).text
    assert 'id="solve-error"' in home and "pins give this mentor 1 mentees" in home
    assert c2.post(url("publish"), data={"csrf": core2.csrf, "version": "1"}).status_code == 400
    page = c2.get(url("preview?action=unpin&mentee=E003")).text
    assert 'id="confirm"' in page
    assert c2.post(url("act"), data=Forms(page).form("/act")).status_code == 303
    assert again.proposal().result is not None and 'id="solve-error"' not in c2.get(url()).text


# ---------------------------------------------------------------------------- re-solves
ACTION_KINDS = ("pin", "forbid", "capacity", "leave_out_mentee", "leave_out_mentor", "undo")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTION_KINDS), st.integers(0, 10**6), st.integers(0, 10**6), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    large=st.booleans(),
)
def test_every_re_solve_is_the_cold_commands_answer(tmp_path_factory, steps, large):
    """After any sequence of actions — each previewed first or not (a look-up's action is
    then re-solved ahead, on a thread) — the session's proposal (one encoding, re-solves
    only) is what ``mentor-match match`` on the workspace's files writes, byte for byte;
    ``large``: on candidate sets (the sample above DENSE_LIMIT, candidates pruned hard)."""
    from matcher.solve import candidates

    with pytest.MonkeyPatch.context() as mp:
        if large:
            mp.setattr(candidates, "DENSE_LIMIT", 1000)
            mp.setattr(candidates, "CANDIDATES", 6)
            mp.setattr(candidates, "MENTOR_CANDIDATES", 3)
            mp.setattr(candidates, "CHUNK_PAIRS", 420)  # blocks of 7 mentees
        _actions_then_the_command(tmp_path_factory.mktemp("resolve"), steps)


def _actions_then_the_command(tmp, steps) -> None:
    from matcher.api import match_files, preferences_for

    session = Session(*ARGS, workspace=tmp / "ws")
    c = session.cohort
    for kind, a, b, previewed in steps:
        e, r = c.mentee_ids[a % c.n_mentees], c.mentor_ids[b % c.n_mentors]
        entry = {
            "pin": {"action": "pin", "mentee": e, "mentor": r},
            "forbid": {"action": "forbid", "mentee": e, "mentor": r, "reason": ""},
            "capacity": {"action": "capacity", "mentor": r, "capacity": str(a % 5), "reason": ""},
            "leave_out_mentee": {"action": "leave_out", "side": "mentee", "id": e, "reason": ""},
            "leave_out_mentor": {"action": "leave_out", "side": "mentor", "id": r, "reason": ""},
            "undo": {"action": "undo"},
        }[kind]
        if previewed and kind != "undo":
            session.preview(entry)
            session._solve_ahead()  # as the timer warm() starts does, here at once
        with contextlib.suppress(WorkspaceError):  # refused (impossible, nothing to undo)
            session.undo(session.version) if kind == "undo" else session.act(entry, session.version)
    p = session.proposal()
    assert p.result is not None
    ws = session.workspace.path
    run = match_files(
        *ARGS, pins=ws / "pins.csv", forbid=ws / "forbid.csv", capacity=ws / "capacity.csv",
        out=tmp / "cli", alternatives=0,
    )  # fmt: skip
    mine = T.match_outputs(
        p.result,
        None,
        history=session.past.with_pairs(c, p.mentor_of),
        preferences=preferences_for(p.result),
    )
    assert [n for n in run.outputs if n != "timings.json" and mine[n] != run.outputs[n]] == []
    assert p.tables["pairs"] == T.pairs_table(p.result)  # the memo of 'why' texts holds


def test_a_previewed_pin_is_re_solved_ahead_and_confirming_it_solves_nothing(app, monkeypatch):
    """The preview of *use this mentor* is a look-up; once its page is sent the action is
    re-solved on a thread, so that Confirm only records it (one solve in all)."""
    session, _core, client = app
    calls = []
    solve = Session._solve
    monkeypatch.setattr(Session, "_solve", lambda self, *a: calls.append(a) or solve(self, *a))
    p = session.proposal()
    alt = next(a for a in p.alternatives_of(range(session.cohort.n_mentees)) if a.delta_score is not None)
    e, r = session.cohort.mentee_ids[alt.mentee], session.cohort.mentor_ids[alt.mentor]
    calls.clear()
    page = client.get(url(f"preview?action=pin&mentee={e}&mentor={r}"))  # sent: warm() runs
    assert page.status_code == 200 and "residual graph (no re-solve needed)" in page.text
    for _ in range(600):  # the re-solve starts AHEAD_AFTER seconds after the last page
        if session._solving:
            break
        time.sleep(0.05)
    (future,) = session._solving.values()
    future.result(timeout=60)
    assert len(calls) == 1  # the solve ahead
    got = client.post(url("act"), data=Forms(page.text).form("/act"))
    assert got.status_code == 303 and len(calls) == 1
    assert session.proposal().mentor_of[alt.mentee] == alt.mentor
    assert session.last_change.effect.delta_units == session.last_change.promised.delta_units


# ---------------------------------------------------------------------------- stated choices


def test_pages_show_each_pairs_choices_and_the_audits_why(tmp_path):
    # A generated cohort with choices (one mentor's name is markup: it must arrive escaped).
    # Each matched mentee's page says whose choice the pair is and the bonus; each choice is
    # listed with what happened to it — the same words as preferences.csv of the command.
    from html import unescape

    from matcher.synthetic.cohort import write_cohort

    m, e = write_cohort(tmp_path / "in", 60, 20, 3, preferences=True)
    rows = list(csv.DictReader(m.read_text(encoding="utf-8").splitlines()))
    rows[0]["name"] = "<b>Mallory</b>"
    with m.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    config = tmp_path / "in" / "c.toml"
    config.write_text("[preferences]\nmentee_bonus = [15, 10, 5]\nmentor_bonus = 5\n", encoding="utf-8")
    invoke("match", "--mentors", m, "--mentees", e, "--config", config, "--out", tmp_path / "out")
    audit = {
        (r["side"], r["person_id"]): r
        for r in csv.DictReader(
            (tmp_path / "out" / "preferences.csv").read_text(encoding="utf-8-sig").splitlines()
        )
    }
    pairs = {
        r["mentee_id"]: r
        for r in csv.DictReader((tmp_path / "out" / "pairs.csv").read_text(encoding="utf-8-sig").splitlines())
    }
    session = Session(m, e, config, workspace=tmp_path / "ws")
    app, _ = create_app(session, token=TOKEN, port=PORT)
    client = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    seen = {"1st": 0, "why": 0, "escaped": 0}
    for (side, pid), row in audit.items():
        if side != "mentee":
            continue
        page = client.get(url(f"mentee/{pid}"))
        assert page.status_code == 200
        assert "<b>Mallory</b>" not in page.text  # never markup from a file
        seen["escaped"] += "&lt;b&gt;Mallory&lt;/b&gt;" in page.text
        choices = row["choices"].split(";")
        table = page.text.split('id="choices-table"')[1].split("</table>")[0]
        assert [re.sub(r"<.*?>", "", x) for x in re.findall(r"<td>(\d+(?:st|nd|rd|th))</td>", table)] == [
            ("1st", "2nd", "3rd")[k] for k in range(len(choices))
        ]
        for line in filter(None, row["why"].split("; R")):
            line = line if line.startswith("R") else "R" + line
            rid, why = line.split(": ", 1)
            assert f">{rid}</a>" in table
            assert why in unescape(page.text)
            seen["why"] += 1
        got = pairs.get(pid)
        if got is None:
            continue
        words = unescape(text_of(page.text, "pair-choice"))
        if row["got"] in ("1st", "2nd", "3rd"):
            assert words.startswith(f"{got['mentor_id']} is {pid}'s {row['got']} choice")
            seen["1st"] += row["got"] == "1st"
        else:
            assert words.startswith(f"{got['mentor_id']} is not one of {pid}'s choices")
        bonus = unescape(text_of(page.text, "pair-bonus"))
        assert bonus.startswith(f"{float(got['bonus']):+.2f} choice bonus")
        assert f"(score {got['score']} + bonus)" in bonus
    assert seen["1st"] and seen["why"] and seen["escaped"]
    # every pair says whose choice it is: pairs.csv's columns agree with preferences.csv,
    # and the app's proposal table shows them
    for pid, got in pairs.items():
        row = audit.get(("mentee", pid))
        want = "" if row is None else (row["got"] if row["got"] in ("1st", "2nd", "3rd") else "no")
        assert got["mentee_choice"] == want
        mentor_row = audit.get(("mentor", got["mentor_id"]))
        if mentor_row is None:
            assert got["mentor_choice"] == ""
        else:
            ranks = [
                r
                for r, x in zip(("1st", "2nd", "3rd"), mentor_row["choices"].split(";"), strict=False)
                if x == pid
            ]
            assert got["mentor_choice"] == (ranks[0] if ranks else "no")
    proposal = client.get(url(""))
    assert "mentee_choice" in proposal.text and "mentor_choice" in proposal.text
    # a mentor's page: the pairs they have, and their own choices
    mentor = next(pid for (side, pid) in audit if side == "mentor")
    page = client.get(url(f"mentor/{mentor}"))
    assert page.status_code == 200 and 'id="choices-table"' in page.text
    assert audit[("mentor", mentor)]["got"] in page.text


def several_mentees(tmp_path) -> Path:
    """The sample's mentees with ``mentors_wanted``: E001 and E003 want 2, E005 wants 9 (more
    than it has feasible mentors: partly matched)."""
    mentees = tmp_path / "mentees.csv"
    lines = (SAMPLE / "mentees.csv").read_text(encoding="utf-8").splitlines()
    wanted = {1: "2", 3: "2", 5: "9"}
    mentees.write_text(
        "\n".join(
            [lines[0] + ",mentors_wanted", *(x + "," + wanted.get(k, "") for k, x in enumerate(lines[1:], 1))]
        )
        + "\n",
        encoding="utf-8",
    )
    return mentees


@pytest.fixture
def several(tmp_path):
    mentees = several_mentees(tmp_path)
    session = Session(ARGS[0], mentees, ARGS[2], workspace=tmp_path / "ws")
    app, core = create_app(session, token=TOKEN, port=PORT)
    client = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    return session, core, client, mentees


def test_several_mentors_every_page_shows_every_pair(several):
    session, _, client, _ = several
    c, pairing = session.cohort, session.proposal().pairing
    for path in [*PAGES, "mentee/E001", "mentee/E005", "alternatives/E001"]:
        page = client.get(url(path))
        assert page.status_code == 200, path
    e001 = client.get(url("mentee/E001")).text
    mine = [c.mentor_ids[j] for j in pairing.mentors(c.mentee_index("E001"))]
    assert len(mine) == 2
    for r_id in mine:  # one card per pair, each with its own "never this pair" form
        assert f'id="pair-{r_id}"' in e001
        assert Forms(e001).form("/preview", action="forbid", mentor=r_id)["mentee"] == "E001"
    assert text_of(e001, "wanted") == "2" and text_of(e001, "got") == "2" and 'id="places-left"' not in e001
    assert "Δ pairs" in e001 and "re-solving" in e001
    e005 = client.get(url("mentee/E005")).text  # partly matched: places left and why
    got5 = int(pairing.count[c.mentee_index("E005")])
    assert 0 < got5 < 9 and text_of(e005, "places-left") == str(9 - got5)
    assert "no other feasible mentor" in text_of(e005, "unmatched-reason")
    assert "E005" in client.get(url("unmatched")).text
    mentor = client.get(url(f"mentor/{mine[0]}")).text
    assert "E001" in mentor


def test_several_mentors_pins_up_to_mentors_wanted_each_previewed_exactly(several, tmp_path):
    """E001 wants 2 mentors: *also use this mentor* pins one pair, then a second (each
    preview the exact re-solve, equal to the alternatives' Δ), a third is refused; a pin's
    pair is released on its own; undo brings it back; every step's proposal is what
    ``match --pin`` (two rows for E001) computes, byte for byte; the journal names each pair."""
    session, core, client, mentees = several
    c = session.cohort
    p = session.proposal()
    i = c.mentee_index("E001")
    best = next(a for a in p.alternatives_of([i]) if a.delta_score is not None and a.reason == "")
    r_id = c.mentor_ids[best.mentor]
    page = client.get(url("mentee/E001")).text
    assert f"preview?action=add_pin&amp;mentee=E001&amp;mentor={r_id}" in page  # also use this mentor
    assert "Also use this mentor" in page and "You can pin up to 2 more" in text_of_all(page, "pins-held")
    page = client.get(url(f"preview?action=add_pin&mentee=E001&mentor={r_id}")).text
    assert signed(best.delta_score) in page  # the preview is the alternatives' exact Δ
    effect = session.preview({"action": "add_pin", "mentee": "E001", "mentor": r_id})
    assert effect.how == "re-solve" and effect.delta_units == round(best.delta_score * 100)
    assert (effect.delta_pairs, effect.delta_matched) == (best.delta_pairs, best.delta_matched)
    assert text_of(page, "preview-pairs") == str(best.delta_pairs) and "every effect is a re-solve" in page
    confirm(client, f"preview?action=add_pin&mentee=E001&mentor={r_id}")
    now = session.proposal().pairing
    assert now.has(i, best.mentor) and now.count[i] == 2
    assert session.proposal().totals()[1] - p.totals()[1] == effect.delta_units
    # a second pin for the same mentee: allowed (E001 wants 2), previewed by an exact re-solve
    p1 = session.proposal()
    second = next(
        a for a in p1.alternatives_of([i]) if a.delta_score is not None and a.reason in ("", "full")
    )
    r2 = c.mentor_ids[second.mentor]
    effect2 = session.preview({"action": "add_pin", "mentee": "E001", "mentor": r2})
    assert not effect2.problem and effect2.delta_units == round(second.delta_score * 100)
    confirm(client, f"preview?action=add_pin&mentee=E001&mentor={r2}")
    pairing = session.proposal().pairing
    assert pairing.has(i, best.mentor) and pairing.has(i, second.mentor) and pairing.count[i] == 2
    assert session.proposal().totals()[1] - p1.totals()[1] == effect2.delta_units
    assert session.state.decisions.pinned("E001") == tuple(sorted((r_id, r2), key=natural_key))
    page = client.get(url("mentee/E001")).text
    assert "Every place is pinned" in text_of_all(page, "pins-held")
    decisions = client.get(url("decisions")).text  # each pinned pair is released on its own
    for r in (r_id, r2):
        assert f"preview?action=unpin_pair&amp;mentee=E001&amp;mentor={r}" in decisions
    # published with two pins rows for E001: the files match --pin writes, byte for byte
    ws = session.workspace.path
    pins = list(csv.DictReader(io.StringIO((ws / "pins.csv").read_text("utf-8-sig"))))
    assert sorted(r["mentor_id"] for r in pins if r["mentee_id"] == "E001") == sorted((r_id, r2))
    v = session.version
    assert client.post(url("publish"), data={"csrf": core.csrf, "version": str(v)}).status_code == 303
    out = tmp_path / "cli"
    invoke(
        "match", "--mentors", ARGS[0], "--mentees", mentees, "--config", ARGS[2],
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    assert files(ws / "round-1") == files(out)
    # a third pin is refused: E001 wants 2 and has 2 pinned
    third = next(
        r for r in c.mentor_ids if r not in (r_id, r2) and p.result.problem.allowed[i, c.mentor_index(r)]
    )
    refused = client.get(url(f"preview?action=add_pin&mentee=E001&mentor={third}")).text
    assert "E001 wants 2 mentors and has" in refused and "release a pin first" in refused
    assert "pinned already" in client.get(url(f"preview?action=add_pin&mentee=E001&mentor={r2}")).text
    # 'use this mentor' (the only pin) is refused while others are pinned: pin as well instead
    assert (
        "use &#39;also use this mentor&#39;"
        in client.get(url(f"preview?action=pin&mentee=E001&mentor={third}")).text
    )
    # never this pair: the forbidden pair's pin goes, the other stays
    confirm_post(client, core, action="forbid", mentee="E001", mentor=r2, reason="conflict")
    assert session.state.decisions.pinned("E001") == (r_id,)
    after = session.proposal().pairing
    assert not after.has(i, second.mentor) and after.has(i, best.mentor) and after.count[i] == 2
    # release one pair, undo, and the journal names the pairs
    page = client.get(url("mentee/E001")).text
    assert f"preview?action=unpin_pair&amp;mentee=E001&amp;mentor={r_id}" in page
    confirm(client, f"preview?action=unpin_pair&mentee=E001&mentor={r_id}")
    assert session.state.decisions.pins == {}
    assert (
        client.post(url("undo"), data={"csrf": core.csrf, "version": str(session.version)}).status_code == 303
    )
    assert session.state.decisions.pinned("E001") == (r_id,)
    journal = client.get(url("decisions")).text
    assert f"also use {r_id} as one of E001&#39;s mentors" in journal
    assert f"release the pinned pair E001 → {r_id}" in journal


def text_of_all(html: str, element_id: str) -> str:
    """The text inside the element with this id, tags removed."""
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</p>', html, flags=re.S)
    assert m, element_id
    return re.sub(r"<[^>]+>", "", m.group(1))


def test_several_mentors_publish_and_rematch_are_the_commands(several, tmp_path):
    session, core, client, mentees = several
    c = session.cohort
    confirm_post(
        client,
        core,
        action="forbid",
        mentee="E003",
        mentor=c.mentor_ids[session.proposal().pairing.mentors(c.mentee_index("E003"))[0]],
        reason="x",
    )
    confirm(client, "preview?action=pin&mentee=E001&mentor=R012")
    confirm_post(client, core, action="capacity", mentor="R040", capacity="0", reason="away")
    v = session.version
    assert client.post(url("publish"), data={"csrf": core.csrf, "version": str(v)}).status_code == 303
    ws, out = session.workspace.path, tmp_path / "cli"
    invoke(
        "match", "--mentors", ARGS[0], "--mentees", mentees, "--config", ARGS[2],
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    assert files(ws / "round-1") == files(out)
    rows = list(csv.DictReader(io.StringIO((ws / "round-1" / "pairs.csv").read_text("utf-8-sig"))))
    e001 = [r["mentor_id"] for r in rows if r["mentee_id"] == "E001"]
    assert len(e001) == 2 and "R012" in e001
    # re-match: one pair of the 2-mentor mentee fails, the other is kept
    assert (
        client.post(url("rematch"), data={"csrf": core.csrf, "version": str(session.version)}).status_code
        == 303
    )
    failed, other = e001[0], e001[1]
    page = client.get(url("mentee/E001")).text
    assert Forms(page).form("/preview", action="fail", mentor=failed)["mentee"] == "E001"
    confirm_post(client, core, action="fail", mentee="E001", mentor=failed, reason="availability", note="")
    now = session.proposal().pairing
    i = c.mentee_index("E001")
    assert now.has(i, c.mentor_index(other)) and not now.has(i, c.mentor_index(failed))
    bad = preview_post(client, core, action="fail", mentee="E001", mentor="R001", reason="care", note="")
    assert "is not a pair of round 1" in bad
    round2_published_as_the_command(client, core, session, mentees, tmp_path / "cli2", "rematch")


def test_the_approval_page_pages_and_filters_like_the_proposal(app):
    """100 pairs a page with previous / next; *All on one page*; a text filter and *Show*
    accepted / declined / not answered / moved narrow the rows over every page, while the
    counts stay over every pair; a form sent from a filtered page comes back to it."""
    session, core, client = app
    client.post(url("publish"), data={"csrf": core.csrf, "version": "0"})
    client.post(url("approve"), data={"csrf": core.csrf, "version": "1"})
    pairs = _published_pairs(session, 1)
    assert len(pairs) > 100
    first = client.get(url("approval")).text
    assert first.count("<tr data-mentee=") == 100 and 'rel="next"' in first
    nxt = Forms(first).urls
    assert url("approval?page=2") in nxt and url("approval?page=all") in nxt
    second = client.get(url("approval?page=2")).text
    assert second.count("<tr data-mentee=") == len(pairs) - 100 and 'rel="prev"' in second
    shown = re.findall(r'<tr data-mentee="(E\d+)"', first + second)
    assert shown == list(pairs)  # every pair once, in the file's order
    ids = list(pairs)
    assert _respond(client, core, session, ids[0], pairs[ids[0]], "decline").status_code == 303
    assert _respond(client, core, session, ids[1], pairs[ids[1]], "accept").status_code == 303
    declined = client.get(url("approval?show=decline")).text
    assert re.findall(r'<tr data-mentee="(E\d+)"', declined) == [ids[0]]
    assert "(filtered from " + str(len(pairs)) + ")" in declined
    assert "<b>1</b> accepted · <b>1</b> declined · <b>" + str(len(pairs) - 2) in declined
    assert re.findall(r'<tr data-mentee="(E\d+)"', client.get(url("approval?show=accept")).text) == [ids[1]]
    waiting = client.get(url("approval?show=none&page=all")).text
    assert waiting.count("<tr data-mentee=") == len(pairs) - 2
    moved = re.findall(r'<tr data-mentee="(E\d+)"', client.get(url("approval?show=changed")).text)
    p = session.proposal()
    c = session.cohort
    want = [e for e, r in pairs.items() if not p.pairing.has(c.mentee_index(e), c.mentor_index(r))]
    assert moved == want and ids[0] in moved
    page = client.get(url(f"approval?filter={ids[2]}&show=none")).text
    form = Forms(page).form("/act", action="respond", mentee=ids[2])
    got = client.post(url("act"), data={**form, "response": "accept", "note": "<i>ok</i>"})
    assert got.headers["location"] == url(f"approval?filter={ids[2]}&show=none")
    assert "&lt;i&gt;ok&lt;/i&gt;" in client.get(url(f"approval?filter={ids[2]}")).text  # escaped


def test_several_mentors_approval_is_the_commands_approve(several, tmp_path):
    session, core, client, mentees = several
    assert client.post(url("publish"), data={"csrf": core.csrf, "version": "0"}).status_code == 303
    assert client.post(url("approve"), data={"csrf": core.csrf, "version": "1"}).status_code == 303
    ws, c = session.workspace.path, session.cohort
    rows = list(csv.DictReader(io.StringIO((ws / "round-1" / "pairs.csv").read_text("utf-8-sig"))))
    declined, accepted = [r["mentor_id"] for r in rows if r["mentee_id"] == "E001"]
    assert client.get(url("approval?page=all")).text.count("<tr data-mentee=") == len(rows)
    page = client.get(url("approval?filter=E001")).text
    assert page.count("<tr data-mentee=") == 2  # both of E001's pairs
    for mentor, answer in ((declined, "decline"), (accepted, "accept")):
        form = Forms(page).form("/act", action="respond", mentee="E001", mentor=mentor)
        assert form["next"].endswith("approval?filter=E001")  # back to the same filtered page
        got = client.post(url("act"), data={**form, "response": answer, "note": ""})
        assert got.status_code == 303 and got.headers["location"] == url("approval?filter=E001")
        page = client.get(url("approval?filter=E001")).text
    now, i = session.proposal().pairing, c.mentee_index("E001")
    assert now.has(i, c.mentor_index(accepted)) and not now.has(i, c.mentor_index(declined))
    round2_published_as_the_command(client, core, session, mentees, tmp_path / "cli", "approve")


@pytest.fixture
def several_choices(tmp_path):
    """A generated cohort with choices in which every third mentee wants 2 mentors and
    mentees get a bonus for their choices; the CLI's match outputs beside it."""
    m, e, config = several_choice_cohort(tmp_path / "in")
    out = tmp_path / "out"
    invoke("match", "--mentors", m, "--mentees", e, "--config", config, "--out", out)
    session = Session(m, e, config, workspace=tmp_path / "ws")
    app, _ = create_app(session, token=TOKEN, port=PORT)
    client = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    return session, client, (m, e, config), out


def _csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_several_mentors_pages_show_the_audits_choices_and_each_pairs_choice(several_choices):
    """With several mentors per mentee the choices panel is shown: what each person got (as
    preferences.csv's ``got``), each choice with the same why as preferences.csv, and on
    each pair's card whose choice the pair is and the bonus the solver adds (pairs.csv)."""
    from html import unescape

    _, client, _, out = several_choices
    audit = {(r["side"], r["person_id"]): r for r in _csv_rows(out / "preferences.csv")}
    pairs = _csv_rows(out / "pairs.csv")
    seen = {"why": 0, "two": 0, "mentor": 0}
    for (side, pid), row in audit.items():
        if side == "both":
            continue
        page = client.get(url(f"{side}/{pid}"))
        assert page.status_code == 200
        text = unescape(page.text)
        assert f"{pid}'s choices — got: {row['got']}" in text
        table = text.split('id="choices-table"')[1].split("</table>")[0]
        assert len(re.findall(r"<td>\d+(?:st|nd|rd|th)</td>", table)) == len(row["choices"].split(";"))
        for line in filter(None, row["why"].split("; ")):
            other, why = line.split(": ", 1)
            assert f">{other}</a>" in table and why in table
            seen["why"] += 1
        seen["mentor"] += side == "mentor"
        if side != "mentee":
            continue
        mine = [r for r in pairs if r["mentee_id"] == pid]
        seen["two"] += len(mine) == 2
        for r in mine:  # each pair's card: whose choice, and the bonus
            card = text.split(f'id="pair-{r["mentor_id"]}"')[1].split('class="card pair-card"')[0]
            choice = re.search(r'class="pair-choice">(.*?)</p>', card, flags=re.S).group(1)
            rank = row["choices"].split(";").index(r["mentor_id"]) if r["mentor_id"] in row["choices"] else -1
            if rank >= 0:
                assert f"{r['mentor_id']} is {pid}'s {('1st', '2nd', '3rd')[rank]} choice" in choice
            else:
                assert f"{r['mentor_id']} is not one of {pid}'s choices" in choice
            assert (
                f"{float(r['bonus']):+.2f} choice bonus" in choice
                and f"(score {r['score']} + bonus)" in choice
            )
    assert seen["why"] > 0 and seen["two"] > 0 and seen["mentor"] > 0


def test_several_mentors_why_not_a_higher_scoring_mentor_is_explains_list(several_choices):
    """Each pair's card lists the higher-scoring mentors not chosen in the words of
    ``mentor-match explain`` (each priced by a re-solve with the pair pinned), in its order,
    with *also use this mentor* on those that can be pinned; the preview of one is the
    priced change."""
    from html import unescape

    session, client, (m, e, config), _ = several_choices
    c, p = session.cohort, session.proposal()
    checked = 0
    for i in np.flatnonzero(p.pairing.count == 2)[:4]:
        e_id = c.mentee_ids[i]
        said = CliRunner().invoke(
            cli,
            ["explain", "--mentors", str(m), "--mentees", str(e), "--config", str(config), "--mentee", e_id],
        )
        assert said.exit_code == 0, said.output
        sections = re.split(r"\n  proposed mentor ", said.output)[1:]
        page = unescape(client.get(url(f"mentee/{e_id}")).text)
        for section in sections:
            r_id = section.split(" ", 1)[0]
            listed = re.findall(r"^    (R\d+) \(.*?\) ([\d.]+): (.*)$", section, flags=re.M)
            card = page.split(f'id="pair-{r_id}"')[1].split('class="card pair-card"')[0]
            if not listed:
                assert 'class="why-not"' not in card
                continue
            table = card.split(f'id="why-not-{r_id}"')[1].split("</table>")[0]
            rows = re.findall(
                r'<tr class="k-\w+"><td><a [^>]*>(R\d+)</a>.*?<td class="n">([\d.]+)</td><td>(.*?)</td>',
                table,
            )
            assert rows == listed  # same mentors, scores and words, in explain's order
            checked += len(rows)
    assert checked > 0
    # using one: the preview's Δ is the price the list gave
    from matcher.review.explain import better_mentors

    compared = 0
    for i in np.flatnonzero(p.pairing.count == 2)[:4]:
        for j in p.pairing.mentors(int(i)):
            for b in better_mentors(p.result, int(i), int(j), p.engine, limit=3)[0]:
                if b.delta is None:
                    continue
                entry = {"action": "add_pin", "mentee": c.mentee_ids[i], "mentor": c.mentor_ids[b.mentor]}
                effect = session.preview(entry)
                assert not effect.problem
                assert (effect.delta_pairs, effect.delta_matched, effect.delta_units) == (
                    b.pairs,
                    b.delta[0],
                    b.delta[2],
                )
                compared += 1
    assert compared > 0


@pytest.mark.parametrize("kind", ["default", "side_rules", "several"])
def test_a_pins_preview_counts_moves_as_alternatives_csv(kind, tmp_path):
    """What a pin would move, in the preview, is what alternatives.csv says for that pair
    (the same pinned re-solve): the fewest others who must move, or "not computed" where
    alternatives.csv leaves ``moves`` blank — never a count from another source; the list
    below it is who changes in the proposal Confirm gives (and Confirm gives the previewed Δ)."""
    config, mentees = tmp_path / "c.toml", ARGS[1]
    if kind == "side_rules":
        config.write_text(
            "[rules]\nmax_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1\n", "utf-8"
        )
    else:  # default: a look-up in the residual graph, whose path is alternatives.csv's moves
        config.write_text(ARGS[2].read_text("utf-8"), "utf-8")
        mentees = several_mentees(tmp_path) if kind == "several" else mentees
    out = tmp_path / "cli"
    invoke("match", "--mentors", ARGS[0], "--mentees", mentees, "--config", config, "--out", out)
    session = Session(ARGS[0], mentees, config, workspace=tmp_path / "ws")
    app, _ = create_app(session, token=TOKEN, port=PORT)
    client = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)
    wanted = session.cohort.mentors_wanted
    seen = {"count": 0, "blank": 0}
    for row in _csv_rows(out / "alternatives.csv"):
        if row["delta_total"] == "" or sum(seen.values()) >= 6:
            continue
        i = session.cohort.mentee_index(row["mentee_id"])
        action = "add_pin" if wanted[i] > 1 else "pin"
        page = client.get(
            url(f"preview?action={action}&mentee={row['mentee_id']}&mentor={row['mentor_id']}")
        ).text
        assert text_of(page, "preview-delta") == signed(float(row["delta_total"]))
        assert text_of(page, "preview-moves") == (row["moves"] or "not computed")
        seen["count" if row["moves"] else "blank"] += 1
    # the flow proves the fewest pairs changed with several mentors; CP-SAT the fewest
    # mentees moved under side rules; the residual graph's path by default
    assert seen["count"] > 0
    if kind == "several":
        assert "pairs of the proposal that change" in page


def test_several_mentors_why_not_priced_by_look_ups_is_always_on_the_page(several_choices, monkeypatch):
    """Where the proposal's engine prices by look-ups in the residual graph (default rules),
    every pair's list is priced on the page whatever the cohort's size."""
    from cli.review_app import views
    from matcher.review import explain

    session, client, _, _ = several_choices
    c, p = session.cohort, session.proposal()
    assert views.prices_are_look_ups(p.engine)
    i = next(int(i) for i in np.flatnonzero(p.pairing.count == 2) if _has_better(p, int(i)))
    small = client.get(url(f"mentee/{c.mentee_ids[i]}")).text
    monkeypatch.setattr(views, "WHY_NOT_INLINE", 0)
    limits, real = [], explain.better_mentors
    monkeypatch.setattr(
        explain, "better_mentors", lambda *a, limit=10: limits.append(limit) or real(*a, limit=limit)
    )
    large = client.get(url(f"mentee/{c.mentee_ids[i]}")).text
    assert limits and set(limits) == {views.BETTER_SEVERAL}  # every list priced
    assert "why-not-show" not in large and large == small


def test_several_mentors_why_not_is_priced_on_demand_on_a_large_cohort(several_choices, monkeypatch):
    """Where a price is a re-solve (rules the residual look-up does not model), above
    WHY_NOT_INLINE pairs a pair's card says how many higher-scoring mentors there are and
    links to its list; the link prices that pair's list only (the same rows as the page
    prices at once on a small cohort)."""
    from cli.review_app import views

    session, client, _, _ = several_choices
    c, p = session.cohort, session.proposal()
    i = next(int(i) for i in np.flatnonzero(p.pairing.count == 2) if _has_better(p, int(i)))
    e_id = c.mentee_ids[i]
    small = client.get(url(f"mentee/{e_id}")).text
    monkeypatch.setattr(views, "WHY_NOT_INLINE", 0)
    monkeypatch.setattr(views, "prices_are_look_ups", lambda engine: False)
    from matcher.review import explain

    limits = []
    real = explain.better_mentors

    def spy(*args, limit=10):
        limits.append(limit)
        return real(*args, limit=limit)

    monkeypatch.setattr(explain, "better_mentors", spy)
    large = client.get(url(f"mentee/{e_id}")).text
    assert limits and set(limits) == {0}  # counted, none priced
    assert 'class="button why-not-show"' in large and "<th>why not</th>" not in large
    mentors = [c.mentor_ids[j] for j in p.pairing.mentors(i)]
    for r_id in mentors:
        section = large.split(f'id="why-not-{r_id}"')
        if len(section) == 1:
            continue
        link = re.search(r'href="([^"]+)">Show why not', section[1]).group(1).replace("&amp;", "&")
        assert link.endswith(f"?why_not={r_id}#why-not-{r_id}")
        shown = client.get(link.split("#")[0]).text
        table = lambda html, r=r_id: html.split(f'id="why-not-{r}"')[1].split("</section>")[0]  # noqa: E731
        assert table(shown) == table(small)  # the same priced rows as on a small cohort
        others = [x for x in mentors if x != r_id and f'id="why-not-{x}"' in shown]
        assert all("why-not-show" in table(shown, x) for x in others)  # only that pair priced


def _has_better(p, i: int) -> bool:
    from matcher.review.explain import better_mentors

    return any(better_mentors(p.result, i, int(j), None, limit=0)[1] for j in p.pairing.mentors(i))


def test_several_pins_in_a_rematch_publish_what_rematch_pin_writes(several, tmp_path):
    """In a re-match, E001 (wants 2) is pinned to two new mentors: both kept pairs give way
    (released, as rematch --pin does), and round 2 is what ``mentor-match rematch --pin``
    writes from the workspace's pins.csv (two rows for E001), byte for byte."""
    session, core, client, mentees = several
    assert client.post(url("publish"), data={"csrf": core.csrf, "version": "0"}).status_code == 303
    assert client.post(url("rematch"), data={"csrf": core.csrf, "version": "1"}).status_code == 303
    c, p = session.cohort, session.proposal()
    i = c.mentee_index("E001")
    own = [c.mentor_ids[j] for j in p.pairing.mentors(i)]
    new = [r for r in c.mentor_ids if r not in own and p.result.problem.allowed[i, c.mentor_index(r)]][:2]
    for r_id in new:
        confirm(client, f"preview?action=add_pin&mentee=E001&mentor={r_id}")
    assert sorted(c.mentor_ids[j] for j in session.proposal().pairing.mentors(i)) == sorted(new)
    round2_published_as_the_command(client, core, session, mentees, tmp_path / "cli", "rematch")
    assert not (session.workspace.path / "responses.csv").exists()  # no approval in this workspace


def round2_published_as_the_command(client, core, session, mentees, out: Path, command: str) -> None:
    """Publish round 2 (a re-match or an approval of round 1) from the app: it is what
    ``mentor-match rematch`` / ``approve`` writes into ``out`` from the workspace's files,
    byte for byte."""
    got = client.post(url("publish"), data={"csrf": core.csrf, "version": str(session.version)})
    assert got.status_code == 303
    ws = session.workspace.path
    answers = (
        ("--failed", ws / "failed.csv") if command == "rematch" else ("--responses", ws / "responses.csv")
    )
    invoke(
        command, "--mentors", ARGS[0], "--mentees", mentees, "--config", ARGS[2],
        "--pairs", ws / "round-1" / "pairs.csv", *answers,
        "--pin", ws / "pins.csv", "--forbid", ws / "forbid.csv", "--capacity", ws / "capacity.csv", "--out", out,
    )  # fmt: skip
    assert files(ws / "round-2") == files(out)


@settings(max_examples=4, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(("add_pin", "add_pin", "unpin_pair", "forbid", "undo")),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
        ),
        min_size=2,
        max_size=5,
    )
)
def test_any_sequence_of_several_pins_publishes_what_match_pin_writes(tmp_path_factory, steps):
    """Pins added and released pair by pair (E001 and E003 want 2 mentors, E005 wants 9),
    forbids and undo, in any order: each refused action changes nothing, and the published
    round is what ``mentor-match match --pin`` writes from the workspace's files, byte for byte."""
    from matcher.api import match_files

    tmp = tmp_path_factory.mktemp("several-pins")
    mentees = several_mentees(tmp)
    session = Session(ARGS[0], mentees, ARGS[2], workspace=tmp / "ws")
    c = session.cohort
    for kind, a, b in steps:
        e = ("E001", "E003", "E005")[a % 3]
        held = session.state.decisions.pinned(e)
        r = held[b % len(held)] if kind == "unpin_pair" and held else c.mentor_ids[b % c.n_mentors]
        entry = {"action": kind, "mentee": e, "mentor": r, "reason": ""}
        if kind == "undo":
            entry = {"action": "undo"}
        elif kind != "forbid":
            del entry["reason"]
        before = session.state.decisions
        try:
            session.undo(session.version) if kind == "undo" else session.act(entry, session.version)
        except WorkspaceError:
            assert session.state.decisions == before  # refused: nothing applied
        wanted = c.mentors_wanted[c.mentee_index(e)]
        assert len(session.state.decisions.pinned(e)) <= wanted
    ws = session.workspace.path
    session.publish(session.version)
    run = match_files(
        ARGS[0], mentees, ARGS[2], pins=ws / "pins.csv", forbid=ws / "forbid.csv",
        capacity=ws / "capacity.csv", out=tmp / "cli",
    )  # fmt: skip
    published = files(ws / "round-1")
    assert {n: b for n, b in run.outputs.items() if n != "timings.json"} == published
