"""Hard rules: one module each, registered here in the order reasons are listed.

Each module defines ``RULE`` (a :class:`~matcher.solve.rules.base.Rule`) that declares
its columns, config keys, mask, detail, relaxation and summary line. ``RULES`` is the
strict registry (bits assigned on registration); ``exclusions`` packs every applicable
rule's mask into one ``uint16`` per pair, so an infeasible pair carries all the rules
that excluded it. A new rule is a new module plus one line below — or, for a plug-in or
a test, ``RULES.register(rule)`` / ``with RULES.registered(rule):``.
"""

from __future__ import annotations

import numpy as np

from matcher.solve.rules import (
    avoid,
    declined,
    department,
    failed,
    forbid,
    language,
    location,
    min_score,
    mode,
    repeat,
    reporting_line,
    same_person,
    seniority,
    timezone,
)
from matcher.solve.rules.avoid import avoid_pairs
from matcher.solve.rules.base import Registry, RelaxInput, Rule, RuleInput, pairs_mask
from matcher.solve.rules.reporting_line import reporting_pairs

__all__ = [
    "RULES",
    "RelaxInput",
    "Rule",
    "RuleInput",
    "avoid_pairs",
    "exclusions",
    "pairs_mask",
    "reasons",
    "reporting_pairs",
    "settings_schema",
    "summary_entries",
]

RULES = Registry()
for _module in (
    avoid,
    forbid,
    failed,
    language,
    mode,
    location,
    timezone,
    seniority,
    department,
    reporting_line,
    repeat,
    min_score,
    same_person,  # last: the bits of the rules before it keep their numbers
    declined,  # last: the bits of the rules above are unchanged
):
    RULES.register(_module.RULE)


def exclusions(x: RuleInput) -> tuple[np.ndarray, tuple[str, ...]]:
    """Bits of every rule excluding each pair of the block, (k, n_mentors) uint16; rules applied."""
    bits = np.zeros(x.shape, dtype=np.uint16)
    applied = []
    for r in RULES.values():
        mask = r.mask(x)
        if mask is None:
            continue
        applied.append(r.name)
        # A plain OR of the shifted mask: a ufunc with ``where=`` is ten times slower.
        bits |= np.left_shift(np.asarray(mask, dtype=bool), r.bit, dtype=np.uint16)
    return bits, tuple(applied)


def reasons(bits: int) -> list[str]:
    """Rule names behind a pair's exclusion bits, in registry order."""
    return [r.name for r in RULES.values() if bits >> r.bit & 1]


def settings_schema():
    """Every ``[rules]`` config key: the hard rules', eligibility's and the side rules'."""
    from matcher.solve import eligibility, side_rules

    declared = [s for r in RULES.values() for s in r.settings]
    return (*declared, *eligibility.SETTINGS, *side_rules.SETTINGS)


def summary_entries(config, applied: tuple[str, ...]) -> dict:
    """``summary.json`` → ``rules`` settings, each rule's own entries, in declared order."""
    from matcher.solve import eligibility, side_rules

    order = {s.key: s.order for s in settings_schema()}
    entries: list[tuple[int, str, object]] = []
    for r in RULES.values():
        for key, value in r.summary_entries(config, applied).items():
            entries.append((order.get(key, 1000), key, value))
    for s in (*eligibility.SETTINGS, *side_rules.SETTINGS):
        if s.summary:
            entries.append((s.order, s.key, getattr(config.rules, s.key)))
    entries.sort(key=lambda t: t[0])  # stable: registry order among equals
    return {key: value for _, key, value in entries}
