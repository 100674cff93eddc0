"""Several mentors per mentee (``mentors_wanted``): flow and CP-SAT against independent oracles.

Oracles: brute force over every subset of allowed pairs (tiny cases: pair-once, both
capacities, pins, distinct mentors and department spread checked here in plain Python),
and ``linear_sum_assignment`` on the matrix expanded on both sides (mentee copies ×
mentor places), exact when every mentor has at most one place (a pair cannot then be
chosen twice) and an upper bound otherwise.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matcher.errors import MatcherError
from matcher.io.config import SolverSettings
from matcher.solve import engines
from matcher.solve.check import check
from matcher.solve.engines.cp_sat import _solve_engine as solve_cpsat_engine
from matcher.solve.engines.flow import solve_flow
from matcher.solve.pairing import Pairing
from matcher.solve.problem import (
    MatchProblem,
    cover_weight,
    multipliers,
    ready_units,
    score_units,
    total_objective,
)
from matcher.solve.side_rules import DistinctMentors, DistinctTopics, SideRules


def problem_of(score, readiness, excluded, capacity, eligible, wanted, pins=()) -> MatchProblem:
    return MatchProblem(
        score=np.asarray(score, np.float64),
        readiness=np.asarray(readiness, np.float64),
        excluded=np.asarray(excluded, np.uint16),
        capacity=np.asarray(capacity, np.int64),
        eligible=np.asarray(eligible, bool),
        pins=tuple(pins),
        wanted=np.asarray(wanted, np.int64),
    )


@st.composite
def tiny(draw, pins: bool = False):
    n_e = draw(st.integers(1, 3))
    n_r = draw(st.integers(1, 4))
    score = [[draw(st.integers(0, 10_000)) / 100 for _ in range(n_r)] for _ in range(n_e)]
    readiness = [draw(st.sampled_from([0.25, 0.5, 0.5, 0.9, 0.1234])) for _ in range(n_e)]
    excluded = [[draw(st.sampled_from([0, 0, 0, 1])) for _ in range(n_r)] for _ in range(n_e)]
    capacity = [draw(st.integers(0, 3)) for _ in range(n_r)]
    eligible = [draw(st.booleans()) or draw(st.booleans()) for _ in range(n_e)]
    wanted = [draw(st.integers(1, 3)) for _ in range(n_e)]
    wanted[0] = max(wanted[0], 2)  # always a several-mentor problem
    group = [draw(st.integers(-1, 2)) for _ in range(n_r)]
    chosen = []
    if pins:
        free = list(capacity)
        for i in range(n_e):
            if eligible[i] and draw(st.booleans()):
                options = [j for j in range(n_r) if free[j] > 0 and excluded[i][j] == 0]
                if options:
                    j = draw(st.sampled_from(options))
                    free[j] -= 1
                    chosen.append((i, j))
    return problem_of(score, readiness, excluded, capacity, eligible, wanted, chosen), np.array(group)


def lexicographic(problem: MatchProblem, pairs) -> tuple[int, int, int, int]:
    """(pairs, mentees with a mentor, Σ round(100·readiness), Σ round(100·score)) in plain Python."""
    ready = sum(round(100 * float(problem.readiness[i])) for i, _ in pairs)
    score = sum(round(100 * float(problem.score[i, j])) for i, j in pairs)
    return len(pairs), len({i for i, _ in pairs}), ready, score


def brute_force(problem: MatchProblem, group=None, dept=None, dept_cap=None, levels=None):
    """The best lexicographic value and its objective over every feasible set of pairs
    (``levels(problem, pairs)``: the order's tuple, default :func:`lexicographic`)."""
    levels = levels or lexicographic
    n_e, n_r = problem.shape
    allowed = [
        (i, j)
        for i in range(n_e)
        for j in range(n_r)
        if (problem.eligible[i] and int(problem.excluded[i, j]) == 0) or (i, j) in problem.pins
    ]
    best = None
    for k in range(len(allowed) + 1):
        for subset in itertools.combinations(allowed, k):
            if not set(problem.pins) <= set(subset):
                continue
            per_e = [0] * n_e
            per_r = [0] * n_r
            for i, j in subset:
                per_e[i] += 1
                per_r[j] += 1
            if any(per_e[i] > problem.wanted[i] for i in range(n_e)):
                continue
            if any(per_r[j] > problem.capacity[j] for j in range(n_r)):
                continue
            if group is not None:
                seen = [(i, group[j]) for i, j in subset if group[j] >= 0]
                if len(seen) != len(set(seen)):
                    continue
            if dept is not None:
                counts = {}
                for i, j in subset:
                    if dept[i] >= 0:
                        counts[j, dept[i]] = counts.get((j, dept[i]), 0) + 1
                if any(v > dept_cap for v in counts.values()):
                    continue
            lex = levels(problem, subset)
            if best is None or lex > best[0]:
                best = (lex, subset)
    return best


def test_objective_encoding_orders_pairs_then_covered_then_readiness_then_score():
    # One mentor with one place: E0 (wants 2, already has a pin) or E1 (wants 1, less ready).
    p = problem_of(
        [[90.0, 10.0], [10.0, 10.0]], [0.9, 0.2], [[0, 0], [0, 0]], [1, 1], [True, True], [2, 1], [(0, 1)]
    )
    sol = solve_flow(p)
    assert sorted(map(tuple, sol.pairing.pairs.tolist())) == [(0, 1), (1, 0)]  # E1 gets a first mentor
    a, _ = multipliers(p)
    c = cover_weight(p)
    assert c > 0 and a > c * (int(p.eligible.sum()))
    assert sol.objective == total_objective(p, sol.pairing)


@settings(max_examples=150, deadline=None)
@given(tiny())
def test_flow_matches_brute_force(case):
    problem, _ = case
    sol = solve_flow(problem)
    best_lex, best_pairs = brute_force(problem)
    pairs = [tuple(p) for p in sol.pairing.pairs.tolist()]
    assert lexicographic(problem, pairs) == best_lex
    assert sol.objective == total_objective(
        problem, Pairing.of(*np.array(best_pairs).reshape(-1, 2).T, problem.shape[0])
    )
    assert check(problem, sol.pairing).ok


@settings(max_examples=120, deadline=None)
@given(tiny(pins=True))
def test_flow_with_pins_and_distinct_mentors_matches_brute_force(case):
    problem, group = case
    side = SideRules((DistinctMentors(group, "department"),))
    sol = solve_flow(problem, side)
    best_lex, _ = brute_force(problem, group=group)
    pairs = [tuple(p) for p in sol.pairing.pairs.tolist()]
    assert lexicographic(problem, pairs) == best_lex
    report = check(problem, sol.pairing, [side.violations])
    assert report.ok, report.violations
    for i in range(problem.shape[0]):  # distinctness holds
        g = group[sol.pairing.mentors(i)]
        assert len(set(g[g >= 0])) == int((g >= 0).sum())


@settings(max_examples=100, deadline=None)
@given(tiny(pins=True), st.lists(st.integers(-1, 1), min_size=3, max_size=3), st.integers(1, 2))
def test_flow_with_department_spread_and_distinct_matches_brute_force(case, dept, cap):
    from matcher.errors import InfeasibleError

    problem, group = case
    dept = np.array(dept[: problem.shape[0]])
    side = SideRules.of(
        department=dept, max_same_department=cap, distinct=DistinctMentors(group, "profession")
    )
    found = brute_force(problem, group=group, dept=dept, dept_cap=cap)
    pins = np.array(problem.pins, np.int64).reshape(-1, 2)
    pins_keep_rules = not side.violations(problem, Pairing.of(pins[:, 0], pins[:, 1], problem.shape[0]))
    assert (found is not None) == pins_keep_rules  # the pins themselves are always a pairing
    if found is None:  # pins that break a rule: the prechecks refuse them before solving
        return
    try:
        sol = solve_flow(problem, side)
    except InfeasibleError:
        raise AssertionError("the flow refused a problem brute force solves") from None
    best_lex, _ = found
    assert lexicographic(problem, [tuple(p) for p in sol.pairing.pairs.tolist()]) == best_lex
    assert check(problem, sol.pairing, [side.violations]).ok


@settings(max_examples=60, deadline=None)
@given(tiny(pins=True))
def test_cpsat_matches_brute_force_with_distinct_mentors(case):
    problem, group = case
    side = SideRules((DistinctMentors(group, "department"),))
    sol = solve_cpsat_engine(problem, side, SolverSettings())
    assert sol.status == "OPTIMAL"
    best_lex, _ = brute_force(problem, group=group)
    assert lexicographic(problem, [tuple(p) for p in sol.pairing.pairs.tolist()]) == best_lex
    assert check(problem, sol.pairing, [side.violations]).ok
    assert sol.objective == solve_flow(problem, side).objective


def expanded_oracle(problem: MatchProblem) -> int:
    """linear_sum_assignment on mentee copies × mentor places: copy 0 of a mentee carries C
    (the covered level), every copy A + B·r + s. Forbidden cells weigh 0 (= unmatched)."""
    n_e, n_r = problem.shape
    a, b = multipliers(problem)
    c = cover_weight(problem)
    rows = [(i, k) for i in range(n_e) if problem.eligible[i] for k in range(int(problem.wanted[i]))]
    slots = [j for j in range(n_r) for _ in range(int(problem.capacity[j]))]
    w = np.zeros((len(rows), len(slots) + len(rows)), dtype=object)
    for r, (i, k) in enumerate(rows):
        for col, j in enumerate(slots):
            if problem.excluded[i, j] == 0:
                w[r, col] = (
                    a + b * round(100 * float(problem.readiness[i])) + round(100 * float(problem.score[i, j]))
                ) + (c if k == 0 else 0)
    assert (w.max() if w.size else 0) * max(len(rows), 1) * 4 < 2**53
    rr, cc = linear_sum_assignment(w.astype(np.float64), maximize=True)
    return int(sum(int(w[r, col]) for r, col in zip(rr, cc, strict=True)))


@pytest.mark.parametrize("seed", range(40))
def test_flow_matches_capacity_expanded_assignment(seed):
    rng = np.random.default_rng(seed)
    n_e, n_r = int(rng.integers(2, 9)), int(rng.integers(2, 12))
    one_place = seed % 2 == 0  # mentors with one place: pair-once is automatic, the oracle exact
    p = problem_of(
        rng.integers(0, 10_001, (n_e, n_r)) / 100,
        rng.integers(0, 10_001, n_e) / 10_000,
        np.where(rng.random((n_e, n_r)) < 0.3, 1, 0),
        rng.integers(0, 2, n_r) if one_place else rng.integers(0, 4, n_r),
        rng.random(n_e) > 0.15,
        rng.integers(1, 4, n_e),
    )
    sol = solve_flow(p)
    oracle = expanded_oracle(p)
    assert check(p, sol.pairing).ok
    if one_place:
        assert sol.objective == oracle
    else:
        assert sol.objective <= oracle  # the expanded matrix may choose a pair twice


def test_one_mentor_each_is_unchanged_by_a_wanted_column_of_ones():
    rng = np.random.default_rng(3)
    args = (
        rng.integers(0, 10_001, (6, 4)) / 100,
        rng.integers(0, 10_001, 6) / 10_000,
        np.zeros((6, 4)),
        [1, 2, 0, 1],
        [True] * 6,
    )
    plain = MatchProblem(
        *(np.asarray(x) for x in args[:2]), np.zeros((6, 4), np.uint16), np.array(args[3]), np.array(args[4])
    )
    ones = problem_of(*args, [1] * 6)
    assert not ones.multi
    assert np.array_equal(solve_flow(plain).mentor_of, solve_flow(ones).mentor_of)
    assert solve_flow(plain).objective == solve_flow(ones).objective


def test_distinct_topics_is_exact_in_cpsat_and_refused_by_the_flow():
    # Mentors 0 and 1 share topic 0, mentor 2 has topic 1: E0 (wants 2) cannot take 0 and 1.
    p = problem_of([[90.0, 80.0, 10.0]], [0.5], [[0, 0, 0]], [1, 1, 1], [True], [2])
    member = np.array([[True, False], [True, True], [False, True]])
    side = SideRules((DistinctTopics(np.full(3, -1), "topics", member),))
    assert engines.choose("auto", p, side).name == "cp_sat"
    with pytest.raises(MatcherError, match="needs CP-SAT"):
        engines.choose("flow", p, side)
    sol = engines.solve(p, side, SolverSettings())
    pairs = sorted(map(tuple, sol.pairing.pairs.tolist()))
    assert pairs == [
        (0, 0),
        (0, 2),
    ]  # 90 + 10 beats 80 + 10; (0, 1) would share topic 0 with (0, 0) or topic 1 with (0, 2)
    assert check(p, sol.pairing, [side.violations]).ok


def test_flow_refuses_side_rules_it_cannot_hold_with_several_mentors():
    p = problem_of([[50.0, 60.0]], [0.5], [[0, 0]], [1, 1], [True], [2])
    side = SideRules.of(min_per_mentor=1)
    assert engines.choose("auto", p, side).name == "cp_sat"
    with pytest.raises(MatcherError, match="with several mentors per mentee"):
        engines.choose("flow", p, side)
    with pytest.raises(MatcherError, match="several mentors per mentee"):
        engines.choose("budget", p, SideRules.of(keep=((0, 0),), max_changes=1))


@settings(max_examples=40, deadline=None)
@given(tiny(), st.booleans())
def test_cpsat_fair_and_minimum_match_brute_force(case, fair):
    problem, _ = case
    side = SideRules.of(fair=fair, min_per_mentor=0 if fair else 1)
    try:
        sol = engines.solve(problem, side, SolverSettings())
    except MatcherError:  # the minimum is impossible: brute force agrees
        assert not fair
        need = np.minimum(1, problem.capacity)
        assert brute_force_with_minimum(problem, need) is None
        return
    pairs = [tuple(p) for p in sol.pairing.pairs.tolist()]
    assert check(problem, sol.pairing, [side.violations]).ok
    if fair:
        best = brute_force_fair(problem)
        got = lexicographic(problem, pairs)
        low = min((round(100 * float(problem.score[i, j])) for i, j in pairs), default=None)
        assert (got[0], got[1], low, got[2], got[3]) == best
    else:
        assert lexicographic(problem, pairs) == brute_force_with_minimum(
            problem, np.minimum(1, problem.capacity)
        )


def _subsets(problem):
    n_e, n_r = problem.shape
    allowed = [
        (i, j) for i in range(n_e) for j in range(n_r) if problem.eligible[i] and problem.excluded[i, j] == 0
    ]
    for k in range(len(allowed) + 1):
        for subset in itertools.combinations(allowed, k):
            per_e = np.bincount([i for i, _ in subset], minlength=n_e)
            per_r = np.bincount([j for _, j in subset], minlength=n_r)
            if (per_e <= problem.wanted).all() and (per_r <= problem.capacity).all():
                yield subset, per_r


def brute_force_with_minimum(problem, need):
    vals = [lexicographic(problem, s) for s, per_r in _subsets(problem) if (per_r >= need).all()]
    return max(vals) if vals else None


def brute_force_fair(problem):
    best = None
    for s, _ in _subsets(problem):
        lex = lexicographic(problem, s)
        low = min((round(100 * float(problem.score[i, j])) for i, j in s), default=None)
        key = (lex[0], lex[1], low if low is not None else -1, lex[2], lex[3])
        if best is None or key > best[0]:
            best = (key, (lex[0], lex[1], low, lex[2], lex[3]))
    return best[1]


def test_checker_flags_pair_twice_and_mentee_over_wanted():
    p = problem_of([[50.0, 60.0, 70.0]], [0.5], [[0, 0, 0]], [2, 2, 2], [True], [2])
    three = Pairing.of([0, 0, 0], [0, 1, 2], 1)
    assert any("over the 2 wanted" in v for v in check(p, three).violations)
    with pytest.raises(ValueError, match="chosen twice"):
        Pairing.of([0, 0], [1, 1], 1)
    ok = Pairing.of([0, 0], [2, 1], 1)
    report = check(p, ok)
    assert report.ok and report.matched == 1
    assert report.objective == total_objective(p, ok)
    a, b = multipliers(p)
    expected = (
        2 * a
        + cover_weight(p)
        + b * 2 * int(ready_units(p.readiness)[0])
        + int(score_units(p.score[0, 1:]).sum())
    )
    assert report.objective == expected


@settings(max_examples=80, deadline=None)
@given(tiny())
def test_a_cp_sat_stage_left_open_gives_a_true_bound_with_several_mentors(case):
    """For the worst pairing optimal for every earlier stage, the open bound is at least the optimum."""
    from matcher.solve.engines.cp_sat import _open_bound

    problem, _ = case
    n_e = problem.shape[0]
    feasible = [Pairing.of([i for i, _ in s], [j for _, j in s], n_e) for s, _ in _subsets(problem)]
    optimum = max(total_objective(problem, x) for x in feasible)

    def levels(x):
        return x.size, int((x.count > 0).sum()), int(ready_units(problem.readiness[x.mentee]).sum())

    best = max(levels(x) for x in feasible)
    stages = (
        ("matched", lambda x: True),
        ("covered", lambda x: levels(x)[0] == best[0]),
        ("readiness", lambda x: levels(x)[:2] == best[:2]),
        ("score", lambda x: levels(x) == best),
    )
    for stage, proven in stages:
        worst = min((x for x in feasible if proven(x)), key=lambda x: total_objective(problem, x))
        assert _open_bound(problem, worst, stage, None, None) >= optimum


@settings(max_examples=40, deadline=None)
@given(tiny(pins=False), st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=4, max_size=4))
def test_cpsat_topics_matches_brute_force(case, topics):
    problem, _ = case
    member = np.array(topics[: problem.shape[1]], dtype=bool)
    rule = DistinctTopics(np.full(member.shape[0], -1), "topics", member)
    side = SideRules((rule,))
    sol = engines.solve(problem, side, SolverSettings())
    assert sol.solver == "cp_sat" and sol.status == "OPTIMAL"
    assert check(problem, sol.pairing, [side.violations]).ok
    best = None
    for subset, _ in _subsets(problem):
        mentors_of: dict[int, list[int]] = {}
        for i, j in subset:
            mentors_of.setdefault(i, []).append(j)
        if any(member[js].sum(axis=0).max(initial=0) > 1 for js in mentors_of.values()):
            continue
        lex = lexicographic(problem, subset)
        best = lex if best is None or lex > best else best
    assert lexicographic(problem, [tuple(p) for p in sol.pairing.pairs.tolist()]) == best


@settings(max_examples=80, deadline=None)
@given(tiny(pins=True), st.integers(0, 2**32 - 1), st.booleans())
def test_flow_fewest_changes_keeps_the_optimum_and_drops_the_fewest_pairs(case, seed, coarse):
    """The flow's tie-break with several mentors: among the optimal pairings (brute force,
    distinct mentors), one dropping the fewest pairs of a given pairing, proven."""
    from dataclasses import replace

    from matcher.solve.side_rules import FewestChanges

    problem, group = case
    rng = np.random.default_rng(seed)
    if coarse:  # many ties: the choice among them is what is tested
        problem = replace(problem, score=rng.choice([40.0, 60.0], problem.shape))
    side = SideRules((DistinctMentors(group, "department"),))
    feasible = [
        s
        for s, _ in _subsets(problem)
        if set(problem.pins) <= set(s)
        and len({(i, group[j]) for i, j in s if group[j] >= 0}) == sum(group[j] >= 0 for _, j in s)
    ]
    current = feasible[int(rng.integers(len(feasible)))]  # any pairing, not only an optimum
    base = Pairing.of(*np.array(current, np.int64).reshape(-1, 2).T, problem.shape[0])
    sol = solve_flow(problem, side.adding(FewestChanges(base)))
    assert sol.fewest_changes is True
    pairs = [tuple(p) for p in sol.pairing.pairs.tolist()]
    best = max(lexicographic(problem, s) for s in feasible)
    assert lexicographic(problem, pairs) == best
    dropped = {
        s: sum(p not in set(s) for p in current) for s in feasible if lexicographic(problem, s) == best
    }
    assert sum(p not in set(pairs) for p in current) == min(dropped.values())
