"""The candidate-set certificate with several mentors per mentee (``mentors_wanted``):
proven answers equal the dense optimum and brute force, a bound reported without proof is
never below the optimum, and whole runs above the (lowered) dense limit write what the
dense run writes.

Oracles: the dense several-mentor min-cost flow (every pair in the model; itself checked
against brute force and the capacity-expanded ``linear_sum_assignment`` in
tests/solve/engines/test_several.py) and, on tiny problems, that file's brute force over
every set of pairs. Candidate sets are random subsets of the allowed pairs, so the
certificate has to find what is missing.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matcher.solve.candidates as large
import matcher.solve.certificate as certificate
from cli.main import cli
from matcher.api import load, match
from matcher.errors import ConfigError
from matcher.solve.candidates import SparseProblem
from matcher.solve.check import check
from matcher.solve.engines.flow import solve_flow
from matcher.solve.pairing import Pairing
from matcher.solve.problem import total_objective
from matcher.solve.side_rules import DistinctMentors, FairObjective, MentorMinimum, SideRules
from matcher.synthetic.cohort import generate_cohort
from tests.solve.engines.test_several import brute_force, lexicographic, problem_of
from tests.solve.engines.test_several import tiny as several_tiny
from tests.solve.test_certificate import cases as single_cases
from tests.solve.test_certificate import sparse_from_dense


@st.composite
def cases(draw, max_e=9, max_r=5):
    """A several-mentor problem, its side rules (distinct mentors, department spread, both
    or none) and a random candidate mask: the one-mentor cases of test_certificate (pins,
    bonuses, ties) with random ``mentors_wanted`` and mentor groups, without the rules the
    flow holds only with one mentor each (minimum, fair)."""
    problem, side, keep = draw(single_cases(max_e=max_e, max_r=max_r))
    n_e, n_r = problem.shape
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    wanted = rng.integers(1, 4, n_e)
    wanted[0] = max(int(wanted[0]), 2)  # always a several-mentor problem
    group = rng.integers(-1, 3, n_r)
    side = side.without(MentorMinimum, FairObjective)
    if draw(st.booleans()):
        side = side.adding(DistinctMentors(group, "department"))
    return replace(problem, wanted=wanted.astype(np.int64)), side, keep


def _certified(sparse, side, rounds=None, deadline=None):
    return certificate.certify(sparse, side, lambda p: solve_flow(p, side), rounds=rounds, deadline=deadline)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_certified_answer_is_the_dense_optimum_and_an_unproven_bound_is_a_bound(case):
    problem, side, keep = case
    dense = solve_flow(problem, side)
    sparse = sparse_from_dense(problem, keep)
    _, sol, info = _certified(sparse, side)
    assert info["certified"] is True and sol.status == "OPTIMAL"
    assert sol.objective == dense.objective == total_objective(problem, sol.pairing)
    report = check(problem, sol.pairing, [side.violations])
    assert report.ok, report.violations
    # One round only, or a deadline already past: whatever is reported, its bound is
    # never below the optimum, and a FEASIBLE answer still keeps every rule.
    for got in (_certified(sparse, side, rounds=1), _certified(sparse, side, deadline=0.0)):
        _, sol1, info1 = got
        assert sol1.bound >= dense.objective
        assert check(problem, sol1.pairing, [side.violations]).ok
        if info1["certified"]:
            assert sol1.objective == dense.objective and sol1.status == "OPTIMAL"
        else:
            assert sol1.status == "FEASIBLE" and sol1.gap > 0 and sol1.stage is not None
            assert sol1.objective <= dense.objective < sol1.bound or sol1.objective < dense.objective


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(several_tiny(pins=True), st.booleans(), st.integers(0, 2**32 - 1))
def test_certified_answer_equals_brute_force(case, distinct, seed):
    problem, group = case
    side = SideRules((DistinctMentors(group, "department"),)) if distinct else SideRules()
    pins = np.array(problem.pins, np.int64).reshape(-1, 2)
    if side.violations(problem, Pairing.of(pins[:, 0], pins[:, 1], problem.shape[0])):
        return  # pins that break distinctness: the prechecks refuse them before solving
    keep = np.random.default_rng(seed).random(problem.shape) < 0.3
    _, sol, info = _certified(sparse_from_dense(problem, keep), side)
    assert info["certified"] is True
    best, _ = brute_force(problem, group=group if distinct else None)
    assert lexicographic(problem, [tuple(p) for p in sol.pairing.pairs.tolist()]) == best


def test_a_pruned_second_mentor_is_found_and_the_bound_names_the_pairs_level():
    # Mentee 0 wants two mentors; the candidates hold only (0, 0): the certificate must add
    # (0, 1). Stopped after one round, the answer is FEASIBLE and the pairs level is open.
    problem = problem_of([[90.0, 50.0], [10.0, 10.0]], [0.5, 0.5], [[0, 0], [0, 1]], [2, 1], [1, 1], [2, 1])
    keep = np.array([[1, 0], [1, 0]], bool)
    side = SideRules()
    _, sol, info = _certified(sparse_from_dense(problem, keep), side)
    assert info["certified"] and sorted(map(tuple, sol.pairing.pairs.tolist())) == [(0, 0), (0, 1), (1, 0)]
    assert "the most pairs proven by a min cut" in info["method"]
    _, cut, info1 = _certified(sparse_from_dense(problem, keep), side, rounds=1)
    assert not info1["certified"] and cut.stage == "matched" and cut.pairing.size == 2
    assert cut.bound >= sol.objective > cut.objective


def test_the_unproven_bound_counts_every_place_a_mentee_has():
    # Mentee 1 wants two mentors and both of its better pairs are pruned: the bound must
    # allow two new pairs for it (the largest excess alone is below what they add).
    score = [[100.0, 30.0, 70.0, 100.0, 80.0], [80.0, 0.0, 40.0, 70.0, 60.0]]
    problem = problem_of(score, [0, 0], np.zeros((2, 5)), [1, 1, 2, 2, 2], [1, 1], [1, 2])
    keep = np.array([[1, 1, 1, 1, 1], [0, 1, 0, 0, 1]], bool)
    dense = solve_flow(problem, SideRules())
    _, sol, info = _certified(sparse_from_dense(problem, keep), SideRules(), rounds=1)
    assert not info["certified"] and sol.objective < dense.objective <= sol.bound


def test_level_gap_names_the_covered_level():
    # Two pairs either way; giving mentee 1 a mentor instead of mentee 0 a second one covers
    # one more mentee: a bound one C above the answer leaves the covered level open.
    from matcher.solve.problem import cover_weight

    problem = problem_of([[90.0, 80.0], [10.0, 10.0]], [0.5, 0.5], np.zeros((2, 2)), [1, 1], [1, 1], [2, 1])
    pairing = Pairing.of([0, 0], [0, 1], 2)
    obj = total_objective(problem, pairing)
    assert certificate.level_gap(problem, pairing, obj, obj)[0] is None
    assert certificate.level_gap(problem, pairing, obj, obj + cover_weight(problem))[0] == "covered"
    assert certificate.level_gap(problem, pairing, obj, obj + 5)[0] == "score"


# ------------------------------------------------------------------ whole runs, above the limit


def _write(tmp_path, n_e, n_r, seed, distinct=None, rules="", preferences=""):
    rng = np.random.default_rng(seed)
    mentors, mentees = generate_cohort(n_e, n_r, seed, preferences=bool(preferences))
    mentees["mentors_wanted"] = [str(v) if v > 1 else "" for v in rng.integers(1, 4, n_e)]
    mentors.to_csv(tmp_path / "mentors.csv", index=False)
    mentees.to_csv(tmp_path / "mentees.csv", index=False)
    text = "[rules]\n" + (f'distinct_mentors_by = "{distinct}"\n' if distinct else "") + rules
    text += f"[preferences]\n{preferences}" if preferences else ""
    (tmp_path / "cfg.toml").write_text(text)
    return tmp_path / "mentors.csv", tmp_path / "mentees.csv", tmp_path / "cfg.toml"


@pytest.mark.parametrize(
    ("distinct", "rules"),
    [
        (None, ""),
        ("department", ""),
        ("profession", ""),
        ("department", "max_same_department_per_mentor = 1\n"),
    ],
)
@pytest.mark.parametrize("candidates", [1, 4])
def test_runs_above_the_dense_limit_are_certified_and_equal_dense(
    tmp_path, monkeypatch, distinct, rules, candidates
):
    cohort, config = load(*_write(tmp_path, 110, 40, 5, distinct, rules))
    assert cohort.several_mentors
    dense = match(cohort, config)
    monkeypatch.setattr(large, "DENSE_LIMIT", cohort.n_mentees * cohort.n_mentors - 1)
    monkeypatch.setattr(large, "CANDIDATES", candidates)
    monkeypatch.setattr(large, "MENTOR_CANDIDATES", 0)
    sparse = match(cohort, config)
    assert isinstance(sparse.problem, SparseProblem) and sparse.problem.multi
    assert sparse.certificate["certified"] is True and sparse.solution.status == "OPTIMAL"
    assert sparse.solution.objective == dense.solution.objective
    assert sparse.solution.bound == dense.solution.objective and sparse.solution.gap == 0
    assert check(dense.problem, sparse.solution.pairing, [dense.side.violations]).ok
    # Partly matched mentees are reported, as in the dense run.
    assert sorted(sparse.unmatched) == sorted(dense.unmatched)
    assert any(sparse.solution.pairing.count[i] > 0 for i in sparse.unmatched)


@pytest.mark.parametrize("distinct", [None, "department"])
def test_an_unproven_run_reports_a_true_bound(tmp_path, monkeypatch, distinct):
    cohort, config = load(*_write(tmp_path, 110, 40, 8, distinct))
    dense = match(cohort, config)
    for module, name, value in (
        (large, "DENSE_LIMIT", 0),
        (large, "CANDIDATES", 1),
        (certificate, "ROUNDS", 1),
    ):
        monkeypatch.setattr(module, name, value)
    monkeypatch.setattr(large, "MENTOR_CANDIDATES", 0)
    sparse = match(cohort, config)
    sol = sparse.solution
    assert not sparse.certificate["certified"]  # one candidate each cannot fill two places
    assert sol.status == "FEASIBLE" and sol.gap > 0 and sol.stage is not None
    assert sol.bound >= dense.solution.objective > sol.objective
    assert sparse.report.ok


def test_cli_writes_every_output_above_the_dense_limit(tmp_path, monkeypatch):
    mentors, mentees, cfg = _write(tmp_path, 90, 35, 3, "department")
    args = ["--mentors", str(mentors), "--mentees", str(mentees), "--config", str(cfg)]
    dense = CliRunner().invoke(cli, ["match", *args, "--out", str(tmp_path / "dense")])
    assert dense.exit_code == 0, dense.output
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 2)
    out = tmp_path / "sparse"
    result = CliRunner().invoke(cli, ["match", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "alternatives are not computed" in result.stderr
    assert not (out / "alternatives.csv").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL" and summary["certificate"]["certified"] is True
    assert "(mentee, department) nodes" in summary["certificate"]["method"]
    # The same pairs and the same partly matched mentees, with the same reasons, byte for byte.
    for name in ("pairs.csv", "unmatched.csv"):
        assert (out / name).read_bytes() == (tmp_path / "dense" / name).read_bytes()
    assert "mentors wanted" in (out / "unmatched.csv").read_text(encoding="utf-8-sig")  # partly matched
    # explain: each proposed mentor with the five Cs, higher-scoring mentors named, unpriced.
    pairs = (out / "pairs.csv").read_text(encoding="utf-8-sig").splitlines()
    header = pairs[0].split(",")
    counts: dict[str, int] = {}
    for line in pairs[1:]:
        e_id = line.split(",")[header.index("mentee_id")]
        counts[e_id] = counts.get(e_id, 0) + 1
    two = next(e for e, n in counts.items() if n >= 2)
    text = CliRunner().invoke(cli, ["explain", *args, "--mentee", two])
    assert text.exit_code == 0, text.output
    assert text.output.count("proposed mentor ") == counts[two]
    assert "The five Cs" in text.output


def test_distinct_topics_above_the_dense_limit_is_refused_clearly(tmp_path, monkeypatch):
    cohort, config = load(*_write(tmp_path, 40, 20, 2, "topics"))
    assert match(cohort, config).solution.status == "OPTIMAL"  # dense: CP-SAT holds it
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    with pytest.raises(ConfigError) as err:
        match(cohort, config)
    text = str(err.value)
    assert 'distinct_mentors_by = "topics"' in text and "CP-SAT" in text
    assert "department" in text and "smaller groups" in text  # how to fix


def test_rematch_above_the_dense_limit_equals_dense_and_a_budget_is_refused_clearly(tmp_path, monkeypatch):
    import csv

    mentors, mentees, cfg = _write(tmp_path, 90, 35, 3, "department")
    args = ["--mentors", str(mentors), "--mentees", str(mentees), "--config", str(cfg)]
    first = CliRunner().invoke(cli, ["match", *args, "--out", str(tmp_path / "r1")])
    assert first.exit_code == 0, first.output
    with open(tmp_path / "r1" / "pairs.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(tmp_path / "failed.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("mentee_id,mentor_id,reason\n")
        fh.writelines(f"{r['mentee_id']},{r['mentor_id']},care\n" for r in rows[:6])
    again = [
        "rematch",
        *args,
        "--pairs",
        str(tmp_path / "r1" / "pairs.csv"),
        "--failed",
        str(tmp_path / "failed.csv"),
    ]
    dense = CliRunner().invoke(cli, [*again, "--out", str(tmp_path / "dense")])
    assert dense.exit_code == 0, dense.output
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 2)
    sparse = CliRunner().invoke(cli, [*again, "--out", str(tmp_path / "sparse")])
    assert sparse.exit_code == 0, sparse.output
    for name in ("pairs.csv", "changes.csv", "unmatched.csv"):
        assert (tmp_path / "sparse" / name).read_bytes() == (tmp_path / "dense" / name).read_bytes()
    refused = CliRunner().invoke(cli, [*again, "--max-changes", "2", "--out", str(tmp_path / "budget")])
    assert refused.exit_code != 0 and not (tmp_path / "budget" / "pairs.csv").exists()
    assert "mentors_wanted" in refused.stderr and "--max-changes 0" in refused.stderr


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(12, 60),
    st.integers(4, 25),
    st.integers(0, 10_000),
    st.sampled_from([None, "department", "profession"]),
    st.sampled_from([1, 2, 5]),
    st.booleans(),
)
def test_whole_runs_on_candidates_equal_dense_property(n_e, n_r, seed, distinct, candidates, spread):
    """Generated cohorts with random mentors_wanted, rules and candidate counts: the
    candidate-set run is certified and its objective is the dense optimum."""
    import tempfile
    from pathlib import Path

    rules = "max_same_department_per_mentor = 1\n" if spread else ""
    with tempfile.TemporaryDirectory() as tmp:
        cohort, config = load(*_write(Path(tmp), n_e, n_r, seed, distinct, rules))
    dense = match(cohort, config)
    saved = large.DENSE_LIMIT, large.CANDIDATES, large.MENTOR_CANDIDATES
    try:
        large.DENSE_LIMIT, large.CANDIDATES, large.MENTOR_CANDIDATES = 0, candidates, 0
        sparse = match(cohort, config)
    finally:
        large.DENSE_LIMIT, large.CANDIDATES, large.MENTOR_CANDIDATES = saved
    assert sparse.certificate["certified"] is True and sparse.solution.status == "OPTIMAL"
    assert sparse.solution.objective == dense.solution.objective
    assert check(dense.problem, sparse.solution.pairing, [dense.side.violations]).ok


@pytest.mark.parametrize("distinct", [None, "department"])
@pytest.mark.parametrize("prefs", ["shortlist = true\n", "shortlist = true\nmentee_bonus = [30, 20]\n"])
def test_shortlist_with_several_mentors_above_the_dense_limit_equals_dense(
    tmp_path, monkeypatch, distinct, prefs
):
    # The tier's N is the most pairs on candidate sets too (as on the dense problem): the
    # certified answer is the dense optimum, level by level.
    cohort, config = load(*_write(tmp_path, 100, 40, 6, distinct, preferences=prefs))
    dense = match(cohort, config)
    assert dense.problem.shortlist > 0 and dense.problem.multi
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 2)
    sparse = match(cohort, config)
    assert sparse.problem.shortlist == dense.problem.shortlist
    assert sparse.certificate["certified"] is True and sparse.solution.status == "OPTIMAL"
    assert sparse.solution.objective == dense.solution.objective
    assert check(dense.problem, sparse.solution.pairing, [dense.side.violations]).ok
