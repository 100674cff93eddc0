"""Ids survive every round trip, and look-alike ids are one id (issue 14, families 3 and 7).

End to end, any id the loader accepts — apostrophes and formula characters (``'=X2``),
phone numbers (``+447700900123``), quotes, delimiters, other scripts — is written by
``match`` and read back by ``rematch`` (pairs.csv, history.csv, unmatched.csv), ``--pin``
and ``--history`` identical: a rematch with no failures keeps every pair, pins of a run's
own pairs.csv re-create it, and the history names exactly the people of the cohort. Ids
are read NFC-normalised, so ``José`` typed with a combining accent is the same id as the
precomposed one (a duplicate naming both rows), and ids with control characters are
refused, naming the row. (The ids in pairs.xlsx: tests/report/test_workbook.py.)
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings

from matcher.api import load, match_files, rematch_files
from matcher.errors import InputError
from matcher.io.history import read_history
from matcher.io.pairs_file import read_columns, read_pairs
from tests.conftest import id_cohort, id_lists, pairs_in, write_rows


@settings(max_examples=25)
@given(mentor_ids=id_lists, mentee_ids=id_lists)
def test_every_id_survives_match_rematch_pin_and_history(tmp_path_factory, mentor_ids, mentee_ids):
    folder = tmp_path_factory.mktemp("ids")
    mentors, mentees = id_cohort(folder, mentor_ids, mentee_ids)
    cohort, _ = load(mentors, mentees)
    assert set(cohort.mentor_ids) == set(mentor_ids) and set(cohort.mentee_ids) == set(mentee_ids)

    first = match_files(mentors, mentees, out=folder / "r1", alternatives=0)
    first.publish()
    proposed = {
        (cohort.mentee_ids[i], cohort.mentor_ids[j])
        for i, j in enumerate(first.result.solution.mentor_of)
        if j >= 0
    }
    assert proposed and pairs_in(folder / "r1" / "pairs.csv") == proposed
    _, unmatched = read_columns(folder / "r1" / "unmatched.csv", ("mentee_id",))
    assert {r["mentee_id"] for r in unmatched} == set(mentee_ids) - {e for e, _ in proposed}
    history = read_history(folder / "r1" / "history.csv")
    assert {(h.mentee_id, h.mentor_id) for h in history} == proposed

    # The pairs file as pins: every id matches someone, and the pairing is re-created.
    pins = read_pairs(folder / "r1" / "pairs.csv", "pin", cohort, strict=True)
    assert set(pins.ids) == proposed
    # (Not --strict here: that would also refuse these files for the Cs they cannot score.)
    again = match_files(mentors, mentees, out=folder / "r1b", pins=folder / "r1" / "pairs.csv")
    assert not [w for w in again.warnings if "matches no one" in w]
    assert again.outputs["pairs.csv"] == first.outputs["pairs.csv"]

    # A rematch with no failure keeps every pair: nobody left, nobody joined.
    failed = write_rows(folder / "failed.csv", ["mentee_id", "mentor_id", "reason", "note"], [])
    second = rematch_files(
        mentors, mentees, pairs=folder / "r1" / "pairs.csv", failed=failed, out=folder / "r2"
    )
    counts = second.rematch.counts
    assert (counts["kept"], counts["changed"], counts["released"]) == (len(proposed), 0, 0), counts
    assert not second.rematch.changes
    second.publish()
    assert pairs_in(folder / "r2" / "pairs.csv") == proposed

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


def test_nfc_and_nfd_spellings_of_an_id_are_one_id_named_in_both_rows(tmp_path):
    nfc, nfd = "Jos\u00e9", "Jose\u0301"
    assert nfc != nfd and unicodedata.normalize("NFC", nfd) == nfc
    mentors, mentees = id_cohort(tmp_path, [nfc, nfd], ["E1"])
    with pytest.raises(InputError) as info:
        load(mentors, mentees)
    assert [str(p) for p in info.value.problems] == [
        f"mentors.csv, row 3, column 'id', value '{nfc}': duplicate id (also row 2)"
        " — give each person a unique id (ids that look alike are one id, however the accents were typed)"
    ]


def test_an_id_typed_either_way_finds_the_person(tmp_path):
    mentors, mentees = id_cohort(tmp_path, ["Jose\u0301"], ["Zoe\u0308"])
    cohort, _ = load(mentors, mentees)
    assert list(cohort.mentor_ids) == ["Jos\u00e9"]
    assert cohort.mentor_index("Jose\u0301") == cohort.mentor_index("Jos\u00e9") == 0
    assert cohort.mentee_index(" Zo\u00eb ") == 0
    pins = write_rows(tmp_path / "pins.csv", ["mentee_id", "mentor_id"], [["Zo\u00eb", "Jose\u0301"]])
    assert read_pairs(pins, "pin", cohort, strict=True).pairs == ((0, 0),)


@pytest.mark.parametrize("bad", ["E\x011", "E\n1", "E\t1", "E\x7f", "E\x851"])
def test_an_id_with_a_control_character_is_refused_naming_the_row(tmp_path, bad):
    mentors, mentees = id_cohort(tmp_path, ["R1"], ["E0", bad])
    with pytest.raises(InputError) as info:
        load(mentors, mentees)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("mentees.csv", 3, "id")
    assert "control character" in problem.problem
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", str(problem))  # shown escaped, never raw


def test_with_capacity_carries_what_was_computed_and_it_equals_computing_it_again():
    """The review app re-solves with new capacities on cohorts whose records are built:
    what is carried over (and the mentor records rebuilt for the changed rows) equals
    what the new cohort would compute itself."""
    from dataclasses import replace

    from tests.conftest import SAMPLE

    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    names = ("mentee_ids", "mentor_ids", "_mentee_pos", "_mentor_pos", "same_person", "mentee_records",
             "mentor_records", "preferences", "capacity")  # fmt: skip
    for name in names:
        getattr(cohort, name)
    other = cohort.with_capacity({0: 9, 5: 0})
    fresh = replace(other)  # the same tables, nothing computed
    assert other.mentor_records[0]["capacity"] == 9 and other.capacity[5] == 0
    for name in names:
        a, b = getattr(other, name), getattr(fresh, name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        else:  # repr: NaN answers compare equal, and the types show (1 vs 1.0)
            assert repr(a) == repr(b) and [type(x) for x in _values(a)] == [type(x) for x in _values(b)], name
    assert cohort.mentor_records[0]["capacity"] != 9  # the first cohort keeps its own


def _values(x):
    if isinstance(x, list) and x and isinstance(x[0], dict):
        return [v for rec in x for v in rec.values()]
    return []


@pytest.mark.parametrize("preferences", [False, True])
def test_records_are_the_dicts_pandas_gives(tmp_path, preferences):
    """``Cohort.mentee_records`` / ``mentor_records`` (built column by column) equal
    ``DataFrame.to_dict("records")``: the same keys, values and Python types (1 vs 1.0,
    NaN, blanks), on generated cohorts with blanks and preference columns and on the sample."""
    from matcher.io.cohort import records
    from matcher.synthetic.cohort import generate_cohort
    from tests.conftest import SAMPLE

    mentors, mentees = generate_cohort(60, 25, seed=3, blanks=0.2, preferences=preferences)
    mentors.to_csv(tmp_path / "mentors.csv", index=False)
    mentees.to_csv(tmp_path / "mentees.csv", index=False)
    for folder in (tmp_path, SAMPLE):
        cohort, _ = load(folder / "mentors.csv", folder / "mentees.csv")
        for table, got in ((cohort.mentees, cohort.mentee_records), (cohort.mentors, cohort.mentor_records)):
            want = table.to_dict("records")
            assert repr(got) == repr(want)  # repr: NaN answers compare equal
            assert [type(v) for r in got for v in r.values()] == [type(v) for r in want for v in r.values()]
    assert records(cohort.mentees.iloc[:0]) == [] and records(cohort.mentees[[]]) == [{}] * cohort.n_mentees
