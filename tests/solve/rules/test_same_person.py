"""Family 6 of issue 14: one person can never be their own mentor.

A person in both files (the same id, or the same email in any case) is warned about by the
loader and excluded from pairing with themselves by the ``same_person`` hard rule, whatever
the seniority rule says (``any`` used to let the solver pair them). The generator builds
cohorts where random people appear in both files, by id or by email, and checks both
engines, scores.csv, pins, the checker and the warnings; cohorts without such people run
exactly as before (the rule is not even listed as applied).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.api import load, match, match_files, scores_files, strict_problems
from matcher.errors import InputError
from matcher.io.config import parse_config
from matcher.solve.check import check
from matcher.solve.rules import RULES
from tests.conftest import past_coverage, write_csv


def _people(n_mentors, n_mentees, both, by_email):
    mentors = [
        {"id": f"R{j}", "email": f"r{j}@example.org", "seniority": 3, "capacity": 2} for j in range(n_mentors)
    ]
    mentees = [{"id": f"E{i}", "email": f"e{i}@example.org", "seniority": 3} for i in range(n_mentees)]
    for k, (i, j) in enumerate(both):
        if by_email[k]:
            mentees[i]["email"] = mentors[j]["email"].upper()  # the same address, other case
        else:
            mentees[i]["id"] = mentors[j]["id"]
    return mentors, mentees


@st.composite
def cohorts(draw):
    n_r = draw(st.integers(1, 4))
    n_e = draw(st.integers(1, 5))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_e - 1), st.integers(0, n_r - 1)),
            min_size=1,
            max_size=min(n_e, n_r),
            unique_by=(lambda t: t[0], lambda t: t[1]),
        )
    )
    by_email = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    return _people(n_r, n_e, pairs, by_email), pairs, by_email


@settings(max_examples=30)
@given(data=cohorts(), engine=st.sampled_from(["flow", "cp_sat"]))
def test_nobody_is_paired_with_themselves(tmp_path_factory, data, engine):
    (mentors, mentees), pairs, by_email = data
    folder = tmp_path_factory.mktemp("self")
    m = write_csv(folder / "mentors.csv", mentors)
    e = write_csv(folder / "mentees.csv", mentees)
    config = folder / "programme.toml"
    config.write_text(f'[rules]\nseniority = "any"\n[solver]\nengine = "{engine}"\n', encoding="utf-8")
    cohort, cfg = load(m, e, config)
    same = {(i, j) for i, j, _ in cohort.same_person}
    want = {(cohort.mentee_index(mentees[i]["id"]), cohort.mentor_index(mentors[j]["id"])) for i, j in pairs}
    assert same == want
    # One warning per person in both files, naming the mentee's row and how they match.
    both_warnings = [w for w in cohort.warnings if "the same person" in w.problem]
    assert sorted((w.row, w.column) for w in both_warnings) == sorted(
        (i + 2, "email" if em else "id") for (i, _), em in zip(pairs, by_email, strict=True)
    )
    assert all("@" not in str(w) for w in both_warnings)  # emails are never echoed
    # --strict turns warnings into errors, but not these: the rule already keeps them apart.
    assert not [p for p in strict_problems(cohort) if "the same person" in p.problem]
    result = match(cohort, cfg)
    assert result.report.ok
    mentor_of = result.solution.mentor_of
    assert not [(i, j) for i, j in same if mentor_of[i] == j]
    assert "same_person" in result.rules_applied
    assert check(result.problem, mentor_of).ok
    # Forcing the self-pair in breaks the rule in the independent checker.
    for i, j in same:
        forced = mentor_of.copy()
        forced[i] = j
        assert any("same_person" in v for v in check(result.problem, forced).violations)
    run = scores_files(m, e, config, out=folder / "scores.csv")
    rows = list(csv.DictReader(io.StringIO(bytes(run.outputs[next(iter(run.outputs))]).decode("utf-8-sig"))))
    for row in rows:
        i, j = cohort.mentee_index(row["mentee_id"]), cohort.mentor_index(row["mentor_id"])
        assert ("same_person" in row["reason_infeasible"].split(";")) == ((i, j) in same)
        if (i, j) in same:
            assert row["feasible"] == "no" and row["objective"] == ""


def test_the_issue_example_same_id_and_any_seniority(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", [{"id": "P1", "seniority": 3, "capacity": 1}])
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "P1", "seniority": 3}])
    config = tmp_path / "programme.toml"
    config.write_text('[rules]\nseniority = "any"\n', encoding="utf-8")
    run = match_files(mentors, mentees, config, out=tmp_path / "out")
    assert run.result.solution.mentor_of.tolist() == [-1]
    assert past_coverage(run.warnings)[0] == (
        "mentees.csv, row 2, column 'id', value 'P1': the same person is in mentors.csv (row 2, same id)"
        " — they are never paired with themselves; keep them in one file if they only mentor or only want a mentor"
    )
    unmatched = run.outputs["unmatched.csv"].decode("utf-8-sig").splitlines()
    assert unmatched[1] == "P1,,the only mentor is the mentee themself"


def test_a_pin_of_a_person_to_themselves_is_an_error_naming_the_rule(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", [{"id": "P1", "capacity": 1}, {"id": "R2", "capacity": 1}])
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "P1"}])
    pins = write_csv(tmp_path / "pins.csv", [{"mentee_id": "P1", "mentor_id": "P1"}])
    with pytest.raises(InputError) as info:
        match_files(mentors, mentees, out=tmp_path / "out", pins=pins)
    assert "same_person (same person)" in str(info.value)


def test_without_people_in_both_files_the_rule_is_not_applied(tmp_path):
    (mentors, mentees) = _people(2, 2, [], [])
    cohort, _ = load(write_csv(tmp_path / "m.csv", mentors), write_csv(tmp_path / "e.csv", mentees))
    assert cohort.same_person == ()
    result = match(cohort, parse_config({"rules": {"seniority": "any"}}))
    assert "same_person" not in result.rules_applied
    assert RULES["same_person"].settings == ()  # a hard rule with nothing to switch off
    assert np.all(result.solution.mentor_of >= 0)
