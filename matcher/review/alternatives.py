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
pinned re-solve instead: exact, just slower. Among the optimal pinned pairings the
re-solve returns one changing the fewest other mentees (the
:class:`~matcher.solve.side_rules.FewestChanges` tie-break, a level below the score), so
``moves`` is the fewest, as on the residual graph; where the tie-break could not be held or
proven (:class:`Resolved` ``fewest`` False) ``moves`` is None (not computed), never a count
that may be too high.

When a mentee may have several mentors (``mentors_wanted``), :func:`several_alternatives`
prices each alternative through an engine answering ``pin_change``: shortest paths on the
several-mentor residual graph (:mod:`matcher.review.several_residual`) where it contracts,
else a pinned re-solve (:class:`SeveralDeltas`): the mentee keeps their other places, and the
delta is the exact change in pairs, mentees with a mentor, readiness and score; ``moves`` is
then the fewest pairs of the proposal that change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.errors import MatcherError
from matcher.solve.bonus import shown_scores, split_units
from matcher.solve.problem import (
    MatchProblem,
    deltas_fit,
    max_units,
    multipliers,
    pinned_mentees,
    ready_units,
    score_units,
)
from matcher.solve.side_rules import SideRules

INF = np.int64(2**61)


@dataclass(frozen=True)
class Resolved:
    """A pinned re-solve: ``assignment`` (a ``mentor_of``, or a Pairing when a mentee may have
    several mentors) and ``fewest``: proven to change the fewest other mentees among the
    optimal pairings with the pin (else the moves of this one optimum are not reported)."""

    assignment: object
    fewest: bool


def _resolved(got) -> Resolved | None:
    """A resolve function's answer as :class:`Resolved` (a bare assignment: not proven fewest)."""
    if got is None or isinstance(got, Resolved):
        return got
    return Resolved(got, False)


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
    delta_pairs: int | None = None  # several mentors per mentee: change in pairs (places filled)


def _weights(problem: MatchProblem) -> np.ndarray:
    a, b = multipliers(problem)
    if not deltas_fit(a, b, max_units(problem), problem.shape[1]):
        raise MatcherError(
            "cohort too large for exact alternatives (objective exceeds 64-bit shortest paths)"
        )
    return np.int64(a) + np.int64(b) * ready_units(problem.readiness)[:, None] + score_units(problem.score)


class ResidualDistances:
    """All-pairs shortest paths over mentors + S + T in the residual graph of ``mentor_of``."""

    def __init__(self, problem: MatchProblem, mentor_of: np.ndarray):
        n_r = problem.shape[1]
        self.problem = problem
        self.mentor_of = mentor_of
        self.S, self.T = n_r, n_r + 1
        m = n_r + 2
        self.pinned = pinned = pinned_mentees(problem)
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

        # Ties between equally good re-solves: prefer the one that moves fewest other
        # mentees, by counting one unit per mentee edge below the objective's scale.
        a, _ = multipliers(problem)
        self.scale = m + 1 if a * (m + 1) * m < 2**60 else 1
        if self.scale > 1:
            edge = dist < INF
            dist = np.where(edge, dist * self.scale + (via >= 0), INF)
            np.fill_diagonal(dist, 0)
        nxt = np.where(dist < INF, np.arange(m)[None, :], -1)
        through = np.empty_like(dist)
        better = np.empty(dist.shape, dtype=bool)
        for k in range(m):  # Floyd–Warshall with next-hop tracking, exact int64, in place
            col, row, hop = dist[:, k].copy(), dist[k].copy(), nxt[:, k].copy()
            np.add(col[:, None], row[None, :], out=through)
            np.minimum(through, INF, out=through)
            np.less(through, dist, out=better)
            if better.any():
                np.copyto(dist, through, where=better)
                np.copyto(nxt, np.broadcast_to(hop[:, None], nxt.shape), where=better)
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

    def pin_moves(self, i: int, j: int) -> list[tuple[int, int, int]] | None:
        """The other mentees that pinning (i, j) moves, along the path :meth:`pin_delta`
        prices: (mentee, from mentor, to mentor), −1 for none; None if impossible. Among
        equally good re-solves this is the one that moves fewest; a re-solve may pick
        another equally good one (same Δ, other mentees)."""
        old = int(self.mentor_of[i])
        end = self.S if old < 0 else old
        if int(self.dist[j, end]) >= INF // 2:
            return None
        out, a = [], j
        while a != end:
            step = int(self.nxt[a, end])
            k = int(self.via[a, step])
            if k >= 0:
                out.append((k, -1 if a == self.S else a, -1 if step == self.S else step))
            a = step
        return out

    def objective_deltas(self, ii: np.ndarray, j: int) -> np.ndarray:
        """The change in the whole objective (A·matched + B·readiness + score units, exact
        int64) of pinning each mentee ``ii[n]`` to mentor ``j``, in one vectorised look-up;
        ``-INF`` where impossible. The largest is the cheapest; :meth:`pin_delta` decodes it."""
        ii = np.asarray(ii, dtype=np.int64)
        old = self.mentor_of[ii]
        end = np.where(old < 0, self.S, old)
        d = self.dist[j, end]
        ok = (d < INF // 2) & self.allowed[ii, j]
        gained = self.w[ii, j] - np.where(old >= 0, self.w[ii, np.maximum(old, 0)], 0)
        return np.where(ok, gained - d // self.scale, -INF)

    def pin_delta(self, i: int, j: int) -> tuple[int, int, int, int] | None:
        """(Δmatched, Δreadiness units, Δscore units, moves) of pinning (i, j), or None if
        impossible; the score is the five Cs plus any bonus (the shortlist tier apart)."""
        got = self.pin_delta_full(i, j)
        return None if got is None else (got[0], got[1], got[3], got[4])

    def pin_delta_full(self, i: int, j: int) -> tuple[int, int, int, int, int] | None:
        """(Δmatched, Δreadiness units, Δmentees within their choices (shortlist; else 0),
        Δscore units, moves) of pinning (i, j), or None if impossible."""
        old = int(self.mentor_of[i])
        end = self.S if old < 0 else old
        d = int(self.dist[j, end])
        if d >= INF // 2:
            return None
        d //= self.scale
        dw = int(self.w[i, j]) - (int(self.w[i, old]) if old >= 0 else 0) - d
        moved, dm, dr = self.walk(j, end)
        if old < 0:
            dm, dr = dm + 1, dr + int(ready_units(self.problem.readiness[i : i + 1])[0])
        a, b = multipliers(self.problem)
        dh, ds = split_units(self.problem, dw - a * dm - b * dr)
        return dm, dr, dh, ds, moved


def _candidates(problem: MatchProblem, i: int, exclude: int) -> np.ndarray:
    """Mentors that could take mentee i under a pin: allowed, capacity not all pinned."""
    pinned_load = np.bincount(
        np.array([j for _, j in problem.pins], dtype=np.int64), minlength=problem.shape[1]
    )
    ok = problem.allowed[i] & (problem.capacity - pinned_load > 0)
    if exclude >= 0:
        ok[exclude] = False
    js = np.flatnonzero(ok)
    # best score first, ties by mentor index (= natural id order)
    return js[np.lexsort((js, -shown_scores(problem, problem.score[i, js])))]


class ResolveDeltas:
    """The same ``pin_delta`` as :class:`ResidualDistances`, by pinned re-solves (side rules)."""

    def __init__(self, problem: MatchProblem, mentor_of: np.ndarray, resolve):
        self.problem, self.mentor_of, self.resolve = problem, mentor_of, resolve
        self._last: tuple[tuple[int, int], Resolved | None] | None = None

    def _resolve(self, i: int, j: int) -> Resolved | None:
        """The pinned re-solve of (i, j); the last one is kept, so asking for its delta and
        then its moves solves once."""
        if self._last is None or self._last[0] != (i, j):
            self._last = ((i, j), _resolved(self.resolve(((i, j),))))
        return self._last[1]

    def pin_moves(self, i: int, j: int) -> list[tuple[int, int, int]] | None:
        """The other mentees the pinned re-solve moves: (mentee, from, to), −1 for none; the
        fewest among the optimal pinned pairings when the re-solve proved it (``fewest``),
        else one optimal re-solve's."""
        got = self._resolve(i, j)
        if got is None:
            return None
        new, old = np.asarray(got.assignment), self.mentor_of
        return [(int(k), int(old[k]), int(new[k])) for k in np.flatnonzero(new != old) if k != i]

    def pin_delta(self, i: int, j: int) -> tuple[int, int, int, int] | None:
        got = self.pin_delta_full(i, j)
        return None if got is None else (got[0], got[1], got[3], got[4])

    def pin_delta_full(self, i: int, j: int) -> tuple[int, int, int, int, int | None] | None:
        """(Δmatched, Δreadiness units, Δshortlist, Δscore units, moves) of pinning (i, j),
        None if impossible; moves None when the re-solve did not prove them the fewest."""
        got = self._resolve(i, j)
        if got is None:
            return None
        p, old, new = self.problem, self.mentor_of, np.asarray(got.assignment)
        r = ready_units(p.readiness)
        a, b = old >= 0, new >= 0
        dm = int(b.sum() - a.sum())
        dr = int(r[b].sum() - r[a].sum())
        ds = int(score_units(p.score[b.nonzero()[0], new[b]]).sum()) - int(
            score_units(p.score[a.nonzero()[0], old[a]]).sum()
        )
        moves = int(((new != old) & (np.arange(old.size) != i)).sum()) if got.fewest else None
        dh, ds = split_units(p, ds)
        return dm, dr, dh, ds, moves


def delta_engine(problem: MatchProblem, mentor_of: np.ndarray, side: SideRules | None, resolve=None):
    """Residual shortest paths under the default rules; pinned re-solves under side rules."""
    if side is not None and side.active:
        if resolve is None:
            raise MatcherError("side rules need a re-solve function for exact deltas")
        return ResolveDeltas(problem, mentor_of, resolve)
    return ResidualDistances(problem, mentor_of)


def alternatives(
    problem: MatchProblem,
    mentor_of: np.ndarray,
    k: int,
    side: SideRules | None = None,
    mentees=None,
    resolve=None,
    engine=None,
) -> list[Alternative]:
    """Up to k alternatives per mentee, best pair score first (ties by mentor index).

    Matched mentees get feasible mentors other than their own, each with the exact
    Δtotal score, Δmatched and moves of pinning it. Unmatched mentees get their best
    mentors with the reason each is out (and the deltas when the mentor is only full).
    ``resolve(pins) -> mentor_of`` is required when ``side`` rules are active; ``engine``:
    the :func:`delta_engine` of this proposal when already built.
    """
    if k <= 0:
        return []
    n_e, n_r = problem.shape
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=n_r)
    spare = problem.capacity - load
    pinned = {i for i, _ in problem.pins}
    engine = engine if engine is not None else delta_engine(problem, mentor_of, side, resolve)
    out: list[Alternative] = []
    for i in range(n_e) if mentees is None else mentees:
        if i in pinned:
            continue
        if mentor_of[i] < 0:
            for rank, (j, why) in enumerate(unmatched_options(problem, load, i, k), start=1):
                got = engine.pin_delta(i, j) if why == "full" else None
                dm, ds, moves = (got[0], got[2] / 100.0, got[3]) if got else (None, None, None)
                out.append(Alternative(i, rank, j, bool(spare[j] > 0), ds, dm, moves, why))
            continue
        rank = 0
        for j in _candidates(problem, i, int(mentor_of[i])):
            got = engine.pin_delta(i, int(j))
            if got is None:
                continue
            rank += 1
            dm, _, ds, moves = got
            why = _choices_taken(problem, engine, mentor_of, i, int(j)) if dm == 0 else ""
            out.append(Alternative(i, rank, int(j), bool(spare[j] > 0), ds / 100.0, dm, moves, why))
            if rank == k:
                break
    return out


def _choices_taken(problem, engine, mentor_of: np.ndarray, i: int, j: int) -> str:
    """With the shortlist: the words when giving mentee i mentor j would take other mentees
    out of their own choices (why a change that raises the total score is not made); ""
    otherwise."""
    tier = float(getattr(problem, "shortlist", 0.0))
    if not tier or not hasattr(engine, "pin_delta_full"):
        return ""
    got = engine.pin_delta_full(i, j)
    if got is None:
        return ""
    old = int(mentor_of[i])
    own = int(problem.pair_scores(i, j) >= tier) - int(old >= 0 and problem.pair_scores(i, old) >= tier)
    lost = own - got[2]
    if lost <= 0:
        return ""
    return f"would take {lost} other mentee{'s' if lost != 1 else ''} out of their own choices"


def unmatched_options(problem: MatchProblem, load: np.ndarray, i: int, k: int) -> list[tuple[int, str]]:
    """Best k mentors by score for an unmatched (or partly matched) mentee ``i``, each with
    why they are out; ``load`` (n_mentors,) is each mentor's mentees in the pairing."""
    from matcher.solve.rules import RULES, reasons

    n_r = problem.shape[1]
    js = np.arange(n_r)[problem.capacity > 0]
    js = js[np.lexsort((js, -shown_scores(problem, problem.score[i, js])))][:k]
    out = []
    for j in js:
        bits = int(problem.excluded[i, j])
        if not problem.eligible[i]:
            why = "mentee below min_readiness"
        elif bits:
            why = "excluded by " + ", ".join(RULES[n].label for n in reasons(bits))
        elif load[j] >= problem.capacity[j]:
            why = "full"
        else:  # optimal: only with several mentors per mentee, when distinct mentors forbids it
            why = "has room"
        out.append((int(j), why))
    return out


class SeveralDeltas:
    """Exact changes of pinning one more pair, by pinned re-solves, for a pairing in which a
    mentee may have several mentors. ``resolve(pins) -> Resolved | Pairing | None`` (None:
    impossible); the moves are reported only when the re-solve proved them the fewest."""

    def __init__(self, problem, pairing, resolve):
        self.problem, self.pairing, self.resolve = problem, pairing, resolve
        self._seen: dict[tuple[int, int], tuple[int, int, int, int, int] | None] = {}
        self.choices: dict[tuple[int, int], int] = {}  # shortlist: Δ others' choices met of a pin

    def pin_change(self, i: int, j: int) -> tuple[int, int, int, int, int | None] | None:
        """(Δpairs, Δmentees with a mentor, Δreadiness units, Δscore units, moves: the pairs of
        the proposal that change (the re-solve drops them, i's own included) — the fewest
        among the optimal pinned pairings, None where not proven) of pinning (i, j), or None
        if impossible. Each pair is re-solved once per engine (explain and the audit may ask
        again). :class:`~matcher.review.several_residual.SeveralResidual` gives the same
        without re-solving where the flow's model allows."""
        if (i, j) not in self._seen:
            self._seen[(i, j)] = self._change(i, j)
        return self._seen[(i, j)]

    def choices_change(self, i: int, j: int) -> int:
        """Shortlist: the change in the other mentees' choices met (each pair whose mentor is
        one of its mentee's counted choices counts one) of pinning (i, j); 0 without shortlist
        or when the pin is impossible."""
        self.pin_change(i, j)
        return self.choices.get((i, j), 0)

    def _change(self, i: int, j: int) -> tuple[int, int, int, int, int | None] | None:
        got = _resolved(self.resolve(((i, j),)))
        if got is None:
            return None
        new, old, p = got.assignment, self.pairing, self.problem
        r = ready_units(p.readiness)

        def totals(x):
            return (
                x.size,
                int((x.count > 0).sum()),
                int(r[x.mentee].sum()),
                int(score_units(p.pair_scores(x.mentee, x.mentor)).sum()),
            )

        a, b = totals(old), totals(new)
        # With the shortlist the score units carry the tier: split off the change in choices
        # met (kept in ``choices``), so Δscore is in points as everywhere else.
        dh, ds = split_units(p, b[3] - a[3])
        tier = float(getattr(p, "shortlist", 0.0))
        if tier:

            def own(x) -> int:  # choices met of mentee i in pairing x
                mine = x.mentee == i
                return int((p.pair_scores(x.mentee[mine], x.mentor[mine]) >= tier).sum())

            self.choices[(i, j)] = dh - (own(new) - own(old))
        dropped = int((~new.contains(old.mentee, old.mentor)).sum())  # the proposal's pairs that change
        moves = dropped if got.fewest else None
        return b[0] - a[0], b[1] - a[1], b[2] - a[2], ds, moves


def several_alternatives(problem, pairing, k: int, engine: SeveralDeltas, mentees=None) -> list[Alternative]:
    """Up to k alternatives per mentee when mentees may have several mentors, best pair score
    first (ties by mentor index): mentors the mentee does not have, each with the exact
    change of pinning it (a mentee without a mentor: their best mentors with why each is
    out, priced when only full). A mentee whose every place is pinned gets none."""
    from matcher.solve.problem import free_places

    if k <= 0:
        return []
    load = pairing.load(problem.shape[1])
    spare = problem.capacity - load
    free = free_places(problem)
    out: list[Alternative] = []
    for i in range(problem.shape[0]) if mentees is None else mentees:
        if free[i] <= 0:
            continue
        own = pairing.mentors(i)
        if own.size == 0:
            for rank, (j, why) in enumerate(unmatched_options(problem, load, i, k), start=1):
                got = engine.pin_change(i, j) if why == "full" else None
                dp, dm, _, ds, moves = got if got else (None, None, None, None, None)
                out.append(
                    Alternative(
                        i, rank, j, bool(spare[j] > 0), None if ds is None else ds / 100.0, dm, moves, why, dp
                    )
                )
            continue
        rank = 0
        for j in _candidates(problem, i, -1):
            if int(j) in own:
                continue
            got = engine.pin_change(i, int(j))
            if got is None:
                continue
            rank += 1
            dp, dm, _, ds, moves = got
            lost = -engine.choices_change(i, int(j))  # shortlist: why a gain in score is not taken
            why = (
                f"would take {lost} choice{'s' if lost != 1 else ''} met away from other mentees"
                if lost > 0
                else ""
            )
            out.append(Alternative(i, rank, int(j), bool(spare[j] > 0), ds / 100.0, dm, moves, why, dp))
            if rank == k:
                break
    return out
