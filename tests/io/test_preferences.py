"""Preference and decline entries resolve to the right people by id, exact name or email;
an entry that matches no one or several people is a warning naming file, row, column and
position (never the entry's text), an error with --strict, and is never guessed."""

from __future__ import annotations

import unicodedata

import pytest

from matcher.api import load
from matcher.errors import InputError
from tests.conftest import write_csv

MENTORS = [
    {
        "id": "R1",
        "name": "Zoë Adams",
        "email": "zoe@x.org",
        "capacity": 1,
        "preferred_mentees": "",
        "declined_mentees": "",
    },
    {
        "id": "R2",
        "name": "Sam Lee",
        "email": "sam1@x.org",
        "capacity": 1,
        "preferred_mentees": "E2; e1@x.org",
        "declined_mentees": "Kim Park",
    },
    {
        "id": "R3",
        "name": "Sam Lee",
        "email": "sam2@x.org",
        "capacity": 1,
        "preferred_mentees": "",
        "declined_mentees": "",
    },
]
MENTEES = [
    {"id": "E1", "name": "Ann Bell", "email": "E1@X.org", "preferred_mentors": ""},
    {"id": "E2", "name": "Kim Park", "email": "kim@x.org", "preferred_mentors": ""},
]


def _files(tmp_path, mentee_choice: str):
    mentees = [dict(MENTEES[0], preferred_mentors=mentee_choice), MENTEES[1]]
    return write_csv(tmp_path / "mentors.csv", MENTORS), write_csv(tmp_path / "mentees.csv", mentees)


def test_entries_resolve_by_id_exact_name_and_email_in_order(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Zoë Adams")  # same name, other Unicode form
    mentors, mentees = _files(tmp_path, f"ZOE@x.org; R3; {decomposed}")
    cohort, _ = load(mentors, mentees)
    prefs = cohort.preferences
    assert cohort.warnings == ()
    # ZOE@x.org and the decomposed name both mean R1: it keeps its first (best) rank
    assert prefs.mentee_choices == ((0, 2), ())
    assert prefs.mentor_choices == ((), (1, 0), ())
    assert prefs.declined == ((1, 1),)  # "Kim Park" → E2, declined by R2
    assert prefs.stated


def test_unknown_and_ambiguous_entries_warn_without_echoing_them(tmp_path):
    mentors, mentees = _files(tmp_path, "Sam Lee;Nobody Here;R2")
    cohort, _ = load(mentors, mentees)
    lines = [str(w) for w in cohort.warnings]
    assert lines == [
        "mentees.csv, row 2, column 'preferred_mentors': entry 1 matches 2 people in the mentors file "
        "(rows 3, 4) — write their id instead",
        "mentees.csv, row 2, column 'preferred_mentors': entry 2 matches no one in the mentors file "
        "— write their id, exact name or email as in the mentors file, separated by ;",
    ]
    assert not any("Sam" in line or "Nobody" in line for line in lines)
    assert cohort.preferences.mentee_choices[0] == (1,)  # only R2: nothing guessed
    with pytest.raises(InputError) as err:
        load(mentors, mentees, strict=True)
    assert [str(p) for p in err.value.problems if "preferred" in str(p)] == lines


def test_no_preference_columns_means_no_choices(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", [{"id": "R1", "capacity": 1}])
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "E1"}])
    prefs = load(mentors, mentees)[0].preferences
    assert prefs.mentee_choices == ((),) and prefs.mentor_choices == ((),) and prefs.declined == ()
    assert not prefs.stated


def test_more_choices_than_count_is_said_not_silently_dropped(tmp_path):
    mentors, mentees = _files(tmp_path, "R1;R2;R3")
    cfg = tmp_path / "programme.toml"
    cfg.write_text("[preferences]\nmax_choices = 2\n", encoding="utf-8")
    cohort, _ = load(mentors, mentees, cfg)
    assert [str(w) for w in cohort.warnings] == [
        "mentees.csv, row 2, column 'preferred_mentors': lists 3 people; only the first 2 count "
        "— keep the choices that matter most first, or raise [preferences] max_choices"
    ]
    assert cohort.preferences.mentee_choices[0] == (0, 1, 2)  # resolved in full; the audit and bonus count 2
    assert load(mentors, mentees)[0].warnings == ()  # the default counts 3
