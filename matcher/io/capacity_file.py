"""Read a coordinator's capacity changes: ``mentor_id, capacity[, reason]``.

``mentor-match match --capacity FILE`` (and the review app, which writes
``capacity.csv`` in its workspace) gives some mentors another capacity for this round
than the mentors file says — more places, fewer, or 0 to leave a mentor out — without
editing the questionnaire export. :func:`read_capacities` returns a
:class:`CapacityList` (mentor index → capacity, with each row's number and reason);
:meth:`~matcher.io.cohort.Cohort.with_capacity` applies it to a cohort, a new cohort:
nothing is edited in place.

Rows are checked as the questionnaire's capacity column is (a whole number from 0 to
``CAPACITY_MAX``); a blank id, a bad number or one mentor given two different capacities
is an error naming the row; an id that matches no one is a warning (an error with
``strict``), as in pin and forbid files.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.errors import InputError, Problem
from matcher.io.numbers import parse_whole as parse_int
from matcher.io.pairs_file import read_columns
from matcher.io.questionnaire import CAPACITY_MAX

HEADER = ("mentor_id", "capacity", "reason")


@dataclass(frozen=True)
class CapacityList:
    """Capacity changes from a file: ``capacity`` maps mentor index → new capacity;
    ``rows`` and ``reasons`` map mentor index → spreadsheet row and reason."""

    file: str
    capacity: dict[int, int]
    rows: dict[int, int]
    reasons: dict[int, str]
    warnings: tuple[Problem, ...]


def read_capacities(path, cohort, *, strict: bool = False, encoding=None) -> CapacityList:
    """Parse a capacity file against ``cohort``; raise InputError listing every bad row."""
    file, table = read_columns(path, ("mentor_id", "capacity"), ("reason",), encoding, "the capacity file")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    capacity: dict[int, int] = {}
    rows: dict[int, int] = {}
    reasons: dict[int, str] = {}
    for row in table:
        number, r_id, text = row["_row"], row["mentor_id"], row["capacity"].strip()
        if not r_id:
            problems.append(
                Problem(file, number, "mentor_id", "", "is blank", "give a mentor id on every row")
            )
            continue
        value = parse_int(text)
        if value is None or not 0 <= value <= CAPACITY_MAX:
            fix = f"write a whole number from 0 to {CAPACITY_MAX} (0 leaves the mentor out of this round)"
            problems.append(Problem(file, number, "capacity", text, "is not a capacity", fix))
            continue
        j = cohort.mentor_index(r_id)
        if j is None:
            warnings.append(
                Problem(
                    file, number, "mentor_id", r_id, "matches no one in the mentors file", "correct the id"
                )
            )
            continue
        if j in capacity and capacity[j] != value:
            problems.append(
                Problem(
                    file,
                    number,
                    "capacity",
                    text,
                    f"this mentor is given capacity {capacity[j]} on row {rows[j]}",
                    "keep one row per mentor",
                )
            )
            continue
        if j not in capacity:
            capacity[j], rows[j], reasons[j] = value, number, row.get("reason", "")
    if strict:
        problems.extend(warnings)
    if problems:
        raise InputError(problems)
    return CapacityList(file, capacity, rows, reasons, tuple(warnings))
