"""The preference audit, recomputed independently: each person's outcome and the counts
from the pairs as written, the exact cost of each unmet choice from a re-solve with that
pair pinned, and the stability list by brute force over every pair."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.api import load, match, preferences_for, solve
from matcher.io.config import parse_config
from matcher.solve.problem import total_objective
from tests.conftest import SAMPLE, write_csv

ORD = {1: "1st", 2: "2nd", 3: "3rd"}


def _read(path):
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The sample files with random choices: ids or emails, some beyond max_choices."""
    d = tmp_path_factory.mktemp("prefs")
    mentees, mentors = _read(SAMPLE / "mentees.csv"), _read(SAMPLE / "mentors.csv")
    rng = np.random.default_rng(7)
    for r in mentees:
        picks = rng.choice(len(mentors), rng.integers(0, 5), replace=False)
        r["preferred_mentors"] = ";".join(mentors[x]["email" if rng.random() < 0.5 else "id"] for x in picks)
    for r in mentors:
        r["preferred_mentees"] = ";".join(
            mentees[x]["id"] for x in rng.choice(len(mentees), rng.integers(0, 3))
        )
    config = d / "programme.toml"
    config.write_text("[preferences]\nmentee_bonus = [15, 10, 5]\nmentor_bonus = 5\n", encoding="utf-8")
    return (
        write_csv(d / "mentors.csv", mentors),
        write_csv(d / "mentees.csv", mentees),
        config,
        mentees,
        mentors,
    )


def test_counts_outcomes_and_stability_recomputed_from_the_written_files(files, tmp_path):
    mentors_csv, mentees_csv, config, mentees, mentors = files
    res = CliRunner().invoke(
        cli,
        [
            "match",
            "--mentors",
            mentors_csv,
            "--mentees",
            mentees_csv,
            "--config",
            config,
            "--out",
            tmp_path,
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    pairs = {r["mentee_id"]: r["mentor_id"] for r in _read(tmp_path / "pairs.csv")}
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["preferences"]
    audit = _read(tmp_path / "preferences.csv")
    email_to_id = {r["email"].lower(): r["id"] for r in mentors}

    def choices(entry: str) -> list[str]:
        ids = [email_to_id.get(x.lower(), x) for x in entry.split(";") if x]
        return list(dict.fromkeys(ids))[:3]

    counts = {"1st": 0, "2nd": 0, "3rd": 0, "other": 0, "none": 0}
    rows = {(r["side"], r["person_id"]): r for r in audit}
    for r in mentees:
        want = choices(r["preferred_mentors"])
        if not want:
            assert ("mentee", r["id"]) not in rows
            continue
        got = pairs.get(r["id"])
        outcome = ORD[want.index(got) + 1] if got in want else ("other" if got else "none")
        counts[outcome] += 1
        row = rows["mentee", r["id"]]
        assert row["choices"] == ";".join(want) and row["got"] == outcome
        unmet = want[: want.index(got)] if got in want else want
        assert [w.split(":")[0] for w in row["why"].split("; ") if w] == unmet
    assert summary["mentees"] == {"with_choices": sum(counts.values()), **counts}
    met = stated = with_choices = got_any = 0
    for r in mentors:
        want = list(dict.fromkeys(x for x in r["preferred_mentees"].split(";") if x))[:3]
        if want:
            mine = [e for e in want if pairs.get(e) == r["id"]]
            with_choices, got_any, stated, met = (
                with_choices + 1,
                got_any + bool(mine),
                stated + len(want),
                met + len(mine),
            )
    assert summary["mentors"] == {
        "with_choices": with_choices,
        "got_a_choice": got_any,
        "choices_stated": stated,
        "choices_met": met,
    }
    blocking = [[r["person_id"], r["choices"]] for r in audit if r["side"] == "both"]
    assert summary["both_prefer_each_other_pairs"] == blocking
    assert summary["both_prefer_each_other"] == len(blocking)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<section id="preferences">' in page
    assert f"{summary['mentees']['with_choices']} mentees stated choices: {counts['1st']} 1st," in page
    assert f"what they got: {len(blocking)} (rows marked both)" in page


def test_stability_list_by_brute_force_over_every_pair(files):
    mentors_csv, mentees_csv, config, _, _ = files
    cohort, cfg = load(mentors_csv, mentees_csv, config)
    result = match(cohort, cfg)
    a = preferences_for(result)
    m, p, s = result.solution.mentor_of, result.problem, result.scores.score
    prefs = cohort.preferences
    e_ch = [list(x[:3]) for x in prefs.mentee_choices]
    r_ch = [list(x[:3]) for x in prefs.mentor_choices]

    def e_rank(i, j):  # lower is better: choices first, then higher five-C score
        return (e_ch[i].index(j) if j in e_ch[i] else 99, -s[i, j])

    def r_rank(i, j):
        return (r_ch[j].index(i) if i in r_ch[j] else 99, -s[i, j])

    want = []
    for i in range(cohort.n_mentees):
        for j in range(cohort.n_mentors):
            if m[i] == j or p.excluded[i, j] or not p.eligible[i] or cohort.capacity[j] == 0:
                continue
            if j not in e_ch[i] and i not in r_ch[j]:
                continue
            mentee_would = m[i] < 0 or e_rank(i, j) < e_rank(i, m[i])
            theirs = [int(x) for x in range(cohort.n_mentees) if m[x] == j]
            mentor_would = len(theirs) < cohort.capacity[j] or any(
                r_rank(i, j) < r_rank(x, j) for x in theirs
            )
            if mentee_would and mentor_would:
                want.append((i, j))
    assert list(a.blocking) == want
    assert want  # the fixture's random choices leave some: the check is not vacuous


def test_the_cost_of_an_unmet_choice_is_the_exact_re_solve(files):
    mentors_csv, mentees_csv, config, _, _ = files
    cohort, cfg = load(mentors_csv, mentees_csv, config)
    result = match(cohort, cfg)
    a = preferences_for(result)
    checked = 0
    for person in a.people:
        if person.side != "mentee":
            continue
        for line in person.why:
            if "cost the programme" not in line:
                continue
            i, j = person.index, cohort.mentor_index(line.split(":")[0])
            pinned = replace(result.problem, pins=((i, j),))
            again = solve(pinned, result.side, cfg).mentor_of
            cost = (result.solution.objective - total_objective(result.problem, again)) / 100
            assert f"cost the programme {cost:.2f} points" in line
            moved = int(((again != result.solution.mentor_of) & (np.arange(again.size) != i)).sum())
            assert line.endswith(f"move {moved} other{'s' if moved != 1 else ''}")
            checked += 1
            if checked == 8:
                return
    assert checked


def test_no_preference_columns_no_audit(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", [{"id": "R1", "capacity": 1}])
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "E1"}])
    cohort, cfg = load(mentors, mentees)
    assert preferences_for(match(cohort, cfg)) is None
    assert parse_config({}).preferences.max_choices == 3


def test_shortlist_why_lines_are_the_exact_re_solve(files):
    # With shortlist, an unmet choice says either that giving it would take other mentees
    # out of their own choices (how many: the pinned re-solve's count), or what it costs
    # in points with every other mentee's choice kept.
    from matcher.solve.bonus import shown_scores

    mentors_csv, mentees_csv, _, _, _ = files
    cohort, _ = load(mentors_csv, mentees_csv)
    cfg = parse_config({"preferences": {"shortlist": True}})
    result = match(cohort, cfg)
    k = cfg.preferences.max_choices
    choices = [tuple(x[:k]) for x in cohort.preferences.mentee_choices]

    def within(m):
        return {int(x) for x in np.flatnonzero(m >= 0) if int(m[x]) in choices[x]}

    before = within(result.solution.mentor_of)
    seen = {"take": 0, "cost": 0}
    for person in preferences_for(result).people:
        if person.side != "mentee":
            continue
        i = person.index
        for line in person.why:
            kind = "take" if "out of their own choices" in line else "cost" if "cost the" in line else None
            if kind is None or seen[kind] >= 5:
                continue
            j = cohort.mentor_index(line.split(":")[0])
            again = solve(replace(result.problem, pins=((i, j),)), result.side, cfg).mentor_of
            after = within(again)
            lost = len((before - after) - {i}) - len((after - before) - {i})
            if kind == "take":
                n = int(line.split("would take ")[1].split(" ")[0])
                assert lost == n > 0
            else:
                assert lost <= 0
                on0, on1 = np.flatnonzero(result.solution.mentor_of >= 0), np.flatnonzero(again >= 0)
                s0 = shown_scores(result.problem, result.problem.score[on0, result.solution.mentor_of[on0]])
                s1 = shown_scores(result.problem, result.problem.score[on1, again[on1]])
                assert f"cost the programme {s0.sum() - s1.sum():.2f} points" in line
            seen[kind] += 1
    assert seen["take"] and seen["cost"]
