"""Exact deltas of pinning one more pair when mentees may have several mentors, without re-solving.

Takes a several-mentor problem (``mentors_wanted``), its optimal pairing and the side rules;
answers ``pin_change(i, j)`` — (Δpairs, Δmentees with a mentor, Δreadiness units, Δscore
units, moves) of the best pairing that contains (i, j), or None if no pairing may — exactly
what :class:`~matcher.review.alternatives.SeveralDeltas` gets from a pinned re-solve, in a
look-up. ``moves`` is the fewest pairs of the proposal that change (that the new pairing
drops: its mentee gets another mentor or one fewer) among all the optimal pairings with the
pin — the same tie-break the re-solves use (:class:`~matcher.solve.side_rules.FewestChanges`).

Why it is exact. The flow network of :mod:`matcher.solve.engines.flow` for several mentors
(source → first place of mentee k (gain C, the cover weight) or source → S₂ → k (the places
beyond the first), k → (k, group) → mentor (one arc per allowed pair, gain A + B·r_k + s_kj),
mentor → sink, sink → source) is a max-weight circulation whose optimum is the lexicographic
objective (pairs, then mentees with a mentor, then readiness and score). Forcing one unit on
the arc of pair (i, j) moves the optimum by exactly the best residual cycle through that arc:
the difference of the two optima decomposes into residual cycles, the one through (i, j)
alone is feasible, and the others cannot gain (the proposal is optimal). So the change is
that arc's gain plus the best residual path from mentor j back to mentee i.

How. Every residual path between mentors, the source, S₂ and the sink passes through at
most one mentee at a time, so the residual graph contracts to those n_mentors + 3 nodes: an
edge j → j'' (a mentee of j takes j'' instead, where ``distinct_mentors_by`` lets them),
j → source / S₂ (a mentee of j loses them: their only mentor / one of several), source / S₂
→ j'' (a mentee gains j'': their first mentor / one more), and the sink's arcs (a place
free, a place given up, the flow's value changing). Floyd–Warshall over these nodes gives
every shortest path at once; a query then adds the arc (i, j) and the way back into mentee
i (their first place, a further place, or giving up one of their mentors). A shortest walk
that meets a mentee twice is no better than the best simple cycle (a closed walk is a simple
cycle plus others, none of which can gain), so the look-up equals the re-solve.

Costs are kept per level as two exact int64 numbers — (pairs, mentees with a mentor,
readiness) and (score, dropped pairs) — each level with room for every path's change, and
compared lexicographically: the same order as the objective's one integer, which would not
fit 64 bits here. Only the flow's own model is contracted: department spread, the mentor
minimum, the fair objective, ``distinct_mentors_by = "topics"``, the shortlist tier and
``--max-changes`` are priced by re-solves (:func:`several_delta_engine` chooses).
"""

from __future__ import annotations

import numpy as np

from matcher.errors import MatcherError
from matcher.solve.pairing import Pairing
from matcher.solve.problem import free_places, max_units, pinned_mentees, ready_units, score_units
from matcher.solve.side_rules import DistinctMentors, SideRules

INF = np.int64(2**61)
HALF = INF // 2


def contractible(problem, side: SideRules | None) -> bool:
    """The residual graph of ``problem`` under ``side`` contracts exactly (see the module):
    a dense several-mentor problem whose only side rule is ``distinct_mentors_by`` a column
    (department, profession), without the shortlist tier, and whose costs fit (up to about
    3,000 mentors)."""
    if not getattr(problem, "exact_deltas", False) or float(getattr(problem, "shortlist", 0.0)):
        return False
    rules = () if side is None else side.rules
    # not DistinctTopics (CP-SAT's); and the costs must fit two int64 levels
    return all(type(r) is DistinctMentors for r in rules) and _levels(problem) is not None


def _levels(problem) -> tuple[int, int, int] | None:
    """(H1, H2, L1): the multipliers of the two cost levels, hi = pairs·H1 + covered·H2 +
    readiness and lo = score·L1 + dropped pairs; None where they would not fit int64.

    Room per level: a walk the queries or Floyd–Warshall form has at most ``room`` contracted
    edges, each changing pairs and mentees covered by at most 1, readiness by 100 units,
    score by M units and dropped pairs by 1. Floyd–Warshall keeps "no path" as any value
    above 2^60 (:data:`HALF`): a sum through a missing edge starts at 2^61 and loses at most
    one real path's size per round, so nodes × that size must stay below 2^59."""
    nodes = problem.shape[1] + 3
    room = 2 * nodes + 4
    h2 = 2 * 100 * room + 1
    h1 = 2 * room * h2 + 1
    l1 = room + 1
    if nodes * room * max(h1, (max_units(problem) + 1) * l1) >= 2**59:
        return None
    return h1, h2, l1


def several_delta_engine(problem, pairing: Pairing, side: SideRules | None, resolve):
    """:class:`SeveralResidual` where the residual graph contracts (:func:`contractible`), else
    :class:`~matcher.review.alternatives.SeveralDeltas` (a pinned re-solve per pair, through
    ``resolve``). Both answer ``pin_change(i, j)`` the same way."""
    if contractible(problem, side):
        return SeveralResidual(problem, pairing, side)
    from matcher.review.alternatives import SeveralDeltas

    return SeveralDeltas(problem, pairing, resolve)


class SeveralResidual:
    """Shortest residual paths of a several-mentor pairing (see the module). Shapes: the
    contracted graph has ``n_r`` + 3 nodes (mentors, then source, S₂, sink); ``hi`` and
    ``lo`` (nodes × nodes) are the two int64 levels of each shortest path's cost."""

    def __init__(self, problem, pairing: Pairing, side: SideRules | None = None):
        from matcher.solve.engines.flow import network

        n_e, n_r = problem.shape
        self.problem, self.pairing = problem, pairing
        self.SRC, self.S2, self.T = n_r, n_r + 1, n_r + 2
        nodes = n_r + 3
        side = side if side is not None else SideRules()
        levels = _levels(problem)
        if levels is None:  # pragma: no cover - several_delta_engine re-solves instead
            raise MatcherError("cohort too large for exact several-mentor deltas in 64-bit paths")
        self.H1, self.H2, self.L1 = levels

        capacity = problem.capacity.astype(np.int64).copy()
        for _, j in problem.pins:
            capacity[j] -= 1
        net = network(problem, side, pinned_mentees(problem), capacity)
        ei, rj = net.ei, net.rj  # the pair arcs: allowed, not pinned, row-major
        self.arc = np.zeros((n_e, n_r), bool)
        self.arc[ei, rj] = True
        places = free_places(problem)
        first = np.zeros(n_e, np.int64)
        first[net.mentees] = net.caps[net.source_arcs]  # 0 where a pin already covers them
        self.first_cap = first
        self.rest = np.where(self.arc.any(axis=1), places - first, 0)
        flow = pairing.contains(ei, rj)  # pinned pairs are no arcs
        count = np.bincount(ei[flow], minlength=n_e)
        self.f1 = np.minimum(count, first)  # the first place is used before the others
        self.f2 = count - self.f1
        self.held = np.zeros((n_e, n_r), bool)  # the proposal's pairs the flow may change
        self.held[ei[flow], rj[flow]] = True
        load = np.bincount(rj[flow], minlength=n_r)
        # distinct mentors: mentee k reaches mentor j through node (k, g) when k can still
        # take two or more mentors and j has a value; g of each such arc, else −1
        distinct = side.get(DistinctMentors)
        self.group = (
            np.asarray(distinct.group, np.int64) if distinct is not None else np.full(n_r, -1, np.int64)
        )
        self.grouped = places >= 2
        n_g = int(self.group.max()) + 1 if self.group.size and self.group.max() >= 0 else 0
        self.has_group = np.zeros((n_e, max(n_g, 1)), bool)  # k has a mentor of group g
        g_flow = self.group[rj[flow]]
        keyed = self.grouped[ei[flow]] & (g_flow >= 0)
        self.has_group[ei[flow][keyed], g_flow[keyed]] = True
        self.r = ready_units(problem.readiness)
        s_arc = score_units(problem.pair_scores(ei, rj))
        g_arc = np.where(self.grouped[ei], self.group[rj], -1)

        hi = np.full((nodes, nodes), INF, np.int64)
        lo = np.full((nodes, nodes), INF, np.int64)
        np.fill_diagonal(hi, 0)
        np.fill_diagonal(lo, 0)

        def relax(rows, cols, dp, dc, dr, ds, mv):
            """Add edges rows → cols whose use changes pairs by dp, mentees covered by dc,
            readiness by dr and score by ds units and drops mv pairs (cost: minus the gain)."""
            rows = np.asarray(rows, np.int64)
            if rows.size == 0:
                return
            cols = np.broadcast_to(np.asarray(cols, np.int64), rows.shape)
            h = -(np.asarray(dp, np.int64) * self.H1 + np.asarray(dc, np.int64) * self.H2 + dr)
            h = np.broadcast_to(h, rows.shape)
            low = np.broadcast_to(-np.asarray(ds, np.int64) * self.L1 + mv, rows.shape)
            flat = rows * nodes + cols
            order = np.lexsort((low, h, flat))  # per edge, the cheapest first
            flat, h, low = flat[order], h[order], low[order]
            keep = np.ones(flat.size, bool)
            keep[1:] = flat[1:] != flat[:-1]
            flat, h, low = flat[keep], h[keep], low[keep]
            rows, cols = flat // nodes, flat % nodes
            better = (h < hi[rows, cols]) | ((h == hi[rows, cols]) & (low < lo[rows, cols]))
            hi[rows[better], cols[better]] = h[better]
            lo[rows[better], cols[better]] = low[better]

        k_f, j_f, s_f, g_f = ei[flow], rj[flow], s_arc[flow], g_arc[flow]
        k_a, j_a, s_a, g_a = ei[~flow], rj[~flow], s_arc[~flow], g_arc[~flow]
        # may mentee k take j'' (arc a) from node k: j'' has no group or k none of its group
        open_a = (g_a < 0) | ~self.has_group[k_a, np.maximum(g_a, 0)]
        # j → j'': a mentee k of j takes j'' instead (same group: through (k, g); else
        # through k, where j'' needs a group k has none of)
        starts = np.searchsorted(k_a, np.arange(n_e + 1))
        n_per = starts[k_f + 1] - starts[k_f]
        fi = np.repeat(np.arange(k_f.size), n_per)
        ai = np.arange(fi.size) - np.repeat(np.cumsum(n_per) - n_per, n_per) + np.repeat(starts[k_f], n_per)
        ok = ((g_f[fi] >= 0) & (g_a[ai] == g_f[fi])) | open_a[ai]
        fi, ai = fi[ok], ai[ok]
        relax(j_f[fi], j_a[ai], 0, 0, 0, s_a[ai] - s_f[fi], 1)
        # j → source / S₂: a mentee of j loses them (their only mentor / one of several)
        r_f = self.r[k_f]
        lose1 = self.f1[k_f] > 0
        relax(j_f[lose1], self.SRC, -1, -1, -r_f[lose1], -s_f[lose1], 1)
        lose2 = self.f2[k_f] > 0
        relax(j_f[lose2], self.S2, -1, 0, -r_f[lose2], -s_f[lose2], 1)
        # source / S₂ → j'': a mentee gains j'' (their first mentor / one more)
        r_a = self.r[k_a]
        gain1 = (self.f1[k_a] < self.first_cap[k_a]) & open_a
        relax(np.full(int(gain1.sum()), self.SRC), j_a[gain1], 1, 1, r_a[gain1], s_a[gain1], 0)
        gain2 = (self.f2[k_a] < self.rest[k_a]) & open_a
        relax(np.full(int(gain2.sum()), self.S2), j_a[gain2], 1, 0, r_a[gain2], s_a[gain2], 0)
        # hubs: S₂ ↔ source through a mentee's places, and directly
        ks = np.flatnonzero((self.f1 > 0) & (self.f2 < self.rest))  # first place → a further one
        relax(np.full(ks.size, self.S2), self.SRC, 0, -1, 0, 0, 0)
        ks = np.flatnonzero((self.f1 < self.first_cap) & (self.f2 > 0))  # a further place → first
        relax(np.full(ks.size, self.SRC), self.S2, 0, 1, 0, 0, 0)
        relax([self.SRC], self.S2, 0, 0, 0, 0, 0)
        if self.f2.sum():
            relax([self.S2], self.SRC, 0, 0, 0, 0, 0)
        room_j = np.flatnonzero(capacity - load > 0)  # mentor → sink: a free place
        relax(room_j, self.T, 0, 0, 0, 0, 0)
        busy = np.flatnonzero(load > 0)  # sink → mentor: a place given up
        relax(np.full(busy.size, self.T), busy, 0, 0, 0, 0, 0)
        relax([self.T], self.SRC, 0, 0, 0, 0, 0)  # one more pair in all
        if flow.any():
            relax([self.SRC], self.T, 0, 0, 0, 0, 0)  # one fewer

        through_h = np.empty_like(hi)
        through_l = np.empty_like(lo)
        better = np.empty(hi.shape, bool)
        tie = np.empty(hi.shape, bool)
        # Floyd–Warshall, lexicographic over (hi, lo), exact int64. "No path" is any hi ≥
        # HALF: a real path's levels stay below 2^40, so sums through a missing edge stay
        # above HALF (INF = 2^61 less at most nodes · 2^40) and two INF never overflow.
        for k in range(nodes):
            col_h, row_h = hi[:, k], hi[k]
            rows, cols = np.flatnonzero(col_h < HALF), np.flatnonzero(row_h < HALF)
            if rows.size == 0 or cols.size == 0:
                continue
            col_h, row_h = col_h.copy(), row_h.copy()
            col_l, row_l = lo[:, k].copy(), lo[k].copy()
            np.add(col_h[:, None], row_h[None, :], out=through_h)
            np.add(col_l[:, None], row_l[None, :], out=through_l)
            np.less(through_h, hi, out=better)
            np.equal(through_h, hi, out=tie)
            tie &= through_l < lo
            better |= tie
            np.copyto(hi, through_h, where=better)
            np.copyto(lo, through_l, where=better)
        hi[hi >= HALF] = INF
        if ((np.diag(hi) < 0) | ((np.diag(hi) == 0) & (np.diag(lo) < 0))).any():  # pragma: no cover
            raise MatcherError("internal error: the proposal is not optimal (a residual cycle gains)")
        self.hi, self.lo = hi, lo

    def _score(self, k: int, j: int) -> int:
        return int(score_units(self.problem.pair_scores(np.array([k]), np.array([j])))[0])

    def choices_change(self, i: int, j: int) -> int:
        """As :meth:`SeveralDeltas.choices_change`: 0, there is no shortlist here
        (:func:`contractible`)."""
        return 0

    def pin_change(self, i: int, j: int) -> tuple[int, int, int, int, int] | None:
        """(Δpairs, Δmentees with a mentor, Δreadiness units, Δscore units, pairs of the
        proposal dropped — the fewest among the optimal pairings with (i, j)) of the best
        pairing containing (i, j); None if none may (a rule, a pin, no place anywhere).
        A pair already proposed changes nothing."""
        if self.held[i, j]:
            return 0, 0, 0, 0, 0
        if not self.arc[i, j]:
            return None
        r_i = int(self.r[i])
        g = int(self.group[j]) if self.grouped[i] else -1  # the arc leaves node (i, g), or i
        tail_open = g < 0 or not bool(self.has_group[i, g])
        # the ways back into mentee i, each (node, dp, dc, dr, ds, mv)
        ways = []
        if tail_open and self.f1[i] < self.first_cap[i]:
            ways.append((self.SRC, 0, 1, 0, 0, 0))
        if tail_open and self.f2[i] < self.rest[i]:
            ways.append((self.S2, 0, 0, 0, 0, 0))
        for x in np.flatnonzero(self.held[i]).tolist():  # give up mentor x
            gx = int(self.group[x]) if self.grouped[i] else -1
            if tail_open or (g >= 0 and gx == g):
                ways.append((x, -1, 0, -r_i, -self._score(i, x), 1))
        best = None
        s_ij = self._score(i, j)
        for node, dp, dc, dr, ds, mv in ways:
            h, low = int(self.hi[j, node]), int(self.lo[j, node])
            if h >= HALF:
                continue
            h += -((1 + dp) * self.H1 + dc * self.H2 + r_i + dr)
            low += -(s_ij + ds) * self.L1 + mv
            if best is None or (h, low) < best:
                best = (h, low)
        if best is None:
            return None
        v = -best[0]
        dp = (v + self.H1 // 2) // self.H1
        rest = v - dp * self.H1
        dc = (rest + self.H2 // 2) // self.H2
        dr = rest - dc * self.H2
        moves = best[1] % self.L1
        ds = -(best[1] - moves) // self.L1
        return dp, dc, dr, ds, moves
