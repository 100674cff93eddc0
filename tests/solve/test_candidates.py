"""Candidate sets with a dual-price certificate give exactly the dense optimum."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import matcher.solve.candidates as large
from cli.main import cli
from matcher.api import load, match
from matcher.solve.check import check
from matcher.synthetic.cohort import write_cohort


@pytest.fixture
def sparse_mode(monkeypatch):
    """Force the candidate-set path with very few candidates, so the certificate must work."""

    def set_candidates(n: int) -> None:
        monkeypatch.setattr(large, "DENSE_LIMIT", 0)
        monkeypatch.setattr(large, "CANDIDATES", n)

    return set_candidates


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("candidates", [1, 3, 8])
def test_candidate_answer_equals_dense(tmp_path, monkeypatch, sparse_mode, seed, candidates):
    m, e = write_cohort(tmp_path, 120, 45, seed)
    cohort, config = load(m, e)
    dense = match(cohort, config)
    sparse_mode(candidates)
    sparse = match(cohort, config)
    assert isinstance(sparse.problem, large.SparseProblem)
    assert sparse.solution.status == "OPTIMAL"
    assert sparse.certificate["certified"] is True
    assert sparse.solution.objective == dense.solution.objective
    assert int((sparse.solution.mentor_of >= 0).sum()) == int((dense.solution.mentor_of >= 0).sum())
    # The dense checker accepts the sparse answer: every rule and capacity hold.
    assert check(dense.problem, sparse.solution.mentor_of).ok


def test_candidate_answer_with_pins_forbidden_and_readiness(tmp_path, monkeypatch, sparse_mode):
    m, e = write_cohort(tmp_path, 90, 35, 7)
    cohort, config = load(m, e)
    config = config.with_rules(min_readiness=0.55)
    dense0 = match(cohort, config)
    rng = np.random.default_rng(0)
    matched = np.flatnonzero(dense0.solution.mentor_of >= 0)
    # pins: a few allowed pairs that are not the optimum's choice
    pins = []
    used = set()
    for i in rng.permutation(matched)[:20]:
        js = np.flatnonzero(dense0.problem.allowed[i])
        js = [j for j in js if j != dense0.solution.mentor_of[i] and j not in used]
        if js:
            pins.append((int(i), int(js[0])))
            used.add(int(js[0]))
        if len(pins) == 3:
            break
    forbidden = [(int(i), int(dense0.solution.mentor_of[i])) for i in matched[:5]]
    dense = match(cohort, config, pins=pins, forbidden=forbidden)
    sparse_mode(2)
    sparse = match(cohort, config, pins=pins, forbidden=forbidden)
    assert sparse.certificate["certified"] is True
    assert sparse.solution.objective == dense.solution.objective
    for i, j in pins:
        assert sparse.solution.mentor_of[i] == j
    for i, j in forbidden:
        assert sparse.solution.mentor_of[i] != j
    assert check(dense.problem, sparse.solution.mentor_of).ok


def test_side_rules_on_candidates_are_certified(tmp_path, sparse_mode):
    m, e = write_cohort(tmp_path, 60, 25, 5)
    cohort, config = load(m, e)
    config = config.with_rules(max_same_department_per_mentor=1)
    dense = match(cohort, config)
    sparse_mode(5)
    result = match(cohort, config)
    assert result.solution.status == "OPTIMAL"
    assert result.certificate["certified"] is True
    assert "(mentor, department) nodes" in result.certificate["method"]
    assert result.solution.objective == dense.solution.objective


def test_cli_writes_every_output_in_candidate_mode(tmp_path, sparse_mode):
    m, e = write_cohort(tmp_path / "in", 80, 30, 11)
    sparse_mode(4)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["match", "--mentors", str(m), "--mentees", str(e), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "alternatives are not computed" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL"
    assert summary["certificate"]["certified"] is True
    assert not (out / "alternatives.csv").exists()
    pairs = (out / "pairs.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(pairs) == 1 + summary["matched"]
    # The dense run on the same files writes the same pairs (byte for byte).
    dense_out = tmp_path / "dense"
    large.DENSE_LIMIT = 3_000_000
    CliRunner().invoke(
        cli,
        ["match", "--mentors", str(m), "--mentees", str(e), "--out", str(dense_out), "--alternatives", "0"],
    )
    assert (dense_out / "pairs.csv").read_bytes() == (out / "pairs.csv").read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("candidates", [1, 4])
def test_candidate_answer_with_preference_bonuses_equals_dense(tmp_path, sparse_mode, seed, candidates):
    # The bonus enters the candidate set's stored scores and the certificate's bound (M from
    # 100 + the largest bonus): the certified answer is the dense optimum, and every output
    # built from it is the same, five-C scores and bonus column included.
    from matcher.api import preferences_for
    from matcher.io.config import parse_config
    from matcher.report.tables import pairs_table, summary

    m, e = write_cohort(tmp_path, 120, 45, seed, preferences=True)
    cohort, _ = load(m, e)
    config = parse_config({"preferences": {"mentee_bonus": [30, 20, 10], "mentor_bonus": 15}})
    dense = match(cohort, config)
    assert dense.problem.max_score == 145.0
    sparse_mode(candidates)
    sparse = match(cohort, config)
    assert isinstance(sparse.problem, large.SparseProblem)
    assert sparse.problem.max_score == 145.0
    assert sparse.certificate["certified"] is True and sparse.solution.status == "OPTIMAL"
    assert sparse.solution.objective == dense.solution.objective
    assert check(dense.problem, sparse.solution.mentor_of).ok
    if (sparse.solution.mentor_of == dense.solution.mentor_of).all():
        assert pairs_table(sparse) == pairs_table(dense)
        # the audit (rule bits re-scored in blocks on candidates) says what the dense one says
        from matcher.review.preferences import audit

        a_s, a_d = audit(sparse), audit(dense)
        assert a_s.people == a_d.people and a_s.blocking == a_d.blocking and a_s.counts == a_d.counts
        assert any("excluded by" in w for x in a_s.people for w in x.why)
        s1, s2 = summary(sparse), summary(dense)
        for key in ("score_total", "score_min", "objective", "matched"):
            assert s1[key] == s2[key]
    # the five-C scores reports read are the dense ones, bonus taken off
    ii = np.arange(cohort.n_mentees)
    jj = (ii * 7) % cohort.n_mentors
    np.testing.assert_allclose(sparse.scores.score[ii, jj], dense.scores.score[ii, jj], atol=1e-9)
    audit = preferences_for(sparse)  # above the dense limit: unmet choices without a cost
    assert audit.counts["mentees"]["with_choices"] == preferences_for(dense).counts["mentees"]["with_choices"]


def test_bonus_larger_than_the_score_range_is_still_certified(tmp_path, sparse_mode):
    # Choices worth 100 points each way (pairs up to 300 points): a bound that assumed
    # 100 points per pair would prune pairs that the optimum needs.
    from matcher.io.config import parse_config

    m, e = write_cohort(tmp_path, 90, 30, 5, preferences=True)
    cohort, _ = load(m, e)
    config = parse_config({"preferences": {"mentee_bonus": [100, 100, 100], "mentor_bonus": 100}})
    dense = match(cohort, config)
    sparse_mode(1)
    sparse = match(cohort, config)
    assert sparse.certificate["certified"] is True
    assert sparse.solution.objective == dense.solution.objective


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("candidates", [1, 4])
@pytest.mark.parametrize(
    "extra",
    [{}, {"preferences": {"mentee_bonus": [30, 20]}}, {"rules": {"objective": "fair"}},
     {"rules": {"max_same_department_per_mentor": 1}}],
)  # fmt: skip
def test_candidate_answer_with_shortlist_equals_dense(tmp_path, sparse_mode, seed, candidates, extra):
    # shortlist = true above the dense limit: every allowed counted choice is a candidate
    # carrying the tier, pruned pairs are priced by their stored units (never a choice), so
    # the certified answer is the dense optimum — matched, readiness, mentees within their
    # choices, score, each level — and what reports read (rank, shown scores) is the same.
    from matcher.io.config import parse_config
    from matcher.report.tables import pairs_table
    from matcher.solve.bonus import shown_scores

    m, e = write_cohort(tmp_path, 120, 45, seed, preferences=True)
    cohort, _ = load(m, e)
    settings = {
        "preferences": {"shortlist": True, **extra.get("preferences", {})},
        "rules": extra.get("rules", {}),
    }
    config = parse_config(settings)
    dense = match(cohort, config)
    assert dense.problem.shortlist > 0
    sparse_mode(candidates)
    sparse = match(cohort, config)
    assert isinstance(sparse.problem, large.SparseProblem)
    assert sparse.problem.shortlist == dense.problem.shortlist
    assert sparse.problem.max_score == dense.problem.max_score
    assert sparse.certificate["certified"] is True and sparse.solution.status == "OPTIMAL"
    assert sparse.solution.objective == dense.solution.objective
    assert sparse.solution.lowest_score == dense.solution.lowest_score
    assert check(dense.problem, sparse.solution.mentor_of, [dense.side.violations]).ok
    x = sparse.solution.mentor_of
    on = np.flatnonzero(x >= 0)
    np.testing.assert_array_equal(sparse.problem.pair_scores(on, x[on]), dense.problem.pair_scores(on, x[on]))
    np.testing.assert_array_equal(sparse.problem.ranks(on, x[on]), dense.problem.ranks(on, x[on]))
    ii = np.arange(cohort.n_mentees)
    jj = (ii * 7) % cohort.n_mentors
    np.testing.assert_allclose(sparse.scores.score[ii, jj], dense.scores.score[ii, jj], atol=1e-9)
    for i in (0, 5):
        np.testing.assert_array_equal(sparse.problem.row(i)[0], dense.problem.row(i)[0])
        assert shown_scores(sparse.problem, sparse.problem.row(i)[0]).max() <= 100 + 30
    np.testing.assert_array_equal(
        np.nan_to_num(sparse.problem.column(3)[0], nan=-1),
        np.where(dense.problem.allowed[:, 3], dense.problem.score[:, 3], -1),
    )
    if (x == dense.solution.mentor_of).all():
        assert pairs_table(sparse) == pairs_table(dense)
