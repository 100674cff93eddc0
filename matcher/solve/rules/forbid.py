"""forbid: pairs in the coordinator's ``--forbid`` file (or the review app's decisions)."""

from __future__ import annotations

from matcher.solve.rules.base import Rule, RuleInput, pairs_mask


def mask(x: RuleInput):
    return pairs_mask(x, x.forbidden) if x.forbidden else None


RULE = Rule("forbid", "forbidden pair", "every mentor is in a forbidden pair", mask)
