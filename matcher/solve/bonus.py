"""Stated choices in the objective: the ``[preferences]`` bonus and the shortlist tier.

Takes the cohort's resolved choices (:class:`~matcher.io.preferences.Preferences`) and the
settings. ``preference_bonus`` returns the bonus (n_mentees, n_mentors) float, or None when
choices do not count (no one stated any, or every bonus is 0): a mentee's k-th counted
choice (k ≤ ``max_choices``) adds ``mentee_bonus[k-1]`` (0 past the list's end); each of a
mentor's first ``max_choices`` choices adds ``mentor_bonus``; both add up on a mutual
choice. The solver maximises five-C score + bonus; the objective stays one integer per pair.

``shortlist = true`` adds a tier to the lexicographic objective, between readiness and
score: (1) match as many mentees as possible, (2) the readiest, (3) as many mentees as
possible within their own counted choices, (4) the highest total score (with bonuses).
It stays one integer per pair: a mentee's counted choice gains ``H`` score units, with
``H = 2·N·M + 1`` (N the most mentees matchable, M the score bound in units), more than
twice any difference in total score, so one more mentee within their choices beats any
score and a change in the total decodes exactly into (choices, score) (:func:`split_units`);
the problem's ``max_score`` rises by ``H`` so readiness still beats both
(:func:`matcher.solve.problem.multipliers_for`). ``shortlist`` on the problem holds ``H``
in points; :func:`shown_scores` takes it off scores before anyone sees them.
"""

from __future__ import annotations

import numpy as np

from matcher.solve.problem import SCORE_UNITS


def choice_pairs(prefs, settings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every mentee's counted choices: (mentee, mentor, rank from 1) index arrays, in
    mentee order then rank (at most ``max_choices`` per mentee; no loop over all pairs)."""
    k = settings.max_choices
    ii, jj, rk = [], [], []
    for i, mentors in enumerate(prefs.mentee_choices):
        for r, j in enumerate(mentors[:k], start=1):
            ii.append(i)
            jj.append(j)
            rk.append(r)
    return np.array(ii, np.int64), np.array(jj, np.int64), np.array(rk, np.int64)


def bonus_pairs(prefs, settings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bonus as (mentee, mentor, points) triples, one per stated choice that earns
    points (a mutual choice appears twice: the points add up)."""
    k = settings.max_choices
    points = np.asarray(settings.mentee_bonus[:k], dtype=np.float64)
    ii, jj, rk = choice_pairs(prefs, settings)
    earn = rk <= points.size
    out_i, out_j = [ii[earn]], [jj[earn]]
    out_p = [points[rk[earn] - 1] if points.size else np.zeros(0)]
    if settings.mentor_bonus > 0:
        mi = [i for mentees in prefs.mentor_choices for i in mentees[:k]]
        mj = [j for j, mentees in enumerate(prefs.mentor_choices) for _ in mentees[:k]]
        out_i.append(np.array(mi, np.int64))
        out_j.append(np.array(mj, np.int64))
        out_p.append(np.full(len(mi), float(settings.mentor_bonus)))
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_p)


def preference_bonus(prefs, settings, shape: tuple[int, int]) -> np.ndarray | None:
    if not settings.scored or not prefs.stated:
        return None
    bonus = np.zeros(shape, dtype=np.float64)
    ii, jj, pts = bonus_pairs(prefs, settings)
    np.add.at(bonus, (ii, jj), pts)
    return bonus if bonus.any() else None


def bonus_of_pair(prefs, settings, i: int, j: int) -> float:
    """The bonus of one pair (0 when choices do not count or none was stated for it)."""
    if not settings.scored or not prefs.stated:
        return 0.0
    ii, jj, pts = bonus_pairs(prefs, settings)
    return float(pts[(ii == i) & (jj == j)].sum())


def in_objective(problem) -> tuple[bool, bool]:
    """(preference bonuses, the shortlist tier) count in this problem's objective."""
    tier = float(getattr(problem, "shortlist", 0.0))
    return float(getattr(problem, "max_score", 100.0)) - tier > 100.0, tier > 0


def block_bonus(triples, rows: np.ndarray, n_mentors: int) -> np.ndarray | None:
    """The bonus of mentee ``rows`` (sorted) only, (len(rows), n_mentors), or None when no
    pair of these rows earns any; ``triples``: :func:`bonus_pairs` of the cohort, computed
    once (the ``scores`` command scores the cohort in blocks of rows)."""
    ii, jj, pts = triples
    if rows.size == 0 or ii.size == 0:
        return None
    pos = np.minimum(np.searchsorted(rows, ii), rows.size - 1)
    inside = rows[pos] == ii
    if not inside.any():
        return None
    out = np.zeros((rows.size, n_mentors), np.float64)
    np.add.at(out, (pos[inside], jj[inside]), pts[inside])
    return out


def shortlist_mask(prefs, settings, shape: tuple[int, int]) -> np.ndarray | None:
    """(n_e, n_r) bool: the pair is one of the mentee's counted choices; None when no
    mentee stated a choice."""
    ii, jj, _ = choice_pairs(prefs, settings)
    if ii.size == 0:
        return None
    mask = np.zeros(shape, dtype=bool)
    mask[ii, jj] = True
    return mask


def shortlist_points(max_matchable: int, max_score: float) -> float:
    """H of the shortlist tier in points (``H = 2·N·M + 1`` units, N ≥ 1)."""
    m = round(max_score * SCORE_UNITS)
    return (2 * max(int(max_matchable), 1) * m + 1) / SCORE_UNITS


def add_shortlist(score: np.ndarray, max_score: float, mask: np.ndarray, max_matchable: int):
    """``score`` (n_e, n_r) with the shortlist tier on the ``mask`` pairs → (score,
    max_score, tier points): the problem's scores, bound and ``shortlist`` field."""
    tier = shortlist_points(max_matchable, max_score)
    return np.round(score + tier * mask, 2), max_score + tier, tier


def shown_scores(problem, score):
    """``score`` (of this problem's pairs: scalar or array) without the shortlist tier, i.e.
    five-C score plus any bonus — what a coordinator is shown. Unchanged without shortlist."""
    tier = float(getattr(problem, "shortlist", 0.0))
    if not tier:
        return score
    s = np.asarray(score, dtype=np.float64)
    out = np.where(s >= tier, np.round(s - tier, 2), s)
    return float(out) if np.ndim(score) == 0 else out


def split_units(problem, units: int) -> tuple[int, int]:
    """A change in total score units of this problem → (Δ mentees within their choices,
    Δ score units without the tier). Exact: the tier H is more than twice any change in
    the rest. Without shortlist: (0, units)."""
    tier = round(float(getattr(problem, "shortlist", 0.0)) * SCORE_UNITS)
    if not tier:
        return 0, int(units)
    dh = (2 * int(units) + tier) // (2 * tier)  # the nearest whole number of tiers
    return int(dh), int(units) - dh * tier
