"""``pairs.xlsx``: the run's tables as one workbook that is safe to share.

``workbook_bytes({"pairs": (header, rows), ...})`` writes one sheet per table, in the
order given, from the same ``(header, rows)`` tables that ``matcher.report`` writes as
CSV, so each sheet holds exactly what its CSV holds:

* a bold, frozen header row with an autofilter, and column widths that fit the values;
* text that looks like a plain number (``"75.91"``, ``"-2.5"``, ``"4"``) is written as a
  number, showing the same decimals as the CSV; ids, names and emails always stay text;
* every other text cell goes through :func:`matcher.output.safe_cell`, so a value that
  starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return cannot run as a formula;
* score-like columns (``score``, the five Cs, ``readiness``) carry a red–amber–green
  colour scale (conditional formatting, so colours follow the values when sorted);
* the bytes are deterministic: fixed document timestamps and zip entry dates.

``summary_sheet(summary)`` turns ``summary.json``'s dict into a two-column table.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime

from .config import FIVE_CS
from .output import NUMBER, safe_cell

__all__ = ["summary_sheet", "workbook_bytes"]

FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_STAMP = b"2000-01-01T00:00:00Z"
TEXT_COLUMNS = ("id", "name", "email")  # … and any column ending in _id, _name, _email
UNIT_COLUMNS = (*FIVE_CS, "readiness")
SCORE_COLUMNS = ("score",)
MIN_WIDTH, MAX_WIDTH = 6, 60
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML (openpyxl refuses them)


def _is_text_column(col: str) -> bool:
    col = col.strip().lower()
    return col in TEXT_COLUMNS or col.endswith(("_id", "_name", "_email"))


def _number(text: str):
    """``text`` as an int or float when it is a plain number that round-trips, else None."""
    if not NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return None  # "007" is a code, not a number
    if re.fullmatch(r"[+-]?\d+", text):
        value = int(text)
        return value if abs(value) < 10**15 else None  # Excel keeps 15 significant digits
    value = float(text)
    if not math.isfinite(value) or len(re.sub(r"\D", "", text.split("e")[0].split("E")[0]).lstrip("0")) > 15:
        return None
    return value


def _decimals_format(text: str) -> str | None:
    """Number format that shows the same decimals as the CSV text ("75.90" → "0.00")."""
    m = re.fullmatch(r"[+-]?\d*\.(\d+)", text)
    return "0." + "0" * len(m.group(1)) if m else None


def _cell_value(value, text_column: bool):
    """(value to store, number format or None)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return safe_cell(value), None
    if isinstance(value, int):
        return (value, None) if abs(value) < 10**15 else (str(value), None)
    if isinstance(value, float):
        return (value, None) if math.isfinite(value) else (safe_cell(value), None)
    text = str(value)
    if text == "":
        return None, None
    if not text_column:
        number = _number(text)
        if number is not None:
            return number, _decimals_format(text)
    return ILLEGAL.sub("", safe_cell(text)), None


def _display_len(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:g}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def _colour_scale(ws, col_letter: str, first: int, last: int) -> None:
    from openpyxl.formatting.rule import ColorScaleRule

    rule = ColorScaleRule(
        start_type="min",
        start_color="F8696B",
        mid_type="percentile",
        mid_value=50,
        mid_color="FFEB84",
        end_type="max",
        end_color="63BE7B",
    )
    ws.conditional_formatting.add(f"{col_letter}{first}:{col_letter}{last}", rule)


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed entry dates and attributes (same order, same content)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 3
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_STAMP + rb"\g<2>",
                    content,
                )
            dst.writestr(fixed, content, compresslevel=6)
    return out.getvalue()


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """The tables as an .xlsx file (see the module docstring); same tables → same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "mentor-matcher"
    wb.properties.lastModifiedBy = "mentor-matcher"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    bold = Font(bold=True)
    head_fill = PatternFill("solid", start_color="E2E8F0", end_color="E2E8F0")
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        ncols = max([len(header), *(len(r) for r in rows)], default=0)
        text_cols = [_is_text_column(str(h)) for h in header] + [False] * (ncols - len(header))
        widths = [0] * ncols
        for c, h in enumerate(header, start=1):
            cell = ws.cell(row=1, column=c, value=ILLEGAL.sub("", safe_cell(h)))
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(vertical="center")
            widths[c - 1] = len(str(cell.value)) + 3  # room for the filter button
        for r, row in enumerate(rows, start=2):
            for c, raw in enumerate(row, start=1):
                value, fmt = _cell_value(raw, text_cols[c - 1])
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if fmt:
                    cell.number_format = fmt
                widths[c - 1] = max(widths[c - 1], _display_len(value) + 1)
        for c in range(ncols):
            ws.column_dimensions[get_column_letter(c + 1)].width = max(
                MIN_WIDTH, min(MAX_WIDTH, widths[c] + 1)
            )
        if ncols:
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(1, len(rows) + 1)}"
        if rows:
            for c, h in enumerate(header, start=1):
                if h in SCORE_COLUMNS or h in UNIT_COLUMNS:
                    _colour_scale(ws, get_column_letter(c), 2, len(rows) + 1)
    if not wb.worksheets:
        wb.create_sheet("empty")
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


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
