"""Regenerate the input corpus in this folder: the files coordinators really send us.

Run ``python tests/io/corpus/make_corpus.py``; it writes the same bytes every time, and
``tests/io/test_load.py`` checks that the checked-in files still match it. It
imports nothing from the library, so a library change can never change the corpus.

Layout (every case is a folder, because messages name only the file):

* ``programme.toml`` — the config the accept cases use: ``[columns]`` maps
  "Capacity (max mentees)" and ``[likert]`` maps the answer labels to 1–5.
* ``accept/<format>/mentors.* + mentees.*`` — one small cohort (:data:`MENTORS`,
  :data:`MENTEES`: accented names, Likert labels, lists, a quoted cell holding a newline,
  commas, semicolons and quotes) saved the way each tool saves it: UTF-8 with and
  without BOM, Excel "Unicode text" (UTF-16 + BOM, tab, ``.txt``), UTF-16 without BOM
  (LE and BE), Windows-1252, Latin-1, and a "messy" hand-edited copy (stray spaces,
  blank rows, blank trailing columns and rows). Every one loads to the same people.
* ``accept/cp1252_smart_quotes`` — Windows-1252 bytes that Latin-1 reads wrongly (’ €).
* ``reject/<case>/`` — one mistake (or several, to show one pass finds them all) per
  case; the test asserts the exact message lines.
* ``bugs/<case>/`` — inputs the library once mishandled (an unclosed quote, a delimiter
  guessed from the header alone, blank rows above the header, capacities beyond 64
  bits, a BOM against ``--encoding``, "UTC+1", the mentors' file sent twice); their
  tests now pin the fix.

The ``.xlsx`` cases are built by :func:`write_xlsx` at test time (openpyxl stamps the
time into the file, so they are not checked in).
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------- the cohort

# Header variants on purpose: spaces around "ID", the mapped "Capacity (max mentees)",
# "Want  Care" (two spaces), "READY_OPEN" (upper case).
MENTOR_HEADER = [
    "  ID ", "Name", "Capacity (max mentees)", "Languages", "Mode", "Care", "Level",
    "Timezone", "Expertise", "Avoid",
]  # fmt: skip
MENTORS = [
    ["R1", "Siobhán Ó Briain", "2", "English; Irish", "In person", "Strongly agree",
     "Senior Practitioner", "Europe/Dublin", 'Trials, ethics; budgets\n"and" audits', "E3"],
    ["R2", "José Álvarez", "1", "Spanish, English", "virtual", "4", "master", "Europe/Madrid", "", ""],
    ["R10", "Björn Åström", "0", "English", "either", "agree", "practitioner", "europe/stockholm",
     "Data", ""],
]  # fmt: skip
MENTEE_HEADER = [
    "id", "Name", "Want  Care", "READY_OPEN", "Languages", "Mode", "Timezone", "Goals", "Avoid",
]  # fmt: skip
MENTEES = [
    ["E1", "Zoë Müller", "5", "Neutral", "German;English", "either", "Europe/Berlin",
     "Publish, then\nlead; a team", "R2"],
    ["E2", "Chloé Dubois", "3", "4", "French", "in-person", "Europe/Paris", "", ""],
    ["E3", "Seán Ó Súilleabháin", "2", "disagree", "English", "virtual", "Europe/Dublin", "Grow", ""],
]  # fmt: skip

PROGRAMME_TOML = """\
# Config for the accept cases of the input corpus.
[columns]
"Capacity (max mentees)" = "capacity"

[likert]
"Strongly disagree" = 1
"Disagree" = 2
"Neutral" = 3
"Agree" = 4
"Strongly agree" = 5
"""


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
    return buf.getvalue()


def messy_text(header: list[str], rows: list[list[str]]) -> str:
    """A hand-edited copy: spaces around values and headers, blank rows, blank trailing columns."""

    def pad(cells: list[str]) -> list[str]:
        return [f" {c}  " if c and "\n" not in c else c for c in cells] + ["", " ", ""]

    lines = [pad(header), pad(rows[0]), [""] * 4, pad(rows[1]), [" "] * 3, pad(rows[2]), [], ["", ""]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    return buf.getvalue() + "\r\n\r\n"


# The spreadsheet row of each person in every accept file except "messy" (header = 1).
# Row 2 spans two text lines (a quoted newline) but is one spreadsheet row.
ROWS = {"R1": 2, "R2": 3, "R10": 4, "E1": 2, "E2": 3, "E3": 4}
MESSY_ROWS = {"R1": 2, "R2": 4, "R10": 6, "E1": 2, "E2": 4, "E3": 6}

# format -> (file suffix, encoding for Python's str.encode, delimiter, line end)
FORMATS = {
    "utf8_comma_lf": (".csv", "utf-8", ",", "\n"),
    "utf8_bom_semicolon_crlf": (".csv", "utf-8-sig", ";", "\r\n"),  # Excel "CSV UTF-8", EU locale
    "utf16_bom_tab": (".txt", "utf-16", "\t", "\r\n"),  # Excel "Unicode text"
    "utf16le_nobom_tab": (".txt", "utf-16-le", "\t", "\r\n"),
    "utf16be_nobom_comma": (".csv", "utf-16-be", ",", "\r\n"),
    "cp1252_comma_crlf": (".csv", "cp1252", ",", "\r\n"),  # Excel "CSV (comma delimited)"
    "latin1_semicolon": (".csv", "latin-1", ";", "\n"),
}


def accept_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {"programme.toml": PROGRAMME_TOML.encode()}
    for fmt, (suffix, encoding, delim, newline) in FORMATS.items():
        for side, header, rows in (("mentors", MENTOR_HEADER, MENTORS), ("mentees", MENTEE_HEADER, MENTEES)):
            text = csv_text(header, rows, delim, newline)
            # "utf-16": little-endian with its BOM on every platform, as Excel writes it.
            files[f"accept/{fmt}/{side}{suffix}"] = (
                b"\xff\xfe" + text.encode("utf-16-le") if encoding == "utf-16" else text.encode(encoding)
            )
    for side, header, rows in (("mentors", MENTOR_HEADER, MENTORS), ("mentees", MENTEE_HEADER, MENTEES)):
        files[f"accept/messy/{side}.csv"] = messy_text(header, rows).encode("utf-8")
    # Bytes 0x92 (’) and 0x80 (€) mean something only in Windows-1252.
    files["accept/cp1252_smart_quotes/mentors.csv"] = (
        "id,name,capacity,expertise\r\nR1,Aoife O’Neill,1,Budgets over €1m – and “audits”\r\n"
    ).encode("cp1252")
    files["accept/cp1252_smart_quotes/mentees.csv"] = "id,name\r\nE1,Siobhán Ó Briain\r\n".encode("cp1252")
    return files


# --------------------------------------------------------------------------- rejects

GOOD_MENTEES = "id,name,want_care\nE1,Ann,3\nE2,Bea,4\n"
GOOD_MENTORS = "id,name,capacity\nR1,Cat,1\nR2,Dan,2\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def reject_files() -> dict[str, bytes]:
    f: dict[str, str | bytes] = {}
    # An HR export saved as Excel "CSV UTF-8" (BOM, ;, CRLF) used without its [columns] map.
    f["reject/missing_columns/mentors.csv"] = "\ufeff" + csv_text(
        ["Employee ID", "Full name", "Capacity (max mentees)", "I am patient, empathetic and attentive"],
        [["R1", "Ann Lee", "2", "4"]],
        ";",
        "\r\n",
    )
    f["reject/missing_columns/mentees.csv"] = GOOD_MENTEES
    # The same id twice; a blank row and a two-line cell sit in between, so the
    # spreadsheet rows (3 and 6) differ from the text line numbers (3 and 8).
    f["reject/duplicate_id/mentors.csv"] = GOOD_MENTORS
    f["reject/duplicate_id/mentees.csv"] = (
        'id,name,goals\r\nE1,Ann,\r\nE2,Bea,"Lead,\r\nthen publish"\r\n\r\nE3,Cy,"a\r\nb"\r\nE2,Bo,\r\nE3,Cyd,\r\n'
    )
    # Many mistakes in both files: all reported in one pass, in file then row order.
    f["reject/bad_values/mentors.csv"] = csv_text(
        ["id", "name", "capacity", "seniority", "care", "challenge", "mode", "level", "timezone"],
        [
            ["R1", "Ann", "two", "7", "5", "4", "virtual", "senior", "Europe/London"],
            ["R2", "Bea", "-1", "senior", "6", "3.5", "zoom", "expert", "Europe/Londn"],
            ["", "Cy", "", "3", "Somewhat agree", "0", "In person", "Master", "London"],
        ],
    )
    f["reject/bad_values/mentees.csv"] = csv_text(
        ["id", "name", "want_care", "ready_open", "mode"],
        [["E1", "Dee", "Agree", "5", "either"], ["E2", "Eve", "Agre", "often", "online"]],
    )
    # Empty and blank files, both sides at once; then a sheet of empty (formatted) cells.
    f["reject/empty/mentors.csv"] = b""
    f["reject/empty/mentees.csv"] = b"\r\n \r\n\r\n"
    f["reject/blank_cells/mentors.csv"] = ",,,\r\n , ,,\r\n,,,\r\n"
    f["reject/blank_cells/mentees.csv"] = GOOD_MENTEES
    f["reject/header_only/mentors.csv"] = GOOD_MENTORS
    f["reject/header_only/mentees.csv"] = "\ufeffid;name;want_care\r\n;;\r\n"
    # Not a questionnaire: a PNG renamed .csv and an old .xls; an .ods renamed .xlsx.
    f["reject/binary/mentors.csv"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(64))
    f["reject/binary/mentees.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56
    f["reject/not_xlsx/mentors.xlsx"] = _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"}
    )
    f["reject/not_xlsx/mentees.csv"] = GOOD_MENTEES
    # Unreadable text: a UTF-8 BOM followed by a Windows-1252 byte; UTF-16 cut mid-character.
    f["reject/bad_encoding/mentors.csv"] = b"\xef\xbb\xbfid,name,capacity\r\nR1,Ren\xe9e,1\r\n"
    f["reject/bad_encoding/mentees.txt"] = b"\xff\xfe" + "id\tname\r\nE1\tAnn\r\n".encode("utf-16-le")[:-1]
    # The two files passed the wrong way round.
    f["reject/swapped/mentors.csv"] = csv_text(
        ["id", "name", "want_care", "ready_open", "goals"], [["E1", "Ann", "3", "4", "Publish"]]
    )
    f["reject/swapped/mentees.csv"] = csv_text(
        ["id", "name", "capacity", "care", "expertise"], [["R1", "Bea", "2", "4", "Trials"]]
    )
    # The header row was deleted: the first row is a person.
    f["reject/no_header/mentors.csv"] = "R1,Ann Lee,ann@example.org,2\nR2,Bea Ng,bea@example.org,1\n"
    f["reject/no_header/mentees.csv"] = GOOD_MENTEES
    # A column with answers but no header, and two columns that both mean "capacity".
    f["reject/headers/mentors.csv"] = csv_text(
        ["id", "capacity", "", "Capacity "], [["R1", "1", "yes", "2"], ["R2", "1", "", "1"]]
    )
    f["reject/headers/mentees.csv"] = GOOD_MENTEES
    # Avoid lists naming nobody: a warning, an error with --strict.
    f["reject/avoid_unknown/mentors.csv"] = csv_text(
        ["id", "capacity", "avoid"], [["R1", "1", "E1; E9"], ["R2", "1", ""]]
    )
    f["reject/avoid_unknown/mentees.csv"] = csv_text(["id", "avoid", "manager_id"], [["E1", "R7", "R1"]])
    # A config with typos in section, key, value and column names.
    f["reject/config_typos/mentors.csv"] = GOOD_MENTORS
    f["reject/config_typos/mentees.csv"] = GOOD_MENTEES
    f["reject/config_typos/programme.toml"] = (
        "[rule]\nmin_score = 10\n\n"
        "[rules]\nmax_timezone_gap_hour = 4\nseniority = 'mentor-senior'\n\n"
        "[weights]\ncare = 'high'\n\n"
        '[columns]\n"Capacity (max mentees)" = "capacty"\n\n'
        '[likert]\n"Strongly agree" = 6\n'
    )
    f["reject/config_syntax/programme.toml"] = '[likert]\n"Agree" = 4\n"Agree" = 5\n'
    return {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in f.items()}


# --------------------------------------------------------------------------- bugs since fixed


def bug_files() -> dict[str, bytes]:
    f: dict[str, str] = {"bugs/good/mentors.csv": GOOD_MENTORS, "bugs/good/mentees.csv": GOOD_MENTEES}
    # An unclosed quote in the last column swallows every later row without a word.
    f["bugs/unclosed_quote/mentees.csv"] = 'id,want_care,goals\nE1,3,"I want to\nE2,4,learn\nE3,5,more\n'
    # Semicolon-delimited, but the question headers hold more commas than semicolons.
    f["bugs/commas_in_headers/mentors.csv"] = (
        "Employee ID;Capacity;I ask challenging, powerful, probing questions;"
        "I am patient, empathetic, and attentive\r\nR1;2;4;5\r\nR2;1;3;4\r\n"
    )
    f["bugs/commas_in_headers/programme.toml"] = (
        '[columns]\n"Employee ID" = "id"\n'
        '"I ask challenging, powerful, probing questions" = "challenge"\n'
        '"I am patient, empathetic, and attentive" = "care"\n'
    )
    # Two blank rows above the header: the header is spreadsheet row 3 ...
    f["bugs/leading_blank_rows/mentors.csv"] = "\r\n\r\nid,name\r\nR1,Ann\r\n"
    # ... and the delimiter is guessed from the first (blank) line.
    f["bugs/leading_blank_rows_semicolon/mentors.csv"] = "\r\n\r\nid;capacity\r\nR1;2\r\n"
    # Numbers beyond 64 bits in capacity: a pasted account number, and 2**63 - 1.
    f["bugs/huge_capacity/mentors.csv"] = "id,capacity\nR1,12345678901234567890\n"
    f["bugs/int64_max_capacity/mentors.csv"] = "id,capacity\nR1,9223372036854775807\n"
    # "UTC+1" / "GMT+1" (meaning Paris time) are suggested zones an hour away.
    f["bugs/utc_offsets/mentors.csv"] = "id,capacity,timezone\nR1,1,UTC+1\nR2,1,GMT+1\n"
    # Excel "CSV UTF-8" read with --encoding cp1252 (every byte is valid cp1252 here).
    f["bugs/bom_forced_cp1252/mentors.csv"] = "\ufeffid;name;capacity\r\nR1;Siobhán;1\r\n"
    f["bugs/bom_forced_cp1252/mentees.csv"] = "\ufeffid;name\r\nE1;Zoë\r\n"
    # The mentors' file sent twice (a copy under the mentees' name).
    f["bugs/mentors_twice/mentors.csv"] = (
        "id,name,capacity,care,expertise\nR1,Cat,1,4,Trials\nR2,Dan,2,5,Data\n"
    )
    f["bugs/mentors_twice/mentees.csv"] = f["bugs/mentors_twice/mentors.csv"]
    return {k: v.encode("utf-8") for k, v in f.items()}


def all_files() -> dict[str, bytes]:
    return {**accept_files(), **reject_files(), **bug_files()}


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write an .xlsx with one worksheet per entry (first = first sheet); ``None`` = empty cell."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def main(out: Path = HERE) -> list[Path]:
    paths = []
    for rel, data in all_files().items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p.relative_to(HERE) if p.is_relative_to(HERE) else p)
