"""Exact several-mentor deltas from the residual graph, against independent oracles: brute
force over every set of pairs with the pair forced (tiny cohorts: Δ of each level and the
fewest pairs of the proposal dropped), and pinned re-solves (the flow with the fewest-changes
tie-break, and CP-SAT) on larger generated cohorts with pins and distinct mentors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import MatcherError
from matcher.io.config import SolverSettings
from matcher.review.alternatives import Resolved, SeveralDeltas
from matcher.review.several_residual import SeveralResidual, contractible, several_delta_engine
from matcher.solve.check import check
from matcher.solve.engines.cp_sat import _solve_engine as solve_cpsat
from matcher.solve.engines.flow import solve_flow
from matcher.solve.pairing import Pairing
from matcher.solve.problem import MatchProblem, free_places
from matcher.solve.side_rules import (
    DepartmentSpread,
    DistinctMentors,
    DistinctTopics,
    FewestChanges,
    SideRules,
)
from tests.solve.engines.test_several import _subsets, lexicographic, tiny


def _distinct_ok(pairs, group) -> bool:
    seen = [(i, int(group[j])) for i, j in pairs if group[j] >= 0]
    return len(seen) == len(set(seen))


def every_pairing(problem, group):
    """Every feasible set of pairs holding the pins with distinct groups, each with its
    :func:`lexicographic` value, and the best value: the brute force's whole space."""
    pins = set(problem.pins)
    every = [
        (s, lexicographic(problem, s))
        for s, _ in _subsets(problem)
        if pins <= set(s) and _distinct_ok(s, group)
    ]
    return every, max(lex for _, lex in every)


def _oracle_resolve(problem, side, pairing, solve):
    """A pinned re-solve with the fewest-changes tie-break (None where the pin is impossible)."""
    tied = side.adding(FewestChanges(pairing))

    free = free_places(problem)

    def resolve(extra):
        if set(extra) & set(problem.pins) or any(free[i] <= 0 for i, _ in extra):
            return None  # a pinned pair again, or a mentee whose places are all pinned
        p = replace(problem, pins=problem.pins + tuple(extra))
        try:
            sol = solve(p, tied)
        except MatcherError:  # the pin overfills a mentor
            return None
        assert sol.status == "OPTIMAL" and sol.fewest_changes is True
        return Resolved(sol.pairing, True) if check(p, sol.pairing, [side.violations]).ok else None

    return resolve


@settings(max_examples=120, deadline=None)
@given(tiny(pins=True), st.booleans())
def test_pin_change_equals_brute_force_with_the_pair_forced(case, distinct):
    problem, group = case
    if not distinct:
        group = np.full(problem.shape[1], -1)
    side = SideRules((DistinctMentors(group, "department"),))
    pairing = solve_flow(problem, side).pairing
    engine = SeveralResidual(problem, pairing, side)
    every, base = every_pairing(problem, group)
    held = set(map(tuple, pairing.pairs.tolist()))
    assert lexicographic(problem, sorted(held)) == base
    for i, j in zip(*np.nonzero(problem.allowed), strict=True):
        i, j = int(i), int(j)
        if (i, j) in held:
            continue
        forced = [(s, lex) for s, lex in every if (i, j) in s]
        got = engine.pin_change(i, j)
        if not forced:
            assert got is None, (i, j, got)
            continue
        best = max(lex for _, lex in forced)
        fewest = min(len(held - set(s)) for s, lex in forced if lex == best)
        want = (best[0] - base[0], best[1] - base[1], best[2] - base[2], best[3] - base[3], fewest)
        assert got == want, (i, j)


@st.composite
def generated(draw):
    """A larger several-mentor problem: random scores in coarse steps (many ties), some rules
    against pairs, capacities 0–3, 1–3 mentors wanted, groups, and pins that keep the rules."""
    n_e, n_r = draw(st.integers(5, 22)), draw(st.integers(2, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    step = draw(st.sampled_from([0.5, 5.0, 20.0]))
    score = np.round(rng.uniform(0, 100, (n_e, n_r)) / step) * step
    excluded = (rng.random((n_e, n_r)) < 0.2).astype(np.uint16)
    capacity = rng.integers(0, 4, n_r)
    wanted = rng.integers(1, 4, n_e)
    wanted[0] = 2
    eligible = rng.random(n_e) < 0.9
    group = rng.integers(-1, 3, n_r)
    pins, free, own = [], capacity.copy(), {}
    for i in np.flatnonzero(eligible & (rng.random(n_e) < 0.3)):
        options = [
            j
            for j in range(n_r)
            if free[j] > 0
            and not excluded[i, j]
            and not any(group[j] >= 0 and group[j] == group[x] for x in own.get(i, []))
        ]
        if options:
            j = int(rng.choice(options))
            free[j] -= 1
            own.setdefault(int(i), []).append(j)
            pins.append((int(i), j))
    problem = MatchProblem(
        score=score,
        readiness=rng.choice([0.2, 0.5, 0.5, 0.8], n_e),
        excluded=excluded,
        capacity=capacity.astype(np.int64),
        eligible=eligible,
        pins=tuple(pins),
        wanted=wanted.astype(np.int64),
    )
    return problem, group


@settings(max_examples=40, deadline=None)
@given(generated(), st.booleans())
def test_pin_change_equals_the_pinned_flow_re_solve(case, distinct):
    problem, group = case
    side = SideRules((DistinctMentors(group, "profession"),)) if distinct else SideRules()
    pairing = solve_flow(problem, side).pairing
    fast = SeveralResidual(problem, pairing, side)
    slow = SeveralDeltas(problem, pairing, _oracle_resolve(problem, side, pairing, solve_flow))
    for i, j in zip(*np.nonzero(problem.allowed), strict=True):
        if not pairing.has(int(i), int(j)):
            assert fast.pin_change(int(i), int(j)) == slow.pin_change(int(i), int(j)), (i, j)


@settings(max_examples=8, deadline=None)
@given(generated())
def test_pin_change_equals_the_cp_sat_re_solve(case):
    problem, group = case
    side = SideRules((DistinctMentors(group, "department"),))
    pairing = solve_flow(problem, side).pairing
    fast = SeveralResidual(problem, pairing, side)

    def cpsat(p, s):
        return solve_cpsat(p, s, SolverSettings())

    slow = SeveralDeltas(problem, pairing, _oracle_resolve(problem, side, pairing, cpsat))
    ii, jj = np.nonzero(problem.allowed)
    for i, j in list(zip(ii.tolist(), jj.tolist(), strict=True))[:25]:
        if not pairing.has(i, j):
            assert fast.pin_change(i, j) == slow.pin_change(i, j), (i, j)


def test_a_proposed_pair_changes_nothing_and_a_ruled_out_pair_is_impossible():
    problem = MatchProblem(
        score=np.array([[80.0, 50.0], [60.0, 70.0]]),
        readiness=np.array([0.5, 0.5]),
        excluded=np.array([[0, 0], [1, 0]], np.uint16),
        capacity=np.array([1, 2], np.int64),
        eligible=np.array([True, True]),
        wanted=np.array([2, 1], np.int64),
    )
    pairing = solve_flow(problem).pairing
    engine = SeveralResidual(problem, pairing)
    assert sorted(map(tuple, pairing.pairs.tolist())) == [(0, 0), (0, 1), (1, 1)]
    assert engine.pin_change(0, 0) == (0, 0, 0, 0, 0)
    assert engine.pin_change(1, 0) is None  # a rule forbids it


def test_the_engine_is_the_residual_graph_only_where_the_flow_model_contracts():
    problem = MatchProblem(
        score=np.array([[80.0, 50.0]]),
        readiness=np.array([0.5]),
        excluded=np.zeros((1, 2), np.uint16),
        capacity=np.array([1, 1], np.int64),
        eligible=np.array([True]),
        wanted=np.array([2], np.int64),
    )
    pairing = Pairing.of(np.array([0, 0]), np.array([0, 1]), 1)
    group = np.array([0, 1])
    assert contractible(problem, SideRules((DistinctMentors(group, "department"),)))
    assert type(several_delta_engine(problem, pairing, SideRules(), None)) is SeveralResidual
    for side in (
        SideRules((DepartmentSpread(np.array([0]), 1),)),
        SideRules((DistinctTopics(group, "topics", np.eye(2, dtype=bool)),)),
    ):
        assert not contractible(problem, side)
        assert type(several_delta_engine(problem, pairing, side, None)) is SeveralDeltas
    assert not contractible(replace(problem, shortlist=1000.0), SideRules())
