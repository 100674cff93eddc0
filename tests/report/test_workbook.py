"""Family 4 of issue 14: the formula guard runs on what is finally written, in every format.

Names and ids built to break things (formula characters behind control characters,
spaces or zero-width spaces, apostrophes, phone numbers, full-width ``＝``) go through a
whole ``match`` and ``rematch`` with alternatives; in every CSV the run writes and in every
sheet of ``pairs.xlsx`` (read back with openpyxl, written by XlsxWriter) no cell can start a
formula, no cell is a formula, ids and names are strings, and each sheet holds exactly
what its CSV holds.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from matcher.api import match_files, rematch_files
from matcher.io.formula import LEADING, NUMBER, TRIGGERS, is_text_column, unguard
from matcher.report.workbook import summary_sheet
from tests.conftest import id_cohort, id_lists, pairs_in, strict_json, write_rows

NASTY = [
    "\x01=3+3", "\x1f+1", " =1+1", "\u200b=1", "\ufeff@SUM(A1)", "＝1+1", "'=X2", "''", "'",
    "+447700900123", "-1", "=HYPERLINK(\"http://x\",\"y\")", "@x", "a\rb", "line\nbreak", "x\x0bz",
    "-2.5", "_x0041_", "<b>", "Zoë",
]  # fmt: skip
# Any text but NUL, which no spreadsheet writes (refused on read: tests/io/test_read.py).
name_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=8).filter(lambda t: "\x00" not in t))
id_text = st.sampled_from([n for n in NASTY if not re.search(r"[\x00-\x1f]", n.strip())] + ["R1", "E1"])


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def excel_text(value):
    """A string as Excel shows it: openpyxl leaves OOXML's _xHHHH_ escapes of control
    characters as they are (and unescapes a literal "_x0041_", so compare with both)."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def _safe(cell: str, header: str) -> bool:
    if cell.startswith("'"):
        return True
    core = cell[LEADING.match(cell).end() :]
    if not core.startswith(TRIGGERS) and not cell.startswith(("\t", "\r", "\n")):
        return True
    return not is_text_column(header) and NUMBER.fullmatch(cell) is not None


def _check_run(outputs, csv_names, sheets):
    for name in csv_names:
        rows = _csv(outputs[name])
        header = rows[0]
        for row in rows[1:]:
            for h, cell in zip(header, row, strict=False):
                assert _safe(cell, h), (name, h, cell)
    data = outputs["pairs.xlsx"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere
    book = load_workbook(io.BytesIO(data))
    for title, name in sheets.items():
        ws = book[title]
        got = [list(r) for r in ws.iter_rows(values_only=True)]
        want = name if isinstance(name, list) else _csv(outputs[name])
        assert len(got) == len(want), title
        header = want[0]
        for g_row, w_row in zip(got, want, strict=True):
            g_row = g_row + [None] * (len(w_row) - len(g_row))
            for h, g, w in zip(header, g_row, w_row, strict=True):
                if g is None:
                    assert w == "", (title, h, w)
                elif isinstance(g, str):
                    assert w in (g, excel_text(g)) and _safe(w, h), (title, h, g, w)
                else:
                    assert not is_text_column(h) and float(w) == g, (title, h, g, w)


@settings(max_examples=20)
@given(
    mentor_names=st.lists(name_text, min_size=3, max_size=3),
    mentee_names=st.lists(name_text, min_size=4, max_size=4),
    reason=name_text,
    odd_id=id_text,
)
def test_no_output_cell_can_start_a_formula(tmp_path_factory, mentor_names, mentee_names, reason, odd_id):
    folder = tmp_path_factory.mktemp("guard")
    mentor_ids = [odd_id, "R2", "R3"] if odd_id not in ("R2", "R3") else ["R1", "R2", "R3"]
    mentors = write_rows(
        folder / "mentors.csv",
        ["id", "name", "department", "capacity"],
        [[r, n, d, 2] for r, n, d in zip(mentor_ids, mentor_names, ["IT", "HR", reason], strict=True)],
    )
    mentees = write_rows(
        folder / "mentees.csv",
        ["id", "name", "department"],
        [[f"E{k}", n, "IT"] for k, n in enumerate(mentee_names)],
    )
    first = match_files(mentors, mentees, out=folder / "r1", alternatives=3)
    sheets = {"pairs": "pairs.csv", "alternatives": "alternatives.csv", "unmatched": "unmatched.csv"}
    _check_run(first.outputs, ["pairs.csv", "alternatives.csv", "unmatched.csv", "history.csv"], sheets)
    summary = strict_json(first.outputs["summary.json"].decode("utf-8"))
    _check_run(first.outputs, [], {"summary": [["key", "value"], *_texts(summary_sheet(summary)[1])]})
    first.publish()
    pair = next(r for r in _csv(first.outputs["pairs.csv"])[1:])
    failed = write_rows(
        folder / "failed.csv",
        ["mentee_id", "mentor_id", "reason", "note"],
        [[*pair[0:1], pair[2], "", reason]],
    )
    second = rematch_files(
        mentors, mentees, pairs=folder / "r1" / "pairs.csv", failed=failed, out=folder / "r2", alternatives=2
    )
    sheets = {**sheets, "changes": "changes.csv"}
    _check_run(second.outputs, ["pairs.csv", "changes.csv", "history.csv", "unmatched.csv"], sheets)


def _texts(rows):
    """The summary sheet's rows as the CSV-like text a sheet cell is compared with."""
    out = []
    for key, value in rows:
        text = "" if value == "" else repr(value) if isinstance(value, float) else str(value)
        out.append([key, text])
    return out


def test_a_control_character_before_a_formula_is_guarded_in_csv_and_xlsx(tmp_path):
    mentors = write_rows(tmp_path / "mentors.csv", ["id", "name", "capacity"], [["R1", "\x01=3+3", 1]])
    mentees = write_rows(tmp_path / "mentees.csv", ["id", "name"], [["E1", "\u200b=1+1"]])
    run = match_files(mentors, mentees, out=tmp_path / "out", alternatives=0)
    rows = _csv(run.outputs["pairs.csv"])
    assert rows[1][:4] == ["E1", "'\u200b=1+1", "R1", "'\x01=3+3"]
    ws = load_workbook(io.BytesIO(run.outputs["pairs.xlsx"]))["pairs"]
    assert [excel_text(c.value) for c in ws[2]][:4] == ["E1", "'\u200b=1+1", "R1", "'\x01=3+3"]


# --- ids -------------------------------------------------------------------------------------


@settings(max_examples=15)
@given(mentor_ids=id_lists, mentee_ids=id_lists)
def test_ids_in_the_workbook_are_the_ids(tmp_path_factory, mentor_ids, mentee_ids):
    folder = tmp_path_factory.mktemp("xlsx")
    mentors, mentees = id_cohort(folder, mentor_ids, mentee_ids)
    run = match_files(mentors, mentees, out=folder / "out", alternatives=0)
    ws = load_workbook(io.BytesIO(run.outputs["pairs.xlsx"]))["pairs"]
    header = [c.value for c in ws[1]]
    got = {
        (unguard(row[header.index("mentee_id")]), unguard(row[header.index("mentor_id")]))
        for row in ws.iter_rows(min_row=2, values_only=True)
    }
    assert all(
        isinstance(v, str) for row in ws.iter_rows(min_row=2, max_col=1, values_only=True) for v in row
    )
    assert got == _pairs_of(run)
    run.publish()
    assert pairs_in(folder / "out" / "pairs.xlsx") == _pairs_of(run)  # our reader reads it back too


def _pairs_of(run):
    c = run.result.cohort
    return {(c.mentee_ids[i], c.mentor_ids[j]) for i, j in enumerate(run.result.solution.mentor_of) if j >= 0}
