"""Encode a scored cohort as the matrices a solver sees (the one encode step).

``build_problem`` applies every hard rule (bits per pair), eligibility (readiness ≥
``min_readiness``) and pins, and returns a dense :class:`MatchProblem`; ``side_rules``
turns the config's programme-wide rules into :class:`SideRules` objects. Ids never
reach a solver: pairs are (mentee index, mentor index) throughout.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.errors import ConfigError, Problem, config_error
from matcher.io.config import Config
from matcher.solve.eligibility import eligible_mentees
from matcher.solve.problem import MatchProblem, is_multi
from matcher.solve.rules import RuleInput, exclusions
from matcher.solve.side_rules import DistinctMentors, DistinctTopics, SideRules


def side_rules(config: Config, scores, problem=None) -> SideRules:
    """The rules beyond capacity and exclusions, from the config (department codes from
    ``scores``). ``distinct_mentors_by`` is in force only when some mentee of ``problem``
    wants several mentors (otherwise it constrains nothing)."""
    r = config.rules
    return SideRules.of(
        department=scores.features.e.department,
        max_same_department=r.max_same_department_per_mentor,
        min_per_mentor=r.min_mentees_per_mentor,
        fair=r.objective == "fair",
        distinct=distinct_rule(config, scores.features) if is_multi(problem) else None,
    )


def distinct_rule(config: Config, features):
    """The :class:`DistinctMentors` rule ``[rules] distinct_mentors_by`` asks for, or None:
    department and profession by their codes (one value per mentor: a flow constraint);
    topics by each mentor's topic set (a packing constraint: CP-SAT)."""
    column = config.rules.distinct_mentors_by
    if column is None:
        return None
    if column == "topics":
        member = np.asarray(features.r.topics.toarray() > 0)
        return DistinctTopics(np.full(member.shape[0], -1, np.int64), column, member)
    return DistinctMentors(np.asarray(getattr(features.r, column), dtype=np.int64), column)


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
    score = scores.score if bonus is None else np.round(scores.score + bonus, 2)
    max_score = 100.0 if bonus is None else 100.0 + config.preferences.max_bonus
    eligible = eligible_mentees(scores.readiness, config)
    tier = 0.0
    if config.preferences.shortlist:
        from matcher.solve.bonus import add_shortlist, shortlist_mask

        mask = shortlist_mask(cohort.preferences, config.preferences, score.shape)
        if mask is not None:
            # N: the most pairs (one per mentee unless mentors_wanted says more), as
            # MatchProblem.max_matchable: the score level sums over pairs.
            places = cohort.mentors_wanted[eligible].sum() if cohort.several_mentors else eligible.sum()
            n = int(min(int(places), int(cohort.capacity.sum())))
            score, max_score, tier = add_shortlist(score, max_score, mask, n)
            _check_shortlist_size(config, n, max_score, score.shape)
    problem = MatchProblem(
        score=score,
        readiness=scores.readiness,
        excluded=excluded,
        capacity=cohort.capacity.copy(),
        eligible=eligible,
        pins=tuple(pins),
        max_score=max_score,
        shortlist=tier,
        wanted=cohort.mentors_wanted.copy() if cohort.several_mentors else None,
    )
    return problem, applied


def with_forbidden(base: MatchProblem, applied: tuple, capacity, forbidden=(), pins=()):
    """``build_problem``'s answer with other capacities, forbidden pairs and pins, from
    ``base`` = ``build_problem`` of the same people, config, scores, failed and earlier pairs
    with none forbidden → (MatchProblem, names of the rules applied), equal array for array.

    Why: no rule but ``forbid`` reads the forbidden pairs, and none reads capacities, so a
    review session encodes once and each decision only sets the forbid bit of a few pairs
    (not every rule over every pair again). ``capacity``: (n_r,) ints. Not with
    ``[preferences] shortlist = true``, whose tier reads the total capacity.
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


# The shortlist tier multiplies the objective's range; the engines and exact deltas work
# in 64-bit integers. Above these, ``shortlist = true`` is refused (never a wrong answer):
# the exact alternatives' shortest paths (:func:`matcher.solve.problem.deltas_fit`), and a
# flow arc's cost × (nodes + 1) ≤ 2^57 (OR-Tools' cost scaling; measured: 10^14 × 2,002
# nodes solves, 10^15 does not).
SHORTLIST_COST_LIMIT = 2**57


def _check_shortlist_size(config: Config, n: int, max_score: float, shape: tuple[int, int]) -> None:
    from matcher.solve.problem import READY_UNITS, SCORE_UNITS, deltas_fit, multipliers_for

    m = round(max_score * SCORE_UNITS)
    a, b = multipliers_for(n, m)
    nodes = shape[0] + shape[1] + 2
    if deltas_fit(a, b, m, shape[1]) and (READY_UNITS * b + m) * (nodes + 1) <= SHORTLIST_COST_LIMIT:
        return
    raise config_error(
        config,
        "preferences",
        f"shortlist = true cannot be solved exactly when {n:,} mentees can be matched "
        "(its objective needs more than 64-bit integers at this size)",
        "use mentee_bonus instead of shortlist, or match smaller groups",
    )


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
    later proves optimal for the full problem (several mentors per mentee too; not with
    ``distinct_mentors_by = "topics"``, which only CP-SAT holds, on every pair). Either way the result honours the one
    :class:`~matcher.solve.problem.Problem` contract.
    """
    from matcher.solve import candidates
    from scoring.combine import prepare_scoring, score_cohort

    if scores is None and cohort.n_mentees * cohort.n_mentors > candidates.DENSE_LIMIT:
        if cohort.several_mentors and config.rules.distinct_mentors_by == "topics":
            raise ConfigError(
                [
                    Problem(
                        config.source or "config",
                        None,
                        "rules",
                        None,
                        f'distinct_mentors_by = "topics" is not supported above {candidates.DENSE_LIMIT:,} '
                        "pairs (mentees × mentors) when a mentee wants several mentors: mentors' topics "
                        "overlap, so only CP-SAT can hold it exactly, and CP-SAT needs every pair in memory",
                        'use distinct_mentors_by = "department" or "profession", or match smaller groups',
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
