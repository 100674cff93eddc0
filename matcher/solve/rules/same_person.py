"""same_person: one person can never be their own mentor.

A person who is in both files — the same id, or the same email (ignoring case) — is a
mentee and a mentor at once (peer programmes, a mentor who also wants a mentor). With
``seniority = "any"`` or no seniority column nothing else stops the solver pairing them
with themselves, so this rule always does. The loader warns about each such person; the
rule has no setting and no relaxation.
"""

from __future__ import annotations

from matcher.solve.rules.base import Rule, RuleInput, pairs_mask


def mask(x: RuleInput):
    both = x.cohort.same_person
    if not both:
        return None
    return pairs_mask(x, [(i, j) for i, j, _ in both])


def detail(result, i, j) -> str:
    how = {(a, b): h for a, b, h in result.cohort.same_person}.get((i, j), "id")
    return f"the same person (same {how} in both files)"


RULE = Rule(
    "same_person",
    "same person",
    "the only mentor is the mentee themself",
    mask,
    columns=("id", "email"),
    detail=detail,
)
