"""Reading a questionnaire file: which sheet, and cells no spreadsheet writes (issue 14, family 8).

* A workbook whose data is not on the sheet read says so and names the sheet to pass
  with ``--sheet NAME``; ``--sheet`` reads it (any command, any workbook given).
* A NUL byte and an over-long cell are errors naming their row and column, wherever the
  generator puts them (the csv module's own limit no longer hides the column).
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import cli
from matcher.errors import InputError
from matcher.io.read import MAX_CELL, read_table
from tests.conftest import write_csv


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


MENTORS = [["id", "capacity"], ["R1", 1], ["R2", 1]]

# --- sheets ---------------------------------------------------------------------------------


def test_data_on_another_sheet_is_named_and_read_with_sheet(tmp_path):
    mentors = _workbook(tmp_path / "mentors.xlsx", {"Instructions": [], "Mentors": MENTORS})
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "E1"}])
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: 1 problem in the input:",
        "  mentors.xlsx: the first sheet 'Instructions' is empty: only the first sheet is read, and the data"
        " is on 'Mentors' — pass --sheet 'Mentors' (or move the data to the first sheet)",
    ]
    for name in ("Mentors", " mentors "):  # exactly, or ignoring case and spaces
        result = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--sheet", name)
        assert result.exit_code == 0, result.output
        assert "2 mentors and 1 mentee" in result.stdout
    # map reads the same sheet (its proposal is of that sheet's headers).
    out = tmp_path / "columns.toml"
    assert invoke("map", "--mentors", mentors, "--mentees", mentees, "--out", out).exit_code == 1
    result = invoke("map", "--mentors", mentors, "--mentees", mentees, "--sheet", "Mentors", "--out", out)
    assert result.exit_code == 0, result.output
    assert "# mentors.xlsx\n[columns.mentors]\n" in out.read_text(encoding="utf-8")


def test_a_first_sheet_of_notes_gets_a_hint_about_the_other_sheets(tmp_path):
    mentors = _workbook(
        tmp_path / "mentors.xlsx", {"Read me": [["Fill in the next sheet"]], "Mentors": MENTORS}
    )
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "E1"}])
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    assert (
        "  mentors.xlsx, row 1: no column 'id' — add an 'id' column, or map your export's header to it in"
        " [columns] (only the sheet 'Read me' is read; the workbook also has 'Mentors': pass --sheet NAME)"
    ) in result.stderr.splitlines()


def test_an_unknown_sheet_lists_the_sheets_and_every_command_takes_sheet(tmp_path):
    mentors = _workbook(tmp_path / "mentors.xlsx", {"Mentors": MENTORS, "Old": MENTORS})
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "E1"}])
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees, "--sheet", "Mentees")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  mentors.xlsx: has no sheet 'Mentees' — pass --sheet with one of its sheets: 'Mentors', 'Old'"
    )
    for command in ("match", "rematch", "explain", "scores", "validate", "map"):
        assert "--sheet" in invoke(command, "--help").stdout, command
    out = tmp_path / "out"
    assert (
        invoke("match", "--mentors", mentors, "--mentees", mentees, "--sheet", "Old", "--out", out).exit_code
        == 0
    )


# --- NUL bytes and over-long cells ----------------------------------------------------------

HEADER = ["id", "name", "capacity", "department"]


@st.composite
def damaged(draw):
    n = draw(st.integers(1, 6))
    rows = [[f"R{k}", f"Name {k}", "1", "IT"] for k in range(n)]
    cells = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 3)), min_size=1, max_size=3, unique=True)
    )
    kind = draw(st.sampled_from(["nul", "long"]))
    for r, c in cells:
        rows[r][c] = (
            rows[r][c] + "\x00" + rows[r][c]
            if kind == "nul"
            else "x" * draw(st.integers(MAX_CELL + 1, 200_000))
        )
    return rows, sorted((r + 2, HEADER[c]) for r, c in cells), kind


@settings(max_examples=25)
@given(case=damaged(), bom=st.booleans())
def test_nul_bytes_and_over_long_cells_are_named_by_row_and_column(tmp_path_factory, case, bom):
    rows, where, kind = case
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    path = tmp_path_factory.mktemp("cells") / "mentors.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8"))
    with pytest.raises(InputError) as info:
        read_table(path)
    problems = info.value.problems
    assert sorted((p.row, p.column) for p in problems) == where
    assert all(p.value is None for p in problems)  # the damaged text is never echoed
    words = "NUL character" if kind == "nul" else f"longer than {MAX_CELL:,} characters"
    assert all(words in p.problem for p in problems)


def test_a_png_is_still_binary_content_not_a_nul_in_a_row(tmp_path):
    path = tmp_path / "mentors.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "binary content" in str(info.value)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet='"a,;\t\r\n', max_size=40), st.sampled_from([",", ";", "\t"]))
def test_the_quote_check_jumping_from_quote_to_quote_reads_as_the_cell_by_cell_one(text, delim):
    """The fast unclosed-quote check finds a problem exactly when reading cell by cell
    does, and then reports the same record and cell."""
    from matcher.io.read import _locate_unclosed_quote, _unclosed_quote

    assert _unclosed_quote(text, delim) == _locate_unclosed_quote(text, delim)
