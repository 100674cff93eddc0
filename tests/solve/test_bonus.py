"""Preference bonuses enter the objective as score points on the chosen pairs, and the
optimum stays exact: flow (and CP-SAT) agree with brute force and with
``linear_sum_assignment`` on the capacity-expanded matrix of exported pair weights; the
encoding's bound grows with the bonus so readiness still beats any score difference."""

from __future__ import annotations

import csv
import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.api import load, match
from matcher.errors import ConfigError
from matcher.io.config import SolverSettings, parse_config
from matcher.io.preferences import Preferences, PreferenceSettings
from matcher.solve.bonus import add_shortlist, preference_bonus, shortlist_mask, shown_scores, split_units
from matcher.solve.engines.cp_sat import solve_cpsat
from matcher.solve.engines.flow import solve_flow
from matcher.solve.problem import total_objective
from matcher.solve.side_rules import DistinctMentors, SideRules
from tests.conftest import SAMPLE, make_problem, write_csv
from tests.solve.engines.test_flow import assert_valid, assignment_oracle, brute_force
from tests.solve.engines.test_several import brute_force as several_brute_force
from tests.solve.engines.test_several import lexicographic, tiny


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


def test_bonuses_and_shortlist_above_the_dense_limit_are_solved(tmp_path, monkeypatch):
    # Bonuses and the shortlist work on candidate sets (tests/solve/test_candidates.py checks
    # them against a dense re-solve on generated cohorts): here every chosen mentor is given.
    from matcher.solve import candidates

    _, _, mentees, wanted = _sample_with_choices(tmp_path)
    cohort, _ = load(SAMPLE / "mentors.csv", mentees)
    configs = [{"preferences": {"mentee_bonus": [100]}}, {"preferences": {"shortlist": True}}]
    dense = [match(cohort, parse_config(c)) for c in configs]
    monkeypatch.setattr(candidates, "DENSE_LIMIT", 10)
    for c, d in zip(configs, dense, strict=True):
        sparse = match(cohort, parse_config(c))
        assert sparse.problem.kind == "candidates" and sparse.certificate["certified"] is True
        assert sparse.solution.objective == d.solution.objective
        assert {i: int(sparse.solution.mentor_of[i]) for i in wanted} == wanted


# ---------------------------------------------------------------------------- shortlist = true
# The definition (README, Preferences): (1) as many mentees matched as possible, (2) the
# readiest, (3) as many mentees as possible within their own counted choices, (4) the
# highest total score (bonuses included). The brute force below computes that order
# directly, never through the integer encoding.


def _shortlisted(rng, n_e, n_r, *, scarce, bonus):
    """(problem with the shortlist tier, the plain problem, choice mask (n_e, n_r))."""
    score = np.round(rng.uniform(0, 100, (n_e, n_r)), 2)
    choices = [list(rng.permutation(n_r)[: rng.integers(0, min(n_r, 3) + 1)]) for _ in range(n_e)]
    prefs = _prefs(choices, [[]] * n_r)
    settings = PreferenceSettings(max_choices=2, mentee_bonus=(10.0,) if bonus else (), shortlist=True)
    b = preference_bonus(prefs, settings, (n_e, n_r))
    total = score if b is None else np.round(score + b, 2)
    excluded = (rng.random((n_e, n_r)) < 0.3).astype(np.uint16)
    capacity = rng.integers(0, 2 if scarce else 3, n_r)
    readiness = np.round(rng.choice([0.4, 0.5, 0.6], n_e), 2)  # ties: level 3 decides who
    eligible = rng.random(n_e) < 0.9
    plain = replace(
        make_problem(total, readiness, excluded, capacity, eligible), max_score=100.0 + settings.max_bonus
    )
    mask = shortlist_mask(prefs, settings, (n_e, n_r))
    if mask is None:
        mask = np.zeros((n_e, n_r), bool)
    s, top, tier = add_shortlist(plain.score, plain.max_score, mask, plain.max_matchable)
    return replace(plain, score=s, max_score=top, shortlist=tier), plain, mask


def _pairings(p):
    """Every feasible pairing of a tiny problem (mentor index or −1 per mentee)."""
    n_e, n_r = p.shape
    options = [[-1] + ([int(j) for j in np.flatnonzero(p.allowed[i])]) for i in range(n_e)]
    for combo in itertools.product(*options):
        m = np.array(combo, np.int64)
        if (np.bincount(m[m >= 0], minlength=n_r) <= p.capacity).all():
            yield m


def _levels(plain, mask, m):
    """(matched, readiness units, mentees within their choices, score units) of pairing m."""
    on = np.flatnonzero(m >= 0)
    return (
        on.size,
        int(np.rint(plain.readiness[on] * 100).sum()),
        int(mask[on, m[on]].sum()),
        int(np.rint(plain.score[on, m[on]] * 100).sum()),
    )


@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 3), st.booleans(), st.booleans())
def test_shortlist_is_the_lexicographic_optimum_and_honours_choices_whenever_it_costs_no_one(
    seed, n_e, n_r, scarce, bonus
):
    p, plain, mask = _shortlisted(np.random.default_rng(seed), n_e, n_r, scarce=scarce, bonus=bonus)
    every = list(_pairings(p))
    best = max(_levels(plain, mask, m) for m in every)
    for sol in (solve_flow(p), _cp_sat(p)):
        assert_valid(p, sol.mentor_of)
        assert _levels(plain, mask, sol.mentor_of) == best
        assert sol.objective == total_objective(p, sol.mentor_of)
    m = solve_flow(p).mentor_of
    assert brute_force(p)[0] == total_objective(p, m)  # the exported integers agree too
    within = {int(i) for i in np.flatnonzero(m >= 0) if mask[i, m[i]]}
    for i in range(n_e):
        feasible_choice = (mask[i] & p.allowed[i] & (p.capacity > 0)).any()
        if i in within or not feasible_choice:
            continue
        # i has a feasible choice but is not within it: then no pairing as good on levels
        # 1–2 gives i a choice while keeping every other mentee's choice they got
        for t in every:
            if _levels(plain, mask, t)[:2] != best[:2] or not (t[i] >= 0 and mask[i, t[i]]):
                continue
            assert not all(t[k] >= 0 and mask[k, t[k]] for k in within)


def _fair_levels(plain, mask, m):
    """Fair mode's order with the shortlist: (matched, lowest pair score as shown — the
    five Cs plus any bonus —, readiness, mentees within their choices, score) of pairing m."""
    on = np.flatnonzero(m >= 0)
    units = np.rint(plain.score[on, m[on]] * 100).astype(np.int64)
    lowest = int(units.min()) if on.size else 0
    matched, ready, within, score = _levels(plain, mask, m)
    return matched, lowest, ready, within, score


@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 3), st.booleans(), st.booleans())
def test_fair_mode_with_shortlist_is_its_lexicographic_optimum(seed, n_e, n_r, scarce, bonus):
    # objective = "fair" with shortlist: (1) matched, (2) the lowest pair score as shown,
    # (3) readiness, (4) mentees within their choices, (5) total score — brute force of that
    # order, never through the integer encoding; the tier never counts as score.
    rng = np.random.default_rng(seed)
    p, plain, mask = _shortlisted(rng, n_e, n_r, scarce=scarce, bonus=bonus)
    side = SideRules.of(fair=True)
    every = list(_pairings(p))
    best = max(_fair_levels(plain, mask, m) for m in every)
    for sol in (solve_flow(p, side), solve_cpsat(p, side, SolverSettings())):
        assert_valid(p, sol.mentor_of)
        assert _fair_levels(plain, mask, sol.mentor_of) == best
        if best[0]:
            assert sol.lowest_score == best[1] / 100
    # a pin below the threshold caps the lowest score, then the same order follows
    i, j = next(
        ((i, j) for i in range(n_e) for j in range(n_r) if p.allowed[i, j] and p.capacity[j]), (None, None)
    )
    if i is None:
        return
    pinned = replace(p, pins=((i, j),))
    every = [m for m in every if m[i] == j]
    best = max(_fair_levels(plain, mask, m) for m in every)
    for sol in (solve_flow(pinned, side), solve_cpsat(pinned, side, SolverSettings())):
        assert _fair_levels(plain, mask, sol.mentor_of) == best


def test_shortlist_never_costs_a_place_or_a_readier_mentee():
    # one place: mentee 0 (readiness 0.9) chose no one; mentee 1 (0.5) chose mentor 0.
    # The shortlist must not give the place to mentee 1.
    plain = make_problem([[50.0], [90.0]], [0.9, 0.5], np.zeros((2, 1)), [1], [True, True])
    mask = np.array([[False], [True]])
    s, top, tier = add_shortlist(plain.score, 100.0, mask, plain.max_matchable)
    p = replace(plain, score=s, max_score=top, shortlist=tier)
    assert list(solve_flow(p).mentor_of) == [0, -1]
    # equal readiness: now the choice decides, even against 40 points of score
    plain = replace(plain, readiness=np.array([0.5, 0.5]), score=np.array([[95.0], [55.0]]))
    s, top, tier = add_shortlist(plain.score, 100.0, mask, plain.max_matchable)
    p = replace(plain, score=s, max_score=top, shortlist=tier)
    assert list(solve_flow(p).mentor_of) == [-1, 0]


def test_shortlist_scores_are_shown_without_the_tier_and_deltas_split_exactly():
    plain = make_problem([[10.0, 20.0], [30.0, 40.0]], [0.5, 0.5], np.zeros((2, 2)), [1, 1], [True, True])
    mask = np.array([[True, False], [False, False]])
    s, top, tier = add_shortlist(plain.score, 100.0, mask, plain.max_matchable)
    p = replace(plain, score=s, max_score=top, shortlist=tier)
    assert tier == (2 * 2 * 10_000 + 1) / 100
    np.testing.assert_array_equal(shown_scores(p, p.score), plain.score)
    assert shown_scores(p, float(p.score[0, 0])) == 10.0
    c = round(tier * 100)
    for dh in (-2, -1, 0, 1, 2):
        for ds in (-20_000, -1, 0, 1, 20_000):  # |Δscore| ≤ N·M = 2 × 10,000
            assert split_units(p, dh * c + ds) == (dh, ds)
    assert split_units(plain, 1234) == (0, 1234)


def test_shortlist_refused_when_too_large():
    from matcher.solve.encode import _check_shortlist_size

    config = parse_config({"preferences": {"shortlist": True}})
    _check_shortlist_size(config, 500, 100.0 + (2 * 500 * 10_000 + 1) / 100, (600, 200))
    with pytest.raises(ConfigError, match="shortlist = true cannot be solved exactly"):
        _check_shortlist_size(config, 5_000, 100.0 + (2 * 5_000 * 10_000 + 1) / 100, (6_000, 2_000))


def test_shortlist_end_to_end_honours_every_affordable_choice_and_shows_plain_scores(tmp_path):
    # The swapped pairing keeps who is matched (levels 1–2 unchanged), so shortlist must put
    # all ten mentees within their choices, whatever it costs in score; every number a
    # coordinator sees stays in points (no tier), and pairs.csv has no bonus column.
    from matcher.api import alternatives_for, preferences_for
    from matcher.report.tables import alternatives_table, pairs_table

    _, plain, mentees, wanted = _sample_with_choices(tmp_path)
    cohort2, _ = load(SAMPLE / "mentors.csv", mentees)
    result = match(cohort2, parse_config({"preferences": {"shortlist": True}}))
    assert {i: int(result.solution.mentor_of[i]) for i in wanted} == wanted
    assert int((result.solution.mentor_of >= 0).sum()) == int((plain.solution.mentor_of >= 0).sum())
    assert result.report.ok and result.problem.shortlist > 0
    header, rows = pairs_table(result)
    # no bonus column (shortlist adds no points); each pair says whose choice it is
    assert header == [*pairs_table(plain)[0], "mentee_choice", "mentor_choice"]
    col = {h: k for k, h in enumerate(header)}
    for row in rows:
        i, j = cohort2.mentee_index(row[col["mentee_id"]]), cohort2.mentor_index(row[col["mentor_id"]])
        assert row[col["score"]] == f"{plain.scores.score[i, j]:.2f}"
        assert row[col["mentee_choice"]] == ("1st" if i in wanted else "")
        assert row[col["mentor_choice"]] == ""
        if i in wanted:  # a chosen mentor ranks first whatever the scores: the report says so
            assert row[col["rank"]] == 1
    assert any(
        int(r[col["rank"]]) == 1
        and plain.scores.score[i, j] < plain.scores.score[i][plain.problem.allowed[i]].max()
        for r in rows
        for i, j in [(cohort2.mentee_index(r[col["mentee_id"]]), cohort2.mentor_index(r[col["mentor_id"]]))]
        if i in wanted
    )
    from matcher.report.html import render_sections
    from matcher.report.tables import summary, unmatched_table

    words = "own feasible choices first (best score first), then the others by score"
    parts = render_sections(
        result, pairs_table=(header, rows), unmatched_table=unmatched_table(result), summary=summary(result)
    )
    assert words in parts["pairs"]
    plain_parts = render_sections(
        plain, pairs_table=pairs_table(plain), unmatched_table=unmatched_table(plain), summary=summary(plain)
    )
    assert words not in plain_parts["pairs"]
    _, alt_rows = alternatives_table(result, alternatives_for(result, 3))
    deltas = [float(r[-4]) for r in alt_rows if r[-4] != ""]
    assert deltas and max(abs(d) for d in deltas) <= 100 * 150  # points, never the tier
    audit = preferences_for(result)
    assert audit.counts["mentees"]["1st"] == 10


def _choices_words(result) -> str:
    """The report's text for ``result`` (its Choices section included)."""
    from matcher.api import preferences_for
    from matcher.report.html import render_sections
    from matcher.report.tables import pairs_table, summary, unmatched_table
    from matcher.review.preferences import audit_table

    audit = preferences_for(result)
    info = summary(result)
    info["preferences"] = {**audit.counts, "choices_in_objective": "shortlist"}
    parts = render_sections(
        result,
        pairs_table=pairs_table(result),
        unmatched_table=unmatched_table(result),
        summary=info,
        preferences_table=audit_table(result, audit),
    )
    return " ".join(parts.values())


def test_fair_mode_with_shortlist_end_to_end(tmp_path):
    # objective = "fair" with shortlist: the proven lowest score is the lowest score shown in
    # pairs.csv (the tier never counts as score), choices are honoured where the lowest score
    # allows, and the report says the order.
    from matcher.report.tables import pairs_table

    _, _, mentees, wanted = _sample_with_choices(tmp_path)
    cohort, _ = load(SAMPLE / "mentors.csv", mentees)
    fair = match(cohort, parse_config({"rules": {"objective": "fair"}}))
    result = match(cohort, parse_config({"preferences": {"shortlist": True}, "rules": {"objective": "fair"}}))
    assert result.report.ok and result.problem.shortlist > 0
    assert result.solution.lowest_score == fair.solution.lowest_score  # level 2 before choices
    header, rows = pairs_table(result)
    at = header.index("score")
    assert min(float(r[at]) for r in rows) == result.solution.lowest_score
    got = sum(int(result.solution.mentor_of[i]) == j for i, j in wanted.items())
    assert got > sum(int(fair.solution.mentor_of[i]) == j for i, j in wanted.items())
    assert "the highest lowest pair score and the readiest mentees" in _choices_words(result)


def test_shortlist_with_several_mentors_end_to_end_shows_points_never_the_tier(tmp_path):
    from matcher.api import alternatives_for, preferences_for
    from matcher.report.tables import alternatives_table, pairs_table
    from matcher.synthetic.cohort import generate_cohort

    mentors, mentees = generate_cohort(30, 12, 4, preferences=True)
    mentees = mentees.assign(mentors_wanted=["2" if k % 3 == 0 else "1" for k in range(len(mentees))])
    m, e = tmp_path / "mentors.csv", tmp_path / "mentees.csv"
    mentors.to_csv(m, index=False)
    mentees.to_csv(e, index=False)
    cohort, _ = load(m, e)
    plain = match(cohort, parse_config({}))
    result = match(cohort, parse_config({"preferences": {"shortlist": True}}))
    assert result.report.ok and result.problem.shortlist > 0 and result.problem.wanted is not None
    assert result.solution.pairing.size == plain.solution.pairing.size  # never a pair fewer
    header, rows = pairs_table(result)
    col = {h: k for k, h in enumerate(header)}
    assert all(float(r[col["score"]]) <= 100 for r in rows)
    alt_header, alt_rows = alternatives_table(result, alternatives_for(result, 3))
    at = alt_header.index("delta_total")
    deltas = [float(r[at]) for r in alt_rows if r[at] not in ("", None)]
    assert deltas and all(abs(d) <= 100 * len(rows) for d in deltas)  # points, never the tier
    why = alt_header.index("reason")  # why a gain in score is not taken
    assert any(r[why] == "would take 1 choice met away from other mentees" for r in alt_rows)
    audit = preferences_for(result)
    met = audit.counts["mentees"]["choices_met"]
    assert met > preferences_for(plain).counts["mentees"]["choices_met"]
    # an unmet choice says when giving it would take a choice away from someone else; points
    # are points (an exact re-solve, the tier split off)
    why = [w for x in audit.people for w in x.why]
    assert any("would take 1 choice met away from other mentees" in w for w in why)
    costs = [
        float(w.split("cost the programme ")[1].split(" points")[0]) for w in why if "cost the programme" in w
    ]
    assert all(0 <= c <= 100 * len(rows) for c in costs)
    assert "as many choices as possible are met (each chosen mentor counts one)" in _choices_words(result)


# With several mentors per mentee the shortlist level counts choices met: each pair whose
# mentor is one of its mentee's counted choices counts one (with one mentor each: the mentees
# within their choices). Order: (1) pairs, (1b) mentees with a mentor, (2) readiness,
# (3) choices met, (4) score — brute force of that order over every set of pairs.


@settings(max_examples=80, deadline=None)
@given(tiny(pins=True), st.integers(0, 2**32 - 1), st.booleans())
def test_shortlist_with_several_mentors_is_its_lexicographic_optimum(case, seed, distinct):
    plain, group = case
    mask = np.random.default_rng(seed).random(plain.shape) < 0.4
    s, top, tier = add_shortlist(plain.score, plain.max_score, mask, plain.max_matchable)
    p = replace(plain, score=s, max_score=top, shortlist=tier)

    def levels(_, pairs):
        n, covered, ready, score = lexicographic(plain, pairs)
        return n, covered, ready, sum(int(mask[i, j]) for i, j in pairs), score

    side = SideRules((DistinctMentors(group, "department"),)) if distinct else SideRules()
    best, _ = several_brute_force(plain, group=group if distinct else None, levels=levels)
    for sol in (solve_flow(p, side), solve_cpsat(p, side, SolverSettings())):
        assert sol.status == "OPTIMAL"
        assert levels(None, [tuple(x) for x in sol.pairing.pairs.tolist()]) == best
        assert sol.objective == total_objective(p, sol.pairing)
