"""Stated choices: who each person would like (ranked) and whom a mentor declines.

People know each other by name or email, not by id, so each entry of
``preferred_mentors`` (mentees), ``preferred_mentees`` and ``declined_mentees``
(mentors) may be an id, an exact name (Unicode NFC) or an email (any case) of the other
file. An id always wins; otherwise the entry must name exactly one person by name or
email. An entry that matches no one, or several people, is never guessed: it is left
out and reported as a :class:`~matcher.errors.Problem` naming the file, row, column and
the entry's position — not its text, which may be a person's name (the loader makes these
warnings, or errors with ``--strict``).

Takes the loader's sorted tables; returns indices into them (:class:`Preferences`).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matcher.errors import Problem
from matcher.io.settings import Setting

if TYPE_CHECKING:
    import pandas as pd

PEER_COLUMNS = ("preferred_mentors", "preferred_mentees", "declined_mentees")

# ``[preferences]``: how stated choices count (the programme's call). A choice adds points
# to the pair's score in the solver's objective; the five-C score shown stays as it is.
SETTINGS = (
    Setting(
        "max_choices",
        3,
        "whole",
        "how many of a person's choices count (the first ones)",
        "3",
        lo=1,
        hi=20,
    ),
    Setting(
        "mentee_bonus",
        (),
        "numbers",
        "points a pair gains when the mentor is the mentee's 1st, 2nd, 3rd… choice",
        "[15, 10, 5]",
        lo=0,
        hi=100,
    ),
    Setting(
        "mentor_bonus",
        0.0,
        "number",
        "points a pair gains when the mentee is one of the mentor's choices",
        "5",
        lo=0,
        hi=100,
    ),
    Setting(
        "shortlist",
        False,
        "bool",
        "a mentee with a feasible choice is matched within their choices whenever that costs no "
        "other mentee their place (nor a readier mentee theirs) and no other mentee their own choice",
        "true",
    ),
)


@dataclass(frozen=True)
class PreferenceSettings:
    """``[preferences]`` in force (defaults: choices are reported, never scored)."""

    max_choices: int = 3
    mentee_bonus: tuple[float, ...] = ()
    mentor_bonus: float = 0.0
    shortlist: bool = False

    @property
    def max_bonus(self) -> float:
        """The most points one pair can gain (its mentee's top bonus plus the mentor's)."""
        return max(self.mentee_bonus, default=0.0) + self.mentor_bonus

    @property
    def scored(self) -> bool:
        """Choices change the objective."""
        return self.max_bonus > 0


@dataclass(frozen=True, eq=False)
class Preferences:
    """Resolved choices, by index into the cohort's sorted tables.

    ``mentee_choices[i]``: mentor indices mentee ``i`` asked for, best first;
    ``mentor_choices[j]``: mentee indices mentor ``j`` asked for, best first;
    ``declined``: (mentee, mentor) pairs a mentor declined; ``problems``: entries that
    matched no one or several people (left out).
    """

    mentee_choices: tuple[tuple[int, ...], ...]
    mentor_choices: tuple[tuple[int, ...], ...]
    declined: tuple[tuple[int, int], ...]
    problems: tuple[Problem, ...]

    @property
    def stated(self) -> bool:
        """Anyone stated a preference (not counting declines)."""
        return any(self.mentee_choices) or any(self.mentor_choices)


class _Directory:
    """One file's people, looked up by id, exact name (NFC) or email (case-insensitive)."""

    def __init__(self, table: pd.DataFrame):
        self.ids = {str(p): k for k, p in enumerate(table["id"])}
        self.rows = _rows(table)
        self.by_key: dict[str, set[int]] = defaultdict(set)
        for column, norm in (("name", _name), ("email", _email)):
            if column not in table:
                continue
            for k, value in enumerate(table[column]):
                if isinstance(value, str) and value.strip():
                    self.by_key[f"{column}:{norm(value)}"].add(k)

    def find(self, entry: str) -> list[int]:
        """Every person ``entry`` may mean: [index] when exactly one."""
        if entry in self.ids:
            return [self.ids[entry]]
        found = self.by_key.get(f"name:{_name(entry)}", set()) | self.by_key.get(
            f"email:{_email(entry)}", set()
        )
        return sorted(found)


def _rows(table: pd.DataFrame) -> list[int]:
    """Spreadsheet rows (a table built in code has none: row 2 onwards)."""
    if "_row" in table:
        return [int(r) for r in table["_row"]]
    return list(range(2, len(table) + 2))


def _name(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _email(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip()).casefold()


def resolve(
    mentors: pd.DataFrame, mentees: pd.DataFrame, files: tuple[str, str], max_choices: int | None = None
) -> Preferences:
    """Resolve every preference column both tables have (absent columns: no choices).
    ``max_choices``: also report people who list more choices than count (the loader)."""
    empty = Preferences(((),) * len(mentees), ((),) * len(mentors), (), ())
    stated = [
        t[c]
        for t, c in (
            (mentees, "preferred_mentors"),
            (mentors, "preferred_mentees"),
            (mentors, "declined_mentees"),
        )
        if c in t
    ]
    if not any(any(col) for col in stated):
        return empty  # the usual case: no directory of names and emails is built
    people = {"mentors": _Directory(mentors), "mentees": _Directory(mentees)}
    problems: list[Problem] = []

    def column(table: pd.DataFrame, name: str, file: str, other: str) -> list[tuple[int, ...]]:
        if name not in table:
            return [()] * len(table)
        out = []
        for row, entries in zip(_rows(table), table[name], strict=True):
            got: list[int] = []
            for pos, entry in enumerate(entries or (), start=1):
                found = people[other].find(entry)
                if len(found) == 1:
                    if found[0] not in got:
                        got.append(found[0])
                    continue
                if found:
                    rows = ", ".join(str(people[other].rows[k]) for k in found)
                    text = f"entry {pos} matches {len(found)} people in the {other} file (rows {rows})"
                    fix = "write their id instead"
                else:
                    text = f"entry {pos} matches no one in the {other} file"
                    fix = f"write their id, exact name or email as in the {other} file, separated by ;"
                problems.append(Problem(file, int(row), name, None, text, fix))
            if max_choices is not None and name.startswith("preferred") and len(got) > max_choices:
                problems.append(
                    Problem(
                        file,
                        int(row),
                        name,
                        None,
                        f"lists {len(got)} people; only the first {max_choices} count",
                        "keep the choices that matter most first, or raise [preferences] max_choices",
                    )
                )
            out.append(tuple(got))
        return out

    mentor_file, mentee_file = files
    mentor_choices = column(mentors, "preferred_mentees", mentor_file, "mentees")
    declined_by = column(mentors, "declined_mentees", mentor_file, "mentees")
    mentee_choices = column(mentees, "preferred_mentors", mentee_file, "mentors")
    declined = tuple(sorted((i, j) for j, who in enumerate(declined_by) for i in who))
    return Preferences(tuple(mentee_choices), tuple(mentor_choices), declined, tuple(problems))
