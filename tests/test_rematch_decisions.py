"""``rematch --pin / --forbid / --capacity``: the coordinator's decisions in a re-match.

The review app re-matches with the same decision files as a match, so ``rematch`` reads
them too. Checked here: a pin moves a kept mentee (their old pair released and closed in
the history), a forbidden kept pair is released, a capacity file writes what an edited
mentors file writes, every pair stands within capacity and the rules, and the history
never holds two active pairs for one mentee.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from matcher.api import load, match_files, rematch_files
from matcher.errors import InputError
from tests.conftest import SAMPLE
from tests.io.test_capacity_file import edited_mentors

ARGS = (SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def round1(tmp_path_factory):
    out = tmp_path_factory.mktemp("r1")
    match_files(*ARGS, out=out).publish()
    pairs = {r["mentee_id"]: r["mentor_id"] for r in rows((out / "pairs.csv").read_bytes())}
    return out, pairs


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def active_per_mentee(history: bytes) -> Counter:
    return Counter(r["mentee_id"] for r in rows(history) if r["outcome"] == "active")


def test_a_pin_moves_a_kept_mentee_and_closes_their_old_pair(round1, tmp_path):
    out, pairs = round1
    cohort, _ = load(*ARGS)
    e_fail, r_fail = "E001", pairs["E001"]
    failed = write(tmp_path / "failed.csv", f"mentee_id,mentor_id,reason,note\n{e_fail},{r_fail},care,\n")
    plain = rematch_files(*ARGS, pairs=out / "pairs.csv", failed=failed, out=tmp_path / "plain")
    plain_pairs = {r["mentee_id"]: r["mentor_id"] for r in rows(plain.outputs["pairs.csv"])}
    # pin a working mentee to another mentor that the rules allow for them
    problem = plain.result.problem
    e_move = "E010"
    i = cohort.mentee_index(e_move)
    new = next(
        cohort.mentor_ids[j]
        for j in range(cohort.n_mentors)
        if problem.excluded[i, j] == 0 and cohort.mentor_ids[j] != pairs[e_move] and problem.capacity[j] > 0
    )
    pins = write(tmp_path / "pins.csv", f"mentee_id,mentor_id\n{e_move},{new}\n")
    run = rematch_files(*ARGS, pairs=out / "pairs.csv", failed=failed, pins=pins, out=tmp_path / "r2")
    got = {r["mentee_id"]: (r["mentor_id"], r["status"]) for r in rows(run.outputs["pairs.csv"])}
    assert got[e_move] == (new, "changed")
    changes = {r["mentee_id"]: r for r in rows(run.outputs["changes.csv"])}
    assert changes[e_move]["why"] == "pinned to another mentor by the coordinator"
    history = rows(run.outputs["history.csv"])
    assert {
        (h["outcome"], h["reason"])
        for h in history
        if h["mentee_id"] == e_move and h["mentor_id"] == pairs[e_move]
    } == {("ended", "pinned elsewhere")}
    assert max(active_per_mentee(run.outputs["history.csv"]).values()) == 1
    assert run.result.report.ok  # the independent checker: capacity and every rule hold
    # summary.json counts the coordinator's pins (the solver also pins every kept pair)
    told = json.loads(run.outputs["summary.json"])
    assert told["rules"]["pins"] == 1 and json.loads(plain.outputs["summary.json"])["rules"]["pins"] == 0
    assert len(run.result.problem.pins) > 100  # what summary.json used to call pins
    # the pin costs the programme at most what it costs: never better than without it
    assert run.result.solution.objective <= plain.result.solution.objective
    # every other working pair is kept, except with the pinned mentor when the pin overfilled them
    for e, r in pairs.items():
        if e not in (e_move, e_fail) and r != new:
            assert got[e] == (r, "kept") == (plain_pairs[e], "kept")


def test_a_forbidden_kept_pair_is_released(round1, tmp_path):
    out, pairs = round1
    failed = write(tmp_path / "failed.csv", "mentee_id,mentor_id,reason,note\n")
    forbid = write(tmp_path / "forbid.csv", f"mentee_id,mentor_id,reason\nE005,{pairs['E005']},conflict\n")
    run = rematch_files(*ARGS, pairs=out / "pairs.csv", failed=failed, forbid=forbid, out=tmp_path / "r2")
    got = {r["mentee_id"]: r["mentor_id"] for r in rows(run.outputs["pairs.csv"])}
    assert got.get("E005") != pairs["E005"]
    changes = {r["mentee_id"]: r for r in rows(run.outputs["changes.csv"])}
    assert changes["E005"]["why"] == "pair now breaks a rule (forbidden pair)"
    assert max(active_per_mentee(run.outputs["history.csv"]).values()) == 1


def test_a_pin_that_breaks_a_rule_names_the_pins_file_row(round1, tmp_path):
    out, pairs = round1
    failed = write(tmp_path / "failed.csv", f"mentee_id,mentor_id,reason,note\nE001,{pairs['E001']},,\n")
    pins = write(tmp_path / "pins.csv", f"mentee_id,mentor_id\nE001,{pairs['E001']}\n")  # the failed pair
    with pytest.raises(InputError, match=r"pins.csv, row 2.*the pin breaks the hard rule\(s\): failed"):
        rematch_files(*ARGS, pairs=out / "pairs.csv", failed=failed, pins=pins, out=tmp_path / "r2")


def test_rematch_capacity_file_equals_an_edited_mentors_file(round1, tmp_path):
    out, pairs = round1
    load1 = Counter(pairs.values())
    busy = max(sorted(load1), key=lambda r: load1[r])  # a mentor with several mentees drops to one place
    failed = write(tmp_path / "failed.csv", "mentee_id,mentor_id,reason,note\n")
    cap = write(tmp_path / "capacity.csv", f"mentor_id,capacity,reason\n{busy},1,fewer hours\n")
    a = rematch_files(*ARGS, pairs=out / "pairs.csv", failed=failed, capacity=cap, out=tmp_path / "a")
    edited = edited_mentors(tmp_path, {busy: 1})
    b = rematch_files(edited, *ARGS[1:], pairs=out / "pairs.csv", failed=failed, out=tmp_path / "b")
    skip = {"timings.json"}
    assert {n: d for n, d in a.outputs.items() if n not in skip} == {
        n: d for n, d in b.outputs.items() if n not in skip
    }
    got = Counter(r["mentor_id"] for r in rows(a.outputs["pairs.csv"]))
    assert got[busy] == 1
    # the mentees moved off the mentor whose capacity dropped have their old pair closed
    history = rows(a.outputs["history.csv"])
    moved = [
        e
        for e, r in pairs.items()
        if r == busy
        and e not in {x["mentee_id"] for x in rows(a.outputs["pairs.csv"]) if x["mentor_id"] == busy}
    ]
    assert moved
    for e in moved:
        old = [h for h in history if h["mentee_id"] == e and h["mentor_id"] == busy]
        assert [(h["outcome"], h["reason"]) for h in old] == [("ended", "capacity dropped")]
    assert max(active_per_mentee(a.outputs["history.csv"]).values()) == 1
