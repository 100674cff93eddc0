"""Exact solver: OR-Tools min-cost flow on source → mentees → mentors → sink.

Takes a :class:`~matcher.solve.problem.MatchProblem` (and optional :class:`SideRules`) and
returns a :class:`Solution` with ``mentor_of[i]`` (mentor index, −1 unmatched).

The network: one unit of supply per eligible mentee; an arc per allowed pair with cost
``K − (B·r_i + s_ij)``; an arc from each mentor to the sink with the mentor's capacity.
``solve_max_flow_with_min_cost`` maximises the number of matched mentees (level 1 of
the objective) and then minimises cost, i.e. maximises Σ B·r + s (levels 2 and 3) —
the same optimum as maximising the exported integer ``objective``. Pins are fixed
first and use up capacity. The side rules stay inside the flow model:

* **department spread** — a mentee of department d reaches mentor j through a node
  (j, d) whose arc to j has capacity ``max_same_department_per_mentor``;
* **mentor minimum** — a lower bound on each mentor's arc to the sink. Augmenting paths
  never lower a mentor's load, so the most mentees matchable is the same with or
  without the bound; we solve for exactly that many with the bound as node demands
  (infeasible ⇔ the minimum is impossible);
* **fair objective** — the largest threshold t such that pairs scoring ≥ t can still
  match that many mentees (binary search over the scores), then the usual cost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from matcher.errors import InfeasibleError, MatcherError
from matcher.solve.engines import Engine
from matcher.solve.problem import (
    MatchProblem,
    multipliers,
    pinned_mentees,
    ready_units,
    score_units,
    total_objective,
)
from matcher.solve.side_rules import DepartmentSpread, FairObjective, MentorMinimum, SideRules
from matcher.solve.solution import Solution


@dataclass(frozen=True, eq=False)
class _Network:
    """Arrays describing the flow network (built once, solved one or more times)."""

    n_nodes: int
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    pair_arcs: slice  # arcs mentee -> (mentor or mentor-department node), one per pair
    ei: np.ndarray  # pair arc k joins mentee ei[k] ...
    rj: np.ndarray  # ... to mentor rj[k]
    sink_arcs: slice  # mentor j -> sink
    sink: int
    mentor_node: np.ndarray  # node of mentor j
    free_mentees: int
    lower: np.ndarray  # lower bound on each mentor's sink arc (after pins)


def _network(problem: MatchProblem, side: SideRules, pinned: np.ndarray, capacity: np.ndarray) -> _Network:
    n_e, n_r = problem.shape
    ei, rj = problem.arc_arrays()  # row-major: deterministic arc order
    keep = ~pinned[ei]
    ei, rj = ei[keep], rj[keep]
    _, b = multipliers(problem)
    gain = b * ready_units(problem.readiness)[ei] + score_units(problem.pair_scores(ei, rj))
    cost = (int(gain.max()) - gain) if gain.size else gain
    mentees = np.flatnonzero(problem.eligible & ~pinned)
    mentor_node = 1 + n_e + np.arange(n_r)
    next_node = 1 + n_e + n_r
    heads_pair = mentor_node[rj].copy()
    group_tails, group_heads, group_caps = [], [], []
    used: dict[tuple[int, int], int] = {}
    if side.max_same_department is not None and side.department is not None:
        for i, j in problem.pins:  # pinned mentees already use part of each (j, d) allowance
            d = int(side.department[i])
            if d >= 0:
                used[(j, d)] = used.get((j, d), 0) + 1
        if any(n > side.max_same_department for n in used.values()):
            raise InfeasibleError(
                "pins give a mentor more mentees of one department than max_same_department_per_mentor"
            )
    if side.max_same_department is not None and side.department is not None and ei.size:
        dept = side.department[ei]
        keyed = dept >= 0
        keys = rj[keyed].astype(np.int64) * (int(dept.max()) + 1) + dept[keyed]
        uniq, inverse = np.unique(keys, return_inverse=True)
        nodes = next_node + np.arange(uniq.size)
        next_node += uniq.size
        heads_pair[keyed] = nodes[inverse]
        n_dept = int(dept.max()) + 1
        for u, node in zip(uniq, nodes, strict=True):
            j, d = divmod(int(u), n_dept)
            group_tails.append(node)
            group_heads.append(mentor_node[j])
            group_caps.append(max(0, side.max_same_department - used.get((j, d), 0)))
    sink = next_node
    n_nodes = sink + 1
    lower = np.zeros(n_r, dtype=np.int64)
    if side.min_per_mentor > 0:
        need = side.minimum.need(problem.capacity)
        pinned_load = np.bincount([j for _, j in problem.pins], minlength=n_r) if problem.pins else 0
        lower = np.maximum(0, need - pinned_load).astype(np.int64)
    parts_t = [np.zeros(mentees.size, np.int64), 1 + ei, np.array(group_tails, np.int64), mentor_node]
    parts_h = [1 + mentees, heads_pair, np.array(group_heads, np.int64), np.full(n_r, sink, np.int64)]
    parts_c = [
        np.ones(mentees.size, np.int64),
        np.ones(ei.size, np.int64),
        np.array(group_caps, np.int64),
        np.maximum(capacity, 0),
    ]
    parts_k = [
        np.zeros(mentees.size, np.int64),
        np.asarray(cost, dtype=np.int64),
        np.zeros(len(group_tails), np.int64),
        np.zeros(n_r, np.int64),
    ]
    start_pair = mentees.size
    start_sink = start_pair + ei.size + len(group_tails)
    return _Network(
        n_nodes,
        np.concatenate(parts_t),
        np.concatenate(parts_h),
        np.concatenate(parts_c),
        np.concatenate(parts_k),
        slice(start_pair, start_pair + ei.size),
        ei,
        rj,
        slice(start_sink, start_sink + n_r),
        sink,
        mentor_node,
        int(mentees.size),
        lower,
    )


def _solve(net: _Network, pair_mask: np.ndarray | None, flow_value: int | None):
    """Solve once. ``pair_mask`` drops pair arcs (capacity 0); ``flow_value`` fixes the
    amount of flow (needed with lower bounds); otherwise max flow with min cost.
    Returns (status_ok, flow through each pair arc, total flow)."""
    from ortools.graph.python import min_cost_flow

    caps = net.caps.copy()
    if pair_mask is not None:
        caps[net.pair_arcs] = np.where(pair_mask, caps[net.pair_arcs], 0)
    smcf = min_cost_flow.SimpleMinCostFlow()
    if net.tails.size:
        if flow_value is not None and net.lower.any():
            caps[net.sink_arcs] = caps[net.sink_arcs] - net.lower
        smcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, caps, net.costs)
    if flow_value is None:
        supply = min(net.free_mentees, int(caps[net.sink_arcs].sum()))
        smcf.set_node_supply(0, supply)
        smcf.set_node_supply(net.sink, -supply)
        status = smcf.solve_max_flow_with_min_cost()
    else:
        smcf.set_node_supply(0, flow_value)
        total_lower = int(net.lower.sum())
        for j in np.flatnonzero(net.lower):
            smcf.set_node_supply(int(net.mentor_node[j]), -int(net.lower[j]))
        smcf.set_node_supply(net.sink, -flow_value + total_lower)
        if flow_value == 0 and total_lower == 0:
            return True, np.zeros(net.ei.size, np.int64), 0
        status = smcf.solve()
    if status == smcf.INFEASIBLE or status == smcf.UNBALANCED:
        return False, None, 0
    if status != smcf.OPTIMAL:
        raise MatcherError(f"the min-cost flow solver failed (status {status})")
    flows = smcf.flows(np.arange(net.pair_arcs.start, net.pair_arcs.stop)) if net.ei.size else np.zeros(0)
    return True, flows, int(flows.sum())


def solve_flow(problem: MatchProblem, side: SideRules | None = None) -> Solution:
    """Optimal assignment for the lexicographic objective (and the side rules, if any).

    Raises :class:`InfeasibleError` when the mentor minimum cannot hold.
    """
    side = side or SideRules()
    start = time.perf_counter()
    n_e, _ = problem.shape
    mentor_of = np.full(n_e, -1, dtype=np.int64)
    capacity = problem.capacity.astype(np.int64).copy()
    pinned = pinned_mentees(problem)
    for i, j in problem.pins:
        mentor_of[i] = j
        capacity[j] -= 1
    if (capacity < 0).any():
        raise MatcherError("pins exceed a mentor's capacity")  # checked earlier with a better message
    net = _network(problem, side, pinned, capacity)
    ok, flows, most = _solve(net, None, None)  # level 1: the most mentees matchable
    bounded = bool(net.lower.any())
    if bounded:
        ok, flows, _ = _solve(net, None, most)
        if not ok:
            raise InfeasibleError(
                f"min_mentees_per_mentor = {side.min_per_mentor} is impossible together with the other "
                "rules: the mentees each mentor may take overlap too much to give every mentor their "
                "minimum. Lower min_mentees_per_mentor, raise capacities, or relax the rules"
            )
    lowest = None
    if side.fair and net.ei.size and most > 0:
        units = score_units(problem.pair_scores(net.ei, net.rj))
        levels = np.unique(units)
        lo, hi = 0, levels.size - 1  # levels[lo] always feasible (all pairs)
        best = None
        while lo <= hi:
            mid = (lo + hi) // 2
            mask = units >= levels[mid]
            if bounded:
                good, f, _ = _solve(net, mask, most)
            else:
                good, f, got = _solve(net, mask, None)
                good = good and got == most
            if good:
                best, lo = (mid, f), mid + 1
            else:
                hi = mid - 1
        mid, flows = best
        threshold = int(levels[mid])
        if pinned.any():
            # The lowest score counts pinned pairs too: a pin below the threshold caps the
            # max-min, and only pairs at least as good as that pin need be kept.
            pin_low = int(score_units(problem.pair_scores(np.flatnonzero(pinned), mentor_of[pinned])).min())
            if pin_low < threshold:
                threshold = pin_low
                mask = units >= threshold
                if bounded:
                    _, flows, _ = _solve(net, mask, most)
                else:
                    _, flows, _ = _solve(net, mask, None)
        lowest = threshold / 100.0
    chosen = flows > 0
    mentor_of[net.ei[chosen]] = net.rj[chosen]
    objective = total_objective(problem, mentor_of)
    runtime = time.perf_counter() - start
    return Solution(mentor_of, "min_cost_flow", "OPTIMAL", objective, objective, runtime, lowest_score=lowest)


def _solve_engine(problem, side: SideRules, settings) -> Solution:
    return solve_flow(problem, side)


ENGINE = Engine(
    name="flow",
    kinds=frozenset({"dense", "candidates"}),
    side_rules=frozenset({DepartmentSpread, MentorMinimum, FairObjective}),
    solve=_solve_engine,
    label="min-cost flow",
    preference=0,
)
