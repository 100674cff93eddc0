"""The spreadsheet formula guard, and its exact inverse for reading our own files back.

A cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
CSV-injection advice): one that starts with ``=``, ``+``, ``-``, ``@`` (or their
full-width forms), tab, CR or LF — also after leading spaces or control characters, which
some spreadsheets skip. In a text column (ids, names, emails: :func:`is_text_column`) a
plain number is guarded too, so a phone-number-like id (``+447700900123``) stays text;
elsewhere a plain number (``-2.50``) is left a number. A value that itself starts with an
apostrophe is guarded as well, so that :func:`unguard` can remove exactly the apostrophe
:func:`guard` added: ``unguard(guard(s, text)) == s`` for every string, in either kind
of column. The guard runs last, on the exact text written to the cell.
"""

from __future__ import annotations

import re

GUARD = "'"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Skipped by some spreadsheets before they look for a formula: spaces, control and format
# characters (zero-width spaces, byte-order marks).
LEADING = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff]*")
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
TEXT_COLUMNS = ("id", "name", "email")  # … and any column ending in _id, _name, _email


def is_text_column(header) -> bool:
    """Ids, names and emails: always text in a spreadsheet, never a number."""
    col = str(header).strip().lower()
    return col in TEXT_COLUMNS or col.endswith(("_id", "_name", "_email"))


def needs_guard(text: str, text_column: bool = True) -> bool:
    """Whether :func:`guard` prefixes ``text`` (see the module doc)."""
    if text[:1].isalnum():  # the common case, decided without the regex: no letter or digit is
        return False  # a trigger, the apostrophe or a leading character (tests check every one)
    if text.startswith((GUARD, "\t", "\r", "\n")):
        return True
    core = text[LEADING.match(text).end() :]
    if not core.startswith(TRIGGERS):
        return False
    return text_column or NUMBER.fullmatch(text) is None


def guard(value, text_column: bool = False) -> str:
    """Text for a spreadsheet cell (CSV or XLSX), with formula triggers neutralised."""
    text = value if type(value) is str else "" if value is None else str(value)
    return GUARD + text if needs_guard(text, text_column) else text


def unguard(text: str) -> str:
    """Undo :func:`guard` on a cell of one of our own files (whatever its column)."""
    if text.startswith(GUARD) and needs_guard(text[1:], text_column=True):
        return text[1:]
    return text
