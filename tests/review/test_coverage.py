"""No silent degradation: whatever the files do not let us score is said on stderr by validate,
match, rematch and scores, at the top of summary.json and report.html, and is an error with
--strict."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import cli
from matcher.api import load
from matcher.io.questionnaire import columns_for
from scoring.combine import score_cohort
from scoring.coverage import cs_in_use, gaps
from tests.conftest import SAMPLE

MENTOR_COLS = [c for c in columns_for("mentors") if c not in ("id", "capacity")]
MENTEE_COLS = [c for c in columns_for("mentees") if c != "id"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="mentor-match")


def subset(src, dst, keep, rows=12):
    with open(src, encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))[:rows]
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=keep, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(table)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    r=st.sets(st.sampled_from(MENTOR_COLS)),
    e=st.sets(st.sampled_from(MENTEE_COLS)),
)
def test_the_cs_said_to_be_in_use_are_the_cs_scored(tmp_path_factory, r, e):
    """The coverage table agrees with scoring on any subset of columns."""
    folder = tmp_path_factory.mktemp("cols")
    subset(SAMPLE / "mentors.csv", folder / "mentors.csv", ["id", "capacity", *sorted(r)])
    subset(SAMPLE / "mentees.csv", folder / "mentees.csv", ["id", *sorted(e)])
    cohort, config = load(folder / "mentors.csv", folder / "mentees.csv")
    scores = score_cohort(cohort, config.scoring)
    assert cs_in_use(cohort.mentee_columns, cohort.mentor_columns) == scores.used


def test_every_column_in_use_means_no_gap():
    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    assert gaps(cohort.mentee_columns, cohort.mentor_columns) == []


@pytest.fixture
def partial(tmp_path):
    """An export where only id and capacity were mapped: 2 Cs of 5 left, most columns ignored."""
    m, e = tmp_path / "mentors.csv", tmp_path / "mentees.csv"
    subset(SAMPLE / "mentors.csv", m, ["id", "capacity", "care", "level", "Team", "Job"], rows=6)
    subset(SAMPLE / "mentees.csv", e, ["id", "Team", "ready_open"], rows=8)
    return m, e


EXPECTED = [
    "Warning: compatibility cannot be scored: no style_structure, style_pace, style_directness, interests,"
    " timezone or mode column in mentors.csv; no style_structure, style_pace, style_directness, interests,"
    " timezone or mode column in mentees.csv",
    "Warning: contrast cannot be scored: no department or profession column in mentors.csv;"
    " no department or profession column in mentees.csv",
    "Warning: challenge cannot be scored: no challenge column in mentors.csv",
    "Warning: context: goal topics, goals against expertise and seniority gap left out (no topics, expertise"
    " or seniority column in mentors.csv; no topics, goals or seniority column in mentees.csv)",
    "Warning: how much each C matters to each mentee is not known: no want_compatibility, want_contrast,"
    " want_challenge, want_context or want_care column in mentees.csv (every C counts as 3 for everyone)",
    "Warning: 3 columns of the files were ignored: mentors.csv: Team; mentors.csv: Job; mentees.csv: Team",
]


def test_validate_warns_of_every_gap_and_lists_the_ignored_columns(partial):
    m, e = partial
    result = invoke("validate", "--mentors", m, "--mentees", e)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == EXPECTED
    assert result.stdout == "OK: 6 mentors and 8 mentees, no errors; 6 warnings above.\n"


def test_strict_makes_each_gap_an_error_and_writes_nothing(partial, tmp_path):
    m, e = partial
    for command in (["validate"], ["match", "--out", tmp_path / "out"]):
        result = invoke(*command, "--mentors", m, "--mentees", e, "--strict")
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert lines[0] == "Error: 5 problems in the input:"
        assert lines[3] == (
            "  mentors.csv: challenge cannot be scored: no challenge column in mentors.csv (--strict)"
            " — add the column or map its header in [columns] (mentor-match map proposes a map),"
            " or leave out --strict"
        )
    assert not (tmp_path / "out").exists()


def test_match_says_it_on_stderr_and_at_the_top_of_summary_and_report(partial, tmp_path):
    m, e = partial
    result = invoke("match", "--mentors", m, "--mentees", e, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("Warning:")] == EXPECTED
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert next(iter(summary)) == "scoring_warnings"
    assert summary["scoring_warnings"] == [w.removeprefix("Warning: ") for w in EXPECTED]
    assert summary["cs_used"] == ["context", "care"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    head = html.index('id="headline"')
    assert html.index('id="not-scored"') < html.index('class="kpis"', head)
    assert "contrast cannot be scored: no department or profession column in mentors.csv" in html


def test_rematch_and_scores_say_it_too(partial, tmp_path):
    m, e = partial
    assert invoke("match", "--mentors", m, "--mentees", e, "--out", tmp_path / "r1").exit_code == 0
    failed = tmp_path / "failed.csv"
    failed.write_text("mentee_id,mentor_id,reason,note\n", encoding="utf-8")
    rematch = invoke(
        "rematch", "--mentors", m, "--mentees", e, "--pairs", tmp_path / "r1" / "pairs.csv",
        "--failed", failed, "--out", tmp_path / "r2",
    )  # fmt: skip
    scores = invoke("scores", "--mentors", m, "--mentees", e, "--out", tmp_path / "s.csv")
    for result in (rematch, scores):
        assert result.exit_code == 0, result.output
        assert [x for x in result.stderr.splitlines() if x.startswith("Warning:")] == EXPECTED


def test_a_full_cohort_says_nothing_of_the_kind():
    result = invoke("validate", "--mentors", SAMPLE / "mentors.csv", "--mentees", SAMPLE / "mentees.csv")
    assert result.exit_code == 0
    assert result.stderr == ""
