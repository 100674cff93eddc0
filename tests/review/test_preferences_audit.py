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
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import cli
from matcher.api import load, match, preferences_for, solve
from matcher.io.config import parse_config
from matcher.solve.problem import total_objective
from matcher.solve.side_rules import FewestChanges
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
        picks = rng.choice(len(mentors), min(int(rng.integers(0, 5)), len(mentors)), replace=False)
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


# ------------------------------------------------------------ several mentors per mentee


def _several_expected(result):
    """Each mentee's ``got`` / unmet choices / counts and the blocking pairs, recomputed from
    the pairing by brute force over every pair (the module's definitions, written afresh)."""
    cohort, p, s = result.cohort, result.problem, result.scores.score
    pairing, k = result.solution.pairing, result.config.preferences.max_choices
    wanted = cohort.mentors_wanted
    e_ch = [list(x[:k]) for x in cohort.preferences.mentee_choices]
    r_ch = [list(x[:k]) for x in cohort.preferences.mentor_choices]
    rule = result.side.distinct
    own = {i: set() for i in range(cohort.n_mentees)}
    mine = {j: set() for j in range(cohort.n_mentors)}
    for i, j in pairing.pairs.tolist():
        own[i].add(j)
        mine[j].add(i)

    def e_rank(i, j):
        return (e_ch[i].index(j) if j in e_ch[i] else 99, -s[i, j])

    def r_rank(i, j):
        return (r_ch[j].index(i) if i in r_ch[j] else 99, -s[i, j])

    people, counts = {}, {"with_choices": 0, "other": 0, "none": 0, "choices_stated": 0, "choices_met": 0}
    for i in range(cohort.n_mentees):
        if not e_ch[i]:
            continue
        met = [r for r, j in enumerate(e_ch[i], start=1) if j in own[i]]
        extra = len(own[i]) - len(met)
        got = ", ".join(ORD[r] for r in met) + (f" + {extra} other" if extra and met else "")
        got = got or ("other" if own[i] else "none")
        if len(own[i]) < wanted[i]:
            unmet = [j for j in e_ch[i] if j not in own[i]]
        else:
            unmet = [
                j for j in e_ch[i] if j not in own[i] and e_rank(i, j) < max(e_rank(i, x) for x in own[i])
            ]
        people["mentee", i] = (got, unmet)
        counts["with_choices"] += 1
        for r in met:
            counts[ORD[r]] = counts.get(ORD[r], 0) + 1
        if not met:
            counts["other" if own[i] else "none"] += 1
        counts["choices_stated"] += len(e_ch[i])
        counts["choices_met"] += len(met)
        counts[f"got_{len(met)}_choices"] = counts.get(f"got_{len(met)}_choices", 0) + 1
    mentor_counts = {"with_choices": 0, "got_a_choice": 0, "choices_stated": 0, "choices_met": 0}
    for j in range(cohort.n_mentors):
        if not r_ch[j]:
            continue
        met = [r for r, i in enumerate(r_ch[j], start=1) if i in mine[j]]
        people["mentor", j] = (
            ", ".join(ORD[r] for r in met) or "none",
            [i for i in r_ch[j] if i not in mine[j]],
        )
        mentor_counts["with_choices"] += 1
        mentor_counts["got_a_choice"] += bool(met)
        mentor_counts["choices_stated"] += len(r_ch[j])
        mentor_counts["choices_met"] += len(met)
    counts["mentors"] = mentor_counts
    blocking = []
    for i in range(cohort.n_mentees):
        for j in range(cohort.n_mentors):
            if j in own[i] or p.excluded[i, j] or not p.eligible[i] or cohort.capacity[j] == 0:
                continue
            if j not in e_ch[i] and i not in r_ch[j]:
                continue
            clash = [x for x in own[i] if rule is not None and rule.conflicts(x, j)]
            if clash:
                mentee_would = all(e_rank(i, j) < e_rank(i, x) for x in clash)
            elif len(own[i]) < wanted[i]:
                mentee_would = True
            else:
                mentee_would = bool(own[i]) and any(e_rank(i, j) < e_rank(i, x) for x in own[i])
            mentor_would = len(mine[j]) < cohort.capacity[j] or any(
                r_rank(i, j) < r_rank(x, j) for x in mine[j]
            )
            if mentee_would and mentor_would:
                blocking.append((i, j))
    return people, counts, blocking


def _with_choices_and_several(mentors, mentees, rng):
    """Random choices (ids) on both sides and mentors_wanted 1-3 (the first mentee 2 or 3, so
    the cohort is always a several-mentor one), in place."""
    wanted = rng.integers(1, 4, len(mentees))
    wanted[0] = max(int(wanted[0]), 2)
    mentees["mentors_wanted"] = [str(v) if v > 1 else "" for v in wanted]
    mentees["preferred_mentors"] = [
        ";".join(
            mentors["id"].iloc[
                rng.choice(len(mentors), min(int(rng.integers(0, 5)), len(mentors)), replace=False)
            ]
        )
        for _ in range(len(mentees))
    ]
    mentors["preferred_mentees"] = [
        ";".join(
            mentees["id"].iloc[
                rng.choice(len(mentees), min(int(rng.integers(0, 3)), len(mentees)), replace=False)
            ]
        )
        for _ in range(len(mentors))
    ]


@pytest.fixture(scope="module")
def several_files(tmp_path_factory):
    """The sample files with several mentors wanted, random choices, distinct departments
    and choice bonuses."""
    import pandas as pd

    d = tmp_path_factory.mktemp("several_prefs")
    mentees = pd.read_csv(SAMPLE / "mentees.csv", dtype=str, keep_default_na=False)
    mentors = pd.read_csv(SAMPLE / "mentors.csv", dtype=str, keep_default_na=False)
    _with_choices_and_several(mentors, mentees, np.random.default_rng(11))
    mentees.to_csv(d / "mentees.csv", index=False)
    mentors.to_csv(d / "mentors.csv", index=False)
    (d / "cfg.toml").write_text(
        '[rules]\ndistinct_mentors_by = "department"\n[preferences]\nmentee_bonus = [15, 10, 5]\nmentor_bonus = 5\n',
        encoding="utf-8",
    )
    return d / "mentors.csv", d / "mentees.csv", d / "cfg.toml"


def test_several_mentors_audit_counts_outcomes_and_stability_by_brute_force(several_files, tmp_path):
    from matcher.api import match_files

    warned: list[str] = []
    run = match_files(*several_files, out=tmp_path, alternatives=0, warn=warned.append)
    run.publish()
    result = run.result
    assert result.problem.multi and (result.solution.pairing.count > 1).any()
    assert not [w for w in warned if "audit" in w]
    people, counts, blocking = _several_expected(result)
    a = preferences_for(result)
    mentor_counts = counts.pop("mentors")
    for x in a.people:
        got, unmet = people[x.side, x.index]
        ids = result.cohort.mentor_ids if x.side == "mentee" else result.cohort.mentee_ids
        assert x.got == got
        assert [w.split(":")[0] for w in x.why] == [ids[k] for k in unmet]
    assert len(a.people) == len(people)
    assert a.counts["mentors"] == mentor_counts and mentor_counts["choices_stated"]
    got = {k: v for k, v in a.counts["mentees"].items() if v}
    assert got == {k: v for k, v in counts.items() if v}
    assert sum(v for k, v in a.counts["mentees"].items() if k.startswith("got_")) == counts["with_choices"]
    assert list(a.blocking) == blocking
    assert blocking and counts["choices_met"] and any("+ " in x.got or ", " in x.got for x in a.people)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["preferences"]
    assert summary["mentees"] == a.counts["mentees"] and summary["both_prefer_each_other"] == len(blocking)
    rows = _read(tmp_path / "preferences.csv")
    assert [[r["person_id"], r["choices"]] for r in rows if r["side"] == "both"] == summary[
        "both_prefer_each_other_pairs"
    ]
    assert "choices met" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_several_mentors_unmet_choice_cost_is_the_pinned_re_solve(several_files):
    from matcher.solve.problem import ready_units

    cohort, cfg = load(*several_files)
    result = match(cohort, cfg)
    old, p = result.solution.pairing, result.problem
    checked = {"cost": 0, "same": 0, "other": 0}
    for x in preferences_for(result).people:
        for line in x.why:
            if "— giving them" not in line:
                continue
            kind = (
                "same"
                if "same department as" in line
                else "cost"
                if "cost the programme" in line
                else "other"
            )
            if checked[kind] >= 4:
                continue
            other = line.split(":")[0]
            i, j = (
                (x.index, cohort.mentor_index(other))
                if x.side == "mentee"
                else (cohort.mentee_ids.index(other), x.index)
            )
            new = solve(replace(p, pins=((i, j),)), result.side, cfg).pairing
            assert new.has(i, j) and (new.count <= cohort.mentors_wanted).all()
            dp = new.size - old.size
            dm = int((new.count > 0).sum() - (old.count > 0).sum())
            r = ready_units(p.readiness)
            dr = int(r[new.mentee].sum() - r[old.mentee].sum())
            ds = float(p.score[new.mentee, new.mentor].sum() - p.score[old.mentee, old.mentor].sum())
            if dp < 0:
                assert f"fill {-dp} place" in line
            elif dm < 0:
                assert f"leave {-dm} mentee" in line
            elif dr < 0:
                assert "less ready" in line
            else:
                assert f"cost the programme {-ds:.2f} points" in line
            # moves: the fewest pairs of the proposal that change, as the pinned re-solve with
            # the fewest-changes tie-break proves them
            tied = result.side.adding(FewestChanges(old))
            fewest = solve(replace(p, pins=((i, j),)), tied, cfg)
            assert fewest.fewest_changes is True and fewest.objective == total_objective(p, new)
            dropped = int((~fewest.pairing.contains(old.mentee, old.mentor)).sum())
            assert line.endswith(f"and change {dropped} of the proposal's pairs"), line
            checked[kind] += 1
    assert checked["cost"] and checked["same"]  # distinct_mentors_by: the re-solve gives one way


@settings(max_examples=15, deadline=None)
@given(st.integers(4, 12), st.integers(2, 6), st.integers(0, 10_000), st.sampled_from([None, "department"]))
def test_several_mentors_audit_property_small_cohorts(n_e, n_r, seed, distinct):
    """Generated small cohorts: counts, outcomes and the stability list equal the brute force."""
    import tempfile
    from pathlib import Path

    from matcher.synthetic.cohort import generate_cohort

    rng = np.random.default_rng(seed)
    mentors, mentees = generate_cohort(n_e, n_r, seed)
    _with_choices_and_several(mentors, mentees, rng)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mentors.to_csv(folder / "mentors.csv", index=False)
        mentees.to_csv(folder / "mentees.csv", index=False)
        (folder / "c.toml").write_text(f'[rules]\ndistinct_mentors_by = "{distinct}"\n' if distinct else "")
        cohort, cfg = load(folder / "mentors.csv", folder / "mentees.csv", folder / "c.toml")
    result = match(cohort, cfg)
    a = preferences_for(result)
    people, counts, blocking = _several_expected(result)
    assert list(a.blocking) == blocking
    assert a.counts["mentors"] == counts.pop("mentors")
    assert {k: v for k, v in a.counts["mentees"].items() if v} == {k: v for k, v in counts.items() if v}
    assert len(a.people) == len(people)
    for x in a.people:
        got, unmet = people[x.side, x.index]
        assert x.got == got and len(x.why) == len(unmet)


@pytest.mark.parametrize("wanted", [1, 2])
def test_a_mentors_row_names_the_mentor_as_the_one_full_or_taking_nobody(tmp_path, wanted):
    """On a mentor's row the unmet choice is headed by the mentee's id, so the words say the
    mentor is the one with no place: R1 (capacity 0) chose E1 — "this mentor takes no
    mentees"; R2 (full with E2, whom it also chose) chose E1 too — "this mentor's places are
    all taken", priced as giving E1 this mentor. The mentees' rows keep their words."""
    mentors = write_csv(
        tmp_path / "mentors.csv",
        [
            {"id": "R1", "capacity": 0, "preferred_mentees": "E1"},
            {"id": "R2", "capacity": 1, "preferred_mentees": "E2;E1"},
            {"id": "R3", "capacity": 1, "preferred_mentees": ""},
        ],
    )
    mentees = write_csv(
        tmp_path / "mentees.csv",
        [
            {"id": "E1", "preferred_mentors": "R1", "mentors_wanted": wanted},
            {"id": "E2", "preferred_mentors": "R2", "mentors_wanted": 1},
        ],
    )
    cohort, cfg = load(mentors, mentees)
    result = match(cohort, cfg)
    assert {tuple(p) for p in result.solution.pairing.pairs.tolist()} >= {(1, 1)}  # E2–R2
    rows = {(a.side, a.index): a for a in preferences_for(result).people}
    assert rows[("mentor", 0)].why == ("E1: this mentor takes no mentees this round",)
    (r2,) = rows[("mentor", 1)].why
    assert r2.startswith("E1: this mentor's places are all taken — giving E1 this mentor would ")
    assert rows[("mentee", 0)].why == ("R1: takes no mentees this round",)
