"""repeat: pairs proposed in an earlier cycle (``match --history H --no-repeat``)."""

from __future__ import annotations

from matcher.solve.rules.base import Rule, RuleInput, pairs_mask


def mask(x: RuleInput):
    earlier = x.extra.get("earlier_pairs")
    return pairs_mask(x, earlier) if earlier else None


RULE = Rule("repeat", "earlier pair (--no-repeat)", "every mentor was an earlier pair", mask)
