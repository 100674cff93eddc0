"""What every engine returns: the pairing by index, the status and the proof of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solve.pairing import Pairing


@dataclass(frozen=True, eq=False)
class Solution:
    """A solver's answer by index. ``pairing``: the chosen (mentee, mentor) pairs;
    ``mentor_of`` ((n_e,) int64, −1 unmatched) when no mentee has several mentors."""

    pairing: Pairing
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
    # With the :class:`~matcher.solve.side_rules.FewestChanges` tie-break: True when proven
    # (among optimal pairings, none changes fewer mentees), False when the tie-break was not
    # finished (the pairing is still optimal); None when not asked.
    fewest_changes: bool | None = None

    def __post_init__(self):
        if not isinstance(self.pairing, Pairing):  # a mentor_of array (one mentor per mentee)
            object.__setattr__(self, "pairing", Pairing.from_mentor_of(np.asarray(self.pairing)))

    @property
    def mentor_of(self) -> np.ndarray:
        """(n_e,) mentor per mentee, −1 unmatched; raises
        :class:`~matcher.solve.pairing.SeveralMentorsError` when a mentee has several."""
        return self.pairing.mentor_of
