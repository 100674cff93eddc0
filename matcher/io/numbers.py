"""The one place where text from an input file becomes a number.

Every whole number the tool reads (capacity, seniority, Likert answers, history rounds)
goes through :func:`parse_whole`: it accepts exactly ASCII digits with an optional sign
and, as spreadsheets write whole numbers, a zero fraction (``3``, ``+3``, ``3.0``,
``3,0``). Nothing else is a number here — not ``²``, not Arabic-Indic ``٣``, not ``1e3``
— and a digit run is never converted when it is too long to be any value the tool
accepts (Python refuses to convert more than 4,300 digits, and a pasted account number
must be reported as out of range, not wrapped round). :func:`digit_runs` splits text
into ASCII digit runs for the natural sort order of ids, comparing runs without
converting them.
"""

from __future__ import annotations

import math
import re

MAX_DIGITS = 18  # no accepted value comes close; 10**18 still fits an int64
WHOLE = re.compile(r"([+-]?)([0-9]+)(?:[.,]0+)?")
DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
DIGIT_RUN = re.compile(r"([0-9]+)")


def parse_whole(text: str) -> int | float | None:
    """``text`` as a whole number (see the module doc), or None when it is not one.

    A number with more than :data:`MAX_DIGITS` significant digits is returned as ``inf``
    or ``-inf``: it compares as out of every range the tool accepts and is never
    converted. Never raises.
    """
    match = WHOLE.fullmatch(text)
    if match is None:
        return None
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        return -math.inf if sign == "-" else math.inf
    value = int(digits)
    return -value if sign == "-" else value


def looks_decimal(text: str) -> bool:
    """Written as a plain decimal number (``3.5``, ``-2,25``): a number, though not a whole one."""
    return DECIMAL.fullmatch(text) is not None


def digit_runs(text: str) -> tuple:
    """Sort key ordering ASCII digit runs by value (``E2 < E10``), total on all strings.

    A run compares by its length without leading zeros, then its digits, then as written
    (``E02`` before ``E2``): the order of the values, found without converting them.
    """
    parts = DIGIT_RUN.split(text)
    key = []
    for k, part in enumerate(parts):
        if not part:
            continue
        if k % 2:  # a captured digit run
            significant = part.lstrip("0") or "0"
            key.append((0, len(significant), significant, part))
        else:
            key.append((1, 0, part, part))
    return tuple(key)
