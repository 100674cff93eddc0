"""Why a mentee is unmatched, and the nearest relaxation that would match them.

``unmatched_reason(problem, mentor_of, i, config, features)`` looks only at the
matrices: which rules removed how many mentors, whether the mentors left were all full,
and which single rule, relaxed how far, would open up more mentors ("allowing a 7 h
time-zone gap would give 5 more mentors (3 with a free place)"). It never calls a solver.
"""

from __future__ import annotations

import numpy as np

from matcher.solve.bonus import shown_scores
from matcher.solve.pairing import as_pairing
from matcher.solve.problem import MatchProblem, mentee_places
from matcher.solve.rules import RULES, RelaxInput


def exclusion_counts(excluded_row: np.ndarray) -> list[tuple[str, int]]:
    """(rule name, number of mentors it excludes) for one mentee, largest first (ties: registry order)."""
    counts = []
    for r in RULES.values():
        n = int(((excluded_row >> r.bit) & 1).sum())
        if n:
            counts.append((r.name, n))
    return sorted(counts, key=lambda t: -t[1])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def relaxations(problem, i, config, features, spare) -> list[tuple[int, int, str]]:
    """Single-rule relaxations for mentee i: (mentors with a free place, mentors, sentence).

    Each rule declares its own relaxation; rules that suggest the same one (mode and
    location: "meeting virtually") are counted together.
    """
    scores, row = problem.row(i)
    scores = shown_scores(problem, scores)
    found: dict[str, np.ndarray] = {}
    for rule in RULES.values():
        only = row == np.uint16(1 << rule.bit)
        if rule.relax is None or not only.any():
            continue
        got = rule.relax(RelaxInput(problem, i, config, features, scores, only))
        if got is not None:
            mask, text = got
            found[text] = found[text] | mask if text in found else mask
    out = []
    for text, mask in found.items():
        n = int(mask.sum())
        if n:
            free = int((mask & (spare > 0)).sum())
            out.append((free, n, f"{text} would give {_plural(n, 'more mentor')} ({free} with a free place)"))
    return sorted(out, key=lambda t: (-t[0], -t[1], t[2]))


def unmatched_reason(problem: MatchProblem, mentor_of, i: int, config, features=None, side=None) -> str:
    """A specific sentence for unmatched mentee i, with the nearest relaxation when one helps.

    ``mentor_of``: a ``mentor_of`` array or a :class:`~matcher.solve.pairing.Pairing`. A
    mentee who wants several mentors and got fewer is *partly* unmatched: the sentence
    starts "got k of w mentors wanted" and speaks of the mentors they could still take
    (not theirs already and, with distinct_mentors_by, not sharing a mentor's group)."""
    pairing = as_pairing(mentor_of)
    min_readiness = config.rules.min_readiness
    if not problem.eligible[i]:
        return (
            f"readiness {problem.readiness[i]:.2f} below min_readiness {min_readiness:.2f}: "
            "needs a preparation step first"
        )
    _, row = problem.row(i)
    capacity = problem.capacity
    spare = capacity - pairing.load(capacity.size)
    allowed = np.flatnonzero(row == 0)
    own = pairing.mentors(i)
    prefix = ""
    if own.size:
        wanted = int(mentee_places(problem)[i])
        prefix = f"got {own.size} of {wanted} mentors wanted: "
        allowed = allowed[~np.isin(allowed, own)]
        distinct = side.distinct if side is not None else None
        if distinct is not None:
            same = distinct.conflicts_with(allowed, own)
            if same.any():
                k = int(same.sum())
                prefix += (
                    f"{_plural(k, 'other feasible mentor')} share{'s' if k == 1 else ''} the {distinct.column} "
                    "of a mentor they have (distinct_mentors_by); "
                )
                allowed = allowed[~same.astype(bool)] if same.size else allowed
        if allowed.size == 0:
            return prefix + "no other feasible mentor"
    with_room = allowed[capacity[allowed] > 0]
    counts = exclusion_counts(row)
    excluded_text = ", ".join(f"{n} by {RULES[name].label}" for name, n in counts)
    if allowed.size == 0:
        alone = [name for name, n in counts if n == row.size]
        if len(alone) == 1 and len(counts) == 1:
            text = RULES[alone[0]].alone
        else:
            text = f"no feasible mentor (excluded: {excluded_text})"
    elif (spare[with_room] > 0).any() and side is not None and side.max_same_department is not None:
        # Feasible mentors still have places: the department spread keeps this mentee out.
        open_ = with_room[spare[with_room] > 0]
        k = side.max_same_department
        text = (
            f"the {_plural(open_.size, 'feasible mentor')} with a free place already "
            f"{'has' if open_.size == 1 else 'have'} {k} mentee{'s' if k != 1 else ''} of this "
            f"department (max_same_department_per_mentor = {k})"
        )
        if counts:
            text += f" (excluded: {excluded_text})"
    else:
        if with_room.size == 0:
            verb = "has" if allowed.size == 1 else "all have"
            text = f"the {_plural(allowed.size, 'feasible mentor')} {verb} capacity 0"
        elif with_room.size > 1:
            text = f"all {_plural(with_room.size, 'feasible mentor')} are full"
        else:
            text = "the only feasible mentor is full"
        if allowed.size > with_room.size:  # said, so the counts agree with the scores file
            k = allowed.size - with_room.size
            text += f"; {k} more {'has' if k == 1 else 'have'} capacity 0"
        if counts:
            text += f" (excluded: {excluded_text})"
    options = relaxations(problem, i, config, features, spare)
    if options:
        text += "; " + options[0][2]
    if own.size:  # partly matched: the mentors left, not the mentee's own
        text = text.replace("feasible mentor", "other feasible mentor")
    return prefix + text
