"""The proposal seen from the mentors' side: who each mentor got, and why a mentor got nobody.

``mentor_loads(result)`` → capacity and load per mentor; ``mentees_of(result, j)`` → the
mentees given to mentor j with the pair score and how each mentee ranks j among their
feasible mentors; ``unused_reason(result, j, engine)`` says in words why a mentor with
places got no mentee — "capacity 4, no mentee for whom R014 is allowed and better than
their proposed mentor (excluded for 38 mentees by time zone)" — or, when R014 *is* better
for some mentees, what giving R014 to the cheapest of them would cost the programme
(exact, from the delta engine's ``objective_deltas`` / ``pin_delta``). Only matrices and
the solution are read; no solver runs here (with side rules the engine re-solves, so
only the few best candidates are priced). A mentee may have several mentors
(``mentors_wanted``): everything reads the pairing's pairs, and "better than their proposed
mentor" means better than the weakest of their mentors once all their places are filled
(a mentee with a place left: any allowed mentor is better); such a cohort's engine answers
``pin_change`` (``SeveralResidual`` / ``SeveralDeltas``), whose exact change is given in
:func:`~matcher.review.explain.several_cost_words`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.review.explain import cost_words
from matcher.solve.bonus import shown_scores
from matcher.solve.rules import RULES


@dataclass(frozen=True)
class Given:
    """A mentee given to a mentor: the pair score, and ``rank`` of this mentor among the
    mentee's ``feasible`` mentors by score (1 = their best); ``pinned`` by the coordinator."""

    mentee: int
    score: float
    rank: int
    feasible: int
    pinned: bool


def mentor_loads(result) -> tuple[np.ndarray, np.ndarray]:
    """(capacity, load) per mentor, shapes (n_mentors,), from the problem solved."""
    p = result.problem
    return p.capacity.astype(np.int64), result.solution.pairing.load(p.shape[1])


def mentees_of(result, j: int) -> list[Given]:
    """The mentees of mentor j, in mentee order, each with score and j's rank for them."""
    p, pairing = result.problem, result.solution.pairing
    ii = pairing.mentee[pairing.mentor == j]  # ascending: pairs are sorted by mentee
    if ii.size == 0:
        return []
    jj = np.full(ii.size, j)
    ranks = p.ranks(ii, jj)
    feasible, _ = p.allowed_counts()
    scores = shown_scores(p, p.pair_scores(ii, jj))
    pinned = {(int(i), int(r)) for i, r in p.pins}
    return [
        Given(int(i), float(scores[n]), int(ranks[n]), int(feasible[i]), (int(i), j) in pinned)
        for n, i in enumerate(ii)
    ]


def exclusions_for(result, j: int) -> list[tuple[str, int]]:
    """(rule label, number of eligible mentees it excludes mentor j for), largest first;
    on candidate sets, where rule bits are not kept per pair, one entry ``the hard rules``."""
    p = result.problem
    scores, bits = p.column(j)
    if bits is None:
        n = int((np.isnan(scores) & p.eligible).sum())
        return [("the hard rules", n)] if n else []
    col = bits[p.eligible]
    counts = [(r.label, int(((col >> r.bit) & 1).sum())) for r in RULES.values()]
    return sorted([c for c in counts if c[1]], key=lambda t: -t[1])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _weakest_own(result) -> np.ndarray:
    """(n_e,) the shown score of each mentee's weakest proposed mentor once all their places
    are filled, −inf while a place is left (or unmatched)."""
    from matcher.solve.problem import mentee_places

    p, pairing = result.problem, result.solution.pairing
    own = np.full(p.shape[0], np.inf)
    np.minimum.at(own, pairing.mentee, shown_scores(p, p.pair_scores(pairing.mentee, pairing.mentor)))
    own[pairing.count < mentee_places(p)] = -np.inf
    return own


def unused_reason(result, j: int, engine=None) -> str:
    """Why mentor j, with places, was given nobody (see the module docstring)."""
    c, p = result.cohort, result.problem
    r_id = c.mentor_ids[j]
    cap = int(p.capacity[j])
    if cap == 0:
        return "capacity 0: takes no mentees this round"
    counts = exclusions_for(result, j)
    excluded = ""
    if counts:
        first, *rest = counts
        excluded = f"excluded for {_plural(first[1], 'mentee')} by {first[0]}" + "".join(
            f", {n} by {label}" for label, n in rest
        )
    column, bits = p.column(j)
    column = shown_scores(p, column)
    ok = ~np.isnan(column) if bits is None else bits == 0
    allowed = np.flatnonzero(ok & p.eligible)
    if allowed.size == 0:
        return f"capacity {cap}, allowed for no mentee ({excluded or 'no eligible mentee'})"
    own = _weakest_own(result)[allowed]
    better = allowed[column[allowed] > own]
    tail = f" ({excluded})" if excluded else ""
    if better.size == 0:
        return (
            f"capacity {cap}, no mentee for whom {r_id} is allowed and better than their proposed mentor"
            + tail
        )
    pinned = {i for i, _ in p.pins}
    free = np.array([i for i in better if int(i) not in pinned], dtype=np.int64)
    head = f"capacity {cap}; better than the proposed mentor for {_plural(better.size, 'mentee')}"
    if free.size < better.size:
        head += f" ({better.size - free.size} of them pinned)"
    if free.size == 0 or engine is None:
        return head + tail
    if hasattr(engine, "pin_change"):  # mentees may have several mentors
        return (
            head
            + _several_price(result, engine, free, j, column[free] - own[np.searchsorted(allowed, free)])
            + tail
        )
    if not hasattr(engine, "pin_delta"):
        return head + tail
    if hasattr(engine, "objective_deltas"):
        deltas = engine.objective_deltas(free, j)
        best = int(free[int(np.argmax(deltas))])
    else:  # side rules: each price is a re-solve, so price the three best-scoring only
        top = free[np.argsort(-(column[free] - own[np.searchsorted(allowed, free)]), kind="stable")[:3]]
        priced = [(engine.pin_delta(int(i), j), int(i)) for i in top]
        priced = [(d, i) for d, i in priced if d is not None]
        if not priced:
            return head + tail
        best = max(priced, key=lambda t: (t[0][0], t[0][1], t[0][2], -t[1]))[1]
    got = engine.pin_delta(best, j)
    if got is None:
        return head + ", but none of them can have this mentor under the rules in force" + tail
    return head + f", but giving {r_id} to the cheapest, {c.mentee_ids[best]}, " + cost_words(*got) + tail


def _several_price(result, engine, free: np.ndarray, j: int, gain: np.ndarray) -> str:
    """The words after "better than the proposed mentor for N mentees" when mentees may have
    several mentors: what giving mentor j to the cheapest of ``free`` (each with its score
    ``gain`` over their weakest mentor, +inf with a place left) would do, from the engine's
    exact ``pin_change``. Residual look-ups price every one of them; where each price is a
    re-solve (:class:`~matcher.review.alternatives.SeveralDeltas`) only the three largest
    gains are priced, as with side rules for one mentor each. The cheapest is the best
    pairing by the objective's order: pairs, mentees with a mentor, readiness, score."""
    from matcher.review.explain import several_cost_words
    from matcher.review.several_residual import SeveralResidual

    if not isinstance(engine, SeveralResidual):
        free = free[np.argsort(-gain, kind="stable")[:3]]
    priced = [(engine.pin_change(int(i), j), int(i)) for i in free]
    priced = [(d, i) for d, i in priced if d is not None]
    if not priced:
        return ", but none of them can have this mentor under the rules in force"
    got, best = max(priced, key=lambda t: (*t[0][:4], -t[1]))
    return (
        f", but giving {result.cohort.mentor_ids[j]} to the cheapest, {result.cohort.mentee_ids[best]}, "
        + (several_cost_words(*got))
    )
