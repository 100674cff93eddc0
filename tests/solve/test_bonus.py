"""Preference bonuses enter the objective as score points on the chosen pairs, and the
optimum stays exact: flow (and CP-SAT) agree with brute force and with
``linear_sum_assignment`` on the capacity-expanded matrix of exported pair weights; the
encoding's bound grows with the bonus so readiness still beats any score difference."""

from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.api import load, match
from matcher.errors import ConfigError
from matcher.io.config import SolverSettings, parse_config
from matcher.io.preferences import Preferences, PreferenceSettings
from matcher.solve.bonus import preference_bonus
from matcher.solve.engines.cp_sat import solve_cpsat
from matcher.solve.engines.flow import solve_flow
from matcher.solve.problem import total_objective
from matcher.solve.side_rules import SideRules
from tests.conftest import SAMPLE, make_problem, write_csv
from tests.solve.engines.test_flow import assert_valid, assignment_oracle, brute_force


def _cp_sat(p):
    return solve_cpsat(p, SideRules(), SolverSettings())


def _prefs(mentee_choices, mentor_choices) -> Preferences:
    return Preferences(tuple(map(tuple, mentee_choices)), tuple(map(tuple, mentor_choices)), (), ())


def test_bonus_by_hand():
    prefs = _prefs([[2, 0, 1, 3], [], [1]], [[0, 2], [], [1], [0]])
    settings = PreferenceSettings(max_choices=3, mentee_bonus=(15.0, 10.0), mentor_bonus=5.0)
    got = preference_bonus(prefs, settings, (3, 4))
    want = np.zeros((3, 4))
    want[0, 2] += 15  # mentee 0's 1st
    want[0, 0] += 10  # 2nd; the 3rd has no points (list of two), the 4th is past max_choices
    want[2, 1] += 15
    want[0, 0] += 5  # mentor 0 chose mentees 0 and 2: a mutual choice adds up
    want[2, 0] += 5
    want[1, 2] += 5
    want[0, 3] += 5
    np.testing.assert_array_equal(got, want)
    assert preference_bonus(prefs, PreferenceSettings(), (3, 4)) is None  # no points: off
    assert preference_bonus(_prefs([[], [], []], [[]] * 4), settings, (3, 4)) is None


def _bonused(rng, n_e, n_r, *, scarce):
    """A random problem whose scores carry random preference bonuses (up to 100 + 30)."""
    score = np.round(rng.uniform(0, 100, (n_e, n_r)), 2)
    choices = [list(rng.permutation(n_r)[: rng.integers(0, min(n_r, 3) + 1)]) for _ in range(n_e)]
    theirs = [list(rng.permutation(n_e)[: rng.integers(0, min(n_e, 2) + 1)]) for _ in range(n_r)]
    settings = PreferenceSettings(max_choices=3, mentee_bonus=(20.0, 10.0, 5.0), mentor_bonus=10.0)
    bonus = preference_bonus(_prefs(choices, theirs), settings, (n_e, n_r))
    total = score if bonus is None else np.round(score + bonus, 2)
    excluded = (rng.random((n_e, n_r)) < 0.25).astype(np.uint16)
    capacity = rng.integers(0, 2 if scarce else 3, n_r)
    readiness = np.round(rng.uniform(0, 1, n_e), 2)
    eligible = rng.random(n_e) < 0.9
    p = make_problem(total, readiness, excluded, capacity, eligible)
    return replace(p, max_score=100.0 + settings.max_bonus)


@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 3), st.booleans())
def test_bonus_objective_matches_brute_force_and_cp_sat(seed, n_e, n_r, scarce):
    p = _bonused(np.random.default_rng(seed), n_e, n_r, scarce=scarce)
    best, _, _ = brute_force(p)
    flow = solve_flow(p)
    assert_valid(p, flow.mentor_of)
    assert total_objective(p, flow.mentor_of) == best == flow.objective
    assert _cp_sat(p).objective == best


@pytest.mark.parametrize("seed", range(12))
def test_bonus_objective_matches_linear_sum_assignment(seed):
    rng = np.random.default_rng(seed)
    p = _bonused(rng, int(rng.integers(5, 25)), int(rng.integers(2, 8)), scarce=bool(seed % 2))
    value, _ = assignment_oracle(p)
    assert solve_flow(p).objective == value


def test_readiness_still_beats_the_largest_score_difference_with_bonuses():
    # three places; mentees 0–2 (readiness 0.50) score 130 (100 + a 30-point bonus) with
    # everyone, mentee 3 (readiness 0.51) scores 0. Readiness must win: with the bound left
    # at 100 points, 3 × 130 points would outweigh the 0.01 of readiness.
    score = [[130.0] * 3] * 3 + [[0.0] * 3]
    p = replace(
        make_problem(score, [0.5, 0.5, 0.5, 0.51], np.zeros((4, 3)), [1] * 3, [True] * 4), max_score=130.0
    )
    for sol in (solve_flow(p), _cp_sat(p)):
        assert sol.mentor_of[3] >= 0 and int((sol.mentor_of >= 0).sum()) == 3


def _sample_with_choices(tmp_path):
    """The sample mentees, where pairs of matched mentees whom the rules let swap mentors ask
    (by email, so resolution is exercised too) for each other's mentor in the plain optimum:
    the swapped pairing keeps every load, so every choice can be honoured at once."""
    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    plain = match(cohort)
    m, ok = plain.solution.mentor_of, plain.problem.allowed
    rows = list(csv.DictReader((SAMPLE / "mentees.csv").read_text(encoding="utf-8-sig").splitlines()))
    emails = dict(zip(cohort.mentor_ids, cohort.mentors["email"], strict=True))
    by_id = {r["id"]: r for r in rows}
    wanted: dict[int, int] = {}
    matched = [int(i) for i in np.flatnonzero(m >= 0)]
    for a in matched:
        for b in matched:
            free = len(wanted) < 10 and a < b and not {a, b} & set(wanted) and m[a] != m[b]
            if free and ok[a, m[b]] and ok[b, m[a]]:
                wanted[a], wanted[b] = int(m[b]), int(m[a])
    assert len(wanted) == 10
    for i, j in wanted.items():
        by_id[cohort.mentee_ids[i]]["preferred_mentors"] = emails[cohort.mentor_ids[j]]
    for r in rows:
        r.setdefault("preferred_mentors", "")
    return cohort, plain, write_csv(tmp_path / "mentees.csv", rows), wanted


def test_bonus_end_to_end_pairs_csv_keeps_the_five_c_score_and_adds_bonus(tmp_path):
    _, plain, mentees, wanted = _sample_with_choices(tmp_path)
    cohort2, _ = load(SAMPLE / "mentors.csv", mentees)
    assert cohort2.warnings == ()
    config = parse_config({"preferences": {"mentee_bonus": [100]}})
    result = match(cohort2, config)
    # the solver's score is the five Cs plus exactly the stated bonus
    expected = plain.scores.score.copy()
    for i, j in wanted.items():
        expected[i, j] += 100
    np.testing.assert_allclose(result.problem.score, expected, atol=1e-9)
    assert result.problem.max_score == 200.0
    # the swapped pairing is feasible, so the optimum is at least as good; here a 100-point
    # choice outweighs what any reshuffle gains, so every choice is honoured
    swapped = plain.solution.mentor_of.copy()
    swapped[list(wanted)] = list(wanted.values())
    assert result.solution.objective >= total_objective(result.problem, swapped)
    assert {i: int(result.solution.mentor_of[i]) for i in wanted} == wanted
    from matcher.report.tables import pairs_table

    header, rows = pairs_table(result)
    assert header[-1] == "bonus"
    col = {h: k for k, h in enumerate(header)}
    for row in rows:
        i, j = cohort2.mentee_index(row[col["mentee_id"]]), cohort2.mentor_index(row[col["mentor_id"]])
        assert row[col["score"]] == f"{plain.scores.score[i, j]:.2f}"  # the five Cs, unchanged
        assert row[col["bonus"]] == ("100.00" if wanted.get(i) == j else "0.00")
    # without [preferences] points, the choices change nothing and pairs.csv has no bonus
    same = match(cohort2)
    np.testing.assert_array_equal(same.solution.mentor_of, plain.solution.mentor_of)
    assert "bonus" not in pairs_table(same)[0]


def test_bonuses_above_the_dense_limit_are_refused(tmp_path, monkeypatch):
    from matcher.solve import candidates

    _, _, mentees, _ = _sample_with_choices(tmp_path)
    cohort, _ = load(SAMPLE / "mentors.csv", mentees)
    monkeypatch.setattr(candidates, "DENSE_LIMIT", 10)
    with pytest.raises(ConfigError, match="preference bonuses are not supported above 10 pairs"):
        match(cohort, parse_config({"preferences": {"mentee_bonus": [10]}}))
