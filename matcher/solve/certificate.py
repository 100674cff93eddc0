"""The certificate: prove a candidate-set answer optimal for the full problem, or bound it.

Takes a :class:`~matcher.solve.candidates.SparseProblem` (the candidate pairs, plus every
pair's score in hundredths), the side rules and an engine's answer on the candidates;
returns the (possibly larger) problem, the answer and a certificate for ``summary.json``.

The answer is a flow on the candidate network (:func:`~matcher.solve.engines.flow.network`:
department spread adds (mentor, department) nodes, the mentor minimum lower bounds on the
mentors' arcs to the sink). The full problem's network has the same nodes plus the pruned
pairs (and (mentor, department) nodes no candidate reaches), so the answer is optimal for
the full problem when no pruned pair could improve it:

1. **Prices** (every run). The residual graph of the answer, as a circulation whose pair
   arcs weigh A + B·r + s (the lexicographic objective, level 1 included), has
   shortest-path potentials d (:func:`~matcher.solve.duals.potentials`). A pruned pair
   (i, j) could improve the answer only if ``w_ij + d(head) − d(i) > 0``, its head being
   mentor j or its (j, department of i) node; an unused (mentor, department) node takes
   its mentor's potential (it has one way out, to the mentor, at cost 0), one with no
   allowance left can take no one. Rows whose best pruned score cannot come near are
   skipped by a bound; the rest are checked over the stored scores.
2. **Fair mode** adds two cuts (:func:`~matcher.solve.duals.min_cut`). The most mentees
   matchable: the nodes reachable from the source in the answer's residual graph (no
   threshold, no minimum) are a min cut, and no pruned pair may leave it. The threshold:
   the max flow on the candidates scoring *above* it (with the minimum's lower bounds
   as demands) is below the most matchable; its min cut, left by no pruned pair above
   the threshold, proves no higher threshold works on the full problem either. The
   prices then run on the pairs at or above the threshold.
3. **Mentor minimum** impossible on the candidates: the max flow that only feeds the
   minimums falls short; if no pruned pair leaves its min cut, the minimum is impossible
   for the full problem too (the error stands), else those pairs are added.

Pairs that could improve (and those within ``NEAR`` of it, which the next prices would
likely expose) are added and the engine solves again, until nothing can improve. If that
takes more than ``ROUNDS`` rounds, the answer is FEASIBLE and its bound is still a true
one: LP duality on the network gives ``optimum ≤ objective + Σ_i max(0, max_j excess_ij)``
(each mentee takes at most one new pair), and :func:`level_gap` turns it into the gap of
the first level it leaves open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from matcher.errors import InfeasibleError
from matcher.solve import candidates as cand
from matcher.solve.bonus import shown_scores
from matcher.solve.duals import min_cut, potentials, reachable, residual
from matcher.solve.engines.flow import Network, arc_flows, network
from matcher.solve.problem import max_units, multipliers, ready_units, score_units

ROUNDS = 20  # certificate rounds before the answer is reported FEASIBLE with its true bound
CHECK_PAIRS = 500_000  # pairs a block of the check holds (a few blocks are in flight on threads)
BLOCK = np.iinfo(np.int64).min // 4  # potential of a (mentor, department) node with no allowance
FAR = np.iinfo(np.int64).min // 2  # the score of a pair out of the running in a block


@dataclass(frozen=True, eq=False)
class Setting:
    """The candidate network of a problem under its side rules, and who is free."""

    net: Network
    free: np.ndarray  # (n_e,) eligible and not pinned
    column: np.ndarray  # (n_e,) head column of the mentee's pairs: its department, or n_dept
    pin_low: int | None  # lowest pinned pair score (units), fair mode counts it


def setting(problem, side) -> Setting:
    n_e, _ = problem.shape
    pinned = np.zeros(n_e, bool)
    capacity = problem.capacity.astype(np.int64).copy()
    for i, j in problem.pins:
        pinned[i] = True
        capacity[j] -= 1
    net = network(problem, side, pinned, capacity)
    column = np.full(n_e, net.n_dept, np.int64)
    if net.n_dept:
        dept = np.asarray(side.department)
        column = np.where(dept >= 0, dept, net.n_dept).astype(np.int64)
    pin_low = None
    if problem.pins:
        ii = np.array([i for i, _ in problem.pins])
        jj = np.array([j for _, j in problem.pins])
        pin_low = int(score_units(shown_scores(problem, problem.pair_scores(ii, jj))).min())
    return Setting(net, problem.eligible & ~pinned, column, pin_low)


def _pair_units(problem, net: Network) -> np.ndarray:
    """Score units of each pair arc of ``net``, as shown (fair mode's threshold): without the
    shortlist tier, which only ever sits on candidate arcs."""
    _, b = multipliers(problem)
    units = net.gain - np.int64(b) * ready_units(problem.readiness)[net.ei]
    tier = round(float(getattr(problem, "shortlist", 0.0)) * 100)
    return np.where(units >= tier, units - tier, units) if tier else units


def _head_table(net: Network, value: np.ndarray, blocked) -> np.ndarray:
    """(n_r, n_dept + 1): ``value`` at the head of a pair (j, column) — mentor j's node for
    the last column (no department), else its (j, d) node; an absent (j, d) node takes
    mentor j's value, one without allowance ``blocked``."""
    mentor = value[net.mentor_node]
    table = np.repeat(mentor[:, None], net.n_dept + 1, axis=1)
    if net.n_dept:
        open_ = net.dept_cap > 0
        table[:, : net.n_dept] = np.where(open_, mentor[:, None], blocked)
        jj, dd = np.divmod(net.dept_key, net.n_dept)
        nodes = net.dept_node0 + np.arange(net.dept_key.size)
        table[jj, dd] = np.where(open_[jj, dd], value[nodes], blocked)
    return table


def _heads(table: np.ndarray, column: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(len(rows), n_r) head values of every pair of ``rows``."""
    if table.shape[1] == 1:
        return table[:, 0][None, :]
    return table[:, column[rows]].T


def _pruned(problem, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """(len(rows), n_r) bool: allowed pairs of ``rows`` that are not candidates."""
    ok = u != cand.NOT_ALLOWED
    lo = np.searchsorted(problem.ei, rows)
    hi = np.searchsorted(problem.ei, rows, side="right")
    counts = hi - lo
    owner = np.repeat(np.arange(rows.size), counts)
    arcs = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
    ok[owner, problem.rj[arcs]] = False
    return ok


def _take(rows: int, n_r: int) -> int:
    """Pairs to add per checked row: ADD_PER_ROW, more when few rows are checked (a rematch
    frees a few mentees whose good mentors are mostly full)."""
    return min(n_r, max(cand.ADD_PER_ROW, cand.ADD_PER_ROUND // max(rows, 1)))


def _top(score: np.ndarray, mask: np.ndarray, rows: np.ndarray, take: int):
    """Per row, up to ``take`` masked pairs with the highest ``score`` (``FAR`` where not
    masked) → (ei, rj)."""
    np.negative(score, out=score)
    top = np.argpartition(score, take - 1, axis=1)[:, :take]
    r, c = np.nonzero(np.take_along_axis(mask, top, axis=1))
    return rows[r], top[r, c]


def _scan(problem, rows, check):
    """Run ``check(rows_block) -> (count, gain, ei, rj)`` over blocks of rows (threads),
    → (total count, total gain, ei, rj)."""
    n_r = problem.shape[1]
    found_i, found_j = [], []
    count = gain = 0
    step = max(1, CHECK_PAIRS // max(n_r, 1))
    blocks = [rows[k : k + step] for k in range(0, rows.size, step)]
    for _, (c, g, i, j) in cand._in_parallel(check, blocks):
        count += c
        gain += g
        if i is not None and i.size:
            found_i.append(i)
            found_j.append(j)
    ei = np.concatenate(found_i).astype(np.int64) if found_i else np.zeros(0, np.int64)
    rj = np.concatenate(found_j).astype(np.int64) if found_j else np.zeros(0, np.int64)
    return count, gain, ei, rj


@dataclass(frozen=True)
class Check:
    """What one round of the certificate found. ``hard``: pruned pairs that could improve
    the answer or cross a cut (0: proven); ``ei, rj``: pairs to add; ``rows``: rows checked
    pair by pair; ``gain``: a true bound on how much the objective could still improve
    (None: these prices give none)."""

    hard: int
    ei: np.ndarray
    rj: np.ndarray
    rows: int
    gain: int | None
    d: np.ndarray | None = None  # the potentials of a price check


def flow_potentials(problem, s: Setting, mentor_of, weight, circulation: bool, threshold=None):
    """Potentials (n_nodes,) of the residual graph of ``mentor_of`` on ``s.net`` whose pair
    arcs weigh ``weight`` (costs −weight; pairs below ``threshold`` units left out), with a
    return arc sink → source when ``circulation``. Raises RuntimeError if the flow is not
    optimal for these weights."""
    net = s.net
    flow = arc_flows(net, mentor_of)
    caps = net.caps.copy()
    if threshold is not None:
        caps[net.pair_arcs] = _pair_units(problem, net) >= threshold
    lower = np.zeros_like(flow)
    lower[net.sink_arcs] = net.lower
    costs = np.zeros(net.tails.size, np.int64)
    costs[net.pair_arcs] = -np.asarray(weight, np.int64)
    arcs = list(residual(net.tails, net.heads, caps, flow, costs, lower))
    if circulation:  # the return arc sink → source: the amount matched may change
        back = int(flow[net.sink_arcs].sum()) > 0
        extra = ([net.sink, 0], [0, net.sink], [0, 0]) if back else ([net.sink], [0], [0])
        arcs = [np.concatenate([a, np.array(e, np.int64)]) for a, e in zip(arcs, extra, strict=True)]
    del flow, caps, lower, costs  # the potentials' sorted copies are the peak: free what we can
    return potentials(net.n_nodes, arcs)


def price_check(
    problem,
    s: Setting,
    mentor_of: np.ndarray,
    threshold: int | None = None,
    *,
    weight: np.ndarray | None = None,
    base: np.ndarray | None = None,
    per_unit: int = 1,
    circulation: bool = True,
    near: int | None = None,
    every: bool = False,
) -> Check:
    """Step 1 of the module docstring: the pruned pairs (scoring ≥ ``threshold`` units)
    whose reduced cost under the answer's potentials is negative or within ``near``
    (default ``NEAR``) of it.

    The flow maximises Σ weight over its pair arcs: ``weight`` (one per pair arc of
    ``s.net``; default A + B·r + s) and, for a pruned pair (i, j), ``base[i] + per_unit ·
    units[i, j]`` (default A + B·r_i + units). ``circulation``: the amount of flow may
    change (a return arc sink → source); else it is fixed. The returned ``Check.d`` holds
    the potentials. ``every``: return every pair within ``near`` (else the closest
    ``ADD_PER_ROW`` of each row).
    """
    n_e, n_r = problem.shape
    net = s.net
    a, b = multipliers(problem)
    near = cand.NEAR if near is None else near
    if weight is None:
        weight = np.int64(a) + net.gain
    d = flow_potentials(problem, s, mentor_of, weight, circulation, threshold)
    d_mentee = d[1 : 1 + n_e]
    head = _head_table(net, d, BLOCK)
    if base is None:
        base = np.int64(a) + np.int64(b) * ready_units(problem.readiness)
    low = 0 if threshold is None else threshold
    # A row whose best pruned pair cannot come near improving even at the lowest head
    # price needs no pair-by-pair check.
    bound = base + per_unit * problem.best_pruned + head.max(axis=0)[s.column] - d_mentee
    rows = np.flatnonzero(s.free & (problem.best_pruned >= low) & (bound > -near))
    take = n_r if every else _take(rows.size, n_r)

    def check(block):
        u = problem.units[block]
        ok = _pruned(problem, block, u)
        if threshold is not None:
            ok &= u >= threshold
        # In place where it can be: a block's temporaries are what the certificate adds to
        # the stored scores' memory (several blocks are in flight on threads).
        excess = (base[block] - d_mentee[block])[:, None] + _heads(head, s.column, block)
        if per_unit == 1:
            np.add(excess, u, out=excess, casting="unsafe")
        elif per_unit:
            excess += per_unit * u.astype(np.int64)
        close = excess > -near
        close &= ok
        del ok
        if not close.any():
            return 0, 0, None, None
        excess[~close] = FAR  # only close pairs count from here on
        improving = int(np.count_nonzero(excess > 0))
        most = int(np.maximum(excess.max(axis=1), 0).sum())
        if take >= n_r:
            r, j = np.nonzero(close)
            return improving, most, block[r], j
        i, j = _top(excess, close, block, take)
        return improving, most, i, j

    count, gain_total, ei, rj = _scan(problem, rows, check)
    return Check(count, ei, rj, int(rows.size), gain_total, d)


def cut_check(problem, s: Setting, side_of: np.ndarray, above: int | None) -> Check:
    """The pruned pairs (scoring above ``above`` units, when given) that leave the cut
    ``side_of`` ((n_nodes,) bool, the source side): from a source-side mentee to a head
    on the sink side."""
    n_e, n_r = problem.shape
    head = _head_table(s.net, side_of, True)
    low = -1 if above is None else above
    rows = np.flatnonzero(s.free & side_of[1 : 1 + n_e] & (problem.best_pruned > low))
    take = _take(rows.size, n_r)

    def check(block):
        u = problem.units[block]
        cross = _pruned(problem, block, u) & ~_heads(head, s.column, block)
        if above is not None:
            cross &= u > above
        if not cross.any():
            return 0, 0, None, None
        i, j = _top(np.where(cross, u.astype(np.int64), FAR), cross, block, take)
        return int(cross.sum()), 0, i, j

    count, _, ei, rj = _scan(problem, rows, check)
    return Check(count, ei, rj, int(rows.size), 0)


def most_cut(problem, s: Setting, mentor_of) -> np.ndarray:
    """Fair mode, the most matchable: the answer's residual graph without threshold or
    minimum; the nodes reachable from the source (a min cut, the answer being a max flow)."""
    net = s.net
    flow = arc_flows(net, mentor_of)
    t, h, _ = residual(net.tails, net.heads, net.caps, flow, np.zeros(flow.size, np.int64))
    side_of = reachable(net.n_nodes, t, h, 0)
    if side_of[net.sink]:  # pragma: no cover - the engine's answer is a max flow
        raise RuntimeError("the answer does not match the most mentees the candidates allow")
    return side_of


def threshold_cut(problem, s: Setting, above: int, most: int) -> np.ndarray:
    """Fair mode, the threshold: source side of a min cut of the max flow over candidate
    pairs scoring above ``above`` units, the minimum's lower bounds as demands (a node T′
    after the sink: mentor → T′ carries the lower bound, sink → T′ the rest of ``most``)."""
    net = s.net
    caps = net.caps.copy()
    caps[net.pair_arcs] = _pair_units(problem, net) > above
    tails, heads = net.tails, net.heads
    target = net.sink
    if net.lower.any():
        caps[net.sink_arcs] -= net.lower
        t2 = net.n_nodes
        need = np.flatnonzero(net.lower)
        tails = np.r_[tails, net.mentor_node[need], net.sink]
        heads = np.r_[heads, np.full(need.size + 1, t2)]
        caps = np.r_[caps, net.lower[need], most - int(net.lower.sum())]
        target = t2
    value, side_of = min_cut(net.n_nodes + 1, tails, heads, caps, 0, target)
    if value >= most:  # pragma: no cover - the engine's threshold is the highest on the candidates
        raise RuntimeError("a higher threshold works on the candidates")
    return side_of[: net.n_nodes]


def minimum_cut(problem, side) -> Check:
    """Mentor minimum impossible on the candidates: the max flow that only feeds each
    mentor's lower bound, and the pruned pairs that leave its min cut (none: the minimum is
    impossible for the full problem)."""
    s = setting(problem, side)
    net = s.net
    caps = net.caps.copy()
    caps[net.sink_arcs] = net.lower
    value, side_of = min_cut(net.n_nodes, net.tails, net.heads, caps, 0, net.sink)
    if value >= int(net.lower.sum()):  # pragma: no cover - then the engine would have found it
        return Check(0, np.zeros(0, np.int64), np.zeros(0, np.int64), 0, 0)
    return cut_check(problem, s, side_of, None)


def check_answer(problem, side, solution) -> Check:
    """Every check of one round (module docstring, steps 1–2), merged."""
    s = setting(problem, side)
    if not side.fair or solution.lowest_score is None:
        return price_check(problem, s, solution.mentor_of)
    threshold = round(solution.lowest_score * 100)
    most = int((solution.mentor_of[s.net.mentees] >= 0).sum())
    checks = [cut_check(problem, s, most_cut(problem, s, solution.mentor_of), None)]
    if s.pin_low is None or s.pin_low > threshold:  # the threshold is the candidates' own
        checks.append(cut_check(problem, s, threshold_cut(problem, s, threshold, most), threshold))
    checks.append(price_check(problem, s, solution.mentor_of, threshold))
    # The prices at the threshold bound the fair optimum only once the most matchable is
    # proven (with more to match, the full problem's threshold may be lower).
    gain = checks[-1].gain if checks[0].hard == 0 else None
    return Check(
        sum(c.hard for c in checks),
        np.concatenate([c.ei for c in checks]),
        np.concatenate([c.rj for c in checks]),
        sum(c.rows for c in checks),
        gain,
    )


def level_gap(problem, mentor_of: np.ndarray, objective: int, bound: int) -> tuple[str | None, float]:
    """(the first objective level ``bound`` leaves open, its relative gap).

    objective = A·m + B·R + S (matched, readiness and score units). An optimum with more
    matched would be worth at least A·(m + 1), so m is proven when bound // A = m; then R
    when (bound − A·m) // B = R; the score's gap is what is left.
    """
    if bound <= objective:
        return None, 0.0
    a, b = multipliers(problem)
    matched = np.flatnonzero(mentor_of >= 0)
    m = int(matched.size)
    r = int(ready_units(problem.readiness[matched]).sum())
    s = objective - a * m - b * r
    m_ub = bound // a
    if m_ub > m:
        return "matched", (m_ub - m) / m_ub
    r_ub = (bound - a * m) // b
    if r_ub > r:
        return "readiness", (r_ub - r) / r_ub
    s_ub = bound - a * m - b * r
    return "score", (s_ub - s) / max(s_ub, 1)


def _fair_gap(problem, s: Setting, solution) -> float:
    """Fair mode not proven: a true bound on the lowest score — the m-th best of each
    mentee's best allowed score (m mentees must be matched), capped by the lowest pin."""
    best = problem.best_pruned.copy()
    if problem.ei.size:
        units = score_units(shown_scores(problem, problem.arc_score))
        np.maximum.at(best, problem.ei, units)
    best = np.sort(best[s.free])[::-1]
    free_matched = int((solution.mentor_of[s.net.mentees] >= 0).sum())
    t_ub = int(best[free_matched - 1]) if 0 < free_matched <= best.size else max_units(problem)
    if s.pin_low is not None:
        t_ub = min(t_ub, s.pin_low)
    t = round(solution.lowest_score * 100)
    return (t_ub - t) / max(t_ub, 1) if t_ub > t else 0.0


def _method(side) -> str:
    text = (
        f"min-cost flow on each mentee's {cand.CANDIDATES} best mentors and each mentor's "
        f"{cand.MENTOR_CANDIDATES} best mentees, then every pruned pair checked against "
        "the flow's dual prices (shortest-path potentials)"
    )
    extras = []
    if side.spread is not None:
        extras.append("(mentor, department) nodes")
    if side.minimum is not None:
        extras.append("the minimum's lower bounds")
    if extras:
        text += " with " + " and ".join(extras)
    if side.fair:
        text += "; the most matchable and the fair threshold proven by min cuts no pruned pair crosses"
    return text


def _solve(problem, side, solve):
    """Solve on the candidates; a mentor minimum impossible there but not proven impossible
    for the full problem (step 3) widens the candidates and solves again (each time by at
    least one pair, so this ends) → (problem, solution, pairs added)."""
    added = 0
    while True:
        try:
            return problem, solve(problem), added
        except InfeasibleError:
            if side.minimum is None:
                raise
            found = minimum_cut(problem, side)
            if not found.ei.size:
                raise
            problem = cand.add_arcs(problem, found.ei, found.rj)
            added += int(found.ei.size)


def certify(problem, side, solve, solution=None, rounds: int | None = None, progress=None, deadline=None):
    """Prove a candidate-set answer optimal for the full problem, adding pairs as needed.

    ``solve(problem) -> Solution`` solves with the run's engine; ``solution``: its answer
    on ``problem`` (None: solved here). Returns the final (problem, solution, certificate
    dict for summary.json); the problem grows by the pairs that could improve the answer.
    Not proven within ``rounds`` (default ``ROUNDS``): FEASIBLE, with a true bound and gap.
    ``deadline`` (a ``time.perf_counter()`` value, None: none): no round is started that
    the last one suggests would end after it; the answer so far is then FEASIBLE likewise.
    """
    rounds = ROUNDS if rounds is None else rounds
    n_cand = int(problem.ei.size)
    if side.budget is not None:  # its engine proves the answer for the full problem itself
        solution = solve(problem) if solution is None else solution
        x = solution.mentor_of
        matched = np.flatnonzero(x >= 0)
        new = problem._find(matched, x[matched]) < 0
        problem = cand.add_arcs(problem, matched[new], x[matched[new]])
        info = {**(solution.proof or {"certified": solution.status == "OPTIMAL"}), "candidate_pairs": n_cand}
        return cand.fill_components(problem, x), solution, info
    added = checked = settled = 0
    started = time.perf_counter()
    if solution is None:
        problem, solution, added = _solve(problem, side, solve)
    stopped = None
    for k in range(1, rounds + 1):
        found = check_answer(problem, side, solution)
        checked += found.rows * problem.shape[1]
        settled += problem.shape[0] - found.rows
        if found.hard == 0:
            info = {
                "method": _method(side),
                "certified": True,
                "candidate_pairs": n_cand,
                "rounds": k,
                "pairs_checked": checked,
                "rows_settled_by_bound": settled,
                "pairs_added": added,
            }
            return cand.fill_components(problem, solution.mentor_of), solution, info
        if k == rounds:
            break
        now = time.perf_counter()
        if deadline is not None and now + (now - started) > deadline:
            stopped, rounds = f"stopped at the time limit after {k} rounds", k
            break
        started = now
        problem = cand.add_arcs(problem, found.ei, found.rj)
        added += int(found.ei.size)
        if progress is not None:
            progress("certify", k, 0)
        problem, solution, more = _solve(problem, side, solve)
        added += more
    if found.gain is not None:
        bound = solution.objective + found.gain
    else:  # fair mode: the optimum without the fair objective, bounded by its own prices
        from matcher.solve.engines.flow import solve_flow
        from matcher.solve.side_rules import FairObjective

        relaxed = side.without(FairObjective)
        plain = solve_flow(problem, relaxed)
        bound = max(solution.objective, plain.objective + check_answer(problem, relaxed, plain).gain)
    stage, gap = level_gap(problem, solution.mentor_of, solution.objective, bound)
    lowest = None
    if side.fair and solution.lowest_score is not None and stage in (None, "readiness", "score"):
        # The levels after the lowest score are only meaningful once it is proven.
        stage, gap = "lowest_score", _fair_gap(problem, setting(problem, side), solution)
    info = {
        "method": f"candidate set; certificate {stopped or f'did not converge in {rounds} rounds'} (the bound is a true one)",
        "certified": False,
        "candidate_pairs": int(problem.ei.size),
        "rounds": rounds,
        "pairs_added": added,
    }
    sol = replace(solution, status="FEASIBLE", bound=bound, gap=gap, stage=stage, lowest_score=lowest)
    return cand.fill_components(problem, sol.mentor_of), sol, info
