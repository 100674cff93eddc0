"""Errors the tool raises on purpose, each worded for a programme coordinator.

Validation never stops at the first problem: it collects every :class:`Problem`
(file, row, column, value, what is wrong, how to fix it) and raises one
:class:`InputError` holding them all, so a coordinator fixes a file in one pass.
The CLI turns these into ``Error:`` lines and exit code 1; nothing else in the
library prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Columns whose values are personal text: never echoed back in a message.
PRIVATE_COLUMNS = frozenset({"name", "email", "goals", "expertise"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as a spreadsheet shows it.

    ``row`` counts as a spreadsheet does (the header is row 1, the first person
    row 2); ``None`` when the problem is about the whole file or column.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    fix: str
    shown: str = "short"  # how the value may be echoed: see shown_value

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            label = "key" if self.file.endswith(".toml") or self.file == "config" else "column"
            where.append(f"{label} '{self.column}'")
        text = ", ".join(where)
        if self.value is not None:
            text += f", value '{shown_value(self.column, self.value, self.shown)}'"
        text += f": {self.problem}"
        if self.fix:
            text += f" — {self.fix}"
        return text


ANSWER_WORDS, ANSWER_CHARS = 8, 80
_NUMBER_LIKE = re.compile(r"[\d\s.,+\-\u2212eE%£$€']{1,40}")


def shown_value(column: str | None, value: str, shown: str = "short") -> str:
    """How a cell's value appears in a message — the one place that decides.

    Personal columns (name, email, goals, expertise): never, however short. ``shown``
    says what the column holds: ``"answer"`` — an answer chosen from a list, not personal
    (Likert labels, modes, levels, time zones, grades): in full, so the coordinator sees
    exactly what to add to the config (up to 8 words and 80 characters: longer text is no
    answer, but someone's words in the wrong column); ``"number"`` — shown only when it
    looks like a number (a goal that slid into a number column stays hidden); anything
    else: short values only (see :func:`_short`).
    """
    if column in PRIVATE_COLUMNS:
        return "<hidden>"
    if shown == "number":
        return _short(value) if _NUMBER_LIKE.fullmatch(value) else "<hidden>"
    if shown == "answer":
        if "@" in value:  # an email address is nobody's answer to a list question
            return "<hidden>"
        if len(value.split()) > ANSWER_WORDS or len(value) > ANSWER_CHARS:
            return _short(value)
        return value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return _short(value)


def _short(value: str, limit: int = 40) -> str:
    """A value as shown in a message: long free text is never echoed, because when columns
    shift (an unquoted comma) a number column can hold someone's private goals."""
    words = len(value.split())
    if words > 3:
        return f"<{words} words hidden>"
    value = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return value if len(value) <= limit else value[: limit - 1] + "…"


class MatcherError(Exception):
    """Base class of the errors the tool raises on purpose (exit code 1)."""


class InputError(MatcherError):
    """Every problem found in the input files and config, raised once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class ConfigError(InputError):
    """Problems in the TOML config file (same shape as input problems)."""


class InfeasibleError(MatcherError):
    """The rules in force cannot all hold at once; the message says which and why."""


class OutputError(MatcherError):
    """The outputs cannot be written where asked (e.g. they would overwrite an input)."""


class OptionError(MatcherError):
    """Options that cannot be used together, e.g. ``no_repeat`` without a history file
    (the CLI reports it as a usage error: exit 2)."""
