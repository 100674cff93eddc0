"""``pairs.xlsx``: the run's tables as one workbook that is safe to share, written by XlsxWriter.

``workbook_bytes({"pairs": (header, rows), ...})`` writes one sheet per table, in the
order given, from the same ``(header, rows)`` tables that ``matcher.report.tables`` writes as
CSV, so each sheet holds exactly what its CSV holds:

* a bold, shaded, frozen header row with an autofilter, and column widths that fit the
  values;
* text that looks like a plain number (``"75.91"``, ``"-2.5"``, ``"4"``) is written as a
  number, showing the same decimals as the CSV; ids, names and emails always stay text
  (:func:`~matcher.io.formula.is_text_column`);
* every text cell is written as a string (never a formula) and the formula guard
  (:func:`~matcher.io.formula.guard`) runs last, on its exact text, as in the CSV: a value
  that starts with ``=``, ``+``, ``-``, ``@``, tab, CR or LF — also after leading control
  characters — gets a leading ``'``. Control characters are kept (XlsxWriter writes them
  as Excel's ``_xHHHH_`` escapes), never stripped after the guard;
* score-like columns (``score``, the five Cs, ``readiness``) carry a red–amber–green
  colour scale (conditional formatting, so colours follow the values when sorted);
* the bytes are deterministic: fixed document properties (``created``), and XlsxWriter's
  fixed zip entry dates.

``summary_sheet(summary)`` turns ``summary.json``'s dict into a two-column table.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re

from matcher.io.config import FIVE_CS
from matcher.io.formula import NUMBER, guard, is_text_column

__all__ = ["summary_sheet", "workbook_bytes"]

FIXED_CREATED = dt.datetime(2000, 1, 1, 0, 0, 0)
CREATOR = "mentor-matcher"
HEADER_FILL = "#E2E8F0"
SCALE = ("#F8696B", "#FFEB84", "#63BE7B")  # red (min) → amber (median) → green (max)
UNIT_COLUMNS = (*FIVE_CS, "readiness")
SCORE_COLUMNS = ("score",)
MIN_WIDTH, MAX_WIDTH = 6, 60
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits: a longer number stays text


def _number(text: str):
    """``text`` as an int or float when it is a plain number that round-trips, else None."""
    if not NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return None  # "007" is a code, not a number
    if re.fullmatch(r"[+-]?[0-9]+", text):
        if len(digits.lstrip("0")) > EXCEL_DIGITS:
            return None
        return int(text)
    mantissa = re.split(r"[eE]", text)[0]
    if len(re.sub(r"[^0-9]", "", mantissa).lstrip("0")) > EXCEL_DIGITS:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _decimals_format(text: str) -> str | None:
    """Number format that shows the same decimals as the CSV text ("75.90" → "0.00")."""
    m = re.fullmatch(r"[+-]?[0-9]*\.([0-9]+)", text)
    return "0." + "0" * len(m.group(1)) if m else None


def _cell_value(value, text_column: bool):
    """(value to store: a number or the guarded text, number format or None); (None, None)
    for an empty cell."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return guard(value, text_column), None
    if isinstance(value, int):
        return (value, None) if abs(value) < 10**EXCEL_DIGITS else (guard(value, text_column), None)
    if isinstance(value, float):
        return (value, None) if math.isfinite(value) else (guard(value, text_column), None)
    text = str(value)
    if text == "":
        return None, None
    if not text_column:
        number = _number(text)
        if number is not None:
            return number, _decimals_format(text)
    return guard(text, text_column), None


def _display_len(value) -> int:
    if isinstance(value, float):
        return len(f"{value:g}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def _sheet_names(names) -> list[str]:
    """Excel's rules: 1–31 characters, none of []:*?/\\, not quoted, unique (ignoring case)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        clean = re.sub(r"[\x00-\x1f\x7f]", "", str(name))
        base = re.sub(r"[\[\]:*?/\\]", "_", clean).strip("'")[:31].strip("'") or "Sheet"
        title, k = base, 1
        while title.lower() in seen or title.lower() == "history":  # "History" is Excel's own
            k += 1
            title = f"{base[: 31 - len(str(k))]}{k}"
        seen.add(title.lower())
        out.append(title)
    return out


class _Formats:
    """The workbook's cell formats, made once each: the header and one per number format."""

    def __init__(self, book):
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": HEADER_FILL, "valign": "vcenter"})
        self.numbers: dict[str, object] = {}

    def number(self, code: str | None):
        if code is None:
            return None
        fmt = self.numbers.get(code)
        if fmt is None:
            fmt = self.numbers[code] = self.book.add_format({"num_format": code})
        return fmt


def _write_sheet(sheet, header: list, rows: list[list], formats: _Formats) -> None:
    ncols = max([len(header), *(len(r) for r in rows)], default=0)
    text_cols = [is_text_column(h) for h in header] + [False] * (ncols - len(header))
    widths = [0] * ncols
    for c, h in enumerate(header):
        text = guard(h, True)
        widths[c] = len(text) + 3  # room for the filter button
        if text:
            sheet.write_string(0, c, text, formats.header)
    # Ids, scores, ranks and the Cs repeat a lot: each distinct value is converted once.
    caches: tuple[dict, dict] = ({}, {})
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, row in enumerate(rows, start=1):
        for c, raw in enumerate(row):
            text_column = text_cols[c]
            key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True differ here
            cache = caches[text_column]
            try:
                hit = cache.get(key)
                if hit is None:
                    value, code = _cell_value(raw, text_column)
                    width = 0 if value is None else _display_len(value) + 1
                    hit = cache[key] = (value, formats.number(code), width)
            except TypeError:  # not hashable
                value, code = _cell_value(raw, text_column)
                hit = (value, formats.number(code), 0 if value is None else _display_len(value) + 1)
            value, fmt, width = hit
            if value is None:
                continue
            if isinstance(value, str):
                write_string(r, c, value)
            else:
                write_number(r, c, value, fmt)
            if width > widths[c]:
                widths[c] = width
    if not ncols:
        return
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), ncols - 1)
    for c, w in enumerate(widths):
        sheet.set_column(c, c, max(MIN_WIDTH, min(MAX_WIDTH, w + 1)))
    if rows:
        for c, h in enumerate(header):
            if h in SCORE_COLUMNS or h in UNIT_COLUMNS:
                sheet.conditional_format(
                    1,
                    c,
                    len(rows),
                    c,
                    {
                        "type": "3_color_scale",
                        "min_color": SCALE[0],
                        "mid_type": "percentile",
                        "mid_value": 50,
                        "mid_color": SCALE[1],
                        "max_color": SCALE[2],
                    },
                )


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """The tables as an .xlsx file (see the module docstring); same tables → same bytes."""
    import xlsxwriter  # lazy: only runs that write a workbook need it

    if not sheets:
        sheets = {"empty": ([], [])}
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"author": CREATOR, "created": FIXED_CREATED})
    formats = _Formats(book)
    for title, (header, rows) in zip(_sheet_names(sheets), sheets.values(), strict=True):
        _write_sheet(book.add_worksheet(title), header, rows, formats)
    book.close()
    return out.getvalue()


def _flat(value) -> str | int | float | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(_flat(v)) for v in value)
    return str(value)


def summary_sheet(summary: dict) -> tuple[list[str], list[list]]:
    """``summary.json`` as (header, rows): one ``key``/``value`` row per setting; nested
    dicts become dotted keys (``rules.min_score``) and lists ``;``-joined text."""
    rows: list[list] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            rows.append([prefix, _flat(value)])

    walk("", summary)
    return ["key", "value"], rows
