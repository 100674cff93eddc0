"""department: ``same_department = "forbid"`` and both are in the same department.

``"penalise"`` instead takes ``department_penalty`` points off such a pair's score (a
scoring matter, read by :mod:`scoring.combine`); ``"allow"`` does neither."""

from __future__ import annotations

from matcher.io.settings import Setting
from matcher.solve.rules.base import RelaxInput, Rule, RuleInput

SETTINGS = (
    Setting(
        "same_department",
        "allow",
        "choice",
        "allow | penalise | forbid",
        '"allow"',
        choices=("allow", "penalise", "forbid"),
        order=40,
    ),
    Setting(
        "department_penalty",
        10.0,
        "number",
        'score points taken off a same-department pair when "penalise"',
        "10.0",
        lo=0,
        range_fix="e.g. 10",
        hi=100,
        order=50,
        summary=False,
    ),
)


def mask(x: RuleInput):
    if x.config.rules.same_department != "forbid" or not x.has("department"):
        return None
    from scoring.combine import same_department

    return same_department(x.features, x.mentees)


def relax(x: RelaxInput):
    return x.only, 'allowing same-department pairs (same_department = "allow")'


RULE = Rule(
    "department",
    "same department",
    "every mentor is in the same department",
    mask,
    columns=("department",),
    settings=SETTINGS,
    relax=relax,
)
