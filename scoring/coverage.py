"""Which parts of each C the files let us score — known from the columns alone, before
scoring, so that ``validate`` can say it too.

``gaps(has_e, has_r)`` takes the sets of columns the mentees' and mentors' files gave and
returns one :class:`Gap` per C, weight or readiness input that is left out (in FIVE_CS
order, then weights, then readiness). It mirrors the conditions in :mod:`scoring.five_cs`
and :mod:`scoring.combine` (the tests check it against ``Scores.used`` on every subset
of columns that matters).
"""

from __future__ import annotations

from dataclasses import dataclass

from .names import FIVE_CS, READY_ITEMS, STYLE_ITEMS, WANT_ITEMS

# C → its parts: (what the part is, mentee columns, mentor columns, how they combine).
# "both": every listed column in both files (one of the listed when ``any``); the part is
# in use when its need is met.
PARTS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...]] = {
    "compatibility": (
        ("working style", STYLE_ITEMS, STYLE_ITEMS, "any pair"),
        ("shared interests", ("interests",), ("interests",), "pair"),
        ("time zone", ("timezone",), ("timezone",), "pair"),
        ("meeting mode", ("mode",), ("mode",), "pair"),
    ),
    "contrast": (
        ("department", ("department",), ("department",), "pair"),
        ("profession", ("profession",), ("profession",), "pair"),
    ),
    "challenge": (("the mentor's challenge rating", (), ("challenge",), "mentor"),),
    "context": (
        ("goal topics", ("topics",), ("topics",), "pair"),
        ("goals against expertise", ("goals",), ("expertise",), "pair"),
        ("seniority gap", ("seniority",), ("seniority",), "pair"),
        ("EMCC level", (), ("level",), "mentor"),
    ),
    "care": (("the mentor's care rating", (), ("care",), "mentor"),),
}


@dataclass(frozen=True)
class Gap:
    """Something the files do not let us score.

    ``what``: a C, ``"weights"`` or ``"readiness"``; ``parts``: the parts left out (all of
    them when ``whole``); ``mentees`` / ``mentors``: the columns missing from each file
    that would bring them back.
    """

    what: str
    whole: bool
    parts: tuple[str, ...]
    mentees: tuple[str, ...]
    mentors: tuple[str, ...]


def _part_in_use(e_cols, r_cols, how, has_e, has_r) -> bool:
    if how == "mentor":
        return all(c in has_r for c in r_cols)
    if how == "any pair":
        return any(c in has_e and c in has_r for c in e_cols)
    return all(c in has_e for c in e_cols) and all(c in has_r for c in r_cols)


def gaps(has_e, has_r) -> list[Gap]:
    """Every C, or part of one, that cannot be scored with these columns, and the mentee
    inputs that fall back to a default (weights: want_*; readiness: ready_*)."""
    out: list[Gap] = []
    for c in FIVE_CS:
        parts = PARTS[c]
        off = [p for p in parts if not _part_in_use(p[1], p[2], p[3], has_e, has_r)]
        if c == "challenge" and not off and not ({"want_challenge", "ready_challenge"} & set(has_e)):
            out.append(Gap(c, False, ("the mentee's appetite for challenge",), ("want_challenge",), ()))
            continue
        if not off:
            continue
        mentees = tuple(dict.fromkeys(col for p in off for col in p[1] if col not in has_e))
        mentors = tuple(dict.fromkeys(col for p in off for col in p[2] if col not in has_r))
        out.append(Gap(c, len(off) == len(parts), tuple(p[0] for p in off), mentees, mentors))
    missing_want = tuple(w for w in WANT_ITEMS if w not in has_e)
    if missing_want:
        out.append(Gap("weights", len(missing_want) == len(WANT_ITEMS), (), missing_want, ()))
    if not any(r in has_e for r in READY_ITEMS):
        out.append(Gap("readiness", True, (), READY_ITEMS, ()))
    return out


def cs_in_use(has_e, has_r) -> tuple[str, ...]:
    """The Cs with at least one part in use (as ``Scores.used``)."""
    off = {g.what for g in gaps(has_e, has_r) if g.whole}
    return tuple(c for c in FIVE_CS if c not in off)
