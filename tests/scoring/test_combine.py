"""Scoring moves the right way: each of the five Cs, readiness, blanks, weights and the pair score.

Every test builds a tiny hand-made cohort (CSV files written by the ``cohort_files``
fixture), loads it through :func:`matcher.api.load` exactly as the CLI does and scores
it with :func:`scoring.combine.score_cohort`. People differ in ONE input so that the
direction (and, where the formula is simple, the exact value) of one C can be checked.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import scoring.combine as combine
from matcher.api import load
from matcher.io.config import FIVE_CS, parse_config
from matcher.synthetic.cohort import generate_cohort
from scoring.combine import score_cohort
from tests.conftest import write_csv

C = {c: k for k, c in enumerate(FIVE_CS)}
READY = ("ready_open", "ready_committed", "ready_challenge", "ready_feedback", "ready_respect")
STYLE = ("style_structure", "style_pace", "style_directness")


def mentor(pid: str, **answers) -> dict:
    return {"id": pid, "capacity": 1, **answers}


def mentee(pid: str, **answers) -> dict:
    return {"id": pid, **answers}


@pytest.fixture
def scored(cohort_files):
    """scored(mentors, mentees, config=None) -> (cohort, Scores), loaded through the public API."""

    def run(mentors, mentees, config=None):
        m, e = cohort_files(mentors, mentees)
        cohort, default = load(m, e)
        return cohort, score_cohort(cohort, (config or default).scoring)

    return run


def comp(cohort, s, c: str, mentee_id: str, mentor_id: str) -> float:
    return float(s.components[C[c], cohort.mentee_index(mentee_id), cohort.mentor_index(mentor_id)])


def pair(cohort, s, mentee_id: str, mentor_id: str) -> float:
    return float(s.score[cohort.mentee_index(mentee_id), cohort.mentor_index(mentor_id)])


# --------------------------------------------------------------------------- context


def test_context_more_shared_goal_topics_is_higher(scored):
    cohort, s = scored(
        [
            mentor("R1", topics="leadership;grant writing;publishing"),
            mentor("R2", topics="leadership;teaching"),
            mentor("R3", topics="teaching"),
        ],
        [mentee("E1", topics="Leadership; Grant writing; publishing")],
    )
    assert s.used == ("context",)
    got = [comp(cohort, s, "context", "E1", r) for r in ("R1", "R2", "R3")]
    # Only the topics part is in use: shared topics / the mentee's topics.
    assert got == pytest.approx([1.0, 1 / 3, 0.0], abs=1e-6)
    assert got[0] > got[1] > got[2]


def test_context_goals_text_overlapping_expertise_beats_unrelated_text(scored):
    cohort, s = scored(
        [
            mentor("R1", expertise="I review fellowship grant applications the way funding panels do."),
            mentor("R2", expertise="Robotic surgery hardware maintenance and calibration."),
            mentor("R3", expertise=""),
        ],
        [mentee("E1", goals="I want help writing my first fellowship grant application.")],
    )
    assert s.used == ("context",)
    related = comp(cohort, s, "context", "E1", "R1")
    unrelated = comp(cohort, s, "context", "E1", "R2")
    assert 0.0 < related <= 1.0
    assert unrelated == pytest.approx(0.0, abs=1e-6)  # no term in common: cosine 0
    assert related > unrelated
    # A blank expertise is neutral, not zero.
    assert comp(cohort, s, "context", "E1", "R3") == pytest.approx(0.5)


def test_context_seniority_gap_of_one_to_three_beats_none_and_a_wide_gap(scored):
    cohort, s = scored(
        [
            mentor("R1", seniority=2),  # gap 0
            mentor("R2", seniority=3),  # gap 1
            mentor("R3", seniority=5),  # gap 3
            mentor("R4", seniority=6),  # gap 4
            mentor("R5", seniority=12),  # gap 10
            mentor("R6", seniority=1),  # mentee more senior
        ],
        [mentee("E1", seniority=2)],
    )
    assert s.used == ("context",)
    g = {r: comp(cohort, s, "context", "E1", r) for r in ("R1", "R2", "R3", "R4", "R5", "R6")}
    assert g["R2"] == pytest.approx(1.0) and g["R3"] == pytest.approx(1.0)
    assert g["R2"] > g["R1"]  # gap 1 beats no gap
    assert g["R3"] > g["R4"] > g["R5"]  # past 3 levels the fit falls with the gap
    assert g["R5"] < g["R2"]
    assert g["R6"] < g["R1"]  # the wrong direction is worse than no gap
    assert all(0.0 <= v <= 1.0 for v in g.values())


def test_context_emcc_level_raises_context(scored):
    cohort, s = scored(
        [mentor("R1", level="master"), mentor("R2", level="foundation"), mentor("R3", level="")],
        [mentee("E1")],
    )
    assert s.used == ("context",)
    assert comp(cohort, s, "context", "E1", "R1") > comp(cohort, s, "context", "E1", "R2")
    assert comp(cohort, s, "context", "E1", "R3") == pytest.approx(0.5)


# --------------------------------------------------------------------------- challenge


def test_challenge_mentor_who_challenges_more_scores_higher_for_a_hungry_mentee(scored):
    cohort, s = scored(
        [mentor("R1", challenge=5), mentor("R2", challenge=2)],
        [mentee("E1", want_challenge=5)],
    )
    high, low = comp(cohort, s, "challenge", "E1", "R1"), comp(cohort, s, "challenge", "E1", "R2")
    assert high == pytest.approx(1.0)
    assert low == pytest.approx(1 - 3 / 4)  # falls short by 3 points of 4
    assert high > low


def test_challenge_exact_example_mentor_5_mentee_wants_4(scored):
    cohort, s = scored([mentor("R1", challenge=5)], [mentee("E1", want_challenge=4)])
    assert comp(cohort, s, "challenge", "E1", "R1") == pytest.approx(0.90, abs=1e-6)


def test_challenge_matches_the_documented_formula_for_every_answer(scored):
    """1 − shortfall/4 − 0.4 × excess/4 for all 25 (appetite, mentor) combinations."""
    cohort, s = scored(
        [mentor(f"R{m}", challenge=m) for m in range(1, 6)],
        [mentee(f"E{a}", want_challenge=a) for a in range(1, 6)],
    )
    for a in range(1, 6):
        for m in range(1, 6):
            expected = 1 - max(0, a - m) / 4 - 0.4 * max(0, m - a) / 4
            assert comp(cohort, s, "challenge", f"E{a}", f"R{m}") == pytest.approx(expected, abs=1e-6)


def test_challenge_appetite_falls_back_to_ready_challenge_then_3(scored):
    cohort, s = scored(
        [mentor("R1", challenge=1), mentor("R2", challenge="")],
        [
            mentee("E1", want_challenge="", ready_challenge=5),
            mentee("E2", want_challenge="", ready_challenge=""),
            mentee("E3", want_challenge=1, ready_challenge=5),
        ],
    )
    assert comp(cohort, s, "challenge", "E1", "R1") == pytest.approx(0.0)  # appetite 5 from ready_*
    assert comp(cohort, s, "challenge", "E2", "R1") == pytest.approx(0.5)  # appetite 3: short by 2
    assert comp(cohort, s, "challenge", "E3", "R1") == pytest.approx(1.0)  # want_* wins over ready_*
    # A mentor who left challenge blank is neutral for everyone.
    for e in ("E1", "E2", "E3"):
        assert comp(cohort, s, "challenge", e, "R2") == pytest.approx(0.5)


# --------------------------------------------------------------------------- contrast


def test_contrast_counts_differing_department_and_profession(scored):
    cohort, s = scored(
        [
            mentor("R1", department="Oncology", profession="doctor"),
            mentor("R2", department="it", profession="Engineer "),  # case and spacing ignored
            mentor("R3", department="IT", profession="doctor"),
            mentor("R4", department="Oncology", profession="engineer"),
            mentor("R5", department="", profession="doctor"),
        ],
        [mentee("E1", department="IT", profession="engineer")],
    )
    assert s.used == ("contrast",)
    got = {r: comp(cohort, s, "contrast", "E1", r) for r in ("R1", "R2", "R3", "R4", "R5")}
    assert got["R1"] == pytest.approx(1.0)  # both differ
    assert got["R2"] == pytest.approx(0.0)  # both the same
    assert got["R3"] == pytest.approx(0.5)  # one differs
    assert got["R4"] == pytest.approx(0.5)
    assert got["R5"] == pytest.approx(0.75)  # blank department neutral (0.5), profession differs (1)


def test_pair_score_rises_with_want_contrast_for_a_contrasting_mentor(scored):
    # care gives a second C in use (both mentors equal on it), so want_contrast changes the mix.
    cohort, s = scored(
        [
            mentor("R1", department="Oncology", profession="doctor", care=3),
            mentor("R2", department="IT", profession="engineer", care=3),
        ],
        [
            mentee("E1", department="IT", profession="engineer", want_contrast=1, want_care=3),
            mentee("E2", department="IT", profession="engineer", want_contrast=5, want_care=3),
        ],
    )
    assert s.used == ("contrast", "care")
    gap_low = pair(cohort, s, "E1", "R1") - pair(cohort, s, "E1", "R2")
    gap_high = pair(cohort, s, "E2", "R1") - pair(cohort, s, "E2", "R2")
    assert gap_high > gap_low > 0
    # Exact: 100 × (want_contrast × contrast + 3 × 0.5) / (want_contrast + 3).
    assert pair(cohort, s, "E1", "R1") == pytest.approx(100 * (1 * 1 + 3 * 0.5) / 4)
    assert pair(cohort, s, "E1", "R2") == pytest.approx(100 * (1 * 0 + 3 * 0.5) / 4)
    assert pair(cohort, s, "E2", "R1") == pytest.approx(100 * (5 * 1 + 3 * 0.5) / 8)
    assert pair(cohort, s, "E2", "R2") == pytest.approx(100 * (5 * 0 + 3 * 0.5) / 8)


# --------------------------------------------------------------------------- compatibility


def test_compatibility_closer_style_answers_score_higher(scored):
    style = lambda a, b, c: dict(zip(STYLE, (a, b, c), strict=True))  # noqa: E731
    cohort, s = scored(
        [
            mentor("R1", **style(3, 3, 3)),
            mentor("R2", **style(4, 3, 3)),
            mentor("R3", **style(5, 5, 5)),
            mentor("R4", **style(1, 1, 5)),
        ],
        [mentee("E1", **style(3, 3, 3))],
    )
    assert s.used == ("compatibility",)
    got = {r: comp(cohort, s, "compatibility", "E1", r) for r in ("R1", "R2", "R3", "R4")}
    # Mean over items of 1 − |difference| / 4.
    assert got["R1"] == pytest.approx(1.0)
    assert got["R2"] == pytest.approx(1 - (1 / 4) / 3)
    assert got["R3"] == pytest.approx(0.5)
    assert got["R4"] == pytest.approx(0.5)
    assert got["R1"] > got["R2"] > got["R3"]


def test_compatibility_only_answered_style_items_count(scored):
    cohort, s = scored(
        [mentor("R1", style_structure=5, style_pace=1, style_directness="")],
        [
            mentee("E1", style_structure=5, style_pace="", style_directness=1),
            mentee("E2", style_structure="", style_pace="", style_directness=""),
        ],
    )
    assert comp(cohort, s, "compatibility", "E1", "R1") == pytest.approx(1.0)  # only structure compared
    assert comp(cohort, s, "compatibility", "E2", "R1") == pytest.approx(0.5)  # nothing to compare


def test_compatibility_shared_interests_score_higher(scored):
    cohort, s = scored(
        [
            mentor("R1", interests="running;hiking;chess"),
            mentor("R2", interests="running;yoga"),
            mentor("R3", interests="yoga"),
        ],
        [mentee("E1", interests="Running; Hiking")],
    )
    assert s.used == ("compatibility",)
    got = [comp(cohort, s, "compatibility", "E1", r) for r in ("R1", "R2", "R3")]
    # Shared interests / size of the smaller list.
    assert got == pytest.approx([1.0, 0.5, 0.0], abs=1e-6)


def test_compatibility_smaller_time_zone_gap_scores_higher(scored):
    cohort, s = scored(
        [
            mentor("R1", timezone="Europe/London"),
            mentor("R2", timezone="America/New_York"),  # 5 h all year
            mentor("R3", timezone="Asia/Tokyo"),  # 8 h in summer, 9 h in winter
        ],
        [mentee("E1", timezone="Europe/London")],
    )
    assert s.used == ("compatibility",)
    got = [comp(cohort, s, "compatibility", "E1", r) for r in ("R1", "R2", "R3")]
    assert got == pytest.approx([1.0, 1 - 5 / 12, 1 - 9 / 12], abs=1e-6)
    assert got[0] > got[1] > got[2]


def test_compatibility_meeting_mode_fit(scored):
    cohort, s = scored(
        [mentor("R1", mode="virtual"), mentor("R2", mode="either"), mentor("R3", mode="in person")],
        [mentee("E1", mode="Virtual")],
    )
    got = [comp(cohort, s, "compatibility", "E1", r) for r in ("R1", "R2", "R3")]
    assert got == pytest.approx([1.0, 0.75, 0.0])


# --------------------------------------------------------------------------- care


def test_care_follows_the_mentors_care_rating(scored):
    cohort, s = scored(
        [mentor(f"R{c}", care=c) for c in range(1, 6)] + [mentor("R9", care="")],
        [mentee("E1"), mentee("E2")],
    )
    assert s.used == ("care",)
    for e in ("E1", "E2"):  # a property of the mentor: the same for every mentee
        got = [comp(cohort, s, "care", e, f"R{c}") for c in range(1, 6)]
        assert got == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
        assert comp(cohort, s, "care", e, "R9") == pytest.approx(0.5)
    assert pair(cohort, s, "E1", "R5") > pair(cohort, s, "E1", "R1")


# --------------------------------------------------------------------------- readiness


def test_readiness_extremes_blank_and_one_item_raised(scored):
    ready = lambda *v: dict(zip(READY, v, strict=True))  # noqa: E731
    cohort, s = scored(
        [mentor("R1", care=3)],
        [
            mentee("E1", **ready(5, 5, 5, 5, 5)),
            mentee("E2", **ready(1, 1, 1, 1, 1)),
            mentee("E3", **ready("", "", "", "", "")),
            mentee("E4", **ready(3, 3, 3, 3, 3)),
            mentee("E5", **ready(3, 3, 5, 3, 3)),
            mentee("E6", **ready(5, "", "", "", 3)),
        ],
    )
    r = {e: float(s.readiness[cohort.mentee_index(e)]) for e in ("E1", "E2", "E3", "E4", "E5", "E6")}
    assert r["E1"] == pytest.approx(1.0)
    assert r["E2"] == pytest.approx(0.0)
    assert r["E3"] == pytest.approx(0.5)
    assert r["E4"] == pytest.approx(0.5)
    assert r["E5"] == pytest.approx(0.6)  # one item 3 → 5 adds (2/4) / 5
    assert r["E5"] > r["E4"]
    assert r["E6"] == pytest.approx(0.75)  # mean of the answered items only
    assert s.readiness.shape == (6,)


@pytest.mark.parametrize("item", READY)
def test_raising_any_single_ready_item_raises_readiness(scored, item):
    base = dict.fromkeys(READY, 3)
    cohort, s = scored([mentor("R1")], [mentee("E1", **base), mentee("E2", **{**base, item: 4})])
    assert s.readiness[cohort.mentee_index("E2")] > s.readiness[cohort.mentee_index("E1")]


def test_readiness_is_neutral_without_ready_columns(scored):
    _, s = scored([mentor("R1", care=4)], [mentee("E1"), mentee("E2")])
    assert s.readiness.tolist() == [0.5, 0.5]


# --------------------------------------------------------------------------- blanks and absent columns


@pytest.mark.parametrize(
    ("c", "mentor_answers", "mentee_answers"),
    [
        ("compatibility", {"timezone": ""}, {"timezone": "Europe/London"}),
        ("compatibility", {"mode": ""}, {"mode": "virtual"}),
        ("compatibility", {"interests": ""}, {"interests": "chess"}),
        ("compatibility", dict.fromkeys(STYLE, ""), dict.fromkeys(STYLE, 5)),
        ("contrast", {"department": "", "profession": ""}, {"department": "IT", "profession": "nurse"}),
        ("challenge", {"challenge": ""}, {"want_challenge": 5}),
        ("context", {"topics": ""}, {"topics": "leadership"}),
        ("context", {"seniority": ""}, {"seniority": 3}),
        ("context", {"level": ""}, {}),
        ("context", {"expertise": "grant writing"}, {"goals": ""}),
        ("care", {"care": ""}, {}),
    ],
)
def test_a_blank_answer_is_neutral(scored, c, mentor_answers, mentee_answers):
    cohort, s = scored([mentor("R1", **mentor_answers)], [mentee("E1", **mentee_answers)])
    assert s.used == (c,)
    assert comp(cohort, s, c, "E1", "R1") == pytest.approx(0.5)
    assert pair(cohort, s, "E1", "R1") == pytest.approx(50.0)


def test_a_C_whose_columns_are_absent_is_left_out_and_weights_renormalise(scored):
    cohort, s = scored(
        [
            mentor("R1", challenge=5, department="IT", profession="nurse"),
            mentor("R2", challenge=2, department="Oncology", profession="doctor"),
        ],
        [
            mentee(
                "E1", department="IT", profession="doctor", want_challenge=5, want_contrast=2, want_care=5
            ),
            mentee("E2", department="Oncology", profession="doctor", want_challenge=1, want_contrast=4),
        ],
    )
    # No care, no context, no compatibility columns: those Cs are out.
    assert s.used == ("contrast", "challenge")
    assert "mentors file has no 'care' column" in s.left_out
    for c in ("compatibility", "context", "care"):
        assert np.isnan(s.components[C[c]]).all()
        assert (s.weights[:, C[c]] == 0).all()
    # want_care = 5 for E1 has no weight: the C is not in use.
    want = {"E1": {"contrast": 2, "challenge": 5}, "E2": {"contrast": 4, "challenge": 1}}
    for e, w in want.items():
        for r in ("R1", "R2"):
            expected = (
                100
                * sum(w[c] * comp(cohort, s, c, e, r) for c in ("contrast", "challenge"))
                / sum(w.values())
            )
            assert pair(cohort, s, e, r) == pytest.approx(expected, abs=0.005)
            assert 0 <= pair(cohort, s, e, r) <= 100
    assert pair(cohort, s, "E1", "R1") == pytest.approx(100 * (2 * 0.5 + 5 * 1.0) / 7, abs=0.005)


def test_a_part_in_only_one_file_is_left_out_of_its_C(scored):
    # department only in the mentors' file: contrast uses profession alone (0 or 1, never 0.5).
    cohort, s = scored(
        [
            mentor("R1", department="IT", profession="nurse"),
            mentor("R2", department="IT", profession="doctor"),
        ],
        [mentee("E1", profession="doctor")],
    )
    assert s.used == ("contrast",)
    assert comp(cohort, s, "contrast", "E1", "R1") == pytest.approx(1.0)
    assert comp(cohort, s, "contrast", "E1", "R2") == pytest.approx(0.0)
    assert "contrast: left out department (not in both files)" in s.left_out


def test_no_scoring_columns_at_all_gives_the_neutral_score(scored):
    _, s = scored([mentor("R1"), mentor("R2")], [mentee("E1")])
    assert s.used == ()
    assert np.isnan(s.components).all()
    assert s.score.tolist() == [[50.0, 50.0]]


# --------------------------------------------------------------------------- pair score and weights


def _want(path: Path) -> dict[str, dict[str, float]]:
    """want_C per mentee id, read straight from the CSV (blank = 3)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {
            row["id"]: {c: float(row[f"want_{c}"]) if row[f"want_{c}"] else 3.0 for c in FIVE_CS}
            for row in csv.DictReader(fh)
        }


@pytest.mark.parametrize(
    "weights",
    [{}, {"compatibility": 2.0, "contrast": 0.5, "challenge": 1, "context": 1.5, "care": 0.25}],
)
def test_pair_score_is_the_want_weighted_mean_of_the_Cs(tmp_path, weights):
    mentors, mentees = generate_cohort(60, 25, seed=11, blanks=0.15)
    m = write_csv(tmp_path / "mentors.csv", mentors.to_dict("records"))
    e = write_csv(tmp_path / "mentees.csv", mentees.to_dict("records"))
    cohort, _ = load(m, e)
    config = parse_config({"weights": weights})
    s = score_cohort(cohort, config.scoring)
    assert s.used == FIVE_CS
    prog = np.array([config.weights.as_dict()[c] for c in FIVE_CS])
    want = _want(e)
    assert any(v == 3.0 for w in want.values() for v in w.values())  # some blank wants
    w = np.array([[want[pid][c] for c in FIVE_CS] for pid in cohort.mentee_ids]) * prog
    np.testing.assert_allclose(s.weights, w)
    expected = 100 * np.einsum("ic,cij->ij", w, s.components.astype(np.float64)) / w.sum(axis=1)[:, None]
    np.testing.assert_allclose(s.score, expected, atol=0.005 + 1e-9)
    assert np.array_equal(s.score, np.round(s.score, 2))


def test_pair_score_on_the_sample_data(sample_paths):
    cohort, config = load(*sample_paths)
    s = score_cohort(cohort, config.scoring)
    want = _want(sample_paths[1])
    w = np.array([[want[pid][c] for c in FIVE_CS] for pid in cohort.mentee_ids])
    expected = 100 * np.einsum("ic,cij->ij", w, s.components.astype(np.float64)) / w.sum(axis=1)[:, None]
    np.testing.assert_allclose(s.score, expected, atol=0.005 + 1e-9)


def test_a_programme_weight_of_zero_removes_a_Cs_influence(scored):
    mentors = [mentor("R1", care=5, challenge=3), mentor("R2", care=1, challenge=3)]
    mentees = [mentee("E1", want_care=5, want_challenge=3)]
    cohort, s = scored(mentors, mentees)
    assert pair(cohort, s, "E1", "R1") > pair(cohort, s, "E1", "R2")

    cohort, s0 = scored(mentors, mentees, parse_config({"weights": {"care": 0}}))
    assert pair(cohort, s0, "E1", "R1") == pair(cohort, s0, "E1", "R2")
    assert s0.weights[0, C["care"]] == 0
    # The score is then challenge alone.
    assert pair(cohort, s0, "E1", "R1") == pytest.approx(100 * comp(cohort, s0, "challenge", "E1", "R1"))
    # The C is still computed (and shown), only weightless.
    assert comp(cohort, s0, "care", "E1", "R1") == pytest.approx(1.0)


def test_a_larger_programme_weight_increases_a_Cs_influence(scored):
    mentors = [mentor("R1", care=5, challenge=1), mentor("R2", care=1, challenge=5)]
    mentees = [mentee("E1", want_challenge=5)]
    cohort, s = scored(mentors, mentees)
    assert pair(cohort, s, "E1", "R2") > pair(cohort, s, "E1", "R1")
    cohort, s = scored(mentors, mentees, parse_config({"weights": {"care": 10}}))
    assert pair(cohort, s, "E1", "R1") > pair(cohort, s, "E1", "R2")


def test_penalise_same_department_takes_points_off_only_same_department_pairs(scored):
    mentors = [mentor("R1", department="IT", care=4), mentor("R2", department="HR", care=4)]
    mentees = [mentee("E1", department="it")]
    cohort, s = scored(mentors, mentees)
    config = parse_config({"rules": {"same_department": "penalise", "department_penalty": 7.5}})
    _, p = scored(mentors, mentees, config)
    assert pair(cohort, p, "E1", "R1") == pytest.approx(pair(cohort, s, "E1", "R1") - 7.5)
    assert pair(cohort, p, "E1", "R2") == pytest.approx(pair(cohort, s, "E1", "R2"))


# --------------------------------------------------------------------------- vectorised, whole cohort


def test_sample_data_scores_have_the_right_shapes_and_ranges(sample_paths):
    cohort, config = load(*sample_paths)
    assert (cohort.n_mentees, cohort.n_mentors) == (150, 60)
    s = score_cohort(cohort, config.scoring)
    assert s.shape == (150, 60)
    assert s.components.shape == (5, 150, 60)
    assert s.score.shape == (150, 60)
    assert s.readiness.shape == (150,)
    assert s.weights.shape == (150, 5)
    assert s.used == FIVE_CS
    assert not np.isnan(s.score).any()
    assert not np.isnan(s.components).any()
    assert not np.isnan(s.readiness).any()
    assert s.score.min() >= 0 and s.score.max() <= 100
    assert s.components.min() >= 0 and s.components.max() <= 1
    assert s.readiness.min() >= 0 and s.readiness.max() <= 1
    # The pairs really differ (not a constant fallback).
    assert np.unique(s.score).size > 1000


def test_chunked_scoring_gives_the_same_result(sample_paths, monkeypatch):
    cohort, config = load(*sample_paths)
    whole = score_cohort(cohort, config.scoring)
    monkeypatch.setattr(combine, "CHUNK_PAIRS", 7 * cohort.n_mentors)  # chunks of 7 mentee rows
    chunked = score_cohort(cohort, config.scoring)
    np.testing.assert_array_equal(chunked.components, whole.components)
    np.testing.assert_array_equal(chunked.score, whole.score)
    np.testing.assert_array_equal(chunked.readiness, whole.readiness)
