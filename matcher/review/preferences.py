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

When some mentee wants several mentors (``mentors_wanted``), the same audit reads the
pairing (:class:`~matcher.solve.pairing.Pairing`) instead of ``mentor_of``:

- a mentee's ``got`` lists every counted choice they got (``1st, 3rd``), with ``+ N other``
  for mentors they did not choose (``other`` / ``none`` when they got no choice / no
  mentor); their unmet choices are those they would rather have than what they got — every
  unmet choice while they have fewer mentors than wanted, else those ranked above their
  worst current mentor;
- the counts per rank (``1st`` …) are the mentees who got that choice (a mentee counts once
  per choice met, so these may add up to more than ``with_choices``); ``other``: a mentor
  but no choice; ``none``: no mentor; ``choices_stated`` / ``choices_met``: choices over all
  mentees; ``got_0_choices`` … ``got_N_choices``: mentees by how many choices they got;
- why a choice is unmet: the rules against it, readiness, no places, every place pinned,
  the same ``distinct_mentors_by`` value as a current mentor, or full / not chosen — with the
  exact cost of the best pairing with the pair pinned (the mentee then keeps up to their
  wanted number of mentors; the optimum decides which one gives way) and the fewest pairs of
  the proposal that change (shortest residual paths where the flow's model allows,
  :mod:`matcher.review.several_residual`; else a pinned re-solve);
- a blocking pair (i, j) — allowed, not paired, one of the two chose the other — is one
  where both would take the other: i has a free place and no current mentor sharing j's
  ``distinct_mentors_by`` value, or i prefers j to each mentor they would have to give up
  (those sharing j's value if any, else their worst); and j has a free place or prefers i
  to their worst current mentee. "Prefers" is choices first, then five-C score.
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


# A choice no pairing can meet: a rule, a pin or (in a re-match) a kept pair holds every way to it.
NO_PAIRING = "no pairing allowed by the rules, pins and kept pairs in force has this pair"


def _full_words(full: bool, mentor_side: bool) -> str:
    """ "full" or "not chosen": on a mentor's row the mentor is the one who is full."""
    if not full:
        return "not chosen"
    return "this mentor's places are all taken" if mentor_side else "full"


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

    def __call__(self, i: int, j: int, other_id: str, mentor_side: bool = False) -> str:
        """Why pair (i, j) was not given, in words headed by ``other_id`` (the mentor on a
        mentee's row; the mentee on a mentor's row, ``mentor_side``, where "this mentor" is
        the row's person)."""
        p, m, deltas, load = self.p, self.m, self.deltas, self.load
        bits = self.bits[(i, j)] if (i, j) in self.bits else p.pair_bits(i, j)
        if bits:
            return f"{other_id}: excluded by " + ", ".join(RULES[n].label for n in reasons(bits))
        if not p.eligible[i]:
            return f"{other_id}: the mentee's readiness is below min_readiness"
        if p.capacity[j] <= 0:
            return (
                f"{other_id}: " + ("this mentor takes" if mentor_side else "takes") + " no mentees this round"
            )
        if i in self.pinned:
            return f"{other_id}: the mentee's pair is fixed by a pin"
        head = f"{other_id}: " + _full_words(load[j] >= p.capacity[j], mentor_side)
        if deltas is None:
            return head
        d = deltas.pin_delta_full(i, j)
        if d is None:
            return f"{head} — {NO_PAIRING}"
        dm, dr, dh, ds, moves = d
        others = moved_words(moves)
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
        giving = f"giving {other_id} this mentor" if mentor_side else f"giving them {other_id}"
        return f"{head} — {giving} would {cost} and {others}"


def person(result, side: str, index: int, deltas=None, why: _Why | None = None) -> PersonAudit | None:
    """One person's audit (``side`` mentee or mentor), as in :func:`audit`; None when they
    stated no choice. The review app's pages show it for the person on screen. ``why``:
    the :class:`_Why` of this result when already built (:func:`audit` builds one)."""
    if several(result):
        return _several_person(result, side, index, why if why is not None else _SeveralWhy(result, deltas))
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
    return PersonAudit(
        "mentor", index, choices, got, tuple(why(i, index, c.mentee_ids[i], mentor_side=True) for i in unmet)
    )


def audit(result, deltas=None) -> Audit:
    """The whole audit of ``result``; ``deltas``: the exact-delta engine (``pin_delta_full``,
    or with several mentors per mentee ``pin_change``), None to report unmet choices without
    a cost."""
    if several(result):
        return _several_audit(result, deltas)
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
    mentors, counts_r = _mentor_side(r_choices, lambda j: person(result, "mentor", j, deltas, why))
    return _audit(k, people + mentors, counts_e, counts_r, _blocking(result, e_choices, r_choices, load))


def _audit(k: int, people: list, counts_e: dict, counts_r: dict, blocking) -> Audit:
    """The :class:`Audit` of both sides (mentees then mentors) and its summary counts."""
    counts = {
        "max_choices": k,
        "mentees": counts_e,
        "mentors": counts_r,
        "both_prefer_each_other": len(blocking),
    }
    return Audit(tuple(people), counts, blocking)


def _mentor_side(r_choices, person_of) -> tuple[list[PersonAudit], dict]:
    """The audits of the mentors who stated choices (``person_of(j)``, in mentor order) and
    their counts: with choices, got at least one, choices stated and met (a mentor's ``why``
    has one line per unmet choice, one or several mentors per mentee alike)."""
    people = [person_of(j) for j, choices in enumerate(r_choices) if choices]
    met = [len(x.choices) - len(x.why) for x in people]
    counts = {
        "with_choices": len(people),
        "got_a_choice": sum(n > 0 for n in met),
        "choices_stated": sum(len(x.choices) for x in people),
        "choices_met": sum(met),
    }
    return people, counts


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
    c = result.cohort
    pairing = result.solution.pairing
    m = None if several(result) else result.solution.mentor_of
    rows = []
    for x in a.people:
        ids = c.mentor_ids if x.side == "mentee" else c.mentee_ids
        own = c.mentee_ids if x.side == "mentee" else c.mentor_ids
        rows.append([x.side, own[x.index], ";".join(ids[k] for k in x.choices), x.got, "; ".join(x.why)])
    for i, j in a.blocking:
        if m is None:
            own = pairing.mentors(i)
            now = "+".join(c.mentor_ids[x] for x in own) if own.size else "no mentor"
        else:
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


# ---------------------------------------------------------------- several mentors per mentee


def several(result) -> bool:
    """Some mentee of ``result`` wants more than one mentor (the pairing is then read)."""
    return bool(getattr(result.problem, "multi", False))


def _orders(result):
    """Counted choices per mentee and per mentor (tuples of the other side's indices)."""
    c, k = result.cohort, result.config.preferences.max_choices
    return (
        [tuple(x[:k]) for x in c.preferences.mentee_choices],
        [tuple(x[:k]) for x in c.preferences.mentor_choices],
    )


def _key(choices: tuple, other: int, score: float) -> tuple:
    """Sort key of ``other`` in one person's order (lower is better): choices, then score."""
    return (choices.index(other) if other in choices else len(choices) + 1, -score)


class _SeveralWhy:
    """:class:`_Why` for a pairing where a mentee may have several mentors. ``deltas``: a
    :class:`~matcher.review.alternatives.SeveralDeltas` (``pin_change``) or None."""

    def __init__(self, result, deltas):
        from matcher.solve.problem import free_places

        self.p, self.pairing, self.deltas = result.problem, result.solution.pairing, deltas
        self.load = self.pairing.load(result.cohort.n_mentors)
        self.free = free_places(self.p)
        self.distinct = getattr(result.side, "distinct", None)
        self.mentor_ids = result.cohort.mentor_ids
        self.orders = _orders(result)  # (mentees' choices, mentors' choices), read per person

    def clash(self, i: int, j: int) -> list[int]:
        """Current mentors of ``i`` that ``j`` may not join (``distinct_mentors_by``)."""
        if self.distinct is None:
            return []
        return [int(x) for x in self.pairing.mentors(i) if self.distinct.conflicts(int(x), j)]

    def __call__(self, i: int, j: int, other_id: str, mentor_side: bool = False) -> str:
        """Why pair (i, j) was not given, in words headed by ``other_id`` (the mentor on a
        mentee's row; the mentee on a mentor's row, ``mentor_side``, where "this mentor" is
        the row's person)."""
        p, deltas = self.p, self.deltas
        bits = p.pair_bits(i, j)
        if bits:
            return f"{other_id}: excluded by " + ", ".join(RULES[n].label for n in reasons(bits))
        if not p.eligible[i]:
            return f"{other_id}: the mentee's readiness is below min_readiness"
        if p.capacity[j] <= 0:
            return (
                f"{other_id}: " + ("this mentor takes" if mentor_side else "takes") + " no mentees this round"
            )
        if self.free[i] <= 0:
            return f"{other_id}: the mentee's mentors are all fixed by pins"
        same = self.clash(i, j)
        if same:
            names = " and ".join(self.mentor_ids[x] for x in same)
            head = f"{other_id}: same {self.distinct.column} as {names}, already one of their mentors"
        else:
            head = f"{other_id}: " + _full_words(self.load[j] >= p.capacity[j], mentor_side)
        if deltas is None:
            return head
        d = deltas.pin_change(i, j)
        if d is None:
            return f"{head} — {NO_PAIRING}"
        dp, dm, dr, ds, moves = d
        others = moved_words(moves, several=True)
        if dp < 0:
            cost = f"fill {-dp} place{'s' if dp != -1 else ''} fewer"
        elif dm < 0:
            cost = f"leave {-dm} mentee{'s' if dm != -1 else ''} without a mentor"
        elif dr < 0:
            cost = "match a less ready mentee instead of a readier one"
        elif hasattr(deltas, "choices_change") and deltas.choices_change(i, j) < 0:  # shortlist
            lost = -deltas.choices_change(i, j)
            cost = f"take {lost} choice{'s' if lost != 1 else ''} met away from other mentees"
        else:
            cost = f"cost the programme {-ds / 100:.2f} points"
        giving = f"giving {other_id} this mentor" if mentor_side else f"giving them {other_id}"
        return f"{head} — {giving} would {cost} and {others}"


def _several_person(result, side: str, index: int, why: _SeveralWhy) -> PersonAudit | None:
    """:func:`person` when a mentee may have several mentors (see the module's words)."""
    from matcher.solve.problem import mentee_places

    c, pairing, s = result.cohort, result.solution.pairing, result.scores.score
    e_choices, r_choices = why.orders
    if side == "mentee":
        choices = e_choices[index]
        if not choices:
            return None
        own = [int(x) for x in pairing.mentors(index)]
        met = [r + 1 for r, j in enumerate(choices) if j in own]
        extra = len(own) - len(met)
        if met:
            got = ", ".join(ordinal(r) for r in met) + (f" + {extra} other" if extra else "")
        else:
            got = "other" if own else "none"
        if len(own) < int(mentee_places(result.problem)[index]):
            unmet = [j for j in choices if j not in own]
        else:
            worst = max(_key(choices, j, float(s[index, j])) for j in own)
            unmet = [j for j in choices if j not in own and _key(choices, j, float(s[index, j])) < worst]
        return PersonAudit(
            "mentee", index, choices, got, tuple(why(index, j, c.mentor_ids[j]) for j in unmet)
        )
    choices = r_choices[index]
    if not choices:
        return None
    has = pairing.contains(np.array(choices, np.int64), np.full(len(choices), index, np.int64))
    met = [r + 1 for r, ok in enumerate(has.tolist()) if ok]
    got = ", ".join(ordinal(r) for r in met) if met else "none"
    unmet = [i for i, ok in zip(choices, has.tolist(), strict=True) if not ok]
    return PersonAudit(
        "mentor", index, choices, got, tuple(why(i, index, c.mentee_ids[i], mentor_side=True) for i in unmet)
    )


def _several_audit(result, deltas) -> Audit:
    """:func:`audit` when a mentee may have several mentors (see the module's words)."""
    pairing = result.solution.pairing
    k = result.config.preferences.max_choices
    why = _SeveralWhy(result, deltas)
    e_choices, r_choices = why.orders
    people: list[PersonAudit] = []
    top = max((len(ch) for ch in e_choices), default=0)
    counts_e = {
        "with_choices": 0,
        **{ordinal(r): 0 for r in range(1, k + 1)},
        "other": 0,
        "none": 0,
        "choices_stated": 0,
        "choices_met": 0,
        **{f"got_{n}_choices": 0 for n in range(top + 1)},
    }
    for i, choices in enumerate(e_choices):
        if not choices:
            continue
        x = _several_person(result, "mentee", i, why)
        own = set(pairing.mentors(i).tolist())
        met = [r for r, j in enumerate(choices, start=1) if j in own]
        counts_e["with_choices"] += 1
        for r in met:
            counts_e[ordinal(r)] += 1
        if not met:
            counts_e["other" if own else "none"] += 1
        counts_e["choices_stated"] += len(choices)
        counts_e["choices_met"] += len(met)
        counts_e[f"got_{len(met)}_choices"] += 1
        people.append(x)
    mentors, counts_r = _mentor_side(r_choices, lambda j: _several_person(result, "mentor", j, why))
    return _audit(
        k, people + mentors, counts_e, counts_r, _several_blocking(result, e_choices, r_choices, why)
    )


def _several_blocking(result, e_choices, r_choices, why: _SeveralWhy) -> tuple[tuple[int, int], ...]:
    """Allowed pairs (i, j), not paired, where at least one chose the other and both would
    take the other (see the module's words). Loops over stated pairs only."""
    from matcher.solve.problem import mentee_places

    p, pairing, s = result.problem, result.solution.pairing, result.scores.score
    places = mentee_places(p)
    load = why.load
    stated = {(i, j) for i, ch in enumerate(e_choices) for j in ch}
    stated |= {(i, j) for j, ch in enumerate(r_choices) for i in ch}
    pairs = sorted(stated)
    if not pairs:
        return ()
    ii = np.array([i for i, _ in pairs], np.int64)
    jj = np.array([j for _, j in pairs], np.int64)
    ok = p.pair_allowed(ii, jj) & ~pairing.contains(ii, jj) & (p.capacity[jj] > 0)
    out = []
    for i, j in zip(ii[ok].tolist(), jj[ok].tolist(), strict=True):
        own = [int(x) for x in pairing.mentors(i)]
        mine = _key(e_choices[i], j, float(s[i, j]))
        give_up = why.clash(i, j)
        if not give_up and len(own) < places[i]:
            mentee_would = True
        else:
            keys = [_key(e_choices[i], x, float(s[i, x])) for x in (give_up or own)]
            mentee_would = bool(keys) and (all(mine < x for x in keys) if give_up else mine < max(keys))
        if not mentee_would:
            continue
        if load[j] >= p.capacity[j]:
            theirs = pairing.mentee[pairing.mentor == j]
            worst = max(_key(r_choices[j], int(x), float(s[int(x), j])) for x in theirs)
            if not _key(r_choices[j], i, float(s[i, j])) < worst:
                continue
        out.append((i, j))
    return tuple(out)


def moved_words(moves: int | None, several: bool = False) -> str:
    """ "move 2 others" (``several``, mentees with several mentors: "change 2 of the
    proposal's pairs"); where the re-solve could not prove its moves the fewest (None), words
    without a count (a count that may be too high would mislead)."""
    if several:
        if moves is None:
            return "change some of the proposal's pairs (how many was not computed)"
        return f"change {moves} of the proposal's pairs"
    if moves is None:
        return "move other mentees (how many was not computed)"
    return f"move {moves} other{'s' if moves != 1 else ''}"
