"""mentor-match approve: declined pairs are never proposed again, accepted and unanswered
pairs stay exactly, the declined mentees are re-matched as rematch would, and every
problem in the responses file is reported at once with nothing written."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from cli.main import cli
from tests.conftest import SAMPLE

BASE = ["--mentors", SAMPLE / "mentors.csv", "--mentees", SAMPLE / "mentees.csv"]


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _pairs(folder):
    rows = csv.DictReader((folder / "pairs.csv").read_text(encoding="utf-8-sig").splitlines())
    return {r["mentee_id"]: r["mentor_id"] for r in rows}


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_declines_are_re_matched_like_rematch_and_the_rest_stays(tmp_path):
    assert _invoke("match", *BASE, "--out", tmp_path / "r1", "--alternatives", 0).exit_code == 0
    first = _pairs(tmp_path / "r1")
    (e1, r1), (e2, r2), (e3, r3) = list(first.items())[:3]
    responses = _write(
        tmp_path / "responses.csv",
        f"mentor_id,mentee_id,response,note\n{r1},{e1},Decline,too busy\n{r2},{e2},accept,\n{r3},{e3},decline,\n",
    )
    res = _invoke(
        "approve",
        *BASE,
        "--pairs",
        tmp_path / "r1" / "pairs.csv",
        "--responses",
        responses,
        "--out",
        tmp_path / "r2",
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("1 accepted, 2 declined; round 2:")
    after = _pairs(tmp_path / "r2")
    assert after.get(e1) != r1 and after.get(e3) != r3  # never the declined pair
    assert all(after[e] == r for e, r in first.items() if e not in (e1, e3))  # the rest stays
    # the same re-match as rematch with those pairs failed
    failed = _write(tmp_path / "failed.csv", f"mentee_id,mentor_id,reason,note\n{e1},{r1},,\n{e3},{r3},,\n")
    again = _invoke(
        "rematch",
        *BASE,
        "--pairs",
        tmp_path / "r1" / "pairs.csv",
        "--failed",
        failed,
        "--out",
        tmp_path / "r3",
    )
    assert again.exit_code == 0, again.output
    assert _pairs(tmp_path / "r3") == after
    # the approval says it is one (the re-match does not): summary.json and the report
    approved = json.loads((tmp_path / "r2" / "summary.json").read_text(encoding="utf-8"))
    rematched = json.loads((tmp_path / "r3" / "summary.json").read_text(encoding="utf-8"))
    assert approved["approval"] == {"accepted": 1, "declined": 2} and "approval" not in rematched
    assert approved["failed"] == rematched["failed"] == 2
    report = (tmp_path / "r2" / "report.html").read_text(encoding="utf-8")
    assert "<b>Mentor approval, round 2:</b> accepted 1, declined 2; kept " in report
    assert "Rematch, round" not in report and "failed 2" not in report.split("Mentor approval")[1][:200]
    assert "<b>Rematch, round 2:</b>" in (tmp_path / "r3" / "report.html").read_text(encoding="utf-8")
    history = (tmp_path / "r2" / "history.csv").read_text(encoding="utf-8-sig")
    assert f"1,{e1},{r1},failed,declined,2" in history
    # a later round never proposes a declined pair again (history beside --pairs)
    responses2 = _write(tmp_path / "responses2.csv", "mentor_id,mentee_id,response,note\n")
    res = _invoke(
        "approve",
        *BASE,
        "--pairs",
        tmp_path / "r2" / "pairs.csv",
        "--responses",
        responses2,
        "--out",
        tmp_path / "r4",
    )
    assert res.exit_code == 0, res.output
    assert _pairs(tmp_path / "r4") == after


def test_every_problem_in_the_responses_is_reported_at_once_and_nothing_written(tmp_path):
    assert _invoke("match", *BASE, "--out", tmp_path / "r1", "--alternatives", 0).exit_code == 0
    (e1, r1), (e2, r2) = list(_pairs(tmp_path / "r1").items())[:2]
    responses = _write(
        tmp_path / "responses.csv",
        "mentor_id,mentee_id,response,note\n"
        f"{r1},{e1},maybe,\n"  # not a response
        f"R999,{e2},accept,\n"  # no such mentor in any proposed pair
        f"{r2},{e2},accept,\n"
        f"{r2},{e2},decline,\n"  # answered both ways
        f"{r1},E999,accept,\n"  # no such mentee
        f"{r1},{e2},accept,\n",  # both known, not a proposed pair
    )
    res = _invoke(
        "approve",
        *BASE,
        "--pairs",
        tmp_path / "r1" / "pairs.csv",
        "--responses",
        responses,
        "--out",
        tmp_path / "r2",
    )
    assert res.exit_code != 0
    assert "5 problems in the input" in res.output
    assert (
        "responses.csv, row 2, column 'response', value 'maybe': is not a response" in res.output
    )  # a non-committal answer, nobody's private text: shown (a name would be hidden)
    assert (
        "responses.csv, row 3, column 'mentor_id', value 'R999': is not a mentor of any proposed pair"
        in res.output
    )
    assert (
        "responses.csv, row 6, column 'mentee_id', value 'E999': is not a mentee of any proposed pair"
        in res.output
    )
    assert (
        f"responses.csv, row 7, column 'mentee_id, mentor_id', value '{e2} → {r1}': this pair was not proposed"
        in res.output
    )
    assert (
        "responses.csv, row 5, column 'response', value 'decline': this pair is answered both" in res.output
    )
    assert not (tmp_path / "r2").exists()


def test_the_rounds_pins_forbids_and_capacities_hold_as_in_rematch(tmp_path):
    assert _invoke("match", *BASE, "--out", tmp_path / "r1", "--alternatives", 0).exit_code == 0
    first = _pairs(tmp_path / "r1")
    (e1, r1), (e2, r2) = list(first.items())[:2]
    responses = _write(tmp_path / "responses.csv", f"mentor_id,mentee_id,response,note\n{r1},{e1},decline,\n")

    def approve(out, *files):
        res = _invoke(*_approve(tmp_path, responses, out), *files)
        assert res.exit_code == 0, res.output
        return _pairs(out)

    given = approve(tmp_path / "plain")[e1]  # where the declined mentee goes without decisions
    load = sum(r == given for r in first.values())
    capacity = _write(tmp_path / "capacity.csv", f"mentor_id,capacity,reason\n{given},{load},full\n")
    second = approve(tmp_path / "cap", "--capacity", capacity)[e1]
    assert second not in (r1, given)  # no free place with that mentor any more
    forbid = _write(tmp_path / "forbid.csv", f"mentee_id,mentor_id,reason\n{e1},{second},conflict\n")
    pins = _write(tmp_path / "pins.csv", f"mentee_id,mentor_id\n{e2},{r2}\n")
    files = ["--capacity", capacity, "--forbid", forbid, "--pin", pins]
    after = approve(tmp_path / "a", *files)
    assert after.get(e1) not in (r1, given, second) and after[e2] == r2
    assert all(after[e] == r for e, r in first.items() if e != e1)  # the rest stays
    # exactly what rematch gives with the declined pair failed and the same decisions
    failed = _write(tmp_path / "failed.csv", f"mentee_id,mentor_id,reason,note\n{e1},{r1},,\n")
    res = _invoke(
        "rematch",
        *BASE,
        "--pairs",
        tmp_path / "r1" / "pairs.csv",
        "--failed",
        failed,
        "--out",
        tmp_path / "b",
        *files,
    )
    assert res.exit_code == 0, res.output
    assert _pairs(tmp_path / "b") == after


def _approve(tmp_path, responses, out):
    return (
        "approve",
        *BASE,
        "--pairs",
        tmp_path / "r1" / "pairs.csv",
        "--responses",
        responses,
        "--out",
        out,
    )
