"""mode: one says ``in_person``, the other ``virtual``."""

from __future__ import annotations

from matcher.solve.rules.base import RelaxInput, Rule, RuleInput
from scoring.features import per_features


def mask(x: RuleInput):
    if not x.has("mode"):
        return None
    return _table(x.features).block(x.mentees)


@per_features
def _table(f):
    from scoring.five_cs import pair_table

    def clash(e, r):
        a, b = e[0], r[0]
        return ((a == 1) & (b == 2)) | ((a == 2) & (b == 1))

    return pair_table(clash, (f.e.mode,), (f.r.mode,), dtype=bool)


def detail(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    return f"meeting mode ({e['mode']} vs {r['mode']})"


def relax(x: RelaxInput):
    return x.only, "meeting virtually"


RULE = Rule(
    "mode",
    "meeting mode",
    "no mentor accepts the meeting mode",
    mask,
    columns=("mode",),
    detail=detail,
    relax=relax,
)
