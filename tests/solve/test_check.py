"""Property tests on whole random cohorts through the public API and the CLI.

Hypothesis writes small questionnaire files (as a coordinator's export would look),
``matcher.api.load`` + ``matcher.api.match`` (or ``mentor-match match``) run on them,
and every property is re-derived from the raw rows generated here, not from the
library's own encoding: avoid lists, languages, meeting mode, location, time zones
(with ``zoneinfo`` directly), seniority and capacities.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from cli.main import cli
from matcher.api import load, match
from matcher.report.tables import write_match
from matcher.solve.check import check
from matcher.solve.problem import objective_weights, total_objective
from matcher.solve.rules import reasons
from tests.conftest import write_csv

LANGUAGES = ["English", "english", "German", "Hindi", "French"]
MODES = ["in_person", "virtual", "either", ""]
LOCATIONS = ["London", "london", "Berlin", "New York", "Leeds", ""]
TIMEZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", ""]
DEPARTMENTS = ["IT", "Oncology", "Nursing", ""]
PROFESSIONS = ["doctor", "nurse", "engineer", ""]
TOPICS = ["leadership", "publishing", "statistics", "teaching", "networking"]
INTERESTS = ["running", "music", "cooking", "travel"]
WORDS = ["research", "teaching", "leadership", "data", "analysis", "clinical", "grants", "network", "the"]
LIKERT = ["", "1", "2", "3", "4", "5"]
LEVELS = ["", "foundation", "practitioner", "senior", "master"]
GAPS = [None, 3.0, 5.0, 10.0]  # None: no config file, the default 6 hours
DEFAULT_GAP = 6.0
TZ_INSTANTS = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))
OUTPUTS = ("pairs.csv", "unmatched.csv", "summary.json")


# ---------------------------------------------------------------------------
# Random cohorts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RawCohort:
    mentors: list[dict]
    mentees: list[dict]
    gap: float | None  # max_timezone_gap_hours written to a config file, or None

    @property
    def limit(self) -> float:
        return DEFAULT_GAP if self.gap is None else self.gap


def joined(items) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(items), max_size=3, unique=True).map(";".join)


def avoid_list(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""), st.just(""), st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)
    ).map(lambda x: x if isinstance(x, str) else ";".join(x))


def text(min_words: int = 0) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=6).map(" ".join)


def common(pid: str) -> dict:
    return {
        "id": st.just(pid),
        "name": st.just(f"Person {pid}"),
        "department": st.sampled_from(DEPARTMENTS),
        "profession": st.sampled_from(PROFESSIONS),
        "seniority": st.sampled_from(["", "1", "2", "3", "4", "5", "6"]),
        "location": st.sampled_from(LOCATIONS),
        "timezone": st.sampled_from(TIMEZONES),
        "languages": joined(LANGUAGES),
        "mode": st.sampled_from(MODES),
        "interests": joined(INTERESTS),
        "style_structure": st.sampled_from(LIKERT),
        "style_pace": st.sampled_from(LIKERT),
        "style_directness": st.sampled_from(LIKERT),
        "topics": joined(TOPICS),
    }


def mentor_row(pid: str, mentee_ids: list[str]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            **common(pid),
            "avoid": avoid_list(mentee_ids),
            "capacity": st.sampled_from(["0", "1", "1", "2", "2", "3"]),
            "expertise": text(),
            "challenge": st.sampled_from(LIKERT),
            "care": st.sampled_from(LIKERT),
            "level": st.sampled_from(LEVELS),
        }
    )


def mentee_row(pid: str, mentor_ids: list[str]) -> st.SearchStrategy[dict]:
    likert = {
        f"{p}_{c}": st.sampled_from(LIKERT)
        for p, cs in (
            ("want", ("compatibility", "contrast", "challenge", "context", "care")),
            ("ready", ("open", "committed", "challenge", "feedback", "respect")),
        )
        for c in cs
    }
    return st.fixed_dictionaries({**common(pid), "avoid": avoid_list(mentor_ids), "goals": text(), **likert})


@st.composite
def cohorts(draw, max_mentors: int = 12, max_mentees: int = 20) -> RawCohort:
    n_r = draw(st.integers(2, max_mentors))
    n_e = draw(st.integers(2, max_mentees))
    # numbers up to 30 so that natural order (R2 < R10) differs from text order
    mentor_ids = [
        f"R{k}" for k in draw(st.lists(st.integers(1, 30), min_size=n_r, max_size=n_r, unique=True))
    ]
    mentee_ids = [
        f"E{k}" for k in draw(st.lists(st.integers(1, 30), min_size=n_e, max_size=n_e, unique=True))
    ]
    mentors = [draw(mentor_row(pid, mentee_ids)) for pid in mentor_ids]
    mentees = [draw(mentee_row(pid, mentor_ids)) for pid in mentee_ids]
    return RawCohort(mentors, mentees, draw(st.sampled_from(GAPS)))


def write_cohort(raw: RawCohort, folder: Path, mentors=None, mentees=None) -> list[str]:
    """Write both files (and the config when the gap is not the default); CLI-style args."""
    m = write_csv(folder / "mentors.csv", raw.mentors if mentors is None else mentors)
    e = write_csv(folder / "mentees.csv", raw.mentees if mentees is None else mentees)
    args = ["--mentors", str(m), "--mentees", str(e)]
    if raw.gap is not None:
        cfg = folder / "programme.toml"
        cfg.write_text(f"[rules]\nmax_timezone_gap_hours = {raw.gap}\n", encoding="utf-8")
        args += ["--config", str(cfg)]
    return args


def run_api(raw: RawCohort, folder: Path, mentors=None, mentees=None):
    args = write_cohort(raw, folder, mentors, mentees)
    paths = dict(zip(args[::2], args[1::2], strict=True))
    cohort, config = load(paths["--mentors"], paths["--mentees"], paths.get("--config"))
    assert config.rules.max_timezone_gap_hours == raw.limit
    assert cohort.warnings == ()  # every avoid id refers to someone real
    return match(cohort, config)


def pairs_by_id(result) -> dict[str, str]:
    c, mentor_of = result.cohort, result.solution.mentor_of
    return {str(c.mentee_ids[i]): str(c.mentor_ids[j]) for i, j in enumerate(mentor_of) if j >= 0}


def unmatched_ids(result) -> list[str]:
    return [str(result.cohort.mentee_ids[i]) for i in result.unmatched]


# ---------------------------------------------------------------------------
# Hard rules, recomputed from the raw rows
# ---------------------------------------------------------------------------


def items(cell: str) -> set[str]:
    return {t.strip().casefold() for t in cell.split(";") if t.strip()}


def place(cell: str) -> str:
    return " ".join(cell.split()).casefold()


@cache
def tz_gap(a: str, b: str) -> float:
    gaps = []
    for t in TZ_INSTANTS:
        delta = t.astimezone(ZoneInfo(a)).utcoffset() - t.astimezone(ZoneInfo(b)).utcoffset()
        hours = abs(delta.total_seconds()) / 3600.0
        gaps.append(min(hours, 24.0 - hours))
    return max(gaps)


def broken_rules(mentee: dict, mentor: dict, limit: float) -> set[str]:
    """The default hard rules this pair breaks, from the raw questionnaire rows."""
    out = set()
    if mentor["id"] in mentee["avoid"].split(";") or mentee["id"] in mentor["avoid"].split(";"):
        out.add("avoid")
    le, lr = items(mentee["languages"]), items(mentor["languages"])
    if le and lr and not le & lr:
        out.add("language")
    me, mr = mentee["mode"], mentor["mode"]
    if {me, mr} == {"in_person", "virtual"}:
        out.add("mode")
    in_person = (me == "in_person" and mr in ("in_person", "either", "")) or (
        mr == "in_person" and me in ("in_person", "either", "")
    )
    le, lr = place(mentee["location"]), place(mentor["location"])
    if in_person and le and lr and le != lr:
        out.add("location")
    if mentee["timezone"] and mentor["timezone"] and tz_gap(mentee["timezone"], mentor["timezone"]) > limit:
        out.add("timezone")
    if mentee["seniority"] and mentor["seniority"] and int(mentor["seniority"]) <= int(mentee["seniority"]):
        out.add("seniority")
    return out


def test_tz_gap_reference_values():
    """The independent time-zone arithmetic itself (DST on both hemispheres, circular gap)."""
    assert tz_gap("Europe/London", "America/New_York") == 5.0
    assert tz_gap("Europe/Berlin", "America/New_York") == 6.0
    assert tz_gap("Europe/London", "Asia/Kolkata") == 5.5  # 5.5 in January, 4.5 in July
    assert tz_gap("Europe/London", "Australia/Sydney") == 11.0  # 11 in January, 9 in July
    assert tz_gap("America/New_York", "Australia/Sydney") == 10.0  # 16 → 8 in Jan, 14 → 10 in Jul
    assert tz_gap("Asia/Kolkata", "Asia/Kolkata") == 0.0


@given(cohorts())
def test_capacity_and_hard_rules_hold(raw):
    with tempfile.TemporaryDirectory() as tmp:
        result = run_api(raw, Path(tmp))
    mentors = {r["id"]: r for r in raw.mentors}
    mentees = {r["id"]: r for r in raw.mentees}
    pairs = pairs_by_id(result)
    # 1. capacity, from the raw capacity cells
    load_of: dict[str, int] = {}
    for r in pairs.values():
        load_of[r] = load_of.get(r, 0) + 1
    for r, n in load_of.items():
        assert n <= int(mentors[r]["capacity"]), (r, n)
    # 2. no pair breaks a hard rule
    for e, r in pairs.items():
        assert broken_rules(mentees[e], mentors[r], raw.limit) == set(), (e, r)


@given(cohorts(max_mentors=8, max_mentees=12))
def test_rule_exclusions_are_exactly_the_raw_rules(raw):
    """Not only are chosen pairs fine: every pair is excluded iff the raw rows say so, by rule."""
    with tempfile.TemporaryDirectory() as tmp:
        result = run_api(raw, Path(tmp))
    c, p = result.cohort, result.problem
    mentors = {r["id"]: r for r in raw.mentors}
    mentees = {r["id"]: r for r in raw.mentees}
    assert sorted(map(str, c.mentee_ids)) == sorted(mentees)
    assert sorted(map(str, c.mentor_ids)) == sorted(mentors)
    for i, e in enumerate(c.mentee_ids):
        for j, r in enumerate(c.mentor_ids):
            expected = broken_rules(mentees[e], mentors[r], raw.limit)
            assert set(reasons(int(p.excluded[i, j]))) == expected, (e, r)
    assert p.capacity.tolist() == [int(mentors[r]["capacity"]) for r in c.mentor_ids]
    assert p.eligible.all()  # default min_readiness 0


# ---------------------------------------------------------------------------
# Every mentee exactly once
# ---------------------------------------------------------------------------


@given(cohorts())
def test_every_mentee_is_paired_or_unmatched_exactly_once(raw):
    with tempfile.TemporaryDirectory() as tmp:
        result = run_api(raw, Path(tmp))
    all_ids = {r["id"] for r in raw.mentees}
    paired = set(pairs_by_id(result))
    unmatched = unmatched_ids(result)
    assert len(unmatched) == len(set(unmatched))
    assert paired.isdisjoint(unmatched)
    assert paired | set(unmatched) == all_ids
    assert all(result.unmatched.values())  # every unmatched mentee gets a reason
    # the count of matches is as high as it can be on the problem the rules built
    assert len(paired) == result.report.matched


def read_output(path: Path) -> list[dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@settings(max_examples=25)
@given(cohorts())
def test_cli_outputs_cover_every_mentee_once(raw):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        args = write_cohort(raw, folder)
        out = folder / "out"
        res = CliRunner().invoke(cli, ["match", *args, "--out", str(out), "--quiet"])
        assert res.exit_code == 0, res.output
        pairs = read_output(out / "pairs.csv")
        unmatched = read_output(out / "unmatched.csv")
    mentors = {r["id"]: r for r in raw.mentors}
    mentees = {r["id"]: r for r in raw.mentees}
    paired_ids = [row["mentee_id"] for row in pairs]
    unmatched_list = [row["mentee_id"] for row in unmatched]
    assert len(paired_ids) == len(set(paired_ids))
    assert len(unmatched_list) == len(set(unmatched_list))
    assert set(paired_ids).isdisjoint(unmatched_list)
    assert set(paired_ids) | set(unmatched_list) == set(mentees)
    # the written pairs obey the rules too (read back by id from the file)
    for row in pairs:
        assert broken_rules(mentees[row["mentee_id"]], mentors[row["mentor_id"]], raw.limit) == set()


# ---------------------------------------------------------------------------
# Row order does not matter
# ---------------------------------------------------------------------------


@settings(max_examples=20)
@given(cohorts(), st.randoms(use_true_random=False))
def test_shuffled_rows_give_identical_outputs(raw, rnd):
    mentors = list(raw.mentors)
    mentees = list(raw.mentees)
    rnd.shuffle(mentors)
    rnd.shuffle(mentees)
    outputs, pairings = [], []
    for rows_r, rows_e in ((raw.mentors, raw.mentees), (mentors, mentees)):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            result = run_api(raw, folder, rows_r, rows_e)
            write_match(result, folder / "out")
            outputs.append({name: (folder / "out" / name).read_bytes() for name in OUTPUTS})
        pairings.append((pairs_by_id(result), sorted(unmatched_ids(result))))
    assert pairings[0] == pairings[1]
    for name in OUTPUTS:
        assert outputs[0][name] == outputs[1][name], name


# ---------------------------------------------------------------------------
# The checker and an independent optimum agree with the solver
# ---------------------------------------------------------------------------


def lsa_optimum(problem) -> int:
    """Optimum of the exported integer objective by linear_sum_assignment (capacity-expanded)."""
    n_e, n_r = problem.shape
    weights = objective_weights(problem)
    allowed = (problem.excluded == 0) & problem.eligible[:, None]
    slots = [j for j in range(n_r) for _ in range(int(problem.capacity[j]))]
    w = np.zeros((n_e, len(slots) + n_e))  # extra columns: stay unmatched, weight 0
    for i in range(n_e):
        for c, j in enumerate(slots):
            if allowed[i, j]:
                w[i, c] = int(weights[i, j])
    assert w.max(initial=0) * n_e * 4 < 2**53
    rows, cols = linear_sum_assignment(w, maximize=True)
    return sum(int(weights[i, slots[c]]) for i, c in zip(rows, cols, strict=True) if w[i, c] > 0)


@given(cohorts())
def test_checker_and_oracle_agree_with_solver(raw):
    with tempfile.TemporaryDirectory() as tmp:
        result = run_api(raw, Path(tmp))
    p, sol = result.problem, result.solution
    report = check(p, sol.mentor_of)
    assert report.violations == ()
    assert report.objective == sol.objective == total_objective(p, sol.mentor_of)
    assert report.matched == int((sol.mentor_of >= 0).sum())
    assert report == result.report
    assert sol.objective == lsa_optimum(p)
    # the objective as documented, recomputed from the scores by hand
    n = max(min(int(p.eligible.sum()), int(p.capacity.sum())), 1)
    b = n * 10_000 + 1
    a = n * (100 * b + 10_000) + 1
    by_hand = sum(
        a + b * round(100 * float(result.scores.readiness[i])) + round(100 * float(result.scores.score[i, j]))
        for i, j in enumerate(sol.mentor_of)
        if j >= 0
    )
    assert sol.objective == by_hand


# ---------------------------------------------------------------------------
# Found while writing the properties
# ---------------------------------------------------------------------------


def test_in_person_mentee_never_meets_a_mentor_elsewhere_with_blank_mode(cohort_files):
    mentors = [
        {"id": "R1", "name": "A", "capacity": "1", "mode": "", "location": "Berlin"},
        {"id": "R2", "name": "B", "capacity": "1", "mode": "", "location": "Leeds"},
    ]
    mentees = [{"id": "E1", "name": "X", "mode": "in_person", "location": "London"}]
    cohort, config = load(*cohort_files(mentors, mentees))
    result = match(cohort, config)
    assert pairs_by_id(result) == {}
