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

from matcher.errors import InfeasibleError, MatcherError
from matcher.io.cohort import Cohort
from matcher.io.config import Config, load_config
from matcher.io.load import load_cohort
from matcher.io.pairs_file import PairList
from matcher.io.questionnaire import ALL_NAMES
from matcher.review.diagnose import unmatched_reason
from matcher.solve.check import CheckReport, check, side_rule_violations
from matcher.solve.flow import Solution, solve_flow
from matcher.solve.precheck import check_mentor_minimum, check_pins, programme_warnings
from matcher.solve.problem import MatchProblem, SideRules, ready_units, score_units
from matcher.solve.rules import RuleInput, exclusions
from scoring.combine import Scores, prepare_scoring, score_cohort

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


def side_rules(config: Config, scores: Scores) -> SideRules:
    """The rules beyond capacity and exclusions, from the config."""
    r = config.rules
    dept = scores.features.e.department if r.max_same_department_per_mentor is not None else None
    return SideRules(dept, r.max_same_department_per_mentor, r.min_mentees_per_mentor, r.objective == "fair")


def build_problem(
    cohort: Cohort, config: Config, scores: Scores, *, forbidden=(), failed=(), pins=(), earlier=()
):
    """Encode the cohort as matrices: apply every hard rule, eligibility and pins."""
    extra = {"earlier_pairs": tuple(earlier)} if earlier else {}
    x = RuleInput(cohort, scores.features, config, scores.score, None, tuple(forbidden), tuple(failed), extra)
    excluded, applied = exclusions(x)
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


def solve(problem: MatchProblem, side: SideRules, config: Config) -> Solution:
    """Solve with the engine the config names (strict: an unknown name is an error).

    ``auto`` and ``flow`` use min-cost flow, which is exact for every rule the tool
    has; ``cp_sat`` solves the same model with OR-Tools CP-SAT (seeded with the flow
    answer), e.g. to cross-check.
    """
    name = config.solver.engine
    if side.needs_cpsat:
        if name == "flow":
            raise MatcherError('--max-changes above 0 needs CP-SAT; set [solver] engine = "auto" or "cp_sat"')
        name = "cp_sat"
    return SOLVERS[name](problem, side, config)


def _flow(problem, side, config):
    return solve_flow(problem, side)


def _cpsat(problem, side, config):
    from matcher.solve.cp_sat import solve_cpsat

    if not isinstance(problem, MatchProblem):
        raise MatcherError(
            "CP-SAT is not available for cohorts this large (candidate sets); "
            'use [solver] engine = "auto" and --max-changes 0'
        )
    if side.max_changes is not None:
        # Keeping every working pair is feasible: the best such pairing seeds the search.
        kept = {i for i, _ in problem.pins}
        pins = problem.pins + tuple(p for p in side.keep if p[0] not in kept)
        hint_problem = replace(problem, pins=pins)
    else:
        hint_problem = problem
    try:
        hint = solve_flow(hint_problem, replace(side, max_changes=None, keep=())).mentor_of
    except InfeasibleError:  # kept pairs that cannot all stay: CP-SAT searches without a hint
        hint = None
    # The optimum without the side rules bounds each stage from above (a relaxation).
    free = solve_flow(problem, SideRules()).mentor_of
    m = free >= 0
    upper = {
        "matched": int(m.sum()),
        "readiness": int(ready_units(problem.readiness[m]).sum()),
        "score": int(score_units(problem.pair_scores(np.flatnonzero(m), free[m])).sum()),
    }
    return solve_cpsat(problem, side, config.solver, hint=hint, upper=upper)


SOLVERS = {"auto": _flow, "flow": _flow, "cp_sat": _cpsat}


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
    from matcher.solve import candidates as large

    config = config or Config()
    t0 = time.perf_counter()
    pins = as_pair_list(pins, cohort, "pins (given in code)")
    forbidden = tuple(forbidden.pairs if isinstance(forbidden, PairList) else forbidden)
    failed = tuple(failed.pairs if isinstance(failed, PairList) else failed)
    pin_pairs = pins.pairs if pins is not None else ()
    sparse = scores is None and cohort.n_mentees * cohort.n_mentors > large.DENSE_LIMIT
    if sparse:
        ctx = prepare_scoring(cohort, config.scoring, boost)
        problem, applied = large.candidate_problem(
            cohort,
            config,
            ctx,
            forbidden=forbidden,
            failed=failed,
            pins=pin_pairs,
            progress=progress,
            earlier=earlier,
        )
        scores = large.SparseScores(ctx, problem)
    else:
        if scores is None:
            scores = score_cohort(cohort, config.scoring, boost)
        problem, applied = build_problem(
            cohort, config, scores, forbidden=forbidden, failed=failed, pins=pin_pairs, earlier=earlier
        )
    t1 = time.perf_counter()
    peak_score = peak_mib()
    if progress is not None:
        progress("score")
    side = side_rules(config, scores)
    if max_changes is not None:
        side = replace(side, keep=tuple(keep), max_changes=int(max_changes))
    check_pins(problem, pins, cohort, side)
    check_mentor_minimum(problem, cohort, side)
    warnings = programme_warnings(problem, cohort)
    solution = solve(problem, side, config)
    certificate = {
        "method": "min-cost flow over every allowed pair",
        "certified": solution.status == "OPTIMAL",
    }
    if sparse:
        solution, certificate = certify(problem, side, config, solution, progress=progress)
    t2 = time.perf_counter()
    if progress is not None:
        progress("solve")
    report = check(problem, solution.mentor_of, [lambda p, m: side_rule_violations(p, m, side)])
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


def certify(problem, side: SideRules, config: Config, solution: Solution, rounds: int = 20, progress=None):
    """Prove a candidate-set answer optimal for the full problem (see matcher.solve.candidates).

    Returns the (possibly improved) solution and a certificate dict for summary.json.
    """
    from matcher.solve import candidates as large

    n_cand = int(problem.ei.size)
    if side.active:
        note = "candidate set; not certified with department spread, mentor minimum or fair mode"
        return replace(solution, status="FEASIBLE", stage="certificate"), {
            "method": note,
            "certified": False,
            "candidate_pairs": n_cand,
        }
    added = checked = settled = 0
    for k in range(1, rounds + 1):
        d = large.potentials(problem, solution.mentor_of)
        ei, rj, improving, rows = large.violations(problem, solution.mentor_of, d)
        checked += rows * problem.shape[1]
        settled += problem.shape[0] - rows
        if improving == 0:
            large.fill_components(problem, solution.mentor_of)
            return solution, {
                "method": (
                    f"min-cost flow on each mentee's {large.CANDIDATES} best mentors and each mentor's "
                    f"{large.MENTOR_CANDIDATES} best mentees, then every pruned pair checked against "
                    "the flow's dual prices (shortest-path potentials)"
                ),
                "certified": True,
                "candidate_pairs": n_cand,
                "rounds": k,
                "pairs_checked": checked,
                "rows_settled_by_bound": settled,
                "pairs_added": added,
            }
        large.add_arcs(problem, ei, rj)
        added += int(ei.size)
        if progress is not None:
            progress("certify", k, 0)
        solution = solve(problem, side, config)
    return replace(solution, status="FEASIBLE", stage="certificate"), {
        "method": "candidate set; certificate did not converge",
        "certified": False,
        "candidate_pairs": int(problem.ei.size),
    }


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

    if not isinstance(result.problem, MatchProblem) or result.side.max_changes is not None:
        return None  # candidate sets, or a CP-SAT re-solve per alternative (--max-changes)

    return alternatives(
        result.problem, result.solution.mentor_of, k, result.side, mentees=mentees, resolve=resolver(result)
    )


def delta_engine(result: MatchResult):
    """The exact-delta engine (``pin_delta(i, j)``) for explanations."""
    from matcher.review.alternatives import delta_engine as engine

    return engine(result.problem, result.solution.mentor_of, result.side, resolver(result))
