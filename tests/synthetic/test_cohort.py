"""``generate --preferences``: stated choices that the loader resolves to the intended people,
deterministic by seed, and every other cell exactly as without the option (the goldens use
``generate --seed 1`` and must not move)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.api import load
from matcher.synthetic.cohort import add_preferences, generate_cohort, write_cohort


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_preferences_add_columns_and_change_nothing_else(seed):
    mentors, mentees = generate_cohort(120, 40, seed)
    r2, e2 = generate_cohort(120, 40, seed, preferences=True)
    assert list(r2.columns) == [*mentors.columns, "preferred_mentees", "declined_mentees"]
    assert list(e2.columns) == [*mentees.columns, "preferred_mentors"]
    assert r2[mentors.columns].equals(mentors) and e2[mentees.columns].equals(mentees)
    again = generate_cohort(120, 40, seed, preferences=True)
    assert again[0].equals(r2) and again[1].equals(e2)
    other = generate_cohort(120, 40, seed + 1, preferences=True)
    assert not other[1]["preferred_mentors"].equals(e2["preferred_mentors"])


def test_entries_resolve_to_the_intended_people_by_id_name_and_email(tmp_path):
    m, e = write_cohort(tmp_path, 300, 90, 3, preferences=True)
    cohort, _ = load(m, e)
    assert cohort.warnings == ()  # never an ambiguous or unknown entry
    mentors, mentees = generate_cohort(300, 90, 3, preferences=True)
    kinds = set()
    prefs = cohort.preferences
    for i, entries in enumerate(mentees["preferred_mentors"]):
        parts = [x for x in entries.split(";") if x]
        got = [cohort.mentor_ids[j] for j in prefs.mentee_choices[cohort.mentee_index(mentees["id"].iat[i])]]
        assert len(parts) == len(got) <= 3
        for part, mentor_id in zip(parts, got, strict=True):
            row = mentors[mentors["id"] == mentor_id].iloc[0]
            assert part in (row["id"], row["name"], row["email"])
            kinds.add("id" if part == row["id"] else "email" if part == row["email"] else "name")
    assert kinds == {"id", "name", "email"}
    stated = np.array([bool(x) for x in mentees["preferred_mentors"]])
    assert 0.45 < stated.mean() < 0.75
    assert any(prefs.mentor_choices) and prefs.declined
    for i, j in prefs.declined:  # a mentor never declines someone they chose
        assert i not in prefs.mentor_choices[j]


def test_add_preferences_does_not_touch_its_inputs():
    mentors, mentees = generate_cohort(30, 10, 2)
    before = mentors.copy(), mentees.copy()
    add_preferences(mentors, mentees, 2)
    assert mentors.equals(before[0]) and mentees.equals(before[1])


def test_cli_generate_preferences(tmp_path):
    plain, prefs = tmp_path / "plain", tmp_path / "prefs"
    args = ["generate", "--mentees", "50", "--mentors", "20", "--seed", "1", "--out"]
    assert CliRunner().invoke(cli, [*args, str(plain)]).exit_code == 0
    assert CliRunner().invoke(cli, [*args, str(prefs), "--preferences"]).exit_code == 0
    assert "preferred_mentors" in (prefs / "mentees.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "preferred" not in (plain / "mentees.csv").read_text(encoding="utf-8")
