"""Stated choices as score points: the programme's ``[preferences]`` bonus per pair.

Takes the cohort's resolved choices (:class:`~matcher.io.preferences.Preferences`) and the
settings; returns the bonus (n_mentees, n_mentors) float, or None when choices do not
count (no one stated any, or every bonus is 0). A mentee's k-th counted choice (k ≤
``max_choices``) adds ``mentee_bonus[k-1]`` (0 past the list's end); each of a mentor's
first ``max_choices`` choices adds ``mentor_bonus``. Both add up on a mutual choice. The
solver maximises five-C score + bonus; the objective stays one integer per pair.
"""

from __future__ import annotations

import numpy as np


def preference_bonus(prefs, settings, shape: tuple[int, int]) -> np.ndarray | None:
    if not settings.scored or not prefs.stated:
        return None
    n_e, n_r = shape
    k = settings.max_choices
    bonus = np.zeros((n_e, n_r), dtype=np.float64)
    points = np.asarray(settings.mentee_bonus[:k], dtype=np.float64)
    for i, mentors in enumerate(prefs.mentee_choices):
        m = min(len(mentors), points.size)
        if m:
            bonus[i, list(mentors[:m])] += points[:m]
    if settings.mentor_bonus > 0:
        for j, mentees in enumerate(prefs.mentor_choices):
            if mentees:
                bonus[list(mentees[:k]), j] += settings.mentor_bonus
    return bonus if bonus.any() else None
