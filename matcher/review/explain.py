"""Plain-language reasons for a pairing, in words a coordinator can repeat to a mentee.

``evidence(result, i, j)`` returns, for each C in use, its value, its share of the
mentee's weights and a sentence built from the inputs behind it ("shares 2 of 3 goal
topics — grant writing, statistics"). ``why(result, i, j)`` keeps the two strongest
(largest weight × value) for the ``why`` column; ``explain_text`` writes the full
explanation of the ``explain`` command, including why each higher-scoring mentor was not
chosen. Only names, ids and the questionnaire answers that drive the score appear —
never emails, and never another mentee's goals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matcher.io.config import FIVE_CS
from matcher.io.questionnaire import READY_ITEMS
from matcher.solve.bonus import shown_scores
from matcher.solve.problem import mentee_places
from matcher.solve.rules import RULES, reasons

LEVEL_NAMES = {
    "foundation": "EMCC foundation",
    "practitioner": "EMCC practitioner",
    "senior": "EMCC senior practitioner",
    "master": "EMCC master practitioner",
}
READY_WORDS = {
    "ready_open": "open to learn",
    "ready_committed": "committed",
    "ready_challenge": "willing to be challenged",
    "ready_feedback": "receptive to feedback",
    "ready_respect": "respects time and boundaries",
}


@dataclass(frozen=True)
class Evidence:
    c: str
    value: float
    weight: float  # share of this mentee's weights, 0–1
    text: str


def _likert(x) -> str | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else f"{int(x)}/5"


def _join(items: list[str]) -> str:
    return ", ".join(items)


def _gap_hours(result, i: int, j: int) -> float | None:
    """Hours between the two clocks, the larger over the year (as the timezone rule)."""
    f = result.scores.features  # one cell of scoring.features.timezone_gap, not its row
    g = float(f.tz_table[f.e.tz_code[i], f.r.tz_code[j]])
    return None if math.isnan(g) else g


def _compatibility(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    bits = []
    style = [(c.split("_")[1], e[c], r[c]) for c in ("style_structure", "style_pace", "style_directness")]
    answered = [(n, a, b) for n, a, b in style if not (math.isnan(a) or math.isnan(b))]
    if answered:
        close = sum(1 - abs(a - b) / 4 for _, a, b in answered) / len(answered)
        word = "close" if close >= 0.75 else "somewhat different" if close >= 0.5 else "different"
        detail = ", ".join(f"{n} {int(a)} vs {int(b)}" for n, a, b in answered)
        bits.append(f"working styles {word} ({detail})")
    shared = sorted(set(e["interests"]) & set(r["interests"]))
    if e["interests"] and r["interests"]:
        bits.append(f"shared interests: {_join(shared)}" if shared else "no shared interests")
    gap = _gap_hours(result, i, j)
    if gap is not None:
        bits.append("same time zone" if gap == 0 else f"{gap:g} h apart")
    if e["mode"] and r["mode"]:
        bits.append(f"meeting mode {e['mode']} / {r['mode']}")
    return "; ".join(bits) or "no answers to compare"


def _contrast(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    diffs, sames = [], []
    for col in ("department", "profession"):
        a, b = e[col], r[col]
        if a and b:
            if a.casefold() == b.casefold():
                sames.append(f"same {col} ({a})")
            else:
                diffs.append(f"{col} ({b} vs your {a})")
    parts = []
    if diffs:
        parts.append("different " + " and ".join(diffs))
    parts.extend(sames)
    want = _likert(e["want_contrast"])
    if want:
        parts.append(f"you rated contrast {want}")
    return "; ".join(parts) or "background not given"


def _challenge(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    mentor = _likert(r["challenge"])
    appetite = result.scores.appetite[i]
    text = f"mentor rates their challenge {mentor}" if mentor else "mentor did not rate their challenge"
    source = "want challenge" if _likert(e["want_challenge"]) else "are ready for challenge"
    if not _likert(e["want_challenge"]) and not _likert(e["ready_challenge"]):
        return text + "; your appetite for challenge is taken as 3/5"
    return text + f", you {source} {int(appetite)}/5"


def _context(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    parts = []
    if e["topics"] and r["topics"]:
        shared = [t for t in e["topics"] if t in set(r["topics"])]
        n = len(e["topics"])
        parts.append(
            f"shares {len(shared)} of {n} goal topic{'s' if n != 1 else ''}"
            + (f" — {_join(shared)}" if shared else "")
        )
    if result.scores.text is not None and e["goals"] and r["expertise"]:
        from scoring.text import shared_terms

        terms = shared_terms(result.scores.text, i, j)
        if terms:
            parts.append("goals and expertise overlap on " + ", ".join(f"'{t}'" for t in terms))
        else:
            parts.append("goals and expertise use different words")
    if not (math.isnan(e["seniority"]) or math.isnan(r["seniority"])):
        gap = int(r["seniority"] - e["seniority"])
        if gap > 0:
            parts.append(f"mentor {gap} level{'s' if gap != 1 else ''} more senior")
        elif gap == 0:
            parts.append("same seniority")
        else:
            parts.append(f"mentor {-gap} level{'s' if gap != -1 else ''} less senior")
    if r["level"]:
        parts.append(LEVEL_NAMES[r["level"]])
    return "; ".join(parts) or "no topics or expertise to compare"


def _care(result, i, j) -> str:
    e, r = result.cohort.mentee_records[i], result.cohort.mentor_records[j]
    care = _likert(r["care"])
    text = f"mentor rates their care {care}" if care else "mentor did not rate their care"
    want = _likert(e["want_care"])
    return text + (f"; you rated care {want}" if want else "")


_TEXT = {
    "compatibility": _compatibility,
    "contrast": _contrast,
    "challenge": _challenge,
    "context": _context,
    "care": _care,
}


def evidence(result, i: int, j: int, values=None, only=None) -> list[Evidence]:
    """Each C in use for pair (i, j): value, weight share and the sentence behind it.

    ``values``: the pair's five C values if already at hand; ``only``: the Cs to word.
    """
    s = result.scores
    w = s.weights[i]
    total = float(w.sum()) or 1.0
    if values is None:
        values = [s.components[k, i, j] for k in range(5)]
    out = []
    for k, c in enumerate(FIVE_CS):
        if c not in s.used or (only is not None and c not in only):
            continue
        out.append(Evidence(c, float(values[k]), float(w[k]) / total, _TEXT[c](result, i, j)))
    return out


def why(result, i: int, j: int, values=None) -> str:
    """The two strongest reasons (largest weight × value), short, for pairs.csv."""
    s = result.scores
    if values is None:
        values = [s.components[k, i, j] for k in range(5)]
    w = s.weights[i]
    ranked = sorted(
        (c for c in FIVE_CS if c in s.used),
        key=lambda c: (-float(w[FIVE_CS.index(c)]) * float(values[FIVE_CS.index(c)]), FIVE_CS.index(c)),
    )
    ev = evidence(result, i, j, values, only=set(ranked[:2]))
    ev.sort(key=lambda e: ranked.index(e.c))
    return "; ".join(f"{e.c} {e.value:.2f}: {e.text}" for e in ev)


def rule_detail(result, i: int, j: int, name: str) -> str:
    """A rule's exclusion of (i, j), with the values behind it (the rule's own words)."""
    return RULES[name].describe(result, i, j)


def choice_lines(result, i: int, j: int) -> list[str]:
    """What pair (i, j) has to do with stated choices (none without a preference column):
    whose choice it is, and the bonus the solver adds to its score, so that rank,
    delta_total and the objective (which include it) reconcile with the five-C score."""
    from matcher.review.preferences import in_use, ordinal
    from matcher.solve.bonus import bonus_of_pair, in_objective

    c, settings = result.cohort, result.config.preferences
    if not in_use(c):
        return []
    k = settings.max_choices
    mine, theirs = c.preferences.mentee_choices[i][:k], c.preferences.mentor_choices[j][:k]
    parts = []
    if j in mine:
        parts.append(f"{c.mentor_ids[j]} is the mentee's {ordinal(mine.index(j) + 1)} choice")
    elif mine:
        parts.append("not one of the mentee's choices (" + ", ".join(c.mentor_ids[x] for x in mine) + ")")
    else:
        parts.append("the mentee stated no choice")
    if i in theirs:
        parts.append(f"the mentor's {ordinal(theirs.index(i) + 1)} choice")
    lines = ["  choices: " + "; ".join(parts)]
    bonused, tier = in_objective(result.problem)
    if bonused:
        b = bonus_of_pair(c.preferences, settings, i, j)
        s = float(result.scores.score[i, j])
        lines.append(
            f"  choice bonus {b:+.2f}: the solver counts {s + b:.2f} for this pair (score {s:.2f} + bonus); "
            "rank, delta_total and the objective include the bonus, the score and five Cs do not"
        )
    if tier and j in mine:
        lines.append("  shortlist: a choice of the mentee's, ranked before every mentor they did not choose")
    return lines


def explain_text(result, i: int, j: int | None = None, alternatives_engine=None) -> str:
    """The full explanation for mentee i with mentor j (default: the proposed mentor; a
    mentee with several mentors: each of them in turn, then why any place is left)."""
    c = result.cohort
    own = result.solution.pairing.mentors(i)  # the proposed mentors, ascending
    e_id, e_name = c.mentee_ids[i], c.mentees["name"].iat[i]
    lines = [f"Mentee {e_id} ({e_name})"]
    several = getattr(result.problem, "multi", False)
    if several:
        wanted = int(mentee_places(result.problem)[i])
        lines[0] += f": wants {wanted} mentor{'s' if wanted != 1 else ''}, proposed {own.size}"
    if j is None:
        if own.size == 0:
            lines.append(f"  not matched: {result.unmatched.get(i, '')}")
            return "\n".join(lines) + "\n"
        for m in own:
            lines.extend(_pair_lines(result, i, int(m), own, alternatives_engine))
        if i in result.unmatched:
            lines.append(f"  partly matched: {result.unmatched[i]}")
        return "\n".join(lines) + "\n"
    lines.extend(_pair_lines(result, i, j, own, alternatives_engine))
    return "\n".join(lines) + "\n"


def _rank_line(p, s, i: int, j: int, feasible: np.ndarray) -> str:
    """The pair's rank among mentee i's ``feasible`` mentors, as pairs.csv's ``rank`` gives
    it: by score, or — when choices count in the objective — by score plus bonus (with
    ``shortlist``, the mentee's feasible choices first), then also the rank by score alone."""
    from matcher.review.preferences import ordinal
    from matcher.solve.bonus import in_objective

    plain = 1 + int((s.score[i][feasible] > s.score[i, j]).sum())  # a row: dense or candidates
    bonused, tier = in_objective(p)
    if not (bonused or tier):
        return f"  rank {plain} of {feasible.size} feasible mentors by score"
    rank = int(p.ranks(np.array([i]), np.array([j]))[0])
    how = ("by score plus choice bonus" if bonused else "by score") + (
        ", the mentee's feasible choices first" if tier else ""
    )
    also = f" ({ordinal(plain)} by score alone)" if plain != rank else ""
    return f"  rank {rank} of {feasible.size} feasible mentors {how}, as pairs.csv ranks them{also}"


def _pair_lines(result, i: int, j: int, own: np.ndarray, alternatives_engine) -> list[str]:
    """explain's lines for mentee i with mentor j; ``own``: i's proposed mentors."""
    c, s, p = result.cohort, result.scores, result.problem
    lines = []
    r_id, r_name = c.mentor_ids[j], c.mentors["name"].iat[j]
    bits_row = p.row(i)[1]  # (n_mentors,) rule bits, of a dense or a candidate-set problem
    feasible = np.flatnonzero(bits_row == 0)
    role = "proposed mentor" if j in own else "mentor"
    lines.append(f"  {role} {r_id} ({r_name}): score {s.score[i, j]:.2f}")
    if j not in own and own.size == 1:
        proposed = int(own[0])
        lines.append(
            f"  (the proposed mentor is {c.mentor_ids[proposed]} ({c.mentors['name'].iat[proposed]}), "
            f"score {s.score[i, proposed]:.2f})"
        )
    elif j not in own and own.size > 1:
        named = "; ".join(
            f"{c.mentor_ids[m]} ({c.mentors['name'].iat[m]}), score {s.score[i, m]:.2f}" for m in own
        )
        lines.append(f"  (the proposed mentors are {named})")
    lines.extend(choice_lines(result, i, j))
    bits = int(bits_row[j])
    if bits:
        details = ", ".join(rule_detail(result, i, j, n) for n in reasons(bits))
        lines.append(f"  this pair is not allowed: {details}")
    elif feasible.size:
        lines.append(_rank_line(p, s, i, j, feasible))
    lines.append("  The five Cs (value, share of your weights):")
    for ev in evidence(result, i, j):
        lines.append(f"    {ev.c} {ev.value:.2f} (weight {ev.weight:.2f}): {ev.text}")
    ready = c.mentee_records[i]
    items = [
        f"{READY_WORDS[k]} {_likert(ready[k])}"
        for k in READY_ITEMS
        if k in c.mentee_columns and _likert(ready[k])
    ]
    lines.append(f"  Readiness {s.readiness[i]:.2f}" + (": " + ", ".join(items) if items else ""))
    found, n_better = better_mentors(result, i, j, alternatives_engine, limit=10)
    if n_better:
        from matcher.solve.bonus import in_objective

        plus = " (score + choice bonus, as the solver counts them)" if in_objective(p)[0] else ""
        lines.append(f"  Higher-scoring mentors not chosen{plus}:")
    for b in found:
        head = f"    {c.mentor_ids[b.mentor]} ({c.mentors['name'].iat[b.mentor]}) {b.score:.2f}: "
        lines.append(head + b.words())
    if n_better > 10:
        lines.append(f"    … and {n_better - 10} more")
    return lines


@dataclass(frozen=True)
class Better:
    """A mentor who scores higher with the mentee than the one asked about, and why they
    were not chosen. ``why``: ``below_min_readiness`` (the mentee is not matched at all),
    ``excluded`` (``detail``: each rule's words), ``capacity_0``, ``full`` or ``has_room``
    (chosen elsewhere); ``delta``: for the last two, the exact (Δmatched, Δreadiness units,
    Δscore units, moves) of giving this mentor to the mentee, or None when not priced.
    Several mentors per mentee: ``pairs`` the exact Δpairs of that re-solve (Δmatched then
    counts mentees with a mentor); ``impossible``: the pinned re-solve has no answer."""

    mentor: int
    score: float
    why: str
    detail: str = ""
    delta: tuple[int, int, int, int] | None = None
    pairs: int | None = None
    impossible: bool = False

    def words(self) -> str:
        """The line ``explain`` prints after the mentor's id, name and score."""
        if self.why == "below_min_readiness":
            return "not matched: below min_readiness"
        if self.why == "excluded":
            return "infeasible — " + self.detail
        if self.why == "capacity_0":
            return "takes no mentees this round (capacity 0)"
        state = "full" if self.why == "full" else "has room"
        if self.impossible:
            return f"{state}; giving them to this mentee would break a programme rule"
        if self.delta is None:
            return f"{state}; chosen elsewhere"
        if self.pairs is not None:
            return f"{state}; giving them to this mentee " + several_cost_words(self.pairs, *self.delta)
        return f"{state}; giving them to this mentee " + cost_words(*self.delta)


def better_mentors(result, i: int, j: int, engine=None, limit: int | None = 10) -> tuple[list[Better], int]:
    """Mentors scoring higher with mentee i than mentor j (the proposed one aside), best
    first (ties in mentor order), each with why they were not chosen and, through
    ``engine`` (``pin_delta``; with several mentors per mentee ``pin_change``), what giving
    them to i would cost → (the first ``limit``,
    how many there are in all). Shapes: reads row i of the scores and rule bits."""
    p = result.problem
    pairing = result.solution.pairing
    own = set(pairing.mentors(i).tolist())  # the proposed mentors (one, or several)
    row, bits_row = p.row(i)  # (n_mentors,) scores and rule bits
    row = shown_scores(p, row)  # five Cs plus any bonus, never the shortlist tier
    better = [int(k) for k in np.argsort(-row, kind="stable") if row[k] > row[j] and int(k) not in own]
    load = pairing.load(p.shape[1])
    out = []
    for k in better if limit is None else better[:limit]:
        kb = int(bits_row[k])
        score = float(row[k])
        if not p.eligible[i]:
            out.append(Better(k, score, "below_min_readiness"))
        elif kb:
            out.append(
                Better(k, score, "excluded", ", ".join(rule_detail(result, i, k, n) for n in reasons(kb)))
            )
        elif p.capacity[k] == 0:
            out.append(Better(k, score, "capacity_0"))
        else:
            state = "full" if load[k] >= p.capacity[k] else "has_room"
            out.append(Better(k, score, state, "", *_priced(engine, i, k)))
    return out, len(better)


def _priced(engine, i: int, k: int) -> tuple[tuple | None, int | None, bool]:
    """(delta, pairs, impossible) of :class:`Better` for giving mentor k to mentee i: one
    mentor each, ``pin_delta``'s (Δmatched, Δreadiness, Δscore, moves) or None; several
    mentors per mentee, ``pin_change``'s Δpairs apart, and impossible where it is None."""
    if engine is None:
        return None, None, False
    if not hasattr(engine, "pin_change"):
        return engine.pin_delta(i, k), None, False
    got = engine.pin_change(i, k)
    if got is None:
        return None, None, True
    dp, dm, dr, ds, moves = got
    return (dm, dr, ds, moves), dp, False


WEAK = 0.5  # a C below this is a weak point of the pair


def weak_points(result, i: int, j: int) -> list[Evidence]:
    """The Cs of pair (i, j) below ``WEAK``, the largest weighted shortfall (weight × (1 −
    value)) first: what the coordinator should know is thin about this pairing."""
    ev = [e for e in evidence(result, i, j) if e.value < WEAK]
    return sorted(ev, key=lambda e: (-e.weight * (1 - e.value), FIVE_CS.index(e.c)))


def strengths(result, i: int, j: int) -> list[Evidence]:
    """The two strongest Cs of pair (i, j) (largest weight × value), as in pairs.csv's ``why``."""
    ev = evidence(result, i, j)
    return sorted(ev, key=lambda e: (-e.weight * e.value, FIVE_CS.index(e.c)))[:2]


def _score_words(ds: int) -> str:
    """The change in total score (``ds`` hundredths) in words, as every cost sentence ends."""
    if ds <= 0:
        return f"would cost the programme {-ds / 100:.2f} points of total score"
    return f"would change the total score by {ds / 100:+.2f} points"


def cost_words(dm: int, dr: int, ds: int, moves: int) -> str:
    """What pinning a pair would do to the programme, from its exact deltas."""
    parts = []
    if dm < 0:
        parts.append(f"would leave {-dm} more mentee{'s' if dm != -1 else ''} unmatched")
    elif dr < 0:
        parts.append("would match less ready mentees in place of readier ones")
    parts.append(_score_words(ds))
    text = " and ".join(parts)
    if moves:
        text += f" ({moves} other mentee{'s' if moves != 1 else ''} would change mentor)"
    return text


def several_cost_words(dp: int, dm: int, dr: int, ds: int, moves: int) -> str:
    """:func:`cost_words` when mentees may have several mentors: the exact change in pairs
    (places filled) and in mentees with a mentor come first."""
    parts = []
    if dp:
        parts.append(
            f"would fill {abs(dp)} place{'s' if abs(dp) != 1 else ''} {'fewer' if dp < 0 else 'more'}"
        )
    if dm:
        n = abs(dm)
        parts.append(
            f"would leave {n} more mentee{'s' if n != 1 else ''} without a mentor"
            if dm < 0
            else f"would give {n} more mentee{'s' if n != 1 else ''} a mentor"
        )
    if not dp and not dm and dr < 0:
        parts.append("would match less ready mentees in place of readier ones")
    parts.append(_score_words(ds))
    text = " and ".join(parts)
    if moves:
        text += f" ({moves} of the proposal's pairs would change)"
    return text
