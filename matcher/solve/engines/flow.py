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
  match that many mentees (binary search over the scores, as shown: five Cs plus any
  bonus, never the shortlist tier), then the usual cost over the pairs scoring ≥ t;
* **fewest changes** (a pinned re-solve of the review) — a lowest level: each pair arc's
  gain becomes (2P + 1)·gain + t, t = +1 for a pair of the current pairing, −1 for a pair of
  a mentee without a mentor in it, 0 otherwise (P the free mentees: the sum of t lies in
  [−P, P], so it only chooses among pairings of equal gain), and the sum of t is the fewest
  mentees changed up to a constant. Several mentors per mentee: t = +1 for a pair of the
  current pairing, else 0, scale H + 1 (H those pairs): the fewest of its pairs dropped.
  Refused (TieBreakTooLarge) where the scaled costs times the nodes would leave 2^61.

**Several mentors per mentee** (``mentors_wanted``): mentee i's places are split into a
first place, an arc source → i of capacity 1, and the rest, an arc S₂ → i of capacity
``wanted − 1`` fed by one arc source → S₂; every pair arc keeps capacity 1, so a pair is
never chosen twice. The most pairs P is a max flow; the most mentees with a mentor K a max
flow with S₂ shut. Augmenting paths never lower the flow on an arc leaving the source, so
some flow reaches both; capping source → S₂ at P − K and solving max flow with min cost
gives, exactly, the most pairs, then the most mentees covered, then readiness and score.
**Distinct mentors** (``distinct_mentors_by`` department or profession): a mentee who can
still take two or more mentors reaches every mentor of group g through one node (i, g)
whose arc from the mentee has capacity 1; arcs to the group of a pinned mentor are left
out. Department spread works on the mentor side of the same arcs, so both combine; the
mentor minimum, the fair objective and ``topics`` with several mentors are CP-SAT's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.errors import InfeasibleError, MatcherError, TieBreakTooLarge
from matcher.solve.bonus import shown_scores
from matcher.solve.engines import Engine
from matcher.solve.pairing import Pairing
from matcher.solve.problem import (
    MatchProblem,
    free_places,
    is_multi,
    multipliers,
    pinned_mentees,
    ready_units,
    score_units,
    total_objective,
)
from matcher.solve.side_rules import (
    DepartmentSpread,
    DistinctMentors,
    FairObjective,
    FewestChanges,
    MentorMinimum,
    SideRules,
)
from matcher.solve.solution import Solution


@dataclass(frozen=True, eq=False)
class Network:
    """Arrays describing the flow network (built once, solved one or more times).

    Node layout: 0 = source, 1 + i = mentee i, 1 + n_e + j = mentor j, then one node per
    (mentor, department) pair that department spread needs (``dept_key``), then the sink.
    Arc layout, in this order: source → free mentee (``source_arcs``), one arc per allowed
    pair of a free mentee (``pair_arcs``: mentee → mentor, or → its (mentor, department)
    node), (mentor, department) → mentor (``dept_arcs``), mentor → sink (``sink_arcs``).
    """

    n_nodes: int
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    source_arcs: slice
    pair_arcs: slice  # arcs mentee -> (mentor or mentor-department node), one per pair
    dept_arcs: slice  # (mentor, department) node -> mentor
    ei: np.ndarray  # pair arc k joins mentee ei[k] ...
    rj: np.ndarray  # ... to mentor rj[k]
    sink_arcs: slice  # mentor j -> sink
    sink: int
    mentor_node: np.ndarray  # node of mentor j
    mentees: np.ndarray  # the free (eligible, not pinned) mentees, one source arc each
    free_mentees: int
    lower: np.ndarray  # lower bound on each mentor's arc to the sink (after pins), (n_r,)
    capacity: np.ndarray  # each mentor's capacity left after pins, (n_r,)
    gain: np.ndarray  # B·r + s of each pair arc (what the cost is made of), int64
    n_dept: int  # department codes 0 … n_dept − 1 (0: no spread)
    dept_key: np.ndarray  # sorted keys j · n_dept + d of the (mentor, department) nodes
    dept_cap: np.ndarray  # (n_r, n_dept) mentees of department d mentor j may still take
    dept_node0: int  # node of the first (mentor, department) key
    # Several mentors per mentee: the arc source → S₂ (−1: none), whose capacity caps the
    # places beyond each mentee's first; the arcs S₂ → mentee and mentee → (mentee, group)
    # follow it, after the sink arcs.
    second_arc: int = -1
    # Distinct mentors: group codes 0 … n_group − 1, the sorted keys i · n_group + g of the
    # (mentee, group) nodes and the node of the first key (whose arcs from the mentees
    # close the arc list).
    n_group: int = 0
    group_key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    group_node0: int = -1


def network(problem, side: SideRules, pinned: np.ndarray, capacity: np.ndarray) -> Network:
    """The flow network of ``problem`` under ``side`` (pins already taken out: ``pinned``
    (n_e,) bool, ``capacity`` (n_r,) what is left). Raises InfeasibleError when pins alone
    break the department spread."""
    n_e, n_r = problem.shape
    ei, rj = problem.arc_arrays()  # row-major: deterministic arc order
    keep = ~pinned[ei]
    ei, rj = ei[keep], rj[keep]
    multi = is_multi(problem)
    if multi:
        ei, rj = _unpinned_arcs(problem, side, ei, rj)
    _, b = multipliers(problem)
    gain = b * ready_units(problem.readiness)[ei] + score_units(problem.pair_scores(ei, rj))
    gain = np.asarray(gain, dtype=np.int64)
    cost = (int(gain.max()) - gain) if gain.size else gain
    mentees = np.flatnonzero(problem.eligible & ~pinned)
    mentor_node = 1 + n_e + np.arange(n_r)
    next_node = 1 + n_e + n_r
    heads_pair = mentor_node[rj].copy()
    n_dept = 0
    dept_cap = np.zeros((n_r, 0), np.int64)
    dept_key = np.zeros(0, np.int64)
    group_tails = group_heads = group_caps = np.zeros(0, np.int64)
    if side.max_same_department is not None and side.department is not None:
        department = np.asarray(side.department)
        n_dept = int(department.max()) + 1 if department.size and department.max() >= 0 else 0
        used = np.zeros((n_r, n_dept), np.int64)
        for i, j in problem.pins:  # pinned mentees already use part of each (j, d) allowance
            if department[i] >= 0:
                used[j, department[i]] += 1
        if (used > side.max_same_department).any():
            raise InfeasibleError(
                "pins give a mentor more mentees of one department than max_same_department_per_mentor"
            )
        dept_cap = side.max_same_department - used
        if ei.size and n_dept:
            dept = department[ei]
            keyed = dept >= 0
            keys = rj[keyed].astype(np.int64) * n_dept + dept[keyed]
            dept_key, inverse = np.unique(keys, return_inverse=True)
            nodes = next_node + np.arange(dept_key.size)
            next_node += dept_key.size
            heads_pair[keyed] = nodes[inverse]
            group_tails = nodes
            group_heads = mentor_node[dept_key // n_dept]
            group_caps = dept_cap.ravel()[dept_key]
    tails_pair = 1 + ei
    extra_t = extra_h = extra_c = np.zeros(0, np.int64)
    first = np.ones(mentees.size, np.int64)  # capacity of each source → mentee arc
    groups = {}
    if multi:
        tails_pair, extra_t, extra_h, extra_c, first, next_node, groups = _multi_arcs(
            problem, side, ei, rj, mentees, next_node
        )
    sink = next_node
    n_nodes = sink + 1
    lower = np.zeros(n_r, dtype=np.int64)
    if side.min_per_mentor > 0:
        need = side.minimum.need(problem.capacity)
        pinned_load = np.bincount([j for _, j in problem.pins], minlength=n_r) if problem.pins else 0
        lower = np.maximum(0, need - pinned_load).astype(np.int64)
    parts_t = [np.zeros(mentees.size, np.int64), tails_pair, group_tails, mentor_node, extra_t]
    parts_h = [1 + mentees, heads_pair, group_heads, np.full(n_r, sink, np.int64), extra_h]
    parts_c = [
        first,
        np.ones(ei.size, np.int64),
        group_caps,
        np.maximum(capacity, 0),
        extra_c,
    ]
    parts_k = [
        np.zeros(mentees.size, np.int64),
        np.asarray(cost, dtype=np.int64),
        np.zeros(group_tails.size, np.int64),
        np.zeros(n_r, np.int64),
        np.zeros(extra_t.size, np.int64),
    ]
    start_pair = mentees.size
    start_dept = start_pair + ei.size
    start_sink = start_dept + group_tails.size
    return Network(
        n_nodes,
        np.concatenate(parts_t).astype(np.int64, copy=False),
        np.concatenate(parts_h).astype(np.int64, copy=False),
        np.concatenate(parts_c).astype(np.int64, copy=False),
        np.concatenate(parts_k),
        slice(0, start_pair),
        slice(start_pair, start_dept),
        slice(start_dept, start_sink),
        ei,
        rj,
        slice(start_sink, start_sink + n_r),
        sink,
        mentor_node,
        mentees,
        int(mentees.size),
        lower,
        np.maximum(capacity, 0).astype(np.int64),
        gain,
        n_dept,
        dept_key,
        dept_cap,
        1 + n_e + n_r,
        start_sink + n_r if multi else -1,
        **groups,
    )


def _unpinned_arcs(problem, side: SideRules, ei: np.ndarray, rj: np.ndarray):
    """Several mentors per mentee: the pair arcs left once pins are taken out — never a
    pinned pair again, and (distinct mentors) never a mentor of a pinned mentor's group."""
    if not problem.pins:
        return ei, rj
    n_r = problem.shape[1]
    pins = np.array(problem.pins, np.int64)
    drop = np.isin(ei * n_r + rj, pins[:, 0] * n_r + pins[:, 1])
    distinct = side.distinct
    if distinct is not None:
        group = np.asarray(distinct.group)
        g_pin = group[pins[:, 1]]
        keyed = g_pin >= 0
        n_g = int(group.max()) + 1 if group.size else 0
        if keyed.any() and n_g:
            taken = pins[keyed, 0] * n_g + g_pin[keyed]
            g = group[rj]
            drop |= (g >= 0) & np.isin(ei * n_g + np.maximum(g, 0), taken)
    return ei[~drop], rj[~drop]


def _multi_arcs(problem, side: SideRules, ei, rj, mentees, next_node: int):
    """The arcs several mentors per mentee need, appended after the sink arcs: source → S₂,
    S₂ → mentee (places beyond the first), mentee → (mentee, group) (distinct mentors).
    Returns (tails of the pair arcs, extra tails, heads, capacities, first-place capacity
    per free mentee (0 when a pin already gave them a mentor), next free node, the
    :class:`Network` fields of the (mentee, group) nodes)."""
    places = free_places(problem)[mentees]
    covered = np.zeros(problem.shape[0], bool)
    if problem.pins:
        covered[[i for i, _ in problem.pins]] = True
    first = np.where(covered[mentees], 0, np.minimum(places, 1))
    rest = places - first
    s2 = next_node
    next_node += 1
    tails_pair = 1 + ei
    group_t = group_h = np.zeros(0, np.int64)
    groups = {}
    distinct = side.distinct
    if distinct is not None:
        group = np.asarray(distinct.group)
        n_g = int(group.max()) + 1 if group.size and group.max() >= 0 else 0
        several = np.zeros(problem.shape[0], bool)
        several[mentees[places >= 2]] = True
        g = group[rj]
        grouped = several[ei] & (g >= 0)
        if grouped.any() and n_g:
            keys = ei[grouped] * n_g + g[grouped]
            key, inverse = np.unique(keys, return_inverse=True)
            nodes = next_node + np.arange(key.size)
            next_node += key.size
            tails_pair = tails_pair.copy()
            tails_pair[grouped] = nodes[inverse]
            group_t, group_h = 1 + key // n_g, nodes
            groups = {"n_group": n_g, "group_key": key.astype(np.int64), "group_node0": int(nodes[0])}
    has_rest = rest > 0
    extra_t = np.concatenate([[0], np.full(int(has_rest.sum()), s2), group_t]).astype(np.int64)
    extra_h = np.concatenate([[s2], 1 + mentees[has_rest], group_h]).astype(np.int64)
    extra_c = np.concatenate([[int(rest.sum())], rest[has_rest], np.ones(group_t.size, np.int64)])
    return tails_pair, extra_t, extra_h, extra_c.astype(np.int64), first, next_node, groups


def arc_flows(net: Network, assignment) -> np.ndarray:
    """The flow on every arc of ``net`` that the pairing makes (pins aside): ``assignment``
    a ``mentor_of`` (n_e,) array or a :class:`~matcher.solve.pairing.Pairing`. With several
    mentors per mentee a mentee's first pair takes its first place, the rest S₂'s."""
    flow = np.zeros(net.tails.size, np.int64)
    if isinstance(assignment, Pairing):
        pair = assignment.contains(net.ei, net.rj)
    else:
        pair = assignment[net.ei] == net.rj
    flow[net.pair_arcs] = pair
    if net.second_arc < 0:
        flow[net.source_arcs] = assignment[net.mentees] >= 0
    else:
        _several_flows(net, pair, flow)
    heads = net.heads[net.pair_arcs][pair]
    if net.dept_key.size:
        via = heads[heads >= net.dept_node0] - net.dept_node0
        flow[net.dept_arcs] = np.bincount(via, minlength=net.dept_key.size)
    n_r = net.mentor_node.size
    flow[net.sink_arcs] = np.bincount(net.rj[pair], minlength=n_r)
    return flow


def _several_flows(net: Network, pair: np.ndarray, flow: np.ndarray) -> None:
    """Several mentors per mentee: fill in ``flow`` (in place) on the source's arcs, S₂'s
    and the (mentee, group) arcs, from the chosen pair arcs ``pair`` (bool, one per pair arc)."""
    count = np.bincount(net.ei[pair], minlength=net.n_nodes)  # pairs of each mentee index
    first = np.minimum(count[net.mentees], net.caps[net.source_arcs])
    flow[net.source_arcs] = first
    rest = count.copy()
    rest[net.mentees] -= first
    n_group = int(net.group_key.size)
    to_mentee = slice(net.second_arc + 1, net.tails.size - n_group)  # S₂ → mentee
    flow[to_mentee] = rest[net.heads[to_mentee] - 1]
    flow[net.second_arc] = int(flow[to_mentee].sum())
    if n_group:
        tails = net.tails[net.pair_arcs][pair]
        via = tails[tails >= net.group_node0] - net.group_node0
        flow[net.tails.size - n_group :] = np.bincount(via, minlength=n_group)


def solve_network(
    net: Network, pair_mask: np.ndarray | None, flow_value: int | None, costs=None, second: int | None = None
):
    """Solve once. ``pair_mask`` drops pair arcs (capacity 0); ``flow_value`` fixes the
    amount of flow (needed with lower bounds); otherwise max flow with min cost.
    ``costs``: other arc costs than ``net.costs`` (same layout); ``second``: the capacity of
    source → S₂ (several mentors per mentee; None: all places). Returns (status_ok, flow
    through each pair arc, total flow)."""
    from ortools.graph.python import min_cost_flow

    caps = net.caps.copy()
    if pair_mask is not None:
        caps[net.pair_arcs] = np.where(pair_mask, caps[net.pair_arcs], 0)
    if second is not None and net.second_arc >= 0:
        caps[net.second_arc] = second
    smcf = min_cost_flow.SimpleMinCostFlow()
    if net.tails.size:
        if flow_value is not None and net.lower.any():
            caps[net.sink_arcs] = caps[net.sink_arcs] - net.lower
        smcf.add_arcs_with_capacity_and_unit_cost(
            net.tails, net.heads, caps, net.costs if costs is None else costs
        )
    if flow_value is None:
        places = net.free_mentees if net.second_arc < 0 else int(caps[: net.pair_arcs.start].sum())
        if net.second_arc >= 0:
            places += int(caps[net.second_arc])
        supply = min(places, int(caps[net.sink_arcs].sum()))
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


def feasible_flow(
    net: Network, pair_mask: np.ndarray | None, most: int | None, second: int | None = None
) -> int:
    """The most flow ``net`` carries over the pair arcs of ``pair_mask`` (all: None); with
    ``most`` given and lower bounds, the most that can flow while every mentor's lower
    bound is met within a total of ``most`` (equal to ``most`` exactly when a flow of that
    value meets the bounds: mentor → T′ carries the bound, sink → T′ the rest; −1 when the
    bounds alone exceed ``most``)."""
    from matcher.solve.duals import max_flow

    caps = net.caps.copy()
    if pair_mask is not None:
        caps[net.pair_arcs] = np.where(pair_mask, caps[net.pair_arcs], 0)
    if second is not None and net.second_arc >= 0:
        caps[net.second_arc] = second
    if most is None or not net.lower.any():
        return max_flow(net.tails, net.heads, caps, 0, net.sink)
    if most < int(net.lower.sum()):
        return -1
    caps[net.sink_arcs] -= net.lower
    t2 = net.n_nodes
    need = np.flatnonzero(net.lower)
    tails = np.r_[net.tails, net.mentor_node[need], net.sink]
    heads = np.r_[net.heads, np.full(need.size + 1, t2)]
    caps = np.r_[caps, net.lower[need], most - int(net.lower.sum())]
    return max_flow(tails, heads, caps, 0, t2)


def solve_flow(problem: MatchProblem, side: SideRules | None = None) -> Solution:
    """Optimal assignment for the lexicographic objective (and the side rules, if any).

    Raises :class:`InfeasibleError` when the mentor minimum cannot hold.
    """
    side = side or SideRules()
    if is_multi(problem):
        return _solve_several(problem, side)
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
    net = network(problem, side, pinned, capacity)
    fewest = side.get(FewestChanges)
    if fewest is not None:
        net = _fewest_costs(net, fewest)
    bounded = bool(net.lower.any())
    fair = bool(side.fair and net.ei.size)
    # Level 1, the most mentees matchable. Where the min-cost answer of that call would be
    # thrown away (a minimum, fair mode), a plain max flow gives the same number faster.
    if bounded or fair:
        most = feasible_flow(net, None, None)
        flows = np.zeros(net.ei.size, np.int64)
    else:
        _, flows, most = solve_network(net, None, None)
    if bounded:
        if feasible_flow(net, None, most) < most:
            raise InfeasibleError(
                f"min_mentees_per_mentor = {side.min_per_mentor} is impossible together with the other "
                "rules: the mentees each mentor may take overlap too much to give every mentor their "
                "minimum. Lower min_mentees_per_mentor, raise capacities, or relax the rules"
            )
        if not fair:
            _, flows, _ = solve_network(net, None, most)
    lowest = None
    if fair and most > 0:
        # The threshold reads the score a coordinator sees (five Cs plus any bonus), never
        # the shortlist tier: that level comes after the lowest score and readiness.
        units = score_units(shown_scores(problem, problem.pair_scores(net.ei, net.rj)))
        levels = np.unique(units)
        lo, hi = 0, levels.size - 1  # levels[lo] always feasible (all pairs)
        best = 0
        while lo <= hi:  # the highest threshold that still matches the most (max flows)
            mid = (lo + hi) // 2
            if feasible_flow(net, units >= levels[mid], most if bounded else None) >= most:
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        threshold = int(levels[best])
        _, flows, _ = solve_network(net, units >= threshold, most if bounded else None)
        if pinned.any():
            # The lowest score counts pinned pairs too: a pin below the threshold caps the
            # max-min, and only pairs at least as good as that pin need be kept.
            pin_scores = problem.pair_scores(np.flatnonzero(pinned), mentor_of[pinned])
            pin_low = int(score_units(shown_scores(problem, pin_scores)).min())
            if pin_low < threshold:
                threshold = pin_low
                mask = units >= threshold
                if bounded:
                    _, flows, _ = solve_network(net, mask, most)
                else:
                    _, flows, _ = solve_network(net, mask, None)
        lowest = threshold / 100.0
    chosen = flows > 0
    mentor_of[net.ei[chosen]] = net.rj[chosen]
    objective = total_objective(problem, mentor_of)
    runtime = time.perf_counter() - start
    return Solution(
        mentor_of,
        "min_cost_flow",
        "OPTIMAL",
        objective,
        objective,
        runtime,
        lowest_score=lowest,
        fewest_changes=True if fewest is not None else None,
    )


FLOW_ROOM = 2**61  # arc costs × nodes stay below this (OR-Tools scales costs by the node count)


def _fewest_costs(net: Network, rule: FewestChanges, several: bool = False) -> Network:
    """``net`` with pair-arc costs for the fewest-changes tie-break (module docstring): gain
    (2P + 1)·gain + t; ``several``: (H + 1)·gain + t, t = +1 on the H pairs of the current
    pairing. Raises TieBreakTooLarge where that would leave 64-bit room."""
    if net.ei.size == 0:
        return net
    t = rule.tie_weights(net.ei, net.rj, several)
    scale = int(t.sum()) + 1 if several else 2 * int(net.free_mentees) + 1
    top = scale * (int(net.gain.max()) - min(int(net.gain.min()), 0) + 1) + 2
    if top * int(net.n_nodes) >= FLOW_ROOM:
        raise TieBreakTooLarge("the fewest-changes tie-break would exceed 64-bit flow costs")
    gain = np.int64(scale) * net.gain + t
    costs = net.costs.copy()
    costs[net.pair_arcs] = int(gain.max()) - gain
    return replace(net, costs=costs)


MULTI_RULES = frozenset({DepartmentSpread, DistinctMentors, FewestChanges})  # with several mentors


def _solve_several(problem: MatchProblem, side: SideRules) -> Solution:
    """Several mentors per mentee: the most pairs, then the most mentees with a mentor,
    then readiness and score (see the module's docstring). Raises MatcherError for a side
    rule this network cannot hold with several mentors (never a silent weakening)."""
    beyond = [r.describe for r in side.rules if type(r) not in MULTI_RULES]
    if beyond:
        raise MatcherError(
            f"the min-cost flow cannot hold {' and '.join(beyond)} with several mentors per mentee; "
            'set [solver] engine = "auto" or "cp_sat"'
        )
    start = time.perf_counter()
    capacity = problem.capacity.astype(np.int64).copy()
    for _, j in problem.pins:
        capacity[j] -= 1
    if (capacity < 0).any():
        raise MatcherError("pins exceed a mentor's capacity")  # checked earlier with a better message
    net = network(problem, side, pinned_mentees(problem), capacity)
    fewest = side.get(FewestChanges)
    if fewest is not None:
        net = _fewest_costs(net, fewest, several=True)
    covered = feasible_flow(net, None, None, second=0)  # the most new mentees with a mentor
    most = feasible_flow(net, None, None)  # the most pairs
    _, flows, _ = solve_network(net, None, None, second=most - covered)
    chosen = flows > 0
    pins = np.array(problem.pins, np.int64).reshape(-1, 2)
    pairing = Pairing.of(
        np.r_[pins[:, 0], net.ei[chosen]], np.r_[pins[:, 1], net.rj[chosen]], problem.shape[0]
    )
    objective = total_objective(problem, pairing)
    runtime = time.perf_counter() - start
    return Solution(
        pairing,
        "min_cost_flow",
        "OPTIMAL",
        objective,
        objective,
        runtime,
        fewest_changes=True if fewest is not None else None,
    )


def _solve_engine(problem, side: SideRules, settings) -> Solution:
    return solve_flow(problem, side)


ENGINE = Engine(
    name="flow",
    kinds=frozenset({"dense", "candidates"}),
    side_rules=frozenset({DepartmentSpread, MentorMinimum, FairObjective, DistinctMentors, FewestChanges}),
    solve=_solve_engine,
    label="min-cost flow",
    preference=0,
    several=MULTI_RULES,
)
