"""What an answer of each kind of questionnaire column can look like, for messages.

A message about a bad cell shows its value only when the value could be an answer of
that column (:func:`matcher.errors.shown_value`): a short number, or a few of the
column's own words ("Strongly agree" in a Likert column, "in person" in ``mode``).
Anything else may be private text that an unquoted comma shifted into the column, and
is hidden however short. :func:`answer_vocabulary` gives those words (or, for time
zones, a predicate on the value's shape) per column kind.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Spreadsheet placeholders: never anyone's private text.
PLACEHOLDER_WORDS = _words("true false yes no n a na none null nil tbc tbd unknown x")
NUMBER_WORDS = _words(
    "zero one two three four five six seven eight nine ten eleven twelve twenty few several "
    "many some max maximum min minimum up to or and"
)
GRADE_WORDS = _words(
    "junior senior mid middle band grade level lead principal manager director associate assistant "
    "head chief staff trainee intern graduate consultant registrar professor lecturer fellow"
)
LIKERT_WORDS = _words(
    "strongly agree disagree neutral neither nor somewhat slightly mostly completely fully "
    "very not at all quite a little lot bit much more less never rarely sometimes often usually "
    "always low medium high moderate moderately extremely unsure undecided"
)
MODE_WORDS = _words(
    "in person virtual either online remote remotely hybrid face to both any video call teams zoom"
)
LEVEL_WORDS = _words(
    "foundation practitioner senior master masters emcc level coach mentor junior expert beginner "
    "novice intermediate advanced experienced accredited certified"
)
# Why a pair failed (failed.csv's reason): the five Cs, the tool's reasons and the words
# coordinators use for a relationship that lost its connection.
FAILURE_WORDS = _words(
    "compatibility contrast challenge context care availability other unspecified rapport chemistry "
    "fit mismatch clash time schedule scheduling timing momentum lost too little much task driven "
    "circumstances changed distance distanced moved left job role capacity busy"
)
ZONE_ABBREVIATIONS = _words("utc gmt bst cet cest eet eest est edt cst cdt mst mdt pst pdt ist aest jst")
ZONE_SHAPE = re.compile(r"[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+")
OFFSET_SHAPE = re.compile(r"(?:utc|gmt)?\s*[+\-\u2212\u2013]\s*[0-9]{1,2}(?:\s*:?\s*[0-9]{2})?")
WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _zone_words() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(w for tz in available_timezones() for w in re.findall(r"[a-z]+", tz.lower()))


def zone_like(text: str) -> bool:
    """Written like a time zone: Area/City, a UTC offset, or a few words of zone names."""
    if ZONE_SHAPE.fullmatch(text) or OFFSET_SHAPE.fullmatch(text.lower()):
        return True
    words = WORD.findall(text.lower())
    return 0 < len(words) <= 3 and all(w in _zone_words() or w in ZONE_ABBREVIATIONS for w in words)


def id_like(text: str) -> bool:
    """Written like an id: one token, not long. A reference that matches no one and is not
    (a name typed instead of an id: "John Smith") is hidden."""
    return 0 < len(text) <= 40 and not any(ch.isspace() for ch in text)


def answer_vocabulary(kind: str, likert_labels=()):
    """What an answer of a column of ``kind`` can look like: its words (with the config's
    ``[likert]`` labels for Likert columns), a predicate (time zones; references to ids), or
    None (ids and free text: shown as written, long text shortened)."""
    if kind == "capacity":
        return PLACEHOLDER_WORDS | NUMBER_WORDS
    if kind == "int":
        return PLACEHOLDER_WORDS | NUMBER_WORDS | GRADE_WORDS
    if kind == "likert":
        labels = {w for label in likert_labels for w in WORD.findall(label.lower())}
        return PLACEHOLDER_WORDS | NUMBER_WORDS | LIKERT_WORDS | labels
    if kind == "mode":
        return PLACEHOLDER_WORDS | MODE_WORDS
    if kind == "level":
        return PLACEHOLDER_WORDS | LEVEL_WORDS
    if kind == "timezone":
        return zone_like
    if kind in ("idlist", "ref"):
        return id_like
    return None
