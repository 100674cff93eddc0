"""location: an in-person pair (one side insists, the other allows it or left mode blank)
in different locations."""

from __future__ import annotations

from matcher.solve.rules.base import RelaxInput, Rule, RuleInput
from scoring.features import per_features


def mask(x: RuleInput):
    if not (x.has("location") and x.has("mode")):
        return None
    return _table(x.features).block(x.mentees)


@per_features
def _table(f):
    from scoring.five_cs import pair_table

    def apart(e, r):
        (a, la), (b, lb) = e, r
        # One side insists on in person and the other does not rule it out (blank = either).
        in_person = ((a == 1) & (b != 2)) | ((b == 1) & (a != 2))
        return in_person & (la >= 0) & (lb >= 0) & (la != lb)

    return pair_table(apart, (f.e.mode, f.e.location), (f.r.mode, f.r.location), dtype=bool)


def detail(result, i, j) -> str:
    return "different location for in-person meetings"


def relax(x: RelaxInput):
    return x.only, "meeting virtually"  # the same relaxation as mode's: counted together


RULE = Rule(
    "location",
    "location",
    "no mentor is in the same location for in-person meetings",
    mask,
    columns=("location", "mode"),
    detail=detail,
    relax=relax,
)
