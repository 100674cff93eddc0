"""Read coordinator pair lists — pins, forbidden pairs, failed pairs — by id, into indices.

``read_pairs(path, kind, cohort)`` takes a CSV/XLSX with ``mentee_id`` and ``mentor_id``
columns (plus ``reason`` and ``note`` where the kind allows them) and returns a
:class:`PairList` of index pairs, the reasons, and warnings for ids that match no one
(errors with ``strict``): a typo in such a file could pair people who must not meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import normalise_header
from .errors import InputError, Problem
from .read import read_table

KINDS = {
    "pin": ("mentee_id", "mentor_id"),
    "forbid": ("mentee_id", "mentor_id", "reason"),
    "failed": ("mentee_id", "mentor_id", "reason", "note"),
}


@dataclass(frozen=True)
class PairList:
    """Index pairs from a file, with each row's spreadsheet row number and reason."""

    file: str
    pairs: tuple[tuple[int, int], ...]
    rows: tuple[int, ...]
    ids: tuple[tuple[str, str], ...]
    reasons: tuple[str, ...]
    warnings: tuple[Problem, ...]


def read_pairs(path: str | Path, kind: str, cohort, *, strict: bool = False, encoding=None) -> PairList:
    """Parse a pins / forbid / failed file against ``cohort``; raise InputError on bad rows."""
    columns = KINDS[kind]
    raw = read_table(path, encoding)
    heads = {normalise_header(h).replace(" ", "_"): k for k, h in enumerate(raw.headers)}
    problems: list[Problem] = []
    for col in columns[:2]:
        if col not in heads:
            problems.append(
                Problem(
                    raw.file,
                    1,
                    None,
                    None,
                    f"no column '{col}'",
                    f"the {kind} file needs columns {', '.join(columns)}",
                )
            )
    if problems:
        raise InputError(problems)
    warnings: list[Problem] = []
    pairs, rows, ids, reasons = [], [], [], []
    seen: dict[tuple[int, int], int] = {}
    for number, cells in raw.rows:
        e_id, r_id = cells[heads["mentee_id"]], cells[heads["mentor_id"]]
        reason = cells[heads["reason"]] if "reason" in heads and "reason" in columns else ""
        bad = False
        for col, pid, index in (
            ("mentee_id", e_id, cohort.mentee_index),
            ("mentor_id", r_id, cohort.mentor_index),
        ):
            if not pid:
                problems.append(Problem(raw.file, number, col, "", "is blank", "give both ids on every row"))
                bad = True
            elif index(pid) is None:
                side = "mentees" if col == "mentee_id" else "mentors"
                warnings.append(
                    Problem(
                        raw.file, number, col, pid, f"matches no one in the {side} file", "correct the id"
                    )
                )
                bad = True
        if bad:
            continue
        pair = (cohort.mentee_index(e_id), cohort.mentor_index(r_id))
        if pair in seen:
            continue  # the same pair twice says nothing new
        seen[pair] = number
        pairs.append(pair)
        rows.append(number)
        ids.append((e_id, r_id))
        reasons.append(reason)
    if strict:
        problems.extend(warnings)
    if problems:
        raise InputError(problems)
    return PairList(raw.file, tuple(pairs), tuple(rows), tuple(ids), tuple(reasons), tuple(warnings))
