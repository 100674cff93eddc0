"""Cheap checks before solving: pins that cannot hold, and warnings with suggestions.

``check_pins`` raises :class:`~matcher.errors.InputError` naming every pin that breaks
a hard rule, pins one mentee twice, or exceeds a mentor's capacity or the department
spread — a pin is never silently dropped or overridden. ``programme_warnings`` returns
plain sentences (total capacity too low, mentees with no feasible mentor, mentor
minimums that cannot be met) for the summary and the terminal.
"""

from __future__ import annotations

import numpy as np

from matcher.errors import InfeasibleError, InputError, Problem
from matcher.solve.rules import RULES, reasons


def check_pins(problem, pins_list, cohort, side=None) -> None:
    """Validate pins (a :class:`~matcher.io.pairs_file.PairList`) against the encoded problem."""
    if pins_list is None or not pins_list.pairs:
        return
    from matcher.solve.problem import mentee_places

    problems: list[Problem] = []
    file = pins_list.file
    first: dict[int, list[int]] = {}  # mentee → rows pinning them
    pinned_to: dict[int, list[int]] = {}  # mentee → mentors pinned so far
    wanted = mentee_places(problem)
    distinct = side.distinct if side is not None else None
    for (i, j), row, (e_id, r_id) in zip(pins_list.pairs, pins_list.rows, pins_list.ids, strict=True):
        if len(first.get(i, ())) >= wanted[i]:
            many = wanted[i] > 1
            problems.append(
                Problem(
                    file,
                    row,
                    "mentee_id",
                    e_id,
                    f"this mentee is pinned {len(first[i]) + 1} times but wants {wanted[i]} mentor"
                    f"{'s' if many else ''} (also row {first[i][0]})"
                    if many
                    else f"this mentee is pinned twice (also row {first[i][0]})",
                    "keep one pin per mentee"
                    if not many
                    else f"keep at most {wanted[i]} pins for this mentee",
                )
            )
            continue
        if distinct is not None:
            same = [jj for jj in pinned_to.get(i, ()) if distinct.conflicts(int(jj), int(j))]
            if same:
                problems.append(
                    Problem(
                        file,
                        row,
                        "mentor_id",
                        r_id,
                        f"this mentee's pinned mentors would share their {distinct.column} "
                        "(distinct_mentors_by)",
                        "remove one of the pins, or leave distinct_mentors_by out",
                    )
                )
        first.setdefault(i, []).append(row)
        pinned_to.setdefault(i, []).append(j)
        bits = problem.pair_bits(i, j)
        if bits:
            names = reasons(bits)
            labels = ", ".join(f"{n} ({RULES[n].label})" for n in names)
            problems.append(
                Problem(
                    file,
                    row,
                    None,
                    f"{e_id} → {r_id}",
                    f"the pin breaks the hard rule(s): {labels}",
                    "remove the pin, or change the data or [rules] that forbid it",
                )
            )
        if not problem.eligible[i]:
            problems.append(
                Problem(
                    file,
                    row,
                    None,
                    f"{e_id} → {r_id}",
                    f"the mentee's readiness {problem.readiness[i]:.2f} is below min_readiness",
                    "remove the pin or lower min_readiness",
                )
            )
    load: dict[int, list[int]] = {}
    for (_, j), row in zip(pins_list.pairs, pins_list.rows, strict=True):
        load.setdefault(j, []).append(row)
    for j, rows in sorted(load.items()):
        if len(rows) > problem.capacity[j]:
            problems.append(
                Problem(
                    file,
                    rows[0],
                    "mentor_id",
                    cohort.mentor_ids[j],
                    f"pins give this mentor {len(rows)} mentees (rows {', '.join(map(str, rows))}) but capacity is {problem.capacity[j]}",
                    "remove pins or raise the mentor's capacity",
                )
            )
    if side is not None and side.max_same_department is not None and side.department is not None:
        groups: dict[tuple[int, int], list[int]] = {}
        for (i, j), row in zip(pins_list.pairs, pins_list.rows, strict=True):
            d = int(side.department[i])
            if d >= 0:
                groups.setdefault((j, d), []).append(row)
        for (j, _), rows in sorted(groups.items()):
            if len(rows) > side.max_same_department:
                problems.append(
                    Problem(
                        file,
                        rows[0],
                        "mentor_id",
                        cohort.mentor_ids[j],
                        f"pins give this mentor {len(rows)} mentees of one department (rows {', '.join(map(str, rows))}) but max_same_department_per_mentor is {side.max_same_department}",
                        "remove a pin or raise the limit",
                    )
                )
    if problems:
        raise InputError(problems)


def check_mentor_minimum(problem, cohort, side) -> None:
    """Fail early, naming mentors, when min_mentees_per_mentor cannot possibly hold."""
    if side is None or side.min_per_mentor <= 0:
        return
    need = side.minimum.need(problem.capacity)
    _, per_mentor = problem.allowed_counts()
    reasons_out = []
    for j in np.flatnonzero(need > 0):
        candidates = int(per_mentor[j])
        if candidates < need[j]:
            reasons_out.append(
                f"mentor {cohort.mentor_ids[j]} needs {_n(need[j], 'mentee')} but only {_n(candidates, 'mentee')} may be paired with them"
            )
    total_need = int(need.sum())
    from matcher.solve.problem import mentee_places

    free = int(mentee_places(problem)[problem.eligible].sum())  # places: one per mentee unless mentors_wanted
    if total_need > free:
        reasons_out.append(
            f"mentors need {_n(total_need, 'mentee')} in all but only {_n(free, 'mentee')} can be matched"
        )
    if reasons_out:
        raise InfeasibleError(
            f"min_mentees_per_mentor = {side.min_per_mentor} is impossible: "
            + "; ".join(reasons_out[:10])
            + ("; …" if len(reasons_out) > 10 else "")
            + ". Lower min_mentees_per_mentor, relax the rules that exclude these pairs, or set these mentors' capacity to 0"
        )


def programme_warnings(problem, cohort) -> list[str]:
    """Plain-sentence warnings about the programme as a whole (no personal data)."""
    from matcher.solve.problem import is_multi, mentee_places

    out = []
    eligible = int(problem.eligible.sum())
    capacity = int(problem.capacity.sum())
    places = int(mentee_places(problem)[problem.eligible].sum())
    if is_multi(problem) and capacity < places:
        out.append(
            f"total mentor capacity {capacity} is below the {places} mentor places the {eligible} mentees "
            f"to match want (mentors_wanted): at least {places - capacity} will stay open; raise "
            "capacities or recruit mentors"
        )
    elif capacity < eligible:
        out.append(
            f"total mentor capacity {capacity} is below the {eligible} mentees to match: at least "
            f"{eligible - capacity} will be unmatched; raise capacities or recruit mentors"
        )
    per_mentee, _ = problem.allowed_counts()
    none = np.flatnonzero(problem.eligible & (per_mentee == 0))
    if none.size:
        ids = ", ".join(cohort.mentee_ids[none[:10]]) + (", …" if none.size > 10 else "")
        out.append(
            f"{_n(none.size, 'mentee')} {'has' if none.size == 1 else 'have'} no feasible mentor at all ({ids}); see unmatched.csv for why"
        )
    return out


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
