"""The formula guard of our CSV and XLSX outputs (:mod:`matcher.io.formula`) and the undoing
of it when we read our own files back are exact inverses for every string, in text and
number columns alike (issue 14, family 3); a cell left unguarded cannot start a formula.
The guard on what a whole run writes, in every format: tests/report/test_workbook.py.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import InputError
from matcher.io.formula import TRIGGERS, guard, needs_guard, unguard
from matcher.io.pairs_file import read_columns
from matcher.io.read import canonical
from matcher.report.files import csv_bytes
from tests.conftest import id_text


@given(st.text(), st.booleans())
def test_unguard_is_the_exact_inverse_of_guard(text, text_column):
    assert unguard(guard(text, text_column)) == text


@given(st.text(), st.booleans())
def test_a_cell_left_unguarded_cannot_start_a_formula(text, text_column):
    cell = guard(text, text_column)
    if cell != text:
        assert cell == "'" + text
        return
    # Skip what a spreadsheet may skip before looking for a formula.
    core = cell.lstrip("".join(map(chr, range(33))) + "\x7f\x85\xa0\u200b\u200c\u200d\u2060\ufeff")
    if core.startswith(TRIGGERS) or cell.startswith("'"):
        # Only a plain number in a number column ("-2.50") is left as it is.
        assert not text_column and re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", cell)


def test_the_guard_examples_of_the_issue():
    assert guard("'=X2", True) == "''=X2" and unguard("''=X2") == "'=X2"
    assert guard("+447700900123", True) == "'+447700900123"  # an id stays text in Excel
    assert guard("-2.50", False) == "-2.50"  # a score stays a number
    assert guard("\x01=3+3", False) == "'\x01=3+3"  # a control character does not hide a formula
    assert guard(" =1+1", False) == "' =1+1"
    assert not needs_guard("E001") and not needs_guard("José")


@given(st.lists(st.tuples(id_text, st.text(max_size=10), st.text(max_size=10)), max_size=6))
def test_csv_cells_read_back_exactly_whatever_their_column(tmp_path_factory, rows):
    header = ["mentee_id", "score", "note"]
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(csv_bytes(header, [list(r) for r in rows]))
    rows = [r for r in rows if any(canonical(c) for c in r)]  # blank rows are skipped on read
    try:
        _, got = read_columns(path, tuple(header))
    except InputError as exc:  # only a NUL character is refused, naming its row
        assert any("\x00" in c for r in rows for c in r), exc
        return
    assert [tuple(r[h] for h in header) for r in got] == [tuple(canonical(c) for c in r) for r in rows]


def test_no_letter_or_digit_starts_a_formula_or_is_skipped_before_one():
    """``needs_guard`` decides a text starting with a letter or digit without its regex:
    no such character (of all of Unicode) is a trigger, the apostrophe, or one that a
    spreadsheet skips before looking for a formula."""
    import sys

    from matcher.io.formula import GUARD, LEADING

    first = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isalnum()]
    assert not [
        ch for ch in first if LEADING.match(ch).end() or ch in TRIGGERS or ch in (GUARD, "\t", "\r", "\n")
    ]
    assert guard("E1=2", True) == "E1=2" and guard("-1", True) == "'-1"
