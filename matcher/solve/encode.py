"""Encode a scored cohort as the matrices a solver sees (the one encode step).

``build_problem`` applies every hard rule (bits per pair), eligibility (readiness ≥
``min_readiness``) and pins, and returns a dense :class:`MatchProblem`; ``side_rules``
turns the config's programme-wide rules into :class:`SideRules` objects. Ids never
reach a solver: pairs are (mentee index, mentor index) throughout.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.errors import ConfigError, Problem
from matcher.io.config import Config
from matcher.solve.eligibility import eligible_mentees
from matcher.solve.problem import MatchProblem
from matcher.solve.rules import RuleInput, exclusions
from matcher.solve.side_rules import SideRules


def side_rules(config: Config, scores) -> SideRules:
    """The rules beyond capacity and exclusions, from the config (department codes from ``scores``)."""
    r = config.rules
    return SideRules.of(
        department=scores.features.e.department,
        max_same_department=r.max_same_department_per_mentor,
        min_per_mentor=r.min_mentees_per_mentor,
        fair=r.objective == "fair",
    )


def scored_blocks(cohort, config: Config, ctx, *, forbidden=(), failed=(), earlier=()):
    """Blocks of mentee rows in order, each ``(rows, comps (5, k, n_r), score (k, n_r),
    bits (k, n_r))``: the five Cs, pair scores and hard-rule bits, computed on threads a few
    blocks ahead (``ctx``: :func:`scoring.combine.prepare_scoring` of this cohort). What a
    block holds does not depend on how the rows are cut (the rules' block tests)."""
    from matcher.solve.candidates import _blocks, _in_parallel
    from matcher.solve.rules import avoid_pairs, reporting_pairs
    from scoring.combine import score_block

    extra = {"avoid_pairs": avoid_pairs(cohort), "reporting_pairs": reporting_pairs(cohort)}
    if earlier:
        extra["earlier_pairs"] = tuple(earlier)

    def block(rows):
        comps, score = score_block(ctx, rows)
        x = RuleInput(cohort, ctx.features, config, score, rows, tuple(forbidden), tuple(failed), extra)
        return comps, score, exclusions(x)[0]

    for rows, (comps, score, bits) in _in_parallel(
        block, _blocks(np.arange(cohort.n_mentees), cohort.n_mentors)
    ):
        yield rows, comps, score, bits


def build_problem(cohort, config: Config, scores, *, forbidden=(), failed=(), pins=(), earlier=()):
    """Apply every hard rule, eligibility and pins → (MatchProblem, names of the rules applied).

    ``scores``: dense :class:`~scoring.combine.Scores` ((n_e, n_r) arrays); pair lists by index.
    """
    extra = {"earlier_pairs": tuple(earlier)} if earlier else {}
    x = RuleInput(cohort, scores.features, config, scores.score, None, tuple(forbidden), tuple(failed), extra)
    excluded, applied = exclusions(x)
    bonus = pair_bonus(cohort, config)
    problem = MatchProblem(
        score=scores.score if bonus is None else np.round(scores.score + bonus, 2),
        readiness=scores.readiness,
        excluded=excluded,
        capacity=cohort.capacity.copy(),
        eligible=eligible_mentees(scores.readiness, config),
        pins=tuple(pins),
        max_score=100.0 if bonus is None else 100.0 + config.preferences.max_bonus,
    )
    return problem, applied


def with_forbidden(base: MatchProblem, applied: tuple, capacity, forbidden=(), pins=()):
    """``build_problem``'s answer with other capacities, forbidden pairs and pins, from
    ``base`` = ``build_problem`` of the same people, config, scores, failed and earlier pairs
    with none forbidden → (MatchProblem, names of the rules applied), equal array for array.

    Why: no rule but ``forbid`` reads the forbidden pairs, and none reads capacities, so a
    review session encodes once and each decision only sets the forbid bit of a few pairs
    (not every rule over every pair again). ``capacity``: (n_r,) ints.
    """
    from matcher.solve.rules import RULES

    excluded = base.excluded.copy()
    names = set(applied)
    if forbidden:
        rule = RULES["forbid"]
        ii, jj = np.array(forbidden, dtype=np.int64).reshape(-1, 2).T
        excluded[ii, jj] |= np.uint16(1 << rule.bit)
        names.add(rule.name)
    problem = replace(
        base,
        excluded=excluded,
        capacity=np.array(capacity, dtype=base.capacity.dtype, copy=True),
        pins=tuple(pins),
    )
    return problem, tuple(r.name for r in RULES.values() if r.name in names)


def pair_bonus(cohort, config: Config):
    """The ``[preferences]`` bonus per pair, (n_e, n_r) float, or None when choices do not
    count (:mod:`matcher.solve.bonus`)."""
    if not config.preferences.scored:
        return None
    from matcher.solve.bonus import preference_bonus

    return preference_bonus(cohort.preferences, config.preferences, (cohort.n_mentees, cohort.n_mentors))


def encode_cohort(
    cohort,
    config: Config,
    *,
    scores=None,
    boost=None,
    forbidden=(),
    failed=(),
    pins=(),
    earlier=(),
    progress=None,
):
    """Score and encode the cohort → (problem, scores, names of the rules applied).

    Up to ``DENSE_LIMIT`` pairs (or when ``scores`` are given) the problem is dense; above
    it, a candidate set (:mod:`matcher.solve.candidates`) whose answer the certificate
    later proves optimal for the full problem. Either way the result honours the one
    :class:`~matcher.solve.problem.Problem` contract.
    """
    from matcher.solve import candidates
    from scoring.combine import prepare_scoring, score_cohort

    if scores is None and cohort.n_mentees * cohort.n_mentors > candidates.DENSE_LIMIT:
        if config.preferences.scored and cohort.preferences.stated:
            raise ConfigError(
                [
                    Problem(
                        config.source or "config",
                        None,
                        "preferences",
                        None,
                        f"preference bonuses are not supported above {candidates.DENSE_LIMIT:,} "
                        "pairs (mentees × mentors) yet",
                        "remove mentee_bonus and mentor_bonus from [preferences], or match smaller groups",
                    )
                ]
            )
        ctx = prepare_scoring(cohort, config.scoring, boost)
        problem, applied = candidates.candidate_problem(
            cohort,
            config,
            ctx,
            forbidden=forbidden,
            failed=failed,
            pins=pins,
            progress=progress,
            earlier=earlier,
        )
        return problem, candidates.SparseScores(ctx, problem), applied
    if scores is None:
        scores = score_cohort(cohort, config.scoring, boost)
    problem, applied = build_problem(
        cohort, config, scores, forbidden=forbidden, failed=failed, pins=pins, earlier=earlier
    )
    return problem, scores, applied
