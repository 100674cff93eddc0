"""What every engine returns: the pairing by index, the status and the proof of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    lowest_score: float | None = None  # fair mode: the proven max-min pair score
    # How an engine that proves its answer for the full problem itself (also on candidate
    # sets) did so: the certificate for summary.json (None: the problem's certify decides).
    proof: dict | None = None
