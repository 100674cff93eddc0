"""Real exports read as they are: the header found below title rows, Qualtrics' and
SurveyMonkey's header rows, form tools' own columns (timestamps, response ids, consent)
ignored and listed, Microsoft Forms' ID / Email / Name, grid and multi-select columns."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from cli.main import cli
from matcher.api import load, validate_files
from matcher.io.questions import STYLE_GRID
from tests.io.corpus import make_corpus as gen

MENTORS = [["id", "capacity", "care", "mode"], ["R1", "2", "Agree", "Online"], ["R2", "1", "5", "Hybrid"]]
MENTEES = [["id", "ready_open", "mode"], ["E1", "Strongly agree", "In person"], ["E2", "3", "Face to face"]]


def write(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="mentor-match")


def test_a_title_row_above_the_header_in_a_csv(tmp_path):
    m = write(tmp_path / "mentors.csv", [["Mentor survey — responses"], ["Exported 3 May"], *MENTORS])
    e = write(tmp_path / "mentees.csv", MENTEES)
    run = validate_files(m, e)
    assert run.warnings[0] == (
        "mentors.csv: row 3 used as the header: it names 4 known columns (2 rows above it skipped, e.g. a title)"
    )
    cohort = run.cohort
    assert list(cohort.mentors["id"]) == ["R1", "R2"]
    assert list(cohort.mentors["_row"]) == [4, 5]  # spreadsheet rows as shown
    assert list(cohort.mentors["mode"]) == ["virtual", "either"]


def test_a_title_row_above_the_header_in_an_xlsx(tmp_path):
    m = gen.write_xlsx(tmp_path / "mentors.xlsx", {"Responses": [["Mentoring programme 2026"], [], *MENTORS]})
    e = write(tmp_path / "mentees.csv", MENTEES)
    result = invoke("validate", "--mentors", m, "--mentees", e)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "Warning: mentors.xlsx: row 3 used as the header: it names 4 known columns"
        " (1 row above it skipped, e.g. a title)"
    )


def test_a_first_row_header_says_nothing_about_it(tmp_path):
    run = validate_files(write(tmp_path / "m.csv", MENTORS), write(tmp_path / "e.csv", MENTEES))
    assert not any("used as the header" in w for w in run.warnings)


def test_qualtrics_three_header_rows(tmp_path):
    rows = [
        ["StartDate", "EndDate", "Status", "ResponseId", "Q1", "Q2", "Q3", "Q4"],
        ["Start Date", "End Date", "Response Type", "Response ID", "id", "capacity", "care", "mode"],
        [
            '{"ImportId":"startDate"}',
            '{"ImportId":"endDate"}',
            '{"ImportId":"status"}',
            '{"ImportId":"_recordId"}',
            '{"ImportId":"QID1_TEXT"}',
            '{"ImportId":"QID2"}',
            '{"ImportId":"QID3"}',
            '{"ImportId":"QID4"}',
        ],
        ["2026-05-01 10:00", "2026-05-01 10:05", "IP Address", "R_1", "R1", "2", "Agree", "Online"],
        ["2026-05-01 11:00", "2026-05-01 11:05", "IP Address", "R_2", "R2", "1", "5", "Hybrid"],
    ]
    m = write(tmp_path / "mentors.csv", rows)
    run = validate_files(m, write(tmp_path / "mentees.csv", MENTEES))
    assert run.warnings[0] == "mentors.csv: Qualtrics export: row 2 used as the header"
    assert list(run.cohort.mentors["id"]) == ["R1", "R2"]
    assert list(run.cohort.mentors["_row"]) == [4, 5]
    # Qualtrics' own columns are ignored, and listed as such.
    assert run.cohort.ignored_columns == (
        "mentors.csv: Start Date (added by the form tool)",
        "mentors.csv: End Date (added by the form tool)",
        "mentors.csv: Response Type (added by Qualtrics)",
        "mentors.csv: Response ID (added by Qualtrics)",
    )


def test_qualtrics_label_row_wins_when_it_names_more(tmp_path):
    rows = [
        ["StartDate", "id", "capacity", "care"],
        ["Start Date", "Your staff number", "How many mentees?", "I am caring"],
        ['{"ImportId":"startDate"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}', '{"ImportId":"QID3"}'],
        ["2026-05-01", "R1", "2", "4"],
    ]
    run = validate_files(write(tmp_path / "mentors.csv", rows), write(tmp_path / "mentees.csv", MENTEES))
    assert run.warnings[0] == "mentors.csv: Qualtrics export: row 1 used as the header"
    assert list(run.cohort.mentors["care"]) == [4.0]
    assert run.cohort.ignored_columns == ("mentors.csv: StartDate (added by Qualtrics)",)


def test_surveymonkey_two_header_rows_grids_and_multi_select(tmp_path):
    rows = [
        ["Respondent ID", "Collector ID", "id", "capacity", STYLE_GRID, "", "languages", "", ""],
        [
            "",
            "",
            "Open-Ended Response",
            "Response",
            "I like our conversations to be structured and planned",
            "I like to move at a fast pace",
            "English",
            "French",
            "Other (please specify)",
        ],
        ["1", "9", "R1", "2", "Agree", "Disagree", "English", "", "Gaelic"],
        ["2", "9", "R2", "1", "Strongly agree", "Agree", "", "French", ""],
    ]
    m = write(tmp_path / "mentors.csv", rows)
    run = validate_files(m, write(tmp_path / "mentees.csv", MENTEES))
    assert run.warnings[0] == "mentors.csv: SurveyMonkey export: rows 1 and 2 used as the header"
    r = run.cohort.mentors
    assert list(r["id"]) == ["R1", "R2"] and list(r["_row"]) == [3, 4]
    assert list(r["style_structure"]) == [4.0, 5.0] and list(r["style_pace"]) == [2.0, 4.0]
    assert list(r["languages"]) == [("english", "gaelic"), ("french",)]
    assert "mentors.csv: Respondent ID (added by SurveyMonkey)" in run.cohort.ignored_columns


def test_google_forms_timestamp_consent_grids_and_comma_joins(tmp_path):
    rows = [
        [
            "Timestamp",
            "Your staff, student or membership number",
            "How many mentees can you take on this round?",
            f"{STYLE_GRID} [I like to move at a fast pace]",
            "Which topics could you help a mentee with?",
            "How would you like to meet?",
            "I agree that the programme team may use my answers to find me a mentoring partner",
        ],
        [
            "2026/05/01 10:00:00 AM GMT+1",
            "R1",
            "2",
            "Neither agree nor disagree",
            "Networking, Research, grants and publishing",
            "Online (video call)",
            "I agree",
        ],
    ]
    m = write(tmp_path / "mentors.csv", rows)
    cohort, _ = load(m, write(tmp_path / "mentees.csv", MENTEES))
    r = cohort.mentors
    assert r["style_pace"].iat[0] == 3.0
    assert r["topics"].iat[0] == ("networking", "research, grants and publishing")
    assert r["mode"].iat[0] == "virtual"
    assert cohort.ignored_columns == (
        "mentors.csv: Timestamp (added by Google Forms)",
        "mentors.csv: I agree that the programme team may use my answers to find me a mentoring partner (consent)",
    )


def test_microsoft_forms_id_is_not_the_persons_id_and_the_account_gives_way(tmp_path):
    header = ["ID", "Start time", "Completion time", "Email", "Name"]
    asked = [
        "Your staff, student or membership number",
        "Your full name",
        "How many mentees can you take on this round?",
    ]
    rows = [
        header + asked,
        ["1", "5/1/26 10:00:00", "5/1/26 10:05:00", "anonymous", "", "R7", "Ann Lee", "2"],
        ["2", "5/1/26 11:00:00", "5/1/26 11:04:00", "anonymous", "", "R9", "Bo Kim", "1"],
    ]
    cohort, _ = load(write(tmp_path / "mentors.csv", rows), write(tmp_path / "mentees.csv", MENTEES))
    assert list(cohort.mentors["id"]) == ["R7", "R9"]
    assert list(cohort.mentors["name"]) == ["Ann Lee", "Bo Kim"]
    assert list(cohort.mentors["email"]) == ["anonymous", "anonymous"]  # nobody else asked for it
    assert cohort.ignored_columns == (
        "mentors.csv: ID (added by Microsoft Forms)",
        "mentors.csv: Start time (added by Microsoft Forms)",
        "mentors.csv: Completion time (added by Microsoft Forms)",
        "mentors.csv: Name (added by Microsoft Forms)",
    )


def test_a_header_the_config_maps_is_never_a_form_column(tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('[columns]\n"Timestamp" = "location"\n', encoding="utf-8")
    rows = [["Timestamp", "id", "capacity"], ["Leeds", "R1", "1"]]
    cohort, _ = load(write(tmp_path / "mentors.csv", rows), write(tmp_path / "mentees.csv", MENTEES), config)
    assert list(cohort.mentors["location"]) == ["Leeds"]


def test_an_unrecognised_grid_is_ignored_and_said_out_loud(tmp_path):
    """The issue's case: Google grid headers of another form's wording are not guessed — the
    readiness it held is said to be missing, and the ignored columns are listed."""
    rows = [["id", "How ready are you? [open]", "How ready are you? [committed]"], ["E1", "Agree", "Agree"]]
    result = invoke(
        "match", "--mentors", write(tmp_path / "m.csv", MENTORS), "--mentees", write(tmp_path / "e.csv", rows),
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "Warning: readiness cannot be judged: no ready_open, ready_committed, ready_challenge, ready_feedback"
        " or ready_respect column in e.csv (every mentee counts as 0.5)"
    ) in result.stderr
    assert "e.csv: How ready are you? [open]; e.csv: How ready are you? [committed]" in result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert "scoring_warnings" in summary
