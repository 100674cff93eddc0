"""The questionnaire kit, and its round trip: answers collected with a Google or Microsoft form
built from the kit's own questions, exported as those tools write them, match with the kit's
config — no error, every C in use, and the same pairing as the same answers in the default
format."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib

import openpyxl
import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.api import match_files, questionnaire_files, validate_files
from matcher.io.questionnaire import COLUMNS, columns_for
from matcher.io.questions import (
    AGREEMENT,
    EXAMPLE_ID,
    IMPORTANCE,
    QUESTIONS,
    column_table,
    kit_answers,
    questions_for,
)
from matcher.report.kit import KIT_FILES
from tests.conftest import ROOT, SAMPLE

ZONE_WORDS = {  # how people answer "Which time zone are you in?"
    "Europe/London": ("United Kingdom", "London", "GMT/BST", "UK"),
    "Europe/Dublin": ("Ireland",),
    "Europe/Berlin": ("Berlin", "Germany"),
    "Australia/Sydney": ("Sydney",),
    "Asia/Kolkata": ("India", "Bengaluru"),
    "America/New_York": ("New York",),
}
COMMA_TOPIC = "Research, grants and publishing"


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def default_cohort(tmp_path):
    """The sample cohort in the default format, with a kit topic that holds a comma given to a
    few people (an option the form joins with ", " like any other)."""
    sides = {}
    for side in ("mentors", "mentees"):
        rows = read_rows(SAMPLE / f"{side}.csv")
        for k, row in enumerate(rows):
            if k % 7 == 0:
                row["topics"] = ";".join([*filter(None, row["topics"].split(";")), COMMA_TOPIC.lower()])
        path = tmp_path / f"default_{side}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        sides[side] = (path, rows)
    return sides


def answer(q, row, k):
    """What a person answered to question ``q``, as the form exports it (``k``: their row)."""
    if q.column is None:
        return "I agree"
    value = row.get(q.column, "")
    if value == "":
        return ""
    if q.form == "grid":
        return q.options[int(value) - 1]
    if q.column in ("mode", "level"):
        return {v: o for o, v in kit_answers(q.column).items()}[value]
    if q.column == "timezone":
        words = ZONE_WORDS[value]
        return words[k % len(words)]
    if q.form == "checkboxes":
        return ", ".join(x.strip().capitalize() if x == COMMA_TOPIC.lower() else x for x in value.split(";"))
    if q.column == "avoid":
        return "; ".join(value.split(";"))
    return value


def form_export(tool, side, rows, path):
    questions = questions_for(side)
    if tool == "google":
        header = ["Timestamp", *(q.header_google for q in questions)]
    else:
        header = [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            *(q.header_microsoft for q in questions),
        ]
    out = [header]
    for k, row in enumerate(rows):
        answers = [answer(q, row, k) for q in questions]
        if tool == "google":
            out.append([f"2026/05/{1 + k % 28:02d} 10:{k % 60:02d}:00 AM GMT+1", *answers])
        else:
            start = f"5/{1 + k % 28}/26 10:{k % 60:02d}:00"
            out.append([str(k + 1), start, start, "anonymous", "", *answers])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(out)
    path.write_text(buf.getvalue(), encoding="utf-8-sig" if tool == "microsoft" else "utf-8")
    return path


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit")
    questionnaire_files(out=folder).publish()
    return folder


def test_the_kit_writes_every_file_the_same_every_time(kit, tmp_path):
    assert sorted(p.name for p in kit.iterdir()) == sorted(KIT_FILES)
    again = questionnaire_files(out=tmp_path)
    assert all(again.outputs[name] == (kit / name).read_bytes() for name in KIT_FILES)


def test_the_cli_command_writes_the_kit(tmp_path):
    result = CliRunner().invoke(cli, ["questionnaire", "--out", str(tmp_path / "kit")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote the questionnaire kit to {tmp_path / 'kit'}:")
    assert sorted(p.name for p in (tmp_path / "kit").iterdir()) == sorted(KIT_FILES)


@pytest.mark.parametrize("tool", ["google", "microsoft"])
def test_round_trip_through_a_form_export(kit, tmp_path, tool):
    sides = default_cohort(tmp_path)
    exported = {
        side: form_export(tool, side, rows, tmp_path / f"{tool}_{side}.csv")
        for side, (_, rows) in sides.items()
    }
    warned: list[str] = []
    run = match_files(
        exported["mentors"],
        exported["mentees"],
        kit / "programme.toml",
        out=tmp_path / "out",
        warn=warned.append,
    )
    assert warned == []  # no error, no C left out, nothing to say
    assert run.result.scores.used == ("compatibility", "contrast", "challenge", "context", "care")
    assert run.cohort.mentor_columns == frozenset(columns_for("mentors"))
    assert run.cohort.mentee_columns == frozenset(columns_for("mentees"))
    assert any("research, grants and publishing" in t for t in run.cohort.mentors["topics"])

    plain = match_files(sides["mentors"][0], sides["mentees"][0], out=tmp_path / "plain")
    assert (run.result.solution.mentor_of == plain.result.solution.mentor_of).all()
    assert (run.result.scores.score == plain.result.scores.score).all()
    assert (run.result.scores.readiness == plain.result.scores.readiness).all()
    summary = json.loads(run.outputs["summary.json"])
    assert "scoring_warnings" not in summary
    if tool == "microsoft":
        assert (
            "mentors.csv: ID (added by Microsoft Forms)" not in summary["columns_ignored"]
        )  # named per file
        assert f"{exported['mentors'].name}: ID (added by Microsoft Forms)" in summary["columns_ignored"]
    else:
        assert f"{exported['mentors'].name}: Timestamp (added by Google Forms)" in summary["columns_ignored"]


def test_the_kit_config_is_not_even_needed_for_the_kits_own_wording(kit, tmp_path):
    sides = default_cohort(tmp_path)
    m = form_export("google", "mentors", sides["mentors"][1], tmp_path / "m.csv")
    e = form_export("google", "mentees", sides["mentees"][1], tmp_path / "e.csv")
    run = validate_files(m, e)
    assert run.warnings == ()
    assert run.cohort.mentor_columns == frozenset(columns_for("mentors"))


def test_programme_toml_maps_every_header_the_forms_export(kit):
    config = tomllib.loads((kit / "programme.toml").read_text(encoding="utf-8"))
    for side in ("mentors", "mentees"):
        table = config["columns"][side]
        for q in questions_for(side):
            if q.column is not None:
                assert table[q.header_google] == q.column
                assert table[q.header_microsoft] == q.column


def test_form_json_lists_titles_types_and_options_in_order(kit):
    form = json.loads((kit / "form.json").read_text(encoding="utf-8"))
    mentees = form["mentees"]
    ready = next(item for item in mentees if item.get("columns", [""])[0] == "ready_open")
    assert ready["google_forms_type"] == "Multiple choice grid" and ready["microsoft_forms_type"] == "Likert"
    assert ready["options"] == list(AGREEMENT)
    assert ready["columns"] == [
        "ready_open",
        "ready_committed",
        "ready_challenge",
        "ready_feedback",
        "ready_respect",
    ]
    want = next(item for item in mentees if item.get("columns", [""])[0] == "want_compatibility")
    assert want["options"] == list(IMPORTANCE)
    mode = next(item for item in mentees if item.get("column") == "mode")
    assert mode["options"] == ["In person", "Online (video call)", "Either is fine"]
    asked = {c for item in form["mentors"] for c in item.get("columns", [item.get("column")])}
    assert asked - {None} == set(columns_for("mentors"))


def test_the_templates_have_notes_drop_downs_and_an_example_row_the_loader_skips(kit, tmp_path):
    book = openpyxl.load_workbook(kit / "mentees.xlsx")
    sheet = book["mentees"]
    headers = [c.value for c in sheet[1]]
    questions = [q for q in questions_for("mentees") if q.column is not None]
    assert headers == [q.title for q in questions]
    assert all(sheet.cell(1, k + 1).comment is not None for k in range(len(headers)))
    assert "Fills column: ready_open" in sheet.cell(1, headers.index(questions[-5].title) + 1).comment.text
    assert sheet.cell(2, 1).value == EXAMPLE_ID
    validated = {str(dv.sqref).split(":")[0] for dv in sheet.data_validations.dataValidation}
    for k, q in enumerate(questions):
        letter = openpyxl.utils.get_column_letter(k + 1)
        assert (f"{letter}2" in validated) == (bool(q.options) and q.form != "checkboxes"), q.column
    # A coordinator adds two people below the example row and leaves it in.
    for row, pid in ((3, "E1"), (4, "E2")):
        sheet.cell(row, 1, pid)
        sheet.cell(row, headers.index("How would you like to meet?") + 1, "In person")
    book.save(tmp_path / "mentees.xlsx")
    mentors = openpyxl.load_workbook(kit / "mentors.xlsx")
    ws = mentors["mentors"]
    mheaders = [c.value for c in ws[1]]
    ws.cell(3, 1, "R1")
    ws.cell(3, mheaders.index("How many mentees can you take on this round?") + 1, 2)
    mentors.save(tmp_path / "mentors.xlsx")
    run = validate_files(tmp_path / "mentors.xlsx", tmp_path / "mentees.xlsx")
    assert list(run.cohort.mentees["id"]) == ["E1", "E2"]
    assert list(run.cohort.mentors["id"]) == ["R1"]
    assert "mentees.xlsx: row 2 skipped: it is the kit template's example row" in run.warnings


def test_the_page_escapes_and_allows_no_script(kit):
    page = (kit / "questions.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "<script" not in page
    assert "mentor&#x27;s time and boundaries" in page
    for q in QUESTIONS:
        assert q.title.replace("'", "&#x27;") in page


def test_every_column_is_asked_and_every_answer_option_is_understood():
    asked = {q.column for q in QUESTIONS} - {None}
    assert asked == {c.name for c in COLUMNS}
    for side in ("mentors", "mentees"):
        titles = [q.header_google for q in questions_for(side)] + [q.title for q in questions_for(side)]
        assert len(set(titles)) == len({*titles})


def test_the_readme_column_table_is_the_questions_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- columns:start -->\n(.*?)<!-- columns:end -->", readme, flags=re.DOTALL)
    assert block is not None, "README has no generated column table"
    assert block.group(1) == column_table()
