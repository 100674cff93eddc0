"""Mentor approval: mentors accept or decline their proposed mentees before pairs are told.

``read_responses(path, previous)`` reads the responses file (``mentor_id, mentee_id,
response, note``; response ``accept`` or ``decline``, any case) and checks every row
against the proposed pairs: an unknown response, a pair that was not proposed, or two
different answers for one pair is a problem naming the file and row; all are returned
together. The re-match is :func:`matcher.rematch.rematch` with ``max_changes = 0``: a
declined pair is closed in the history as failed (reason ``declined``) and never proposed
again; accepted pairs — and pairs not answered yet — are kept exactly; the declined
mentees and the places that opened are matched optimally.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.errors import Problem
from matcher.io.vocabulary import PLACEHOLDER_WORDS
from matcher.rematch import Failure

RESPONSES = ("accept", "decline")
RESPONSE_WORDS = frozenset(RESPONSES) | PLACEHOLDER_WORDS  # what a message shows of a response


@dataclass(frozen=True)
class Responses:
    file: str
    accepted: tuple[tuple[str, str], ...]  # (mentee_id, mentor_id)
    declined: tuple[Failure, ...]  # as failed pairs, reason "declined"


def read_responses(path, previous, encoding=None) -> tuple[Responses, list[Problem]]:
    """The responses file → (responses, every problem in it)."""
    from matcher.io.pairs_file import read_columns

    file, rows = read_columns(path, ("mentor_id", "mentee_id", "response"), ("note",), encoding)
    proposed = set(previous)
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    accepted: list[tuple[str, str]] = []
    declined: list[Failure] = []
    for r in rows:
        pair = (r["mentee_id"].strip(), r["mentor_id"].strip())
        answer = r["response"].strip().lower()
        if answer not in RESPONSES:
            problems.append(
                Problem(
                    file,
                    r["_row"],
                    "response",
                    r["response"],
                    "is not a response",
                    "write accept or decline",
                    RESPONSE_WORDS,
                )
            )
            continue
        if pair not in proposed:
            problems.append(_not_proposed(file, r, pair, proposed))
            continue
        if pair in seen:
            if seen[pair] != answer:
                problems.append(
                    Problem(
                        file,
                        r["_row"],
                        "response",
                        r["response"],
                        "this pair is answered both accept and decline",
                        "keep one row per pair",
                        RESPONSE_WORDS,
                    )
                )
            continue
        seen[pair] = answer
        if answer == "accept":
            accepted.append(pair)
        else:
            declined.append(Failure(pair[0], pair[1], "declined", r.get("note", ""), r["_row"]))
    return Responses(file, tuple(accepted), tuple(declined)), problems


def _not_proposed(file: str, row: dict, pair: tuple[str, str], proposed) -> Problem:
    """The problem with a response to a pair not in --pairs, on the column that is wrong: an
    id that is in no proposed pair, else the pair itself (both ids known, not together)."""
    mentees = {e for e, _ in proposed}
    mentors = {m for _, m in proposed}
    if pair[0] not in mentees:
        return Problem(
            file,
            row["_row"],
            "mentee_id",
            pair[0],
            "is not a mentee of any proposed pair",
            "check the id against --pairs",
        )
    if pair[1] not in mentors:
        return Problem(
            file,
            row["_row"],
            "mentor_id",
            pair[1],
            "is not a mentor of any proposed pair",
            "check the id against --pairs",
        )
    return Problem(
        file,
        row["_row"],
        "mentee_id, mentor_id",
        f"{pair[0]} → {pair[1]}",
        "this pair was not proposed (both are in other pairs)",
        "give a pair from --pairs (check both ids)",
    )
