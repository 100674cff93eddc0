"""The flow solver is optimal: checked against oracles that share none of its code.

* Tiny problems (≤ 5 mentees × ≤ 4 mentors): brute force over every feasible
  assignment, both on the exported integer objective and on the lexicographic tuple
  (matched, Σ readiness units, Σ score units) computed here from the raw floats.
* Larger problems: ``scipy.optimize.linear_sum_assignment`` on the capacity-expanded
  matrix of ``objective_weights``.
* Hand-made cases that pin down what the lexicographic objective means, and pins.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matcher.errors import MatcherError
from matcher.solve.check import check
from matcher.solve.engines.flow import solve_flow
from matcher.solve.problem import MatchProblem, objective_weights, total_objective
from tests.conftest import make_problem

# ---------------------------------------------------------------------------
# Problem builders
# ---------------------------------------------------------------------------


def random_problem(rng: np.random.Generator, n_e: int, n_r: int, *, scarce: bool) -> MatchProblem:
    """Scores to 0.01 in [0, 100], readiness to 0.0001 in [0, 1], random rule bits."""
    score = rng.integers(0, 10_001, (n_e, n_r)) / 100.0
    if rng.random() < 0.3:  # many ties in readiness: score must decide
        readiness = rng.choice([0.25, 0.5, 0.75], n_e)
    else:
        readiness = rng.integers(0, 10_001, n_e) / 10_000.0
    p_excl = rng.choice([0.0, 0.2, 0.5, 0.8])
    bits = rng.integers(1, 1 << 11, (n_e, n_r))
    excluded = np.where(rng.random((n_e, n_r)) < p_excl, bits, 0)
    capacity = rng.choice([0, 0, 1, 1, 2], n_r) if scarce else rng.integers(0, 4, n_r)
    eligible = rng.random(n_e) >= rng.choice([0.0, 0.15, 0.4])
    return make_problem(score, readiness, excluded, capacity, eligible)


@st.composite
def tiny_problems(draw, with_pins: bool = False) -> MatchProblem:
    n_e = draw(st.integers(1, 5))
    n_r = draw(st.integers(1, 4))
    score = [[draw(st.integers(0, 10_000)) / 100.0 for _ in range(n_r)] for _ in range(n_e)]
    readiness = [draw(st.integers(0, 10_000)) / 10_000.0 for _ in range(n_e)]
    excluded = [
        [draw(st.sampled_from([0, 0, 0, 1, 8, 1 << 6, 1 << 10, 0b1001])) for _ in range(n_r)]
        for _ in range(n_e)
    ]
    capacity = [draw(st.integers(0, 3)) for _ in range(n_r)]
    eligible = [draw(st.booleans()) or draw(st.booleans()) for _ in range(n_e)]
    pins = []
    if with_pins:
        free = list(capacity)
        candidates = [j for j in range(n_r) if free[j] > 0]
        if not candidates:
            capacity[0] = free[0] = 1
            candidates = [0]
        mentees = draw(st.lists(st.integers(0, n_e - 1), min_size=1, max_size=2, unique=True))
        for i in mentees:
            options = [j for j in range(n_r) if free[j] > 0]
            if not options:
                break
            j = draw(st.sampled_from(options))
            free[j] -= 1
            pins.append((i, j))
    return make_problem(score, readiness, excluded, capacity, eligible, pins)


# ---------------------------------------------------------------------------
# Oracles
# ---------------------------------------------------------------------------


def feasible_assignments(problem: MatchProblem):
    """Every mentor_of (tuple) respecting capacity, exclusions, eligibility and pins."""
    n_e, n_r = problem.shape
    pinned = dict(problem.pins)
    options = []
    for i in range(n_e):
        if i in pinned:
            options.append([pinned[i]])
        else:
            allowed = [
                j for j in range(n_r) if int(problem.excluded[i, j]) == 0 and bool(problem.eligible[i])
            ]
            options.append([-1, *allowed])
    for combo in itertools.product(*options):
        load = [0] * n_r
        for j in combo:
            if j >= 0:
                load[j] += 1
        if all(load[j] <= int(problem.capacity[j]) for j in range(n_r)):
            yield combo


def lexicographic_value(problem: MatchProblem, mentor_of) -> tuple[int, int, int]:
    """(matched, Σ round(100·readiness), Σ round(100·score)) from the raw floats, in plain Python."""
    matched = [(i, j) for i, j in enumerate(mentor_of) if j >= 0]
    ready = sum(round(100 * float(problem.readiness[i])) for i, _ in matched)
    score = sum(round(100 * float(problem.score[i, j])) for i, j in matched)
    return len(matched), ready, score


def brute_force(problem: MatchProblem) -> tuple[int, tuple[int, int, int], int]:
    """(best total_objective, best lexicographic tuple, number of feasible assignments)."""
    best_obj, best_lex, count = None, None, 0
    for combo in feasible_assignments(problem):
        count += 1
        arr = np.array(combo, dtype=np.int64)
        obj = total_objective(problem, arr)
        lex = lexicographic_value(problem, combo)
        best_obj = obj if best_obj is None else max(best_obj, obj)
        best_lex = lex if best_lex is None else max(best_lex, lex)
    assert count > 0  # "nobody matched" (or just the pins) is always feasible
    return best_obj, best_lex, count


def assignment_oracle(problem: MatchProblem) -> tuple[int, np.ndarray]:
    """Optimum by linear_sum_assignment on the capacity-expanded matrix (no pins).

    Columns: each mentor repeated ``capacity`` times, then one "unmatched" column per
    mentee. Forbidden pairs get weight 0, exactly the value of staying unmatched, so
    they can never raise the optimum; a pick of weight 0 is read as "unmatched".
    """
    n_e, n_r = problem.shape
    weights = objective_weights(problem)
    allowed = (problem.excluded == 0) & problem.eligible[:, None]  # not problem.allowed: independent
    slots = [j for j in range(n_r) for _ in range(int(problem.capacity[j]))]
    n_cols = len(slots) + n_e
    w_int = [[0] * n_cols for _ in range(n_e)]
    for i in range(n_e):
        for c, j in enumerate(slots):
            if allowed[i, j]:
                w_int[i][c] = int(weights[i, j])
    biggest = max((max(row) for row in w_int), default=0)
    # every partial sum the Hungarian method forms must be exact in float64
    assert biggest * max(n_e, 1) * 4 < 2**53
    matrix = np.array(w_int, dtype=np.float64)
    assert all(int(matrix[i, c]) == w_int[i][c] for i in range(n_e) for c in range(n_cols))
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    mentor_of = np.full(n_e, -1, dtype=np.int64)
    value = 0
    for i, c in zip(rows, cols, strict=True):
        if c < len(slots) and w_int[i][c] > 0:
            mentor_of[i] = slots[c]
            value += w_int[i][c]
    return value, mentor_of


def assert_valid(problem: MatchProblem, mentor_of: np.ndarray) -> None:
    report = check(problem, mentor_of)
    assert report.violations == ()
    # and independently of the checker: capacity, exclusions, eligibility, pins
    pinned = dict(problem.pins)
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=problem.shape[1])
    assert (load <= problem.capacity).all()
    for i, j in enumerate(mentor_of):
        if j >= 0 and pinned.get(i) != j:
            assert problem.excluded[i, j] == 0 and problem.eligible[i], (i, j)
    for i, j in problem.pins:
        assert mentor_of[i] == j


# ---------------------------------------------------------------------------
# The checker can fail (so "no violations" above means something)
# ---------------------------------------------------------------------------


def test_checker_flags_each_kind_of_violation():
    p = make_problem(
        score=[[50.0, 60.0], [70.0, 80.0], [10.0, 20.0]],
        readiness=[0.5, 0.6, 0.7],
        excluded=[[0, 8], [0, 0], [0, 0]],
        capacity=[1, 2],
        eligible=[True, True, False],
        pins=((1, 1),),
    )
    assert check(p, np.array([0, 1, -1])).ok
    assert not check(p, np.array([0, 0, -1])).ok  # mentor 0 over capacity and pin broken
    assert not check(p, np.array([1, 1, -1])).ok  # excluded pair (0, 1)
    assert not check(p, np.array([-1, 1, 0])).ok  # ineligible mentee matched
    assert not check(p, np.array([0, -1, -1])).ok  # pin not honoured
    assert not check(p, np.array([0, 1])).ok  # wrong shape


# ---------------------------------------------------------------------------
# Brute force on tiny problems
# ---------------------------------------------------------------------------


@given(tiny_problems())
def test_flow_matches_brute_force(problem):
    best_obj, best_lex, _ = brute_force(problem)
    sol = solve_flow(problem)
    assert sol.objective == best_obj
    assert sol.objective == total_objective(problem, sol.mentor_of)
    assert lexicographic_value(problem, sol.mentor_of) == best_lex
    assert_valid(problem, sol.mentor_of)
    assert check(problem, sol.mentor_of).objective == sol.objective


@pytest.mark.parametrize("seed", range(40))
def test_flow_matches_brute_force_seeded(seed):
    rng = np.random.default_rng(seed)
    n_e, n_r = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    problem = random_problem(rng, n_e, n_r, scarce=seed % 2 == 0)
    best_obj, best_lex, _ = brute_force(problem)
    sol = solve_flow(problem)
    assert sol.objective == best_obj
    assert lexicographic_value(problem, sol.mentor_of) == best_lex
    assert_valid(problem, sol.mentor_of)


def test_brute_force_oracle_sees_a_difference():
    """Sanity check of the oracle: a non-optimal assignment scores below the optimum."""
    p = make_problem([[10.0, 90.0]], [0.5], [[0, 0]], [1, 1], [True])
    best_obj, best_lex, count = brute_force(p)
    assert count == 3
    assert best_obj == total_objective(p, np.array([1])) > total_objective(p, np.array([0]))
    assert best_lex == (1, 50, 9000)


# ---------------------------------------------------------------------------
# linear_sum_assignment on larger problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(24))
def test_flow_matches_linear_sum_assignment(seed):
    rng = np.random.default_rng(1000 + seed)
    n_e, n_r = int(rng.integers(30, 61)), int(rng.integers(10, 26))
    problem = random_problem(rng, n_e, n_r, scarce=seed % 3 == 0)
    oracle_value, oracle_mentor_of = assignment_oracle(problem)
    assert_valid(problem, oracle_mentor_of)
    assert total_objective(problem, oracle_mentor_of) == oracle_value
    sol = solve_flow(problem)
    assert sol.objective == oracle_value
    assert_valid(problem, sol.mentor_of)
    assert check(problem, sol.mentor_of).objective == sol.objective
    # level 1 alone: the number matched is a maximum bipartite b-matching
    assert int((sol.mentor_of >= 0).sum()) == int((oracle_mentor_of >= 0).sum())


@given(st.integers(0, 2**32 - 1), st.integers(8, 40), st.integers(3, 15), st.booleans())
def test_flow_matches_linear_sum_assignment_hypothesis(seed, n_e, n_r, scarce):
    problem = random_problem(np.random.default_rng(seed), n_e, n_r, scarce=scarce)
    oracle_value, _ = assignment_oracle(problem)
    sol = solve_flow(problem)
    assert sol.objective == oracle_value
    assert_valid(problem, sol.mentor_of)


def test_plentiful_capacity_matches_every_allowed_mentee():
    rng = np.random.default_rng(7)
    n_e, n_r = 40, 12
    problem = make_problem(
        rng.integers(0, 10_001, (n_e, n_r)) / 100.0,
        rng.integers(0, 10_001, n_e) / 10_000.0,
        np.zeros((n_e, n_r)),
        np.full(n_r, 5),
        np.ones(n_e, dtype=bool),
    )
    sol = solve_flow(problem)
    assert (sol.mentor_of >= 0).all()  # 60 places, no exclusions: everyone is matched
    assert sol.objective == assignment_oracle(problem)[0]


def test_empty_and_degenerate_problems():
    # nobody eligible
    p = make_problem([[50.0, 40.0]], [0.9], [[0, 0]], [1, 1], [False])
    sol = solve_flow(p)
    assert sol.mentor_of.tolist() == [-1] and sol.objective == 0
    # every pair excluded
    p = make_problem([[50.0], [60.0]], [0.9, 0.8], [[1], [4]], [2], [True, True])
    assert solve_flow(p).mentor_of.tolist() == [-1, -1]
    # no capacity at all
    p = make_problem([[50.0], [60.0]], [0.9, 0.8], [[0], [0]], [0], [True, True])
    assert solve_flow(p).mentor_of.tolist() == [-1, -1]


# ---------------------------------------------------------------------------
# What the lexicographic objective means
# ---------------------------------------------------------------------------


def test_higher_readiness_wins_a_scarce_place_over_higher_score():
    # one place; mentee 1 is a near-perfect fit but 0.01 less ready than mentee 0
    p = make_problem(
        score=[[0.0], [100.0]], readiness=[0.61, 0.60], excluded=[[0], [0]], capacity=[1], eligible=[1, 1]
    )
    sol = solve_flow(p)
    assert sol.mentor_of.tolist() == [0, -1]
    assert_valid(p, sol.mentor_of)


def test_readiness_beats_the_largest_possible_score_difference():
    # three places; mentees 0–2 (readiness 0.50) score 100 with everyone, mentee 3
    # (readiness 0.51) scores 0 with everyone. Taking mentee 3 costs 100 points of score
    # but gains 0.01 readiness: readiness must win.
    n_r = 3
    score = [[100.0] * n_r] * 3 + [[0.0] * n_r]
    p = make_problem(score, [0.5, 0.5, 0.5, 0.51], np.zeros((4, n_r)), [1] * n_r, [True] * 4)
    sol = solve_flow(p)
    assert sol.mentor_of[3] >= 0
    assert int((sol.mentor_of >= 0).sum()) == 3
    assert lexicographic_value(p, sol.mentor_of) == (3, 151, 20_000)


def test_equal_readiness_then_score_decides():
    p = make_problem(
        score=[[30.0], [70.0]], readiness=[0.6, 0.6], excluded=[[0], [0]], capacity=[1], eligible=[1, 1]
    )
    assert solve_flow(p).mentor_of.tolist() == [-1, 0]


def test_more_matches_beat_higher_score_and_readiness():
    # Mentee 0 (ready 1.0) loves mentor 0 (score 100) and can also take mentor 1 (score 0).
    # Mentee 1 (ready 0.0) can only take mentor 0 (score 0). Two matches must win over
    # the single, much better and much readier pair.
    p = make_problem(
        score=[[100.0, 0.0], [0.0, 0.0]],
        readiness=[1.0, 0.0],
        excluded=[[0, 0], [0, 1]],
        capacity=[1, 1],
        eligible=[True, True],
    )
    sol = solve_flow(p)
    assert sol.mentor_of.tolist() == [1, 0]
    assert total_objective(p, np.array([1, 0])) > total_objective(p, np.array([0, -1]))


def test_more_matches_beat_score_at_scale():
    # a chain: mentee k may take mentor k (score 0) or mentor k+1 (score 100); the last
    # mentor is only reachable from the last mentee. Greedy by score leaves mentee 0 out.
    n = 6
    score = np.zeros((n, n))
    excluded = np.ones((n, n))
    for k in range(n):
        excluded[k, k] = 0
        if k + 1 < n:
            excluded[k, k + 1] = 0
            score[k, k + 1] = 100.0
    p = make_problem(score, [0.5] * n, excluded, [1] * n, [True] * n)
    sol = solve_flow(p)
    assert (sol.mentor_of >= 0).all()
    assert sol.mentor_of.tolist() == list(range(n))
    assert_valid(p, sol.mentor_of)


# ---------------------------------------------------------------------------
# Pins
# ---------------------------------------------------------------------------


@given(tiny_problems(with_pins=True))
def test_pins_are_honoured_and_optimal(problem):
    best_obj, best_lex, _ = brute_force(problem)  # enumerates only assignments with the pins
    sol = solve_flow(problem)
    for i, j in problem.pins:
        assert sol.mentor_of[i] == j
    assert sol.objective == best_obj
    assert lexicographic_value(problem, sol.mentor_of) == best_lex
    assert_valid(problem, sol.mentor_of)


def test_pin_overrides_a_better_pair():
    # mentee 0 pinned to its worst mentor; mentor 1 (its best) must then go to mentee 1
    p = make_problem(
        score=[[10.0, 90.0], [20.0, 30.0]],
        readiness=[0.5, 0.5],
        excluded=[[0, 0], [0, 0]],
        capacity=[1, 1],
        eligible=[True, True],
        pins=((0, 0),),
    )
    sol = solve_flow(p)
    assert sol.mentor_of.tolist() == [0, 1]
    unpinned = make_problem(p.score, p.readiness, p.excluded, p.capacity, p.eligible)
    assert solve_flow(unpinned).mentor_of.tolist() == [1, 0]


def test_pin_uses_up_capacity():
    p = make_problem(
        score=[[10.0], [90.0]],
        readiness=[0.5, 0.9],
        excluded=[[0], [0]],
        capacity=[1],
        eligible=[True, True],
        pins=((0, 0),),
    )
    sol = solve_flow(p)
    assert sol.mentor_of.tolist() == [0, -1]
    assert_valid(p, sol.mentor_of)


def test_pins_over_capacity_raise():
    p = make_problem([[10.0], [90.0]], [0.5, 0.9], [[0], [0]], [1], [True, True], pins=((0, 0), (1, 0)))
    with pytest.raises(MatcherError):
        solve_flow(p)


def test_fewest_changes_tie_break_keeps_the_optimum_and_refuses_64_bit_overflow():
    """The tie-break only chooses among optima (same objective as without it), keeps the
    current pair where a tie allows, and is refused (never wrapped) where its scaled costs
    would leave 2^61."""
    from dataclasses import replace

    from matcher.errors import TieBreakTooLarge
    from matcher.solve.pairing import Pairing
    from matcher.solve.side_rules import FewestChanges, SideRules

    # Two mentees, two mentors, every pair 50: any perfect pairing is optimal.
    problem = make_problem(np.full((2, 2), 50.0), [0.5, 0.5], np.zeros((2, 2)), [1, 1], [True, True])
    for current in ([0, 1], [1, 0]):
        tied = SideRules().adding(FewestChanges(Pairing.from_mentor_of(np.array(current))))
        sol = solve_flow(problem, tied)
        assert sol.mentor_of.tolist() == current and sol.fewest_changes is True
        assert sol.objective == solve_flow(problem).objective
    huge = replace(problem, max_score=1e13)  # A, B grow with the bound on a pair's score
    tied = SideRules().adding(FewestChanges(Pairing.from_mentor_of(np.array([0, 1]))))
    with pytest.raises(TieBreakTooLarge):
        solve_flow(huge, tied)
