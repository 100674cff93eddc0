"""Hard rules: each a small unit that marks the (mentee, mentor) pairs it forbids.

A rule takes a :class:`RuleInput` and returns a boolean ``(n_mentees, n_mentors)``
mask, True where the pair is excluded. ``exclusions()`` runs every rule that applies
and packs the masks into one ``uint16`` array of bits, so every infeasible pair
carries *all* the rules that excluded it (the diagnosis counts them). Rules are
looked up strictly by name: an unknown name raises ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.io.config import Config
from scoring.features import per_features


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


@dataclass(frozen=True)
class Rule:
    name: str
    bit: int
    label: str  # "excluded: 31 by <label>"
    alone: str  # unmatched reason when this rule alone leaves no mentor
    mask: Callable[[RuleInput], np.ndarray | None]  # None: the rule does not apply


def _pairs_mask(x: RuleInput, pairs) -> np.ndarray:
    """Block mask of (cohort mentee index, mentor index) pairs."""
    out = np.zeros(x.shape, dtype=bool)
    if pairs:
        where = {int(i): k for k, i in enumerate(x.mentees)}
        hits = [(where[i], j) for i, j in pairs if i in where]
        if hits:
            r, c = np.array(hits, dtype=np.int64).T
            out[r, c] = True
    return out


def avoid_mask(x: RuleInput) -> np.ndarray | None:
    c = x.cohort
    if "avoid" not in c.mentee_columns and "avoid" not in c.mentor_columns:
        return None
    pairs = x.extra.get("avoid_pairs")
    if pairs is None:
        pairs = avoid_pairs(c)
    return _pairs_mask(x, pairs)


def avoid_pairs(c) -> list[tuple[int, int]]:
    """Every (mentee, mentor) pair that an avoid list on either side forbids."""
    pairs = []
    for i, ids in enumerate(c.mentees["avoid"]):
        pairs.extend((i, j) for j in (c.mentor_index(p) for p in ids) if j is not None)
    for j, ids in enumerate(c.mentors["avoid"]):
        pairs.extend((i, j) for i in (c.mentee_index(p) for p in ids) if i is not None)
    return pairs


def forbid_mask(x: RuleInput) -> np.ndarray | None:
    return _pairs_mask(x, x.forbidden) if x.forbidden else None


def failed_mask(x: RuleInput) -> np.ndarray | None:
    return _pairs_mask(x, x.failed) if x.failed else None


def repeat_mask(x: RuleInput) -> np.ndarray | None:
    """Pairs proposed in an earlier cycle (``match --history H --no-repeat``)."""
    earlier = x.extra.get("earlier_pairs")
    return _pairs_mask(x, earlier) if earlier else None


def language_mask(x: RuleInput) -> np.ndarray | None:
    c = x.cohort
    if "languages" not in c.mentee_columns or "languages" not in c.mentor_columns:
        return None
    from scoring.five_cs import shared_items

    f = x.features
    none_shared = shared_items(f, "languages", x.mentees) == 0
    give_e = np.diff(f.e.languages.indptr)[x.mentees] > 0
    give_r = np.diff(f.r.languages.indptr) > 0
    none_shared &= give_e[:, None]
    none_shared &= give_r[None, :]
    return none_shared


def mode_mask(x: RuleInput) -> np.ndarray | None:
    c = x.cohort
    if "mode" not in c.mentee_columns or "mode" not in c.mentor_columns:
        return None
    return _mode_rule(x.features).block(x.mentees)


@per_features
def _mode_rule(f):
    from scoring.five_cs import pair_table

    def clash(e, r):
        a, b = e[0], r[0]
        return ((a == 1) & (b == 2)) | ((a == 2) & (b == 1))

    return pair_table(clash, (f.e.mode,), (f.r.mode,), dtype=bool)


def location_mask(x: RuleInput) -> np.ndarray | None:
    """In person (one side insists, the other allows it or left mode blank) needs the same location."""
    c = x.cohort
    if not all("location" in s and "mode" in s for s in (c.mentee_columns, c.mentor_columns)):
        return None
    return _location_rule(x.features).block(x.mentees)


@per_features
def _location_rule(f):
    from scoring.five_cs import pair_table

    def apart(e, r):
        (a, la), (b, lb) = e, r
        # One side insists on in person and the other does not rule it out (blank = either).
        in_person = ((a == 1) & (b != 2)) | ((b == 1) & (a != 2))
        return in_person & (la >= 0) & (lb >= 0) & (la != lb)

    return pair_table(apart, (f.e.mode, f.e.location), (f.r.mode, f.r.location), dtype=bool)


def timezone_mask(x: RuleInput) -> np.ndarray | None:
    c = x.cohort
    if "timezone" not in c.mentee_columns or "timezone" not in c.mentor_columns:
        return None
    return _timezone_rule(x.features, x.config.rules.max_timezone_gap_hours).block(x.mentees)


@per_features
def _timezone_rule(f, limit: float):
    """Time zones are few: the rule is looked up per pair in a table over them."""
    from scoring.five_cs import pair_table

    def too_far(e, r):
        return np.nan_to_num(f.tz_table[e[0], r[0]], nan=0.0) > limit + 1e-9

    return pair_table(too_far, (f.e.tz_code,), (f.r.tz_code,), dtype=bool)


def seniority_mask(x: RuleInput) -> np.ndarray | None:
    """mentor_senior: mentor must be more senior; mentee_senior: the reverse; any: no order.

    ``seniority_gap = [min, max]`` bounds the gap in the rule's direction (for ``any``:
    the absolute gap). Only pairs where both gave a seniority are judged.
    """
    c = x.cohort
    if "seniority" not in c.mentee_columns or "seniority" not in c.mentor_columns:
        return None
    rules = x.config.rules
    return _seniority_rule(x.features, rules.seniority, rules.seniority_gap).block(x.mentees)


@per_features
def _seniority_rule(f, order: str, bounds):
    """Seniority levels are few: the rule is looked up per pair in a table over them."""
    from scoring.five_cs import pair_table

    def bad(e, r):
        gap = r[0] - e[0]
        known = ~np.isnan(gap)
        gap = np.nan_to_num(gap)
        if order == "mentor_senior":
            d, out = gap, gap <= 0
        elif order == "mentee_senior":
            d, out = -gap, gap >= 0
        else:
            d, out = np.abs(gap), np.zeros_like(gap, dtype=bool)
        if bounds is not None:
            lo, hi = bounds
            out = out | (d < lo) | (d > hi)
        return out & known

    return pair_table(bad, (f.e.seniority,), (f.r.seniority,), dtype=bool)


def department_mask(x: RuleInput) -> np.ndarray | None:
    c = x.cohort
    if x.config.rules.same_department != "forbid":
        return None
    if "department" not in c.mentee_columns or "department" not in c.mentor_columns:
        return None
    from scoring.combine import same_department

    return same_department(x.features, x.mentees)


def reporting_line_mask(x: RuleInput) -> np.ndarray | None:
    """The mentor is the mentee's line manager or anywhere above them in the chain."""
    c = x.cohort
    setting = x.config.rules.forbid_reporting_line
    has = "manager_id" in c.mentee_columns or "manager_id" in c.mentor_columns
    if not has or setting is False:
        return None
    pairs = x.extra.get("reporting_pairs")
    if pairs is None:
        pairs = reporting_pairs(c)
    return _pairs_mask(x, pairs)


def reporting_pairs(c) -> list[tuple[int, int]]:
    """(mentee, mentor) pairs where the mentor is in the mentee's chain of managers."""
    boss: dict[str, str] = {}
    for table in (c.mentors, c.mentees):
        for pid, mgr in zip(table["id"], table["manager_id"], strict=True):
            if mgr:
                boss.setdefault(pid, mgr)
    pairs = []
    for i, pid in enumerate(c.mentee_ids):
        seen = {pid}
        up = boss.get(pid)
        while up and up not in seen:
            seen.add(up)
            j = c.mentor_index(up)
            if j is not None:
                pairs.append((i, j))
            up = boss.get(up)
    return pairs


def min_score_mask(x: RuleInput) -> np.ndarray | None:
    threshold = x.config.rules.min_score
    if threshold <= 0:
        return None
    return x.score < threshold


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule("avoid", 0, "avoid list", "every mentor is on an avoid list", avoid_mask),
        Rule("forbid", 1, "forbidden pair", "every mentor is in a forbidden pair", forbid_mask),
        Rule(
            "failed",
            2,
            "earlier failed pair",
            "every mentor was an earlier failed pair",
            failed_mask,
        ),
        Rule("language", 3, "language", "no mentor shares a language", language_mask),
        Rule("mode", 4, "meeting mode", "no mentor accepts the meeting mode", mode_mask),
        Rule(
            "location",
            5,
            "location",
            "no mentor is in the same location for in-person meetings",
            location_mask,
        ),
        Rule("timezone", 6, "time zone", "no mentor is within the time-zone gap", timezone_mask),
        Rule("seniority", 7, "seniority", "no mentor fits the seniority rule", seniority_mask),
        Rule(
            "department",
            8,
            "same department",
            "every mentor is in the same department",
            department_mask,
        ),
        Rule(
            "reporting_line",
            9,
            "reporting line",
            "every mentor is in the mentee's reporting line",
            reporting_line_mask,
        ),
        Rule("repeat", 11, "earlier pair (--no-repeat)", "every mentor was an earlier pair", repeat_mask),
        Rule("min_score", 10, "score below min_score", "no pair reaches min_score", min_score_mask),
    )
}


def rule(name: str) -> Rule:
    """Strict lookup: a typo raises KeyError naming the known rules."""
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"unknown rule '{name}'; known rules: {', '.join(RULES)}") from None


def exclusions(x: RuleInput) -> tuple[np.ndarray, tuple[str, ...]]:
    """Bits of every rule excluding each pair of the block, (k, n_mentors) uint16; rules applied."""
    bits = np.zeros(x.shape, dtype=np.uint16)
    applied = []
    for r in RULES.values():
        mask = r.mask(x)
        if mask is None:
            continue
        applied.append(r.name)
        np.bitwise_or(bits, np.uint16(1 << r.bit), out=bits, where=mask)
    return bits, tuple(applied)


def reasons(bits: int) -> list[str]:
    """Rule names behind a pair's exclusion bits, in registry order."""
    return [r.name for r in RULES.values() if bits >> r.bit & 1]
