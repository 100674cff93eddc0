"""Mentee readiness in [0, 1], a property of the mentee, not of the pair.

Mean of the answered ready_* items (open, committed, willing to be challenged,
receptive to feedback, respectful of time and boundaries), each mapped 1–5 → 0–1.
A mentee who answered none of them gets the neutral 0.5.
"""

from __future__ import annotations

import numpy as np

from .names import READY_ITEMS

NEUTRAL = 0.5


def readiness(ready: np.ndarray, present: frozenset[str] | set[str]) -> np.ndarray:
    """``ready``: (n_mentees, 5) Likert with NaN blanks → (n_mentees,) readiness in [0, 1]."""
    cols = [k for k, c in enumerate(READY_ITEMS) if c in present]
    if not cols:
        return np.full(ready.shape[0], NEUTRAL)
    items = (ready[:, cols] - 1.0) / 4.0
    answered = ~np.isnan(items)
    n = answered.sum(axis=1)
    total = np.where(answered, items, 0.0).sum(axis=1)
    return np.where(n > 0, total / np.maximum(n, 1), NEUTRAL)
