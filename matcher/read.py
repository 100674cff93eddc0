"""Read a questionnaire export into a raw table of strings, keeping spreadsheet row numbers.

Takes a path to a CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16,
Windows-1252/Latin-1) or an ``.xlsx`` workbook (first sheet) and returns a
:class:`RawTable`: the header cells and, for each non-blank row, its spreadsheet row
number (header = row 1) and its cells as stripped strings. Nothing is interpreted
here; the loader validates. We parse CSV ourselves (``csv`` module) rather than with
pandas so that blank rows never shift the row numbers we report.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class RawTable:
    """Header cells and ``(row_number, cells)`` for every non-blank row of one file."""

    file: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str
    delimiter: str | None


def read_table(path: str | Path, encoding: str | None = None) -> RawTable:
    """Read ``path`` (CSV or XLSX) into a :class:`RawTable`, or raise :class:`InputError`."""
    path = Path(path)
    name = path.name

    def fail(problem: str, fix: str) -> InputError:
        return InputError([Problem(name, None, None, None, problem, fix)])

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found", "check the path") from None
    except IsADirectoryError:
        raise fail("is a folder, not a file", "give the CSV or XLSX file itself") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror})", "check the file's permissions") from None
    if not data.strip():
        raise fail("the file is empty", "export the questionnaire again with its header row")
    suffix = path.suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail("old Excel .xls format is not supported", "save it as .xlsx or CSV (UTF-8)")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name)
    text, used = _decode(data, name, encoding)
    return _read_csv(text, name, used)


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    def fail(problem: str, fix: str) -> InputError:
        return InputError([Problem(name, None, None, None, problem, fix)])

    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise fail(
                f"unknown encoding '{encoding}'", "use e.g. utf-8, utf-16, cp1252 or latin-1"
            ) from None
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except UnicodeDecodeError as exc:
            raise fail(
                f"cannot be read as {encoding} (byte {exc.start})",
                "leave out --encoding to detect it, or save the file as CSV UTF-8",
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise fail(
                f"not valid UTF-8 after its BOM (byte {exc.start})", "save the file as CSV UTF-8"
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise fail("not valid UTF-16", "save the file as CSV UTF-8") from None
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if len(data) >= 4 and data.count(b"\x00") * 2 >= len(data) * 0.8:
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    if b"\x00" in data or _looks_binary(data):
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


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the header line into the most fields (quotes respected)."""
    head = text[:65536]
    best, best_n = ",", 1
    for delim in DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(head), delimiter=delim), [])
        except csv.Error:
            continue
        if len(first) > best_n:
            best, best_n = delim, len(first)
    return best


def _read_csv(text: str, name: str, encoding: str) -> RawTable:
    delim = _sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False))
    except csv.Error as exc:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"the CSV cannot be parsed ({exc})",
                    "check for an unclosed quote",
                )
            ]
        ) from None
    return _table(name, records, encoding, delim)


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


def _read_xlsx(data: bytes, name: str) -> RawTable:
    import openpyxl  # lazy: only XLSX needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"not a readable .xlsx workbook ({type(exc).__name__})",
                    "open it in Excel and save it again as .xlsx or CSV",
                )
            ]
        ) from None
    try:
        sheet = book.worksheets[0]
        records = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(name, records, "xlsx", None)


def _table(name: str, records: list[list[str]], encoding: str, delim: str | None) -> RawTable:
    """Strip cells, drop blank rows (keeping row numbers) and blank trailing columns."""
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for number, record in enumerate(records, start=1):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if header is None:
            header = cells
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
    return RawTable(name, tuple(header), out, encoding, delim)
