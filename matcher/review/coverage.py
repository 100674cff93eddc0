"""Say out loud what the files do not let us score: no silent degradation.

``coverage_warnings(cohort)`` turns :func:`scoring.coverage.gaps` into sentences a
coordinator can act on — which C, or which part of one, cannot be scored and which column
of which file would bring it back — followed, when anything is left out, by how many
columns of the files were ignored (listed when a whole C is off: the likeliest cause is a
header the tool did not recognise). ``validate``, ``match``, ``rematch`` and ``scores``
print them as warnings; with ``strict`` they are errors (:func:`coverage_problems`);
summary.json and report.html show them at the top.
"""

from __future__ import annotations

from matcher.errors import Problem
from scoring.coverage import Gap, gaps

FIX = "add the column or map its header in [columns] (mentor-match map proposes a map), or leave out --strict"


def _or(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _columns(gap: Gap, files: tuple[str, str]) -> str:
    mentors_file, mentees_file = files
    bits = []
    if gap.mentors:
        bits.append(f"no {_or(gap.mentors)} column in {mentors_file}")
    if gap.mentees:
        bits.append(f"no {_or(gap.mentees)} column in {mentees_file}")
    return "; ".join(bits)


def _sentence(gap: Gap, files: tuple[str, str]) -> str:
    why = _columns(gap, files)
    if gap.what == "weights":
        if gap.whole:
            return f"how much each C matters to each mentee is not known: {why} (every C counts as 3 for everyone)"
        return f"how much some Cs matter to each mentee is not known: {why} (counted as 3 for everyone)"
    if gap.what == "readiness":
        return f"readiness cannot be judged: {why} (every mentee counts as 0.5)"
    if gap.whole:
        return f"{gap.what} cannot be scored: {why}"
    return f"{gap.what}: {_and(gap.parts)} left out ({why})"


def coverage_warnings(cohort) -> list[str]:
    """The warnings for ``cohort`` (empty when every C and input can be scored)."""
    found = gaps(cohort.mentee_columns, cohort.mentor_columns)
    if not found:
        return []
    out = [_sentence(g, cohort.files) for g in found]
    ignored = list(cohort.ignored_columns)
    if ignored:
        n = len(ignored)
        line = f"{n} column{'s' if n != 1 else ''} of the files {'were' if n != 1 else 'was'} ignored"
        if any(g.whole for g in found):
            line += ": " + "; ".join(ignored)
        else:
            line += " (listed in summary.json → columns_ignored)"
        out.append(line)
    return out


def coverage_problems(cohort) -> list[Problem]:
    """The same, as problems (``--strict``): one per gap, on the file that lacks the column."""
    out = []
    mentors_file, mentees_file = cohort.files
    for gap in gaps(cohort.mentee_columns, cohort.mentor_columns):
        file = mentors_file if gap.mentors and not gap.mentees else mentees_file
        if gap.mentors and gap.mentees:
            file = f"{mentors_file} and {mentees_file}"
        out.append(Problem(file, None, None, None, _sentence(gap, cohort.files) + " (--strict)", FIX))
    return out
