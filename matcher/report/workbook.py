"""``pairs.xlsx``: the run's tables as one workbook that is safe to share.

``workbook_bytes({"pairs": (header, rows), ...})`` writes one sheet per table, in the
order given, from the same ``(header, rows)`` tables that ``matcher.report.tables`` writes as
CSV, so each sheet holds exactly what its CSV holds:

* a bold, frozen header row with an autofilter, and column widths that fit the values;
* text that looks like a plain number (``"75.91"``, ``"-2.5"``, ``"4"``) is written as a
  number, showing the same decimals as the CSV; ids, names and emails always stay text;
* every other text cell goes through :func:`matcher.report.files.safe_cell`, so a value that
  starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return cannot run as a formula;
* score-like columns (``score``, the five Cs, ``readiness``) carry a red–amber–green
  colour scale (conditional formatting, so colours follow the values when sorted);
* the bytes are deterministic: fixed document timestamps and zip entry dates.

The workbook's XML is written directly (plain strings: one style per number format, a
colour scale per column rather than per-cell fills), not through openpyxl: a
1,000-pair run's workbook takes a few tens of milliseconds instead of half a second.
Strings are inline (``t="inlineStr"``), as openpyxl writes them; a carriage return in a
value is kept as ``&#13;`` so that it reads back as itself.

``summary_sheet(summary)`` turns ``summary.json``'s dict into a two-column table.
"""

from __future__ import annotations

import io
import math
import re
import zipfile

from matcher.io.config import FIVE_CS
from matcher.report.files import NUMBER, safe_cell

__all__ = ["summary_sheet", "workbook_bytes"]

ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_STAMP = "2000-01-01T00:00:00Z"
CREATOR = "mentor-matcher"
COMPRESS_LEVEL = 6
HEADER_FILL = "E2E8F0"
SCALE = ("F8696B", "FFEB84", "63BE7B")  # red (min) → amber (median) → green (max)
TEXT_COLUMNS = ("id", "name", "email")  # … and any column ending in _id, _name, _email
UNIT_COLUMNS = (*FIVE_CS, "readiness")
SCORE_COLUMNS = ("score",)
MIN_WIDTH, MAX_WIDTH = 6, 60
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = REL_NS
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
BUILTIN_FORMATS = {"0": 1, "0.00": 2}  # Excel's built-in number format ids; others get 164, 165, …


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


def _col_letter(k: int) -> str:
    """1 → A, 27 → AA."""
    s = ""
    while k:
        k, r = divmod(k - 1, 26)
        s = chr(65 + r) + s
    return s


def _xml(text: str) -> str:
    """Escape text for an XML text node; a carriage return is kept as a character reference
    (a literal one would be read back as a line feed)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _attr(text: str) -> str:
    return _xml(text).replace('"', "&quot;")


def _number_text(value) -> str:
    return str(value) if isinstance(value, int) else repr(float(value)).upper()  # "1E-05", as Excel writes


class _Styles:
    """The workbook's cell formats: 0 plain, 1 the header, then one per number format."""

    def __init__(self):
        self.formats: dict[str, int] = {}  # format code → cell format index

    def index(self, fmt: str) -> int:
        k = self.formats.get(fmt)
        if k is None:
            k = self.formats[fmt] = 2 + len(self.formats)
        return k

    def xml(self) -> str:
        custom = [f for f in self.formats if f not in BUILTIN_FORMATS]
        ids = {**BUILTIN_FORMATS, **{f: 164 + n for n, f in enumerate(custom)}}
        numfmts = "".join(f'<numFmt numFmtId="{ids[f]}" formatCode="{_attr(f)}"/>' for f in custom)
        xfs = "".join(
            f'<xf numFmtId="{ids[f]}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            for f in self.formats
        )
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'  # no theme part to refer to
        return (
            XML_DECL
            + f'<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(custom)}">{numfmts}</numFmts>' if custom else "")
            + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{HEADER_FILL}"/>'
            f'<bgColor rgb="FF{HEADER_FILL}"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 + len(self.formats)}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
            'applyAlignment="1"><alignment vertical="center"/></xf>'
            f"{xfs}</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
        )


def _string_tail(text: str) -> str:
    """A text cell after its ``<c r="A1"``."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
    return f' t="inlineStr"><is><t{space}>{_xml(text)}</t></is></c>'


def _cell_tail(raw, text_column: bool, styles: _Styles) -> tuple[str | None, int]:
    """(the cell's XML after its ``<c r="A1"``, or None for an empty cell; width it needs)."""
    value, fmt = _cell_value(raw, text_column)
    if value is None:
        return None, 0
    if isinstance(value, str):
        tail = _string_tail(value)
    else:
        style = f' s="{styles.index(fmt)}"' if fmt else ""
        tail = f"{style}><v>{_number_text(value)}</v></c>"
    return tail, _display_len(value) + 1


def _sheet_xml(header: list, rows: list[list], styles: _Styles, selected: bool) -> tuple[str, str | None]:
    """(worksheet XML, autofilter range or None) for one table."""
    ncols = max([len(header), *(len(r) for r in rows)], default=0)
    letters = [_col_letter(k) for k in range(1, ncols + 1)]
    text_cols = [_is_text_column(str(h)) for h in header] + [False] * (ncols - len(header))
    widths = [0] * ncols
    out = []
    cells = []
    for c, h in enumerate(header):
        text = ILLEGAL.sub("", safe_cell(h))
        widths[c] = len(text) + 3  # room for the filter button
        if text:
            cells.append(f'<c r="{letters[c]}1" s="1"{_string_tail(text)}')
    out.append(f'<row r="1">{"".join(cells)}</row>')
    # Ids, scores, ranks and the Cs repeat a lot: each distinct value is converted once.
    caches: tuple[dict, dict] = ({}, {})
    for r, row in enumerate(rows, start=2):
        cells = []
        for c, raw in enumerate(row):
            text_column = text_cols[c]
            key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True differ here
            cache = caches[text_column]
            try:
                hit = cache.get(key)
                if hit is None:
                    hit = cache[key] = _cell_tail(raw, text_column, styles)
            except TypeError:  # not hashable
                hit = _cell_tail(raw, text_column, styles)
            tail, width = hit
            if tail is None:
                continue
            cells.append(f'<c r="{letters[c]}{r}"{tail}')
            if width > widths[c]:
                widths[c] = width
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    last_row = max(1, len(rows) + 1)
    ref = f"A1:{letters[-1]}{last_row}" if ncols else None
    parts = [XML_DECL, f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    parts.append(f'<dimension ref="{ref or "A1"}"/>')
    tab = ' tabSelected="1"' if selected else ""
    if ncols:
        parts.append(
            f'<sheetViews><sheetView{tab} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        )
    else:
        parts.append(f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>')
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    if ncols:
        parts.append(
            "<cols>"
            + "".join(
                f'<col min="{k}" max="{k}" width="{max(MIN_WIDTH, min(MAX_WIDTH, w + 1))}" customWidth="1"/>'
                for k, w in enumerate(widths, start=1)
            )
            + "</cols>"
        )
    parts.append("<sheetData>")
    parts.extend(out)
    parts.append("</sheetData>")
    if ref:
        parts.append(f'<autoFilter ref="{ref}"/>')
    if rows:
        priority = 0
        for c, h in enumerate(header):
            if h in SCORE_COLUMNS or h in UNIT_COLUMNS:
                priority += 1
                parts.append(
                    f'<conditionalFormatting sqref="{letters[c]}2:{letters[c]}{len(rows) + 1}">'
                    f'<cfRule type="colorScale" priority="{priority}"><colorScale>'
                    '<cfvo type="min"/><cfvo type="percentile" val="50"/><cfvo type="max"/>'
                    + "".join(f'<color rgb="FF{rgb}"/>' for rgb in SCALE)
                    + "</colorScale></cfRule></conditionalFormatting>"
                )
    parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    parts.append("</worksheet>")
    return "".join(parts), ref


def _sheet_names(names) -> list[str]:
    """Excel's rules: 1–31 characters, none of []:*?/\\, not quoted, unique (ignoring case)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", ILLEGAL.sub("", str(name))).strip("'")[:31] or "Sheet"
        title, k = base, 1
        while title.lower() in seen:
            k += 1
            title = f"{base[: 31 - len(str(k))]}{k}"
        seen.add(title.lower())
        out.append(title)
    return out


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """The tables as an .xlsx file (see the module docstring); same tables → same bytes."""
    if not sheets:
        sheets = {"empty": ([], [])}
    titles = _sheet_names(sheets)
    styles = _Styles()
    parts: list[tuple[str, str]] = []
    names = []
    for k, (title, (header, rows)) in enumerate(zip(titles, sheets.values(), strict=True)):
        xml, ref = _sheet_xml(header, rows, styles, selected=k == 0)
        parts.append((f"xl/worksheets/sheet{k + 1}.xml", xml))
        if ref:  # Excel's hidden name for the autofilter range
            quoted = "'" + title.replace("'", "''") + "'"
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{k}" hidden="1">'
                f"{_xml(quoted)}!{absolute}</definedName>"
            )
    n = len(titles)
    sheet_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{CT}worksheet+xml"/>'
        for k in range(1, n + 1)
    )
    content_types = (
        XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT}styles+xml"/>'
        f"{sheet_types}"
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        XML_DECL + f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    app = (
        XML_DECL
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>mentor-matcher</Application></Properties>"
    )
    core = (
        XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{CREATOR}</dc:creator><cp:lastModifiedBy>{CREATOR}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_STAMP}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_STAMP}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    workbook = (
        XML_DECL + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(
            f'<sheet name="{_attr(t)}" sheetId="{k}" r:id="rId{k}"/>' for k, t in enumerate(titles, start=1)
        )
        + "</sheets>"
        + (f"<definedNames>{''.join(names)}</definedNames>" if names else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
    workbook_rels = (
        XML_DECL
        + f'<Relationships xmlns="{PKG_REL_NS}">'
        + "".join(
            f'<Relationship Id="rId{k}" Type="{DOC_REL}/worksheet" Target="worksheets/sheet{k}.xml"/>'
            for k in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{DOC_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    files = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", styles.xml()),
        *parts,
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 3
            z.writestr(info, text.encode("utf-8"), compresslevel=COMPRESS_LEVEL)
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
