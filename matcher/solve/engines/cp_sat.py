"""CP-SAT solver, used only for rules min-cost flow cannot express.

Takes a :class:`~matcher.solve.problem.MatchProblem` plus the side rules (department spread,
mentor minimum, fair objective) and returns a :class:`~matcher.solve.solution.Solution`. The
lexicographic objective is solved in stages, each a small-coefficient CP-SAT objective
whose optimum is then fixed as a constraint for the next stage:

1. the number of matched mentees (with several mentors per mentee: of pairs, then
   1b. the number of mentees with at least one mentor);
2. (fair mode) the lowest pair score among matched mentees;
3. the total readiness (in hundredths) of matched mentees;
4. the total pair score (in hundredths);
5. (the review's pinned re-solves: :class:`~matcher.solve.side_rules.FewestChanges`) the
   mentees whose mentors stay as in the current pairing: u_k ≤ x for each of k's current
   pairs, u_k ≤ 1 − x for each other pair of k; only a choice among the optima of 1–4. If
   this stage's time runs out, the pairing of stage 4 stands (still optimal) and the
   solution says the tie-break is not proven (``fewest_changes`` False).

This is exactly the order the integer ``objective`` encodes, without its huge
coefficients. The flow solution (which ignores the side rules) seeds stage 1 as a
hint. Search is deterministic: one worker by default (several are interleaved), a
fixed seed and a *deterministic* time budget (``max_deterministic_time``), so the same
inputs give the same pairing whatever the machine's load; a wall-clock limit of three
times the budget is a safety net only.

Several mentors per mentee (``mentors_wanted``): a mentee's pairs sum to at most what they
want, each pair a 0/1 variable (so never chosen twice); ``distinct_mentors_by`` adds, per
such mentee and per department, profession or topic, "at most one of these mentors" —
for topics a packing constraint no flow expresses, exact here.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from matcher.errors import InfeasibleError
from matcher.io.config import SolverSettings
from matcher.solve.bonus import shown_scores
from matcher.solve.engines import Engine
from matcher.solve.pairing import Pairing, as_pairing
from matcher.solve.problem import (
    READY_UNITS,
    MatchProblem,
    cover_weight,
    is_multi,
    max_units,
    mentee_places,
    multipliers,
    ready_units,
    score_units,
    total_objective,
)
from matcher.solve.side_rules import (
    ChangeBudget,
    DepartmentSpread,
    DistinctMentors,
    DistinctTopics,
    FairObjective,
    FewestChanges,
    MentorMinimum,
    SideRules,
)
from matcher.solve.solution import Solution


def _solve_interruptibly(solver, model):
    """Solve in a worker thread so that Ctrl-C reaches Python at once: the search is
    stopped and KeyboardInterrupt raised, and the run ends with nothing written."""
    import threading

    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("status", solver.solve(model)), daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        solver.stop_search()
        worker.join()
        raise
    return box["status"]


def solve_cpsat(
    problem: MatchProblem,
    side: SideRules,
    settings: SolverSettings,
    hint=None,
    upper: dict[str, int] | None = None,
) -> Solution:
    """Solve with CP-SAT in lexicographic stages; raise InfeasibleError if no pairing exists.

    ``upper``: proven upper bounds per stage from a relaxation (the optimum without the side
    rules, by min-cost flow). A stage's bound holds while every earlier stage reached its
    own; it is added to the model, so a stage whose hint reaches it is optimal at once.
    """
    from ortools.sat.python import cp_model

    start = time.perf_counter()
    n_e, n_r = problem.shape
    multi = is_multi(problem)
    wanted = mentee_places(problem)
    allowed = problem.allowed.copy()
    for i, j in problem.pins:
        if wanted[i] == 1:
            allowed[i, :] = False
        allowed[i, j] = True
    ei, rj = np.nonzero(allowed)
    n_arcs = ei.size
    s = score_units(problem.score[ei, rj])
    r = ready_units(problem.readiness)[ei]

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(n_arcs)]
    by_mentee: list[list[int]] = [[] for _ in range(n_e)]
    by_mentor: list[list[int]] = [[] for _ in range(n_r)]
    for k in range(n_arcs):
        by_mentee[ei[k]].append(k)
        by_mentor[rj[k]].append(k)
    for i in range(n_e):
        if wanted[i] == 1 and len(by_mentee[i]) > 1:
            model.add_at_most_one(x[k] for k in by_mentee[i])
        elif len(by_mentee[i]) > wanted[i]:
            model.add(sum(x[k] for k in by_mentee[i]) <= int(wanted[i]))
    distinct = side.distinct if multi else None
    if distinct is not None:
        for i in np.flatnonzero(wanted > 1):
            ks = by_mentee[i]
            if isinstance(distinct, DistinctTopics):
                member = distinct.member[rj[ks]] if ks else np.zeros((0, 0), bool)
                columns = [member[:, t] for t in range(member.shape[1])]
            else:
                g = np.asarray(distinct.group)[rj[ks]] if ks else np.zeros(0, np.int64)
                columns = [g == v for v in np.unique(g[g >= 0])]
            for col in columns:
                if col.sum() > 1:
                    model.add_at_most_one(x[ks[n]] for n in np.flatnonzero(col))
    for i, j in problem.pins:
        (k,) = [k for k in by_mentee[i] if rj[k] == j]
        model.add(x[k] == 1)
    need = side.minimum.need(problem.capacity) if side.minimum else np.zeros(n_r, int)
    for j in range(n_r):
        arcs = by_mentor[j]
        if len(arcs) > problem.capacity[j]:
            model.add(sum(x[k] for k in arcs) <= int(problem.capacity[j]))
        if need[j] > 0:
            model.add(sum(x[k] for k in arcs) >= int(need[j]))
    if side.max_same_department is not None and side.department is not None:
        dept = side.department[ei]
        for j in range(n_r):
            groups: dict[int, list[int]] = {}
            for k in by_mentor[j]:
                if dept[k] >= 0:
                    groups.setdefault(int(dept[k]), []).append(k)
            for ks in groups.values():
                if len(ks) > side.max_same_department:
                    model.add(sum(x[k] for k in ks) <= side.max_same_department)

    if side.max_changes is not None and side.keep:
        kept = []
        for i, j in side.keep:
            ks = [k for k in by_mentee[i] if rj[k] == j]
            kept.append(x[ks[0]] if ks else 0)
        # A budget of more moves than working pairs is no limit (and must not overflow int64).
        model.add(sum(kept) >= len(side.keep) - min(side.max_changes, len(side.keep)))

    if hint is not None:
        chosen = as_pairing(hint).contains(ei, rj)
        for k in range(n_arcs):
            model.add_hint(x[k], bool(chosen[k]))

    stages: list[tuple[str, object]] = [("matched", sum(x))]
    covers: list[tuple[object, list[int]]] = []  # (y_i, arcs of mentee i)

    def hint_covers(chosen) -> None:
        for yi, ks in covers:
            model.add_hint(yi, bool(any(chosen[k] for k in ks)))

    if multi:  # the mentees with at least one mentor: y_i ≤ Σ x of mentee i
        for i in range(n_e):
            if by_mentee[i]:
                yi = model.new_bool_var(f"y{i}")
                model.add(yi <= sum(x[k] for k in by_mentee[i]))
                covers.append((yi, by_mentee[i]))
        if hint is not None:
            hint_covers(chosen)
        stages.append(("covered", sum(yi for yi, _ in covers)))
    if side.fair:
        # The lowest score as shown (five Cs plus any bonus): the shortlist tier is a level
        # of its own, inside the score stage below.
        top = max_units(problem)
        shown = score_units(shown_scores(problem, problem.score[ei, rj]))
        z = model.new_int_var(0, top, "lowest_score")
        for i in range(n_e):
            ks = by_mentee[i]
            if ks and wanted[i] == 1:
                model.add(z <= sum(int(shown[k]) * x[k] for k in ks) + top * (1 - sum(x[k] for k in ks)))
            else:  # several mentors: every chosen pair counts
                for k in ks:
                    model.add(z <= int(shown[k]) * x[k] + top * (1 - x[k]))
        stages.append(("lowest_score", z))
    stages.append(("readiness", cp_model.LinearExpr.weighted_sum(x, [int(v) for v in r])))
    stages.append(("score", cp_model.LinearExpr.weighted_sum(x, [int(v) for v in s])))
    fewest = side.get(FewestChanges)
    fewest_proven = None
    if fewest is not None:
        unchanged = _unchanged(model, x, fewest.current, ei, rj, by_mentee, several=is_multi(problem))
        if unchanged is None:  # every mentee changes or stays whatever the pairing: no choice
            fewest_proven = True
        else:
            stages.append(("fewest_changes", unchanged))

    budget = settings.time_limit_seconds
    status_all = "OPTIMAL"
    values = None
    score_bound = None
    open_bound = None  # the proven bound of the stage left open (None: none proven)
    gap, gap_stage = 0.0, None
    chain = True  # every earlier stage reached its relaxation bound
    # Several mentors: a start that satisfies every rule (the independent checker says so)
    # and reaches a stage's proven bound settles that stage without a search — a large
    # CP-SAT model can spend its whole budget proving what the bound already proves.
    start_values = None
    if multi and hint is not None:
        from matcher.solve.check import check

        if check(problem, as_pairing(hint), [side.violations]).ok:
            start_values = [bool(v) for v in as_pairing(hint).contains(ei, rj)]
    for name, expr in stages:
        if name == "fewest_changes" and status_all != "OPTIMAL":
            fewest_proven = False  # the optimum is not proven: no tie to break
            break
        ub = (upper or {}).get(name) if chain else None
        if ub is not None:
            model.add(expr <= int(ub))
        if (
            ub is not None
            and start_values is not None
            and name in ("matched", "covered", "readiness", "score")
        ):
            reached = _stage_value(name, start_values, covers, r, s)
            if reached >= ub:
                values = start_values
                model.add(expr == int(ub))
                continue
        remaining = budget - (time.perf_counter() - start)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = settings.workers
        # One worker is deterministic by itself; several are made so by interleaving.
        p.interleave_search = settings.workers > 1
        # The LP relaxation of an assignment is nearly exact, but a full one over hundreds of
        # thousands of pairs eats the budget before the hint is even tried.
        p.linearization_level = 2 if n_arcs <= 100_000 else 1
        p.random_seed = settings.seed
        p.catch_sigint_signal = False  # we stop the search ourselves on Ctrl-C (below)
        p.max_deterministic_time = max(1.0, remaining)
        p.max_time_in_seconds = max(2.0, 1.5 * remaining)
        model.maximize(expr)
        status = _solve_interruptibly(solver, model)
        if name == "fewest_changes":  # a choice among optima: the earlier stages' pairing stands
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                values = [solver.boolean_value(v) for v in x]
            fewest_proven = status == cp_model.OPTIMAL
            break
        if status == cp_model.INFEASIBLE:
            raise InfeasibleError("no pairing satisfies all the rules together")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and values is not None:
            # Out of time in a later stage: keep the previous stage's pairing, say so.
            status_all, gap, gap_stage = "FEASIBLE", 1.0, name
            break
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise InfeasibleError(
                f"CP-SAT found no pairing within the time limit ({budget:g} s) at stage '{name}'; "
                "raise [solver] time_limit_seconds"
            )
        value = round(solver.objective_value)
        bound = int(np.floor(solver.best_objective_bound + 1e-6))
        if ub is not None:
            bound = min(bound, int(ub))
            if value >= bound:
                status = cp_model.OPTIMAL
        chain = chain and ub is not None and value == ub
        values = [solver.boolean_value(v) for v in x]
        if start_values is not None:
            start_values = values  # the solver's answer is feasible: the next stage's start
        if status == cp_model.OPTIMAL:
            model.add(expr == value) if name != "lowest_score" else model.add(expr >= value)
        else:
            status_all = "FEASIBLE"
            open_bound = bound
            gap, gap_stage = (bound - value) / max(abs(bound), 1), name
            if name != "score":
                # A later stage cannot be trusted to be lexicographically optimal; keep
                # what we have and stop.
                score_bound = None
                break
            score_bound = bound
        model.clear_hints()
        for k in range(n_arcs):
            model.add_hint(x[k], values[k])
        hint_covers(values)

    chosen = np.array(values, dtype=bool) if n_arcs else np.zeros(0, dtype=bool)
    pairing = Pairing.of(ei[chosen], rj[chosen], n_e)
    objective = total_objective(problem, pairing)
    if status_all == "OPTIMAL":
        bound = objective
    elif score_bound is not None:
        got = int(score_units(problem.score[ei[chosen], rj[chosen]]).sum())
        bound = objective + (score_bound - got)
    else:
        bound = _open_bound(problem, pairing, gap_stage, open_bound, upper)
    lowest = None
    if side.fair and pairing.size:
        lowest = float(shown_scores(problem, problem.score[pairing.mentee, pairing.mentor]).min())
    runtime = time.perf_counter() - start
    return Solution(
        pairing,
        "cp_sat",
        status_all,
        objective,
        bound,
        runtime,
        max(0.0, gap),
        gap_stage,
        lowest,
        fewest_changes=fewest_proven,
    )


def _unchanged(model, x, current: Pairing, ei, rj, by_mentee, several: bool = False):
    """Σ u_k over mentees k whose mentors can stay as in ``current``: u_k ≤ x of each of k's
    current pairs, u_k ≤ 1 − x of each other pair of k (so u_k = 1 only when k's set of
    mentors is unchanged). A mentee without pairs here is unchanged or changed whatever the
    pairing (a constant), and one whose current pair is no longer a variable always changes.
    ``several`` (some mentee wants several mentors): the pairs of ``current`` kept instead,
    Σ x over them (the fewest of the proposal's pairs change, as the flow's tie-break).
    None when no mentee has a choice."""
    kept = current.contains(ei, rj)
    if several:
        held = np.flatnonzero(kept)
        return sum(x[int(a)] for a in held) if held.size else None
    count = current.count
    terms = []
    for k, ks in enumerate(by_mentee):
        if not ks or int(kept[ks].sum()) < int(count[k]):
            continue
        u = model.new_bool_var(f"u{k}")
        for a in ks:
            model.add(u <= x[a]) if kept[a] else model.add(u <= 1 - x[a])
        terms.append(u)
    return sum(terms) if terms else None


def _stage_value(name: str, chosen, covers, r, s) -> int:
    """The value of stage ``name`` for the arcs ``chosen`` (bool per arc)."""
    on = np.asarray(chosen, dtype=bool)
    if name == "matched":
        return int(on.sum())
    if name == "covered":
        return sum(1 for _, ks in covers if on[ks].any())
    return int((r if name == "readiness" else s)[on].sum())


def _open_bound(problem, pairing: Pairing, stage: str, stage_bound: int | None, upper: dict | None) -> int:
    """A true upper bound on the objective when ``stage`` was left open (its proven bound
    ``stage_bound``, if any; every earlier stage is proven). Each matched pair adds at most
    A + 100·B + M; readiness at most 100 units each; score at most M units (M =
    :func:`~matcher.solve.problem.max_units`, raised by preference bonuses); with several
    mentors per mentee each mentee with a mentor adds C (at most every eligible mentee)."""
    pairing = as_pairing(pairing)
    a, b = multipliers(problem)
    c = cover_weight(problem)
    top = max_units(problem)
    matched = pairing.mentee
    m = int(matched.size)
    covered = int((pairing.count > 0).sum())
    if stage == "matched":
        most = problem.max_matchable if is_multi(problem) else problem.shape[0]  # pairs, or mentees
        m_ub = stage_bound if stage_bound is not None else (upper or {}).get("matched", most)
        return int(max(m_ub, m)) * (a + READY_UNITS * b + top) + c * int(problem.eligible.sum())
    if stage == "covered":
        most = min(int(problem.eligible.sum()), m)  # each of the m pairs covers at most one mentee
        cov_ub = stage_bound if stage_bound is not None else (upper or {}).get("covered", most)
        return m * (a + READY_UNITS * b + top) + c * int(max(cov_ub, covered))
    a_m = a * m + c * covered  # the proven levels
    r = int(ready_units(problem.readiness[matched]).sum())
    if stage == "score":  # readiness is proven
        r_ub = r
    elif stage == "readiness" and stage_bound is not None:
        r_ub = stage_bound
    else:
        r_ub = READY_UNITS * m
    return a_m + b * max(int(r_ub), r) + top * m


def _solve_engine(problem: MatchProblem, side: SideRules, settings: SolverSettings) -> Solution:
    """CP-SAT seeded with the best flow answer that keeps every working pair (a feasible
    start) and bounded per stage by the flow optimum without side rules (a relaxation)."""
    from matcher.errors import MatcherError
    from matcher.solve.engines.flow import MULTI_RULES, solve_flow

    multi = is_multi(problem)
    hint_problem = problem
    if side.budget is not None:
        # Keeping every working pair is feasible: the best such pairing seeds the search.
        kept = {i for i, _ in problem.pins} if not multi else set(problem.pins)
        extra = tuple(p for p in side.keep if (p[0] if not multi else p) not in kept)
        hint_problem = replace(problem, pins=problem.pins + extra)
    hint_side = side.without(ChangeBudget, FewestChanges)
    if multi:  # the hint keeps the rules the flow holds with several mentors (a hint need not be feasible)
        hint_side = SideRules(tuple(r for r in hint_side.rules if type(r) in MULTI_RULES))
    try:
        hint = solve_flow(hint_problem, hint_side).pairing
    except MatcherError:  # kept pairs that cannot all stay: CP-SAT searches without a hint
        hint = None
    if hint is not None and isinstance(side.distinct, DistinctTopics):
        hint = _topics_hint(hint_problem, hint_side, hint, side.distinct)
    free = solve_flow(problem, SideRules()).pairing
    upper = {
        "matched": free.size,
        "readiness": int(ready_units(problem.readiness[free.mentee]).sum()),
        "score": int(score_units(problem.pair_scores(free.mentee, free.mentor)).sum()),
    }
    if multi:  # the relaxation covers the most mentees among its most pairs: a bound while matched is reached
        upper["covered"] = int((free.count > 0).sum())
    return solve_cpsat(problem, side, settings, hint=hint, upper=upper)


def _topics_hint(problem, side: SideRules, first: Pairing, rule) -> Pairing:
    """A feasible start under a topics rule, from the flow's pairing (which ignores it): repair
    it (:func:`_distinct_hint`), then give each mentee with several mentors their best kept
    mentor as a pin, rule out the mentors sharing a topic with it, solve the flow again and
    repair that; the better of the two (more pairs, then the objective) is the hint."""
    from dataclasses import replace

    from matcher.errors import MatcherError
    from matcher.solve.engines.flow import solve_flow

    repaired = _distinct_hint(problem, first, rule)
    wanted = mentee_places(problem)
    pinned = {i for i, _ in problem.pins}
    scores = problem.pair_scores(repaired.mentee, repaired.mentor)
    extra, excluded = [], problem.excluded.copy()
    for i in np.flatnonzero((wanted > 1) & (repaired.count > 0)):
        if int(i) in pinned:
            continue
        lo, hi = np.searchsorted(repaired.mentee, [i, i + 1])
        k = lo + int(np.argmax(scores[lo:hi]))
        j = int(repaired.mentor[k])
        extra.append((int(i), j))
        clash = (rule.member & rule.member[j]).any(axis=1)
        clash[j] = False
        excluded[i, clash] |= np.uint16(1)  # ruled out for this start only
    if not extra:
        return repaired
    try:
        second = solve_flow(
            replace(problem, pins=problem.pins + tuple(extra), excluded=excluded), side
        ).pairing
    except MatcherError:
        return repaired
    second = _distinct_hint(problem, second, rule)
    best = max((repaired, second), key=lambda x: (x.size, total_objective(problem, x)))
    return best


def _distinct_hint(problem, hint: Pairing, rule) -> Pairing:
    """The flow's pairing (which ignores a topics rule) made to respect it: each mentee keeps,
    best score first, the pinned pairs and then every pair sharing no topic with those kept —
    a feasible start (pairs only dropped), so CP-SAT's first stage has a solution at once."""
    keep = np.ones(hint.size, dtype=bool)
    pins = set(problem.pins)
    scores = problem.pair_scores(hint.mentee, hint.mentor)
    for i in np.flatnonzero(hint.count > 1):
        lo, hi = np.searchsorted(hint.mentee, [i, i + 1])
        order = sorted(
            range(lo, hi), key=lambda k: ((int(i), int(hint.mentor[k])) not in pins, -scores[k], k)
        )
        chosen: list[int] = []
        for k in order:
            j = int(hint.mentor[k])
            if any(rule.conflicts(j, m) for m in chosen) and (int(i), j) not in pins:
                keep[k] = False
            else:
                chosen.append(j)
    return Pairing.of(hint.mentee[keep], hint.mentor[keep], hint.n_mentees)


# Every side rule, with one mentor per mentee and with several: the model holds them all.
SIDE_RULES = frozenset(
    {
        DepartmentSpread,
        MentorMinimum,
        FairObjective,
        ChangeBudget,
        DistinctMentors,
        DistinctTopics,
        FewestChanges,
    }
)

ENGINE = Engine(
    name="cp_sat",
    kinds=frozenset({"dense"}),
    side_rules=SIDE_RULES,
    solve=_solve_engine,
    label="CP-SAT",
    preference=2,
    several=SIDE_RULES,
)
