"""Family 8 of issue 14: messages that name everything, and runs that leave nothing behind.

* A workbook whose data is not on the sheet read says so and names the sheet to pass
  with ``--sheet NAME``; ``--sheet`` reads it (any command, any workbook given).
* A NUL byte and an over-long cell are errors naming their row and column, wherever the
  generator puts them (the csv module's own limit no longer hides the column).
* A run interrupted while writing into a new folder leaves no folder behind; hidden
  temporary files of a killed run are removed by the next run into that folder, while a
  live run's are left alone.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import cli
from matcher.errors import InputError, OutputError
from matcher.io.read import MAX_CELL, read_table
from matcher.report import files as F
from matcher.report.publish import publish
from tests.conftest import ROOT, write_csv


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
    for command in ("match", "rematch", "explain", "scores", "validate"):
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


# --- interrupted and killed runs --------------------------------------------------------------


def test_an_interrupted_run_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch):
    target = tmp_path / "new" / "deeper"

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(F.os, "replace", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        publish({"a.csv": b"1", "b.csv": b"2"}, target)
    assert not (tmp_path / "new").exists()
    monkeypatch.undo()
    # Into an existing folder: the folder and its earlier outputs stay as they were.
    existing = tmp_path / "out"
    publish({"a.csv": b"old"}, existing)
    monkeypatch.setattr(F.os, "replace", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        publish({"a.csv": b"new"}, existing)
    assert sorted(p.name for p in existing.iterdir()) == ["a.csv"]
    assert (existing / "a.csv").read_bytes() == b"old"


def test_a_failed_write_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch):
    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(F.os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device"):
        publish({"a.csv": b"1"}, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    code = (
        "import os, sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from matcher.report import files\n"
        "from matcher.report.publish import publish\n"
        "files.os.replace = lambda *a: time.sleep(600)\n"  # killed before any rename
        "publish({'pairs.csv': b'x' * 1000, 'summary.json': b'{}'}, sys.argv[2])\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(out)])
    try:
        for _ in range(600):
            if len(list(out.glob(".*.tmp"))) == 2:
                break
            time.sleep(0.05)
        left = sorted(p.name for p in out.glob(".*.tmp"))
        assert len(left) == 2, left
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # A live run writing into the same folder now: its temporary file must survive.
    live = out / f".summary.json.{F._TEMP_TAG}.abcd1234.tmp"
    live.write_bytes(b"{}")
    # An old temporary name from before this version, an hour old: removed too.
    old = out / ".pairs.csv.k2j4h5g6.tmp"
    old.write_bytes(b"")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    publish({"pairs.csv": b"new", "summary.json": b"{}"}, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(["pairs.csv", "summary.json", live.name])
    assert (out / "pairs.csv").read_bytes() == b"new"
