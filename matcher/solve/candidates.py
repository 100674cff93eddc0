"""Large cohorts: score in chunks, keep candidate pairs, solve, then *prove* it.

At 50,000 × 20,000 there are 10⁹ pairs and nothing dense fits in memory. So:

1. **Score in chunks** of mentee rows, apply the hard rules to each chunk, and store every
   pair's score as 2-byte units (hundredths). Keep as candidates each mentee's
   ``CANDIDATES`` best allowed mentors *and* each mentor's ``MENTOR_CANDIDATES`` best
   allowed mentees: mentors nobody ranks highly still get arcs, so the first solve
   already matches as many mentees as the full problem can (mentor-only parts such as
   care make a few mentors everyone's favourites).
2. **Solve** the usual min-cost flow on the candidate pairs only.
3. **Certify** optimality for the *full* problem (:mod:`matcher.solve.certificate`): the
   flow's dual prices (shortest-path potentials) show which pruned pairs could improve
   the answer; those are added and the flow solved again until none can. Department
   spread, the mentor minimum and fair mode are flow models too and are certified the
   same way (fair mode adds two min cuts). ``summary.json`` says how it was proven; an
   answer not proven within the rounds is FEASIBLE with a true bound.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from matcher.io.config import FIVE_CS
from matcher.solve.bonus import bonus_pairs, choice_pairs, shortlist_points, shown_scores
from matcher.solve.eligibility import eligible_mentees
from matcher.solve.problem import SCORE_UNITS
from matcher.solve.rules import RuleInput, avoid_pairs, exclusions, reporting_pairs
from scoring.combine import ScoringContext, pair_components, score_block

CANDIDATES = 30  # best mentors kept per mentee
MENTOR_CANDIDATES = 10  # best mentees kept per mentor
DENSE_LIMIT = 3_000_000  # pairs: above this, match uses candidate sets
CHUNK_PAIRS = 2_000_000
SLICE_PAIRS = 256_000  # pairs a worker scores and selects at once (its temporaries fit the cache)
SCORING_THREADS = 4  # blocks scored at once (at most the machine's cores)
NOT_ALLOWED = np.uint16(65535)
ADD_PER_ROW = 16  # pairs added per mentee and round of the certificate (most violated first)
ADD_PER_ROUND = 16_000  # ... or more per mentee when few are checked (e.g. a rematch's freed ones)
NEAR = 100  # objective units (1 score point): pairs this close to improving are added too


@dataclass(frozen=True, eq=False)
class SparseProblem:
    """The :class:`~matcher.solve.problem.Problem` contract over candidate pairs only.

    Immutable: adding pairs (:func:`add_arcs`) or filling in the five Cs of chosen pairs
    (:func:`fill_components`) returns a new problem. Arcs are sorted row-major.
    ``rescore(rows)`` recomputes full rows (components, scores, rule bits) when a report
    or the certificate needs a pair outside the candidates; the last few are memoised
    (``_rows``, private to this problem).
    """

    shape: tuple[int, int]
    readiness: np.ndarray
    capacity: np.ndarray
    eligible: np.ndarray
    ei: np.ndarray
    rj: np.ndarray
    arc_score: np.ndarray
    arc_comps: np.ndarray  # (5, n_arcs) float32
    per_mentee: np.ndarray  # allowed mentors per mentee (full problem)
    per_mentor: np.ndarray  # allowed mentees per mentor (full problem)
    units: np.ndarray  # (n_e, n_r) uint16: every pair's score in hundredths, NOT_ALLOWED if not
    best_pruned: np.ndarray  # (n_e,) int64: ≥ every pruned allowed pair's units (−1: none)
    rescore: object  # rows -> (comps (5,k,n_r), score (k,n_r), bits (k,n_r))
    components_of: object  # (mentees, mentors) -> five Cs of those pairs, (5, n)
    pins: tuple[tuple[int, int], ...] = ()
    max_score: float = 100.0  # bound on any pair's score (100 + the largest preference bonus)
    bonus_key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # i·n_r + j, sorted
    bonus_points: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the bonus of each key
    # ``[preferences] shortlist = true``: the tier H in points (as MatchProblem.shortlist) and
    # the mentees' counted choices as sorted keys i·n_r + j. The tier is never in ``units``
    # (16 bits): every allowed choice pair is a candidate, so a pruned pair never has it.
    shortlist: float = 0.0
    tier_key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _rows: dict = field(default_factory=dict, repr=False)

    kind = "candidates"  # what engines declare they support (see matcher.solve.engines)
    kind_words = "cohorts this large (candidate sets)"
    exact_deltas = False  # alternatives' exact deltas need the dense residual graph

    def certify(self, side, solve, solution=None, progress=None):
        """(problem, solution, certificate): see :func:`matcher.solve.certificate.certify`."""
        from matcher.solve.certificate import certify

        return certify(self, side, solve, solution, progress=progress)

    def scores_view(self, scores):
        """What reports read, backed by this problem's candidates."""
        return SparseScores(scores.ctx, self)

    def allowed_components(self, scores) -> tuple[np.ndarray, bool]:
        """The five Cs of the candidate pairs of eligible mentees, (5, n); True: a sample."""
        return np.asarray(self.arc_comps)[:, self.eligible[self.ei]], True

    @property
    def max_matchable(self) -> int:
        return int(min(int(self.eligible.sum()), int(self.capacity.sum())))

    @cached_property
    def key(self) -> np.ndarray:
        """Sorted arc keys i · n_mentors + j (arcs are row-major)."""
        return self.ei * self.shape[1] + self.rj

    def _find(self, i, j) -> np.ndarray:
        """Arc index of each (i, j), −1 when the pair is not a candidate."""
        key = np.asarray(i, dtype=np.int64) * self.shape[1] + np.asarray(j, dtype=np.int64)
        keys = self.key
        if keys.size == 0:
            return np.full(np.shape(key), -1)
        pos = np.clip(np.searchsorted(keys, key), 0, keys.size - 1)
        return np.where(keys[pos] == key, pos, -1)

    def arc_arrays(self):
        return self.ei, self.rj

    def bonus_of(self, i, j) -> np.ndarray:
        """The ``[preferences]`` bonus of pairs (i[n], j[n]) (0 where none): scores here are
        five-C score plus bonus, as the solver sees them; reports take it off again."""
        key = np.asarray(i, dtype=np.int64) * self.shape[1] + np.asarray(j, dtype=np.int64)
        if self.bonus_key.size == 0:
            return np.zeros(np.shape(key))
        pos = np.clip(np.searchsorted(self.bonus_key, key), 0, self.bonus_key.size - 1)
        return np.where(self.bonus_key[pos] == key, self.bonus_points[pos], 0.0)

    def tier_of(self, i, j) -> np.ndarray:
        """The shortlist tier of pairs (i[n], j[n]) in points: ``shortlist`` on a mentee's
        counted choice, else 0 (all 0 without shortlist)."""
        key = np.asarray(i, dtype=np.int64) * self.shape[1] + np.asarray(j, dtype=np.int64)
        if self.tier_key.size == 0:
            return np.zeros(np.shape(key))
        pos = np.clip(np.searchsorted(self.tier_key, key), 0, self.tier_key.size - 1)
        return np.where(self.tier_key[pos] == key, self.shortlist, 0.0)

    def _full_row(self, i: int):
        i = int(i)
        if i not in self._rows:
            if len(self._rows) > 256:
                self._rows.clear()
            comps, score, bits = self.rescore(np.array([i]))
            self._rows[i] = (comps[:, 0], score[0], bits[0])
        return self._rows[i]

    def row(self, i: int):
        """(scores, rule bits) of mentee i with every mentor (re-scored, cached)."""
        _, score, bits = self._full_row(i)
        if self.tier_key.size:
            score = np.round(score + self.tier_of(np.full(self.shape[1], i), np.arange(self.shape[1])), 2)
        return score, bits

    def column(self, j: int):
        """(scores, None) of mentor j with every mentee, from the stored units: NaN where the
        rules exclude the pair. Which rules is not kept per pair here (it would mean scoring
        every mentee again), hence None for the bits."""
        units = self.units[:, int(j)]
        score = np.where(units == NOT_ALLOWED, np.nan, units / 100.0)
        if self.tier_key.size:
            score = np.round(
                score + self.tier_of(np.arange(self.shape[0]), np.full(self.shape[0], int(j))), 2
            )
        return score, None

    def ranks(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """Rank of mentor jj[n] for mentee ii[n]: 1 + allowed mentors with a higher score
        (from the stored score units, in blocks of rows; with the shortlist tier on the
        mentee's counted choices, as on the dense path)."""
        ii, jj = np.asarray(ii, dtype=np.int64), np.asarray(jj, dtype=np.int64)
        out = np.empty(ii.size, np.int64)
        n_r = self.shape[1]
        tier = round(self.shortlist * SCORE_UNITS)
        for at in _blocks(np.arange(ii.size), n_r):
            row = self.units[ii[at]]
            allowed = row != NOT_ALLOWED
            if self.tier_key.size:
                row = row.astype(np.int64)
                ti, tj = np.divmod(self.tier_key, n_r)
                hit = np.isin(ti, ii[at])
                rows_of = {int(i): np.flatnonzero(ii[at] == i) for i in np.unique(ti[hit])}
                for i, j in zip(ti[hit], tj[hit], strict=True):
                    row[rows_of[int(i)], j] += tier
            else:
                row = row.astype(np.int32)
            own = row[np.arange(at.size), jj[at]]
            out[at] = 1 + (allowed & (row > own[:, None])).sum(axis=1)
        return out

    def components(self, i: int, j: int) -> np.ndarray:
        pos = int(self._find(i, j))
        if pos >= 0 and not np.isnan(self.arc_comps[:, pos]).all():
            return self.arc_comps[:, pos]
        return self.components_of(np.array([i]), np.array([j]))[:, 0]

    def pair_scores(self, i, j):
        scalar = np.ndim(i) == 0 and np.ndim(j) == 0
        ii, jj = np.atleast_1d(i), np.atleast_1d(j)
        pos = self._find(ii, jj)
        out = self.arc_score[np.maximum(pos, 0)] if self.arc_score.size else np.zeros(ii.size)
        out = np.where(pos >= 0, out, np.nan)
        missing = np.flatnonzero(pos < 0)
        known = self.units[ii[missing], jj[missing]] != NOT_ALLOWED  # allowed: stored score exact
        out[missing[known]] = self.stored_scores(ii[missing[known]], jj[missing[known]])
        for k in missing[~known]:
            out[k] = self.row(int(ii[k]))[0][jj[k]]
        return float(out[0]) if scalar else out

    def stored_scores(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """Scores of allowed pairs from the stored units (exact: scores are in hundredths),
        plus the shortlist tier on a mentee's counted choices."""
        score = self.units[ii, jj].astype(np.float64) / 100.0
        if self.tier_key.size:
            score = np.round(score + self.tier_of(ii, jj), 2)
        return score

    def pair_bits(self, i: int, j: int) -> int:
        if int(self._find(i, j)) >= 0:
            return 0
        return int(self.row(i)[1][j])

    def bits_of(self, ii, jj) -> np.ndarray:
        """(n,) rule bits of pairs (ii[n], jj[n]): 0 where the stored scores allow the pair,
        else from the rows re-scored in blocks (not one by one: the preference audit asks
        for thousands)."""
        ii, jj = np.asarray(ii, np.int64), np.asarray(jj, np.int64)
        out = np.zeros(ii.size, np.int64)
        todo = np.flatnonzero(~self.pair_allowed(ii, jj))
        rows = np.unique(ii[todo])
        for block in _blocks(rows, self.shape[1]):
            _, _, bits = self.rescore(block)
            at = todo[np.isin(ii[todo], block)]
            out[at] = bits[np.searchsorted(block, ii[at]), jj[at]]
        return out

    def allowed_counts(self):
        return self.per_mentee, self.per_mentor

    def pair_allowed(self, ii, jj) -> np.ndarray:
        """(n,) bool: the rules allow pair (ii[n], jj[n]) and the mentee is eligible (from the
        stored scores, which mark every other pair)."""
        return self.units[np.asarray(ii, np.int64), np.asarray(jj, np.int64)] != NOT_ALLOWED

    def with_pins(self, pins) -> SparseProblem:
        """This problem with ``pins`` instead of its own; allowed pins become candidates
        (a pin the rules forbid stays out, for the pin check to report)."""
        pins = tuple((int(i), int(j)) for i, j in pins)
        if not pins:
            return replace(self, pins=())
        ii, jj = np.array(pins).T
        add = self.pair_allowed(ii, jj) & (self._find(ii, jj) < 0)
        return replace(add_arcs(self, ii[add], jj[add]), pins=pins)


class SparseScores:
    """What reports read from :class:`~scoring.combine.Scores`, backed by the candidates."""

    def __init__(self, ctx: ScoringContext, problem: SparseProblem):
        self.ctx, self.problem = ctx, problem
        self.readiness, self.weights, self.used = ctx.readiness, ctx.weights, ctx.used
        self.left_out, self.features, self.text = ctx.left_out, ctx.features, ctx.text
        self.appetite = ctx.appetite
        self.components = _Lookup(lambda i, j: problem.components(i, j), three=True)
        self.score = _Lookup(self._five_cs, row=self._five_cs_row)

    def _five_cs(self, i, j):
        """Five-C score of pairs (i, j): the problem's score less any preference bonus (and
        the shortlist tier)."""
        p = self.problem
        s = shown_scores(p, p.pair_scores(i, j))
        if p.bonus_key.size == 0:
            return s
        out = np.round(np.asarray(s, dtype=np.float64) - p.bonus_of(i, j), 2)
        return float(out) if np.ndim(s) == 0 else out

    def _five_cs_row(self, i: int):
        p = self.problem
        score, bits = p.row(i)
        score = shown_scores(p, score)
        if p.bonus_key.size:
            score = np.round(score - p.bonus_of(np.full(p.shape[1], i), np.arange(p.shape[1])), 2)
        return score, bits

    @property
    def shape(self):
        return self.problem.shape

    def pair_components(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """The five Cs of pairs (ii[n], jj[n]) as a (5, n) array, from the candidates
        (re-scoring the row of any pair that is not one, or whose Cs are not filled in)."""
        p = self.problem
        pos = p._find(ii, jj)
        out = p.arc_comps[:, np.maximum(pos, 0)].astype(np.float64)
        if not self.used:
            return np.full_like(out, np.nan)
        k0 = FIVE_CS.index(self.used[0])  # a C in use is never NaN once filled in
        todo = np.flatnonzero((pos < 0) | np.isnan(out[k0]))
        out[:, todo] = p.components_of(np.asarray(ii)[todo], np.asarray(jj)[todo])
        return out


class _Lookup:
    """``[i, j]`` / ``[k, i, j]`` / ``[i]`` access for reports (no dense matrix behind it)."""

    def __init__(self, get, three=False, row=None):
        self.get, self.three, self.rowf = get, three, row

    def __getitem__(self, key):
        if self.three:
            k, i, j = key
            return self.get(int(i), int(j))[k]
        if isinstance(key, tuple):
            return self.get(*key)
        return self.rowf(int(key))[0]


def candidate_problem(
    cohort, config, ctx: ScoringContext, *, forbidden=(), failed=(), pins=(), progress=None, earlier=()
) -> tuple[SparseProblem, tuple]:
    """Chunked scoring → candidate set (and counts) for the whole cohort."""
    n_e, n_r = cohort.n_mentees, cohort.n_mentors
    eligible = eligible_mentees(ctx.readiness, config)
    extra = {"avoid_pairs": avoid_pairs(cohort), "reporting_pairs": reporting_pairs(cohort)}
    if earlier:
        extra["earlier_pairs"] = tuple(earlier)

    bonus_key, bonus_points, max_score = _sparse_bonus(cohort, config)
    tier, tier_i, tier_j = 0.0, np.zeros(0, np.int64), np.zeros(0, np.int64)
    if config.preferences.shortlist:
        tier_i, tier_j, _ = choice_pairs(cohort.preferences, config.preferences)
        if tier_i.size:  # as build_problem: H from the most mentees matchable and M
            from matcher.solve.encode import _check_shortlist_size

            most = int(min(int(eligible.sum()), int(cohort.capacity.sum())))
            tier = shortlist_points(most, max_score)
            max_score = max_score + tier
            _check_shortlist_size(config, most, max_score, (n_e, n_r))
    bonus_row, bonus_col = np.divmod(bonus_key, max(n_r, 1))  # sorted by row

    def rescore(rows):
        comps, score = score_block(ctx, rows)
        x = RuleInput(cohort, ctx.features, config, score, rows, tuple(forbidden), tuple(failed), extra)
        bits, _ = exclusions(x)  # rules see the five-C score (min_score), as on the dense path
        if bonus_key.size and len(rows):  # the solver's score: five Cs + bonus
            order = np.argsort(rows, kind="stable")
            srt = np.asarray(rows)[order]
            lo, hi = np.searchsorted(bonus_row, [srt[0], srt[-1] + 1])
            at = np.minimum(np.searchsorted(srt, bonus_row[lo:hi]), srt.size - 1)
            hit = srt[at] == bonus_row[lo:hi]
            if hit.any():
                bonus = np.zeros(score.shape)
                bonus[order[at[hit]], bonus_col[lo:hi][hit]] = bonus_points[lo:hi][hit]
                score = np.round(score + bonus, 2)
        return comps, score, bits

    pinned = {}
    for i, j in pins:
        pinned.setdefault(int(i), []).append(int(j))
    keep_n = min(CANDIDATES, n_r)
    keep_m = min(MENTOR_CANDIDATES, n_e)

    def select(rows):
        """One block, on a worker thread: its scores, rules and everything about it that is
        row by row (the candidate pairs, the stored units); the mentors' best mentees,
        which run across blocks, are left to the caller, in block order. Done in slices of
        about ``SLICE_PAIRS`` pairs (every step is row by row, so the result is the same)
        whose temporaries stay in the processor's cache."""
        step = max(1, SLICE_PAIRS // max(n_r, 1))
        parts = [select_rows(rows[k : k + step]) for k in range(0, rows.size, step)]
        if len(parts) == 1:
            return parts[0]
        first, stored, chunk_units, best, arcs, counts = zip(*parts, strict=True)
        return (
            first[0],
            np.concatenate(stored),
            np.concatenate(chunk_units) if keep_m else None,
            np.concatenate(best) if best[0] is not None else None,
            tuple(np.concatenate(a, axis=-1) for a in zip(*arcs, strict=True)),
            (np.concatenate([c[0] for c in counts]), sum(c[1] for c in counts)),
        )

    def select_rows(rows):
        comps, score, bits = rescore(rows)
        allowed = (bits == 0) & eligible[rows][:, None]
        del bits
        # score_units, without its int64 temporaries: the same integers.
        chunk_units = np.rint(np.multiply(score, float(SCORE_UNITS))).astype(np.int32)
        stored = chunk_units.astype(np.uint16)
        stored[~allowed] = NOT_ALLOWED
        chunk_units[~allowed] = -1
        best = None
        if keep_n < n_r:
            # The (keep_n + 1)-th best score bounds every pair left out of this row.
            top = np.argpartition(-chunk_units, keep_n, axis=1)
            best = np.take_along_axis(chunk_units, top[:, keep_n : keep_n + 1], axis=1)[:, 0]
            top = top[:, :keep_n]
        else:
            top = np.broadcast_to(np.arange(n_r), (rows.size, n_r))
        chosen = np.zeros_like(allowed)
        np.put_along_axis(chosen, top, True, axis=1)
        chosen &= allowed
        for r, i in enumerate(rows):  # allowed pins are always candidates (others are errors)
            for j in pinned.get(int(i), ()):
                chosen[r, j] = allowed[r, j]
        r_idx, j_idx = np.nonzero(chosen)
        arcs = (rows[r_idx], j_idx, score[r_idx, j_idx], comps[:, r_idx, j_idx])
        counts = (allowed.sum(axis=1), allowed.sum(axis=0))
        return score[:1], stored, chunk_units if keep_m else None, best, arcs, counts

    eis, rjs, scs, cps = [], [], [], []
    per_mentee = np.zeros(n_e, np.int64)
    per_mentor = np.zeros(n_r, np.int64)
    best_pruned = np.full(n_e, -1, np.int64)
    units = np.empty((n_e, n_r), dtype=np.uint16)
    # Each mentor's best mentees so far: units (−1 = none) and mentee index, (keep_m, n_r).
    col_units = np.full((keep_m, n_r), -1, np.int32)
    col_rows = np.zeros((keep_m, n_r), np.int64)
    applied: tuple = ()
    for rows, (first, stored, chunk_units, best, arcs, counts) in _in_parallel(
        select, _blocks(np.arange(n_e), n_r)
    ):
        if not applied:
            x = RuleInput(
                cohort, ctx.features, config, first, rows[:1], tuple(forbidden), tuple(failed), extra
            )
            applied = exclusions(x)[1]
        per_mentee[rows] = counts[0]
        per_mentor += counts[1]
        units[rows] = stored
        if best is not None:
            best_pruned[rows] = best
        for out, part in zip((eis, rjs, scs, cps), arcs, strict=True):
            out.append(part)
        if keep_m:
            # Each mentor's column, partitioned as one contiguous row (the same partition as
            # along axis 0, at less cost).
            both = np.concatenate([col_units, chunk_units])
            rows_t = both.T.copy()
            np.negative(rows_t, out=rows_t)
            best_m = np.argpartition(rows_t, keep_m - 1, axis=1)[:, :keep_m].T
            del rows_t
            col_units = np.take_along_axis(both, best_m, axis=0)
            old = np.take_along_axis(col_rows, np.minimum(best_m, keep_m - 1), axis=0)
            col_rows = np.where(best_m < keep_m, old, rows[np.maximum(best_m - keep_m, 0)])
        if progress is not None:
            progress("score", int(rows[-1]) + 1, n_e)
    problem = SparseProblem(
        shape=(n_e, n_r),
        readiness=ctx.readiness,
        capacity=cohort.capacity.copy(),
        eligible=eligible,
        ei=np.concatenate(eis).astype(np.int64),
        rj=np.concatenate(rjs).astype(np.int64),
        arc_score=np.concatenate(scs),
        arc_comps=np.concatenate(cps, axis=1),
        per_mentee=per_mentee,
        per_mentor=per_mentor,
        units=units,
        best_pruned=best_pruned,
        rescore=rescore,
        components_of=lambda ii, jj: pair_components(ctx, ii, jj),
        pins=tuple(pins),
        max_score=max_score,
        bonus_key=bonus_key,
        bonus_points=bonus_points,
    )
    if tier:
        problem = _with_shortlist(problem, tier, tier_i, tier_j)
    found = col_units >= 0
    ei = col_rows[found]
    rj = np.broadcast_to(np.arange(n_r), col_units.shape)[found].astype(np.int64)
    new = problem._find(ei, rj) < 0
    return add_arcs(problem, ei[new], rj[new]), applied


def _with_shortlist(problem: SparseProblem, tier: float, ii: np.ndarray, jj: np.ndarray) -> SparseProblem:
    """``problem`` (its candidate scores without the tier) with the shortlist tier ``tier``
    on the counted choices (ii[k], jj[k]): the candidates among them gain it, and every other
    allowed choice becomes a candidate (its score from :meth:`SparseProblem.stored_scores`,
    tier included) — so no pruned pair is a choice, and the certificate prices pruned pairs
    by their stored units alone, which is their whole score."""
    key = np.unique(ii * problem.shape[1] + jj)
    problem = replace(problem, shortlist=float(tier), tier_key=key)
    ii, jj = np.divmod(key, problem.shape[1])
    pos = problem._find(ii, jj)
    score = problem.arc_score.copy()
    score[pos[pos >= 0]] = np.round(score[pos[pos >= 0]] + tier, 2)
    problem = replace(problem, arc_score=score)
    add = (pos < 0) & problem.pair_allowed(ii, jj)
    return add_arcs(problem, ii[add], jj[add])


def _sparse_bonus(cohort, config) -> tuple[np.ndarray, np.ndarray, float]:
    """The ``[preferences]`` bonus as sorted keys i·n_r + j and points (summed per pair),
    and the problem's ``max_score`` — as :func:`matcher.solve.encode.build_problem` sets it
    (100 + the largest bonus when any pair earns one). Scores are stored in 16-bit units,
    so a bonus of up to 555 points fits (the config allows 200)."""
    none = np.zeros(0, np.int64), np.zeros(0), 100.0
    prefs, settings = cohort.preferences, config.preferences
    if not settings.scored or not prefs.stated:
        return none
    ii, jj, pts = bonus_pairs(prefs, settings)
    keep = pts > 0
    if not keep.any():
        return none
    keys, inverse = np.unique(ii[keep] * cohort.n_mentors + jj[keep], return_inverse=True)
    points = np.zeros(keys.size)
    np.add.at(points, inverse, pts[keep])
    return keys, points, 100.0 + settings.max_bonus


def _blocks(items: np.ndarray, n_mentors: int) -> list[np.ndarray]:
    """``items`` (mentee rows, or positions) cut into blocks of about CHUNK_PAIRS pairs."""
    step = max(1, CHUNK_PAIRS // max(n_mentors, 1))
    return [items[start : start + step] for start in range(0, items.size, step)]


def _in_parallel(fn, blocks):
    """``(block, fn(block))`` in block order, computing up to SCORING_THREADS blocks at once.

    numpy releases the GIL in its loops, so threads score blocks on several cores; at
    most that many results wait in memory, and the order (hence every output) is the same
    as scoring one block after another.
    """
    threads = max(1, min(SCORING_THREADS, os.cpu_count() or 1))
    if threads == 1 or len(blocks) < 2:
        for b in blocks:
            yield b, fn(b)
        return
    with ThreadPoolExecutor(threads) as pool:
        waiting = deque()
        for b in blocks:
            waiting.append((b, pool.submit(fn, b)))
            if len(waiting) >= threads:
                b0, fut = waiting.popleft()
                yield b0, fut.result()
        while waiting:
            b0, fut = waiting.popleft()
            yield b0, fut.result()


def add_arcs(problem: SparseProblem, ei, rj) -> SparseProblem:
    """``problem`` with the candidate pairs (ei[k], rj[k]) added, arcs kept row-major and
    unique. Scores come from the stored score units; their five Cs are filled in later,
    only if a report asks for them."""
    new_key = ei * problem.shape[1] + rj
    keys = np.concatenate([problem.key, new_key])
    order = np.argsort(keys, kind="stable")
    keys_sorted = keys[order]
    first = np.ones(keys_sorted.size, bool)
    first[1:] = keys_sorted[1:] != keys_sorted[:-1]
    order = order[first]
    new_score = problem.stored_scores(ei, rj)
    new_comps = np.full((5, ei.size), np.nan, dtype=np.float32)
    return replace(
        problem,
        ei=np.concatenate([problem.ei, ei])[order],
        rj=np.concatenate([problem.rj, rj])[order],
        arc_score=np.concatenate([problem.arc_score, new_score])[order],
        arc_comps=np.concatenate([problem.arc_comps, new_comps], axis=1)[:, order],
    )


def fill_components(problem: SparseProblem, mentor_of: np.ndarray) -> SparseProblem:
    """``problem`` with the five Cs of the chosen pairs added after scoring (mentor
    candidates, the certificate) filled in, computed for those pairs only."""
    matched = np.flatnonzero(mentor_of >= 0)
    pos = problem._find(matched, mentor_of[matched])
    missing = (pos >= 0) & np.isnan(problem.arc_comps[0, np.maximum(pos, 0)])
    rows = matched[missing]
    comps = problem.arc_comps.copy()
    comps[:, pos[missing]] = problem.components_of(rows, mentor_of[rows])
    return replace(problem, arc_comps=comps)
