"""The bounded re-match engine (``rematch --max-changes N``) is exact.

Oracles: a brute force over every assignment written from the definitions (capacity,
department spread, mentor minimum, the budget on moved working pairs, the integer
objective), and a plain CP-SAT model of the whole problem (the cp_sat engine without the
flow's hint or bounds). Also: its time limit, candidate sets equal to dense, and a bound
never below the optimum.
"""

from __future__ import annotations

import dataclasses
import itertools
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matcher.solve.candidates as large
from matcher.api import load
from matcher.errors import InfeasibleError
from matcher.io.config import Config
from matcher.rematch import Failure, rematch
from matcher.solve import engines
from matcher.solve.bonus import add_shortlist
from matcher.solve.check import check
from matcher.solve.engines import budget as engine
from matcher.solve.engines.cp_sat import solve_cpsat
from matcher.solve.problem import MatchProblem, total_objective
from matcher.solve.side_rules import SideRules
from matcher.synthetic.cohort import write_cohort
from tests.solve.test_bonus import _levels
from tests.solve.test_certificate import sparse_from_dense  # at import: never inside a @given

SOLVER = Config().solver


def brute_force(problem: MatchProblem, side: SideRules, levels=None):
    """Largest integer objective over every assignment within every rule; None if none.
    ``levels(x)``: rank assignments by this tuple instead (an order stated in words)."""
    levels = levels or (lambda x: total_objective(problem, x))
    n_e, n_r = problem.shape
    pinned = dict(problem.pins)
    options = [[pinned[i]] if i in pinned else [-1, *np.flatnonzero(problem.allowed[i])] for i in range(n_e)]
    need = side.minimum.need(problem.capacity) if side.minimum else np.zeros(n_r, int)
    best = None
    for combo in itertools.product(*options):
        x = np.array(combo)
        load_ = np.bincount(x[x >= 0], minlength=n_r)
        if (load_ > problem.capacity).any() or (load_ < need).any() or side.violations(problem, x):
            continue
        value = levels(x)
        best = value if best is None or value > best else best
    return best


@st.composite
def budget_cases(draw, max_e=7, max_r=3, bonuses=True):
    n_e, n_r = draw(st.integers(2, max_e)), draw(st.integers(1, max_r))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    coarse = draw(st.booleans())
    score = (rng.integers(0, 5, (n_e, n_r)) * 2000 if coarse else rng.integers(0, 10_001, (n_e, n_r))) / 100
    problem = MatchProblem(
        score=score,
        readiness=rng.choice([0.25, 0.5, 0.75], n_e),
        excluded=(rng.random((n_e, n_r)) < draw(st.sampled_from([0.0, 0.3]))).astype(np.uint16),
        capacity=rng.integers(0, 3, n_r).astype(np.int64),
        eligible=rng.random(n_e) >= draw(st.sampled_from([0.0, 0.2])),
    )
    if bonuses and draw(st.booleans()):  # [preferences] bonuses: scores above 100, M raised (max_score)
        bonus = rng.choice([0.0, 0.0, 15.0, 30.0], (n_e, n_r))
        problem = dataclasses.replace(problem, score=np.round(score + bonus, 2), max_score=130.0)
        score = problem.score
    # The working pairs: a feasible pairing, often a poor one (so that moving pays).
    x = np.full(n_e, -1)
    load_ = np.zeros(n_r, int)
    worst = draw(st.booleans())
    for i in rng.permutation(n_e):
        js = [j for j in range(n_r) if problem.allowed[i, j] and load_[j] < problem.capacity[j]]
        if js:
            j = min(js, key=lambda j: score[i, j]) if worst else int(rng.choice(js))
            x[i] = j
            load_[j] += 1
    keep = tuple((int(i), int(x[i])) for i in range(n_e) if x[i] >= 0 and rng.random() < 0.85)
    if keep and draw(st.booleans()):  # a pin among the working pairs
        problem = dataclasses.replace(problem, pins=(keep[0],))
    side = SideRules.of(
        department=rng.integers(-1, 2, n_e),
        max_same_department=draw(st.sampled_from([None, None, 1])),
        min_per_mentor=draw(st.sampled_from([0, 0, 1])),
        keep=keep,
        max_changes=draw(st.integers(0, 3)),
    )
    if side.spread is not None and problem.pins:
        i, j = problem.pins[0]
        if side.department[i] >= 0 and side.spread.cap < 1:  # pragma: no cover - cap is 1
            side = side.without(type(side.spread))
    return problem, side


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget_cases())
def test_the_engine_equals_brute_force(case):
    problem, side = case
    want = brute_force(problem, side)
    if want is None:
        with pytest.raises(InfeasibleError):
            engine.solve_budget(problem, side, SOLVER)
        return
    sol = engine.solve_budget(problem, side, SOLVER)
    assert sol.status == "OPTIMAL" and sol.bound == sol.objective == want
    assert check(problem, sol.mentor_of, [side.violations]).ok
    assert sol.proof["certified"] is True and sol.proof["moved"] <= side.max_changes


def _rematch_problem(tmp_path, n_e, n_r, seed, failed=6, **rules):
    """A generated cohort's optimum (under ``rules``), then its worst-scored pairs failed →
    (cohort, config, the previous pairs, the failures): what a rematch starts from."""
    from matcher.api import match

    m, e = write_cohort(tmp_path, n_e, n_r, seed)
    cohort, config = load(m, e)
    config = config.with_rules(**rules)
    first = match(cohort, config)
    x = first.solution.mentor_of
    matched = np.flatnonzero(x >= 0)
    worst = matched[np.argsort(first.problem.score[matched, x[matched]])[:failed]]
    failures = [
        Failure(cohort.mentee_ids[i], cohort.mentor_ids[x[i]], "challenge", "", n + 2)
        for n, i in enumerate(worst)
    ]
    previous = [(cohort.mentee_ids[i], cohort.mentor_ids[x[i]]) for i in matched]
    return cohort, config, previous, failures


@pytest.mark.parametrize("seed", [2, 5])
def test_the_engine_equals_a_plain_cp_sat_model(tmp_path, seed):
    cohort, config, previous, failures = _rematch_problem(tmp_path, 36, 14, seed)
    base = rematch(cohort, config, previous, failures, [], max_changes=0).result
    for n in (1, 2, 4):
        res = rematch(cohort, config, previous, failures, [], max_changes=n).result
        assert res.solution.solver == engine.SOLVER and res.solution.status == "OPTIMAL"
        # The whole problem in CP-SAT, no hint and no bound from any flow.
        plain = solve_cpsat(res.problem, res.side, dataclasses.replace(SOLVER, time_limit_seconds=60))
        assert plain.status == "OPTIMAL"
        assert res.solution.objective == plain.objective
        assert res.solution.objective >= base.solution.objective
        moved = sum(1 for i, j in res.side.keep if res.solution.mentor_of[i] != j)
        assert moved <= n


def test_auto_chooses_the_engine_for_a_budget_and_it_is_fast_at_1000_by_400(tmp_path):
    cohort, config, previous, failures = _rematch_problem(tmp_path, 1000, 400, 1, failed=20)
    results = {}
    for n in (5, 20):
        t = time.perf_counter()
        res = rematch(cohort, config, previous, failures, [], max_changes=n).result
        results[n] = (res, time.perf_counter() - t)
        assert engines.choose("auto", res.problem, res.side).name == "budget"
        assert res.solution.status == "OPTIMAL" and res.certificate["certified"] is True
    assert results[20][0].solution.objective >= results[5][0].solution.objective
    # A time limit too short to prove it: FEASIBLE with a true bound, and on time.
    res, _ = results[20]
    short = dataclasses.replace(SOLVER, time_limit_seconds=0.05)
    t = time.perf_counter()
    sol = engine.solve_budget(res.problem, res.side, short)
    assert time.perf_counter() - t < 0.05 + 1.0
    assert sol.bound >= res.solution.objective >= sol.objective
    assert check(res.problem, sol.mentor_of, [res.side.violations]).ok
    if sol.status == "FEASIBLE":
        assert sol.gap > 0 and sol.stage is not None


@pytest.mark.parametrize("first_round", ["too long", "fits"])
@pytest.mark.parametrize(
    "rules", [{}, {"max_same_department_per_mentor": 2}], ids=lambda r: "+".join(r) or "plain"
)
def test_when_the_time_limit_hits_the_answer_and_bound_are_honest_and_on_time(
    tmp_path, monkeypatch, rules, first_round
):
    """A limit the first flow cannot meet ("too long": the working pairs as they are, with a
    bound found without a flow) or that stops the first certificate after one round
    ("fits"): a pairing within every rule and the budget, a bound never below the optimum,
    FEASIBLE with a gap unless proven, and no flow past the limit."""
    cohort, config, previous, failures = _rematch_problem(tmp_path, 150, 55, 7, failed=8, **rules)
    dense = rematch(cohort, config, previous, failures, [], max_changes=3).result
    assert dense.solution.status == "OPTIMAL"
    optimum = dense.solution.objective
    # A few candidates a mentee: the first certificate round cannot prove the answer.
    sparse = sparse_from_dense(dense.problem, np.random.default_rng(0).random(dense.problem.shape) < 0.05)
    monkeypatch.setattr(engine, "_first_round", lambda problem: 1e9 if first_round == "too long" else 0.0)
    short = dataclasses.replace(SOLVER, time_limit_seconds=1e-9)
    t = time.perf_counter()
    sol = engine.solve_budget(sparse, dense.side, short)
    elapsed = time.perf_counter() - t
    assert elapsed < 1.0
    assert sol.bound >= optimum >= sol.objective
    assert check(dense.problem, sol.mentor_of, [dense.side.violations]).ok
    assert sol.status == "FEASIBLE" and sol.proof["certified"] is False
    assert sol.bound > sol.objective and sol.gap > 0 and sol.stage is not None
    if first_round == "too long":  # nothing solved: every working pair kept, nobody else
        kept = dict(dense.side.budget.keep)
        assert {i: j for i, j in enumerate(sol.mentor_of) if j >= 0} == kept


@pytest.mark.parametrize(
    "rules",
    [{}, {"max_same_department_per_mentor": 2}, {"min_mentees_per_mentor": 1}],
    ids=lambda r: "+".join(r) or "plain",
)
def test_candidate_sets_give_the_dense_answer(tmp_path, monkeypatch, rules):
    cohort, config, previous, failures = _rematch_problem(tmp_path, 150, 55, 7, failed=8, **rules)
    for n in (0, 2, 5):
        dense = rematch(cohort, config, previous, failures, [], max_changes=n).result
        with monkeypatch.context() as mp:
            mp.setattr(large, "DENSE_LIMIT", 0)
            mp.setattr(large, "CANDIDATES", 3)
            sparse = rematch(cohort, config, previous, failures, [], max_changes=n).result
        assert isinstance(sparse.problem, large.SparseProblem)
        assert sparse.solution.status == dense.solution.status == "OPTIMAL"
        assert sparse.certificate["certified"] is True
        assert sparse.solution.objective == dense.solution.objective
        assert check(dense.problem, sparse.solution.mentor_of, [dense.side.violations]).ok


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget_cases(), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.3, 0.6]))
def test_on_a_candidate_set_the_engine_equals_brute_force(case, seed, share):
    problem, side = case
    keep = np.random.default_rng(seed).random(problem.shape) < share
    sparse = sparse_from_dense(problem, keep)
    want = brute_force(problem, side)
    if want is None:
        with pytest.raises(InfeasibleError):
            engine.solve_budget(sparse, side, SOLVER)
        return
    sol = engine.solve_budget(sparse, side, SOLVER)
    assert sol.status == "OPTIMAL" and sol.objective == want
    assert check(problem, sol.mentor_of, [side.violations]).ok


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget_cases(max_e=6, max_r=3))
def test_a_cp_sat_stage_left_open_gives_a_true_bound(case):
    """The cp_sat engine's bound when it stops at a stage: for the worst pairing that is
    optimal for every earlier stage, the bound is still at least the optimum."""
    from matcher.solve.engines.cp_sat import _open_bound
    from matcher.solve.problem import ready_units

    problem, _ = case
    side = SideRules()
    n_e, n_r = problem.shape
    options = [[-1, *np.flatnonzero(problem.allowed[i])] for i in range(n_e)]
    feasible = []
    for combo in itertools.product(*options):
        x = np.array(combo)
        if (np.bincount(x[x >= 0], minlength=n_r) <= problem.capacity).all() and not side.violations(
            problem, x
        ):
            feasible.append(x)
    optimum = max(total_objective(problem, x) for x in feasible)

    def levels(x):
        m = x >= 0
        return int(m.sum()), int(ready_units(problem.readiness[m]).sum())

    best_m, best_r = max(levels(x) for x in feasible)
    for stage, proven in (("matched", lambda x: True), ("readiness", lambda x: levels(x)[0] == best_m),
                          ("score", lambda x: levels(x) == (best_m, best_r))):  # fmt: skip
        worst = min((x for x in feasible if proven(x)), key=lambda x: total_objective(problem, x))
        assert _open_bound(problem, worst, stage, None, None) >= optimum


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget_cases(max_e=6), st.integers(0, 2**32 - 1))
def test_with_shortlist_the_engine_equals_brute_force_of_the_order(case, seed):
    """``rematch --max-changes N`` with ``shortlist = true``: among the pairings moving at most N
    working pairs (and every other rule), (1) matched, (2) readiness, (3) mentees within their
    choices, (4) score — brute force of that order; the engine must reach it exactly."""
    plain, side = case
    rng = np.random.default_rng(seed)
    mask = rng.random(plain.shape) < 0.4
    s, top, tier = add_shortlist(plain.score, plain.max_score, mask, plain.max_matchable)
    problem = dataclasses.replace(plain, score=s, max_score=top, shortlist=tier)
    best = brute_force(problem, side, lambda x: _levels(plain, mask, x))
    if best is None:
        with pytest.raises(InfeasibleError):
            engine.solve_budget(problem, side, SOLVER)
        return
    sol = engine.solve_budget(problem, side, SOLVER)
    assert sol.status == "OPTIMAL" and sol.bound == sol.objective
    assert _levels(plain, mask, sol.mentor_of) == best
    assert check(problem, sol.mentor_of, [side.violations]).ok


@pytest.mark.parametrize("seed", [2, 3])
def test_with_shortlist_on_a_candidate_set_the_engine_gives_the_dense_answer(tmp_path, monkeypatch, seed):
    """``shortlist = true`` with ``--max-changes`` above the dense limit: the choice pairs are
    candidates with the tier, pruned pairs priced by their stored units; same optimum."""
    from matcher.api import match

    m, e = write_cohort(tmp_path, 120, 45, seed, preferences=True)
    cohort, config = load(m, e)
    config = dataclasses.replace(config, preferences=dataclasses.replace(config.preferences, shortlist=True))
    first = match(cohort, config)
    x = first.solution.mentor_of
    matched = np.flatnonzero(x >= 0)
    worst = matched[np.argsort(first.problem.score[matched, x[matched]])[:8]]
    failures = [
        Failure(cohort.mentee_ids[i], cohort.mentor_ids[x[i]], "challenge", "", n + 2)
        for n, i in enumerate(worst)
    ]
    previous = [(cohort.mentee_ids[i], cohort.mentor_ids[x[i]]) for i in matched]
    for n in (1, 3):
        dense = rematch(cohort, config, previous, failures, [], max_changes=n).result
        monkeypatch.setattr(large, "DENSE_LIMIT", 0)
        monkeypatch.setattr(large, "CANDIDATES", 2)
        sparse = rematch(cohort, config, previous, failures, [], max_changes=n).result
        monkeypatch.undo()
        assert sparse.problem.kind == "candidates" and sparse.problem.shortlist == dense.problem.shortlist
        assert sparse.solution.solver == dense.solution.solver == engine.SOLVER
        assert sparse.solution.status == dense.solution.status == "OPTIMAL"
        assert sparse.solution.objective == dense.solution.objective
