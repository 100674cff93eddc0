"""The candidate-set certificate with side rules: proven answers equal the dense optimum,
and a bound reported without proof is never below it.

Oracles: the dense min-cost flow (every pair in the model; itself checked against brute
force and scipy in tests/test_solver_oracle.py) and, on tiny problems, a brute force over
every assignment written here from the definitions (capacity, department spread, mentor
minimum, the fair max-min, the lexicographic objective). Candidate sets are random subsets
of the allowed pairs, so the certificate has to find what is missing.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matcher.solve.candidates as large
import matcher.solve.certificate as certificate
from matcher.api import load, match
from matcher.errors import InfeasibleError
from matcher.solve.candidates import NOT_ALLOWED, SparseProblem
from matcher.solve.check import check
from matcher.solve.engines.flow import solve_flow
from matcher.solve.problem import MatchProblem, score_units, total_objective
from matcher.solve.side_rules import SideRules
from matcher.synthetic.cohort import write_cohort


def sparse_from_dense(problem: MatchProblem, keep: np.ndarray) -> SparseProblem:
    """The candidate-set problem holding the allowed pairs of ``keep`` (n_e, n_r) bool (and
    every pin), with every pair's score stored, exactly as candidate_problem builds it."""
    allowed = problem.allowed
    keep = keep & allowed
    for i, j in problem.pins:
        keep[i, j] = allowed[i, j]
    units = np.where(allowed, score_units(problem.score), NOT_ALLOWED).astype(np.uint16)
    pruned = np.where(allowed & ~keep, score_units(problem.score), -1)
    ei, rj = np.nonzero(keep)
    n_e, n_r = problem.shape

    def rescore(rows):
        rows = np.asarray(rows)
        return np.full((5, rows.size, n_r), 0.5), problem.score[rows], problem.excluded[rows]

    return SparseProblem(
        shape=problem.shape,
        readiness=problem.readiness,
        capacity=problem.capacity.copy(),
        eligible=problem.eligible,
        ei=ei.astype(np.int64),
        rj=rj.astype(np.int64),
        arc_score=problem.score[ei, rj],
        arc_comps=np.full((5, ei.size), 0.5, np.float32),
        per_mentee=allowed.sum(axis=1),
        per_mentor=allowed.sum(axis=0),
        units=units,
        best_pruned=pruned.max(axis=1) if n_r else np.full(n_e, -1),
        rescore=rescore,
        components_of=lambda ii, jj: np.full((5, np.size(ii)), 0.5),
        pins=problem.pins,
        max_score=problem.max_score,  # scores with preference bonuses go above 100 (M raised)
        wanted=problem.wanted,  # several mentors per mentee (mentors_wanted)
    )


def _side(department, spread, minimum, fair) -> SideRules:
    return SideRules.of(
        department=np.asarray(department), max_same_department=spread, min_per_mentor=minimum, fair=fair
    )


@st.composite
def cases(draw, max_e=9, max_r=4):
    n_e = draw(st.integers(1, max_e))
    n_r = draw(st.integers(1, max_r))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    coarse = draw(st.booleans())  # few distinct scores: ties, and thresholds that bind
    score = (rng.integers(0, 5, (n_e, n_r)) * 2000 if coarse else rng.integers(0, 10_001, (n_e, n_r))) / 100
    readiness = rng.choice([0.25, 0.5, 0.75], n_e) if draw(st.booleans()) else rng.integers(0, 101, n_e) / 100
    excluded = np.where(rng.random((n_e, n_r)) < draw(st.sampled_from([0.0, 0.3, 0.6])), 1, 0)
    capacity = rng.integers(0, 4, n_r)
    eligible = rng.random(n_e) >= draw(st.sampled_from([0.0, 0.2]))
    pins = []
    if draw(st.booleans()):
        free = capacity.copy()
        for i in rng.permutation(n_e)[:2]:
            js = [j for j in range(n_r) if free[j] > 0 and excluded[i, j] == 0 and eligible[i]]
            if js:
                j = int(rng.choice(js))
                free[j] -= 1
                pins.append((int(i), j))
    problem = MatchProblem(
        score=score,
        readiness=readiness,
        excluded=excluded.astype(np.uint16),
        capacity=capacity.astype(np.int64),
        eligible=eligible,
        pins=tuple(pins),
    )
    if draw(st.booleans()):  # [preferences] bonuses: pairs up to 100 + 200 points, M raised
        bonus = rng.choice([0.0, 0.0, 0.0, 50.0, 200.0], (n_e, n_r))
        problem = replace(problem, score=np.round(score + bonus, 2), max_score=300.0)
    department = rng.integers(-1, 3, n_e)
    spread = draw(st.sampled_from([None, 1, 2]))
    minimum = draw(st.sampled_from([0, 0, 1, 2]))
    fair = draw(st.booleans())
    keep = rng.random((n_e, n_r)) < draw(st.sampled_from([0.0, 0.2, 0.5]))
    side = _side(department, spread, minimum, fair)
    if spread is not None:  # pins within the spread (a pin that breaks it is an input error)
        pinned = [(j, department[i]) for i, j in pins if department[i] >= 0]
        if any(pinned.count(p) > spread for p in pinned):
            side = _side(department, None, minimum, fair)
    return problem, side, keep


def _certified(sparse, side, rounds=None):
    return certificate.certify(sparse, side, lambda p: solve_flow(p, side), rounds=rounds)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_certified_answer_is_the_dense_optimum_and_an_unproven_bound_is_a_bound(case):
    problem, side, keep = case
    sparse = sparse_from_dense(problem, keep)
    try:
        dense = solve_flow(problem, side)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            _certified(sparse, side)
        return
    _, sol, info = _certified(sparse, side)
    assert info["certified"] is True and sol.status == "OPTIMAL"
    assert sol.objective == dense.objective == total_objective(problem, sol.mentor_of)
    assert sol.lowest_score == dense.lowest_score
    report = check(problem, sol.mentor_of, [side.violations])
    assert report.ok, report.violations
    # One round only: whatever it reports, its bound is never below the optimum.
    _, sol1, info1 = _certified(sparse, side, rounds=1)
    assert sol1.bound >= dense.objective
    if info1["certified"]:
        assert sol1.objective == dense.objective and sol1.status == "OPTIMAL"
    else:
        assert sol1.status == "FEASIBLE" and sol1.gap >= 0
        assert check(problem, sol1.mentor_of, [side.violations]).ok
    # A deadline already past: one round, no more; the same honesty.
    _, sol0, info0 = certificate.certify(sparse, side, lambda p: solve_flow(p, side), deadline=0.0)
    assert sol0.bound >= dense.objective
    if info0["certified"]:
        assert info0["rounds"] == 1 and sol0.objective == dense.objective
    else:
        assert sol0.status == "FEASIBLE" and "time limit after 1 rounds" in info0["method"]
        assert check(problem, sol0.mentor_of, [side.violations]).ok


def brute_force(problem: MatchProblem, side: SideRules):
    """The lexicographic optimum from the definitions: (matched, [lowest score,] Σ readiness
    units, Σ score units) over every assignment that respects every rule; None if none."""
    n_e, n_r = problem.shape
    pinned = dict(problem.pins)
    options = []
    for i in range(n_e):
        if i in pinned:
            options.append([pinned[i]])
        else:
            options.append([-1, *(j for j in range(n_r) if problem.allowed[i, j])])
    need = side.minimum.need(problem.capacity) if side.minimum else np.zeros(n_r, int)
    best = None
    for combo in itertools.product(*options):
        mentor_of = np.array(combo)
        load = np.bincount(mentor_of[mentor_of >= 0], minlength=n_r)
        if (load > problem.capacity).any() or (load < need).any() or side.violations(problem, mentor_of):
            continue
        m = mentor_of >= 0
        s = score_units(problem.score[np.flatnonzero(m), mentor_of[m]])
        r = int(np.rint(problem.readiness[m] * 100).sum())
        key = (int(m.sum()), *([int(s.min()) if s.size else 10_000] if side.fair else []), r, int(s.sum()))
        best = key if best is None or key > best else best
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_e=6, max_r=3))
def test_certified_answer_equals_brute_force(case):
    problem, side, keep = case
    want = brute_force(problem, side)
    sparse = sparse_from_dense(problem, keep)
    if want is None:
        with pytest.raises(InfeasibleError):
            _certified(sparse, side)
        return
    _, sol, info = _certified(sparse, side)
    assert info["certified"] is True
    mentor_of = sol.mentor_of
    m = mentor_of >= 0
    s = score_units(problem.score[np.flatnonzero(m), mentor_of[m]])
    got = (
        int(m.sum()),
        *([int(s.min()) if s.size else 10_000] if side.fair else []),
        int(np.rint(problem.readiness[m] * 100).sum()),
        int(s.sum()),
    )
    assert got == want


# ------------------------------------------------------------------ whole runs, just above the limit

RULES = [
    {"max_same_department_per_mentor": 1},
    {"min_mentees_per_mentor": 1},
    {"objective": "fair"},
    {"max_same_department_per_mentor": 1, "min_mentees_per_mentor": 1},
    {"objective": "fair", "max_same_department_per_mentor": 1, "min_mentees_per_mentor": 1},
]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    m, e = write_cohort(tmp_path_factory.mktemp("c"), 140, 50, 7)
    return load(m, e)


@pytest.mark.parametrize("rules", RULES, ids=lambda r: "+".join(r))
@pytest.mark.parametrize("candidates", [1, 4])
def test_runs_just_above_the_dense_limit_are_certified_and_equal_dense(
    cohort, monkeypatch, rules, candidates
):
    c, config = cohort
    config = config.with_rules(**rules)
    dense = match(c, config)
    # The rules bind: without them the optimum differs.
    free = match(c, cohort[1])
    assert free.solution.objective != dense.solution.objective
    monkeypatch.setattr(large, "DENSE_LIMIT", c.n_mentees * c.n_mentors - 1)
    monkeypatch.setattr(large, "CANDIDATES", candidates)
    sparse = match(c, config)
    assert isinstance(sparse.problem, SparseProblem)
    assert sparse.certificate["certified"] is True and sparse.solution.status == "OPTIMAL"
    assert sparse.solution.objective == dense.solution.objective
    assert sparse.solution.lowest_score == dense.solution.lowest_score
    assert sparse.solution.bound == dense.solution.objective and sparse.solution.gap == 0
    assert check(dense.problem, sparse.solution.mentor_of, [dense.side.violations]).ok


@pytest.mark.parametrize("rules", [{}, *RULES], ids=lambda r: "+".join(r) or "plain")
def test_an_unproven_run_reports_a_true_bound(cohort, monkeypatch, rules):
    c, config = cohort
    config = config.with_rules(**rules)
    dense = match(c, config)
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 1)
    monkeypatch.setattr(large, "MENTOR_CANDIDATES", 0)
    monkeypatch.setattr(certificate, "ROUNDS", 1)
    sparse = match(c, config)
    sol = sparse.solution
    assert sol.bound >= dense.solution.objective
    if not sparse.certificate["certified"]:
        assert sol.status == "FEASIBLE" and sol.gap > 0 and sol.stage is not None
        assert sol.bound > sol.objective


def test_a_minimum_impossible_on_the_candidates_widens_them(monkeypatch):
    # Mentor 1 is every mentee's second choice: with one candidate per mentee, nobody can
    # reach it, yet the minimum holds on the full problem.
    score = np.array([[90.0, 50.0], [80.0, 40.0], [70.0, 30.0]])
    problem = MatchProblem(
        score=score,
        readiness=np.full(3, 0.5),
        excluded=np.zeros((3, 2), np.uint16),
        capacity=np.array([3, 1]),
        eligible=np.ones(3, bool),
    )
    side = SideRules.of(min_per_mentor=1)
    sparse = sparse_from_dense(problem, np.array([[1, 0], [1, 0], [1, 0]], bool))
    with pytest.raises(InfeasibleError):
        solve_flow(sparse, side)
    _, sol, info = _certified(sparse, side)
    assert info["certified"] and sol.objective == solve_flow(problem, side).objective
    assert sol.mentor_of.tolist() == [0, 0, 1]


def test_a_minimum_impossible_on_the_full_problem_stays_an_error():
    problem = MatchProblem(
        score=np.array([[90.0, 50.0], [80.0, 40.0]]),
        readiness=np.full(2, 0.5),
        excluded=np.array([[0, 1], [0, 1]], np.uint16),  # nobody may take mentor 1
        capacity=np.array([3, 1]),
        eligible=np.ones(2, bool),
    )
    side = SideRules.of(min_per_mentor=1)
    with pytest.raises(InfeasibleError):
        _certified(sparse_from_dense(problem, np.zeros((2, 2), bool)), side)


def test_the_fair_threshold_is_raised_by_a_pruned_pair():
    # The candidates allow a lowest score of 20; the pruned pair (1, 1) allows 60.
    problem = MatchProblem(
        score=np.array([[80.0, 10.0], [20.0, 60.0]]),
        readiness=np.full(2, 0.5),
        excluded=np.zeros((2, 2), np.uint16),
        capacity=np.array([1, 1]),
        eligible=np.ones(2, bool),
    )
    side = SideRules.of(fair=True)
    sparse = sparse_from_dense(problem, np.array([[1, 1], [1, 0]], bool))
    assert solve_flow(sparse, side).lowest_score == 10.0
    _, sol, info = _certified(sparse, side)
    assert info["certified"] and sol.lowest_score == 60.0 and sol.mentor_of.tolist() == [0, 1]


def test_level_gap_names_the_first_open_level():
    problem = MatchProblem(
        score=np.array([[50.0]]),
        readiness=np.array([0.5]),
        excluded=np.zeros((1, 1), np.uint16),
        capacity=np.array([1]),
        eligible=np.ones(1, bool),
    )
    mentor_of = np.array([0])
    obj = total_objective(problem, mentor_of)
    assert certificate.level_gap(problem, mentor_of, obj, obj) == (None, 0.0)
    stage, gap = certificate.level_gap(problem, mentor_of, obj, obj + 100)
    assert stage == "score" and gap == pytest.approx(100 / 5100)
    from matcher.solve.problem import multipliers

    a, b = multipliers(problem)
    assert certificate.level_gap(problem, mentor_of, obj, obj + b)[0] == "readiness"
    assert certificate.level_gap(problem, mentor_of, obj, obj + a)[0] == "matched"
