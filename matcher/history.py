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

from .config import normalise_header
from .errors import InputError, Problem
from .model import natural_key
from .output import csv_bytes
from .read import read_table

HEADER = ["round", "mentee_id", "mentor_id", "outcome", "reason"]
OUTCOMES = ("active", "failed", "ended")


@dataclass(frozen=True)
class Entry:
    round: int
    mentee_id: str
    mentor_id: str
    outcome: str
    reason: str = ""


def unneutralise(text: str) -> str:
    """Undo the leading ' our CSV writer puts before formula-like cells (= + - @)."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def read_columns(path, needed: tuple[str, ...], optional: tuple[str, ...] = (), encoding=None):
    """Rows of a CSV we (or a coordinator) wrote, as dicts of the named columns."""
    raw = read_table(path, encoding)
    heads = {normalise_header(h).replace(" ", "_"): k for k, h in enumerate(raw.headers)}
    missing = [c for c in needed if c not in heads]
    if missing:
        raise InputError(
            [
                Problem(
                    raw.file, 1, None, None, f"no column '{c}'", f"the file needs columns {', '.join(needed)}"
                )
                for c in missing
            ]
        )
    rows = []
    for number, cells in raw.rows:
        row = {c: unneutralise(cells[heads[c]]) for c in needed + optional if c in heads}
        row["_row"] = number
        rows.append(row)
    return raw.file, rows


def read_history(path, encoding=None) -> list[Entry]:
    file, rows = read_columns(path, ("round", "mentee_id", "mentor_id", "outcome"), ("reason",), encoding)
    problems, out = [], []
    for r in rows:
        try:
            rnd = int(r["round"])
        except ValueError:
            problems.append(
                Problem(
                    file,
                    r["_row"],
                    "round",
                    r["round"],
                    "is not a whole number",
                    "keep the round the tool wrote",
                )
            )
            continue
        if r["outcome"] not in OUTCOMES:
            problems.append(
                Problem(
                    file,
                    r["_row"],
                    "outcome",
                    r["outcome"],
                    "is not an allowed outcome",
                    "use one of: " + ", ".join(OUTCOMES),
                )
            )
            continue
        out.append(Entry(rnd, r["mentee_id"], r["mentor_id"], r["outcome"], r.get("reason", "")))
    if problems:
        raise InputError(problems)
    return out


def history_bytes(entries: list[Entry]) -> bytes:
    ordered = sorted(entries, key=lambda e: (e.round, natural_key(e.mentee_id), natural_key(e.mentor_id)))
    return csv_bytes(HEADER, [[e.round, e.mentee_id, e.mentor_id, e.outcome, e.reason] for e in ordered])


def close(entries: list[Entry], pair: tuple[str, str], outcome: str, reason: str) -> list[Entry]:
    """Mark the active entry of ``pair`` with ``outcome`` (a new list; inputs untouched)."""
    out = []
    for e in entries:
        if e.outcome == "active" and (e.mentee_id, e.mentor_id) == pair:
            e = replace(e, outcome=outcome, reason=reason)
        out.append(e)
    return out


def failed_pairs(entries: list[Entry]) -> set[tuple[str, str]]:
    return {(e.mentee_id, e.mentor_id) for e in entries if e.outcome == "failed"}


def beside(pairs_path) -> Path:
    return Path(pairs_path).with_name("history.csv")
