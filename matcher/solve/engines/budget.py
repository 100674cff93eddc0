"""Exact bounded re-match: at most N working pairs move (``rematch --max-changes N``).

Takes a problem (dense or a candidate set) and side rules holding a
:class:`~matcher.solve.side_rules.ChangeBudget` (the working pairs ``keep`` and N; department
spread and the mentor minimum may come with it) and returns a :class:`Solution` that is
OPTIMAL (proven) or FEASIBLE with a true bound. A budget on moved pairs is one side
constraint on a flow, so:

1. **Matched (level 1).** The best pairing without the budget (min-cost flow) moving at most
   N pairs is the answer. Else the most mentees matchable under the budget, m*, is the
   largest flow value m whose fewest moves g(m) (a min-cost flow at value m with weight 1
   on working pairs) is at most N; g is convex in m and 0 where every working pair is
   kept, so m* is found by bisection (usually m* is simply the most matchable).
2. **Lagrangian (levels 2–3).** At flow value m*, price keeping a working pair at λ:
   φ(λ) = max_x G(x) + λ·(kept(x) − (|keep| − N)), with G = Σ (B·r + s), is a min-cost
   flow and an upper bound for every λ ≥ 0 (a pairing within the budget loses nothing).
   φ is convex and piecewise linear; Newton's method on the two supporting lines (one
   pairing over the budget, one within it) reaches its minimum λ* in a few flows, with
   exact rational λ = p/q (weights q·G + p·kept). A pairing within the budget that
   reaches φ(λ*) is optimal.
3. **Exact search.** Otherwise the answer of λ* with its potentials gives every pair a
   reduced cost rc ≥ 0, and any pairing at least as good as the best one found has
   Σ rc·|change| ≤ slack = q·φ(λ*) − q·G(best) (LP duality), so each pair with rc > slack
   keeps its value; CP-SAT solves what is left (usually a few dozen pairs), seeded with
   the best pairing, within the time left. Its bound, or φ(λ*), is the reported bound.

On a candidate set every flow above is certified for the full problem before it is used
(:func:`~matcher.solve.certificate.price_check`: pruned pairs with a negative reduced cost
are added and the flow solved again), and step 3 adds the pruned pairs within the slack,
so the answer and bound hold for every pair. The run stops at ``time_limit_seconds``
keeping the best pairing found and the best bound proven: FEASIBLE with a true gap. A flow
cannot be interrupted, so none is started that would not end in time: the first when the
limit is below what it may take (:func:`_first_round`; the working pairs as they are, with
:func:`_loose_bound`), a certificate round or flow when the last one suggests it (the
pairing so far holds; the pairing keeping every working pair then falls back on the
working pairs as they are).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from matcher.errors import InfeasibleError
from matcher.solve import certificate
from matcher.solve.engines import Engine
from matcher.solve.engines.flow import solve_flow, solve_network
from matcher.solve.problem import max_units, multipliers, ready_units, total_objective
from matcher.solve.side_rules import ChangeBudget, DepartmentSpread, MentorMinimum, SideRules
from matcher.solve.solution import Solution

SOLVER = "lagrangian_flow"
NEAR = 100  # score units: pruned pairs this close to improving are added too (as the certificate)
INT_ROOM = 2**61  # weights × nodes stay below this (OR-Tools scales costs by the node count)
# What the first flow and its certificate may take, about twice what they take on the
# project's 2-core machine (on candidates a flow about 1.4 µs an arc and the check of every
# stored pair about 11 ns a pair; a dense flow about 0.45 µs a pair), so that a busy machine
# still ends near the time limit.
SECONDS_PER_ARC = 3e-6
SECONDS_PER_PAIR = 25e-9
SECONDS_PER_DENSE_PAIR = 1e-6


def _first_round(problem) -> float:
    """Seconds the first flow (and, on candidates, its check of every pair) may take."""
    n_e, n_r = problem.shape
    if problem.kind == "candidates":
        return SECONDS_PER_ARC * int(problem.ei.size) + SECONDS_PER_PAIR * n_e * n_r
    return SECONDS_PER_DENSE_PAIR * n_e * n_r


def _loose_bound(problem) -> int:
    """A true upper bound on the objective found without a flow: as many mentees matched as
    there are mentees and places, the readiest of them, each with a pair's top score."""
    a, b = multipliers(problem)
    k = int(min(problem.shape[0], int(np.asarray(problem.capacity).sum())))
    r = np.sort(np.maximum(ready_units(problem.readiness), 0))[::-1][:k]
    return int(a) * k + int(b) * int(r.sum()) + k * max_units(problem)


class _OutOfTime(Exception):
    """The time limit leaves no room for another step."""


@dataclass
class _Flows:
    """Exact flow solves on the budgeted problem (its candidates grow as certificates ask)."""

    problem: object
    side: SideRules  # the side rules without the budget
    keep_of: np.ndarray  # (n_e,) kept mentor of each working pair's mentee, −1 none
    deadline: float
    last: float = 0.0  # seconds the last flow took
    added: int = 0  # candidate pairs added by certificates
    proven: bool = True  # the optimum without the budget was proven (not stopped by the clock)

    @property
    def sparse(self) -> bool:
        return self.problem.kind == "candidates"

    def _clock(self) -> None:
        if time.perf_counter() + self.last > self.deadline:
            raise _OutOfTime

    def _grow(self, ei, rj) -> None:
        from matcher.solve.candidates import add_arcs

        self.problem = add_arcs(self.problem, ei, rj)
        self.added += int(ei.size)

    def plain(self) -> Solution:
        """The optimum without the budget, certified for the full problem; on candidates,
        when the clock stops the certificate (``proven`` False), a pairing feasible for the
        full problem whose ``bound`` is a true bound on the optimum without the budget."""
        t0 = time.perf_counter()
        if self.sparse:
            grown, sol, info = certificate.certify(
                self.problem,
                self.side,
                lambda p: solve_flow(p, self.side),
                rounds=1_000_000,
                deadline=self.deadline,
            )
            self.proven = bool(info["certified"])
            self.added += info.get("pairs_added", 0)
            self.problem = grown
        else:
            sol = solve_flow(self.problem, self.side)
        self.last = time.perf_counter() - t0
        return sol

    def keeping_all(self) -> np.ndarray | None:
        """The best pairing that keeps every working pair (certified on candidates while the
        clock allows: the freed mentees' good mentors are mostly full), None when the rules
        then cannot hold. It is the answer a time limit falls back on: when the last flow
        suggests another would not end in time, the working pairs and pins alone
        (:meth:`kept_only`) stand in for it."""
        if time.perf_counter() + self.last > self.deadline:
            return self.kept_only()
        t0 = time.perf_counter()
        pinned = {i for i, _ in self.problem.pins}
        extra = tuple((int(i), int(j)) for i, j in enumerate(self.keep_of) if j >= 0 and i not in pinned)
        problem = replace(self.problem, pins=self.problem.pins + extra)
        try:
            if self.sparse:
                grown, sol, info = certificate.certify(
                    problem,
                    self.side,
                    lambda p: solve_flow(p, self.side),
                    rounds=1_000_000,
                    deadline=self.deadline,
                )
                self.added += info.get("pairs_added", 0)
                self.problem = replace(grown, pins=self.problem.pins)
            else:
                sol = solve_flow(problem, self.side)
        except InfeasibleError:
            sol = None
        self.last = time.perf_counter() - t0
        return None if sol is None else sol.mentor_of

    def kept_only(self) -> np.ndarray | None:
        """The pins and the working pairs, nobody else matched (no flow: instant), or None
        when that breaks a rule (a mentor minimum, a capacity lowered since)."""
        x = self.keep_of.copy()
        pinned = np.zeros(x.size, bool)
        for i, j in self.problem.pins:
            x[i], pinned[i] = j, True
        ei = np.flatnonzero((x >= 0) & ~pinned)
        load = np.bincount(x[x >= 0], minlength=self.problem.shape[1])
        if (load > self.problem.capacity).any() or not self.problem.pair_allowed(ei, x[ei]).all():
            return None
        return None if any(r.violations(self.problem, x) for r in self.side.rules) else x

    def fixed(self, flow_value: int, q: int, p: int, certify: bool = True):
        """Max Σ over pair arcs of q·(B·r + s) + p·[working pair] at exactly ``flow_value``
        free mentees matched → (mentor_of, setting, weight); ``certify``: proven for the full
        problem (on candidates, pairs are added until no pruned pair could improve it), else
        optimal on the candidates only. None when no flow of that value exists."""
        _, b = multipliers(self.problem)
        while True:
            self._clock()
            t0 = time.perf_counter()
            s = certificate.setting(self.problem, self.side)
            net = s.net
            kept = self.keep_of[net.ei] == net.rj
            weight = q * net.gain + p * kept.astype(np.int64)
            costs = net.costs.copy()
            costs[net.pair_arcs] = (int(weight.max()) - weight) if weight.size else weight
            ok, flows, _ = solve_network(net, None, flow_value, costs)
            self.last = time.perf_counter() - t0
            if not ok:
                return None
            mentor_of = _mentor_of(self.problem, net, flows)
            if not (self.sparse and certify):
                return mentor_of, s, weight
            base = np.int64(q) * np.int64(b) * ready_units(self.problem.readiness)
            found = certificate.price_check(
                self.problem, s, mentor_of, weight=weight, base=base, per_unit=q, circulation=False,
                near=q * NEAR,
            )  # fmt: skip
            if found.hard == 0:
                return mentor_of, s, weight
            self._grow(found.ei, found.rj)


def _mentor_of(problem, net, flows) -> np.ndarray:
    mentor_of = np.full(problem.shape[0], -1, np.int64)
    for i, j in problem.pins:
        mentor_of[i] = j
    chosen = flows > 0
    mentor_of[net.ei[chosen]] = net.rj[chosen]
    return mentor_of


def _scale(num: int, den: int, net_size: int, max_gain: int) -> tuple[int, int]:
    """λ = num/den as weights (p, q) of q·G + p·kept: exact when q·max_gain + p times the
    node count fits, else λ rounded up (any λ ≥ 0 gives a true bound), and capped."""
    g = math.gcd(num, den) or 1
    p, q = num // g, den // g
    room = INT_ROOM // max(net_size, 1)
    if q * max(max_gain, 1) + p >= room:
        p, q = -(-num // den), 1
        p = min(p, room - max(max_gain, 1) - 1)
    return max(p, 0), q


def solve_budget(problem, side: SideRules, settings) -> Solution:
    """Optimal pairing moving at most ``side.budget.max_changes`` working pairs (module
    docstring). Raises InfeasibleError when no pairing satisfies the rules within the budget."""
    start = time.perf_counter()
    deadline = start + float(settings.time_limit_seconds)
    budget = side.budget
    rest = side.without(ChangeBudget)
    n_e, _ = problem.shape
    keep = np.array(budget.keep, np.int64).reshape(-1, 2)
    keep_of = np.full(n_e, -1, np.int64)
    keep_of[keep[:, 0]] = keep[:, 1]
    if problem.kind == "candidates" and keep.size:  # every working pair is a candidate
        missing = problem._find(keep[:, 0], keep[:, 1]) < 0
        if missing.any():
            from matcher.solve.candidates import add_arcs

            problem = add_arcs(problem, keep[missing, 0], keep[missing, 1])
    flows = _Flows(problem, rest, keep_of, deadline)
    n_keep, cap = int(keep.shape[0]), int(budget.max_changes)
    target = n_keep - cap  # working pairs that must stay

    def moved(x) -> int:
        return int((x[keep[:, 0]] != keep[:, 1]).sum()) if n_keep else 0

    def done(best, status, g_bound=None, stage_note=None, extra=None, w_bound=None):
        """The Solution for ``best``: ``g_bound`` bounds G among pairings matching as many as
        ``best`` (or ``w_bound`` the whole objective)."""
        objective = total_objective(flows.problem, best)
        bound = objective
        if g_bound is not None:
            bound = objective + max(0, g_bound - _gain(flows.problem, best))
        if w_bound is not None:
            bound = max(objective, w_bound)
        stage, gap = certificate.level_gap(flows.problem, best, objective, bound)
        if status == "OPTIMAL":
            bound, stage, gap = objective, None, 0.0
        proof = {
            "method": (
                "min-cost flows with a Lagrangian price on keeping a working pair (exact at its "
                "breakpoint), closed by CP-SAT on the pairs whose reduced cost is within the gap"
            ),
            "certified": status == "OPTIMAL",
            "max_changes": cap,
            "moved": moved(best),
            **(extra or {}),
        }
        if flows.sparse:
            proof["candidate_pairs_added"] = flows.added
        return Solution(
            best,
            SOLVER,
            status,
            objective,
            bound,
            time.perf_counter() - start,
            gap,
            stage or stage_note,
            None,
            proof,
        )

    def out_of_time(best):
        if best is None:
            raise InfeasibleError(
                "no pairing within --max-changes was found within the time limit; raise "
                "[solver] time_limit_seconds"
            ) from None
        return done(best, "FEASIBLE", w_bound=free.bound)

    if _first_round(problem) > float(settings.time_limit_seconds):
        # Not even the first flow would end in time: the working pairs as they are.
        best = flows.kept_only()
        if best is None:
            raise InfeasibleError(
                "no pairing within --max-changes was found within the time limit; raise "
                "[solver] time_limit_seconds"
            )
        return done(best, "FEASIBLE", w_bound=_loose_bound(flows.problem))
    # 1. Level 1: the most mentees matchable within the budget.
    free = flows.plain()
    if not flows.proven:  # the clock stopped the certificate: a true bound, no proof
        if moved(free.mentor_of) <= cap:
            return done(free.mentor_of, "FEASIBLE", w_bound=free.bound)
        return out_of_time(flows.keeping_all())
    if moved(free.mentor_of) <= cap:
        return done(
            free.mentor_of, "OPTIMAL", extra={"note": "the best pairing without the budget is within it"}
        )
    relaxed_bound = _gain(flows.problem, free.mentor_of)  # G of the relaxation (same matched)
    kept_all = flows.keeping_all()
    free_net = certificate.setting(flows.problem, rest).net
    m_inf = int((free.mentor_of[free_net.mentees] >= 0).sum())
    best = kept_all
    try:
        m_star, hi = _most_within(flows, m_inf, kept_all, cap, moved, free_net)
    except _OutOfTime:
        return out_of_time(best)
    if hi is None:
        raise InfeasibleError(
            f"no pairing satisfies all the rules while moving at most {cap} working pairs; "
            "raise --max-changes or relax the rules"
        )
    best = hi
    g_bound = relaxed_bound if m_star == m_inf else None
    # 2. Lagrangian at flow value m*. On candidates, Newton's steps run on the candidates and
    # only the λ they end at is certified (a bound must hold for every pair); if that adds
    # a better line, Newton goes on from there.
    try:
        x0 = free.mentor_of if m_star == m_inf else flows.fixed(m_star, 1, 0)[0]
        if moved(x0) <= cap:
            return done(
                x0, "OPTIMAL", extra={"note": "the best pairing at this many matched is within the budget"}
            )
        g_bound = _gain(flows.problem, x0)
        lo, hi = x0, best
        lam, phi_min = None, None

        def line_of(x, p, q):
            return q * _gain(flows.problem, x) + p * (n_keep - moved(x))  # q·φ(p/q) + p·target

        for _ in range(60):
            for _ in range(60):
                num = max(_gain(flows.problem, lo) - _gain(flows.problem, hi), 0)
                den = moved(lo) - moved(hi)
                s0 = certificate.setting(flows.problem, rest)
                max_gain = int(s0.net.gain.max()) if s0.net.gain.size else 1
                p, q = _scale(num, den, s0.net.n_nodes, max_gain)
                x, s, weight = flows.fixed(m_star, q, p, certify=not flows.sparse)
                value = line_of(x, p, q)
                if not flows.sparse:  # every solve is exact: each λ gives a bound
                    phi = (value - p * target) // q  # floor: a true integer bound on G
                    g_bound = min(g_bound, phi)
                    if phi_min is None or phi <= phi_min:  # the best λ closes the gap below
                        lam, phi_min = (x, s, weight, p, q, value), phi
                if moved(x) <= cap and _gain(flows.problem, x) > _gain(flows.problem, best):
                    best = x
                if _gain(flows.problem, best) >= g_bound:
                    return done(best, "OPTIMAL", extra={"lagrange_multiplier": p / q})
                if value <= line_of(hi, p, q):
                    break  # no line above the two: λ = p/q minimises φ (on these pairs)
                if moved(x) > cap:
                    lo = x
                else:
                    hi = x
            if not flows.sparse:
                break
            x, s, weight = flows.fixed(m_star, q, p, certify=True)
            proven = line_of(x, p, q)
            phi = (proven - p * target) // q
            g_bound = min(g_bound, phi)
            lam = (x, s, weight, p, q, proven)
            if moved(x) <= cap and _gain(flows.problem, x) > _gain(flows.problem, best):
                best = x
            if _gain(flows.problem, best) >= g_bound:
                return done(best, "OPTIMAL", extra={"lagrange_multiplier": p / q})
            if proven <= value:
                break  # the candidates' λ holds for every pair
            if moved(x) > cap:
                lo = x
            else:
                hi = x
        # 3. Exact search on the pairs whose reduced cost is within the gap.
        return _close(flows, rest, keep, target, m_star, best, g_bound, lam, deadline, done)
    except _OutOfTime:
        if g_bound is None:
            return done(best, "FEASIBLE", w_bound=free.bound)
        return done(best, "FEASIBLE", g_bound, "score")


def _gain(problem, mentor_of) -> int:
    """G = Σ (B·r + s) over matched non-pinned mentees (exact Python int)."""
    a, _ = multipliers(problem)
    pinned = np.zeros(mentor_of.size, bool)
    for i, _ in problem.pins:
        pinned[i] = True
    total = total_objective(problem, np.where(pinned, -1, mentor_of))
    return total - a * int(((mentor_of >= 0) & ~pinned).sum())


def _most_within(flows: _Flows, m_inf: int, kept_all, cap: int, moved, net):
    """(m*, a pairing with m* free mentees matched and at most ``cap`` moves), or (m, None)
    when none exists: the largest m with g(m) ≤ cap, g(m) the fewest moves at flow m."""
    if kept_all is not None:
        m0 = int((kept_all[net.mentees] >= 0).sum())
        if m0 == m_inf:
            return m_inf, kept_all

    def fewest(m):
        got = flows.fixed(m, 0, 1)
        return (None, 10**18) if got is None else (got[0], moved(got[0]))

    x, g = fewest(m_inf)
    if g <= cap:
        return m_inf, x
    if kept_all is not None:
        lo = int((kept_all[net.mentees] >= 0).sum())  # g(lo) = 0
        x_lo = kept_all
    else:  # the fewest moves over all m: bisect the convex g for its minimum
        a, b = 0, m_inf
        while a < b:
            mid = (a + b) // 2
            if fewest(mid + 1)[1] <= fewest(mid)[1]:
                a = mid + 1
            else:
                b = mid
        lo = a
        x_lo, g_lo = fewest(lo)
        if g_lo > cap:
            return lo, None
    hi = m_inf  # g(hi) > cap; g non-decreasing on [lo, hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        x_mid, g_mid = fewest(mid)
        if g_mid <= cap:
            lo, x_lo = mid, x_mid
        else:
            hi = mid
    return lo, x_lo


def _close(flows: _Flows, rest, keep, target, m_star, best, g_bound, lam, deadline, done):
    """Step 3 of the module docstring: reduced-cost fixing at λ* and CP-SAT on the rest.

    CP-SAT runs in slices of deterministic time; each better pairing it finds lowers the
    slack, so the next model (built again) is smaller. Ends OPTIMAL when a model is solved
    to optimality (or has nothing better), else FEASIBLE at the deadline with the bound of
    the last model or φ(λ*), whichever is lower.
    """
    x, s, weight, p, q, value = lam
    problem = flows.problem
    slack = value - p * target - q * _gain(problem, best)
    _, b = multipliers(problem)
    if flows.sparse:  # pruned pairs within the slack join the model (the slack only shrinks)
        base = np.int64(q) * np.int64(b) * ready_units(problem.readiness)
        found = certificate.price_check(
            problem, s, x, weight=weight, base=base, per_unit=q, circulation=False, near=slack + 1, every=True
        )
        if found.ei.size:
            flows._grow(found.ei, found.rj)
            problem = flows.problem
            s = certificate.setting(problem, rest)
            kept = flows.keep_of[s.net.ei] == s.net.rj
            weight = q * s.net.gain + p * kept.astype(np.int64)
    net = s.net
    d = certificate.flow_potentials(problem, s, x, weight, False)
    tails, heads = net.tails[net.pair_arcs], net.heads[net.pair_arcs]
    on = x[net.ei] == net.rj
    rc = np.where(on, weight + d[heads] - d[tails], -weight + d[tails] - d[heads])
    src_t, src_h = net.tails[net.source_arcs], net.heads[net.source_arcs]
    src_on = x[net.mentees] >= 0
    src_rc = np.where(src_on, d[src_h] - d[src_t], d[src_t] - d[src_h])
    pinned_kept = sum(1 for i, j in problem.pins if flows.keep_of[i] == j)
    # Iterative deepening on the slack: a pairing with G ≥ φ − σ/q changes only pairs with
    # rc ≤ σ, so the model of those pairs holds it; when that model's optimum is within σ
    # of φ, nothing outside can beat it. Small σ first: small models, solved at once.
    searched, sigma, work = 0, q, SLICE
    while True:
        slack = value - p * target - q * _gain(problem, best)
        sigma = min(sigma, slack)
        info = {"lagrange_multiplier": p / q, "pairs_searched": searched}
        if _gain(problem, best) >= g_bound:
            return done(best, "OPTIMAL", extra=info)
        remaining = deadline - time.perf_counter()
        if remaining <= 0.05:
            return done(best, "FEASIBLE", g_bound, "score", extra=info)
        status, found, bound, searched = _search(
            net, problem, flows.keep_of, best, on, rc <= sigma, src_on, src_rc > sigma, m_star,
            target - pinned_kept, min(work, remaining), remaining,
        )  # fmt: skip
        info["pairs_searched"] = searched
        if found is not None and _gain(problem, found) > _gain(problem, best):
            best = found
        complete = sigma >= slack  # this model holds every pairing at least as good as best
        if status == "OPTIMAL":
            if complete or value - p * target - q * _gain(problem, best) <= sigma:
                return done(best, "OPTIMAL", extra=info)
            sigma *= 4
        elif complete:
            if bound is not None:
                g_bound = min(g_bound, bound)
            work *= 2
        else:
            sigma *= 4


SLICE = 2.0  # deterministic seconds of the first CP-SAT slice (doubled when a slice finds nothing)


def _search(net, problem, keep_of, best, on, free, src_on, src_fixed, m_star, target, work, wall):
    """One CP-SAT slice on the pair arcs ``free`` (the others keep their value ``on``) →
    (status "OPTIMAL" | "FEASIBLE" | "UNKNOWN", a pairing or None, a bound on G or None,
    pairs in the model); "OPTIMAL" with None: the model holds nothing better than ``best``."""
    from ortools.sat.python import cp_model

    from matcher.solve.engines.cp_sat import _solve_interruptibly

    kept = keep_of[net.ei] == net.rj
    fixed_on = on & ~free
    arcs = np.flatnonzero(free)
    model = cp_model.CpModel()
    var = {int(k): model.new_bool_var(f"x{k}") for k in arcs}
    hint = best[net.ei] == net.rj
    if (hint[~free] == on[~free]).all():  # best fits this model: a complete start
        for k, v in var.items():
            model.add_hint(v, bool(hint[k]))

    def total(ks, const=0):
        return sum(var[int(k)] for k in ks) + int(const)

    def groups(keys):
        out: dict[int, list[int]] = {}
        for k, g in zip(arcs.tolist(), keys.tolist(), strict=True):
            out.setdefault(g, []).append(k)
        return out

    position = {int(i): n for n, i in enumerate(net.mentees)}
    fixed_count = np.bincount(net.ei[fixed_on], minlength=problem.shape[0])
    for i, ks in groups(net.ei[arcs]).items():
        n = position.get(i)
        expr = total(ks, fixed_count[i])
        if n is not None and src_fixed[n]:  # matched or not stays as it is
            model.add(expr == int(src_on[n]))
        else:
            model.add(expr <= 1)
    load_fixed = np.bincount(net.rj[fixed_on], minlength=problem.shape[1])
    for j, ks in groups(net.rj[arcs]).items():
        expr = total(ks, load_fixed[j])
        model.add(expr <= int(net.capacity[j]))
        if net.lower[j] > 0:
            model.add(expr >= int(net.lower[j]))
    if net.dept_key.size:
        node = net.heads[net.pair_arcs] - net.dept_node0
        via = node >= 0
        dept_fixed = np.bincount(node[fixed_on & via], minlength=net.dept_key.size)
        caps = net.caps[net.dept_arcs]
        for g, ks in groups(node[arcs]).items():
            if g >= 0:
                model.add(total(ks, dept_fixed[g]) <= int(caps[g]))
    model.add(total(arcs, int(fixed_on.sum())) == m_star)
    model.add(total(arcs[kept[arcs]], int((fixed_on & kept).sum())) >= target)
    # G = Σ (B·r + s) is lexicographic (B exceeds any change in s), so CP-SAT maximises the
    # readiness of the free pairs first, then their score: small coefficients, a sound LP.
    _, b = multipliers(problem)
    r_arc = ready_units(problem.readiness)[net.ei]
    s_arc = net.gain - np.int64(b) * r_arc
    const = int(net.gain[fixed_on].sum())
    ready = sum(int(r_arc[k]) * var[int(k)] for k in arcs)
    score = sum(int(s_arc[k]) * var[int(k)] for k in arcs)
    s_max = sum(int(s_arc[ks].max()) for ks in groups(net.ei[arcs]).values())

    def run(objective, budget):
        model.maximize(objective)
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = 1
        prm.random_seed = 0
        prm.catch_sigint_signal = False
        # The LP relaxation of a flow with one side constraint is the Lagrangian bound
        # itself: full linearisation lets CP-SAT prove in a fraction of a second what
        # its default search cannot in a minute (10,000 × 4,000, 15,000 pairs).
        prm.linearization_level = 2
        prm.max_deterministic_time = budget
        prm.max_time_in_seconds = max(0.01, wall - (time.perf_counter() - started))
        return solver, _solve_interruptibly(solver, model)

    def pairing(solver):
        mentor_of = best.copy()
        mentor_of[net.mentees] = -1
        mentor_of[net.ei[fixed_on]] = net.rj[fixed_on]
        chosen = np.array([solver.boolean_value(var[int(k)]) for k in arcs], bool)
        mentor_of[net.ei[arcs[chosen]]] = net.rj[arcs[chosen]]
        return mentor_of

    started = time.perf_counter()
    per_mentee = groups(net.ei[arcs])
    if all(position.get(i) is not None and src_fixed[position[i]] for i in per_mentee):
        # Who is matched is fixed: the readiness of the free pairs is a constant.
        r_fixed = sum(int(r_arc[ks[0]]) for i, ks in per_mentee.items() if src_on[position[i]])
        model.add(ready == r_fixed)
        solver, status = None, cp_model.OPTIMAL
    else:
        solver, status = run(ready, work)
    if status == cp_model.INFEASIBLE:  # nothing at least as good as best in this model
        return "OPTIMAL", None, None, int(arcs.size)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "UNKNOWN", None, None, int(arcs.size)
    if solver is None:
        found, r_best = best, r_fixed
    else:
        found = pairing(solver)
        if status == cp_model.FEASIBLE:
            r_ub = math.floor(solver.best_objective_bound + 1e-6)
            return "FEASIBLE", found, const + int(b) * r_ub + s_max, int(arcs.size)
        r_best = round(solver.objective_value)
        model.add(ready == r_best)
        model.clear_hints()
        for k, v in var.items():
            model.add_hint(v, bool(found[net.ei[k]] == net.rj[k]))
    solver, status = run(score, work)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # out of time: the readiness stage's answer
        return "FEASIBLE", found, const + int(b) * r_best + s_max, int(arcs.size)
    found = pairing(solver)
    bound = const + int(b) * r_best + math.floor(solver.best_objective_bound + 1e-6)
    return ("OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE"), found, bound, int(arcs.size)


def _solve_engine(problem, side: SideRules, settings) -> Solution:
    return solve_budget(problem, side, settings)


ENGINE = Engine(
    name="budget",
    kinds=frozenset({"dense", "candidates"}),
    side_rules=frozenset({ChangeBudget, DepartmentSpread, MentorMinimum}),
    solve=_solve_engine,
    label="the bounded re-match engine",
    preference=1,
)
