"""What a hard rule is, and the strict registry that numbers them.

A :class:`Rule` declares everything about itself in its own module: the columns it
reads, its config keys (:class:`~matcher.io.settings.Setting`), its mask over (mentee,
mentor), the plain-language detail shown by ``explain`` and in reasons, the relaxation
the diagnosis suggests and its line in ``summary.json``. The registry gives each rule
its bit (in registration order; at most 16, checked) so every infeasible pair carries
*all* the rules that excluded it in one ``uint16``. Lookups are strict: an unknown name
raises ``KeyError``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.io.config import Config
from matcher.io.settings import Setting

MAX_RULES = 16  # bits of the uint16 exclusion array


@dataclass(frozen=True, eq=False)
class RuleInput:
    """What the rules read, for a block of mentee ``rows`` (a slice or an index array).

    ``score`` is the block's pair scores (k, n_mentors); pair lists are by index.
    """

    cohort: object
    features: object
    config: Config
    score: np.ndarray
    rows: object = None  # None: every mentee
    forbidden: tuple[tuple[int, int], ...] = ()
    failed: tuple[tuple[int, int], ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def mentees(self) -> np.ndarray:
        """Cohort indices of the block's mentees, in block order."""
        every = np.arange(self.cohort.n_mentees)
        return every if self.rows is None else every[self.rows]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.mentees.size, self.cohort.n_mentors)

    def has(self, column: str) -> bool:
        """Both files have ``column``."""
        c = self.cohort
        return column in c.mentee_columns and column in c.mentor_columns


@dataclass(frozen=True, eq=False)
class RelaxInput:
    """What a relaxation reads for unmatched mentee ``i``: ``only`` (n_r,) bool marks the
    mentors this rule alone excludes; ``scores`` (n_r,) the mentee's pair scores."""

    problem: object
    i: int
    config: Config
    features: object
    scores: np.ndarray
    only: np.ndarray


@dataclass(frozen=True, eq=False)
class Rule:
    """A hard rule. ``mask(x)`` → (k, n_mentors) bool, True where excluded, or None when the
    rule does not apply (columns absent, switched off).

    ``detail(result, i, j)`` → words for one excluded pair (default: ``label``);
    ``relax(x)`` → (extra mask over ``x.only``, sentence start) or None; ``summary(config,
    applied)`` → its entries in ``summary.json`` → ``rules`` (default: its settings).
    """

    name: str
    label: str  # "excluded: 31 by <label>"
    alone: str  # unmatched reason when this rule alone leaves no mentor
    mask: Callable[[RuleInput], np.ndarray | None]
    columns: tuple[str, ...] = ()  # standard columns it reads (documentation)
    settings: tuple[Setting, ...] = ()
    detail: Callable | None = None
    relax: Callable[[RelaxInput], tuple[np.ndarray, str] | None] | None = None
    summary: Callable[[Config, tuple[str, ...]], dict] | None = None
    bit: int = -1  # given by the registry

    def describe(self, result, i: int, j: int) -> str:
        return self.detail(result, i, j) if self.detail is not None else self.label

    def summary_entries(self, config: Config, applied: tuple[str, ...]) -> dict:
        if self.summary is not None:
            return self.summary(config, applied)
        return {s.key: getattr(config.rules, s.key) for s in self.settings if s.summary}


class Registry:
    """Rules by name, in registration order (the order of reasons everywhere)."""

    def __init__(self):
        self._rules: dict[str, Rule] = {}

    def register(self, rule: Rule) -> Rule:
        """Add ``rule`` with the lowest free bit; returns the registered copy (with its bit)."""
        if rule.name in self._rules:
            raise ValueError(f"a rule named '{rule.name}' is already registered")
        used = {r.bit for r in self._rules.values()}
        free = [b for b in range(MAX_RULES) if b not in used]
        if not free:
            raise ValueError(f"at most {MAX_RULES} hard rules")
        keys = {s.key for r in self._rules.values() for s in r.settings}
        clash = keys & {s.key for s in rule.settings}
        if clash:
            raise ValueError(f"config key {', '.join(sorted(clash))} is declared twice")
        rule = replace(rule, bit=free[0])
        self._rules[rule.name] = rule
        return rule

    def unregister(self, name: str) -> None:
        """Remove a rule (strict: an unknown name raises KeyError)."""
        self[name]
        del self._rules[name]

    @contextlib.contextmanager
    def registered(self, rule: Rule):
        """Register ``rule`` for the duration of a ``with`` block (tests, plug-ins)."""
        rule = self.register(rule)
        try:
            yield rule
        finally:
            self._rules.pop(rule.name, None)

    def __getitem__(self, name: str) -> Rule:
        try:
            return self._rules[name]
        except KeyError:
            raise KeyError(f"unknown rule '{name}'; known rules: {', '.join(self._rules)}") from None

    def __contains__(self, name) -> bool:
        return name in self._rules

    def __iter__(self):
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def values(self):
        return list(self._rules.values())

    def items(self):
        return list(self._rules.items())


def pairs_mask(x: RuleInput, pairs) -> np.ndarray:
    """Block mask of (cohort mentee index, mentor index) pairs."""
    out = np.zeros(x.shape, dtype=bool)
    if pairs:
        where = {int(i): k for k, i in enumerate(x.mentees)}
        hits = [(where[i], j) for i, j in pairs if i in where]
        if hits:
            r, c = np.array(hits, dtype=np.int64).T
            out[r, c] = True
    return out
