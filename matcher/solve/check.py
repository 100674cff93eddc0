"""Independent checker: verifies a pairing against every rule without calling a solver.

``check(problem, assignment)`` recomputes the objective from the matrices and lists
every violation (capacity on both sides — a mentor's places, a mentee's
``mentors_wanted`` —, a pair chosen twice, excluded pairs, ineligible mentees, pins not
honoured). Tests compare its objective
with the solver's, and the CLI runs it on every result before writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solve.pairing import Pairing
from matcher.solve.problem import MatchProblem, mentee_places, total_objective
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


def check(problem: MatchProblem, assignment, extra_rules=()) -> CheckReport:
    """Verify ``assignment`` against ``problem``: a ``mentor_of`` array ((n_e,) mentor index
    or −1) or a :class:`~matcher.solve.pairing.Pairing` (several mentors per mentee).

    Checks every mentor's capacity and every mentee's (``mentors_wanted``, 1 by default),
    that no pair is chosen twice, the hard rules, eligibility and pins. ``extra_rules`` are
    callables ``(problem, assignment) -> list[str]`` for rules the matrices cannot express
    (department spread, mentor minimum, distinct mentors). The objective is recomputed
    from the matrices.
    """
    n_e, n_r = problem.shape
    violations: list[str] = []
    if isinstance(assignment, Pairing):
        pairs = np.asarray(assignment.pairs, dtype=np.int64)
        if pairs.ndim != 2 or pairs.shape[1] != 2 or assignment.n_mentees != n_e:
            return CheckReport(
                0,
                0,
                0.0,
                (
                    f"pairing of shape {pairs.shape} for {assignment.n_mentees} mentees, expected (k, 2) for {n_e}",
                ),
            )
        ii, jj = pairs[:, 0], pairs[:, 1]
    else:
        mentor_of = np.asarray(assignment, dtype=np.int64)
        if mentor_of.shape != (n_e,):
            return CheckReport(0, 0, 0.0, (f"assignment has shape {mentor_of.shape}, expected ({n_e},)",))
        for i in np.flatnonzero((mentor_of < -1) | (mentor_of >= n_r)):
            violations.append(f"mentee #{i}: mentor index {mentor_of[i]} out of range")
        if violations:
            return CheckReport(0, 0, 0.0, tuple(violations))
        ii = np.flatnonzero(mentor_of >= 0)
        jj = mentor_of[ii]
    bad = (ii < 0) | (ii >= n_e) | (jj < 0) | (jj >= n_r)
    for i, j in zip(ii[bad], jj[bad], strict=True):
        violations.append(f"pair (#{i}, #{j}) out of range")
    if violations:
        return CheckReport(0, 0, 0.0, tuple(violations))
    seen: set[tuple[int, int]] = set()
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        if (i, j) in seen:
            violations.append(f"pair (#{i}, #{j}) chosen twice")
        seen.add((i, j))
    if violations:
        return CheckReport(0, 0, 0.0, tuple(violations))
    pairing = Pairing.of(ii, jj, n_e)
    load = np.bincount(jj, minlength=n_r)
    for j in np.flatnonzero(load > problem.capacity):
        violations.append(f"mentor #{j}: {load[j]} mentees over capacity {problem.capacity[j]}")
    wanted = mentee_places(problem)
    for i in np.flatnonzero(pairing.count > wanted):
        violations.append(f"mentee #{i}: {pairing.count[i]} mentors over the {wanted[i]} wanted")
    pinned = set(problem.pins)
    # Every pair's bits at once (on candidate sets, one row re-scored per pair cost 0.2 s
    # at 10,000 pairs); a pinned pair's are looked up too and not read.
    all_bits = problem.bits_of(ii, jj).tolist()
    for i, j, bits in zip(ii.tolist(), jj.tolist(), all_bits, strict=True):
        if (i, j) in pinned:
            continue
        if bits:
            violations.append(f"pair (#{i}, #{j}) breaks rule(s): {', '.join(reasons(bits))}")
        if not problem.eligible[i]:
            violations.append(f"mentee #{i} is below min_readiness but matched")
    for i, j in problem.pins:
        if (int(i), int(j)) not in seen:
            violations.append(f"pin (#{i}, #{j}) not honoured")
    for rule in extra_rules:
        violations.extend(rule(problem, assignment))
    total = float(problem.pair_scores(ii, jj).sum()) if ii.size else 0.0
    matched = int((pairing.count > 0).sum())
    return CheckReport(total_objective(problem, pairing), matched, total, tuple(violations))
