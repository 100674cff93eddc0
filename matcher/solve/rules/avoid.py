"""avoid: either person lists the other in their ``avoid`` column (ids of the other file)."""

from __future__ import annotations

from matcher.solve.rules.base import Rule, RuleInput, pairs_mask


def avoid_pairs(c) -> list[tuple[int, int]]:
    """Every (mentee, mentor) pair that an avoid list on either side forbids."""
    pairs = []
    for i, ids in enumerate(c.mentees["avoid"].tolist()):
        pairs.extend((i, j) for j in (c.mentor_index(p) for p in ids) if j is not None)
    for j, ids in enumerate(c.mentors["avoid"].tolist()):
        pairs.extend((i, j) for i in (c.mentee_index(p) for p in ids) if i is not None)
    return pairs


def mask(x: RuleInput):
    c = x.cohort
    if "avoid" not in c.mentee_columns and "avoid" not in c.mentor_columns:
        return None
    pairs = x.extra.get("avoid_pairs")
    if pairs is None:
        pairs = avoid_pairs(c)
    return pairs_mask(x, pairs)


RULE = Rule("avoid", "avoid list", "every mentor is on an avoid list", mask, columns=("avoid",))
