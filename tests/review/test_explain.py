"""explain with stated choices: whose choice a pair is and the bonus the solver adds, so the
numbers reconcile (score + bonus = what the solver counts = the problem's score); the
summary and the report say which figures include the bonus."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from matcher.api import load, match, match_files
from matcher.io.config import parse_config
from matcher.review.explain import explain_text
from matcher.synthetic.cohort import write_cohort


@pytest.fixture(scope="module")
def cohort_files(tmp_path_factory):
    return write_cohort(tmp_path_factory.mktemp("explain"), 80, 30, 4, preferences=True)


def test_explain_shows_the_choice_and_the_bonus_that_reconcile(cohort_files, tmp_path):
    m, e = cohort_files
    cohort, _ = load(m, e)
    config = parse_config({"preferences": {"mentee_bonus": [15, 10, 5], "mentor_bonus": 5}})
    result = match(cohort, config)
    from matcher.report.tables import pairs_table

    header, rows = pairs_table(result)
    col = {h: k for k, h in enumerate(header)}
    seen_bonus = 0
    for row in rows:
        i, j = cohort.mentee_index(row[col["mentee_id"]]), cohort.mentor_index(row[col["mentor_id"]])
        text = explain_text(result, i)
        bonus = float(row[col["bonus"]])
        line = next(x for x in text.splitlines() if x.startswith("  choice bonus"))
        assert line.startswith(
            f"  choice bonus {bonus:+.2f}: the solver counts {result.problem.score[i, j]:.2f}"
        )
        assert f"(score {row[col['score']]} + bonus)" in line
        mine = cohort.preferences.mentee_choices[i][:3]
        choice = next(x for x in text.splitlines() if x.startswith("  choices: "))
        if j in mine:
            assert f"is the mentee's {['1st', '2nd', '3rd'][mine.index(j)]} choice" in choice
        seen_bonus += bonus > 0
    assert seen_bonus


def test_no_preference_columns_no_choice_lines(tmp_path):
    m, e = write_cohort(tmp_path, 30, 10, 2)
    cohort, _ = load(m, e)
    text = explain_text(match(cohort), 0)
    assert "choices:" not in text and "choice bonus" not in text


def test_summary_and_report_say_what_includes_the_bonus(cohort_files, tmp_path):
    m, e = cohort_files
    config = tmp_path / "c.toml"
    config.write_text("[preferences]\nmentee_bonus = [15]\n", encoding="utf-8")
    run = match_files(m, e, config, out=tmp_path / "out")
    import json

    s = json.loads(run.outputs["summary.json"])
    assert "round(100*(score + bonus))" in s["objective_definition"]
    assert "score_total" in s["objective_definition"]  # named among what does not include it
    assert s["preferences"]["choices_in_objective"] == "bonus points"
    html = run.outputs["report.html"].decode("utf-8")
    assert "include the bonus" in html
    plain = match_files(m, e, out=tmp_path / "plain")
    s0 = json.loads(plain.outputs["summary.json"])
    assert s0["objective_definition"] == "sum over pairs of A + B*round(100*readiness) + round(100*score)"
    assert s0["preferences"]["choices_in_objective"] == "none (reported only)"
    config.write_text("[preferences]\nshortlist = true\n", encoding="utf-8")
    s1 = json.loads(match_files(m, e, config, out=tmp_path / "sl").outputs["summary.json"])
    assert "H*(1 if the mentor is one of the mentee's counted choices)" in s1["objective_definition"]
    assert s1["preferences"]["choices_in_objective"] == "shortlist"
    rows = list(csv.DictReader(io.StringIO(plain.outputs["pairs.csv"].decode("utf-8-sig"))))
    assert "bonus" not in rows[0] and np.isfinite(float(rows[0]["score"]))
