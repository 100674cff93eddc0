"""Candidate sets for new decisions from one scored pass (the review app's re-solves).

:func:`~matcher.solve.candidates.candidate_problem` scores every pair (about 8 s at
10,000 × 4,000). A review session changes only forbidden pairs (a mentee left out is a
row of them), pins and capacities — none of which changes a pair's score. So
:func:`prepare` runs that pass once with nothing forbidden or pinned and keeps what it
found per mentee row (its candidate mentors) and per mentor column (its best mentees),
and :func:`derive` rebuilds the candidate problem for any forbidden pairs, pins and
capacities by redoing only the rows and columns they touch:

* the stored score units lose the forbidden pairs (``NOT_ALLOWED``);
* a touched row (a forbidden or pinned mentee) is re-scored alone and its candidates
  chosen again — the same ``argpartition`` over the same values as the full pass, which
  picks per row (so per-row ties break the same way);
* a touched column (a mentor in a newly forbidden pair) replays the full pass's
  streaming choice of its best mentees, block by block, over the stored units — again
  per column;
* the arcs are assembled in the same order and the mentors' candidates added by the
  same :func:`~matcher.solve.candidates.add_arcs`.

The result equals ``candidate_problem`` with those decisions array for array (tests:
``tests/solve/test_candidate_reuse.py``, hypothesis against the full pass), so the
solve, the certificate and every output are the command's, byte for byte. If
``candidate_problem`` changes how it chooses candidates, those tests fail: this module
mirrors its loop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matcher.solve import candidates as C
from matcher.solve.rules import RuleInput, avoid_pairs, exclusions, reporting_pairs
from scoring.combine import ScoringContext, pair_components, score_block


@dataclass(frozen=True, eq=False)
class Prepared:
    """One full pass with nothing forbidden or pinned: the candidate ``problem``, which of
    its arcs are row candidates (``row_arc``, (n_arcs,) bool), and each mentor's best
    mentees as the streaming pass left them (``col_units``, ``col_rows``: (keep_m, n_r))."""

    cohort: object
    config: object
    ctx: ScoringContext
    failed: tuple
    earlier: tuple
    problem: C.SparseProblem
    row_arc: np.ndarray
    col_units: np.ndarray
    col_rows: np.ndarray
    keep_n: int
    keep_m: int


def _extra(cohort, earlier) -> dict:
    extra = {"avoid_pairs": avoid_pairs(cohort), "reporting_pairs": reporting_pairs(cohort)}
    if earlier:
        extra["earlier_pairs"] = tuple(earlier)
    return extra


def _rescorer(cohort, config, ctx, forbidden, failed, extra):
    """``rows → (comps, score, bits)``, as ``candidate_problem`` builds it."""

    def rescore(rows):
        comps, score = score_block(ctx, rows)
        x = RuleInput(cohort, ctx.features, config, score, rows, tuple(forbidden), tuple(failed), extra)
        bits, _ = exclusions(x)
        return comps, score, bits

    return rescore


def _chunk_units(units: np.ndarray) -> np.ndarray:
    """Stored units → the pass's working units (int32, −1 where not allowed)."""
    out = units.astype(np.int32)
    out[units == C.NOT_ALLOWED] = -1
    return out


def _columns(units: np.ndarray, cols: np.ndarray, keep_m: int) -> tuple[np.ndarray, np.ndarray]:
    """Replay the pass's streaming choice of each mentor's best ``keep_m`` mentees, for the
    mentor columns ``cols``, over the stored units → (col_units, col_rows), (keep_m, len(cols))."""
    n_e, n_r = units.shape
    col_units = np.full((keep_m, cols.size), -1, np.int32)
    col_rows = np.zeros((keep_m, cols.size), np.int64)
    for rows in C._blocks(np.arange(n_e), n_r):
        chunk = _chunk_units(units[rows[0] : rows[-1] + 1][:, cols])
        both = np.concatenate([col_units, chunk])
        best = np.argpartition(-both, keep_m - 1, axis=0)[:keep_m]
        col_units = np.take_along_axis(both, best, axis=0)
        old = np.take_along_axis(col_rows, np.minimum(best, keep_m - 1), axis=0)
        col_rows = np.where(best < keep_m, old, rows[np.maximum(best - keep_m, 0)])
    return col_units, col_rows


def prepare(cohort, config, ctx: ScoringContext, *, failed=(), earlier=(), progress=None) -> Prepared:
    """The full pass (:func:`~matcher.solve.candidates.candidate_problem`, nothing forbidden
    or pinned) and what :func:`derive` needs from it."""
    problem, _ = C.candidate_problem(cohort, config, ctx, failed=failed, earlier=earlier, progress=progress)
    if problem.bonus_key.size:
        raise ValueError("candidate_reuse does not handle [preferences] bonuses: use candidate_problem")
    n_e, n_r = problem.shape
    keep_n, keep_m = min(C.CANDIDATES, n_r), min(C.MENTOR_CANDIDATES, n_e)
    if keep_m:
        col_units, col_rows = _columns(problem.units, np.arange(n_r), keep_m)
    else:
        col_units, col_rows = np.zeros((0, n_r), np.int32), np.zeros((0, n_r), np.int64)
    # Which arcs are row candidates: the rows' choices, made again per block of rows.
    row_arc = np.zeros(problem.ei.size, bool)
    for rows in C._blocks(np.arange(n_e), n_r):
        chosen = _row_choice(problem.units[rows[0] : rows[-1] + 1], keep_n)[0]
        lo, hi = np.searchsorted(problem.ei, [rows[0], rows[-1] + 1])
        row_arc[lo:hi] = chosen[problem.ei[lo:hi] - rows[0], problem.rj[lo:hi]]
    return Prepared(
        cohort,
        config,
        ctx,
        tuple(failed),
        tuple(earlier),
        problem,
        row_arc,
        col_units,
        col_rows,
        keep_n,
        keep_m,
    )


def _row_choice(units: np.ndarray, keep_n: int) -> tuple[np.ndarray, np.ndarray]:
    """The pass's choice for these rows of stored units → (chosen (k, n_r) bool, the
    bound on every pair left out (k,) int64)."""
    k, n_r = units.shape
    chunk = _chunk_units(units)
    allowed = units != C.NOT_ALLOWED
    best_pruned = np.full(k, -1, np.int64)
    if keep_n < n_r:
        top = np.argpartition(-chunk, keep_n, axis=1)
        best_pruned = np.take_along_axis(chunk, top[:, keep_n : keep_n + 1], axis=1)[:, 0].astype(np.int64)
        top = top[:, :keep_n]
    else:
        top = np.broadcast_to(np.arange(n_r), (k, n_r))
    chosen = np.zeros((k, n_r), bool)
    np.put_along_axis(chosen, top, True, axis=1)
    return chosen & allowed, best_pruned


def derive(base: Prepared, capacity, *, forbidden=(), pins=()) -> tuple[C.SparseProblem, tuple]:
    """``candidate_problem`` of the base's cohort with these capacities ((n_r,) ints),
    forbidden pairs and pins → (SparseProblem, names of the rules applied), equal to the
    full pass array for array."""
    p, cohort, config, ctx = base.problem, base.cohort, base.config, base.ctx
    n_e, n_r = p.shape
    forbidden = tuple((int(i), int(j)) for i, j in forbidden)
    pins = tuple(pins)
    extra = _extra(cohort, base.earlier)
    rescore = _rescorer(cohort, config, ctx, forbidden, base.failed, extra)
    units = p.units
    per_mentee, per_mentor, best_pruned = p.per_mentee, p.per_mentor, p.best_pruned
    touched_cols = np.zeros(0, np.int64)
    if forbidden:
        fi, fj = np.array(forbidden, np.int64).T
        newly = units[fi, fj] != C.NOT_ALLOWED
        key = np.unique(fi[newly] * n_r + fj[newly])
        fi, fj = key // n_r, key % n_r
        if key.size:
            units = units.copy()
            units[fi, fj] = C.NOT_ALLOWED
            per_mentee = per_mentee - np.bincount(fi, minlength=n_e)
            per_mentor = per_mentor - np.bincount(fj, minlength=n_r)
            touched_cols = np.unique(fj)
        touched_rows = np.unique(fi)
    else:
        touched_rows = np.zeros(0, np.int64)
    pinned: dict[int, list[int]] = {}
    for i, j in pins:
        pinned.setdefault(int(i), []).append(int(j))
    rows = np.union1d(touched_rows, np.array(sorted(pinned), np.int64)).astype(np.int64)

    # Row candidates: the base's for untouched rows, chosen again for touched ones.
    keep = base.row_arc & ~np.isin(p.ei, rows)
    ei, rj, sc, cp = p.ei[keep], p.rj[keep], p.arc_score[keep], p.arc_comps[:, keep]
    if rows.size:
        best_pruned = best_pruned.copy()
        chosen, bound = _row_choice(units[rows], base.keep_n)
        if base.keep_n < n_r:
            best_pruned[rows] = bound
        for r, i in enumerate(rows):  # allowed pins are always candidates
            for j in pinned.get(int(i), ()):
                chosen[r, j] = units[i, j] != C.NOT_ALLOWED
        need = np.flatnonzero(chosen.any(axis=1))
        if need.size:
            comps, score, _ = rescore(rows[need])
            r_idx, j_idx = np.nonzero(chosen[need])
            ei = np.concatenate([ei, rows[need][r_idx]])
            rj = np.concatenate([rj, j_idx])
            sc = np.concatenate([sc, score[r_idx, j_idx]])
            cp = np.concatenate([cp, comps[:, r_idx, j_idx]], axis=1)
            order = np.argsort(ei * n_r + rj, kind="stable")
            ei, rj, sc, cp = ei[order], rj[order], sc[order], cp[:, order]
    problem = replace(
        p,
        capacity=np.array(capacity, dtype=p.capacity.dtype, copy=True),
        ei=ei.astype(np.int64),
        rj=rj.astype(np.int64),
        arc_score=sc,
        arc_comps=cp,
        per_mentee=per_mentee,
        per_mentor=per_mentor,
        units=units,
        best_pruned=best_pruned,
        rescore=rescore,
        components_of=lambda ii, jj: pair_components(ctx, ii, jj),
        pins=pins,
        _rows={},
    )
    # Mentor candidates: the base's for untouched columns, replayed for touched ones.
    col_units, col_rows = base.col_units, base.col_rows
    if base.keep_m and touched_cols.size:
        col_units, col_rows = col_units.copy(), col_rows.copy()
        col_units[:, touched_cols], col_rows[:, touched_cols] = _columns(units, touched_cols, base.keep_m)
    found = col_units >= 0
    cei = col_rows[found]
    crj = np.broadcast_to(np.arange(n_r), col_units.shape)[found].astype(np.int64)
    new = problem._find(cei, crj) < 0
    problem = C.add_arcs(problem, cei[new], crj[new])
    return problem, _applied(cohort, config, ctx, forbidden, base.failed, extra)


def _applied(cohort, config, ctx, forbidden, failed, extra) -> tuple:
    """The rules applied, found as the full pass does (on its first mentee)."""
    rows = np.arange(min(1, cohort.n_mentees))
    _, score = score_block(ctx, rows)
    x = RuleInput(cohort, ctx.features, config, score, rows, tuple(forbidden), tuple(failed), extra)
    return exclusions(x)[1]
