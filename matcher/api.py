"""The Python API: the whole flow in a few calls that a notebook can make.

    cohort, config = load("mentors.csv", "mentees.csv", "programme.toml")  # load & validate
    result = match(cohort, config)                # score, encode, solve, check
    write_match(result, "out/")                   # explain/report, atomically

``match`` returns a frozen :class:`MatchResult`; nothing here prints or exits. The CLI
in ``cli/`` is a thin layer over these functions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.errors import MatcherError
from matcher.io.cohort import Cohort
from matcher.io.config import Config, load_config
from matcher.io.load import load_cohort
from matcher.io.pairs_file import PairList
from matcher.io.questionnaire import ALL_NAMES
from matcher.review.diagnose import unmatched_reason
from matcher.solve import engines
from matcher.solve.check import CheckReport, check
from matcher.solve.encode import build_problem, encode_cohort, side_rules
from matcher.solve.precheck import check_mentor_minimum, check_pins, programme_warnings
from matcher.solve.problem import MatchProblem
from matcher.solve.side_rules import ChangeBudget, SideRules
from matcher.solve.solution import Solution
from scoring.combine import Scores

__all__ = ["MatchResult", "build_problem", "load", "load_cohort", "load_config", "match"]


@dataclass(frozen=True, eq=False)
class MatchResult:
    """Everything a run produced. ``solution.mentor_of`` indexes ``cohort.mentors``."""

    cohort: Cohort
    config: Config
    scores: Scores
    problem: MatchProblem
    solution: Solution
    report: CheckReport
    rules_applied: tuple[str, ...]
    unmatched: dict[int, str]
    side: SideRules
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    certificate: dict = field(default_factory=dict)


def peak_mib() -> float | None:
    """The process's peak resident memory so far, in MiB (None where the OS cannot say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(mentors, mentees, config_path=None, *, encoding=None, strict=False) -> tuple[Cohort, Config]:
    """Load the config and both files (validating everything) → (cohort, config)."""
    config = load_config(config_path, ALL_NAMES)
    return load_cohort(mentors, mentees, config, encoding=encoding, strict=strict), config


def as_pair_list(pairs, cohort: Cohort, file: str = "pins") -> PairList | None:
    """Accept a PairList or plain (mentee index, mentor index) tuples (rows numbered from 1)."""
    if pairs is None or isinstance(pairs, PairList):
        return pairs
    pairs = tuple((int(i), int(j)) for i, j in pairs)
    n = len(pairs)
    ids = tuple((str(cohort.mentee_ids[i]), str(cohort.mentor_ids[j])) for i, j in pairs)
    return PairList(file, pairs, tuple(range(1, n + 1)), ids, ("",) * n, ())


def solve(problem, side: SideRules, config: Config) -> Solution:
    """Solve with the engine the config names (strict: see :mod:`matcher.solve.engines`)."""
    return engines.solve(problem, side, config.solver)


def match(
    cohort: Cohort,
    config: Config | None = None,
    *,
    pins=None,
    forbidden=(),
    failed=(),
    earlier=(),
    scores: Scores | None = None,
    boost=None,
    keep=(),
    max_changes: int | None = None,
    progress=None,
) -> MatchResult:
    """Score, encode, check pins, solve and verify.

    ``pins``: a :class:`PairList` (or index pairs) fixed before solving; ``forbidden`` and
    ``failed``: index pairs never to propose. Raises InputError for impossible pins,
    InfeasibleError when the rules cannot hold together, MatcherError if the independent
    checker ever disagrees with the solver.
    """
    config = config or Config()
    t0 = time.perf_counter()
    pins = as_pair_list(pins, cohort, "pins (given in code)")
    forbidden = tuple(forbidden.pairs if isinstance(forbidden, PairList) else forbidden)
    failed = tuple(failed.pairs if isinstance(failed, PairList) else failed)
    pin_pairs = pins.pairs if pins is not None else ()
    problem, scores, applied = encode_cohort(
        cohort,
        config,
        scores=scores,
        boost=boost,
        forbidden=forbidden,
        failed=failed,
        pins=pin_pairs,
        earlier=earlier,
        progress=progress,
    )
    t1 = time.perf_counter()
    peak_score = peak_mib()
    if progress is not None:
        progress("score")
    side = side_rules(config, scores)
    if max_changes is not None:
        side = side.adding(ChangeBudget(tuple(keep), int(max_changes)))
    check_pins(problem, pins, cohort, side)
    check_mentor_minimum(problem, cohort, side)
    warnings = programme_warnings(problem, cohort)
    solution = solve(problem, side, config)
    problem, solution, certificate = problem.certify(
        side, lambda p: solve(p, side, config), solution, progress=progress
    )
    scores = problem.scores_view(scores)
    t2 = time.perf_counter()
    if progress is not None:
        progress("solve")
    report = check(problem, solution.mentor_of, [side.violations])
    if not report.ok:  # pragma: no cover - a solver bug, never a user error
        raise MatcherError("internal check failed: " + "; ".join(report.violations[:5]))
    if report.objective != solution.objective:  # pragma: no cover
        raise MatcherError("internal check failed: objective differs from the solver's")
    unmatched = {
        int(i): unmatched_reason(problem, solution.mentor_of, int(i), config, scores.features, side)
        for i in np.flatnonzero(solution.mentor_of < 0)
    }
    timings = {"score": t1 - t0, "solve": t2 - t1}
    if peak_score is not None:  # the process's peak memory so far, after each stage
        timings.update(peak_mib_after_score=peak_score, peak_mib_after_solve=peak_mib())
    return MatchResult(
        cohort,
        config,
        scores,
        problem,
        solution,
        report,
        applied,
        unmatched,
        side,
        tuple(warnings),
        timings,
        certificate,
    )


def resolver(result: MatchResult):
    """``resolve(extra_pins) -> mentor_of``: a re-solve with more pins (None if impossible)."""
    from matcher.errors import InputError

    def resolve(extra):
        problem = replace(result.problem, pins=result.problem.pins + tuple(extra))
        try:
            return solve(problem, result.side, result.config).mentor_of
        except (MatcherError, InputError):  # e.g. the pin breaks a side rule: no alternative
            return None

    return resolve


def alternatives_for(result: MatchResult, k: int = 3, mentees=None):
    """Up to k ranked alternatives per mentee with exact deltas (see matcher.review.alternatives).

    Returns None for cohorts solved on candidate sets (above matcher.solve.candidates.DENSE_LIMIT
    pairs), where exact deltas would need the dense residual graph.
    """
    from matcher.review.alternatives import alternatives

    if not result.problem.exact_deltas or result.side.budget is not None:
        return None  # candidate sets, or a CP-SAT re-solve per alternative (--max-changes)

    return alternatives(
        result.problem, result.solution.mentor_of, k, result.side, mentees=mentees, resolve=resolver(result)
    )


def delta_engine(result: MatchResult):
    """The exact-delta engine (``pin_delta(i, j)``) for explanations."""
    from matcher.review.alternatives import delta_engine as engine

    return engine(result.problem, result.solution.mentor_of, result.side, resolver(result))
