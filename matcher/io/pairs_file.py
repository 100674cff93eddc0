"""Read coordinator pair lists and our own id tables — pins, forbidden pairs, failed pairs,
a previous run's pairs, history — by column name.

``read_columns(path, needed, optional)`` reads any such CSV/XLSX into dicts of the named
columns (headers matched as in the questionnaire; our own formula guard undone).
``read_pairs(path, kind, cohort)`` builds on it for pins and forbidden pairs and returns a
:class:`PairList` of index pairs, the reasons, and warnings for ids that match no one
(errors with ``strict``): a typo in such a file could pair people who must not meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.errors import InputError, Problem
from matcher.io.config import normalise_header
from matcher.io.read import read_table
from matcher.io.vocabulary import id_like

KINDS = {  # kind -> optional columns besides mentee_id and mentor_id
    "pin": (),
    "forbid": ("reason",),
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


def read_columns(
    path, needed: tuple[str, ...], optional: tuple[str, ...] = (), encoding=None, what="the file"
):
    """Rows of a CSV/XLSX as dicts of the named columns, with ``_row`` (spreadsheet row).

    Raises InputError naming every needed column that is missing, at the header's row.
    """
    raw = read_table(path, encoding, own=True)
    heads = {normalise_header(h).replace(" ", "_"): k for k, h in enumerate(raw.headers)}
    missing = [c for c in needed if c not in heads]
    if missing:
        extra = f" (optional: {', '.join(optional)})" if optional else ""
        fix = f"{what} needs columns {', '.join(needed)}{extra}"
        raise InputError(
            [Problem(raw.file, raw.header_row, None, None, f"no column '{c}'", fix) for c in missing]
        )
    rows = []
    for number, cells in raw.rows:
        row = {c: cells[heads[c]] for c in needed + optional if c in heads}
        row["_row"] = number
        rows.append(row)
    return raw.file, rows


def read_pairs(path: str | Path, kind: str, cohort, *, strict: bool = False, encoding=None) -> PairList:
    """Parse a pins / forbid file against ``cohort``; raise InputError on bad rows."""
    file, table = read_columns(path, ("mentee_id", "mentor_id"), KINDS[kind], encoding, f"the {kind} file")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    pairs, rows, ids, reasons = [], [], [], []
    seen: dict[tuple[int, int], int] = {}
    for row in table:
        number, e_id, r_id = row["_row"], row["mentee_id"], row["mentor_id"]
        reason = row.get("reason", "")
        bad = False
        for col, pid, index in (
            ("mentee_id", e_id, cohort.mentee_index),
            ("mentor_id", r_id, cohort.mentor_index),
        ):
            if not pid:
                problems.append(Problem(file, number, col, "", "is blank", "give both ids on every row"))
                bad = True
            elif index(pid) is None:
                side = "mentees" if col == "mentee_id" else "mentors"
                warnings.append(
                    Problem(
                        file,
                        number,
                        col,
                        pid,
                        f"matches no one in the {side} file",
                        "correct the id",
                        id_like,
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
    return PairList(file, tuple(pairs), tuple(rows), tuple(ids), tuple(reasons), tuple(warnings))
