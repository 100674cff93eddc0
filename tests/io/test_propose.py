"""``mentor-match map`` proposes a [columns] mapping (never applied by match on its own), and
every side file — rematch's pairs, failed and history files, pins, forbid — reports every
problem in one pass, together with the questionnaires' and the config's."""

from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.api import map_files, rematch_files
from matcher.errors import InputError
from tests.conftest import SAMPLE

EXPORT_M, EXPORT_E = SAMPLE / "export_mentors.csv", SAMPLE / "export_mentees.csv"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="mentor-match")


def test_map_proposes_the_export_samples_mapping(tmp_path):
    result = invoke("map", "--mentors", EXPORT_M, "--mentees", EXPORT_E, "--out", tmp_path / "columns.toml")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Proposed a mapping for 22 of 22 mentors columns, 28 of 28 mentees columns in {tmp_path / 'columns.toml'}:"
        " check it, then use it with --config\n"
    )
    proposed = tomllib.loads((tmp_path / "columns.toml").read_text(encoding="utf-8"))["columns"]
    # The hand-written config for this export is the truth to compare with.
    truth = tomllib.loads((SAMPLE / "export_columns.toml").read_text(encoding="utf-8"))["columns"]
    for side in ("mentors", "mentees"):
        for header, column in proposed[side].items():
            assert truth[header] == column, (side, header)
    # And with it, the export validates with no problem.
    check = invoke(
        "validate", "--mentors", EXPORT_M, "--mentees", EXPORT_E, "--config", tmp_path / "columns.toml"
    )
    assert check.exit_code == 0 and check.stdout == "OK: 16 mentors and 40 mentees, no problems found.\n"


def test_map_says_how_sure_and_lists_what_it_could_not_map(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text(
        "Timestamp,Staff number,How many mentees could you take?,Meeting preference,Favourite colour\n"
        "2026-05-01,R1,2,Teams call,blue\n2026-05-01,R2,1,Online,red\n2026-05-02,R3,1,Face to face,green\n",
        encoding="utf-8",
    )
    e = tmp_path / "e.csv"
    e.write_text("id,Meeting preference\nE1,In person\n", encoding="utf-8")
    run = map_files(m, e, out=tmp_path / "columns.toml")
    text = run.outputs["columns.toml"].decode("utf-8")
    mapped = tomllib.loads(text)["columns"]
    assert mapped["mentors"] == {
        "Staff number": "id",
        "How many mentees could you take?": "capacity",
        "Meeting preference": "mode",
    }
    assert '#   "Timestamp"  (added by Google Forms)' in text
    assert '#   "Favourite colour"  (no column like it)' in text
    assert '#   mode: "Teams call" in 1 row (is not a known meeting mode' in text
    assert run.warnings == ()
    assert not (tmp_path / "columns.toml").exists()  # nothing written before publish


def test_match_never_applies_a_guessed_mapping(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("Staff number,How many mentees could you take?\nR1,2\n", encoding="utf-8")
    e = tmp_path / "e.csv"
    e.write_text("id\nE1\n", encoding="utf-8")
    result = invoke("match", "--mentors", m, "--mentees", e, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "no column 'id'" in result.stderr and "no column 'capacity'" in result.stderr


@pytest.fixture
def round1(tmp_path):
    out = tmp_path / "r1"
    assert (
        invoke(
            "match", "--mentors", SAMPLE / "mentors.csv", "--mentees", SAMPLE / "mentees.csv", "--out", out
        ).exit_code
        == 0
    )
    return out


def test_rematch_reports_every_problem_of_every_file_at_once(round1, tmp_path):
    failed = tmp_path / "failed.csv"
    failed.write_text(
        "mentee_id,mentor_id,reason,note\nE001,R999,chemistry,\nE002,R998,,\nE003,R997,care,\n",
        encoding="utf-8",
    )
    history = tmp_path / "history.csv"
    history.write_text("round,mentee_id,mentor_id,outcome\nx,E001,R001,gone\n", encoding="utf-8")
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("id,capacity\nR1,two\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        rematch_files(
            mentors,
            SAMPLE / "mentees.csv",
            pairs=round1 / "pairs.csv",
            failed=failed,
            history=history,
            out=tmp_path / "r2",
        )
    lines = [str(p) for p in err.value.problems]
    assert lines == [
        "mentors.csv, row 2, column 'capacity', value 'two': is not a whole number — write a whole number, e.g. 2",
        "failed.csv, row 2, column 'reason', value 'chemistry': is not a known reason — leave it blank or use one of:"
        " compatibility, contrast, challenge, context, care, availability, other",
        "failed.csv, row 2, value 'E001 → R999': this pair is not in the previous pairs — give a pair from --pairs (check both ids)",
        "failed.csv, row 3, value 'E002 → R998': this pair is not in the previous pairs — give a pair from --pairs (check both ids)",
        "failed.csv, row 4, value 'E003 → R997': this pair is not in the previous pairs — give a pair from --pairs (check both ids)",
        "history.csv, row 2, column 'round', value '<1 word hidden>': is not a round number"
        " (a whole number from 1 to 1000000) — keep the round the tool wrote",
        "history.csv, row 2, column 'outcome', value '<1 word hidden>': is not an allowed outcome"
        " — use one of: active, failed, ended",
    ]


def test_pin_and_forbid_problems_are_reported_together(tmp_path):
    pins = tmp_path / "pins.csv"
    pins.write_text("mentee_id,mentor_id\nE001,\n,R001\n", encoding="utf-8")
    forbid = tmp_path / "forbid.csv"
    forbid.write_text("mentee_id,mentor_id,reason\nE002,,x\n", encoding="utf-8")
    result = invoke(
        "match", "--mentors", SAMPLE / "mentors.csv", "--mentees", SAMPLE / "mentees.csv",
        "--pin", pins, "--forbid", forbid, "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: 3 problems in the input:",
        "  pins.csv, row 2, column 'mentor_id', value '': is blank — give both ids on every row",
        "  pins.csv, row 3, column 'mentee_id', value '': is blank — give both ids on every row",
        "  forbid.csv, row 2, column 'mentor_id', value '': is blank — give both ids on every row",
    ]


def test_config_and_file_problems_are_reported_together(tmp_path):
    config = tmp_path / "programme.toml"
    config.write_text('[weights]\ncare = -1\n[columns]\n"Staff" = "id"\n', encoding="utf-8")
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("Staff,capacity\nR1,x\n", encoding="utf-8")
    result = invoke("validate", "--mentors", mentors, "--mentees", SAMPLE / "mentees.csv", "--config", config)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: 2 problems in the input:",
        "  programme.toml, key 'weights.care', value '-1': must be between 0 and 1000 — e.g. 1.0",
        "  mentors.csv, row 2, column 'capacity', value 'x': is not a whole number — write a whole number, e.g. 2",
    ]
