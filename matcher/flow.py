"""Exact solver: OR-Tools min-cost flow on source → mentees → mentors → sink.

Takes a :class:`~matcher.problem.MatchProblem`, returns a :class:`Solution` with
``mentor_of[i]`` (index, −1 unmatched). Each eligible mentee has one unit of supply,
each mentor an arc to the sink of its capacity, and each allowed pair an arc of cost
``K − (B·r_i + s_ij)``. ``solve_max_flow_with_min_cost`` first maximises the number
of matched mentees (level 1 of the objective) and then minimises cost, i.e.
maximises Σ B·r + s (levels 2 and 3): the same optimum as maximising the exported
integer ``objective``. Pinned pairs are fixed first and use up capacity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .errors import MatcherError
from .problem import MatchProblem, multipliers, ready_units, score_units, total_objective


@dataclass(frozen=True, eq=False)
class Solution:
    """A solver's answer by index. ``mentor_of``: (n_e,) int64, −1 for unmatched."""

    mentor_of: np.ndarray
    solver: str
    status: str  # OPTIMAL | FEASIBLE
    objective: int
    bound: int
    runtime_seconds: float
    # Relative gap of the first objective level not proven optimal (0 when OPTIMAL):
    # (best bound − value) / best bound at that level, e.g. the total score.
    gap: float = 0.0
    stage: str | None = None  # the level the gap refers to


def solve_flow(problem: MatchProblem) -> Solution:
    """Optimal assignment for the lexicographic objective; raises MatcherError if OR-Tools fails."""
    from ortools.graph.python import min_cost_flow

    start = time.perf_counter()
    n_e, n_r = problem.shape
    mentor_of = np.full(n_e, -1, dtype=np.int64)
    capacity = problem.capacity.astype(np.int64).copy()
    pinned = np.zeros(n_e, dtype=bool)
    for i, j in problem.pins:
        mentor_of[i] = j
        capacity[j] -= 1
        pinned[i] = True
    if (capacity < 0).any():
        raise MatcherError("pins exceed a mentor's capacity")  # checked earlier with a better message

    allowed = problem.allowed & ~pinned[:, None]
    ei, rj = np.nonzero(allowed)  # row-major: deterministic arc order
    if ei.size:
        _, b = multipliers(problem)
        gain = b * ready_units(problem.readiness)[ei] + score_units(problem.score[ei, rj])
        cost = int(gain.max()) - gain
        source, sink = 0, n_e + n_r + 1
        mentees = np.flatnonzero(problem.eligible & ~pinned)
        smcf = min_cost_flow.SimpleMinCostFlow()
        tails = np.concatenate([np.zeros(mentees.size, np.int64), 1 + ei, 1 + n_e + np.arange(n_r)])
        heads = np.concatenate([1 + mentees, 1 + n_e + rj, np.full(n_r, sink, np.int64)])
        caps = np.concatenate(
            [np.ones(mentees.size, np.int64), np.ones(ei.size, np.int64), np.maximum(capacity, 0)]
        )
        costs = np.concatenate(
            [np.zeros(mentees.size, np.int64), cost.astype(np.int64), np.zeros(n_r, np.int64)]
        )
        smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supply = int(min(mentees.size, int(np.maximum(capacity, 0).sum())))
        smcf.set_node_supply(source, supply)
        smcf.set_node_supply(sink, -supply)
        status = smcf.solve_max_flow_with_min_cost()
        if status != smcf.OPTIMAL:
            raise MatcherError(f"the min-cost flow solver failed (status {status})")
        first_pair_arc = mentees.size
        flows = smcf.flows(np.arange(first_pair_arc, first_pair_arc + ei.size))
        chosen = flows > 0
        mentor_of[ei[chosen]] = rj[chosen]
    objective = total_objective(problem, mentor_of)
    return Solution(mentor_of, "min_cost_flow", "OPTIMAL", objective, objective, time.perf_counter() - start)
