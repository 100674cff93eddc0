"""What scoring is configured with, and nothing else: :class:`ScoringSettings`.

Scoring does not read the programme config (that belongs to ``matcher``); the caller
hands it this small frozen value instead (``matcher.io.config.Config.scoring`` builds
one from a config). ``ScoringSettings()`` equals the settings of the default config.
"""

from __future__ import annotations

from dataclasses import dataclass

from .names import FIVE_CS


@dataclass(frozen=True)
class ScoringSettings:
    """The settings that change a pair's score (a frozen value, so it can be shared).

    ``weights``: the programme weight (≥ 0) of each C, 5 floats in FIVE_CS order; a
    pair's weight for C is this × the mentee's want_C answer. ``seniority``: the
    direction of the seniority rule ('mentor_senior', 'any' or 'mentee_senior'), which
    the seniority part of context follows. ``same_department`` ('allow', 'penalise' or
    'forbid'): with 'penalise' a pair from one department loses ``department_penalty``
    points of its 0–100 score; 'allow' and 'forbid' leave scores alone ('forbid' is a
    hard rule, applied by the matcher, not by scoring).
    """

    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0)
    seniority: str = "mentor_senior"
    same_department: str = "allow"
    department_penalty: float = 10.0

    def __post_init__(self) -> None:
        if len(self.weights) != len(FIVE_CS):
            raise ValueError(f"weights: expected {len(FIVE_CS)} values in the order {FIVE_CS}")

    def weight(self, c: str) -> float:
        """The programme weight of the C named ``c``."""
        return self.weights[FIVE_CS.index(c)]
