"""seniority: ``mentor_senior`` (default) — the mentor is not more senior; ``mentee_senior``
(reverse mentoring) — the mentee is not more senior; ``any`` (peer) — no order.
``seniority_gap = [min, max]`` bounds the gap in the rule's direction (for ``any``: the
absolute gap). Only pairs where both gave a seniority are judged."""

from __future__ import annotations

import numpy as np

from matcher.io.settings import Setting
from matcher.solve.rules.base import RelaxInput, Rule, RuleInput
from scoring.features import per_features

ORDERS = ("mentor_senior", "any", "mentee_senior")
SETTINGS = (
    Setting(
        "seniority",
        "mentor_senior",
        "choice",
        "mentor_senior | any (peer mentoring) | mentee_senior (reverse mentoring)",
        '"mentor_senior"',
        choices=ORDERS,
        order=20,
    ),
    Setting(
        "seniority_gap",
        None,
        "gap",
        "optional: allowed gap [min, max] in the rule's direction",
        "[1, 4]",
        optional=True,
        lo=-2000,
        hi=2000,
        order=30,
    ),
)


def mask(x: RuleInput):
    if not x.has("seniority"):
        return None
    rules = x.config.rules
    return _table(x.features, rules.seniority, rules.seniority_gap).block(x.mentees)


@per_features
def _table(f, order: str, bounds):
    """Seniority levels are few: the rule is looked up per pair in a table over them."""
    from scoring.five_cs import pair_table

    def bad(e, r):
        gap = r[0] - e[0]
        known = ~np.isnan(gap)
        gap = np.nan_to_num(gap)
        if order == "mentor_senior":
            d, out = gap, gap <= 0
        elif order == "mentee_senior":
            d, out = -gap, gap >= 0
        else:
            d, out = np.abs(gap), np.zeros_like(gap, dtype=bool)
        if bounds is not None:
            lo, hi = bounds
            out = out | (d < lo) | (d > hi)
        return out & known

    return pair_table(bad, (f.e.seniority,), (f.r.seniority,), dtype=bool)


def detail(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    rule = result.config.rules.seniority
    return f"seniority rule {rule} (mentor {int(r['seniority'])}, mentee {int(e['seniority'])})"


def relax(x: RelaxInput):
    gap = x.config.rules.seniority_gap
    return x.only, "dropping seniority_gap" if gap else 'allowing peer mentoring (seniority = "any")'


def summary(config, applied) -> dict:
    r = config.rules
    return {"seniority": r.seniority, "seniority_gap": list(r.seniority_gap) if r.seniority_gap else None}


RULE = Rule(
    "seniority",
    "seniority",
    "no mentor fits the seniority rule",
    mask,
    columns=("seniority",),
    settings=SETTINGS,
    detail=detail,
    relax=relax,
    summary=summary,
)
