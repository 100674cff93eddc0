"""The names scoring is about: the five Cs and the questionnaire items it reads per mentee.

They live here, in the bottom layer, so that scoring needs nothing from ``matcher``;
``matcher.io.config`` re-exports :data:`FIVE_CS` and ``matcher.io.questionnaire``
re-exports :data:`READY_ITEMS` for the code that imports them from there.
Every tuple's order is the column order of the arrays built from it (``Features.want``
and ``Scores.components`` follow FIVE_CS; ``Features.ready`` follows READY_ITEMS).
"""

from __future__ import annotations

FIVE_CS = ("compatibility", "contrast", "challenge", "context", "care")
STYLE_ITEMS = ("style_structure", "style_pace", "style_directness")
# want_C: how much the mentee says C matters (one per C, in FIVE_CS order).
WANT_ITEMS = ("want_compatibility", "want_contrast", "want_challenge", "want_context", "want_care")
READY_ITEMS = (
    "ready_open",
    "ready_committed",
    "ready_challenge",
    "ready_feedback",
    "ready_respect",
)
