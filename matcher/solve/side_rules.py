"""Side rules: what the programme asks beyond capacity and the per-pair hard rules.

A hard rule (``matcher.solve.rules``) removes pairs; a side rule constrains the
pairing as a whole. Each is one frozen object here that knows its own settings line and
how to check a pairing (the independent checker calls ``violations``; it never calls a
solver). Engines declare which side-rule *types* they support
(``matcher.solve.engines``), so "is department spread on?" is asked in one place:
``side.spread``.

* :class:`DepartmentSpread` — at most ``cap`` mentees of one department per mentor;
* :class:`MentorMinimum` — every mentor with capacity ≥ 1 gets min(minimum, capacity);
* :class:`FairObjective` — after matching the most, maximise the lowest pair score;
* :class:`ChangeBudget` — a re-match may move at most ``max_changes`` working pairs;
* :class:`DistinctMentors` — a mentee with several mentors gets mentors who differ in a
  one-value column (department, profession): exact inside the flow;
* :class:`DistinctTopics` — the same for the many-valued ``topics`` (no topic shared by two
  of a mentee's mentors): not a flow constraint, so CP-SAT only;
* :class:`FewestChanges` — a tie-break, never a constraint: among the optimal pairings, one
  that changes the fewest mentees' mentors from a given pairing (the review's pinned
  re-solves, so that an alternative's ``moves`` is the fewest; never the main match).

``violations(problem, assignment)`` takes a ``mentor_of`` array or a
:class:`~matcher.solve.pairing.Pairing` (several mentors per mentee).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from matcher.io.settings import Setting
from matcher.solve.pairing import as_pairing


class SideRule:
    """Base of every side rule: a name, a settings line and a checker."""

    name: ClassVar[str]
    describe: ClassVar[str]  # in messages: "the flow engine cannot handle <describe>"

    def violations(self, problem, mentor_of: np.ndarray) -> list[str]:  # pragma: no cover - abstract
        """Plain sentences, one per broken constraint of ``mentor_of`` (n_e,) on ``problem``."""
        raise NotImplementedError

    def settings(self) -> dict:  # pragma: no cover - abstract
        """The rule's line in ``summary.json`` → ``rules`` (key → value)."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class DepartmentSpread(SideRule):
    """``department``: (n_e,) int code per mentee, −1 blank; ``cap``: mentees of one department per mentor."""

    department: np.ndarray
    cap: int
    name: ClassVar[str] = "department_spread"
    describe: ClassVar[str] = "department spread (max_same_department_per_mentor)"

    def violations(self, problem, mentor_of):
        pairing = as_pairing(mentor_of)
        counts: dict[tuple[int, int], int] = {}
        for i, j in pairing.pairs:
            d = int(self.department[i])
            if d >= 0:
                key = (int(j), d)
                counts[key] = counts.get(key, 0) + 1
        return [
            f"mentor #{j}: {n} mentees of department #{d} > {self.cap}"
            for (j, d), n in sorted(counts.items())
            if n > self.cap
        ]

    def settings(self):
        return {"max_same_department_per_mentor": self.cap}


@dataclass(frozen=True)
class MentorMinimum(SideRule):
    """Every mentor with capacity ≥ 1 gets at least min(``minimum``, capacity) mentees."""

    minimum: int
    name: ClassVar[str] = "mentor_minimum"
    describe: ClassVar[str] = "a mentor minimum (min_mentees_per_mentor)"

    def need(self, capacity: np.ndarray) -> np.ndarray:
        """Required mentees per mentor, shape (n_r,)."""
        return np.where(capacity >= 1, np.minimum(self.minimum, capacity), 0)

    def violations(self, problem, mentor_of):
        load = as_pairing(mentor_of).load(problem.shape[1])
        need = self.need(problem.capacity)
        return [f"mentor #{j}: {load[j]} mentees < minimum {need[j]}" for j in np.flatnonzero(load < need)]

    def settings(self):
        return {"min_mentees_per_mentor": self.minimum}


@dataclass(frozen=True)
class FairObjective(SideRule):
    """After matching the most mentees, maximise the lowest pair score (an objective, not a check)."""

    name: ClassVar[str] = "fair_objective"
    describe: ClassVar[str] = 'the fair objective (objective = "fair")'

    def violations(self, problem, mentor_of):
        return []  # optimality, not feasibility: proven by the engine (Solution.lowest_score)

    def settings(self):
        return {"objective": "fair"}


@dataclass(frozen=True)
class ChangeBudget(SideRule):
    """Re-match: of the working pairs ``keep`` ((mentee, mentor) indices), at most ``max_changes`` move."""

    keep: tuple[tuple[int, int], ...]
    max_changes: int
    name: ClassVar[str] = "change_budget"
    describe: ClassVar[str] = "--max-changes above 0"

    def violations(self, problem, mentor_of):
        pairing = as_pairing(mentor_of)
        moved = sum(1 for i, j in self.keep if not pairing.has(i, j))
        return (
            [f"{moved} working pairs moved > max_changes {self.max_changes}"]
            if moved > self.max_changes
            else []
        )

    def settings(self):
        return {"max_changes": self.max_changes}


@dataclass(frozen=True, eq=False)
class DistinctMentors(SideRule):
    """A mentee's mentors differ in ``column``: ``group`` (n_r,) int code per mentor, −1
    blank (a blank differs from everyone). Only mentees with several mentors are concerned."""

    group: np.ndarray
    column: str
    name: ClassVar[str] = "distinct_mentors"
    describe: ClassVar[str] = "distinct_mentors_by"

    def conflicts(self, j: int, k: int) -> bool:
        """Mentors j and k may not share a mentee."""
        return bool(self.group[j] >= 0 and self.group[j] == self.group[k])

    def conflicts_with(self, js, ks) -> np.ndarray:
        """(len(js),) bool: mentor js[n] may not share a mentee with some mentor of ``ks``
        (vectorised :meth:`conflicts`: the diagnosis asks it of every feasible mentor)."""
        g = np.asarray(self.group)
        taken = g[np.asarray(ks, np.int64)]
        return np.isin(g[np.asarray(js, np.int64)], taken[taken >= 0])

    def violations(self, problem, mentor_of):
        pairing = as_pairing(mentor_of)
        out = []
        for i in np.flatnonzero(pairing.count > 1):
            mentors = pairing.mentors(int(i))
            for a in range(mentors.size):
                for b in range(a + 1, mentors.size):
                    if self.conflicts(int(mentors[a]), int(mentors[b])):
                        out.append(
                            f"mentee #{i}: mentors #{mentors[a]} and #{mentors[b]} share their {self.column}"
                        )
        return out

    def settings(self):
        return {"distinct_mentors_by": self.column}


@dataclass(frozen=True, eq=False)
class DistinctTopics(DistinctMentors):
    """A mentee's mentors share no topic: ``member`` (n_r, n_topics) bool (a mentor without
    topics differs from everyone). Overlapping topic sets make this a packing constraint,
    not a flow: CP-SAT only."""

    member: np.ndarray = None  # type: ignore[assignment]
    describe: ClassVar[str] = 'distinct_mentors_by = "topics"'

    def conflicts(self, j: int, k: int) -> bool:
        return bool((self.member[j] & self.member[k]).any())

    def conflicts_with(self, js, ks) -> np.ndarray:
        member = np.asarray(self.member, bool)
        taken = member[np.asarray(ks, np.int64)].any(axis=0)
        return (member[np.asarray(js, np.int64)] & taken).any(axis=1)


@dataclass(frozen=True, eq=False)
class FewestChanges(SideRule):
    """Among the optimal pairings, one changing the fewest from ``current`` (a
    :class:`~matcher.solve.pairing.Pairing`): a lowest level of the objective, below the
    score, so it only chooses among ties. One mentor each: the fewest mentees whose mentor
    changes (matched to another mentor, unmatched, or newly matched). Several mentors per
    mentee: the fewest pairs of ``current`` that change (the new pairing drops them) — a sum
    over pairs, so the flow holds it exactly (the fewest mentees whose set of mentors differs
    is not a sum over pairs: a mentee trading two mentors changes two pairs but counts once).
    Engines that hold it say whether they proved it (``Solution.fewest_changes``)."""

    current: object  # Pairing
    name: ClassVar[str] = "fewest_changes"
    describe: ClassVar[str] = "the fewest-changes tie-break of a pinned re-solve"

    def violations(self, problem, mentor_of):
        return []  # a choice among optima, not feasibility

    def settings(self):
        return {}

    def tie_weights(self, ei: np.ndarray, rj: np.ndarray, several: bool = False) -> np.ndarray:
        """(n,) int64 per pair (ei[n], rj[n]) when each mentee has at most one mentor: +1 for
        a pair of ``current``, −1 for a pair of a mentee without a mentor in ``current``, 0
        otherwise. Summed over a pairing this is −(mentees changed) + a constant (the
        mentees matched in ``current``), so maximising it changes the fewest; the sum lies
        in [−n, n] for n mentees. ``several``: +1 for a pair of ``current``, else 0 — the
        sum is the pairs kept, −(pairs of ``current`` dropped) + their number; in [0, n]."""
        kept = self.current.contains(ei, rj).astype(np.int64)
        if several:
            return kept
        new = (self.current.count[ei] == 0).astype(np.int64)
        return kept - new


@dataclass(frozen=True, eq=False)
class SideRules:
    """The side rules in force, at most one of each type (order: as given)."""

    rules: tuple[SideRule, ...] = ()

    def __post_init__(self):
        kinds = [type(r) for r in self.rules]
        if len(set(kinds)) != len(kinds):
            raise ValueError("at most one side rule of each kind")

    @classmethod
    def of(
        cls,
        department: np.ndarray | None = None,
        max_same_department: int | None = None,
        min_per_mentor: int = 0,
        fair: bool = False,
        keep=(),
        max_changes: int | None = None,
        distinct: SideRule | None = None,
    ) -> SideRules:
        """Build from plain settings (None / 0 / False: that rule is off)."""
        rules: list[SideRule] = []
        if distinct is not None:
            rules.append(distinct)
        if max_same_department is not None and department is not None:
            rules.append(DepartmentSpread(np.asarray(department), int(max_same_department)))
        if min_per_mentor > 0:
            rules.append(MentorMinimum(int(min_per_mentor)))
        if fair:
            rules.append(FairObjective())
        if max_changes is not None:
            rules.append(ChangeBudget(tuple(keep), int(max_changes)))
        return cls(tuple(rules))

    def get(self, kind: type) -> SideRule | None:
        return next((r for r in self.rules if isinstance(r, kind)), None)

    def without(self, *kinds: type) -> SideRules:
        return SideRules(tuple(r for r in self.rules if not isinstance(r, kinds)))

    def adding(self, rule: SideRule) -> SideRules:
        return SideRules((*self.without(type(rule)).rules, rule))

    @property
    def kinds(self) -> frozenset[type]:
        return frozenset(type(r) for r in self.rules)

    @property
    def active(self) -> bool:
        return bool(self.rules)

    @property
    def spread(self) -> DepartmentSpread | None:
        return self.get(DepartmentSpread)

    @property
    def minimum(self) -> MentorMinimum | None:
        return self.get(MentorMinimum)

    @property
    def fair(self) -> bool:
        return self.get(FairObjective) is not None

    @property
    def budget(self) -> ChangeBudget | None:
        return self.get(ChangeBudget)

    @property
    def distinct(self) -> DistinctMentors | None:
        """The distinct-mentors rule (either kind), or None."""
        return self.get(DistinctMentors)

    # Plain values the engines' model builders read.
    @property
    def department(self) -> np.ndarray | None:
        return self.spread.department if self.spread else None

    @property
    def max_same_department(self) -> int | None:
        return self.spread.cap if self.spread else None

    @property
    def min_per_mentor(self) -> int:
        return self.minimum.minimum if self.minimum else 0

    @property
    def keep(self) -> tuple[tuple[int, int], ...]:
        return self.budget.keep if self.budget else ()

    @property
    def max_changes(self) -> int | None:
        return self.budget.max_changes if self.budget else None

    def violations(self, problem, mentor_of: np.ndarray) -> list[str]:
        """Every side rule's check of ``mentor_of``, in order."""
        return [v for r in self.rules for v in r.violations(problem, mentor_of)]


SETTINGS = (
    Setting(
        "max_same_department_per_mentor",
        None,
        "whole",
        "optional: cap on mentees of one department per mentor (stays in the exact flow)",
        "2",
        lo=1,
        optional=True,
        range_fix="or leave it out",
        hi=10_000,
        order=80,
    ),
    Setting(
        "min_mentees_per_mentor",
        0,
        "whole",
        "every mentor with capacity ≥ 1 gets at least this many, when possible",
        "0",
        lo=0,
        range_fix="e.g. 1",
        hi=10_000,
        order=90,
    ),
    Setting(
        "distinct_mentors_by",
        None,
        "choice",
        "optional: a mentee with several mentors (mentors_wanted) gets mentors who differ in "
        "this column: department | profession (exact in the flow) | topics (no topic shared; CP-SAT)",
        '"department"',
        choices=("department", "profession", "topics"),
        optional=True,
        summary=False,
        order=95,
    ),
    Setting(
        "objective",
        "total",
        "choice",
        "total (lexicographic: matched, readiness, score) | fair (max-min, then total)",
        '"total"',
        choices=("total", "fair"),
        order=100,
    ),
)
