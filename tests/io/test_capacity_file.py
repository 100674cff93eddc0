"""``--capacity FILE``: capacities for this round instead of the mentors file's.

The oracle is the mentors file itself: a run with a capacity file must write exactly the
files of a run whose mentors file was edited to the same capacities.
"""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.api import load
from matcher.errors import InputError
from matcher.io.capacity_file import read_capacities
from tests.conftest import SAMPLE


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def edited_mentors(tmp_path, changes: dict[str, int]):
    text = (SAMPLE / "mentors.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    k = rows[0].index("capacity")
    for row in rows[1:]:
        if row and row[0] in changes:
            row[k] = str(changes[row[0]])
    path = tmp_path / "mentors-edited.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "timings.json"}


def test_a_capacity_file_writes_what_an_edited_mentors_file_writes(tmp_path):
    changes = {"R001": 0, "R002": 6, "R010": 1}
    cap = tmp_path / "capacity.csv"
    cap.write_text(
        "mentor_id,capacity,reason\nR001,0,on leave\nR002,6,offered more\nR010,1,\n", encoding="utf-8"
    )
    common = ["--mentees", SAMPLE / "mentees.csv", "--config", SAMPLE / "programme.toml"]
    a = run("match", "--mentors", SAMPLE / "mentors.csv", *common, "--capacity", cap, "--out", tmp_path / "a")
    b = run("match", "--mentors", edited_mentors(tmp_path, changes), *common, "--out", tmp_path / "b")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    got, want = files(tmp_path / "a"), files(tmp_path / "b")
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
    pairs = list(csv.DictReader(io.StringIO((tmp_path / "a" / "pairs.csv").read_text(encoding="utf-8-sig"))))
    assert not any(r["mentor_id"] == "R001" for r in pairs)  # capacity 0: left out
    assert sum(r["mentor_id"] == "R010" for r in pairs) <= 1
    # explain reads the same file, so it explains that same match
    e = run(
        "explain",
        "--mentors",
        SAMPLE / "mentors.csv",
        *common,
        "--capacity",
        cap,
        "--mentee",
        pairs[0]["mentee_id"],
    )
    assert e.exit_code == 0 and f"proposed mentor {pairs[0]['mentor_id']}" in e.output


def test_capacity_file_problems_name_row_and_column(tmp_path):
    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    cap = tmp_path / "capacity.csv"
    cap.write_text(
        "mentor_id,capacity\n,2\nR001,-1\nR002,lots\nR003,2\nR003,3\nR004,10001\nR005,2.0\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        read_capacities(cap, cohort)
    where = [(p.row, p.column) for p in err.value.problems]
    assert where == [(2, "mentor_id"), (3, "capacity"), (4, "capacity"), (6, "capacity"), (7, "capacity")]
    assert (
        "capacity.csv, row 6, column 'capacity', value '3': this mentor is given capacity 2 on row 5"
        in str(err.value)
    )


def test_unknown_mentor_is_a_warning_and_an_error_when_strict(tmp_path):
    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    cap = tmp_path / "capacity.csv"
    cap.write_text("mentor_id,capacity\nR999,2\nR001,4\n", encoding="utf-8")
    got = read_capacities(cap, cohort)
    assert got.capacity == {0: 4} and [w.value for w in got.warnings] == ["R999"]
    with pytest.raises(InputError, match="R999"):
        read_capacities(cap, cohort, strict=True)
    result = run(
        "match",
        "--mentors",
        SAMPLE / "mentors.csv",
        "--mentees",
        SAMPLE / "mentees.csv",
        "--capacity",
        cap,
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 0
    assert "Warning: capacity.csv, row 2, column 'mentor_id', value 'R999': matches no one" in result.stderr


def test_the_cohort_given_is_not_changed(tmp_path):
    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    before = cohort.capacity.copy()
    other = cohort.with_capacity({0: 9})
    assert other.capacity[0] == 9 and (cohort.capacity == before).all()
    assert cohort.mentors["capacity"].iat[0] == before[0]


def test_a_capacity_below_the_pins_is_an_error_naming_the_pins(tmp_path):
    cap = tmp_path / "capacity.csv"
    cap.write_text("mentor_id,capacity\nR001,1\n", encoding="utf-8")
    pins = tmp_path / "pins.csv"
    pins.write_text("mentee_id,mentor_id\nE001,R001\nE002,R001\n", encoding="utf-8")
    result = run(
        "match",
        "--mentors",
        SAMPLE / "mentors.csv",
        "--mentees",
        SAMPLE / "mentees.csv",
        "--pin",
        pins,
        "--capacity",
        cap,
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 1
    assert "pins give this mentor 2 mentees (rows 2, 3) but capacity is 1" in result.output
    assert not (tmp_path / "out").exists()
