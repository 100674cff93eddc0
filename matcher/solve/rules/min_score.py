"""min_score: the pair score is below ``min_score`` (0–100; 0 = off)."""

from __future__ import annotations

import math

from matcher.io.settings import Setting
from matcher.solve.rules.base import RelaxInput, Rule, RuleInput

SETTINGS = (
    Setting(
        "min_score",
        0.0,
        "number",
        "pairs scoring below this (0–100) are not proposed",
        "0.0",
        lo=0,
        hi=100,
        range_fix="e.g. 40",
        order=60,
    ),
)


def mask(x: RuleInput):
    threshold = x.config.rules.min_score
    if threshold <= 0:
        return None
    return x.score < threshold


def relax(x: RelaxInput):
    best = float(x.scores[x.only].max())
    return x.only & (x.scores >= best), f"lowering min_score to {math.floor(best * 100) / 100:.2f}"


RULE = Rule(
    "min_score",
    "score below min_score",
    "no pair reaches min_score",
    mask,
    settings=SETTINGS,
    relax=relax,
)
