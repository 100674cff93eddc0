"""Ranked alternatives per mentee, each with its exact cost to the whole programme.

For mentee i and another feasible mentor j, the *delta* is what the programme would
gain or lose if i were given j and everyone else re-optimised under the same
objective — exactly what a full re-solve with (i, j) pinned gives, without re-solving.

How (default rules): in the residual graph of the optimal flow, pinning (i, j) costs
the cheapest cycle through the arc i → j, i.e. −w_ij + w_i,old + dist(j → old), where
dist is a shortest path in the residual graph. We contract the graph to mentors plus a
source S and sink T — an edge j → j'' is "move one of j's mentees to j''", j → S is
"unmatch one of j's mentees", S → j is "match an unmatched mentee to j", j → T means j
has a free place, T → j and T ↔ S let the number matched change — and run
Floyd–Warshall once over these (n_mentors + 2) nodes with exact int64 weights
w = A + B·r + s (the exported objective). Each alternative then reads one entry and
walks one path to count the mentees that move. The change in objective decodes
exactly into Δmatched, Δreadiness and Δscore because A and B dominate.

When side rules are in force (department spread, mentor minimum, fair mode) the
contracted graph no longer describes the model, so each delta is computed by a
pinned re-solve instead: exact, just slower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import MatcherError
from .problem import MatchProblem, SideRules, multipliers, ready_units, score_units

INF = np.int64(2**61)


@dataclass(frozen=True)
class Alternative:
    """One ranked alternative mentor for a mentee (indices; decoded by the report)."""

    mentee: int
    rank: int
    mentor: int
    spare: bool  # the mentor still has room in the proposal
    delta_score: float | None  # change in total pair score (points), None if not computed
    delta_matched: int | None
    moves: int | None
    reason: str  # for unmatched mentees: why this mentor is out ("" if not out)


def _weights(problem: MatchProblem) -> np.ndarray:
    a, b = multipliers(problem)
    if a > 2**50:
        raise MatcherError("cohort too large for exact alternatives (objective exceeds 2^50)")
    return np.int64(a) + np.int64(b) * ready_units(problem.readiness)[:, None] + score_units(problem.score)


class ResidualDistances:
    """All-pairs shortest paths over mentors + S + T in the residual graph of ``mentor_of``."""

    def __init__(self, problem: MatchProblem, mentor_of: np.ndarray):
        n_e, n_r = problem.shape
        self.problem = problem
        self.mentor_of = mentor_of
        self.S, self.T = n_r, n_r + 1
        m = n_r + 2
        pinned = np.zeros(n_e, dtype=bool)
        for i, _ in problem.pins:
            pinned[i] = True
        self.pinned = pinned
        allowed = problem.allowed & ~pinned[:, None]
        self.allowed = allowed
        w = _weights(problem)
        self.w = w
        cap = problem.capacity.astype(np.int64)
        matched = mentor_of >= 0
        load = np.bincount(mentor_of[matched], minlength=n_r)
        free_load = np.bincount(mentor_of[matched & ~pinned], minlength=n_r)
        self.spare = cap - load

        dist = np.full((m, m), INF, dtype=np.int64)
        via = np.full((m, m), -1, dtype=np.int64)  # mentee realising a direct edge
        np.fill_diagonal(dist, 0)

        def relax(rows, cols, cost, who):
            if rows.size == 0:
                return
            order = np.lexsort((who, cost, cols, rows))
            rows, cols, cost, who = rows[order], cols[order], cost[order], who[order]
            first = np.ones(rows.size, dtype=bool)
            first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
            rows, cols, cost, who = rows[first], cols[first], cost[first], who[first]
            better = cost < dist[rows, cols]
            dist[rows[better], cols[better]] = cost[better]
            via[rows[better], cols[better]] = who[better]

        movable = np.flatnonzero(matched & ~pinned)
        if movable.size:
            cur = mentor_of[movable]
            k_idx, j_idx = np.nonzero(allowed[movable])
            keep = j_idx != cur[k_idx]
            k_idx, j_idx = k_idx[keep], j_idx[keep]
            ks = movable[k_idx]
            cost = w[ks, cur[k_idx]] - w[ks, j_idx]
            relax(cur[k_idx], j_idx, cost, ks)  # type 1: move k from its mentor to j
            relax(cur, np.full(movable.size, self.S), w[movable, cur], movable)  # type 2: unmatch k
        waiting = np.flatnonzero(~matched & problem.eligible)
        if waiting.size:
            k_idx, j_idx = np.nonzero(allowed[waiting])
            ks = waiting[k_idx]
            relax(np.full(ks.size, self.S), j_idx, -w[ks, j_idx], ks)  # type 3: match k to j
        has_room = np.flatnonzero(self.spare > 0)
        dist[has_room, self.T] = np.minimum(dist[has_room, self.T], 0)  # type 4
        sheds = np.flatnonzero(free_load > 0)
        dist[self.T, sheds] = np.minimum(dist[self.T, sheds], 0)  # type 5
        dist[self.T, self.S] = min(dist[self.T, self.S], 0)  # one more matched
        if movable.size:
            dist[self.S, self.T] = min(dist[self.S, self.T], 0)  # one fewer matched

        nxt = np.where(dist < INF, np.arange(m)[None, :], -1)
        for k in range(m):  # Floyd–Warshall with next-hop tracking, exact int64
            through = np.minimum(dist[:, k, None] + dist[None, k, :], INF)
            better = through < dist
            if better.any():
                dist = np.where(better, through, dist)
                nxt = np.where(better, nxt[:, k, None], nxt)
        if (np.diag(dist) < 0).any():  # pragma: no cover - would mean the flow was not optimal
            raise MatcherError("internal error: the proposal is not optimal (negative residual cycle)")
        self.dist, self.nxt, self.via = dist, nxt, via

    def walk(self, a: int, b: int) -> tuple[int, int, int]:
        """Along the shortest path a → b: (mentees moved, Δmatched, Δreadiness units)."""
        r = ready_units(self.problem.readiness)
        moved = dm = dr = 0
        while a != b:
            step = int(self.nxt[a, b])
            k = int(self.via[a, step])
            if k >= 0:
                moved += 1
                if step == self.S:  # k loses their mentor
                    dm, dr = dm - 1, dr - int(r[k])
                elif a == self.S:  # k, unmatched, gains one
                    dm, dr = dm + 1, dr + int(r[k])
            a = step
        return moved, dm, dr

    def pin_delta(self, i: int, j: int) -> tuple[int, int, int, int] | None:
        """(Δmatched, Δreadiness units, Δscore units, moves) of pinning (i, j), or None if impossible."""
        old = int(self.mentor_of[i])
        end = self.S if old < 0 else old
        d = int(self.dist[j, end])
        if d >= INF // 2:
            return None
        dw = int(self.w[i, j]) - (int(self.w[i, old]) if old >= 0 else 0) - d
        moved, dm, dr = self.walk(j, end)
        if old < 0:
            dm, dr = dm + 1, dr + int(ready_units(self.problem.readiness[i : i + 1])[0])
        a, b = multipliers(self.problem)
        ds = dw - a * dm - b * dr
        return dm, dr, ds, moved


def _candidates(problem: MatchProblem, i: int, exclude: int, load: np.ndarray) -> np.ndarray:
    """Mentors that could take mentee i under a pin: allowed, capacity not all pinned."""
    pinned_load = np.bincount(
        np.array([j for _, j in problem.pins], dtype=np.int64), minlength=problem.shape[1]
    )
    ok = problem.allowed[i] & (problem.capacity - pinned_load > 0)
    if exclude >= 0:
        ok[exclude] = False
    js = np.flatnonzero(ok)
    # best score first, ties by mentor index (= natural id order)
    return js[np.lexsort((js, -problem.score[i, js]))]


def alternatives(
    problem: MatchProblem,
    mentor_of: np.ndarray,
    k: int,
    side: SideRules | None = None,
    mentees=None,
    resolve=None,
) -> list[Alternative]:
    """Up to k alternatives per matched mentee, with exact deltas.

    ``resolve(pins) -> mentor_of`` re-solves with extra pins; it is used (and required)
    when ``side`` rules are active. ``mentees`` limits the mentees considered.
    """
    side = side or SideRules()
    n_e, n_r = problem.shape
    if k <= 0:
        return []
    matched = mentor_of >= 0
    load = np.bincount(mentor_of[matched], minlength=n_r)
    spare = problem.capacity - load
    pinned = {i for i, _ in problem.pins}
    base_score = int(score_units(problem.score[matched.nonzero()[0], mentor_of[matched]]).sum())
    engine = None if side.active else ResidualDistances(problem, mentor_of)
    out: list[Alternative] = []
    targets = range(n_e) if mentees is None else mentees
    for i in targets:
        if i in pinned:
            continue
        if mentor_of[i] < 0:
            for rank, (j, why) in enumerate(unmatched_options(problem, mentor_of, i, k), start=1):
                dm = ds = moves = None
                if why == "full" and engine is not None:
                    got = engine.pin_delta(i, j)
                    if got is not None:
                        dm, _, ds, moves = got
                        ds = ds / 100.0
                out.append(Alternative(i, rank, j, False, ds, dm, moves, why))
            continue
        for rank, j in enumerate(_candidates(problem, i, int(mentor_of[i]), load)[:k], start=1):
            j = int(j)
            if engine is not None:
                got = engine.pin_delta(i, j)
                if got is None:
                    continue
                dm, _, ds, moves = got
            else:
                new = resolve(((i, j),))
                if new is None:
                    continue
                dm = int((new >= 0).sum() - matched.sum())
                nm = new >= 0
                ds = int(score_units(problem.score[nm.nonzero()[0], new[nm]]).sum()) - base_score
                moves = int(((new != mentor_of) & (np.arange(n_e) != i)).sum())
            out.append(Alternative(i, rank, j, bool(spare[j] > 0), ds / 100.0, dm, moves, ""))
    return out


def unmatched_options(problem: MatchProblem, mentor_of: np.ndarray, i: int, k: int) -> list[tuple[int, str]]:
    """Best k mentors by score for an unmatched mentee, each with why they are out."""
    from .rules import RULES, reasons

    n_r = problem.shape[1]
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=n_r)
    js = np.arange(n_r)[problem.capacity > 0]
    js = js[np.lexsort((js, -problem.score[i, js]))][:k]
    out = []
    for j in js:
        bits = int(problem.excluded[i, j])
        if not problem.eligible[i]:
            why = "mentee below min_readiness"
        elif bits:
            why = "excluded by " + ", ".join(RULES[n].label for n in reasons(bits))
        elif load[j] >= problem.capacity[j]:
            why = "full"
        else:  # pragma: no cover - an optimal solution would have matched them
            why = "has room"
        out.append((int(j), why))
    return out
