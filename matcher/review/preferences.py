"""The preference audit: what each person asked for, what they got, and exactly why.

Takes a match result (its cohort's resolved choices, problem, solution, config) and an
exact-delta engine (``pin_delta(i, j)``, or None where deltas are not exact); returns an
:class:`Audit`: one :class:`PersonAudit` per person who stated choices (mentees, then
mentors), the counts for ``summary.json``, and the stability audit — the pairs where both
people would rather have each other than what they got. A person's order over the other
side is their counted choices first (best first), then everyone else by five-C score; the
stability list keeps the pairs where at least one of the two chose the other (everyone
else's order is the score alone, which the optimum already weighs). Only allowed pairs
(no hard rule against them, a mentor with places) can be such pairs.

Loops run over stated choices only (at most ``max_choices`` per person), never over all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solve.rules import RULES, reasons


@dataclass(frozen=True)
class PersonAudit:
    """One person's choices (indices of the other side, best first), what they got in
    words (``1st`` … / ``other`` / ``none`` for a mentee; the ranks met, or ``none``, for a
    mentor) and why, one line per unmet choice (higher than what they got)."""

    side: str  # mentee | mentor
    index: int
    choices: tuple[int, ...]
    got: str
    why: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    people: tuple[PersonAudit, ...]
    counts: dict
    blocking: tuple[tuple[int, int], ...]  # (mentee, mentor): both prefer each other


def ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def in_use(cohort) -> bool:
    """The files have a preference column (the audit is written only then)."""
    return "preferred_mentors" in cohort.mentee_columns or "preferred_mentees" in cohort.mentor_columns


class _Why:
    """Why a stated choice (mentee ``i``, mentor ``j``) was not met, in one line: the rules
    against it, or full / not chosen and — with an exact-delta engine — what giving it
    would cost (every other re-optimised)."""

    def __init__(self, result, deltas):
        c, p, m = result.cohort, result.problem, result.solution.mentor_of
        k = result.config.preferences.max_choices
        self.p, self.m, self.deltas = p, m, deltas
        self.e_choices = [tuple(x[:k]) for x in c.preferences.mentee_choices]
        self.load = np.bincount(m[m >= 0], minlength=c.n_mentors)
        self.pinned = {i for i, _ in p.pins}
        # the rule bits of every stated pair at once (a candidate set re-scores rows in blocks)
        stated = [(i, j) for i, ch in enumerate(self.e_choices) for j in ch]
        stated += [(i, j) for j, ch in enumerate(c.preferences.mentor_choices) for i in ch[:k]]
        ii = np.array([i for i, _ in stated], np.int64)
        jj = np.array([j for _, j in stated], np.int64)
        self.bits = dict(
            zip(zip(ii.tolist(), jj.tolist(), strict=True), p.bits_of(ii, jj).tolist(), strict=True)
        )

    def __call__(self, i: int, j: int, other_id: str) -> str:
        p, m, deltas, load = self.p, self.m, self.deltas, self.load
        bits = self.bits[(i, j)] if (i, j) in self.bits else p.pair_bits(i, j)
        if bits:
            return f"{other_id}: excluded by " + ", ".join(RULES[n].label for n in reasons(bits))
        if not p.eligible[i]:
            return f"{other_id}: the mentee's readiness is below min_readiness"
        if p.capacity[j] <= 0:
            return f"{other_id}: takes no mentees this round"
        if i in self.pinned:
            return f"{other_id}: the mentee's pair is fixed by a pin"
        head = f"{other_id}: " + ("full" if load[j] >= p.capacity[j] else "not chosen")
        if deltas is None:
            return head
        d = deltas.pin_delta_full(i, j)
        if d is None:
            return f"{head} — this pair would break a programme rule"
        dm, dr, dh, ds, moves = d
        others = f"move {moves} other{'s' if moves != 1 else ''}"
        # shortlist: the change in mentees within their choices, other than i's own
        was_within = m[i] >= 0 and int(m[i]) in self.e_choices[i]
        now_within = j in self.e_choices[i]
        lost = -(dh - (int(now_within) - int(was_within)))
        if dm < 0:
            cost = f"leave {-dm} other mentee{'s' if dm != -1 else ''} unmatched"
        elif dr < 0:
            cost = "match a less ready mentee instead of a readier one"
        elif lost > 0:
            cost = f"take {lost} other mentee{'s' if lost != 1 else ''} out of their own choices"
        else:
            cost = f"cost the programme {-ds / 100:.2f} points"
        return f"{head} — giving them {other_id} would {cost} and {others}"


def person(result, side: str, index: int, deltas=None, why: _Why | None = None) -> PersonAudit | None:
    """One person's audit (``side`` mentee or mentor), as in :func:`audit`; None when they
    stated no choice. The review app's pages show it for the person on screen. ``why``:
    the :class:`_Why` of this result when already built (:func:`audit` builds one)."""
    c, m = result.cohort, result.solution.mentor_of
    k = result.config.preferences.max_choices
    why = why if why is not None else _Why(result, deltas)
    if side == "mentee":
        choices = tuple(c.preferences.mentee_choices[index][:k])
        if not choices:
            return None
        j = int(m[index])
        rank = choices.index(j) + 1 if j in choices else None
        got = ordinal(rank) if rank else ("other" if j >= 0 else "none")
        unmet = choices[: rank - 1] if rank else choices
        return PersonAudit(
            "mentee", index, choices, got, tuple(why(index, x, c.mentor_ids[x]) for x in unmet)
        )
    choices = tuple(c.preferences.mentor_choices[index][:k])
    if not choices:
        return None
    met = [r + 1 for r, i in enumerate(choices) if m[i] == index]
    got = ", ".join(ordinal(r) for r in met) if met else "none"
    unmet = [i for i in choices if m[i] != index]
    return PersonAudit("mentor", index, choices, got, tuple(why(i, index, c.mentee_ids[i]) for i in unmet))


def audit(result, deltas=None) -> Audit:
    c, m = result.cohort, result.solution.mentor_of
    k = result.config.preferences.max_choices
    prefs = c.preferences
    e_choices = [tuple(x[:k]) for x in prefs.mentee_choices]
    r_choices = [tuple(x[:k]) for x in prefs.mentor_choices]
    load = np.bincount(m[m >= 0], minlength=c.n_mentors)
    why = _Why(result, deltas)
    people: list[PersonAudit] = []
    counts_e = {"with_choices": 0, **{ordinal(r): 0 for r in range(1, k + 1)}, "other": 0, "none": 0}
    for i, choices in enumerate(e_choices):
        if choices:
            x = person(result, "mentee", i, deltas, why)
            counts_e["with_choices"] += 1
            counts_e[x.got] += 1
            people.append(x)
    counts_r = {"with_choices": 0, "got_a_choice": 0, "choices_stated": 0, "choices_met": 0}
    for j, choices in enumerate(r_choices):
        if not choices:
            continue
        met = [r + 1 for r, i in enumerate(choices) if m[i] == j]
        counts_r["with_choices"] += 1
        counts_r["got_a_choice"] += bool(met)
        counts_r["choices_stated"] += len(choices)
        counts_r["choices_met"] += len(met)
        people.append(person(result, "mentor", j, deltas, why))
    blocking = _blocking(result, e_choices, r_choices, load)
    counts = {
        "max_choices": k,
        "mentees": counts_e,
        "mentors": counts_r,
        "both_prefer_each_other": len(blocking),
    }
    return Audit(tuple(people), counts, blocking)


def _blocking(result, e_choices, r_choices, load) -> tuple[tuple[int, int], ...]:
    """Allowed pairs (i, j), not matched together, where at least one chose the other and
    both rank each other above what they got (choices first, then five-C score)."""
    p, m = result.problem, result.solution.mentor_of
    s = result.scores.score
    big = len(max(e_choices + r_choices, key=len, default=())) + 1

    def e_key(i: int, j: int) -> tuple:
        ch = e_choices[i]
        return (ch.index(j) if j in ch else big, -float(s[i, j]))

    def r_key(i: int, j: int) -> tuple:
        ch = r_choices[j]
        return (ch.index(i) if i in ch else big, -float(s[i, j]))

    stated = {(i, j) for i, ch in enumerate(e_choices) for j in ch}
    stated |= {(i, j) for j, ch in enumerate(r_choices) for i in ch}
    pairs = sorted(stated)
    ok = p.pair_allowed([i for i, _ in pairs], [j for _, j in pairs]) if pairs else []  # rules and readiness
    out = []
    for (i, j), allowed in zip(pairs, ok, strict=True):
        if m[i] == j or not allowed or p.capacity[j] <= 0:
            continue
        if m[i] >= 0 and not e_key(i, j) < e_key(i, int(m[i])):
            continue
        if load[j] >= p.capacity[j]:
            worst = max(r_key(int(x), j) for x in np.flatnonzero(m == j))
            if not r_key(i, j) < worst:
                continue
        out.append((i, j))
    return tuple(out)


def audit_table(result, a: Audit) -> tuple[list[str], list[list]]:
    """Rows of preferences.csv: each person with choices, then each pair that would rather
    have each other (side ``both``)."""
    c, m = result.cohort, result.solution.mentor_of
    rows = []
    for x in a.people:
        ids = c.mentor_ids if x.side == "mentee" else c.mentee_ids
        own = c.mentee_ids if x.side == "mentee" else c.mentor_ids
        rows.append([x.side, own[x.index], ";".join(ids[k] for k in x.choices), x.got, "; ".join(x.why)])
    for i, j in a.blocking:
        now = c.mentor_ids[m[i]] if m[i] >= 0 else "no mentor"
        rows.append(
            [
                "both",
                c.mentee_ids[i],
                c.mentor_ids[j],
                "",
                f"{c.mentee_ids[i]} (got {now}) and {c.mentor_ids[j]} would rather have each other",
            ]
        )
    return ["side", "person_id", "choices", "got", "why"], rows
