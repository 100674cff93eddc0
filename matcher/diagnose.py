"""Why a mentee is unmatched, in words a coordinator can act on.

``unmatched_reason(problem, mentor_of, i, min_readiness)`` looks only at the
matrices: which rules removed how many mentors, and whether the mentors left were all
full. It never calls a solver.
"""

from __future__ import annotations

import numpy as np

from .problem import MatchProblem
from .rules import RULES


def exclusion_counts(excluded_row: np.ndarray) -> list[tuple[str, int]]:
    """(rule label, number of mentors it excludes) for one mentee, largest first."""
    counts = []
    for r in RULES.values():
        n = int(((excluded_row >> r.bit) & 1).sum())
        if n:
            counts.append((r.name, n))
    return sorted(counts, key=lambda t: -t[1])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def unmatched_reason(problem: MatchProblem, mentor_of: np.ndarray, i: int, min_readiness: float) -> str:
    if not problem.eligible[i]:
        return f"readiness {problem.readiness[i]:.2f} below min_readiness {min_readiness:.2f}: needs a preparation step first"
    row = problem.excluded[i]
    capacity = problem.capacity
    allowed = np.flatnonzero(row == 0)
    with_room = allowed[capacity[allowed] > 0]
    counts = exclusion_counts(row)
    excluded_text = ", ".join(f"{n} by {RULES[name].label}" for name, n in counts)
    if allowed.size == 0:
        n_r = row.size
        alone = [name for name, n in counts if n == n_r]
        if len(alone) == 1:
            return RULES[alone[0]].alone
        return f"no feasible mentor (excluded: {excluded_text})"
    if with_room.size == 0:
        text = f"the {_plural(allowed.size, 'feasible mentor')} {'has' if allowed.size == 1 else 'all have'} capacity 0"
    else:
        text = (
            f"all {_plural(with_room.size, 'feasible mentor')} are full"
            if with_room.size > 1
            else "the only feasible mentor is full"
        )
    return text + (f" (excluded: {excluded_text})" if counts else "")
