"""The Python API: the whole flow in a few calls that a notebook can make.

    cohort  = load_cohort("mentors.csv", "mentees.csv", config)   # load & validate
    result  = match(cohort, config)                                # score, encode, solve, check
    write_match(result, "out/")                                    # explain/report, atomically

``match`` returns a frozen :class:`MatchResult`; nothing here prints or exits. The CLI
in ``cli/`` is a thin layer over these functions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from scoring.combine import Scores, score_cohort

from .check import CheckReport, check
from .config import Config, load_config
from .diagnose import unmatched_reason
from .errors import MatcherError
from .flow import Solution, solve_flow
from .load import load_cohort
from .model import Cohort
from .problem import MatchProblem
from .questionnaire import ALL_NAMES
from .rules import RuleInput, exclusions

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
    timings: dict[str, float] = field(default_factory=dict)


def load(mentors, mentees, config_path=None, *, encoding=None, strict=False) -> tuple[Cohort, Config]:
    """Load the config and both files (validating everything) → (cohort, config)."""
    config = load_config(config_path, ALL_NAMES)
    return load_cohort(mentors, mentees, config, encoding=encoding, strict=strict), config


def build_problem(cohort: Cohort, config: Config, scores: Scores, *, forbidden=(), failed=(), pins=()):
    """Encode the cohort as matrices: apply every hard rule, eligibility and pins."""
    excluded, applied = exclusions(RuleInput(cohort, scores, config, tuple(forbidden), tuple(failed)))
    eligible = scores.readiness >= config.rules.min_readiness - 1e-12
    problem = MatchProblem(
        score=scores.score,
        readiness=scores.readiness,
        excluded=excluded,
        capacity=cohort.capacity.copy(),
        eligible=eligible,
        pins=tuple(pins),
    )
    return problem, applied


def _refuse_unsupported(config: Config) -> None:
    """Rules that need CP-SAT are not built yet: refuse rather than silently ignore them."""
    r = config.rules
    wanted = []
    if r.max_same_department_per_mentor is not None:
        wanted.append("max_same_department_per_mentor")
    if r.min_mentees_per_mentor > 0:
        wanted.append("min_mentees_per_mentor")
    if r.objective != "total":
        wanted.append('objective = "fair"')
    if wanted:
        raise MatcherError(
            "these rules are not supported yet: " + ", ".join(wanted) + "; remove them from [rules]"
        )


def match(cohort: Cohort, config: Config | None = None, *, forbidden=(), failed=(), pins=()) -> MatchResult:
    """Score, encode, solve and check. Raises MatcherError if the checker finds a violation."""
    config = config or Config()
    _refuse_unsupported(config)
    t0 = time.perf_counter()
    scores = score_cohort(cohort, config)
    t1 = time.perf_counter()
    problem, applied = build_problem(cohort, config, scores, forbidden=forbidden, failed=failed, pins=pins)
    solution = solve_flow(problem)
    t2 = time.perf_counter()
    report = check(problem, solution.mentor_of)
    if not report.ok:  # pragma: no cover - a solver bug, never a user error
        raise MatcherError("internal check failed: " + "; ".join(report.violations[:5]))
    if report.objective != solution.objective:  # pragma: no cover
        raise MatcherError("internal check failed: objective differs from the solver's")
    unmatched = {
        int(i): unmatched_reason(problem, solution.mentor_of, int(i), config.rules.min_readiness)
        for i in np.flatnonzero(solution.mentor_of < 0)
    }
    timings = {"score": t1 - t0, "solve": t2 - t1}
    return MatchResult(cohort, config, scores, problem, solution, report, applied, unmatched, timings)
