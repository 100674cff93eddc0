"""declined: the mentor lists the mentee in ``declined_mentees`` (an id, exact name or
email of the mentees file, resolved by :mod:`matcher.io.preferences`).

A decline is the person's own word, so the diagnosis never suggests relaxing it.
"""

from __future__ import annotations

from matcher.solve.rules.base import Rule, RuleInput, pairs_mask


def mask(x: RuleInput):
    if "declined_mentees" not in x.cohort.mentor_columns:
        return None
    return pairs_mask(x, x.cohort.preferences.declined)


RULE = Rule(
    "declined",
    "the mentor's decline",
    "every mentor has declined this mentee",
    mask,
    columns=("declined_mentees",),
)
