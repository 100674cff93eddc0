"""What the review app shows about one pair or one mentor, checked against oracles.

* ``pin_moves``: the mentees a pin would move, along the priced path — applied to the
  proposal they give a feasible pairing whose objective equals a full pinned re-solve;
  their number is ``pin_delta``'s ``moves``; under side rules, the re-solve's own moves.
* ``objective_deltas``: the vectorised look-up equals ``pin_delta`` decoded.
* ``better_mentors``: every higher-scoring mentor, with the rule or the exact cost.
* ``weak_points`` / ``strengths``; ``mentees_of``; ``unused_reason`` checked by brute force.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings

from matcher.api import delta_engine, load, match
from matcher.review.alternatives import INF, ResidualDistances, ResolveDeltas
from matcher.review.explain import WEAK, better_mentors, strengths, weak_points, why
from matcher.review.mentors import mentees_of, mentor_loads, unused_reason
from matcher.solve.engines.flow import solve_flow
from matcher.solve.pairing import Pairing
from matcher.solve.problem import multipliers
from matcher.solve.rules import RULES
from matcher.solve.side_rules import SideRules
from tests.conftest import SAMPLE, make_problem
from tests.review.test_alternatives import problems, resolver, totals, with_pin
from tests.review.test_several_residual import every_pairing
from tests.solve.engines.test_several import tiny


def apply_moves(base: np.ndarray, i: int, j: int, moves) -> np.ndarray:
    new = base.copy()
    new[i] = j
    for k, src, dst in moves:
        assert new[k] == src, (k, src, dst)  # each move starts where the mentee is
        new[k] = dst
    return new


def assert_feasible(problem, mentor_of) -> None:
    on = np.flatnonzero(mentor_of >= 0)
    assert (problem.excluded[on, mentor_of[on]] == 0).all()
    assert problem.eligible[on].all()
    load = np.bincount(mentor_of[on], minlength=problem.shape[1])
    assert (load <= problem.capacity).all()
    for i, j in problem.pins:
        assert mentor_of[i] == j


@settings(max_examples=150)
@given(problems())
def test_pin_moves_give_the_pinned_resolve(problem):
    base = solve_flow(problem).mentor_of
    engine = ResidualDistances(problem, base)
    pinned = {i for i, _ in problem.pins}
    for i in range(problem.shape[0]):
        for j in range(problem.shape[1]):
            if i in pinned or not problem.allowed[i, j] or base[i] == j:
                continue
            got, moves = engine.pin_delta(i, j), engine.pin_moves(i, j)
            assert (got is None) == (moves is None)
            if got is None:
                continue
            assert len(moves) == got[3]
            assert all(k != i for k, _, _ in moves)
            new = apply_moves(base, i, j, moves)
            assert_feasible(with_pin(problem, i, j), new)
            resolved = solve_flow(with_pin(problem, i, j)).mentor_of
            assert totals(problem, new) == totals(problem, resolved)


@settings(max_examples=100)
@given(problems())
def test_objective_deltas_decode_to_pin_delta(problem):
    base = solve_flow(problem).mentor_of
    engine = ResidualDistances(problem, base)
    a, b = multipliers(problem)
    ii = np.arange(problem.shape[0])
    for j in range(problem.shape[1]):
        deltas = engine.objective_deltas(ii, j)
        for i in ii:
            got = engine.pin_delta(int(i), j) if engine.allowed[i, j] and base[i] != j else None
            if got is None:
                assert deltas[i] == -INF or base[i] == j
            else:
                dm, dr, ds, _ = got
                assert int(deltas[i]) == a * dm + b * dr + ds


def test_pin_moves_under_side_rules_are_the_resolves_moves():
    rng = np.random.default_rng(7)
    n_e, n_r = 9, 4
    problem = make_problem(
        rng.integers(0, 10_001, (n_e, n_r)) / 100.0,
        rng.integers(0, 101, n_e) / 100.0,
        np.zeros((n_e, n_r)),
        [3, 3, 2, 2],
        np.ones(n_e, dtype=bool),
    )
    side = SideRules.of(department=rng.integers(0, 2, n_e), max_same_department=2)
    base = solve_flow(problem, side).mentor_of
    engine = ResolveDeltas(problem, base, resolver(problem, side, base))
    checked = 0
    for i in range(n_e):
        for j in range(n_r):
            if base[i] == j:
                continue
            moves = engine.pin_moves(i, j)
            got = resolver(problem, side, base)(((i, j),))
            if got is None:
                assert moves is None
                continue
            assert got.fewest
            assert apply_moves(base, i, j, moves).tolist() == list(got.assignment)
            assert len(moves) == engine.pin_delta(i, j)[3]
            checked += 1
    assert checked > 10


@pytest.fixture(scope="module")
def sample():
    cohort, config = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
    result = match(cohort, config)
    return result, delta_engine(result)


def test_better_mentors_are_every_higher_scoring_mentor_with_why(sample):
    result, engine = sample
    s, p, mentor_of = result.scores, result.problem, result.solution.mentor_of
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=p.shape[1])
    for i in range(0, result.cohort.n_mentees, 7):
        j = int(mentor_of[i])
        if j < 0:
            continue
        found, n = better_mentors(result, i, j, engine, limit=None)
        want = [k for k in range(p.shape[1]) if s.score[i, k] > s.score[i, j]]
        assert n == len(want) == len(found)
        assert sorted(b.mentor for b in found) == want
        assert [b.score for b in found] == sorted((b.score for b in found), reverse=True)
        for b in found:
            if p.excluded[i, b.mentor]:
                assert b.why == "excluded" and b.detail and b.delta is None
            elif p.capacity[b.mentor] == 0:
                assert b.why == "capacity_0"
            else:
                assert b.why == ("full" if load[b.mentor] >= p.capacity[b.mentor] else "has_room")
                assert b.delta == engine.pin_delta(i, b.mentor)
                assert b.delta[2] < 0  # the proposal is optimal: a better mentor costs the total
        limited, n2 = better_mentors(result, i, j, engine, limit=3)
        assert n2 == n and limited == found[:3]


def test_strengths_and_weak_points(sample):
    result, _ = sample
    mentor_of = result.solution.mentor_of
    seen_weak = 0
    for i in range(result.cohort.n_mentees):
        j = int(mentor_of[i])
        if j < 0:
            continue
        top = strengths(result, i, j)
        assert why(result, i, j) == "; ".join(f"{e.c} {e.value:.2f}: {e.text}" for e in top)
        weak = weak_points(result, i, j)
        values = {k: float(result.scores.components[n, i, j]) for n, k in enumerate(result.scores.used)}
        assert {e.c for e in weak} == {
            c
            for n, c in enumerate(("compatibility", "contrast", "challenge", "context", "care"))
            if c in result.scores.used and result.scores.components[n, i, j] < WEAK
        }
        shortfall = [e.weight * (1 - e.value) for e in weak]
        assert shortfall == sorted(shortfall, reverse=True)
        seen_weak += bool(weak)
        assert values  # the sample uses every C
    assert seen_weak > 10


def test_mentees_of_and_loads(sample):
    result, _ = sample
    p, mentor_of = result.problem, result.solution.mentor_of
    capacity, load = mentor_loads(result)
    assert (load == np.bincount(mentor_of[mentor_of >= 0], minlength=p.shape[1])).all()
    assert (capacity == result.cohort.capacity).all()
    for j in range(p.shape[1]):
        given_ = mentees_of(result, j)
        assert [g.mentee for g in given_] == list(np.flatnonzero(mentor_of == j))
        for g in given_:
            allowed = np.flatnonzero(p.excluded[g.mentee] == 0)
            assert g.feasible == allowed.size
            assert g.rank == 1 + int((p.score[g.mentee, allowed] > p.score[g.mentee, j]).sum())


def test_unused_mentors_reasons_hold(sample):
    """Each claim is checked directly: no allowed mentee scores higher with the unused
    mentor than with their proposed one, and the exclusion counts are per rule."""
    result, engine = sample
    p, s, mentor_of = result.problem, result.scores, result.solution.mentor_of
    capacity, load = mentor_loads(result)
    unused = [j for j in range(p.shape[1]) if load[j] == 0]
    assert unused
    for j in unused:
        text = unused_reason(result, j, engine)
        r_id = result.cohort.mentor_ids[j]
        if capacity[j] == 0:
            assert text == "capacity 0: takes no mentees this round"
            continue
        allowed = np.flatnonzero((p.excluded[:, j] == 0) & p.eligible)
        better = [i for i in allowed if mentor_of[i] < 0 or s.score[i, j] > s.score[i, mentor_of[i]]]
        assert not better  # optimal without pins: an unused mentor is never better for anyone
        assert text.startswith(
            f"capacity {capacity[j]}, no mentee for whom {r_id} is allowed and better than their proposed mentor"
        )
        n_time = int(((p.excluded[p.eligible, j] >> 6) & 1).sum())  # bit 6: time zone
        if n_time:
            assert f"{n_time} by time zone" in text or f"{n_time} mentees by time zone" in text


def fake_result(score, excluded, capacity, mentor_of, pins=()):
    problem = make_problem(
        score, np.full(len(score), 0.5), excluded, capacity, np.ones(len(score), bool), pins
    )
    n_e, n_r = problem.shape
    return SimpleNamespace(
        cohort=SimpleNamespace(
            mentor_ids=np.array([f"R{j + 1}" for j in range(n_r)], dtype=object),
            mentee_ids=np.array([f"E{i + 1}" for i in range(n_e)], dtype=object),
        ),
        problem=problem,
        scores=SimpleNamespace(score=problem.score),
        solution=SimpleNamespace(
            mentor_of=np.asarray(mentor_of), pairing=Pairing.from_mentor_of(np.asarray(mentor_of))
        ),
    )


def test_unused_mentor_better_only_for_pinned_mentees():
    # E1 pinned to R1 although R2 (one free place, unused) scores higher with them.
    result = fake_result([[60.0, 90.0], [70.0, 20.0]], np.zeros((2, 2)), [2, 1], [0, 0], pins=[(0, 0)])
    engine = ResidualDistances(result.problem, result.solution.mentor_of)
    assert unused_reason(result, 1, engine) == (
        "capacity 1; better than the proposed mentor for 1 mentee (1 of them pinned)"
    )


def test_unused_mentor_allowed_for_no_one_names_the_rules():
    tz, lang = 1 << RULES["timezone"].bit, 1 << RULES["language"].bit
    excluded = np.array([[0, tz], [0, tz | lang]])
    result = fake_result([[60.0, 90.0], [70.0, 80.0]], excluded, [2, 3], [0, 0])
    assert unused_reason(result, 1) == (
        "capacity 3, allowed for no mentee (excluded for 2 mentees by time zone, 1 by language)"
    )


def test_unused_mentor_with_several_mentors_per_mentee_compares_with_the_weakest_or_a_free_place():
    """E1 wants 2 mentors: with both places filled (R1 60, R3 50), R2 (55) beats the weaker;
    with one place left, any allowed mentor is better (it fills a place); E2 (one wanted,
    R1 70) is not better off with R2 (20)."""
    from dataclasses import replace

    for pairs, score_r2 in (([(0, 0), (0, 2), (1, 0)], 55.0), ([(0, 0), (1, 0)], 10.0)):
        result = fake_result(
            [[60.0, score_r2, 50.0], [70.0, 20.0, 40.0]], np.zeros((2, 3)), [2, 1, 2], [0, 0]
        )
        result.problem = replace(result.problem, wanted=np.array([2, 1]))
        pairing = Pairing.of([e for e, _ in pairs], [r for _, r in pairs], 2)
        result.solution = SimpleNamespace(pairing=pairing)
        assert unused_reason(result, 1) == "capacity 1; better than the proposed mentor for 1 mentee"
        assert mentor_loads(result)[1].tolist() == [2, 0, len(pairs) - 2]
        assert [g.mentee for g in mentees_of(result, 0)] == [0, 1]


@settings(max_examples=150, deadline=None)
@given(tiny(pins=True))
def test_unused_mentor_with_several_mentors_is_priced_as_brute_force_prices_the_cheapest(case):
    """Mentees wanting several mentors, distinct departments, pins: an unused mentor with a
    free place who is better for some unpinned mentee is priced for the cheapest of them —
    the mentee whose forced pairing (best over every set of pairs holding the pair) loses
    least by the objective's order, ties to the first mentee — in exactly those words; none
    can have them: said so."""
    from matcher.review.explain import several_cost_words
    from matcher.review.several_residual import SeveralResidual
    from matcher.solve.side_rules import DistinctMentors

    problem, group = case
    side = SideRules((DistinctMentors(group, "department"),))
    pairing = solve_flow(problem, side).pairing
    n_e, n_r = problem.shape
    result = SimpleNamespace(
        cohort=SimpleNamespace(
            mentor_ids=np.array([f"R{j + 1}" for j in range(n_r)], dtype=object),
            mentee_ids=np.array([f"E{i + 1}" for i in range(n_e)], dtype=object),
        ),
        problem=problem,
        solution=SimpleNamespace(pairing=pairing),
    )
    engine = SeveralResidual(problem, pairing, side)
    held = set(map(tuple, pairing.pairs.tolist()))
    pins = set(problem.pins)
    every, base = every_pairing(problem, group)
    load = pairing.load(n_r)
    for j in range(n_r):
        if load[j] or not problem.capacity[j]:
            continue
        text = unused_reason(result, j, engine)
        own = {i: [float(problem.score[i, x]) for e, x in held if e == i] for i in range(n_e)}
        better = [
            i
            for i in range(n_e)
            if problem.eligible[i]
            and problem.excluded[i, j] == 0
            and (len(own[i]) < problem.wanted[i] or float(problem.score[i, j]) > min(own[i]))
        ]
        free = [i for i in better if i not in {e for e, _ in pins}]
        if not free:
            assert ", but" not in text
            continue
        priced = []
        for i in free:
            forced = [(s, lex) for s, lex in every if (i, j) in s]
            if not forced:
                continue
            top = max(lex for _, lex in forced)
            dropped = min(len(held - set(s)) for s, lex in forced if lex == top)
            priced.append((tuple(a - b for a, b in zip(top, base, strict=True)), -i, dropped))
        if not priced:
            assert ", but none of them can have this mentor under the rules in force" in text
            continue
        delta, minus_i, dropped = max(priced)
        words = several_cost_words(*delta, dropped)
        assert f", but giving R{j + 1} to the cheapest, E{-minus_i + 1}, {words}" in text
