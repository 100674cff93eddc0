"""The matching problem as matrices, and its objective as one integer weight per pair.

A :class:`MatchProblem` is all a solver sees: scores, readiness, rule exclusions,
capacities, eligibility and pins, by index. ``objective_weights`` encodes the
lexicographic objective — (1) match as many mentees as possible, (2) among those,
prefer mentees with higher readiness, (3) maximise the total pair score — as one
positive integer per pair, so that any independent assignment solver maximising the
plain sum of these integers finds the same optimum:

    objective[i, j] = A + B · r_i + s_ij
    s_ij = round(100 · score)          (0 … M: score to 0.01)
    r_i  = round(100 · readiness)      (0 … 100)
    B    = N · M + 1                   (beats any change in total score)
    A    = N · (100 · B + M) + 1       (beats any change in readiness or score)

with N the most mentees that can be matched (min of eligible mentees and total
capacity) and M = 100 · ``max_score`` (10 000: a score is at most 100 points; with
preference bonuses the problem's score is the five-C score plus the bonus, and
``max_score`` is 100 plus the largest bonus a pair can get). Values can exceed 64 bits for huge cohorts, so they are Python ints; the
flow solver uses the equivalent "max flow, then min cost" form with costs B·r + s.

When some mentee wants several mentors (``wanted``, from ``mentors_wanted``), N counts
pairs and a level is added after the pairs: each mentee with at least one mentor adds C
(:func:`cover_weight`, the single-mentor A), and the per-pair A becomes (K + 1)·C, K the
eligible mentees; with one mentor each C = 0 and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np

SCORE_UNITS = 100  # objective counts score in hundredths
READY_UNITS = 100
MAX_S = 100 * SCORE_UNITS


@runtime_checkable
class Problem(Protocol):
    """The one contract every problem honours — all that engines, the checker, the
    review and the reports use. Both implementations are immutable:
    :class:`MatchProblem` (dense, every pair in memory) and
    :class:`~matcher.solve.candidates.SparseProblem` (a candidate set). Capabilities are
    declared (``kind`` for engines, ``exact_deltas`` for alternatives), so nothing outside
    :mod:`matcher.solve` asks which kind it holds.
    """

    kind: str  # "dense" | "candidates": engines declare which they support
    kind_words: str  # the kind in a message
    exact_deltas: bool  # alternatives can price every change exactly
    readiness: np.ndarray  # (n_e,) 0–1
    capacity: np.ndarray  # (n_r,) int64
    eligible: np.ndarray  # (n_e,) bool
    pins: tuple[tuple[int, int], ...]

    @property
    def shape(self) -> tuple[int, int]: ...
    @property
    def max_matchable(self) -> int: ...
    def arc_arrays(self) -> tuple[np.ndarray, np.ndarray]: ...
    def pair_scores(self, i, j): ...
    def pair_bits(self, i: int, j: int) -> int: ...
    def bits_of(self, ii, jj) -> np.ndarray: ...
    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]: ...
    def rows_ready(self, rows): ...
    def column(self, j: int) -> tuple[np.ndarray, np.ndarray | None]: ...
    def ranks(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray: ...
    def allowed_counts(self) -> tuple[np.ndarray, np.ndarray]: ...
    def certify(self, side, solve, solution=None, progress=None): ...
    def scores_view(self, scores): ...
    def allowed_components(self, scores) -> tuple[np.ndarray, bool]: ...
    def pair_allowed(self, ii, jj) -> np.ndarray: ...
    def with_pins(self, pins) -> Problem: ...


@dataclass(frozen=True, eq=False)
class MatchProblem:
    """Matrices for one solve. Shapes: (n_e, n_r) for pair arrays, (n_e,) / (n_r,) per side."""

    score: np.ndarray  # float 0–100 (2 dp)
    readiness: np.ndarray  # float 0–1
    excluded: np.ndarray  # uint16 rule bits; 0 = allowed
    capacity: np.ndarray  # int64
    eligible: np.ndarray  # bool: readiness ≥ min_readiness
    pins: tuple[tuple[int, int], ...] = ()
    max_score: float = 100.0  # bound on any pair's score (100 + the largest preference bonus)
    shortlist: float = 0.0  # points of the shortlist tier on a mentee's chosen pairs (matcher.solve.bonus)
    # Mentors each mentee wants, (n_e,) int64 ≥ 1 (``mentors_wanted``); None: one each.
    wanted: np.ndarray | None = None

    kind = "dense"  # what engines declare they support (see matcher.solve.engines)
    kind_words = "every pair in memory"
    exact_deltas = True  # alternatives' exact deltas need the dense residual graph

    def certify(self, side, solve, solution=None, progress=None):
        """(problem, solution, certificate): every allowed pair was in the model, so the
        engine's own status is the proof. ``solution``: the engine's answer (None: solved
        here with ``solve(problem)``)."""
        if solution is None:
            solution = solve(self)
        if solution.proof is not None:  # the engine says how it proved its answer
            return self, solution, dict(solution.proof)
        return (
            self,
            solution,
            {"method": "min-cost flow over every allowed pair", "certified": solution.status == "OPTIMAL"},
        )

    def scores_view(self, scores):
        """The scores reports read for this problem (dense: the scores themselves)."""
        return scores

    def allowed_components(self, scores) -> tuple[np.ndarray, bool]:
        """The five Cs of every allowed pair of an eligible mentee, (5, n); False: not a sample."""
        return scores.components[:, self.allowed], False

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape

    @cached_property
    def allowed(self) -> np.ndarray:
        """Pairs the rules allow for an eligible mentee, (n_e, n_r) bool (computed once,
        read-only: flow, prechecks and alternatives all read it)."""
        a = (self.excluded == 0) & self.eligible[:, None]
        a.setflags(write=False)
        return a

    @property
    def multi(self) -> bool:
        """Some mentee wants more than one mentor."""
        return self.wanted is not None and bool((self.wanted > 1).any())

    @property
    def max_matchable(self) -> int:
        """The most pairs that can be matched: min(places wanted by eligible mentees, capacity)."""
        return int(min(int(mentee_places(self)[self.eligible].sum()), int(self.capacity.sum())))

    # The access methods below are all that solvers, checker and reports use, so that a
    # candidate-set problem (matcher.solve.candidates) can stand in for this dense one.
    def arc_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Allowed pairs (mentee, mentor) as index arrays, row-major (deterministic)."""
        return np.nonzero(self.allowed)

    def pair_scores(self, i, j) -> np.ndarray:
        return self.score[i, j]

    def pair_bits(self, i: int, j: int) -> int:
        return int(self.excluded[i, j])

    def bits_of(self, ii, jj) -> np.ndarray:
        """(n,) rule bits of pairs (ii[n], jj[n]), vectorised (the preference audit)."""
        return self.excluded[np.asarray(ii, np.int64), np.asarray(jj, np.int64)].astype(np.int64)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rule bits) of mentee i with every mentor, shape (n_mentors,) each."""
        return self.score[i], self.excluded[i]

    def rows_ready(self, rows):
        """``rows`` as one block: every :meth:`row` is in memory already (a candidate set
        re-scores its blocks ahead; see :class:`~matcher.solve.candidates.SparseProblem`)."""
        yield np.asarray(rows, np.int64)

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray | None]:
        """(scores, rule bits) of mentor j with every mentee, shape (n_mentees,) each; a
        pair the rules exclude has bits ≠ 0 (the review app's unused-mentor reasons)."""
        return self.score[:, j], self.excluded[:, j]

    def ranks(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """Rank of mentor jj[n] for mentee ii[n]: 1 + allowed mentors with a higher score."""
        ii, jj = np.asarray(ii, dtype=np.int64), np.asarray(jj, dtype=np.int64)
        own = self.score[ii, jj]
        higher = (self.score[ii] > own[:, None]) & (self.excluded[ii] == 0)
        return 1 + higher.sum(axis=1)

    def allowed_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Allowed mentors per mentee (n_e,) and allowed mentees per mentor (n_r,)."""
        a = self.allowed
        return a.sum(axis=1), a.sum(axis=0)

    def pair_allowed(self, ii, jj) -> np.ndarray:
        """(n,) bool: the rules allow pair (ii[n], jj[n]) and the mentee is eligible."""
        return self.allowed[np.asarray(ii, np.int64), np.asarray(jj, np.int64)]

    def with_pins(self, pins) -> MatchProblem:
        """This problem with ``pins`` ((mentee, mentor) indices) instead of its own."""
        return replace(self, pins=tuple(pins))


def pinned_mentees(problem) -> np.ndarray:
    """(n_e,) bool: the mentees a pin fixes (their mentor is not the solver's choice).
    With several mentors wanted: the mentees whose every place is pinned."""
    if is_multi(problem):
        return free_places(problem) <= 0
    pinned = np.zeros(problem.shape[0], dtype=bool)
    if problem.pins:
        pinned[[i for i, _ in problem.pins]] = True
    return pinned


def is_multi(problem) -> bool:
    """Some mentee of ``problem`` (dense or a candidate set) wants more than one mentor."""
    return bool(getattr(problem, "multi", False))


def mentee_places(problem) -> np.ndarray:
    """(n_e,) int64: mentors each mentee wants (1 each unless ``mentors_wanted`` says more)."""
    wanted = getattr(problem, "wanted", None)
    if wanted is None:
        return np.ones(problem.shape[0], dtype=np.int64)
    return np.asarray(wanted, dtype=np.int64)


def free_places(problem) -> np.ndarray:
    """(n_e,) int64: places each mentee wants that no pin fills."""
    places = mentee_places(problem).copy()
    if problem.pins:
        np.subtract.at(places, np.array([i for i, _ in problem.pins], np.int64), 1)
    return places


def score_units(score: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(score, dtype=np.float64) * SCORE_UNITS).astype(np.int64)


def ready_units(readiness: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(readiness, dtype=np.float64) * READY_UNITS).astype(np.int64)


def max_units(problem) -> int:
    """M of the encoding: the bound on a pair's score units (a problem without
    ``max_score``, e.g. a candidate set, scores at most 100 points)."""
    return round(float(getattr(problem, "max_score", 100.0)) * SCORE_UNITS)


def multipliers(problem: MatchProblem) -> tuple[int, int]:
    """(A, B) of the encoding, as Python ints (A per pair; see :func:`cover_weight`)."""
    a, b = multipliers_for(problem.max_matchable, max_units(problem))
    if is_multi(problem):
        # Several mentors per mentee: a level between pairs and readiness counts the
        # mentees with at least one mentor (C each); A then beats any change in C · covered.
        covered = int(problem.eligible.sum())
        return (covered + 1) * a, b
    return a, b


def cover_weight(problem) -> int:
    """C: what each mentee with at least one mentor adds to the objective. 0 when no mentee
    wants several mentors (then pairs and covered mentees are the same count); else the
    single-mentor A, which beats any change in readiness or score, while the per-pair A
    (:func:`multipliers`) beats any change in covered mentees."""
    if not is_multi(problem):
        return 0
    return multipliers_for(problem.max_matchable, max_units(problem))[0]


def multipliers_for(max_matchable: int, m: int = MAX_S) -> tuple[int, int]:
    """(A, B) of the encoding when at most ``max_matchable`` mentees can be matched and a
    pair scores at most ``m`` units (M: 100 points unless preference bonuses raise it)."""
    n = max(max_matchable, 1)
    b = n * m + 1
    a = n * (READY_UNITS * b + m) + 1
    return a, b


def objective_weights(problem: MatchProblem) -> np.ndarray:
    """All pair weights as an object array of Python ints (n_e, n_r); exact at any size."""
    a, b = multipliers(problem)
    r = ready_units(problem.readiness).astype(object)
    s = score_units(problem.score).astype(object)
    return a + b * r[:, None] + s


def total_objective(problem: MatchProblem, assignment) -> int:
    """Sum of pair weights over the matched pairs, plus C per mentee with at least one mentor
    (:func:`cover_weight`; 0 with one mentor each) — exact Python int. ``assignment``: a
    ``mentor_of`` array or a :class:`~matcher.solve.pairing.Pairing`."""
    from matcher.solve.pairing import as_pairing

    pairing = as_pairing(assignment)
    a, b = multipliers(problem)
    ii, jj = pairing.mentee, pairing.mentor
    if ii.size == 0:
        return 0
    r = ready_units(problem.readiness[ii])
    s = score_units(problem.pair_scores(ii, jj))
    covered = int((pairing.count > 0).sum())
    return int(a) * int(ii.size) + cover_weight(problem) * covered + int(b) * int(r.sum()) + int(s.sum())


def deltas_fit(a: int, b: int, m: int, n_mentors: int) -> bool:
    """The exact alternatives' shortest paths (:mod:`matcher.review.alternatives`) stay in
    int64 for weights A + B·r + s (r ≤ 100, s ≤ ``m``) over ``n_mentors`` + 2 nodes: a
    simple path crosses the source node at most once (one whole weight in, one out) and
    otherwise moves mentees between mentors (a difference of two of one mentee's scores,
    at most ``m``), so its length is below 2·(A + 100·B + m) + (n_mentors + 2)·m; that must
    stay under 2^59, well below the INF // 2 = 2^60 that marks no path (and the sum of two
    lengths Floyd–Warshall forms under 2^62)."""
    top = a + READY_UNITS * b + m
    return 2 * top + (n_mentors + 2) * m < 2**59
