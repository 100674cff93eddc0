"""Errors the tool raises on purpose, each worded for a programme coordinator.

Validation never stops at the first problem: it collects every :class:`Problem`
(file, row, column, value, what is wrong, how to fix it) and raises one
:class:`InputError` holding them all, so a coordinator fixes a file in one pass.
The CLI turns these into ``Error:`` lines and exit code 1; nothing else in the
library prints.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

# Columns whose values are personal text: never echoed back in a message.
PRIVATE_COLUMNS = frozenset({"name", "email", "goals", "expertise"})
SHOWN_WORDS, SHOWN_CHARS = 8, 80  # at most this many words of a column's own vocabulary are shown
SHOWN_NUMBER = re.compile(r"[+-]?[0-9]{1,9}(?:[.,][0-9]{1,6})?")
NUMBER_WORD = re.compile(r"[0-9]{1,3}[a-z]?")  # "6" in "Band 6", "8a" in "Band 8a"
WORD = re.compile(r"[^\W_]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
HEDGE = "ish"  # "oftenish", "hybrid-ish": an answer of the column, hedged
TYPO_CUTOFF = 0.85  # "agre" ~ "agree" (0.89) is shown; "fever" ~ "never" (0.80) is not

Vocabulary = Collection[str] | Callable[[str], bool] | None


def shown_value(column: str | None, value: str, vocabulary: Vocabulary = None) -> str:
    """How a cell's ``value`` may appear in a message about ``column`` — the one place that
    decides (:class:`Problem` calls it with the vocabulary it was given).

    * A personal column's value (:data:`PRIVATE_COLUMNS`) never, however short: ``<hidden>``.
    * ``vocabulary`` None — ids, config values, free-text columns that are not personal
      (department, location): the value, unless it is free text of more than three words
      (see :func:`_short`).
    * Otherwise the column is answered from a known set (Likert labels, modes, levels,
      time zones, numbers, grades), and ``vocabulary`` says what an answer of it can look
      like (:func:`matcher.io.vocabulary.answer_vocabulary`): the column's own words
      (lower case) or a predicate on the value (a time zone's shape, a place the zone
      tables know). A value of at most :data:`SHOWN_WORDS` such words — or one-letter
      slips of them ("Strongly agre"), hedged ones ("oftenish"), with short numbers among
      them ("Band 6") — is an answer the tool does not know yet, and is shown in full, so
      that the coordinator sees what to add under ``[values]`` or ``[likert]`` (the
      message adds the nearest known answer). So is a short plain number. Anything else
      cannot be an answer of this column — most often someone's private text that an
      unquoted comma shifted into it — and is hidden however short: only its size is
      shown. An email address is ``<hidden>``, as in a personal column.
    """
    if column in PRIVATE_COLUMNS:
        return "<hidden>"
    if vocabulary is None:
        return _short(value)
    text = value.strip()
    if "@" in text:  # an email address is nobody's answer to a list question
        return "<hidden>"
    if SHOWN_NUMBER.fullmatch(text) or _short_symbols(text):
        return _short(text)
    if len(text) > SHOWN_CHARS:
        shown = False
    elif callable(vocabulary):
        shown = vocabulary(text)
    else:
        shown = _vocabulary_words(text, vocabulary)
    return _escaped(text) if shown else _hidden(text)


def _vocabulary_words(text: str, vocabulary: Collection[str]) -> bool:
    """``text`` is 1 to :data:`SHOWN_WORDS` words of ``vocabulary`` (short numbers allowed
    beside at least one of them)."""
    words = WORD.findall(text.lower())
    if not 0 < len(words) <= SHOWN_WORDS:
        return False
    numbers = [w for w in words if NUMBER_WORD.fullmatch(w)]
    if len(numbers) == len(words):
        return False
    return all(_in_vocabulary(w, vocabulary) for w in words if w not in numbers)


def _short_symbols(text: str) -> bool:
    """A few characters and no letter ("²", "٣", "-", "1/2"): a typo, never private text."""
    return (
        0 < len(text) <= 8 and not any(ch.isalpha() for ch in text) and sum(ch.isdigit() for ch in text) <= 4
    )


def _in_vocabulary(word: str, vocabulary: Collection[str]) -> bool:
    """``word`` is one of ``vocabulary``, one hedged with "-ish" ("oftenish", "hybrid-ish"),
    or a one-letter slip of a longer one ("Agre")."""
    if word in vocabulary or word == HEDGE:
        return True
    if word.endswith(HEDGE) and word[: -len(HEDGE)] in vocabulary:
        return True
    if len(word) < 4:
        return False
    return bool(difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=TYPO_CUTOFF))


def _hidden(text: str) -> str:
    if re.fullmatch(r"[+-]?[0-9.,\s]+", text):
        n = sum(ch.isdigit() for ch in text)
        return f"<{n} digit{'s' if n != 1 else ''} hidden>"
    n = len(text.split())
    return f"<{n} word{'s' if n != 1 else ''} hidden>"


def _escaped(value: str) -> str:
    """Line breaks, tabs and other control characters written visibly: never raw in a terminal."""
    value = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as a spreadsheet shows it.

    ``row`` counts as a spreadsheet does (the header is row 1, the first person
    row 2); ``None`` when the problem is about the whole file or column. ``value`` is the
    cell as read; ``vocabulary`` what an answer of its column can look like, which decides
    how much of it a message shows (:func:`shown_value`).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    fix: str
    vocabulary: Vocabulary = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            label = "key" if self.file.endswith(".toml") or self.file == "config" else "column"
            where.append(f"{label} '{self.column}'")
        text = ", ".join(where)
        if self.value is not None:
            text += f", value '{shown_value(self.column, self.value, self.vocabulary)}'"
        text += f": {self.problem}"
        if self.fix:
            text += f" — {self.fix}"
        return text


def _short(value: str, limit: int = 40) -> str:
    """A value as shown in a message: long free text is never echoed, because when columns
    shift (an unquoted comma) a number column can hold someone's private goals."""
    words = len(value.split())
    if words > 3:
        return f"<{words} words hidden>"
    value = _escaped(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


class MatcherError(Exception):
    """Base class of the errors the tool raises on purpose (exit code 1)."""


class TieBreakTooLarge(MatcherError):
    """The fewest-changes tie-break of a pinned re-solve would leave 64-bit integers (the
    caller re-solves without it and says the moves are not proven the fewest)."""


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


def config_error(config, key: str, problem: str, fix: str) -> ConfigError:
    """One problem with ``key`` of ``config``'s file (``config`` when the settings came from
    no file), as the :class:`ConfigError` to raise."""
    return ConfigError([Problem(config.source or "config", None, key, None, problem, fix)])


class InfeasibleError(MatcherError):
    """The rules in force cannot all hold at once; the message says which and why."""


class OutputError(MatcherError):
    """The outputs cannot be written where asked (e.g. they would overwrite an input)."""


class OptionError(MatcherError):
    """Options that cannot be used together, e.g. ``no_repeat`` without a history file
    (the CLI reports it as a usage error: exit 2)."""
