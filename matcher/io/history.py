"""The pairing history that travels with the outputs: every pair proposed, by round.

``history.csv`` has one row per pair ever proposed: ``round, mentee_id, mentor_id,
outcome, reason`` where outcome is ``active`` (the pair stands), ``failed`` (rapport
failed; reason from failed.csv) or ``ended`` (a person left, the pair broke a rule or
was moved). ``rematch`` and ``match --history`` read it so that a pair that failed in
any earlier round is never proposed again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from matcher.errors import InputError, Problem
from matcher.io.cohort import natural_key
from matcher.io.numbers import parse_whole
from matcher.io.pairs_file import read_columns
from matcher.report.files import csv_bytes

HEADER = ["round", "mentee_id", "mentor_id", "outcome", "reason", "ended_round"]
OUTCOMES = ("active", "failed", "ended")
MAX_ROUND = 1_000_000


@dataclass(frozen=True)
class Entry:
    round: int
    mentee_id: str
    mentor_id: str
    outcome: str
    reason: str = ""
    ended_round: int | None = None  # the round in which a failed/ended pair was closed


def read_history(path, encoding=None) -> list[Entry]:
    """The entries of a history.csv (as written by :func:`history_bytes`), checked: a round
    is a whole number from 1 (``ended_round`` blank or a whole number from 1), an outcome
    one of :data:`OUTCOMES`. Raises InputError naming every bad cell."""
    file, rows = read_columns(
        path, ("round", "mentee_id", "mentor_id", "outcome"), ("reason", "ended_round"), encoding
    )
    problems, out = [], []
    for r in rows:
        row_problems = []
        rnd = _round(r["round"])
        if rnd is None:
            row_problems.append(_bad_round(file, r, "round"))
        ended = None
        if r.get("ended_round", "").strip():
            ended = _round(r["ended_round"].strip())
            if ended is None:
                row_problems.append(_bad_round(file, r, "ended_round"))
        if r["outcome"] not in OUTCOMES:
            row_problems.append(
                Problem(
                    file,
                    r["_row"],
                    "outcome",
                    r["outcome"],
                    "is not an allowed outcome",
                    "use one of: " + ", ".join(OUTCOMES),
                    OUTCOMES,
                )
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        out.append(Entry(rnd, r["mentee_id"], r["mentor_id"], r["outcome"], r.get("reason", ""), ended))
    if problems:
        raise InputError(problems)
    return out


def _round(text: str) -> int | None:
    value = parse_whole(text)
    return value if value is not None and 1 <= value <= MAX_ROUND else None


def _bad_round(file: str, r: dict, column: str) -> Problem:
    return Problem(
        file,
        r["_row"],
        column,
        r[column],
        f"is not a round number (a whole number from 1 to {MAX_ROUND})",
        "keep the round the tool wrote",
        (),  # a number or nothing: any words are shown only by their count
    )


def history_bytes(entries: list[Entry]) -> bytes:
    ordered = sorted(entries, key=lambda e: (e.round, natural_key(e.mentee_id), natural_key(e.mentor_id)))
    rows = [[e.round, e.mentee_id, e.mentor_id, e.outcome, e.reason, e.ended_round or ""] for e in ordered]
    return csv_bytes(HEADER, rows)


def close(entries: list[Entry], pair: tuple[str, str], outcome: str, reason: str, rnd: int) -> list[Entry]:
    """Mark the active entry of ``pair`` with ``outcome`` in round ``rnd`` (a new list).

    A failed pair with no active entry (e.g. pairs.csv edited by hand) is still recorded,
    so that it is never proposed again.
    """
    out, found = [], False
    for e in entries:
        if e.outcome == "active" and (e.mentee_id, e.mentor_id) == pair:
            e = replace(e, outcome=outcome, reason=reason, ended_round=rnd)
            found = True
        out.append(e)
    if not found and outcome == "failed":
        out.append(Entry(max(rnd - 1, 1), pair[0], pair[1], outcome, reason, rnd))
    return out


def next_round(entries: list[Entry]) -> int:
    """One more than the latest round that proposed or closed a pair."""
    return max((max(e.round, e.ended_round or 0) for e in entries), default=0) + 1


def failed_pairs(entries: list[Entry]) -> set[tuple[str, str]]:
    return {(e.mentee_id, e.mentor_id) for e in entries if e.outcome == "failed"}


def beside(pairs_path) -> Path:
    return Path(pairs_path).with_name("history.csv")
