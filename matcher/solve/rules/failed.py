"""failed: pairs whose rapport failed in an earlier round (history) — never proposed again."""

from __future__ import annotations

from matcher.solve.rules.base import Rule, RuleInput, pairs_mask


def mask(x: RuleInput):
    return pairs_mask(x, x.failed) if x.failed else None


RULE = Rule("failed", "earlier failed pair", "every mentor was an earlier failed pair", mask)
