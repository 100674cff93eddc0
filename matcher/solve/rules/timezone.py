"""timezone: the two clocks differ by more than ``max_timezone_gap_hours`` (the larger
gap of 15 January and 15 July, so summer time counts)."""

from __future__ import annotations

import math

import numpy as np

from matcher.io.settings import Setting
from matcher.solve.rules.base import RelaxInput, Rule, RuleInput
from scoring.features import per_features

SETTINGS = (
    Setting(
        "max_timezone_gap_hours",
        6.0,
        "number",
        "largest clock difference between the two (over the year)",
        "6.0",
        lo=0,
        range_fix="e.g. 6",
        hi=26,
        order=10,
    ),
)


def mask(x: RuleInput):
    if not x.has("timezone"):
        return None
    return _table(x.features, x.config.rules.max_timezone_gap_hours).block(x.mentees)


@per_features
def _table(f, limit: float):
    """Time zones are few: the rule is looked up per pair in a table over them."""
    from scoring.five_cs import pair_table

    hours = f.tz_table  # not f itself: the table is memoised on f and must not point back at it

    def too_far(e, r):
        return np.nan_to_num(hours[e[0], r[0]], nan=0.0) > limit + 1e-9

    return pair_table(too_far, (f.e.tz_code,), (f.r.tz_code,), dtype=bool)


def _gap(features, i: int) -> np.ndarray:
    from scoring.features import timezone_gap

    return timezone_gap(features, slice(i, i + 1))[0]


def detail(result, i, j) -> str:
    gap = float(_gap(result.scores.features, i)[j])
    gap = None if math.isnan(gap) else gap
    return f"time zone ({gap:g} h apart, limit {result.config.rules.max_timezone_gap_hours:g} h)"


def relax(x: RelaxInput):
    if x.features is None:
        return None
    gap = _gap(x.features, x.i)
    need = math.ceil(float(np.nanmin(np.where(x.only, gap, np.nan))) - 1e-9)
    return x.only & (gap <= need + 1e-9), f"allowing a {need} h time-zone gap"


RULE = Rule(
    "timezone",
    "time zone",
    "no mentor is within the time-zone gap",
    mask,
    columns=("timezone",),
    settings=SETTINGS,
    detail=detail,
    relax=relax,
)
