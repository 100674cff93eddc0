"""Real exports, real mistakes: the input corpus in ``tests/io/corpus`` through the loader and the CLI.

Every accept file must load to exactly the people written into it (ids, accented
names, Likert labels, lists, a cell holding a newline and delimiters), whatever tool
saved it. Every reject file must fail with exit code 1 and the exact ``Error:`` lines
a coordinator acts on (file, spreadsheet row with the header as row 1, column, value,
what is wrong, how to fix it), with nothing written. ``tests/io/corpus/make_corpus.py``
regenerates the corpus; the ``.xlsx`` cases are built here with openpyxl. Inputs the
library once mishandled (``corpus/bugs``) are regression tests asserting the exact
message that replaced the bug.

Last, hypothesis feeds mutated CSVs (bytes inserted, replaced or cut, rows cut short,
columns swapped, duplicated or dropped, cells replaced by random text, random
encodings and delimiters) to ``matcher.api.load`` and to ``mentor-match validate``:
they load or fail with the tool's own ``InputError`` / ``Error:`` exit 1, never a traceback.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import cli
from matcher.api import load
from matcher.errors import InputError, Problem
from matcher.io.cohort import Cohort
from matcher.io.read import read_table
from tests.conftest import PastCoverage

CORPUS = Path(__file__).resolve().parent / "corpus"
CONFIG = CORPUS / "programme.toml"
ACCEPT, REJECT, BUGS = CORPUS / "accept", CORPUS / "reject", CORPUS / "bugs"

_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="mentor-match")
    # Only deliberate exits: never an uncaught exception with a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return PastCoverage(result)


def pair(folder: Path) -> tuple[Path, Path]:
    return next(folder.glob("mentors.*")), next(folder.glob("mentees.*"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def load_error(*args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        load(*args, **kwargs)
    return info.value


# --------------------------------------------------------------------------- the corpus itself


def test_corpus_is_exactly_what_its_generator_writes():
    expected = gen.all_files()
    on_disk = {
        str(p.relative_to(CORPUS)): p.read_bytes()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "make_corpus.py" and "__pycache__" not in p.parts
    }
    assert sorted(on_disk) == sorted(expected)
    for rel, data in expected.items():
        assert on_disk[rel] == data, f"{rel} differs: run python tests/io/corpus/make_corpus.py"


def test_corpus_files_are_small():
    sizes = {str(p.relative_to(CORPUS)): p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()}
    assert all(size < 4096 for rel, size in sizes.items() if rel != "make_corpus.py"), sizes


# --------------------------------------------------------------------------- accept: every format, same people

MENTORS = {
    "R1": {
        "name": "Siobhán Ó Briain",
        "capacity": 2,
        "languages": ("english", "irish"),
        "mode": "in_person",
        "care": 5.0,  # "Strongly agree" via [likert]
        "level": "senior",  # "Senior Practitioner"
        "timezone": "Europe/Dublin",
        "expertise": 'Trials, ethics; budgets\n"and" audits',
        "avoid": ("E3",),
    },
    "R2": {
        "name": "José Álvarez",
        "capacity": 1,
        "languages": ("spanish", "english"),
        "mode": "virtual",
        "care": 4.0,
        "level": "master",
        "timezone": "Europe/Madrid",
        "expertise": "",
        "avoid": (),
    },
    "R10": {
        "name": "Björn Åström",
        "capacity": 0,
        "languages": ("english",),
        "mode": "either",
        "care": 4.0,  # "agree", lower case
        "level": "practitioner",
        "timezone": "Europe/Stockholm",  # written "europe/stockholm"
        "expertise": "Data",
        "avoid": (),
    },
}
MENTEES = {
    "E1": {
        "name": "Zoë Müller",
        "want_care": 5.0,  # header "Want  Care"
        "ready_open": 3.0,  # "Neutral", header "READY_OPEN"
        "languages": ("german", "english"),
        "mode": "either",
        "timezone": "Europe/Berlin",
        "goals": "Publish, then\nlead; a team",
        "avoid": ("R2",),
    },
    "E2": {
        "name": "Chloé Dubois",
        "want_care": 3.0,
        "ready_open": 4.0,
        "languages": ("french",),
        "mode": "in_person",  # "in-person"
        "timezone": "Europe/Paris",
        "goals": "",
        "avoid": (),
    },
    "E3": {
        "name": "Seán Ó Súilleabháin",
        "want_care": 2.0,
        "ready_open": 2.0,  # "disagree"
        "languages": ("english",),
        "mode": "virtual",
        "timezone": "Europe/Dublin",
        "goals": "Grow",
        "avoid": (),
    },
}
MENTOR_COLUMNS = {
    "id",
    "name",
    "capacity",
    "languages",
    "mode",
    "care",
    "level",
    "timezone",
    "expertise",
    "avoid",
}
MENTEE_COLUMNS = {"id", "name", "want_care", "ready_open", "languages", "mode", "timezone", "goals", "avoid"}

# format folder -> (encoding the reader reports, delimiter it sniffs)
FORMATS = {
    "utf8_comma_lf": ("utf-8", ","),
    "utf8_bom_semicolon_crlf": ("utf-8-sig", ";"),
    "utf16_bom_tab": ("utf-16", "\t"),
    "utf16le_nobom_tab": ("utf-16-le", "\t"),
    "utf16be_nobom_comma": ("utf-16-be", ","),
    "cp1252_comma_crlf": ("cp1252", ","),
    "latin1_semicolon": ("cp1252", ";"),  # Latin-1 letters are the same bytes in cp1252
    "messy": ("utf-8", ","),
}


def assert_the_corpus_cohort(cohort: Cohort, rows: dict[str, int]) -> None:
    assert list(cohort.mentor_ids) == ["R1", "R2", "R10"]  # natural order, not R1, R10, R2
    assert list(cohort.mentee_ids) == ["E1", "E2", "E3"]
    for table, expected in ((cohort.mentors, MENTORS), (cohort.mentees, MENTEES)):
        for record in table.to_dict("records"):
            pid = record["id"]
            got = {k: record[k] for k in expected[pid]}
            assert got == expected[pid], pid
            assert record["_row"] == rows[pid], pid
    assert list(cohort.capacity) == [2, 1, 0]
    assert cohort.mentor_columns == MENTOR_COLUMNS
    assert cohort.mentee_columns == MENTEE_COLUMNS
    assert cohort.warnings == ()
    assert cohort.ignored_columns == ()


def test_accept_formats_cover_every_generated_format():
    assert set(FORMATS) == {*gen.FORMATS, "messy"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_accept_format_loads_every_value(fmt):
    cohort, config = load(*pair(ACCEPT / fmt), CONFIG)
    assert_the_corpus_cohort(cohort, gen.MESSY_ROWS if fmt == "messy" else gen.ROWS)
    assert config.likert["strongly agree"] == 5


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_accept_format_encoding_and_delimiter_are_detected(fmt):
    mentors, mentees = pair(ACCEPT / fmt)
    for path in (mentors, mentees):
        raw = read_table(path)
        assert (raw.encoding, raw.delimiter) == FORMATS[fmt]
    header = read_table(mentors).headers
    # Headers are kept as written (stripped); blank trailing columns are dropped.
    assert header == tuple(h.strip() for h in gen.MENTOR_HEADER)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_validate_accepts_format(fmt):
    mentors, mentees = pair(ACCEPT / fmt)
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 3 mentors and 3 mentees, no ")


@pytest.mark.parametrize(
    ("fmt", "encoding"),
    [
        ("cp1252_comma_crlf", "cp1252"),
        ("cp1252_comma_crlf", "windows-1252"),
        ("latin1_semicolon", "latin-1"),
        ("utf16_bom_tab", "utf-16"),
        ("utf16le_nobom_tab", "utf-16-le"),
        ("utf16be_nobom_comma", "utf-16-be"),
        ("utf8_bom_semicolon_crlf", "utf-8"),
        ("utf8_bom_semicolon_crlf", "utf-8-sig"),
        ("utf8_comma_lf", "utf-8"),
    ],
)
def test_forced_encoding_reads_the_same_people(fmt, encoding):
    cohort, _ = load(*pair(ACCEPT / fmt), CONFIG, encoding=encoding)
    assert_the_corpus_cohort(cohort, gen.ROWS)
    mentors, mentees = pair(ACCEPT / fmt)
    result = invoke(
        "validate", "--mentors", mentors, "--mentees", mentees, "--config", CONFIG, "--encoding", encoding
    )
    assert result.output.startswith("OK: 3 mentors and 3 mentees, no ")


def test_cp1252_only_characters_are_read_as_cp1252_not_latin1():
    mentors, mentees = pair(ACCEPT / "cp1252_smart_quotes")
    for encoding in (None, "cp1252"):
        cohort, _ = load(mentors, mentees, encoding=encoding)
        assert cohort.mentors["name"].tolist() == ["Aoife O’Neill"]
        assert cohort.mentors["expertise"].tolist() == ["Budgets over €1m – and “audits”"]
        assert cohort.mentees["name"].tolist() == ["Siobhán Ó Briain"]
    assert read_table(mentors).encoding == "cp1252"


def test_wrong_forced_encoding_is_an_input_error():
    mentors, mentees = pair(ACCEPT / "cp1252_comma_crlf")
    result = invoke(
        "validate", "--mentors", mentors, "--mentees", mentees, "--config", CONFIG, "--encoding", "utf-8"
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 2 problems in the input:",
        # A line a text editor shows, never a byte offset.
        "  mentors.csv: cannot be read as utf-8 (around line 2)"
        " — leave out --encoding to detect it, or save the file as CSV UTF-8",
        "  mentees.csv: cannot be read as utf-8 (around line 2)"
        " — leave out --encoding to detect it, or save the file as CSV UTF-8",
    ]


def test_common_likert_labels_need_no_config_but_mapped_headers_do():
    mentors, mentees = pair(ACCEPT / "utf16_bom_tab")
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    # "Strongly agree", "agree", "Neutral", "disagree" are understood by default now.
    assert result.output.splitlines() == [
        "Error: 1 problem in the input:",
        "  mentors.txt, row 1: no column 'capacity' — did you mean 'Capacity (max mentees)'? map it in [columns]",
    ]


# --------------------------------------------------------------------------- accept: xlsx


def _xlsx_people(header, rows, numeric_columns):
    """Rows for a worksheet: a blank row after the header and between people, trailing blanks.

    In ``numeric_columns`` the first person's value stays text ("numbers stored as text",
    as Forms exports write them) and the others become real numbers (int, then float).
    """
    out = [list(header), []]
    for k, row in enumerate(rows):
        cells: list = []
        for name, value in zip(header, row, strict=True):
            if name in numeric_columns and k > 0 and value.strip().isdigit():
                cells.append(int(value) if k == 1 else float(value))
            else:
                cells.append(value or None)
        out += [[*cells, None, ""], []]
    return [*out, [None, None], [""]]


def write_corpus_xlsx(folder: Path) -> tuple[Path, Path]:
    notes = [["id", "capacity"], ["R99", "5"]]  # a second sheet: never read
    mentors = gen.write_xlsx(
        folder / "mentors.xlsx",
        {
            "Form1": _xlsx_people(gen.MENTOR_HEADER, gen.MENTORS, {"Capacity (max mentees)", "Care"}),
            "Notes": notes,
        },
    )
    mentees = gen.write_xlsx(
        folder / "mentees.xlsx",
        {"Form1": _xlsx_people(gen.MENTEE_HEADER, gen.MENTEES, {"Want  Care", "READY_OPEN"}), "Notes": notes},
    )
    return mentors, mentees


def test_xlsx_first_sheet_with_blank_rows_and_numbers_as_text_loads(tmp_path):
    mentors, mentees = write_corpus_xlsx(tmp_path)
    cohort, _ = load(mentors, mentees, CONFIG)
    assert_the_corpus_cohort(cohort, {"R1": 3, "R2": 5, "R10": 7, "E1": 3, "E2": 5, "E3": 7})
    assert read_table(mentors).encoding == "xlsx"
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--config", CONFIG)
    assert result.output.startswith("OK: 3 mentors and 3 mentees, no ")


def test_xlsx_numeric_ids_match_avoid_lists_typed_as_text(tmp_path):
    mentors = gen.write_xlsx(
        tmp_path / "mentors.xlsx",
        {"Sheet1": [["Employee ID", "Capacity", "Avoid"], [1001, 2, "2002"], [1002.0, "1", None]]},
    )
    mentees = gen.write_xlsx(
        tmp_path / "mentees.xlsx", {"Sheet1": [["Employee ID", "Avoid"], [2001, "1001; 1002"], [2002, None]]}
    )
    config = tmp_path / "programme.toml"
    config.write_text('[columns]\n"Employee ID" = "id"\n', encoding="utf-8")
    cohort, _ = load(mentors, mentees, config)
    assert cohort.warnings == ()  # no id that matches no one: --strict would find none
    assert list(cohort.mentor_ids) == ["1001", "1002"]
    assert list(cohort.capacity) == [2, 1]
    assert cohort.mentors["avoid"].tolist() == [("2002",), ()]
    assert cohort.mentees["avoid"].tolist() == [("1001", "1002"), ()]


def test_xlsx_problems_name_the_spreadsheet_rows(tmp_path):
    mentors = gen.write_xlsx(
        tmp_path / "mentors.xlsx",
        {
            "Sheet1": [
                ["ID", "Capacity", "Care", "Seniority", "Level"],
                [],
                ["R1", 2.5, 4, "3", "senior"],
                [None],
                ["R2", "1", 3.5, 7.0, True],
                ["R1", 1, "Mostly yes", "7", "master"],
            ]
        },
    )
    mentees = gen.write_xlsx(tmp_path / "mentees.xlsx", {"Sheet1": [["id", "want_care"], ["E1", 6]]})
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 6 problems in the input:",
        "  mentors.xlsx, row 3, column 'capacity', value '2.5': is not a whole number"
        " — write a whole number, e.g. 2",
        "  mentors.xlsx, row 5, column 'care', value '3.5': is not a whole number 1–5"
        " — use a whole number from 1 (low) to 5 (high)",
        "  mentors.xlsx, row 5, column 'level', value 'TRUE': is not an EMCC level"
        " — use one of: foundation, practitioner, senior, master, or add it under [values.level] in the config",
        # Within a row, left to right: the id column comes before care.
        "  mentors.xlsx, row 6, column 'id', value 'R1': duplicate id (also row 3) — give each person a unique id",
        "  mentors.xlsx, row 6, column 'care', value 'Mostly yes': is not a known answer (nearest known: 'mostly agree')"
        ' — add it under [likert] in the config, with its number 1–5 (e.g. "Agree a little" = 4)',
        "  mentees.xlsx, row 2, column 'want_care', value '6': is outside the scale 1–5"
        " — use a whole number from 1 (low) to 5 (high)",
    ]


@pytest.mark.parametrize(
    ("sheets", "line"),
    [
        (
            {"Sheet1": [["id", "capacity"], [None, None]]},
            "  mentors.xlsx: the file has a header but no people — add one row per person",
        ),
        (
            {"Empty": [], "Data": [["id", "capacity"], ["R1", 1]]},
            # Issue 14: the message names the sheet that holds the data and --sheet.
            "  mentors.xlsx: the first sheet 'Empty' is empty: only the first sheet is read, and the data is on"
            " 'Data' — pass --sheet 'Data' (or move the data to the first sheet)",
        ),
    ],
    ids=["header-only", "first-sheet-empty"],
)
def test_xlsx_without_people_is_rejected(tmp_path, sheets, line):
    mentors = gen.write_xlsx(tmp_path / "mentors.xlsx", sheets)
    result = invoke("validate", "--mentors", mentors, "--mentees", BUGS / "good" / "mentees.csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == ["Error: 1 problem in the input:", line]


# --------------------------------------------------------------------------- reject: exact messages

HEAD1 = "Error: 1 problem in the input:"
LIKERT_FIX = "use a whole number from 1 (low) to 5 (high)"

REJECTS = [
    pytest.param(
        "missing_columns",
        None,
        [
            "Error: 2 problems in the input:",
            "  mentors.csv, row 1: no column 'id' — did you mean 'Employee ID'? map it in [columns]",
            "  mentors.csv, row 1: no column 'capacity' — did you mean 'Capacity (max mentees)'? map it in [columns]",
        ],
        id="missing-columns-suggest-the-export-header",
    ),
    pytest.param(
        "duplicate_id",
        None,
        [
            "Error: 2 problems in the input:",
            # Spreadsheet rows: a two-line cell is one row, a blank row still counts.
            "  mentees.csv, row 6, column 'id', value 'E2': duplicate id (also row 3) — give each person a unique id",
            "  mentees.csv, row 7, column 'id', value 'E3': duplicate id (also row 5) — give each person a unique id",
        ],
        id="duplicate-ids-name-both-rows",
    ),
    pytest.param(
        "bad_values",
        CONFIG,
        [
            # File by file, row by row, and within a row in the file's column order
            # (id, name, capacity, seniority, care, challenge, mode, level, timezone).
            # "Somewhat agree", "London", "often" and "online" are everyday answers, understood.
            "Error: 12 problems in the input:",
            "  mentors.csv, row 2, column 'capacity', value 'two': is not a whole number"
            " — write a whole number, e.g. 2",
            "  mentors.csv, row 3, column 'capacity', value '-1': capacity cannot be negative"
            " — write 0 if this mentor takes no mentees this round",
            "  mentors.csv, row 3, column 'seniority', value 'senior': is not a whole number"
            " — write a whole number, or list the grades in order in the config:"
            ' [values] seniority = ["Band 5", "Band 6"]',
            f"  mentors.csv, row 3, column 'care', value '6': is outside the scale 1–5 — {LIKERT_FIX}",
            f"  mentors.csv, row 3, column 'challenge', value '3.5': is not a whole number 1–5 — {LIKERT_FIX}",
            "  mentors.csv, row 3, column 'mode', value 'zoom': is not a known meeting mode"
            " — use one of: in_person, virtual, either, or add it under [values.mode] in the config"
            ' (e.g. "Teams call" = "virtual")',
            "  mentors.csv, row 3, column 'level', value 'expert': is not an EMCC level"
            " — use one of: foundation, practitioner, senior, master, or add it under [values.level] in the config",
            "  mentors.csv, row 3, column 'timezone', value 'Europe/Londn': is not a known time zone"
            " — did you mean 'Europe/London'?",
            "  mentors.csv, row 4, column 'id', value '': the id is blank"
            " — give every person an id, unique in this file",
            "  mentors.csv, row 4, column 'capacity', value '': capacity is blank"
            " — write how many mentees this mentor takes (0 or more)",
            f"  mentors.csv, row 4, column 'challenge', value '0': is outside the scale 1–5 — {LIKERT_FIX}",
            "  mentees.csv, row 3, column 'want_care', value 'Agre': is not a known answer (nearest known: 'agree')"
            ' — add it under [likert] in the config, with its number 1–5 (e.g. "Agree a little" = 4)',
        ],
        id="every-bad-value-in-both-files-in-one-pass",
    ),
    pytest.param(
        "empty",
        None,
        [
            "Error: 2 problems in the input:",
            "  mentors.csv: the file is empty — export the questionnaire again with its header row",
            "  mentees.csv: the file is empty — export the questionnaire again with its header row",
        ],
        id="empty-and-whitespace-only",
    ),
    pytest.param(
        "blank_cells",
        None,
        [HEAD1, "  mentors.csv: the file has no header row — export it again with its header"],
        id="only-blank-cells",
    ),
    pytest.param(
        "header_only",
        None,
        [HEAD1, "  mentees.csv: the file has a header but no people — add one row per person"],
        id="header-only",
    ),
    pytest.param(
        "binary",
        None,
        [
            "Error: 2 problems in the input:",
            "  mentors.csv: is not a text or Excel file (binary content) — export the questionnaire as CSV or .xlsx",
            "  mentees.xls: old Excel .xls format is not supported — save it as .xlsx or CSV (UTF-8)",
        ],
        id="png-and-old-xls",
    ),
    pytest.param(
        "not_xlsx",
        None,
        [
            HEAD1,
            # No Python exception names in messages.
            "  mentors.xlsx: not a readable .xlsx workbook — open it in Excel and save it again as .xlsx or CSV",
        ],
        id="ods-renamed-xlsx",
    ),
    pytest.param(
        "bad_encoding",
        None,
        [
            "Error: 2 problems in the input:",
            "  mentors.csv: not valid UTF-8 after its BOM (around line 2) — save the file as CSV UTF-8",
            "  mentees.txt: not valid UTF-16 — save the file as CSV UTF-8",
        ],
        id="bom-then-cp1252-and-cut-utf16",
    ),
    pytest.param(
        "swapped",
        None,
        [
            HEAD1,
            "  mentors.csv: the two files look swapped: 'mentors.csv' has mentee columns and"
            " 'mentees.csv' has mentor columns"
            " — pass the mentors' file to --mentors and the mentees' file to --mentees",
        ],
        id="files-swapped",
    ),
    pytest.param(
        "no_header",
        None,
        [
            "Error: 2 problems in the input:",
            "  mentors.csv, row 1: no column 'id'"
            " — the first row looks like data, not headers — add the header row at the top",
            "  mentors.csv, row 1: no column 'capacity'"
            " — the first row looks like data, not headers — add the header row at the top",
        ],
        id="header-row-deleted",
    ),
    pytest.param(
        "headers",
        None,
        [
            "Error: 2 problems in the input:",
            "  mentors.csv, row 1, column '#3': this column has values but no header"
            " — give the column a header or delete it",
            "  mentors.csv, row 1, column 'Capacity': a second column for 'capacity' (the first is 'capacity')"
            " — delete or rename one of them",
        ],
        id="unheaded-and-duplicate-columns",
    ),
    pytest.param(
        "config_typos",
        REJECT / "config_typos" / "programme.toml",
        [
            "Error: 6 problems in the input:",
            "  programme.toml, key 'rule': unknown section — did you mean 'rules'?",
            "  programme.toml, key 'weights.care', value 'high': has the wrong type (expected a number)"
            " — e.g. care = 1.0",
            "  programme.toml, key 'rules.max_timezone_gap_hour': unknown key"
            " — did you mean 'max_timezone_gap_hours'?",
            "  programme.toml, key 'rules.seniority', value 'mentor-senior': is not an allowed value"
            " — use one of: mentor_senior, any, mentee_senior",
            "  programme.toml, key 'columns.Capacity (max mentees)', value 'capacty': is not a questionnaire column"
            " — did you mean 'capacity'?",
            "  programme.toml, key 'likert.Strongly agree', value '6': must map to a whole number 1–5"
            ' — e.g. "Strongly agree" = 5',
        ],
        id="config-typos-suggest-the-nearest-key",
    ),
    pytest.param(
        "config_typos",
        REJECT / "config_syntax" / "programme.toml",
        [
            HEAD1,
            "  programme.toml: not valid TOML (Cannot overwrite a value (at line 3, column 12))"
            " — fix the syntax; see sample_data/programme.toml",
        ],
        id="config-duplicate-key",
    ),
]


def _reject_args(case: str, config: Path | None) -> list:
    mentors, mentees = pair(REJECT / case)
    return ["--mentors", mentors, "--mentees", mentees, *(["--config", config] if config else [])]


@pytest.mark.parametrize(("case", "config", "lines"), REJECTS)
def test_reject_validate_exact_message(case, config, lines):
    result = invoke("validate", *_reject_args(case, config))
    assert result.exit_code == 1
    assert result.output.splitlines() == lines


@pytest.mark.parametrize(("case", "config", "lines"), REJECTS)
def test_reject_api_raises_input_error_with_the_same_lines(case, config, lines):
    error = load_error(*pair(REJECT / case), config)
    assert f"Error: {error}".splitlines() == lines
    assert all(isinstance(p, Problem) for p in error.problems)


@pytest.mark.parametrize(("case", "config", "lines"), REJECTS)
def test_reject_match_and_scores_write_nothing(tmp_path, case, config, lines):
    work = tmp_path / "in"
    shutil.copytree(REJECT / case, work)
    if config is not None:
        shutil.copyfile(config, work / "programme.toml")
    before = snapshot(work)
    args = [a if not isinstance(a, Path) else work / a.name for a in _reject_args(case, config)]
    out = tmp_path / "out"
    result = invoke("match", *args, "--out", out)
    assert (result.exit_code, result.output.splitlines()) == (1, lines)
    result = invoke("scores", *args, "--out", out / "scores.csv")
    assert (result.exit_code, result.output.splitlines()) == (1, lines)
    assert not out.exists()
    assert snapshot(work) == before


def test_duplicate_id_problems_carry_file_row_column_and_value():
    error = load_error(*pair(REJECT / "duplicate_id"))
    assert [(p.file, p.row, p.column, p.value) for p in error.problems] == [
        ("mentees.csv", 6, "id", "E2"),
        ("mentees.csv", 7, "id", "E3"),
    ]


def test_unknown_avoid_ids_are_warnings_naming_them_and_errors_with_strict():
    mentors, mentees = pair(REJECT / "avoid_unknown")
    fix = "correct the id (a typo here can pair people who must not meet)"
    lines = [
        f"mentors.csv, row 2, column 'avoid', value 'E9': matches no one in the mentees file — {fix}",
        f"mentees.csv, row 2, column 'avoid', value 'R7': matches no one in the mentors file — {fix}",
    ]
    cohort, _ = load(mentors, mentees)
    assert [str(w) for w in cohort.warnings] == lines
    assert cohort.mentors["avoid"].tolist() == [("E1", "E9"), ()]
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 0
    assert result.stderr == "".join(f"Warning: {line}\n" for line in lines)
    assert result.stdout.startswith("OK: 2 mentors and 1 mentee, no errors;")

    strict_lines = [str(p) for p in load_error(mentors, mentees, strict=True).problems]
    assert [x for x in strict_lines if " (--strict) — " not in x] == lines
    strict = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines() == ["Error: 2 problems in the input:", *(f"  {x}" for x in lines)]


# --------------------------------------------------------------------------- outputs and exit codes


def test_out_may_not_overwrite_an_input_even_a_utf16_one(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    mentors, mentees = pair(ACCEPT / "utf16_bom_tab")
    shutil.copyfile(mentors, folder / "mentors.txt")
    shutil.copyfile(mentees, folder / "pairs.csv")  # an export that happens to be called pairs.csv
    shutil.copyfile(CONFIG, folder / "programme.toml")
    before = snapshot(folder)
    args = [
        "--mentors",
        folder / "mentors.txt",
        "--mentees",
        folder / "pairs.csv",
        "--config",
        CONFIG,
        "--quiet",
    ]
    result = invoke("match", *args, "--out", folder)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --out would overwrite the input file {folder / 'pairs.csv'}; choose another output folder\n"
    )
    result = invoke("scores", *args[:-1], "--out", folder / "mentors.txt")
    assert result.exit_code == 1
    assert result.output.startswith("Error: --out would overwrite the input file ")
    assert snapshot(folder) == before


def test_a_folder_given_as_a_file_is_a_usage_error(tmp_path):
    result = invoke("validate", "--mentors", ACCEPT / "messy", "--mentees", ACCEPT / "messy" / "mentees.csv")
    assert result.exit_code == 2
    assert result.output.startswith("Usage: mentor-match validate")


# --------------------------------------------------------------------------- fixed bugs (regression tests)
#
# Each input in tests/io/corpus/bugs once loaded wrongly or crashed; these tests pin the fix
# with the exact message a coordinator now gets.


def test_unclosed_quote_is_reported_at_the_row_it_opens_not_swallowed():
    # E1's goals open a quote that never closes: E2 and E3 must not vanish into that cell.
    result = invoke(
        "validate",
        "--mentors",
        BUGS / "good" / "mentors.csv",
        "--mentees",
        BUGS / "unclosed_quote" / "mentees.csv",
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        HEAD1,
        "  mentees.csv, row 2, column 'goals': an opening quote is never closed — close the quote or remove it",
    ]
    error = load_error(BUGS / "good" / "mentors.csv", BUGS / "unclosed_quote" / "mentees.csv")
    assert [(p.file, p.row, p.column, p.value) for p in error.problems] == [("mentees.csv", 2, "goals", None)]


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        # The quote "closes" on a later row's opening quote: rows 3-4 were swallowed.
        ('id,want_care,goals\r\nE1,3,"I want to\r\nE2,4,learn\r\nE3,5,"more"\r\n', 2, "goals"),
        # Quote-all export: the next row's first quote closes the cell.
        ('"id","want_care","goals"\n"E1","3","I want to\n"E2","4","learn"\n', 2, "goals"),
        # Blank rows count; the header itself may hold the open quote.
        ('\n\nid,"want_care,goals\nE1,3,x\n', 3, "#2"),
        ('id;want_care;goals\nE1;3;ok\n\nE2;"4;more\n', 4, "want_care"),
    ],
    ids=["closes-on-a-later-quote", "quote-all", "in-the-header", "semicolon-below-a-blank-row"],
)
def test_unclosed_quote_variants(tmp_path, text, row, column):
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(text, encoding="utf-8", newline="")
    error = load_error(BUGS / "good" / "mentors.csv", mentees)
    assert [str(p) for p in error.problems] == [
        f"mentees.csv, row {row}, column '{column}': an opening quote is never closed"
        " — close the quote or remove it"
    ]


def test_quotes_that_close_properly_are_still_read_as_before(tmp_path):
    # A cell spanning lines, a doubled quote, and text after a closing quote on one line
    # ("ab"c reads as abc, as spreadsheets read it).
    mentees = tmp_path / "mentees.csv"
    mentees.write_text('id,name,goals\nE1,"Ann ""A"" Lee","two\nlines"\nE2,"Bo"b,x\n', encoding="utf-8")
    cohort, _ = load(BUGS / "good" / "mentors.csv", mentees)
    assert cohort.mentees["name"].tolist() == ['Ann "A" Lee', "Bob"]
    assert cohort.mentees["goals"].tolist() == ["two\nlines", "x"]


def test_semicolon_file_with_commas_in_its_headers():
    folder = BUGS / "commas_in_headers"
    assert read_table(folder / "mentors.csv").delimiter == ";"
    cohort, _ = load(folder / "mentors.csv", BUGS / "good" / "mentees.csv", folder / "programme.toml")
    assert list(cohort.mentor_ids) == ["R1", "R2"]
    assert cohort.mentors["care"].tolist() == [5.0, 4.0]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("id;name, full;capacity\nR1;Lee, Ann;2\n", ";"),  # commas in header and data: ; splits more
        ("id\tI am kind, patient\tcapacity\nR1\t4\t2\n", "\t"),
        ("id,name;nick,capacity\nR1,Ann;A,2\n", ","),  # semicolons only inside cells
        ("id,capacity\n", ","),  # a header alone: the most header cells
        ("id;a, b\n", ";"),  # a comma only in the header's text loses a tie
    ],
)
def test_delimiter_is_sniffed_from_the_header_and_the_first_rows(tmp_path, text, delimiter):
    path = tmp_path / "mentors.csv"
    path.write_text(text, encoding="utf-8")
    assert read_table(path).delimiter == delimiter


def test_header_problems_name_the_header_row_below_blank_rows():
    result = invoke(
        "validate",
        "--mentors",
        BUGS / "leading_blank_rows" / "mentors.csv",
        "--mentees",
        BUGS / "good" / "mentees.csv",
    )
    assert result.output.splitlines() == [
        HEAD1,
        "  mentors.csv, row 3: no column 'capacity'"
        " — add a 'capacity' column, or map your export's header to it in [columns]",
    ]
    raw = read_table(BUGS / "leading_blank_rows" / "mentors.csv")
    assert (raw.header_row, raw.rows) == (3, ((4, ("R1", "Ann")),))


def test_delimiter_is_sniffed_below_leading_blank_rows():
    path = BUGS / "leading_blank_rows_semicolon" / "mentors.csv"
    assert read_table(path).delimiter == ";"
    cohort, _ = load(path, BUGS / "good" / "mentees.csv")
    assert list(cohort.capacity) == [2]
    assert cohort.mentors["_row"].tolist() == [4]


CAPACITY_TOO_LARGE = (
    "capacity cannot be more than 10000 — write how many mentees this mentor takes this round, e.g. 2"
)


@pytest.mark.parametrize("case", ["huge_capacity", "int64_max_capacity"])
def test_capacity_beyond_64_bits_is_rejected_not_wrapped(case):
    path = BUGS / case / "mentors.csv"
    written = path.read_text().split(",")[-1].strip()
    result = invoke("validate", "--mentors", path, "--mentees", BUGS / "good" / "mentees.csv")
    assert result.exit_code == 1
    # A long digit run may be an account or phone number: only its length is shown.
    assert result.output.splitlines() == [
        HEAD1,
        f"  mentors.csv, row 2, column 'capacity', value '<{len(written)} digits hidden>': {CAPACITY_TOO_LARGE}",
    ]


def test_numbers_outside_a_sane_range_are_reported(tmp_path):
    mentors = tmp_path / "mentors.csv"
    huge = "9" * 400  # more than a float holds
    mentors.write_text(
        f"id,capacity,seniority,care\nR1,10000,1000,5\nR2,10001,-1001,{huge}\nR3,2,{huge},1\n",
        encoding="utf-8",
    )
    error = load_error(mentors, BUGS / "good" / "mentees.csv")
    seniority = "is outside the range -1000 to 1000 — write a whole number from -1000 to 1000, e.g. 3"
    assert [str(p) for p in error.problems] == [
        f"mentors.csv, row 3, column 'capacity', value '10001': {CAPACITY_TOO_LARGE}",
        f"mentors.csv, row 3, column 'seniority', value '-1001': {seniority}",
        f"mentors.csv, row 3, column 'care', value '<400 digits hidden>': is outside the scale 1–5 — {LIKERT_FIX}",
        f"mentors.csv, row 4, column 'seniority', value '<400 digits hidden>': {seniority}",
    ]


def test_mentors_wanted_is_a_whole_number_from_1_to_10_blank_meaning_1(tmp_path):
    mentees = tmp_path / "mentees.csv"
    mentees.write_text("id,mentors_wanted\nE1,2\nE2,\nE3,0\nE4,11\nE5,1.5\nE6,two\nE7,10\n", encoding="utf-8")
    error = load_error(BUGS / "good" / "mentors.csv", mentees)
    fix = "write how many mentors this mentee wants, e.g. 1 or 2 (blank means 1)"
    problem = "mentors_wanted must be a whole number from 1 to 10"
    assert [str(p) for p in error.problems] == [
        f"mentees.csv, row {row}, column 'mentors_wanted', value '{v}': {problem} — {fix}"
        for row, v in ((4, "0"), (5, "11"), (6, "1.5"), (7, "two"))
    ]
    mentees.write_text("id,mentors_wanted\nE1,2\nE2,\nE7,10\n", encoding="utf-8")
    cohort, _ = load(BUGS / "good" / "mentors.csv", mentees)
    assert cohort.mentors_wanted.tolist() == [2, 1, 10] and cohort.several_mentors


def _corrupt_xlsx(src: Path, dest: Path, how: str) -> Path:
    """Rewrite an .xlsx with its first sheet's XML cut short, or its compressed bytes damaged."""
    data = src.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
        info = z.getinfo("xl/worksheets/sheet1.xml")
    if how == "truncated-sheet-xml":
        xml = entries["xl/worksheets/sheet1.xml"]
        entries["xl/worksheets/sheet1.xml"] = xml[: len(xml) // 2]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, member in entries.items():
                z.writestr(name, member)
        dest.write_bytes(buf.getvalue())
    elif how == "damaged-deflate-stream":  # the sheet's first deflate block gets the invalid type 0b11
        assert info.compress_type == zipfile.ZIP_DEFLATED
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        damaged = bytearray(data)
        damaged[start] = 0b111  # BFINAL=1, BTYPE=11 (reserved)
        dest.write_bytes(bytes(damaged))
    else:  # cut-short: the download stopped half way
        dest.write_bytes(data[: len(data) // 2])
    return dest


@pytest.mark.parametrize("how", ["truncated-sheet-xml", "damaged-deflate-stream", "cut-short"])
def test_damaged_xlsx_is_an_input_error(tmp_path, how):
    mentors, _ = write_corpus_xlsx(tmp_path)
    broken = _corrupt_xlsx(mentors, tmp_path / "broken.xlsx", how)
    result = invoke("validate", "--mentors", broken, "--mentees", BUGS / "good" / "mentees.csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        HEAD1,
        "  broken.xlsx: not a readable .xlsx workbook — open it in Excel and save it again as .xlsx or CSV",
    ]


def test_a_byte_order_mark_decides_the_encoding_even_over_encoding():
    # Decision: honour the BOM. It is unambiguous, and --encoding applies to both files, so
    # refusing would leave no way to load a cp1252 file together with an Excel "CSV UTF-8" one.
    mentors, mentees = pair(BUGS / "bom_forced_cp1252")
    for encoding in ("cp1252", "latin-1", "utf-16", None):
        cohort, _ = load(mentors, mentees, encoding=encoding)
        assert cohort.mentors["name"].tolist() == ["Siobhán"]
        assert cohort.mentees["name"].tolist() == ["Zoë"]
        assert read_table(mentees, encoding).encoding == "utf-8-sig"
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--encoding", "cp1252")
    assert result.output.startswith("OK: 1 mentor and 1 mentee, no ")


def test_a_bom_that_lies_leaves_the_forced_encoding_to_decide():
    # A UTF-8 BOM followed by Windows-1252 bytes: unreadable when detected, readable when forced.
    mentors = REJECT / "bad_encoding" / "mentors.csv"
    cohort, _ = load(mentors, BUGS / "good" / "mentees.csv", encoding="cp1252")
    assert cohort.mentors["name"].tolist() == ["Renée"]


def test_utf16_and_utf32_boms_are_honoured(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding) or (
            b"\xff\xfe\x00\x00" if encoding == "utf-32-le" else b"\x00\x00\xfe\xff"
        )
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(bom + "id\tname\tcapacity\r\nR1\tZoë\t1\r\n".encode(encoding))
        for forced in (None, "cp1252"):
            raw = read_table(path, forced)
            assert (raw.headers, raw.rows) == (("id", "name", "capacity"), ((2, ("R1", "Zoë", "1")),))


ENCODING_LINE = (
    "  --encoding, value '{}': is not a known text encoding"
    " — use e.g. utf-8, utf-16, cp1252 or latin-1, or leave out --encoding to detect it"
)


@pytest.mark.parametrize("name", ["foo", "base64", "rot13", ""])
def test_unknown_encoding_name_is_reported_once(name):
    # Decision: exit 1 like every input setting, but one line about --encoding, not one per file.
    # base64 / rot13 exist in Python but are not text encodings.
    mentors, mentees = pair(ACCEPT / "utf8_comma_lf")
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--encoding", name)
    assert result.exit_code == 1
    assert result.output.splitlines() == [HEAD1, ENCODING_LINE.format(name)]


def test_utc_offsets_are_answered_with_the_right_etc_zone_or_a_city():
    result = invoke(
        "validate",
        "--mentors",
        BUGS / "utc_offsets" / "mentors.csv",
        "--mentees",
        BUGS / "good" / "mentees.csv",
    )
    fix = (
        "write the zone of the person's city (such as Europe/Paris),"
        " or 'Etc/GMT-1' for a fixed {} (IANA writes the sign reversed)"
    )
    assert result.output.splitlines() == [
        "Error: 2 problems in the input:",
        f"  mentors.csv, row 2, column 'timezone', value 'UTC+1': is not a known time zone — {fix.format('UTC+1')}",
        f"  mentors.csv, row 3, column 'timezone', value 'GMT+1': is not a known time zone — {fix.format('GMT+1')}",
    ]


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        ("UTC-05:00", "write the zone of the person's city (such as Europe/Paris), or 'Etc/GMT+5'"
         " for a fixed UTC-5 (IANA writes the sign reversed)"),
        ("utc + 14", "write the zone of the person's city (such as Europe/Paris), or 'Etc/GMT-14'"
         " for a fixed UTC+14 (IANA writes the sign reversed)"),
        ("GMT+0", None),  # a real IANA name: accepted
        ("UTC+0:00", "write 'UTC', or the zone of the person's city (such as Europe/London)"),
        ("UTC+5:30", "write the zone of the person's city (such as Asia/Kolkata): IANA has no name for a fixed UTC+5:30"),
        ("UTC+15", "use an IANA name such as Europe/London or America/New_York, a country, or a city"),
        (
            "Etc/GMT+13",
            "use an IANA name such as Europe/London or America/New_York, a country, or a city",
        ),  # not Etc/GMT+12
        ("Europe/Pariss", "did you mean 'Europe/Paris'?"),
    ],
)  # fmt: skip
def test_time_zone_suggestions_are_never_an_hour_away(tmp_path, written, fix):
    mentors = tmp_path / "mentors.csv"
    mentors.write_text(f"id,capacity,timezone\nR1,1,{written}\n", encoding="utf-8")
    if fix is None:
        load(mentors, BUGS / "good" / "mentees.csv")
        return
    error = load_error(mentors, BUGS / "good" / "mentees.csv")
    assert [p.fix for p in error.problems] == [fix]


def test_mentors_file_given_as_the_mentees_file_is_rejected():
    # Decision: an error. A copy of the mentors' file would otherwise load as mentees with
    # its capacity, care and expertise columns silently ignored.
    mentors, mentees = pair(BUGS / "mentors_twice")
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        HEAD1,
        "  mentees.csv: the mentees file has mentor columns (capacity, expertise, care)"
        " — pass the mentees' own file to --mentees",
    ]


def test_mentees_file_given_as_the_mentors_file_is_rejected_and_the_other_file_still_checked(tmp_path):
    mentors = tmp_path / "export.csv"
    mentors.write_text("id,want_care,ready_open,goals\nE1,3,4,Grow\n", encoding="utf-8")
    mentees = tmp_path / "mentees.csv"
    mentees.write_text("id,want_care\nE1,9\n", encoding="utf-8")
    assert [str(p) for p in load_error(mentors, mentees).problems] == [
        "export.csv: the mentors file has mentee columns (goals, want_care, ready_open)"
        " — pass the mentors' own file to --mentors",
        f"mentees.csv, row 2, column 'want_care', value '9': is outside the scale 1–5 — {LIKERT_FIX}",
    ]


def test_an_unreadable_file_does_not_hide_the_other_files_problems():
    error = load_error(REJECT / "empty" / "mentors.csv", REJECT / "bad_values" / "mentees.csv", CONFIG)
    assert [(p.file, p.row, p.column) for p in error.problems] == [
        ("mentors.csv", None, None),
        ("mentees.csv", 3, "want_care"),
    ]
    error = load_error(BUGS / "utc_offsets" / "mentors.csv", REJECT / "not_xlsx" / "mentors.xlsx")
    assert [(p.file, p.row, p.column) for p in error.problems] == [
        ("mentors.csv", 2, "timezone"),
        ("mentors.csv", 3, "timezone"),
        ("mentors.xlsx", None, None),
    ]


# --------------------------------------------------------------------------- headers that nearly match


def test_headers_map_when_equal_to_a_standard_name_without_spaces_hyphens_underscores(tmp_path):
    mentors = tmp_path / "mentors.csv"
    mentors.write_text(
        "ID,Capacity,Time zone,Style-Pace,STYLESTRUCTURE,Manager ID,Time-zone offset\n"
        "R1,1,Europe/Paris,4,2,,+1\n",
        encoding="utf-8",
    )
    mentees = tmp_path / "mentees.csv"
    mentees.write_text("Id,Want-Care,Ready Open\nE1,3,4\n", encoding="utf-8")
    cohort, _ = load(mentors, mentees)
    assert cohort.mentor_columns == {
        "id",
        "capacity",
        "timezone",
        "style_pace",
        "style_structure",
        "manager_id",
    }
    assert cohort.mentee_columns == {"id", "want_care", "ready_open"}
    assert cohort.mentors["timezone"].tolist() == ["Europe/Paris"]
    assert cohort.mentors["style_pace"].tolist() == [4.0]
    # Never a guess: "Time-zone offset" is not "timezone"; it is listed as ignored.
    assert cohort.ignored_columns == ("mentors.csv: Time-zone offset",)


def test_a_header_matched_without_spaces_never_competes_with_an_exact_one(tmp_path):
    # "timezone" names the column exactly; "Time zone" is left unused, as it always was.
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("id,capacity,Time zone,timezone\nR1,1,CET (Paris),Europe/Paris\n", encoding="utf-8")
    cohort, _ = load(mentors, BUGS / "good" / "mentees.csv")
    assert cohort.mentors["timezone"].tolist() == ["Europe/Paris"]
    assert cohort.ignored_columns == ("mentors.csv: Time zone",)
    # Nor with a header mapped in [columns].
    config = tmp_path / "programme.toml"
    config.write_text('[columns]\n"TZ" = "timezone"\n', encoding="utf-8")
    mentors.write_text("id,capacity,Time-Zone,TZ\nR1,1,CET (Paris),Europe/Paris\n", encoding="utf-8")
    cohort, _ = load(mentors, BUGS / "good" / "mentees.csv", config)
    assert cohort.mentors["timezone"].tolist() == ["Europe/Paris"]
    assert cohort.ignored_columns == ("mentors.csv: Time-Zone",)


def test_two_headers_for_one_column_are_an_error_not_a_choice(tmp_path):
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("id,capacity,Time zone,Time-Zone\nR1,1,Europe/Paris,Europe/Berlin\n", encoding="utf-8")
    assert [str(p) for p in load_error(mentors, BUGS / "good" / "mentees.csv").problems] == [
        "mentors.csv, row 1, column 'Time-Zone': a second column for 'timezone' (the first is 'Time zone')"
        " — delete or rename one of them",
    ]


def test_no_two_standard_names_squash_alike():
    from matcher.io.questionnaire import COLUMNS

    squashed = [c.name.replace("_", "") for c in COLUMNS]
    assert len(set(squashed)) == len(squashed)


# --------------------------------------------------------------------------- fuzz: mutated CSVs

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1")
TRICKY_CELLS = (
    "", " ", "0", "-1", "+3", "3.0", "3,5", "1e5", "nan", "inf", "٣", "Strongly agree", "STRONGLY  AGREE",
    "in person", "Europe/London", "UTC", "R1; R1", "R2", "E9", ";", ",", '"', "=1+1", "\ufeff", "a\nb",
    "\r", "PK\x03\x04", "\x00", "9223372036854775807", "UTC+1", "GMT-5:30", "Etc/GMT+13", "Time zone",
)  # fmt: skip
# Numbers of any size: beyond 64 bits they are reported, never wrapped round or a traceback.
CELLS = st.one_of(
    st.sampled_from(TRICKY_CELLS),
    st.text(max_size=12),
    st.integers().map(str),
    st.integers(-(10**400), 10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)

# Mostly bytes that keep a file text-like (delimiters, quotes, line ends, UTF-8 / UTF-16 /
# cp1252 fragments), sometimes anything at all (NUL, control bytes).
BYTES = st.one_of(
    st.lists(
        st.sampled_from([*b',;\t"\r\n 0123456789aZ', 0xE9, 0xC3, 0xA9, 0x92, 0xFF, 0xFE, 0xEF]),
        min_size=1,
        max_size=4,
    ).map(bytes),
    st.binary(min_size=1, max_size=4),
)


@st.composite
def mutated_csv(draw, header: list[str], rows: list[list[str]]) -> bytes:
    table = [list(header)] + [list(r) for r in rows]
    for op in draw(st.lists(st.sampled_from(["cut", "truncate", "swap", "dup", "drop", "cell"]), max_size=4)):
        if not table:
            break
        width = max(len(r) for r in table) or 1
        if op == "cut":  # a row cut short
            i = draw(st.integers(0, len(table) - 1))
            table[i] = table[i][: draw(st.integers(0, len(table[i])))]
        elif op == "truncate":  # the file ends after row i
            table = table[: draw(st.integers(1, len(table)))]
        elif op in ("swap", "dup", "drop"):
            a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
            for r in table:
                if op == "swap" and max(a, b) < len(r):
                    r[a], r[b] = r[b], r[a]
                elif op == "dup" and a < len(r):
                    r.insert(b, r[a])
                elif op == "drop" and a < len(r):
                    del r[a]
        else:  # a cell replaced by random text
            i = draw(st.integers(0, len(table) - 1))
            if table[i]:
                table[i][draw(st.integers(0, len(table[i]) - 1))] = draw(CELLS)
    text = gen.csv_text(
        table[0] if table else [],
        table[1:],
        draw(st.sampled_from([",", ";", "\t"])),
        draw(st.sampled_from(["\n", "\r\n"])),
    )
    data = bytearray(text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace"))
    for op in draw(st.lists(st.sampled_from(["insert", "replace", "cut"]), max_size=3)):
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            data[at:at] = draw(BYTES)
        elif op == "replace":
            data[at : at + 1] = draw(BYTES)[:1]
        else:  # the file truncated mid-row (or mid-character)
            del data[at:]
    return bytes(data)


FUZZ_EXAMPLES = 300
MENTOR_FILES = mutated_csv(gen.MENTOR_HEADER, gen.MENTORS)
MENTEE_FILES = mutated_csv(gen.MENTEE_HEADER, gen.MENTEES)


def _write_pair(folder: Path, mentors: bytes, mentees: bytes) -> tuple[Path, Path]:
    (folder / "mentors.csv").write_bytes(mentors)
    (folder / "mentees.csv").write_bytes(mentees)
    return folder / "mentors.csv", folder / "mentees.csv"


# The profile's settings (derandomized under CI=true), with more examples: a load takes ~5 ms.
@settings(max_examples=FUZZ_EXAMPLES)
@given(mentors=MENTOR_FILES, mentees=MENTEE_FILES, with_config=st.booleans(), strict=st.booleans())
def test_fuzz_load_either_loads_or_raises_input_error(mentors, mentees, with_config, strict):
    with tempfile.TemporaryDirectory() as tmp:
        m, e = _write_pair(Path(tmp), mentors, mentees)
        try:
            cohort, _ = load(m, e, CONFIG if with_config else None, strict=strict)
        except InputError as exc:
            assert exc.problems
            assert str(exc).startswith(f"{len(exc.problems)} problem")
        else:
            assert isinstance(cohort, Cohort)
            assert cohort.n_mentors >= 1 and cohort.n_mentees >= 1
            assert (cohort.capacity >= 0).all()


@settings(max_examples=FUZZ_EXAMPLES // 2)
@given(mentors=MENTOR_FILES, mentees=MENTEE_FILES, strict=st.booleans())
def test_fuzz_validate_exits_0_or_1_with_an_error_line(mentors, mentees, strict):
    with tempfile.TemporaryDirectory() as tmp:
        m, e = _write_pair(Path(tmp), mentors, mentees)
        args = ["validate", "--mentors", m, "--mentees", e, "--config", CONFIG]
        result = invoke(*args, *(["--strict"] if strict else []))
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 0:
            assert result.stdout.startswith("OK: ")
        else:
            assert result.output.startswith("Error: ")
            assert "Traceback" not in result.output
