"""The fast paths give the same answers as the plain ones they replace.

Scoring looks parts up in tables over distinct answers, counts shared list items with bit
masks, and scores blocks on several threads; the candidate set keeps each mentor's best
mentees; ranks come from stored units. Each is checked here against a direct
computation on generated cohorts (with blanks), so a fast path can never drift from
what the README describes.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

import matcher.solve.candidates as large
import scoring.five_cs as five_cs
from matcher.api import load, match
from matcher.io.config import FIVE_CS
from matcher.synthetic.cohort import write_cohort
from scoring.combine import pair_components, prepare_scoring, score_block, score_cohort
from scoring.features import list_masks, overlap_counts


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    m, e = write_cohort(tmp_path_factory.mktemp("fast"), 70, 30, 5)
    return load(m, e)


def _tables(features) -> list[five_cs.PairTable]:
    """The lookup tables scoring built for one cohort: they are kept in its Features' memo
    (not in a module cache), so each ``score_cohort`` call, which builds new Features,
    builds its tables afresh under the TABLE_LIMIT of the moment."""
    found = []
    for value in features.memo.values():
        if isinstance(value, five_cs.PairTable):
            found.append(value)
        elif isinstance(value, five_cs._Lists):
            found.append(value.inverse_min)
    return found


def test_lookup_tables_equal_direct_evaluation(cohort, monkeypatch):
    """Every C computed by table lookup equals the same formula evaluated pair by pair."""
    c, config = cohort
    looked_up = score_cohort(c, config.scoring)
    monkeypatch.setattr(five_cs, "TABLE_LIMIT", 0)  # no tables: evaluate on each block
    direct = score_cohort(c, config.scoring)
    assert looked_up.features is not direct.features
    assert _tables(looked_up.features) and all(t.table is not None for t in _tables(looked_up.features))
    assert _tables(direct.features) and all(t.table is None for t in _tables(direct.features))
    np.testing.assert_array_equal(looked_up.components, direct.components)
    np.testing.assert_array_equal(looked_up.score, direct.score)


@pytest.mark.parametrize("vocabulary", [5, 12, 30, 64, 65, 200, 300])
def test_bit_mask_overlaps_equal_the_sparse_product(vocabulary):
    rng = np.random.default_rng(vocabulary)

    def lists(n):
        dense = (rng.random((n, vocabulary)) < 3 / vocabulary).astype(float)
        dense[rng.random(n) < 0.2] = 0  # some blank lists
        return sparse.csr_matrix(dense)

    a, b = lists(40), lists(25)
    masks = list_masks(a, b)
    if vocabulary > 64 * 4:
        assert masks is None  # too long for masks: the sparse product is used
        return
    me, mr = masks
    shared = sum(np.bitwise_count(me[:, w][:, None] & mr[None, :, w]).astype(int) for w in range(me.shape[1]))
    np.testing.assert_array_equal(shared, overlap_counts(a, b))


def test_block_scores_do_not_depend_on_the_block(cohort):
    c, config = cohort
    ctx = prepare_scoring(c, config.scoring)
    whole_comps, whole = score_block(ctx, slice(None))
    rows = np.array([5, 0, 69, 33])
    comps, part = score_block(ctx, rows)
    np.testing.assert_array_equal(part, whole[rows])
    np.testing.assert_array_equal(comps, whole_comps[:, rows])


def test_scoring_threads_do_not_change_the_candidates(cohort, monkeypatch):
    c, config = cohort
    ctx = prepare_scoring(c, config.scoring)
    monkeypatch.setattr(large, "CHUNK_PAIRS", 90)  # three rows a block: many blocks
    monkeypatch.setattr(large, "CANDIDATES", 4)
    runs = []
    for threads in (1, 2):
        monkeypatch.setattr(large, "SCORING_THREADS", threads)
        problem, _ = large.candidate_problem(c, config, ctx)
        runs.append(problem)
    one, two = runs
    np.testing.assert_array_equal(one.units, two.units)
    np.testing.assert_array_equal(one.ei, two.ei)
    np.testing.assert_array_equal(one.rj, two.rj)
    np.testing.assert_array_equal(one.best_pruned, two.best_pruned)


def test_candidates_hold_each_mentors_best_mentees_and_bound_the_rest(cohort, monkeypatch):
    c, config = cohort
    monkeypatch.setattr(large, "CANDIDATES", 3)
    monkeypatch.setattr(large, "MENTOR_CANDIDATES", 2)
    problem, _ = large.candidate_problem(c, config, prepare_scoring(c, config.scoring))
    units = np.where(problem.units == large.NOT_ALLOWED, -1, problem.units.astype(np.int64))
    cand = np.zeros(problem.shape, bool)
    cand[problem.ei, problem.rj] = True
    for j in range(problem.shape[1]):
        column = units[:, j]
        if (column >= 0).sum() == 0:
            continue
        second = np.sort(column)[-2] if (column >= 0).sum() > 1 else column.max()
        # every mentee scoring above the mentor's second best is a candidate
        assert cand[column > second, j].all()
        assert cand[np.flatnonzero(column == column.max()), j].any()
    pruned = np.where(cand | (units < 0), -1, units)
    assert (pruned.max(axis=1) <= problem.best_pruned).all()


def test_certificate_without_mentor_candidates_still_equals_dense(tmp_path, monkeypatch):
    m, e = write_cohort(tmp_path, 110, 40, 9)
    c, config = load(m, e)
    dense = match(c, config)
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 2)
    monkeypatch.setattr(large, "MENTOR_CANDIDATES", 0)
    sparse_result = match(c, config)
    assert sparse_result.certificate["certified"] is True
    assert sparse_result.solution.objective == dense.solution.objective


def test_ranks_match_their_definition_dense_and_sparse(cohort, monkeypatch):
    c, config = cohort
    dense = match(c, config)
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 3)
    sparse_result = match(c, config)
    for result in (dense, sparse_result):
        mentor_of = result.solution.mentor_of
        ii = np.flatnonzero(mentor_of >= 0)
        ranks = result.problem.ranks(ii, mentor_of[ii])
        for n, i in enumerate(ii):
            allowed = dense.problem.allowed[i]
            own = dense.scores.score[i, mentor_of[i]]
            assert ranks[n] == 1 + int((dense.scores.score[i][allowed] > own).sum())


def test_components_of_chosen_pairs_are_filled_in(cohort, monkeypatch):
    c, config = cohort
    dense = match(c, config)
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 1)
    result = match(c, config)
    mentor_of = result.solution.mentor_of
    ii = np.flatnonzero(mentor_of >= 0)
    got = result.scores.pair_components(ii, mentor_of[ii])
    used = [k for k, name in enumerate(FIVE_CS) if name in result.scores.used]
    np.testing.assert_array_equal(got[used], dense.scores.components[:, ii, mentor_of[ii]][used])


def test_pair_components_equal_the_block_values(cohort):
    c, config = cohort
    ctx = prepare_scoring(c, config.scoring)
    comps, _ = score_block(ctx, slice(None))
    rng = np.random.default_rng(3)
    ii = rng.integers(0, c.n_mentees, 200)
    jj = rng.integers(0, c.n_mentors, 200)
    np.testing.assert_array_equal(pair_components(ctx, ii, jj), comps[:, ii, jj])
