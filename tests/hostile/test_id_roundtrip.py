"""Families 3 and 7 of issue 14: every id survives every round trip; look-alike ids are one id.

The formula guard of our CSV and XLSX outputs (:mod:`matcher.io.formula`) and the undoing of
it when we read our own files back are exact inverses for every string, in text and
number columns alike. End to end, any id the loader accepts — apostrophes and formula
characters (``'=X2``), phone numbers (``+447700900123``), quotes, delimiters, other scripts
— is written by ``match`` and read back by ``rematch`` (pairs.csv, history.csv,
unmatched.csv), ``--pin`` and ``--history`` identical: a rematch with no failures keeps
every pair, pins of a run's own pairs.csv re-create it, and the history names exactly the
people of the cohort. Ids are read NFC-normalised, so ``José`` typed with a combining
accent is the same id as the precomposed one (a duplicate naming both rows), and ids
with control characters are refused, naming the row.
"""

from __future__ import annotations

import io
import re
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from matcher.api import load, match_files, rematch_files
from matcher.errors import InputError
from matcher.io.formula import TRIGGERS, guard, needs_guard, unguard
from matcher.io.history import read_history
from matcher.io.pairs_file import read_columns, read_pairs
from matcher.io.read import canonical
from matcher.report.files import csv_bytes

HOSTILE_IDS = [
    "'=X2", "=X2", "'", "''", "'+1", "+447700900123", "-1", "-2.5", "@x", "=1+1", "＝1", "'＋1",
    "a\"b", '"quoted"', "x,y", "x;y", "E 1", "José", "Jose\u0301", "٣", "²", "漢字", "E\u200b1",
    "1e5", "007", "=HYPERLINK(\"http://x\")", "\u202eevil", "_x0041_", "R" + "9" * 40,
]  # fmt: skip

# Any text but control characters (refused in ids) and surrogates (not in a decoded file).
id_text = st.one_of(
    st.sampled_from(HOSTILE_IDS),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12),
    st.text(alphabet=string.printable.strip() + "'=+-@", min_size=1, max_size=8),
).map(canonical)
ids = st.lists(id_text.filter(bool), min_size=2, max_size=6, unique=True)


# --- the guard and its inverse ------------------------------------------------------------


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


# --- end to end ---------------------------------------------------------------------------


def _write(path, header, rows):
    """A questionnaire as Excel's 'CSV UTF-8' saves it (BOM, quoted where needed)."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def _cohort(folder, mentor_ids, mentee_ids):
    mentors = _write(folder / "mentors.csv", ["id", "name", "capacity"], [[r, "N", 1] for r in mentor_ids])
    mentees = _write(folder / "mentees.csv", ["id", "name"], [[e, "N"] for e in mentee_ids])
    return mentors, mentees


def _pairs(path):
    _, rows = read_columns(path, ("mentee_id", "mentor_id"))
    return {(r["mentee_id"], r["mentor_id"]) for r in rows}


@settings(max_examples=25)
@given(mentor_ids=ids, mentee_ids=ids)
def test_every_id_survives_match_rematch_pin_and_history(tmp_path_factory, mentor_ids, mentee_ids):
    folder = tmp_path_factory.mktemp("ids")
    mentors, mentees = _cohort(folder, mentor_ids, mentee_ids)
    cohort, _ = load(mentors, mentees)
    assert set(cohort.mentor_ids) == set(mentor_ids) and set(cohort.mentee_ids) == set(mentee_ids)

    first = match_files(mentors, mentees, out=folder / "r1", alternatives=0)
    first.publish()
    proposed = {
        (cohort.mentee_ids[i], cohort.mentor_ids[j])
        for i, j in enumerate(first.result.solution.mentor_of)
        if j >= 0
    }
    assert proposed and _pairs(folder / "r1" / "pairs.csv") == proposed
    _, unmatched = read_columns(folder / "r1" / "unmatched.csv", ("mentee_id",))
    assert {r["mentee_id"] for r in unmatched} == set(mentee_ids) - {e for e, _ in proposed}
    history = read_history(folder / "r1" / "history.csv")
    assert {(h.mentee_id, h.mentor_id) for h in history} == proposed

    # The pairs file as pins: every id matches someone, and the pairing is re-created.
    pins = read_pairs(folder / "r1" / "pairs.csv", "pin", cohort, strict=True)
    assert set(pins.ids) == proposed
    again = match_files(mentors, mentees, out=folder / "r1b", pins=folder / "r1" / "pairs.csv", strict=True)
    assert not [w for w in again.warnings if "matches no one" in w]
    assert again.outputs["pairs.csv"] == first.outputs["pairs.csv"]

    # A rematch with no failure keeps every pair: nobody left, nobody joined.
    failed = _write(folder / "failed.csv", ["mentee_id", "mentor_id", "reason", "note"], [])
    second = rematch_files(
        mentors, mentees, pairs=folder / "r1" / "pairs.csv", failed=failed, out=folder / "r2"
    )
    counts = second.rematch.counts
    assert (counts["kept"], counts["changed"], counts["released"]) == (len(proposed), 0, 0), counts
    assert not second.rematch.changes
    second.publish()
    assert _pairs(folder / "r2" / "pairs.csv") == proposed

    # --history: the earlier round's pairs are the cohort's people, so --no-repeat avoids them.
    third = match_files(
        mentors, mentees, out=folder / "r3", history=folder / "r2" / "history.csv", no_repeat=True
    )
    assert not [w for w in third.warnings if "matches no one" in w]
    mentor_of = third.result.solution.mentor_of
    assert (
        not {(cohort.mentee_ids[i], cohort.mentor_ids[j]) for i, j in enumerate(mentor_of) if j >= 0}
        & proposed
    )


@settings(max_examples=15)
@given(mentor_ids=ids, mentee_ids=ids)
def test_ids_in_the_workbook_are_the_ids(tmp_path_factory, mentor_ids, mentee_ids):
    folder = tmp_path_factory.mktemp("xlsx")
    mentors, mentees = _cohort(folder, mentor_ids, mentee_ids)
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
    assert _pairs(folder / "out" / "pairs.xlsx") == _pairs_of(run)  # our reader reads it back too


def _pairs_of(run):
    c = run.result.cohort
    return {(c.mentee_ids[i], c.mentor_ids[j]) for i, j in enumerate(run.result.solution.mentor_of) if j >= 0}


# --- look-alike ids -------------------------------------------------------------------------


def test_nfc_and_nfd_spellings_of_an_id_are_one_id_named_in_both_rows(tmp_path):
    nfc, nfd = "Jos\u00e9", "Jose\u0301"
    assert nfc != nfd and unicodedata.normalize("NFC", nfd) == nfc
    mentors, mentees = _cohort(tmp_path, [nfc, nfd], ["E1"])
    with pytest.raises(InputError) as info:
        load(mentors, mentees)
    assert [str(p) for p in info.value.problems] == [
        f"mentors.csv, row 3, column 'id', value '{nfc}': duplicate id (also row 2)"
        " — give each person a unique id (ids that look alike are one id, however the accents were typed)"
    ]


def test_an_id_typed_either_way_finds_the_person(tmp_path):
    mentors, mentees = _cohort(tmp_path, ["Jose\u0301"], ["Zoe\u0308"])
    cohort, _ = load(mentors, mentees)
    assert list(cohort.mentor_ids) == ["Jos\u00e9"]
    assert cohort.mentor_index("Jose\u0301") == cohort.mentor_index("Jos\u00e9") == 0
    assert cohort.mentee_index(" Zo\u00eb ") == 0
    pins = _write(tmp_path / "pins.csv", ["mentee_id", "mentor_id"], [["Zo\u00eb", "Jose\u0301"]])
    assert read_pairs(pins, "pin", cohort, strict=True).pairs == ((0, 0),)


@pytest.mark.parametrize("bad", ["E\x011", "E\n1", "E\t1", "E\x7f", "E\x851"])
def test_an_id_with_a_control_character_is_refused_naming_the_row(tmp_path, bad):
    mentors, mentees = _cohort(tmp_path, ["R1"], ["E0", bad])
    with pytest.raises(InputError) as info:
        load(mentors, mentees)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("mentees.csv", 3, "id")
    assert "control character" in problem.problem
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", str(problem))  # shown escaped, never raw
