"""Hard rules, pins, forbidden pairs, the side rules (department spread, mentor minimum,
fair objective), the two engines, and the unmatched diagnosis — each on a tiny
hand-made cohort whose right answer can be worked out by hand or by brute force.

Oracles here share no code with the solvers: exclusions are spelled out pair by pair,
time-zone gaps are recomputed with ``zoneinfo``, and optimality is checked by
enumerating every assignment and maximising ``matcher.solve.problem.total_objective``.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import random
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st

from cli.main import cli
from matcher.api import build_problem, load, match, side_rules, solve
from matcher.errors import InfeasibleError, InputError
from matcher.io.config import Config
from matcher.solve.problem import score_units, total_objective
from matcher.solve.rules import RULES
from scoring.combine import score_cohort
from tests.conftest import PastCoverage, write_csv

OUTPUTS = {"pairs.csv", "unmatched.csv", "summary.json", "timings.json"}

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def write_config(folder: Path, text: str | None) -> Path | None:
    if text is None:
        return None
    path = folder / "programme.toml"
    path.write_text(text, encoding="utf-8")
    return path


def api_match(cohort_files, tmp_path, mentors, mentees, config: str | None = None, **kw):
    m, e = cohort_files(mentors, mentees)
    cohort, cfg = load(m, e, write_config(tmp_path, config))
    return match(cohort, cfg, **kw)


def run_cli(cohort_files, tmp_path, mentors, mentees, config=None, pins=None, forbid=None, extra=()):
    """Run ``mentor-match match`` on the rows; pins/forbid are lists of rows (lists)."""
    m, e = cohort_files(mentors, mentees)
    args = ["match", "--mentors", m, "--mentees", e, "--out", tmp_path / "out"]
    cfg = write_config(tmp_path, config)
    if cfg is not None:
        args += ["--config", cfg]
    if pins is not None:
        path = tmp_path / "pins.csv"
        write_csv(path, [dict(zip(["mentee_id", "mentor_id"], r, strict=True)) for r in pins])
        args += ["--pin", path]
    if forbid is not None:
        path = tmp_path / "forbid.csv"
        header = ["mentee_id", "mentor_id", "reason"]
        write_csv(path, [dict(zip(header, r, strict=True)) for r in forbid], header=header)
        args += ["--forbid", path]
    result = CliRunner().invoke(cli, [str(a) for a in [*args, *extra]], prog_name="mentor-match")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return PastCoverage(result)


def out_rows(tmp_path: Path, name: str) -> list[dict]:
    with open(tmp_path / "out" / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def out_pairs(tmp_path: Path) -> dict[str, str]:
    return {r["mentee_id"]: r["mentor_id"] for r in out_rows(tmp_path, "pairs.csv")}


def out_unmatched(tmp_path: Path) -> dict[str, str]:
    return {r["mentee_id"]: r["reason"] for r in out_rows(tmp_path, "unmatched.csv")}


def out_summary(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))


def assert_failed_cleanly(result, tmp_path: Path) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()  # nothing written


def pairs_of(result) -> dict[str, str]:
    """{mentee id: mentor id} of an API result."""
    c, m = result.cohort, result.solution.mentor_of
    return {c.mentee_ids[i]: c.mentor_ids[m[i]] for i in range(c.n_mentees) if m[i] >= 0}


def excluded_by(result, rule: str) -> set[tuple[str, str]]:
    """(mentee id, mentor id) pairs carrying ``rule``'s exclusion bit."""
    c = result.cohort
    bit = RULES[rule].bit
    i, j = np.nonzero((result.problem.excluded >> bit) & 1)
    return {(c.mentee_ids[a], c.mentor_ids[b]) for a, b in zip(i, j, strict=True)}


def any_excluded(result) -> set[tuple[str, str]]:
    c = result.cohort
    i, j = np.nonzero(result.problem.excluded)
    return {(c.mentee_ids[a], c.mentor_ids[b]) for a, b in zip(i, j, strict=True)}


def assert_respected(result, forbidden_pairs=()) -> None:
    """No matched pair is excluded by any rule, and capacity holds — checked without the checker."""
    pairs = set(pairs_of(result).items())
    pins = {(result.cohort.mentee_ids[i], result.cohort.mentor_ids[j]) for i, j in result.problem.pins}
    assert not (pairs - pins) & any_excluded(result)
    assert not pairs & set(forbidden_pairs)
    m = result.solution.mentor_of
    load = np.bincount(m[m >= 0], minlength=result.cohort.n_mentors)
    assert (load <= result.cohort.capacity).all()
    assert result.report.ok


TZ_INSTANTS = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))


def tz_gap(a: str, b: str) -> float:
    """Clock difference in hours on 15 January and 15 July, the larger, on a 24 h circle."""
    gaps = []
    for t in TZ_INSTANTS:
        d = abs(
            (t.astimezone(ZoneInfo(a)).utcoffset() - t.astimezone(ZoneInfo(b)).utcoffset()).total_seconds()
        )
        d /= 3600.0
        gaps.append(min(d, 24.0 - d))
    return max(gaps)


# ---------------------------------------------------------------------------
# Brute-force oracle for the side rules
# ---------------------------------------------------------------------------


def brute_force(problem, *, departments=None, max_same=None, minimum=0, fair=False):
    """Best assignment by enumeration: capacity, exclusions, eligibility, pins, department
    spread and mentor minimum. Key: total_objective, or for fair mode (matched, lowest
    score units, total_objective). Returns (key, mentor_of) or None if nothing is feasible."""
    n_e, n_r = problem.shape
    pinned = dict(problem.pins)
    cap = [int(c) for c in problem.capacity]
    need = [min(minimum, c) if c >= 1 else 0 for c in cap]
    options = []
    for i in range(n_e):
        if i in pinned:
            options.append([pinned[i]])
        else:
            ok = [j for j in range(n_r) if problem.excluded[i, j] == 0 and problem.eligible[i]]
            options.append([-1, *ok])
    units = score_units(problem.score)
    best = None
    for combo in itertools.product(*options):
        load = [0] * n_r
        groups: dict[tuple[int, int], int] = {}
        for i, j in enumerate(combo):
            if j >= 0:
                load[j] += 1
                if max_same is not None and departments[i] >= 0:
                    groups[(j, departments[i])] = groups.get((j, departments[i]), 0) + 1
        if any(load[j] > cap[j] or load[j] < need[j] for j in range(n_r)):
            continue
        if max_same is not None and any(v > max_same for v in groups.values()):
            continue
        arr = np.array(combo, dtype=np.int64)
        total = total_objective(problem, arr)
        if fair:
            matched = [(i, j) for i, j in enumerate(combo) if j >= 0]
            lowest = min((int(units[i, j]) for i, j in matched), default=10**9)
            key = (len(matched), lowest, total)
        else:
            key = total
        if best is None or key > best[0]:
            best = (key, arr)
    return best


DEPTS = ["Sales", "IT", "HR"]


def random_rows(rng: random.Random, n_r: int, n_e: int, caps=(0, 1, 1, 2, 2, 3), avoid_p=0.15):
    """A small random cohort with varied scores (style, care, challenge, wants, readiness)."""
    mentors = [
        {
            "id": f"R{j + 1}",
            "capacity": rng.choice(caps),
            "department": rng.choice(DEPTS),
            "style_structure": rng.randint(1, 5),
            "style_pace": rng.randint(1, 5),
            "care": rng.randint(1, 5),
            "challenge": rng.randint(1, 5),
        }
        for j in range(n_r)
    ]
    if not any(m["capacity"] for m in mentors):
        mentors[0]["capacity"] = 1
    mentees = [
        {
            "id": f"E{i + 1}",
            "department": rng.choice([*DEPTS, "Sales", ""]),
            "style_structure": rng.randint(1, 5),
            "style_pace": rng.randint(1, 5),
            "want_care": rng.randint(1, 5),
            "want_compatibility": rng.randint(1, 5),
            "want_challenge": rng.randint(1, 5),
            "ready_open": rng.choice([3, 4, 5]),
            "ready_committed": rng.randint(1, 5),
            "avoid": ";".join(m["id"] for m in mentors if rng.random() < avoid_p),
        }
        for i in range(n_e)
    ]
    return mentors, mentees


def load_rows(folder: Path, mentors, mentees, config: str | None = None):
    m = write_csv(folder / "mentors.csv", mentors)
    e = write_csv(folder / "mentees.csv", mentees)
    return load(m, e, write_config(folder, config))


def with_engine(config, engine: str):
    return dataclasses.replace(config, solver=dataclasses.replace(config.solver, engine=engine))


# ---------------------------------------------------------------------------
# 1. Each hard rule excludes exactly the right pairs, and the solver respects it
# ---------------------------------------------------------------------------


def test_avoid_works_from_both_sides(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1, "avoid": ""}, {"id": "R2", "capacity": 1, "avoid": "E2"}]
    mentees = [{"id": "E1", "avoid": "R1"}, {"id": "E2", "avoid": ""}]
    result = api_match(cohort_files, tmp_path, mentors, mentees)
    assert excluded_by(result, "avoid") == {("E1", "R1"), ("E2", "R2")}
    assert any_excluded(result) == {("E1", "R1"), ("E2", "R2")}
    assert pairs_of(result) == {"E1": "R2", "E2": "R1"}  # the only full pairing left
    assert "avoid" in result.rules_applied


def test_avoid_listed_only_in_the_mentors_file(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 2, "avoid": "E1;E3"}, {"id": "R2", "capacity": 2, "avoid": ""}]
    mentees = [{"id": "E1"}, {"id": "E2"}, {"id": "E3"}]
    result = api_match(cohort_files, tmp_path, mentors, mentees)
    assert excluded_by(result, "avoid") == {("E1", "R1"), ("E3", "R1")}
    assert pairs_of(result) == {"E1": "R2", "E2": "R1", "E3": "R2"}


def test_language_needs_one_shared_language_when_both_give_any(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "languages": "English"},
        {"id": "R2", "capacity": 1, "languages": "French; Spanish"},
        {"id": "R3", "capacity": 1, "languages": ""},  # blank: neutral, never excluded
    ]
    mentees = [
        {"id": "E1", "languages": "German"},
        {"id": "E2", "languages": "english"},  # case does not matter
        {"id": "E3", "languages": "Spanish;English"},
        {"id": "E4", "languages": ""},
    ]
    result = api_match(cohort_files, tmp_path, mentors, mentees)
    assert excluded_by(result, "language") == {("E1", "R1"), ("E1", "R2"), ("E2", "R2")}
    assert any_excluded(result) == excluded_by(result, "language")
    got = pairs_of(result)
    assert got["E1"] == "R3"  # forced: E1 shares no language with R1 or R2
    assert got.get("E2") in (None, "R1")
    assert len(got) == 3
    assert_respected(result)


def test_mode_in_person_never_meets_virtual(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "mode": "in_person"},
        {"id": "R2", "capacity": 1, "mode": "virtual"},
        {"id": "R3", "capacity": 0, "mode": "either"},
        {"id": "R4", "capacity": 0, "mode": ""},
    ]
    mentees = [
        {"id": "E1", "mode": "In person"},
        {"id": "E2", "mode": "virtual"},
        {"id": "E3", "mode": "either"},
        {"id": "E4", "mode": ""},
    ]
    result = api_match(cohort_files, tmp_path, mentors, mentees)
    assert excluded_by(result, "mode") == {("E1", "R2"), ("E2", "R1")}
    assert any_excluded(result) == {("E1", "R2"), ("E2", "R1")}
    assert "location" not in result.rules_applied  # no location column
    assert_respected(result)
    got = pairs_of(result)
    assert got.get("E1") in (None, "R1") and got.get("E2") in (None, "R2")


def test_location_matters_only_for_in_person_pairs(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "mode": "in_person", "location": "London"},
        {"id": "R2", "capacity": 1, "mode": "either", "location": "Leeds"},
        {"id": "R3", "capacity": 1, "mode": "virtual", "location": "Paris"},
        {"id": "R4", "capacity": 1, "mode": "either", "location": "London"},
    ]
    mentees = [
        {"id": "E1", "mode": "in_person", "location": "leeds"},
        {"id": "E2", "mode": "either", "location": "London"},
        {"id": "E3", "mode": "virtual", "location": "Leeds"},
        {"id": "E4", "mode": "either", "location": "Paris"},
        {"id": "E5", "mode": "in_person", "location": ""},
    ]
    result = api_match(cohort_files, tmp_path, mentors, mentees)
    # in person = one says in_person and the other in_person or either; either+either is not
    assert excluded_by(result, "location") == {("E1", "R1"), ("E1", "R4"), ("E4", "R1")}
    assert excluded_by(result, "mode") == {("E1", "R3"), ("E3", "R1"), ("E5", "R3")}
    assert pairs_of(result).get("E1") in (None, "R2")  # E1's only possible mentor
    assert len(pairs_of(result)) == 4
    assert_respected(result)


TIMEZONE_MENTORS = ["Europe/London", "America/New_York", "Asia/Tokyo", "Asia/Kolkata"]
TIMEZONE_MENTEES = ["Europe/Paris", "Asia/Tokyo", "America/Los_Angeles", "Australia/Sydney"]


def test_timezone_reference_gaps_from_zoneinfo():
    assert tz_gap("Europe/London", "Asia/Tokyo") == 9.0  # 9 h in January, 8 h in July
    assert tz_gap("America/New_York", "Asia/Tokyo") == 11.0  # 14 h / 13 h apart = 10 / 11 round the clock
    assert tz_gap("Asia/Kolkata", "Europe/London") == 5.5
    assert tz_gap("Europe/London", "Australia/Sydney") == 11.0


@pytest.mark.parametrize("max_gap", [None, 9, 5.5, 0])
def test_timezone_excludes_pairs_further_apart_than_the_limit(cohort_files, tmp_path, max_gap):
    mentors = [{"id": f"R{k + 1}", "capacity": 1, "timezone": tz} for k, tz in enumerate(TIMEZONE_MENTORS)]
    mentees = [{"id": f"E{k + 1}", "timezone": tz} for k, tz in enumerate(TIMEZONE_MENTEES)]
    config = None if max_gap is None else f"[rules]\nmax_timezone_gap_hours = {max_gap}\n"
    result = api_match(cohort_files, tmp_path, mentors, mentees, config)
    limit = 6 if max_gap is None else max_gap
    expected = {
        (e["id"], r["id"]) for e in mentees for r in mentors if tz_gap(e["timezone"], r["timezone"]) > limit
    }
    assert excluded_by(result, "timezone") == expected
    if max_gap is None:  # spelled out once by hand
        # Paris: London 1 h, New York 6 h (allowed: not more than 6), Tokyo 8 h, Kolkata 4.5 h
        assert {r for e, r in expected if e == "E1"} == {"R3"}
    assert_respected(result)


def test_timezone_default_limit_six_hours_is_inclusive(cohort_files, tmp_path):
    # Paris–New York is exactly 6 h all year: allowed at the default limit of 6.
    assert tz_gap("Europe/Paris", "America/New_York") == 6.0
    mentors = [{"id": "R1", "capacity": 1, "timezone": "America/New_York"}]
    mentees = [{"id": "E1", "timezone": "Europe/Paris"}]
    result = api_match(cohort_files, tmp_path, mentors, mentees)
    assert pairs_of(result) == {"E1": "R1"}
    result = api_match(cohort_files, tmp_path, mentors, mentees, "[rules]\nmax_timezone_gap_hours = 5.9\n")
    assert pairs_of(result) == {}
    assert excluded_by(result, "timezone") == {("E1", "R1")}


SENIORITY_MENTORS = [
    {"id": "R1", "capacity": 2, "seniority": 1},
    {"id": "R2", "capacity": 2, "seniority": 3},
    {"id": "R3", "capacity": 2, "seniority": 5},
    {"id": "R4", "capacity": 0, "seniority": ""},
]
SENIORITY_MENTEES = [
    {"id": "E1", "seniority": 1},
    {"id": "E2", "seniority": 3},
    {"id": "E3", "seniority": ""},
]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("", {("E1", "R1"), ("E2", "R1"), ("E2", "R2")}),  # default mentor_senior: mentor must be above
        ('seniority = "mentor_senior"', {("E1", "R1"), ("E2", "R1"), ("E2", "R2")}),
        ('seniority = "any"', set()),
        (
            'seniority = "mentee_senior"',
            {("E1", "R1"), ("E1", "R2"), ("E1", "R3"), ("E2", "R2"), ("E2", "R3")},
        ),
        (
            'seniority = "mentor_senior"\nseniority_gap = [1, 2]',  # gap r − e in 1..2
            {("E1", "R1"), ("E1", "R3"), ("E2", "R1"), ("E2", "R2")},
        ),
        (
            'seniority = "any"\nseniority_gap = [0, 1]',  # |gap| ≤ 1
            {("E1", "R2"), ("E1", "R3"), ("E2", "R1"), ("E2", "R3")},
        ),
        (
            'seniority = "mentee_senior"\nseniority_gap = [1, 2]',  # e − r in 1..2: only E2–R1
            {("E1", "R1"), ("E1", "R2"), ("E1", "R3"), ("E2", "R2"), ("E2", "R3")},
        ),
        (
            'seniority = "mentee_senior"\nseniority_gap = [3, 4]',  # E2–R1 (gap 2) is now too close
            {("E1", "R1"), ("E1", "R2"), ("E1", "R3"), ("E2", "R1"), ("E2", "R2"), ("E2", "R3")},
        ),
    ],
)
def test_seniority_rule_and_gap(cohort_files, tmp_path, rules, expected):
    result = api_match(
        cohort_files, tmp_path, SENIORITY_MENTORS, SENIORITY_MENTEES, "[rules]\n" + rules + "\n"
    )
    assert excluded_by(result, "seniority") == expected  # blank seniority (E3, R4) never judged
    assert any_excluded(result) == expected
    assert_respected(result)
    matchable = {e["id"] for e in SENIORITY_MENTEES} - {
        e for e in ("E1", "E2") if all((e, r) in expected for r in ("R1", "R2", "R3"))
    }
    assert set(pairs_of(result)) == matchable


def _department_rows():
    mentors = [
        {"id": "R1", "capacity": 1, "department": "Sales", "care": 5},
        {"id": "R2", "capacity": 1, "department": "IT", "care": 1},
    ]
    mentees = [{"id": "E1", "department": "sales", "want_care": 5, "want_contrast": 1}]
    return mentors, mentees


def test_same_department_allow_penalise_forbid(cohort_files, tmp_path):
    mentors, mentees = _department_rows()
    allow = api_match(cohort_files, tmp_path, mentors, mentees, '[rules]\nsame_department = "allow"\n')
    # contrast 0 × 1 and care 1 × 5 → 83.33 with R1; contrast 1 × 1, care 0 × 5 → 16.67 with R2
    assert allow.scores.score.tolist() == [[83.33, 16.67]]
    assert "department" not in allow.rules_applied
    assert pairs_of(allow) == {"E1": "R1"}

    pen = api_match(
        cohort_files,
        tmp_path,
        mentors,
        mentees,
        '[rules]\nsame_department = "penalise"\ndepartment_penalty = 70\n',
    )
    assert pen.scores.score.tolist() == [[13.33, 16.67]]  # only the same-department pair loses 70
    assert any_excluded(pen) == set()
    assert pairs_of(pen) == {"E1": "R2"}  # the penalty changes the pairing

    forbid = api_match(cohort_files, tmp_path, mentors, mentees, '[rules]\nsame_department = "forbid"\n')
    assert excluded_by(forbid, "department") == {("E1", "R1")}
    assert forbid.scores.score.tolist() == allow.scores.score.tolist()
    assert pairs_of(forbid) == {"E1": "R2"}


def test_department_penalty_lowers_exactly_the_same_department_pairs(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "department": "Sales", "care": 3, "style_pace": 2},
        {"id": "R2", "capacity": 1, "department": "IT", "care": 4, "style_pace": 5},
        {"id": "R3", "capacity": 1, "department": "", "care": 5, "style_pace": 1},
    ]
    mentees = [
        {"id": "E1", "department": "Sales", "style_pace": 3},
        {"id": "E2", "department": "IT", "style_pace": 4},
        {"id": "E3", "department": "", "style_pace": 1},
    ]
    allow = api_match(cohort_files, tmp_path, mentors, mentees)
    pen = api_match(
        cohort_files,
        tmp_path,
        mentors,
        mentees,
        '[rules]\nsame_department = "penalise"\ndepartment_penalty = 7.5\n',
    )
    diff = np.round(allow.scores.score - pen.scores.score, 2)
    same = np.zeros((3, 3))
    same[0, 0] = same[1, 1] = 7.5  # blank departments are never "the same"
    assert diff.tolist() == same.tolist()
    assert "department" not in pen.rules_applied


REPORTING_MENTORS = [
    {"id": "R1", "capacity": 1, "manager_id": "R2"},
    {"id": "R2", "capacity": 1, "manager_id": ""},
    {"id": "R3", "capacity": 1, "manager_id": ""},
]
REPORTING_MENTEES = [
    {"id": "E1", "manager_id": "R1"},  # R1 is the manager, R2 the manager's manager
    {"id": "E2", "manager_id": "E3"},  # the chain runs through another mentee up to R3
    {"id": "E3", "manager_id": "R3"},
]


def test_reporting_line_forbids_manager_and_managers_manager(cohort_files, tmp_path):
    result = api_match(cohort_files, tmp_path, REPORTING_MENTORS, REPORTING_MENTEES)
    assert "reporting_line" in result.rules_applied
    assert excluded_by(result, "reporting_line") == {("E1", "R1"), ("E1", "R2"), ("E2", "R3"), ("E3", "R3")}
    assert any_excluded(result) == excluded_by(result, "reporting_line")
    got = pairs_of(result)
    assert got["E1"] == "R3"  # the only mentor outside E1's chain
    assert {got["E2"], got["E3"]} == {"R1", "R2"}
    assert_respected(result)


def test_reporting_line_can_be_turned_off(cohort_files, tmp_path):
    result = api_match(
        cohort_files,
        tmp_path,
        REPORTING_MENTORS,
        REPORTING_MENTEES,
        "[rules]\nforbid_reporting_line = false\n",
    )
    assert "reporting_line" not in result.rules_applied
    assert any_excluded(result) == set()
    assert len(pairs_of(result)) == 3
    on = api_match(
        cohort_files,
        tmp_path,
        REPORTING_MENTORS,
        REPORTING_MENTEES,
        "[rules]\nforbid_reporting_line = true\n",
    )
    assert len(excluded_by(on, "reporting_line")) == 4


CARE_MENTORS = [
    {"id": "R1", "capacity": 1, "care": 1},  # every pair with R1 scores 0
    {"id": "R2", "capacity": 1, "care": 3},  # 50
    {"id": "R3", "capacity": 1, "care": 5},  # 100
]
CARE_MENTEES = [{"id": "E1"}, {"id": "E2"}, {"id": "E3"}]


@pytest.mark.parametrize(
    ("min_score", "excluded_mentors"),
    [(0, set()), (40, {"R1"}), (50, {"R1"}), (50.01, {"R1", "R2"}), (100, {"R1", "R2"})],
)
def test_min_score_excludes_pairs_below_the_threshold(cohort_files, tmp_path, min_score, excluded_mentors):
    result = api_match(
        cohort_files, tmp_path, CARE_MENTORS, CARE_MENTEES, f"[rules]\nmin_score = {min_score}\n"
    )
    assert result.scores.score.tolist() == [[0.0, 50.0, 100.0]] * 3
    expected = {(e["id"], r) for e in CARE_MENTEES for r in excluded_mentors}
    assert excluded_by(result, "min_score") == expected
    assert ("min_score" in result.rules_applied) == (min_score > 0)
    assert_respected(result)
    assert len(pairs_of(result)) == 3 - len(excluded_mentors)
    assert not set(pairs_of(result).values()) & excluded_mentors


def test_min_readiness_lists_mentee_as_needing_preparation(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 2}]
    mentees = [
        {"id": "E1", "ready_open": 1, "ready_committed": 1},  # readiness 0.00
        {"id": "E2", "ready_open": 5, "ready_committed": 4},  # readiness 0.875
    ]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_readiness = 0.5\n")
    assert result.exit_code == 0, result.output
    assert out_pairs(tmp_path) == {"E2": "R1"}  # R1 had room: E1 is left out on readiness alone
    assert out_unmatched(tmp_path) == {
        "E1": "readiness 0.00 below min_readiness 0.50: needs a preparation step first"
    }
    assert out_summary(tmp_path)["below_min_readiness"] == 1
    # a pin cannot override min_readiness either
    shutil.rmtree(tmp_path / "out")
    result = run_cli(
        cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_readiness = 0.5\n", pins=[["E1", "R1"]]
    )
    assert_failed_cleanly(result, tmp_path)
    assert (
        "pins.csv, row 2, value 'E1 → R1': the mentee's readiness 0.00 is below min_readiness"
        " — remove the pin or lower min_readiness"
    ) in result.stderr


# ---------------------------------------------------------------------------
# 2. Pins
# ---------------------------------------------------------------------------

PIN_MENTORS = [{"id": "R1", "capacity": 1, "care": 5}, {"id": "R2", "capacity": 1, "care": 3}]
PIN_MENTEES = [
    {"id": "E1", "ready_open": 5},
    {"id": "E2", "ready_open": 5},
    {"id": "E3", "ready_open": 1},  # lowest readiness: left out unless pinned
]


def test_cli_pin_is_honoured_and_uses_capacity(cohort_files, tmp_path):
    result = run_cli(cohort_files, tmp_path, PIN_MENTORS, PIN_MENTEES)
    assert result.exit_code == 0, result.output
    assert set(out_pairs(tmp_path)) == {"E1", "E2"}  # readiness first: E3 unmatched

    result = run_cli(cohort_files, tmp_path, PIN_MENTORS, PIN_MENTEES, pins=[["E3", "R1"]])
    assert result.exit_code == 0, result.output
    pairs = out_pairs(tmp_path)
    assert pairs["E3"] == "R1"
    assert list(pairs.values()).count("R1") == 1  # the pin used R1's only place
    assert len(pairs) == 2
    (left,) = set(out_unmatched(tmp_path))
    assert left in ("E1", "E2")
    assert out_unmatched(tmp_path)[left] == "all 2 feasible mentors are full"
    assert out_summary(tmp_path)["rules"]["pins"] == 1


def test_api_pin_is_honoured_and_uses_capacity(cohort_files, tmp_path):
    m, e = cohort_files(PIN_MENTORS, PIN_MENTEES)
    cohort, config = load(m, e)
    e3, r1 = cohort.mentee_index("E3"), cohort.mentor_index("R1")
    result = match(cohort, config, pins=[(e3, r1)])
    assert result.solution.mentor_of[e3] == r1
    assert pairs_of(result)["E3"] == "R1"
    assert list(pairs_of(result).values()).count("R1") == 1
    assert result.problem.pins == ((e3, r1),)
    assert_respected(result)


def test_cli_pin_breaking_a_hard_rule_names_the_rules(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "avoid": "E1", "seniority": 1},
        {"id": "R2", "capacity": 1, "avoid": "", "seniority": 5},
    ]
    mentees = [{"id": "E1", "seniority": 3}, {"id": "E2", "seniority": 1}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, pins=[["E1", "R1"]])
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr == (
        "Error: 1 problem in the input:\n"
        "  pins.csv, row 2, value 'E1 → R1': the pin breaks the hard rule(s): avoid (avoid list), "
        "seniority (seniority) — remove the pin, or change the data or [rules] that forbid it\n"
    )


def test_cli_pin_in_the_reporting_line_is_refused(cohort_files, tmp_path):
    result = run_cli(cohort_files, tmp_path, REPORTING_MENTORS, REPORTING_MENTEES, pins=[["E1", "R2"]])
    assert_failed_cleanly(result, tmp_path)
    assert (
        "value 'E1 → R2': the pin breaks the hard rule(s): reporting_line (reporting line)" in result.stderr
    )


def test_cli_pin_on_a_forbidden_pair_is_refused(cohort_files, tmp_path):
    result = run_cli(
        cohort_files,
        tmp_path,
        PIN_MENTORS,
        PIN_MENTEES,
        pins=[["E1", "R1"]],
        forbid=[["E1", "R1", "conflict"]],
    )
    assert_failed_cleanly(result, tmp_path)
    assert "the pin breaks the hard rule(s): forbid (forbidden pair)" in result.stderr


def test_cli_two_pins_for_one_mentee(cohort_files, tmp_path):
    result = run_cli(cohort_files, tmp_path, PIN_MENTORS, PIN_MENTEES, pins=[["E1", "R1"], ["E1", "R2"]])
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr == (
        "Error: 1 problem in the input:\n"
        "  pins.csv, row 3, column 'mentee_id', value 'E1': this mentee is pinned twice (also row 2)"
        " — keep one pin per mentee\n"
    )


def test_cli_pins_over_capacity_name_the_mentor(cohort_files, tmp_path):
    result = run_cli(
        cohort_files, tmp_path, PIN_MENTORS, PIN_MENTEES, pins=[["E1", "R1"], ["E2", "R2"], ["E3", "R1"]]
    )
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr == (
        "Error: 1 problem in the input:\n"
        "  pins.csv, row 2, column 'mentor_id', value 'R1': pins give this mentor 2 mentees (rows 2, 4)"
        " but capacity is 1 — remove pins or raise the mentor's capacity\n"
    )


def test_cli_pin_with_unknown_id_warns_and_strict_fails(cohort_files, tmp_path):
    pins = [["E1", "R2"], ["E9", "R1"], ["E2", "R7"]]
    result = run_cli(cohort_files, tmp_path, PIN_MENTORS, PIN_MENTEES, pins=pins)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Warning: pins.csv, row 3, column 'mentee_id', value 'E9': matches no one in the mentees file — correct the id\n"
        "Warning: pins.csv, row 4, column 'mentor_id', value 'R7': matches no one in the mentors file — correct the id\n"
        "Warning: total mentor capacity 2 is below the 3 mentees to match: at least 1 will be unmatched; "
        "raise capacities or recruit mentors\n"
    )
    assert out_pairs(tmp_path)["E1"] == "R2"  # the good pin still holds
    assert out_summary(tmp_path)["rules"]["pins"] == 1

    shutil.rmtree(tmp_path / "out")
    result = run_cli(cohort_files, tmp_path, PIN_MENTORS, PIN_MENTEES, pins=pins, extra=["--strict"])
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr == (
        "Error: 2 problems in the input:\n"
        "  pins.csv, row 3, column 'mentee_id', value 'E9': matches no one in the mentees file — correct the id\n"
        "  pins.csv, row 4, column 'mentor_id', value 'R7': matches no one in the mentors file — correct the id\n"
    )


def test_api_pin_errors(cohort_files, tmp_path):
    m, e = cohort_files(PIN_MENTORS, PIN_MENTEES)
    cohort, config = load(m, e)
    with pytest.raises(InputError, match="this mentee is pinned twice"):
        match(cohort, config, pins=[(0, 0), (0, 1)])
    with pytest.raises(InputError) as info:
        match(cohort, config, pins=[(0, 0), (1, 0)])
    (problem,) = info.value.problems
    assert (problem.column, problem.value) == ("mentor_id", "R1")
    assert "pins give this mentor 2 mentees" in problem.problem and "capacity is 1" in problem.problem
    with pytest.raises(InputError, match=r"the pin breaks the hard rule\(s\): forbid \(forbidden pair\)"):
        match(cohort, config, pins=[(0, 0)], forbidden=[(0, 0)])


# ---------------------------------------------------------------------------
# 3. Forbidden pairs
# ---------------------------------------------------------------------------


def test_cli_forbidden_pairs_never_appear(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 2, "care": 5}, {"id": "R2", "capacity": 2, "care": 2}]
    mentees = [{"id": "E1"}, {"id": "E2"}, {"id": "E3"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert result.exit_code == 0
    assert sorted(out_pairs(tmp_path).values()) == ["R1", "R1", "R2"]  # R1 scores higher for all
    forbid = [["E1", "R1", "conflict of interest"], ["E2", "R1", ""], ["E3", "R2", "x"]]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, forbid=forbid)
    assert result.exit_code == 0, result.output
    assert out_pairs(tmp_path) == {"E1": "R2", "E2": "R2", "E3": "R1"}
    rows = {(r["mentee_id"], r["mentor_id"]) for r in out_rows(tmp_path, "pairs.csv")}
    assert not rows & {(a, b) for a, b, _ in forbid}


def test_cli_mentee_forbidden_with_every_mentor(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 2}, {"id": "R2", "capacity": 2}]
    mentees = [{"id": "E1"}, {"id": "E2"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, forbid=[["E1", "R1", "a"], ["E1", "R2", "b"]])
    assert result.exit_code == 0, result.output
    assert "E1" not in out_pairs(tmp_path)
    assert out_unmatched(tmp_path) == {"E1": "every mentor is in a forbidden pair"}
    assert result.stderr == (
        "Warning: 1 mentee has no feasible mentor at all (E1); see unmatched.csv for why\n"
    )


# ---------------------------------------------------------------------------
# 4. Department spread
# ---------------------------------------------------------------------------


def test_department_spread_by_hand(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 4, "care": 5}, {"id": "R2", "capacity": 3, "care": 1}]
    mentees = [
        {"id": "E1", "department": "Sales"},
        {"id": "E2", "department": "Sales"},
        {"id": "E3", "department": "Sales"},
        {"id": "E4", "department": "IT"},
    ]
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert set(out_pairs(tmp_path).values()) == {"R1"}  # without the cap, all go to the better R1
    result = run_cli(
        cohort_files, tmp_path, mentors, mentees, "[rules]\nmax_same_department_per_mentor = 1\n"
    )
    assert result.exit_code == 0, result.output
    pairs = out_pairs(tmp_path)
    assert pairs["E4"] == "R1"
    sales = [pairs[e] for e in ("E1", "E2", "E3") if e in pairs]
    assert sorted(sales) == ["R1", "R2"]  # one Sales mentee per mentor; the third is left out
    assert out_summary(tmp_path)["rules"]["max_same_department_per_mentor"] == 1


@pytest.mark.parametrize("seed", range(6))
def test_department_spread_matches_brute_force(tmp_path, seed):
    rng = random.Random(100 + seed)
    mentors, mentees = random_rows(rng, 3, 6, caps=(1, 2, 3))
    max_same = 1 if seed % 2 == 0 else 2
    cohort, config = load_rows(
        tmp_path, mentors, mentees, f"[rules]\nmax_same_department_per_mentor = {max_same}\n"
    )
    result = match(cohort, config)
    dept = result.scores.features.e.department
    m = result.solution.mentor_of
    for j in range(cohort.n_mentors):
        codes = [dept[i] for i in np.flatnonzero(m == j) if dept[i] >= 0]
        assert all(codes.count(d) <= max_same for d in codes)
    best = brute_force(result.problem, departments=dept, max_same=max_same)
    assert result.solution.objective == best[0] == total_objective(result.problem, m)


def test_department_spread_binds_in_the_random_cohorts(tmp_path):
    binds = 0
    for seed in range(6):
        rng = random.Random(100 + seed)
        mentors, mentees = random_rows(rng, 3, 6, caps=(1, 2, 3))
        max_same = 1 if seed % 2 == 0 else 2
        cohort, config = load_rows(
            tmp_path, mentors, mentees, f"[rules]\nmax_same_department_per_mentor = {max_same}\n"
        )
        result = match(cohort, config)
        binds += result.solution.objective < brute_force(result.problem)[0]
    assert binds >= 2  # the brute-force test above is not trivially the unconstrained optimum


# ---------------------------------------------------------------------------
# 5. Mentor minimum
# ---------------------------------------------------------------------------


def minimum_cohort(folder: Path, seed: int):
    """Roomy mentors (3–4 places) so that, unbounded, the best ones would take everyone."""
    rng = random.Random(200 + seed)
    mentors, mentees = random_rows(rng, 3, 6, caps=(3, 3, 4), avoid_p=0.25)
    minimum = 1 if seed % 2 == 0 else 2
    cohort, config = load_rows(folder, mentors, mentees, f"[rules]\nmin_mentees_per_mentor = {minimum}\n")
    return cohort, config, minimum


@pytest.mark.parametrize("seed", range(8))
def test_mentor_minimum_matches_brute_force(tmp_path, seed):
    cohort, config, minimum = minimum_cohort(tmp_path, seed)
    best = brute_force(
        build_problem(cohort, config, score_cohort(cohort, config.scoring))[0], minimum=minimum
    )
    if best is None:
        with pytest.raises(InfeasibleError, match=f"min_mentees_per_mentor = {minimum} is impossible"):
            match(cohort, config)
        return
    result = match(cohort, config)
    m = result.solution.mentor_of
    load_ = np.bincount(m[m >= 0], minlength=cohort.n_mentors)
    for j, cap in enumerate(cohort.capacity):
        if cap >= 1:
            assert load_[j] >= min(minimum, cap)
    assert result.solution.objective == best[0]


def test_mentor_minimum_binds_in_the_random_cohorts(tmp_path):
    binds = 0
    for seed in range(8):
        cohort, config, minimum = minimum_cohort(tmp_path, seed)
        problem = build_problem(cohort, config, score_cohort(cohort, config.scoring))[0]
        best = brute_force(problem, minimum=minimum)
        binds += best is not None and best[0] < brute_force(problem)[0]
    assert binds >= 4  # the brute-force test above is not trivially the unconstrained optimum


def test_mentor_minimum_changes_the_pairing(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 3, "care": 5}, {"id": "R2", "capacity": 3, "care": 1}]
    mentees = [{"id": "E1"}, {"id": "E2"}, {"id": "E3"}]
    free = api_match(cohort_files, tmp_path, mentors, mentees)
    assert set(pairs_of(free).values()) == {"R1"}
    bounded = api_match(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_mentees_per_mentor = 1\n")
    assert sorted(pairs_of(bounded).values()) == ["R1", "R1", "R2"]
    with pytest.raises(
        InfeasibleError, match="mentors need 4 mentees in all but only 3 mentees can be matched"
    ):
        api_match(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_mentees_per_mentor = 2\n")


def test_mentor_minimum_capacity_caps_the_requirement(cohort_files, tmp_path):
    # min 2 but R2 takes only 1 and R3 none: R2 needs 1, R3 needs 0.
    mentors = [
        {"id": "R1", "capacity": 3, "care": 5},
        {"id": "R2", "capacity": 1, "care": 1},
        {"id": "R3", "capacity": 0, "care": 1},
    ]
    mentees = [{"id": "E1"}, {"id": "E2"}, {"id": "E3"}]
    result = api_match(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_mentees_per_mentor = 2\n")
    assert sorted(pairs_of(result).values()) == ["R1", "R1", "R2"]


def test_impossible_mentor_minimum_total(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1}, {"id": "R2", "capacity": 1}]
    mentees = [{"id": "E1"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_mentees_per_mentor = 1\n")
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr == (
        "Error: min_mentees_per_mentor = 1 is impossible: mentors need 2 mentees in all but only 1 mentee "
        "can be matched. Lower min_mentees_per_mentor, relax the rules that exclude these pairs, or set "
        "these mentors' capacity to 0\n"
    )


def test_impossible_mentor_minimum_names_the_mentor_without_candidates(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 2}, {"id": "R2", "capacity": 2, "avoid": "E1;E2"}]
    mentees = [{"id": "E1"}, {"id": "E2"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_mentees_per_mentor = 1\n")
    assert_failed_cleanly(result, tmp_path)
    assert (
        "min_mentees_per_mentor = 1 is impossible: mentor R2 needs 1 mentee but only 0 mentees may be paired with them"
        in result.stderr
    )


def test_impossible_mentor_minimum_found_by_the_solver(cohort_files, tmp_path):
    # Each mentor has a candidate, and 3 mentees for 3 places, but E1 and E2 can only
    # take R1, so R2 and R3 compete for E3: only the flow itself can see it.
    mentors = [{"id": "R1", "capacity": 1}, {"id": "R2", "capacity": 1}, {"id": "R3", "capacity": 1}]
    mentees = [{"id": "E1", "avoid": "R2;R3"}, {"id": "E2", "avoid": "R2;R3"}, {"id": "E3", "avoid": ""}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_mentees_per_mentor = 1\n")
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr == (
        "Error: min_mentees_per_mentor = 1 is impossible together with the other rules: the mentees each "
        "mentor may take overlap too much to give every mentor their minimum. Lower min_mentees_per_mentor, "
        "raise capacities, or relax the rules\n"
    )


# ---------------------------------------------------------------------------
# 6. Fair objective
# ---------------------------------------------------------------------------

# Hand-made: scores E2: R2 35.71, R3 46.43; E3: R2 42.86, R3 100.00. Total prefers
# E2–R2 + E3–R3 (135.71, lowest 35.71); fair prefers E2–R3 + E3–R2 (lowest 42.86).
FAIR_MENTORS = [
    {"id": "R1", "capacity": 1, "style_structure": 1, "care": 1},
    {"id": "R2", "capacity": 1, "style_structure": 3, "care": 1},
    {"id": "R3", "capacity": 1, "style_structure": 4, "care": 5},
]
FAIR_MENTEES = [
    {"id": "E1", "style_structure": 5, "want_care": 5, "want_compatibility": 1},
    {"id": "E2", "style_structure": 1, "want_care": 2, "want_compatibility": 5},
    {"id": "E3", "style_structure": 4, "want_care": 3, "want_compatibility": 4},
]


def test_fair_objective_by_hand(cohort_files, tmp_path):
    mentors = [dict(r, capacity=0) if r["id"] == "R1" else r for r in FAIR_MENTORS]
    mentees = FAIR_MENTEES[1:]
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert out_pairs(tmp_path) == {"E2": "R2", "E3": "R3"}
    assert out_summary(tmp_path)["score_min"] == 35.71
    result = run_cli(cohort_files, tmp_path, mentors, mentees, '[rules]\nobjective = "fair"\n')
    assert result.exit_code == 0, result.output
    assert out_pairs(tmp_path) == {"E2": "R3", "E3": "R2"}
    summary = out_summary(tmp_path)
    assert summary["score_min"] == 42.86
    assert summary["lowest_score_proven"] == 42.86
    assert summary["rules"]["objective"] == "fair"


@pytest.mark.parametrize("seed", range(8))
def test_fair_objective_matches_brute_force(tmp_path, seed):
    rng = random.Random(300 + seed)
    mentors, mentees = random_rows(rng, 3, 5, caps=(0, 1, 1, 2))
    cohort, total_cfg = load_rows(tmp_path, mentors, mentees)
    _, fair_cfg = load_rows(tmp_path, mentors, mentees, '[rules]\nobjective = "fair"\n')
    total = match(cohort, total_cfg)
    fair = match(cohort, fair_cfg)
    p = fair.problem
    m_t, m_f = total.solution.mentor_of, fair.solution.mentor_of
    assert (m_f >= 0).sum() == (m_t >= 0).sum()  # fairness never costs a match
    units = score_units(p.score)
    low = lambda m: min((int(units[i, m[i]]) for i in np.flatnonzero(m >= 0)), default=None)  # noqa: E731
    if low(m_f) is not None:
        assert low(m_f) >= low(m_t)
    (count, lowest, best_total), _ = brute_force(p, fair=True)
    assert (m_f >= 0).sum() == count
    if count:
        assert low(m_f) == lowest
        assert fair.solution.lowest_score == lowest / 100
    assert fair.solution.objective == best_total  # total maximised among the max-min pairings


def test_fair_objective_differs_from_total_in_some_random_cohort(tmp_path):
    differ = 0
    for seed in range(8):
        rng = random.Random(300 + seed)
        mentors, mentees = random_rows(rng, 3, 5, caps=(0, 1, 1, 2))
        cohort, total_cfg = load_rows(tmp_path, mentors, mentees)
        _, fair_cfg = load_rows(tmp_path, mentors, mentees, '[rules]\nobjective = "fair"\n')
        differ += match(cohort, total_cfg).solution.objective != match(cohort, fair_cfg).solution.objective
    assert differ >= 1


# ---------------------------------------------------------------------------
# 7. CP-SAT and min-cost flow agree
# ---------------------------------------------------------------------------

# (seed, mentees, mentors, capacities drawn from, rules); in each the rules change the optimum
ENGINE_CASES = [
    (11, 10, 4, (1, 2, 3, 3), "max_same_department_per_mentor = 1"),
    (12, 12, 5, (1, 2, 3, 3), "max_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1"),
    (13, 10, 4, (1, 2, 3, 3), 'objective = "fair"'),
    (
        14,
        12,
        5,
        (1, 2, 3, 3),
        'objective = "fair"\nmax_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1',
    ),
    (15, 9, 4, (3, 4), "min_mentees_per_mentor = 2"),
    (16, 10, 4, (3, 4), 'objective = "fair"\nmin_mentees_per_mentor = 2'),
]


@pytest.mark.parametrize(("seed", "n_e", "n_r", "caps", "rules"), ENGINE_CASES)
def test_cpsat_and_flow_agree(tmp_path, seed, n_e, n_r, caps, rules):
    rng = random.Random(seed)
    mentors, mentees = random_rows(rng, n_r, n_e, caps=caps)
    text = f'[rules]\n{rules}\n[solver]\nengine = "cp_sat"\ntime_limit_seconds = 20\n'
    cohort, cp_cfg = load_rows(tmp_path, mentors, mentees, text)
    assert cp_cfg.solver.engine == "cp_sat"
    scores = score_cohort(cohort, cp_cfg.scoring)
    problem, _ = build_problem(cohort, cp_cfg, scores)
    side = side_rules(cp_cfg, scores)
    flow = solve(problem, side, with_engine(cp_cfg, "flow"))
    cp = solve(problem, side, cp_cfg)
    assert (flow.solver, cp.solver) == ("min_cost_flow", "cp_sat")
    assert cp.status == "OPTIMAL"
    assert cp.objective == flow.objective
    units = score_units(problem.score)
    lows = [min(int(units[i, m[i]]) for i in np.flatnonzero(m >= 0)) for m in (flow.mentor_of, cp.mentor_of)]
    if side.fair:
        assert lows[0] == lows[1]
    assert (cp.mentor_of >= 0).sum() > 0
    assert (
        flow.objective != solve(problem, side_rules(Config(), scores), with_engine(cp_cfg, "flow")).objective
    )


def test_cli_engine_cp_sat(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 2, "care": 5}, {"id": "R2", "capacity": 2, "care": 1}]
    mentees = [
        {"id": "E1", "department": "IT"},
        {"id": "E2", "department": "IT"},
        {"id": "E3", "department": "HR"},
    ]
    config = (
        '[rules]\nmax_same_department_per_mentor = 1\n[solver]\nengine = "cp_sat"\ntime_limit_seconds = 20\n'
    )
    result = run_cli(cohort_files, tmp_path, mentors, mentees, config)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Matched 3 of 3 mentees with cp_sat (OPTIMAL); outputs in {tmp_path / 'out'}\n"
    pairs = out_pairs(tmp_path)
    assert pairs["E3"] == "R1" and {pairs["E1"], pairs["E2"]} == {"R1", "R2"}


def test_cpsat_and_flow_agree_in_fair_mode_with_a_low_scoring_pin(cohort_files, tmp_path):
    m, e = cohort_files(FAIR_MENTORS, FAIR_MENTEES)
    cohort, config = load(m, e, write_config(tmp_path, '[rules]\nobjective = "fair"\n'))
    assert score_cohort(cohort, config.scoring).score[0, 0] == 0.0  # the pin E1–R1 scores 0
    flow = match(cohort, with_engine(config, "flow"), pins=[(0, 0)])
    cp = match(cohort, with_engine(config, "cp_sat"), pins=[(0, 0)])
    assert flow.solution.objective == cp.solution.objective


# ---------------------------------------------------------------------------
# 8. Properties: pins, forbidden pairs and capacity under random cohorts
# ---------------------------------------------------------------------------

PERSON = st.fixed_dictionaries(
    {
        "languages": st.sampled_from(["en", "fr", "en;fr", ""]),
        "mode": st.sampled_from(["in_person", "virtual", "either", ""]),
        "location": st.sampled_from(["Leeds", "York", ""]),
        "timezone": st.sampled_from(["Europe/London", "America/New_York", "Asia/Tokyo", ""]),
        "seniority": st.sampled_from([1, 2, 3, ""]),
        "department": st.sampled_from(["A", "B", ""]),
        "style_structure": st.integers(1, 5),
    }
)


@given(data=st.data())
def test_pins_and_forbidden_pairs_hold_on_random_cohorts(data):
    n_r, n_e = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 6))
    mentors = [
        {
            **data.draw(PERSON),
            "id": f"R{j + 1}",
            "capacity": data.draw(st.integers(0, 3)),
            "care": data.draw(st.integers(1, 5)),
        }
        for j in range(n_r)
    ]
    mentees = [
        {**data.draw(PERSON), "id": f"E{i + 1}", "ready_open": data.draw(st.integers(1, 5))}
        for i in range(n_e)
    ]
    spread = data.draw(st.sampled_from([None, 1, 2]))
    rules = "" if spread is None else f"max_same_department_per_mentor = {spread}\n"
    rules += f"min_readiness = {data.draw(st.sampled_from([0, 0, 0.5]))}\n"
    with tempfile.TemporaryDirectory() as folder:
        cohort, config = load_rows(Path(folder), mentors, mentees, "[rules]\n" + rules)
    scores = score_cohort(cohort, config.scoring)
    problem, _ = build_problem(cohort, config, scores)
    dept = scores.features.e.department

    # pins: only pairs the rules allow, within capacity and the department spread
    free = cohort.capacity.copy()
    used: dict[tuple[int, int], int] = {}
    candidates = [(int(i), int(j)) for i, j in zip(*np.nonzero(problem.allowed), strict=True)]
    wanted = data.draw(st.integers(1, 3))
    pins = []
    for i, j in data.draw(st.permutations(candidates)) if candidates else []:
        if len(pins) == wanted:
            break
        key = (j, int(dept[i]))
        if i in dict(pins) or free[j] <= 0 or (spread and dept[i] >= 0 and used.get(key, 0) >= spread):
            continue
        pins.append((i, j))
        free[j] -= 1
        used[key] = used.get(key, 0) + 1
    rest = [(i, j) for i in range(n_e) for j in range(n_r) if (i, j) not in pins]
    forbidden = data.draw(st.lists(st.sampled_from(rest), max_size=4, unique=True)) if rest else []

    event(f"pins: {len(pins)}")
    event(f"forbidden pairs: {min(len(forbidden), 2)}+")
    result = match(cohort, config, pins=pins, forbidden=forbidden, scores=scores)
    m = result.solution.mentor_of
    for i, j in pins:
        assert m[i] == j
    for i, j in forbidden:
        assert m[i] != j
    load_ = np.bincount(m[m >= 0], minlength=n_r)
    assert (load_ <= cohort.capacity).all()
    pinned = dict(pins)
    for i in np.flatnonzero(m >= 0):
        if pinned.get(int(i)) != m[i]:
            assert result.problem.excluded[i, m[i]] == 0 and result.problem.eligible[i]
    if spread:
        groups: dict[tuple[int, int], int] = {}
        for i in np.flatnonzero((m >= 0) & (dept >= 0)):
            groups[(int(m[i]), int(dept[i]))] = groups.get((int(m[i]), int(dept[i])), 0) + 1
        assert all(v <= spread for v in groups.values())
    assert result.report.ok


# ---------------------------------------------------------------------------
# 9. Diagnosis of unmatched mentees
# ---------------------------------------------------------------------------


def test_diagnosis_no_shared_language(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "languages": "English"},
        {"id": "R2", "capacity": 1, "languages": "French"},
    ]
    mentees = [{"id": "E1", "languages": "German"}, {"id": "E2", "languages": "English;French"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert result.exit_code == 0, result.output
    assert out_unmatched(tmp_path) == {"E1": "no mentor shares a language"}
    assert (
        result.stderr == "Warning: 1 mentee has no feasible mentor at all (E1); see unmatched.csv for why\n"
    )


def test_diagnosis_counts_per_rule_full_mentors_and_timezone_relaxation(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "timezone": "Europe/London", "avoid": ""},
        {"id": "R2", "capacity": 1, "timezone": "America/New_York", "avoid": ""},
        {"id": "R3", "capacity": 1, "timezone": "Asia/Tokyo", "avoid": "E1"},
        {"id": "R4", "capacity": 1, "timezone": "Asia/Tokyo", "avoid": ""},
        {"id": "R5", "capacity": 1, "timezone": "Asia/Tokyo", "avoid": ""},
    ]
    mentees = [
        {"id": "E1", "timezone": "Asia/Tokyo", "ready_open": 1},  # lowest readiness: loses R4 and R5
        {"id": "E2", "timezone": "Asia/Tokyo", "ready_open": 5},
        {"id": "E3", "timezone": "Asia/Tokyo", "ready_open": 5},
        {"id": "E4", "timezone": "Asia/Tokyo", "ready_open": 5},
    ]
    need = tz_gap("Asia/Tokyo", "Europe/London")
    assert need == 9.0 and tz_gap("Asia/Tokyo", "America/New_York") > need
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert result.exit_code == 0, result.output
    assert out_unmatched(tmp_path) == {
        "E1": "all 2 feasible mentors are full (excluded: 2 by time zone, 1 by avoid list); "
        "allowing a 9 h time-zone gap would give 1 more mentor (1 with a free place)"
    }


def test_diagnosis_only_feasible_mentor_is_full(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1, "languages": "en"}, {"id": "R2", "capacity": 1, "languages": "fr"}]
    mentees = [
        {"id": "E1", "languages": "fr", "ready_open": 1},
        {"id": "E2", "languages": "fr", "ready_open": 5},
        {"id": "E3", "languages": "en", "ready_open": 5},
    ]
    run_cli(cohort_files, tmp_path, mentors, mentees)
    assert out_unmatched(tmp_path) == {"E1": "the only feasible mentor is full (excluded: 1 by language)"}


def test_diagnosis_names_feasible_mentors_with_capacity_0(cohort_files, tmp_path):
    # R3 speaks French too but takes no mentees this round: the reason counts it, so that
    # "the only feasible mentor" agrees with the scores file's two feasible mentors
    mentors = [
        {"id": "R1", "capacity": 1, "languages": "en"},
        {"id": "R2", "capacity": 1, "languages": "fr"},
        {"id": "R3", "capacity": 0, "languages": "fr"},
    ]
    mentees = [
        {"id": "E1", "languages": "fr", "ready_open": 1},
        {"id": "E2", "languages": "fr", "ready_open": 5},
        {"id": "E3", "languages": "en", "ready_open": 5},
    ]
    run_cli(cohort_files, tmp_path, mentors, mentees)
    assert out_unmatched(tmp_path) == {
        "E1": "the only feasible mentor is full; 1 more has capacity 0 (excluded: 1 by language)"
    }


def test_diagnosis_timezone_relaxation_alone(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "timezone": "Europe/London"},
        {"id": "R2", "capacity": 1, "timezone": "America/New_York"},
    ]
    mentees = [{"id": "E1", "timezone": "Asia/Tokyo"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert result.exit_code == 0, result.output
    gap = int(tz_gap("Asia/Tokyo", "Europe/London"))
    assert out_unmatched(tmp_path) == {
        "E1": f"no mentor is within the time-zone gap; allowing a {gap} h time-zone gap would give "
        "1 more mentor (1 with a free place)"
    }


def test_diagnosis_timezone_relaxation_rounds_half_hours_up(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1, "timezone": "Europe/London"}]
    mentees = [{"id": "E1", "timezone": "Asia/Kolkata"}]
    assert tz_gap("Asia/Kolkata", "Europe/London") == 5.5
    run_cli(cohort_files, tmp_path, mentors, mentees, "[rules]\nmax_timezone_gap_hours = 5\n")
    assert out_unmatched(tmp_path) == {
        "E1": "no mentor is within the time-zone gap; allowing a 6 h time-zone gap would give "
        "1 more mentor (1 with a free place)"
    }


def test_diagnosis_mixed_rules_without_a_feasible_mentor(cohort_files, tmp_path):
    mentors = [
        {"id": "R1", "capacity": 1, "timezone": "Asia/Tokyo", "languages": "en"},
        {"id": "R2", "capacity": 1, "timezone": "Europe/Paris", "languages": "fr"},
    ]
    mentees = [{"id": "E1", "timezone": "Europe/London", "languages": "en"}]
    run_cli(cohort_files, tmp_path, mentors, mentees)
    assert out_unmatched(tmp_path) == {
        "E1": "no feasible mentor (excluded: 1 by language, 1 by time zone); allowing a 9 h time-zone gap "
        "would give 1 more mentor (1 with a free place)"
    }


def test_diagnosis_min_score_relaxation(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1, "care": 2}, {"id": "R2", "capacity": 1, "care": 3}]  # 25 and 50
    mentees = [{"id": "E1"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees, "[rules]\nmin_score = 60\n")
    assert result.exit_code == 0, result.output
    assert out_unmatched(tmp_path) == {
        "E1": "no pair reaches min_score; lowering min_score to 50.00 would give 1 more mentor (1 with a free place)"
    }


def test_diagnosis_seniority_relaxation(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1, "seniority": 2}, {"id": "R2", "capacity": 1, "seniority": 3}]
    mentees = [{"id": "E1", "seniority": 3}]
    run_cli(cohort_files, tmp_path, mentors, mentees)
    assert out_unmatched(tmp_path) == {
        "E1": 'no mentor fits the seniority rule; allowing peer mentoring (seniority = "any") would give '
        "2 more mentors (2 with a free place)"
    }


def test_programme_warning_when_capacity_is_below_mentees(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 1}, {"id": "R2", "capacity": 1}]
    mentees = [{"id": "E1"}, {"id": "E2"}, {"id": "E3"}]
    result = run_cli(cohort_files, tmp_path, mentors, mentees)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Warning: total mentor capacity 2 is below the 3 mentees to match: at least 1 will be unmatched; "
        "raise capacities or recruit mentors\n"
    )
    assert out_unmatched(tmp_path) == {"E3": "all 2 feasible mentors are full"}
    assert any("total mentor capacity 2" in w for w in out_summary(tmp_path)["warnings"])


def test_diagnosis_of_a_mentee_left_out_by_the_department_spread(cohort_files, tmp_path):
    mentors = [{"id": "R1", "capacity": 3}]
    mentees = [
        {"id": "E1", "department": "Sales"},
        {"id": "E2", "department": "Sales"},
        {"id": "E3", "department": "IT"},
    ]
    result = run_cli(
        cohort_files, tmp_path, mentors, mentees, "[rules]\nmax_same_department_per_mentor = 1\n"
    )
    assert result.exit_code == 0
    assert len(out_pairs(tmp_path)) == 2  # R1 keeps a free place
    (reason,) = out_unmatched(tmp_path).values()
    assert "full" not in reason


# ---------------------------------------------------------------------------
# 10. Config keys and values for these rules
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "line"),
    [
        (
            '[rules]\nsame_department = "ban"\n',
            "programme.toml, key 'rules.same_department', value 'ban': is not an allowed value"
            " — use one of: allow, penalise, forbid",
        ),
        (
            '[solver]\nengine = "cplex"\n',
            "programme.toml, key 'solver.engine', value 'cplex': is not an allowed value — use one of: auto, flow, budget, cp_sat",
        ),
        (
            '[rules]\nseniority = "senior"\n',
            "programme.toml, key 'rules.seniority', value 'senior': is not an allowed value"
            " — use one of: mentor_senior, any, mentee_senior",
        ),
        (
            '[rules]\nobjective = "maxmin"\n',
            "programme.toml, key 'rules.objective', value 'maxmin': is not an allowed value — use one of: total, fair",
        ),
        (
            "[rules]\nmax_timezone_gap_hour = 5\n",
            "programme.toml, key 'rules.max_timezone_gap_hour': unknown key — did you mean 'max_timezone_gap_hours'?",
        ),
        (
            "[rules]\nsame_dept = 'allow'\n",
            "key 'rules.same_dept': unknown key — did you mean 'same_department'?",
        ),
        ("[solver]\nengin = 'flow'\n", "key 'solver.engin': unknown key — did you mean 'engine'?"),
        (
            "[rules]\nseniority_gap = [3, 1]\n",
            "key 'rules.seniority_gap', value '[3, 1]': must be [min, max] whole numbers, min ≤ max — e.g. [1, 4]",
        ),
        (
            "[rules]\nmax_same_department_per_mentor = 0\n",
            "key 'rules.max_same_department_per_mentor', value '0': must be between 1 and 10000 — or leave it out",
        ),
        (
            "[rules]\nmax_same_department_per_mentor = 1.5\n",
            "key 'rules.max_same_department_per_mentor', value '1.5': has the wrong type (expected a whole number)"
            " — e.g. max_same_department_per_mentor = 2",
        ),
        (
            "[rules]\nmin_mentees_per_mentor = -1\n",
            "key 'rules.min_mentees_per_mentor', value '-1': must be between 0 and 10000 — e.g. 1",
        ),
        (
            "[rules]\nforbid_reporting_line = 'yes'\n",
            "key 'rules.forbid_reporting_line', value 'yes': has the wrong type (expected true or false)",
        ),
        ("[rules]\nmin_readiness = 2\n", "key 'rules.min_readiness', value '2': must be between 0 and 1"),
    ],
)
def test_bad_rule_config_is_an_error(cohort_files, tmp_path, config, line):
    result = run_cli(cohort_files, tmp_path, [{"id": "R1", "capacity": 1}], [{"id": "E1"}], config)
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr.startswith("Error: 1 problem in the input:\n  programme.toml, key ")
    assert line in result.stderr


def test_bad_rule_config_lists_every_problem(cohort_files, tmp_path):
    config = '[rules]\nsame_department = "ban"\nobjective = "best"\n[solver]\nengine = "cplex"\n'
    result = run_cli(cohort_files, tmp_path, [{"id": "R1", "capacity": 1}], [{"id": "E1"}], config)
    assert_failed_cleanly(result, tmp_path)
    assert result.stderr.startswith("Error: 3 problems in the input:\n")
    assert "use one of: allow, penalise, forbid" in result.stderr
    assert "use one of: total, fair" in result.stderr
    assert "use one of: auto, flow, budget, cp_sat" in result.stderr
