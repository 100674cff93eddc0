"""Independent checker: verifies a pairing against every rule without calling a solver.

``check(problem, mentor_of)`` recomputes the objective from the matrices and lists
every violation (capacity, a mentee matched twice cannot happen by construction,
excluded pairs, ineligible mentees, pins not honoured). Tests compare its objective
with the solver's, and the CLI runs it on every result before writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solve.problem import MatchProblem, total_objective
from matcher.solve.rules import reasons


@dataclass(frozen=True)
class CheckReport:
    objective: int
    matched: int
    total_score: float
    violations: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def check(problem: MatchProblem, mentor_of: np.ndarray, extra_rules=()) -> CheckReport:
    """Verify ``mentor_of`` ((n_e,) mentor index or −1) against ``problem``.

    ``extra_rules`` are callables ``(problem, mentor_of) -> list[str]`` for rules the
    matrices cannot express (department spread, mentor minimum).
    """
    n_e, n_r = problem.shape
    mentor_of = np.asarray(mentor_of, dtype=np.int64)
    violations: list[str] = []
    if mentor_of.shape != (n_e,):
        return CheckReport(0, 0, 0.0, (f"assignment has shape {mentor_of.shape}, expected ({n_e},)",))
    out_of_range = (mentor_of < -1) | (mentor_of >= n_r)
    for i in np.flatnonzero(out_of_range):
        violations.append(f"mentee #{i}: mentor index {mentor_of[i]} out of range")
    if violations:
        return CheckReport(0, 0, 0.0, tuple(violations))
    matched = np.flatnonzero(mentor_of >= 0)
    load = np.bincount(mentor_of[matched], minlength=n_r)
    for j in np.flatnonzero(load > problem.capacity):
        violations.append(f"mentor #{j}: {load[j]} mentees over capacity {problem.capacity[j]}")
    pinned = {i: j for i, j in problem.pins}
    for i in matched:
        j = mentor_of[i]
        if pinned.get(int(i)) == j:
            continue
        bits = problem.pair_bits(int(i), int(j))
        if bits:
            violations.append(f"pair (#{i}, #{j}) breaks rule(s): {', '.join(reasons(bits))}")
        if not problem.eligible[i]:
            violations.append(f"mentee #{i} is below min_readiness but matched")
    for i, j in problem.pins:
        if mentor_of[i] != j:
            violations.append(f"pin (#{i}, #{j}) not honoured")
    for rule in extra_rules:
        violations.extend(rule(problem, mentor_of))
    total = float(problem.pair_scores(matched, mentor_of[matched]).sum()) if matched.size else 0.0
    return CheckReport(total_objective(problem, mentor_of), int(matched.size), total, tuple(violations))
