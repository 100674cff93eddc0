"""Read a questionnaire export into a raw table of strings, keeping spreadsheet row numbers.

Takes a path to a CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16,
Windows-1252/Latin-1) or an ``.xlsx`` workbook (the first sheet, or the one asked for)
and returns a :class:`RawTable`: the header cells, the header's spreadsheet row (blank
rows, and title rows a header picker skips, above it count, as in a spreadsheet) and, for
each non-blank row below it, its spreadsheet row number and its cells as stripped,
NFC-normalised strings (:func:`canonical`). Nothing is interpreted here; the loader
validates. We parse CSV ourselves (``csv`` module) rather than with pandas so that blank
rows never shift the row numbers we report.

How the text is found:

* A byte-order mark decides the encoding, even over ``--encoding``: it is
  unambiguous, and ``--encoding`` applies to every file given, so one file's BOM must
  not make the other file unreadable. Only if the text after the BOM is not valid in
  the BOM's encoding is the forced encoding used (a file saved with a wrong BOM).
* The delimiter is the one that splits the header *and* the first data rows into
  the same number (≥ 2) of cells; ties go to the one giving more header cells, and
  semicolon or tab win over a comma that occurs only in the header's text. Blank
  lines above the header are skipped.
* A quoted cell whose quote never closes (it runs to the end of the file, or it
  swallows following lines and then "closes" on some later row's quote) is reported
  at the row where the quote opens: it is never silently merged into one cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from matcher.errors import InputError, Problem
from matcher.io.formula import unguard

DELIMITERS = (",", ";", "\t")
# Longest BOM first: the UTF-32 LE BOM starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING_FIX = "use e.g. utf-8, utf-16, cp1252 or latin-1, or leave out --encoding to detect it"
_SNIFF_ROWS = 6  # the header and the first five data rows
MAX_CELL = 32_767  # Excel's limit for the text of one cell
_CSV_LIMIT = threading.Lock()  # csv.field_size_limit is process-wide: one reader changes it at a time


@dataclass(frozen=True)
class RawTable:
    """Header cells and ``(row_number, cells)`` for every non-blank row of one file."""

    file: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str
    delimiter: str | None
    header_row: int = 1  # the header's spreadsheet row (below any blank rows)
    note: str | None = None  # what the header picker found, when it is worth saying (a title row)
    sheet: str | None = None  # the sheet read, for a workbook
    sheets: tuple[str, ...] = ()  # every sheet of a workbook, in order


@dataclass(frozen=True)
class HeaderChoice:
    """A header picker's answer: ``index`` of the header record, its ``cells`` (several
    header rows may be combined into one), the record indexes below it that are not
    people (``skip``), and a ``note`` for the run to say (or None)."""

    index: int
    cells: tuple[str, ...]
    skip: frozenset[int] = frozenset()
    note: str | None = None


def canonical(text: str) -> str:
    """A cell as the tool reads and compares it: surrounding white space dropped and Unicode
    NFC, so that an id (or a department, a place) typed with a precomposed ``é`` and one
    typed as ``e`` + combining accent are the same text, as they look the same. Every cell
    of every file goes through here; so do ids given on the command line or from Python."""
    text = text.strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def encoding_problem(encoding: str | None) -> Problem | None:
    """The problem with a forced ``--encoding`` name (unknown, or not a text encoding), if any."""
    if encoding is None:
        return None
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError, UnicodeError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        return Problem("--encoding", None, None, encoding, "is not a known text encoding", ENCODING_FIX)
    return None


def read_table(
    path: str | Path,
    encoding: str | None = None,
    pick=None,
    *,
    own: bool = False,
    sheet: str | None = None,
) -> RawTable:
    """Read ``path`` (CSV or XLSX) into a :class:`RawTable`, or raise :class:`InputError`.

    ``pick(records) -> HeaderChoice | None`` chooses the header among the stripped records
    (see :mod:`matcher.io.header`); without it, or when it returns None, the first
    non-blank row is the header. ``own``: a file in the format the tool writes (pairs,
    history, pins…): the formula guard of each cell is undone
    (:func:`matcher.io.formula.unguard`) before the cell is stripped, so every value reads
    back exactly as it was written. ``sheet``: the sheet of a workbook to read (default:
    the first; ignored for CSV). A file that cannot be opened is named as given
    (``sample_data/mentors.csv: file not found``); problems inside a file name the file alone.
    """
    path = Path(path)
    name = path.name

    def fail(problem: str, fix: str, where: str = name) -> InputError:
        return InputError([Problem(where, None, None, None, problem, fix)])

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found", "check the path", str(path)) from None
    except IsADirectoryError:
        raise fail("is a folder, not a file", "give the CSV or XLSX file itself", str(path)) from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror})", "check the file's permissions", str(path)) from None
    if not data.strip():
        raise fail("the file is empty", "export the questionnaire again with its header row")
    suffix = path.suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail("old Excel .xls format is not supported", "save it as .xlsx or CSV (UTF-8)")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name, pick, own, sheet)
    text, used = _decode(data, name, encoding)
    return _read_csv(text, name, used, pick, own)


def _line_at(data: bytes, start: int, encoding: str) -> int:
    """The 1-based text line holding byte ``start`` (for messages; never a byte offset)."""
    try:
        before = data[:start].decode(encoding, errors="replace")
    except (UnicodeError, LookupError, ValueError):  # codecs without errors="replace"
        before = data[:start].decode("latin-1")
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    def fail(problem: str, fix: str) -> InputError:
        return InputError([Problem(name, None, None, None, problem, fix)])

    bad_encoding = encoding_problem(encoding)
    if bad_encoding is not None:
        raise InputError([bad_encoding])
    for bom, bom_encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(bom_encoding).lstrip("\ufeff"), bom_encoding
            except UnicodeDecodeError as exc:
                if encoding:
                    data = data[len(bom) :]  # a BOM that lies: the forced encoding decides
                    break
                if bom_encoding == "utf-8-sig":
                    line = _line_at(data, exc.start, "utf-8-sig")
                    raise fail(
                        f"not valid UTF-8 after its BOM (around line {line})", "save the file as CSV UTF-8"
                    ) from None
                raise fail(f"not valid {bom_encoding.upper()}", "save the file as CSV UTF-8") from None
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except (UnicodeError, LookupError, ValueError) as exc:
            start = getattr(exc, "start", None)
            where = f" (around line {_line_at(data, start, encoding)})" if isinstance(start, int) else ""
            raise fail(
                f"cannot be read as {encoding}{where}",
                "leave out --encoding to detect it, or save the file as CSV UTF-8",
            ) from None
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if len(data) >= 4 and data.count(b"\x00") * 2 >= len(data) * 0.8:
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    if _looks_binary(data.replace(b"\x00", b"")) or data.count(b"\x00") > max(16, len(data) // 1000):
        raise fail(
            "is not a text or Excel file (binary content)",
            "export the questionnaire as CSV or .xlsx",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > max(2, len(sample) // 100)


def _first_rows(head: str, delim: str, truncated: bool) -> list[list[str]]:
    """The first non-blank records of ``head`` split on ``delim`` (quotes respected)."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delim, strict=False)
    try:
        for record in reader:
            # Blank whatever the delimiter: ",,," is as blank as ";;;".
            if any(c.strip().strip(",;\t ") for c in record):
                rows.append(record)
                if len(rows) == _SNIFF_ROWS:
                    return rows
    except csv.Error:
        return rows
    if truncated and len(rows) > 1:
        rows.pop()  # the head may end in the middle of this record
    return rows


def _width(record: list[str]) -> int:
    """Cells up to the last non-blank one."""
    return max((k + 1 for k, c in enumerate(record) if c.strip()), default=0)


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the header and the first data rows alike (see module doc)."""
    head = text[:65536]
    best, best_key = ",", None
    for delim in DELIMITERS:
        rows = _first_rows(head, delim, len(text) > len(head))
        if not rows:
            continue
        while rows and _width(rows[0]) <= 1:  # title rows above the header split the same way
            rows = rows[1:]
        if not rows:
            continue
        header, data = rows[0], rows[1:]
        h = len(header)
        fit = sum(1 for r in data if len(r) == h or 2 <= _width(r) <= h)
        # A comma that never splits a data row is text in the header ("I am patient, kind").
        preference = (1 if any(len(r) > 1 for r in data) else -1) if delim == "," else 0
        key = (h >= 2, fit == len(data), fit, h, preference)
        if best_key is None or key > best_key:
            best, best_key = delim, key
    return best


_UNQUOTED_END = {d: re.compile("[" + re.escape(d) + "\r\n]") for d in DELIMITERS}


def _unclosed_quote(text: str, delim: str) -> tuple[int, int] | None:
    """(record index, cell index), both from 0, of a quote that opens a cell and never closes
    (:func:`_locate_unclosed_quote`). Jumps from quote to quote (a quote opens a cell only
    right after a delimiter or line end, outside quotes) and locates one it finds wanting
    by reading the file cell by cell, as that function does."""
    ends = (delim, "\r", "\n")
    n, i = len(text), 0
    while True:
        q = text.find('"', i)
        if q < 0:
            return None
        if q > 0 and text[q - 1] not in ends:  # inside an unquoted cell: plain text
            i = q + 1
            continue
        j = q + 1
        while True:
            close = text.find('"', j)
            if close < 0:
                return _locate_unclosed_quote(text, delim)
            if text.startswith('"', close + 1):
                j = close + 2
                continue
            break
        after = close + 1
        spans_lines = "\n" in text[q:close] or "\r" in text[q:close]
        if spans_lines and after < n and text[after] not in ends:
            return _locate_unclosed_quote(text, delim)
        i = after


def _locate_unclosed_quote(text: str, delim: str) -> tuple[int, int] | None:
    """(record index, cell index), both from 0, of a quote that opens a cell and never closes.

    Follows the ``csv`` module's reading (a quote opens a cell only as its first
    character; ``""`` inside is a quote; records end at CR, LF or CRLF outside quotes).
    A quoted cell "never closes" when it runs to the end of the file, or when it spans
    lines and its closing quote is followed by more text instead of a delimiter or line
    end (it swallowed rows and stopped at a later cell's opening quote). Text after a
    closing quote within one line (``"ab"c``) is read as ``abc``, as spreadsheets do.
    """
    stop = _UNQUOTED_END[delim]
    n, i, record, cell = len(text), 0, 0, 0
    while i < n:
        if text[i] == '"':
            j = i + 1
            while True:
                q = text.find('"', j)
                if q < 0:
                    return record, cell
                if text.startswith('"', q + 1):
                    j = q + 2
                    continue
                break
            after = q + 1
            spans_lines = "\n" in text[i:q] or "\r" in text[i:q]
            if spans_lines and after < n and text[after] not in (delim, "\r", "\n"):
                return record, cell
            i = after
        m = stop.search(text, i)
        if m is None:
            break
        i = m.end()
        if m.group() == delim:
            cell += 1
        else:
            if m.group() == "\r" and text.startswith("\n", i):
                i += 1
            record, cell = record + 1, 0
    return None


def _header_label(text: str, delim: str, record: int, cell: int) -> str:
    """The header of column ``cell`` if the header row lies above ``record``, else ``#n``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    try:
        for k, rec in enumerate(reader):
            if k >= record:
                break
            if any(c.strip() for c in rec):
                head = rec[cell].strip() if cell < len(rec) else ""
                return head or f"#{cell + 1}"
    except csv.Error:
        pass
    return f"#{cell + 1}"


def _read_csv(text: str, name: str, encoding: str, pick=None, own: bool = False) -> RawTable:
    delim = _sniff_delimiter(text)
    unclosed = _unclosed_quote(text, delim)
    if unclosed is not None:
        record, cell = unclosed
        raise InputError(
            [
                Problem(
                    name,
                    record + 1,
                    _header_label(text, delim, record, cell),
                    None,
                    "an opening quote is never closed",
                    "close the quote or remove it",
                )
            ]
        )
    records: list[list[str]] = []
    # The csv module refuses cells longer than its (process-wide) limit without saying
    # which: lift it for this file, then report any cell over Excel's limit by row and column.
    with _CSV_LIMIT:
        old = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        try:
            records.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False))
        except csv.Error:
            raise InputError(
                [
                    Problem(
                        name,
                        len(records) + 1,
                        None,
                        None,
                        "this row cannot be read as CSV",
                        "check this row: the file may be damaged or not a questionnaire export",
                    )
                ]
            ) from None
        finally:
            csv.field_size_limit(old)
    return _table(name, records, encoding, delim, pick, own, nul="\x00" in text)


def _bad_cells(name: str, records: list[list[str]], nul: bool, choice: HeaderChoice | None) -> list[Problem]:
    """Every over-long or NUL-holding cell, by spreadsheet row and column (the header's
    label when the header row — ``choice``'s, else the first non-blank row — is above it,
    else ``#n``)."""
    if not nul and not any(record and len(max(record, key=len)) > MAX_CELL for record in records):
        return []
    out: list[Problem] = []
    header: list[str] | None = None
    for number, record in enumerate(records, start=1):
        for k, cell in enumerate(record):
            if "\x00" in cell:
                problem = "holds a NUL character (byte 0), which no spreadsheet writes"
                fix = "the file may be damaged: export the questionnaire again"
            elif len(cell) > MAX_CELL:
                problem = f"is longer than {MAX_CELL:,} characters (the most a spreadsheet cell holds)"
                fix = "check this row: the file may be damaged or not a questionnaire export"
            else:
                continue
            label = (header[k] if header is not None and k < len(header) else "") or f"#{k + 1}"
            out.append(Problem(name, number, label, None, problem, fix))
        if choice is not None:
            if number - 1 == choice.index:
                header = [c.replace("\x00", "") for c in choice.cells]
        elif header is None and any(c.strip() for c in record):
            header = [canonical(c.replace("\x00", "")) for c in record]
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, name: str, pick=None, own: bool = False, wanted: str | None = None) -> RawTable:
    import openpyxl  # lazy: only XLSX needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = [ws.title for ws in book.worksheets]
            title = _pick_sheet(name, sheets, wanted)
            records = [[_cell(v) for v in row] for row in book[title].iter_rows(values_only=True)]
            blank = not any(c.strip() for r in records for c in r)
            with_data = [t for t in sheets if t != title and blank and _has_data(book[t])]
        finally:
            book.close()
    except InputError:
        raise
    except Exception:  # a damaged workbook fails anywhere: zip, XML, zlib, openpyxl's own checks
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    "not a readable .xlsx workbook",
                    "open it in Excel and save it again as .xlsx or CSV",
                )
            ]
        ) from None
    if with_data:  # the data is on another sheet than the one read
        which = "the first sheet" if wanted is None else "the sheet"
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"{which} '{title}' is empty: only {which} is read, and the data is on "
                    + ", ".join(f"'{t}'" for t in with_data),
                    f"pass --sheet '{with_data[0]}' (or move the data to the first sheet)",
                )
            ]
        )
    table = _table(name, records, "xlsx", None, pick, own)
    return replace(table, sheet=title, sheets=tuple(sheets))


def _pick_sheet(name: str, sheets: list[str], wanted: str | None) -> str:
    """The sheet to read: ``wanted`` (exactly, else ignoring case and surrounding spaces) or
    the first; an unknown name is an error listing the workbook's sheets."""
    if wanted is None:
        return sheets[0]
    if wanted in sheets:
        return wanted
    loose = [t for t in sheets if t.strip().casefold() == wanted.strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    raise InputError(
        [
            Problem(
                name,
                None,
                None,
                None,
                f"has no sheet '{wanted}'",
                "pass --sheet with one of its sheets: " + ", ".join(f"'{t}'" for t in sheets),
            )
        ]
    )


def _has_data(sheet) -> bool:
    return any(v is not None and str(v).strip() for row in sheet.iter_rows(values_only=True) for v in row)


def _table(
    name: str,
    records: list[list[str]],
    encoding: str,
    delim: str | None,
    pick=None,
    own: bool = False,
    *,
    nul: bool = False,
) -> RawTable:
    """Strip cells (NFC, :func:`canonical`), find the header (``pick``, see
    :func:`read_table`), drop blank rows (keeping row numbers) and blank trailing columns.

    A cell longer than :data:`MAX_CELL` characters, or holding a NUL character (``nul``:
    the text has one), is an error naming its row and column — never a cell read on."""
    stripped = [[canonical(unguard(c)) for c in r] if own else [canonical(c) for c in r] for r in records]
    choice = pick(stripped) if pick is not None else None
    bad = _bad_cells(name, records, nul, choice)
    if bad:
        raise InputError(bad)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    header_row = 1
    for number, cells in enumerate(stripped, start=1):
        if not any(cells):
            continue
        if choice is not None:
            if number - 1 < choice.index or number - 1 in choice.skip:
                continue
            if number - 1 == choice.index:
                header, header_row = list(choice.cells), number
                continue
        elif header is None:
            header, header_row = cells, number
            continue
        rows.append((number, cells))
    if header is None:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    "the file has no header row",
                    "export it again with its header",
                )
            ]
        )
    width = max([len(header)] + [len(c) for _, c in rows])
    # Drop trailing columns that have neither a header nor any value.
    while width > 0:
        i = width - 1
        head = header[i] if i < len(header) else ""
        if head or any(i < len(c) and c[i] for _, c in rows):
            break
        width -= 1
    header = (header + [""] * width)[:width]
    out = tuple((n, tuple((c + [""] * width)[:width])) for n, c in rows)
    return RawTable(name, tuple(header), out, encoding, delim, header_row, choice.note if choice else None)
