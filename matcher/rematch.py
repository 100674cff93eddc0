"""Re-match after failed rapport, without disturbing the pairs that work.

``rematch(cohort, config, previous, failed, history, max_changes)`` takes the current
cohort (people may have joined or left, capacities may have changed), the previous
pairs, the failed pairs (with reasons) and the history, and returns a
:class:`RematchResult`:

* every failed pair — now or in any earlier round — is forbidden (rule ``failed``);
* pairs whose mentee or mentor left are released and reported; a pair that now breaks a
  hard rule is released too;
* with ``max_changes = 0`` every other pair is kept exactly (pinned); the freed places and
  the unmatched mentees are filled optimally under the batch objective. A mentor whose
  capacity dropped below their load has their pairs freed for the solver to decide who
  stays (the least loss to the programme);
* with ``max_changes = N`` up to N working pairs may move, a hard constraint the bounded
  re-match engine (:mod:`matcher.solve.engines.budget`) solves exactly;
* the coordinator's pins for this round fix those pairs (a pinned mentee's previous pair,
  if another, is released) and their forbidden pairs are never proposed (a previous pair
  now forbidden is released, as one that breaks a rule);
* a failure reason steers the new choice: for that mentee the named C weighs
  ``REASON_BOOST`` (2) times their largest C weight, so it leads their score
  (``availability`` boosts compatibility, which holds time-zone fit and meeting mode;
  with ``max_changes = 0`` only mentors with a free place can take them anyway).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from matcher.api import MatchResult, match
from matcher.errors import InputError, Problem
from matcher.io.cohort import Cohort, natural_key
from matcher.io.config import FIVE_CS, Config
from matcher.io.history import Entry, close, failed_pairs, next_round
from matcher.io.vocabulary import FAILURE_WORDS, PLACEHOLDER_WORDS
from matcher.solve.rules import RULES, reasons

REASON_BOOST = 2.0
REASONS = ("compatibility", "contrast", "challenge", "context", "care", "availability", "other")
REASON_WORDS = FAILURE_WORDS | PLACEHOLDER_WORDS  # a reason of these words is shown in a message


@dataclass(frozen=True)
class Failure:
    mentee_id: str
    mentor_id: str
    reason: str
    note: str
    row: int


@dataclass(frozen=True, eq=False)
class RematchResult:
    result: MatchResult
    # matched mentee index -> kept | changed | new; (mentee, mentor) index pair -> the same
    # when a mentee may have several mentors
    status: dict
    changes: tuple[tuple[str, str, str, str], ...]  # mentee_id, old_mentor_id, new_mentor_id, why
    counts: dict[str, int]
    history: tuple[Entry, ...]
    round: int
    pins: int = 0  # the coordinator's pins for this round (kept pairs are counted as kept)


def read_failed(path, encoding=None) -> tuple[str, list[Failure]]:
    """Read the failed-pairs file → (file name, failures); raises InputError naming every bad
    row (see :func:`failed_rows` for the problems without raising)."""
    file, out, problems = failed_rows(path, encoding)
    if problems:
        raise InputError(problems)
    return file, out


def failed_rows(path, encoding=None) -> tuple[str, list[Failure], list[Problem]]:
    """Every row of the failed-pairs file → (file name, failures, problems): a row with an
    unknown reason is a problem and is still returned (its reason blank), so that the
    pair on it is checked too."""
    from matcher.io.pairs_file import read_columns

    file, rows = read_columns(path, ("mentee_id", "mentor_id"), ("reason", "note"), encoding)
    problems, out = [], []
    for r in rows:
        reason = r.get("reason", "").strip().lower()
        if reason and reason not in REASONS:
            problems.append(
                Problem(
                    file,
                    r["_row"],
                    "reason",
                    r["reason"],
                    "is not a known reason",
                    "leave it blank or use one of: " + ", ".join(REASONS),
                    REASON_WORDS,
                )
            )
            reason = ""
        out.append(Failure(r["mentee_id"], r["mentor_id"], reason, r.get("note", ""), r["_row"]))
    return file, out, problems


def failed_pair_problems(failed: list[Failure], previous, failed_file: str) -> list[Problem]:
    """A failed pair that is not one of the previous pairs, one problem per row."""
    prev = set(previous)
    return [
        Problem(
            failed_file,
            f.row,
            None,
            f"{f.mentee_id} → {f.mentor_id}",
            "this pair is not in the previous pairs",
            "give a pair from --pairs (check both ids)",
        )
        for f in failed
        if (f.mentee_id, f.mentor_id) not in prev
    ]


def rematch(
    cohort: Cohort,
    config: Config,
    previous: list[tuple[str, str]],
    failed: list[Failure],
    history: list[Entry],
    *,
    max_changes: int = 0,
    failed_file: str = "failed.csv",
    previous_unmatched: frozenset[str] = frozenset(),
    pins=None,
    forbidden=(),
) -> RematchResult:
    """Re-match; see the module docstring. ``previous``: (mentee_id, mentor_id) pairs.

    ``pins``: the coordinator's pins for this round (a :class:`~matcher.io.pairs_file.PairList`,
    e.g. ``rematch --pin``): a pinned mentee gets that mentor (their previous pair, if
    another, is released); ``forbidden``: index pairs never to propose (``--forbid``): a
    previous pair that is now forbidden is released like one that breaks a rule.
    """
    from matcher.api import as_pair_list

    if cohort.several_mentors or len({e for e, _ in previous}) < len(previous):
        return _rematch_several(
            cohort,
            config,
            previous,
            failed,
            history,
            max_changes=max_changes,
            failed_file=failed_file,
            previous_unmatched=previous_unmatched,
            pins=pins,
            forbidden=forbidden,
        )
    pins = as_pair_list(pins, cohort, "pins (given in code)")
    pin_of = {i: j for i, j in (pins.pairs if pins is not None else ())}
    forbidden = tuple(forbidden.pairs if hasattr(forbidden, "pairs") else forbidden)
    prev = dict(previous)
    rnd, entries, failed_now, failed_idx, boost = _record_failures(
        cohort, previous, failed, history, failed_file
    )

    # Decide what is kept, what is freed, and why.
    why_freed: dict[str, str] = {}
    released = 0
    kept: list[tuple[int, int]] = []
    for e_id, r_id in previous:
        i, j = cohort.mentee_index(e_id), cohort.mentor_index(r_id)
        if i is None:
            why_freed[e_id] = "mentee left the programme"
            entries = close(entries, (e_id, r_id), "ended", "mentee left", rnd)
            released += 1
        elif j is None:
            why_freed[e_id] = "mentor left the programme"
            entries = close(entries, (e_id, r_id), "ended", "mentor left", rnd)
            released += 1
        elif (e_id, r_id) in failed_now:
            reason = failed_now[(e_id, r_id)].reason
            why_freed[e_id] = "pair failed" + (f" ({reason})" if reason else "")
        else:
            kept.append((i, j))

    # Score and encode once (with the boosts; candidate sets above the dense limit) and see
    # which kept pairs now break a hard rule.
    from matcher.solve.encode import encode_cohort

    t0 = time.perf_counter()
    encoded = encode_cohort(cohort, config, boost=boost, failed=failed_idx, forbidden=forbidden)
    encode_seconds = time.perf_counter() - t0
    problem = encoded[0]
    if pins is not None:  # the coordinator's pins must hold on their own (errors name their rows)
        from matcher.solve.precheck import check_pins

        check_pins(problem, pins, cohort)
    ok = problem.pair_allowed([i for i, _ in kept], [j for _, j in kept]) if kept else []
    still = []
    for (i, j), fine in zip(kept, ok, strict=True):
        if i in pin_of and pin_of[i] != j:
            why_freed[cohort.mentee_ids[i]] = "pinned to another mentor by the coordinator"
            entries = close(
                entries, (cohort.mentee_ids[i], cohort.mentor_ids[j]), "ended", "pinned elsewhere", rnd
            )
            continue
        if i in pin_of:
            continue  # kept, as the coordinator's pin
        if not fine:
            bits = problem.pair_bits(i, j)
            names = ", ".join(RULES[n].label for n in reasons(bits)) or "min_readiness"
            why_freed[cohort.mentee_ids[i]] = f"pair now breaks a rule ({names})"
            entries = close(
                entries, (cohort.mentee_ids[i], cohort.mentor_ids[j]), "ended", "breaks a rule", rnd
            )
        else:
            still.append((i, j))
    js = [j for _, j in still] + list(pin_of.values())
    load = np.bincount(np.array(js, dtype=np.int64), minlength=cohort.n_mentors)
    over = set(np.flatnonzero(load > cohort.capacity).tolist())
    pinned = [(i, j) for i, j in still if j not in over]
    for i, j in still:
        if j in over:
            why_freed[cohort.mentee_ids[i]] = "mentor's capacity dropped"
    own = [(i, j) for i, j in (pins.pairs if pins is not None else ())]

    result = _solve(cohort, config, pinned, own, pins, failed_idx, encoded, max_changes)

    result.timings["score"] = result.timings.get("score", 0.0) + encode_seconds  # scored once, above
    mentor_of = result.solution.mentor_of
    status: dict[int, str] = {}
    changes = []
    for i in np.flatnonzero(mentor_of >= 0):
        e_id, r_id = cohort.mentee_ids[i], cohort.mentor_ids[mentor_of[i]]
        old = prev.get(e_id)
        status[int(i)] = "kept" if old == r_id else ("changed" if old else "new")
    ids_now = {e: i for i, e in enumerate(cohort.mentee_ids)}
    for e_id in sorted(set(prev) | set(cohort.mentee_ids), key=natural_key):
        old = prev.get(e_id, "")
        i = ids_now.get(e_id)
        new = cohort.mentor_ids[mentor_of[i]] if i is not None and mentor_of[i] >= 0 else ""
        if old == new:
            continue
        if not old:
            why = "previously unmatched" if e_id in previous_unmatched else "new mentee"
        elif e_id in why_freed:
            why = why_freed[e_id]
        else:
            why = "moved to improve the programme (--max-changes)"
        if not new and i is not None:
            why += "; now unmatched: " + _kept_stay(result.unmatched.get(int(i), ""), max_changes)
        changes.append((e_id, old, new, why))
        if old and e_id not in why_freed:
            entries = close(entries, (e_id, old), "ended", "re-matched", rnd)
        elif old and why_freed[e_id] == "mentor's capacity dropped":  # not closed above
            entries = close(entries, (e_id, old), "ended", "capacity dropped", rnd)
    for i, st in status.items():
        if st != "kept":
            entries.append(Entry(rnd, cohort.mentee_ids[i], cohort.mentor_ids[mentor_of[i]], "active"))
    counts = _counts(status, released, len(failed_now))
    return RematchResult(result, status, tuple(changes), counts, tuple(entries), rnd, len(own))


def _rematch_several(
    cohort: Cohort,
    config: Config,
    previous: list[tuple[str, str]],
    failed: list[Failure],
    history: list[Entry],
    *,
    max_changes: int,
    failed_file: str,
    previous_unmatched: frozenset[str],
    pins,
    forbidden,
) -> RematchResult:
    """:func:`rematch` when a mentee may have several mentors (``mentors_wanted``): the same
    steps, pair by pair. A failed pair is released and forbidden for good while the
    mentee's other pairs are kept (pinned); the freed place is filled optimally. A mentee
    who now wants fewer mentors than they have keeps none pinned: the solver decides which
    stay. The coordinator's pins add pairs; if a mentee's pins and kept pairs exceed what
    they want, the kept ones are released. ``status`` is keyed by (mentee, mentor) index;
    changes.csv has one row per pair gained or lost (a lost and a gained pair of one mentee
    side by side)."""
    from matcher.api import as_pair_list
    from matcher.solve.encode import encode_cohort

    pins = as_pair_list(pins, cohort, "pins (given in code)")
    own = list(pins.pairs) if pins is not None else []
    forbidden = tuple(forbidden.pairs if hasattr(forbidden, "pairs") else forbidden)
    previous = list(dict.fromkeys(previous))
    rnd, entries, failed_now, failed_idx, boost = _record_failures(
        cohort, previous, failed, history, failed_file
    )

    why_freed: dict[tuple[str, str], str] = {}
    released = 0
    kept: list[tuple[int, int]] = []
    for e_id, r_id in previous:
        i, j = cohort.mentee_index(e_id), cohort.mentor_index(r_id)
        if i is None or j is None:
            who = "mentee" if i is None else "mentor"
            why_freed[e_id, r_id] = f"{who} left the programme"
            entries = close(entries, (e_id, r_id), "ended", f"{who} left", rnd)
            released += 1
        elif (e_id, r_id) in failed_now:
            reason = failed_now[e_id, r_id].reason
            why_freed[e_id, r_id] = "pair failed" + (f" ({reason})" if reason else "")
        else:
            kept.append((i, j))

    t0 = time.perf_counter()
    encoded = encode_cohort(cohort, config, boost=boost, failed=failed_idx, forbidden=forbidden)
    encode_seconds = time.perf_counter() - t0
    problem = encoded[0]
    if pins is not None:
        from matcher.solve.precheck import check_pins

        check_pins(problem, pins, cohort)
    wanted = cohort.mentors_wanted
    ok = problem.pair_allowed([i for i, _ in kept], [j for _, j in kept]) if kept else []
    pinned_own = set(own)
    own_count = (
        np.bincount([i for i, _ in own], minlength=cohort.n_mentees)
        if own
        else np.zeros(cohort.n_mentees, int)
    )
    still = []
    for (i, j), fine in zip(kept, ok, strict=True):
        pair_ids = (cohort.mentee_ids[i], cohort.mentor_ids[j])
        if (i, j) in pinned_own:
            continue  # kept, as the coordinator's pin
        if not fine:
            bits = problem.pair_bits(i, j)
            names = ", ".join(RULES[n].label for n in reasons(bits)) or "min_readiness"
            why_freed[pair_ids] = f"pair now breaks a rule ({names})"
            entries = close(entries, pair_ids, "ended", "breaks a rule", rnd)
        else:
            still.append((i, j))
    per_mentee = np.bincount([i for i, _ in still], minlength=cohort.n_mentees) + own_count
    js = [j for _, j in still] + [j for _, j in own]
    load = np.bincount(np.array(js, dtype=np.int64), minlength=cohort.n_mentors)
    over = set(np.flatnonzero(load > cohort.capacity).tolist())
    too_many = set(np.flatnonzero(per_mentee > wanted).tolist())
    side = None
    if problem.multi:
        from matcher.solve.encode import side_rules

        side = side_rules(config, encoded[1], problem)
    clash: set[int] = set()
    if side is not None and side.distinct is not None:  # kept pairs and pins must stay distinct
        by_mentee: dict[int, list[int]] = {}
        for i, j in [*still, *own]:
            by_mentee.setdefault(i, []).append(j)
        for i, js_i in by_mentee.items():
            if any(side.distinct.conflicts(a, b) for n, a in enumerate(js_i) for b in js_i[n + 1 :]):
                clash.add(i)
    pinned = []
    for i, j in still:
        pair_ids = (cohort.mentee_ids[i], cohort.mentor_ids[j])
        if j in over:
            why_freed[pair_ids] = "mentor's capacity dropped"
        elif i in too_many:
            why_freed[pair_ids] = "mentee now wants fewer mentors"
        elif i in clash:
            why_freed[pair_ids] = "mentee's mentors must differ (distinct_mentors_by)"
        else:
            pinned.append((i, j))

    result = _solve(cohort, config, pinned, own, pins, failed_idx, encoded, max_changes)
    result.timings["score"] = result.timings.get("score", 0.0) + encode_seconds

    pairing = result.solution.pairing
    new_pairs = {(cohort.mentee_ids[i], cohort.mentor_ids[j]) for i, j in pairing.pairs.tolist()}
    old_pairs = set(previous)
    status: dict = {}
    changes = []
    mentee_ids = sorted({e for e, _ in old_pairs} | set(cohort.mentee_ids), key=natural_key)
    for e_id in mentee_ids:
        lost = sorted((r for e, r in old_pairs - new_pairs if e == e_id), key=natural_key)
        gained = sorted((r for e, r in new_pairs - old_pairs if e == e_id), key=natural_key)
        i = cohort.mentee_index(e_id)
        if i is not None:
            for j in pairing.mentors(i).tolist():
                if (e_id, cohort.mentor_ids[j]) in old_pairs:
                    status[i, j] = "kept"
        for n in range(max(len(lost), len(gained))):
            old = lost[n] if n < len(lost) else ""
            new = gained[n] if n < len(gained) else ""
            if old and (e_id, old) in why_freed:
                why = why_freed[e_id, old]
            elif old:
                why = "moved to improve the programme (--max-changes)"
            elif any(e == e_id for e, _ in old_pairs):
                why = "a place wanted that was left open before"
            elif e_id in previous_unmatched:
                why = "previously unmatched"
            else:
                why = "new mentee"
            if not new and i is not None and int(i) in result.unmatched:
                left = "; place left open: " if pairing.count[i] else "; now unmatched: "
                why += left + _kept_stay(result.unmatched[int(i)], max_changes)
            changes.append((e_id, old, new, why))
            if new:
                status[i, cohort.mentor_index(new)] = "changed" if old else "new"
            if old and (e_id, old) not in why_freed:
                entries = close(entries, (e_id, old), "ended", "re-matched", rnd)
            elif old and why_freed[e_id, old] in (
                "mentor's capacity dropped",
                "mentee now wants fewer mentors",
                "mentee's mentors must differ (distinct_mentors_by)",
            ):
                entries = close(entries, (e_id, old), "ended", "released", rnd)
    for (i, j), st in sorted(status.items()):
        if st != "kept":
            entries.append(Entry(rnd, cohort.mentee_ids[i], cohort.mentor_ids[j], "active"))
    counts = _counts(status, released, len(failed_now))
    return RematchResult(result, status, tuple(changes), counts, tuple(entries), rnd, len(own))


def _counts(status: dict, released: int, failed: int) -> dict[str, int]:
    """summary.json's kept / changed / new / released / failed counts of a re-match (``status``
    by mentee, or by pair when mentees may have several mentors)."""
    values = list(status.values())
    return {
        "kept": values.count("kept"),
        "changed": values.count("changed"),
        "new": values.count("new"),
        "released": released,
        "failed": failed,
    }


KEPT_STAY = " (the pairs kept in this round stay as they are, so only free places count)"


def _kept_stay(reason: str, max_changes: int) -> str:
    """An unmatched reason in a re-match: where it says mentors are full and no working pair
    may move (``max_changes`` 0, as in a mentor approval), it says why those places are
    not given up — the diagnosis alone reads as if the whole cohort had been re-solved."""
    return reason + KEPT_STAY if max_changes == 0 and " full" in reason else reason


def _solve(cohort, config, pinned, own, pins, failed_idx, encoded, max_changes):
    """The re-match's solve: with ``max_changes`` 0 the working pairs are pins like the
    coordinator's own; otherwise they are kept pairs of which at most ``max_changes`` may
    change (the bounded re-match). Returns the :class:`~matcher.api.MatchResult`."""
    if max_changes == 0:
        return match(cohort, config, pins=pinned + own, failed=failed_idx, encoded=encoded)
    return match(
        cohort, config, pins=pins, failed=failed_idx, encoded=encoded, keep=pinned, max_changes=max_changes
    )


def _record_failures(cohort, previous, failed, history, failed_file):
    """What both re-matches do first with the failed pairs: check them against the previous
    pairs (raises InputError with every problem), start the history if there is none, close
    each failed pair in it, and derive what the solver needs. Returns (round, history
    entries, failed pairs by (mentee_id, mentor_id) — one per pair, the last listed wins —,
    every pair that ever failed among the people still here as (mentee, mentor) indices —
    all forbidden —, and the (n_mentees, 5) boost of the C each failure's reason names)."""
    problems = failed_pair_problems(failed, previous, failed_file)
    if problems:
        raise InputError(problems)
    rnd = next_round(history)
    entries = list(history)
    if not entries:
        entries = [Entry(1, e, r, "active") for e, r in previous]
        rnd = 2
    failed = list({(f.mentee_id, f.mentor_id): f for f in reversed(failed)}.values())[::-1]  # one per pair
    failed_now = {(f.mentee_id, f.mentor_id): f for f in failed}
    for pair, f in failed_now.items():
        entries = close(entries, pair, "failed", f.reason or "unspecified", rnd)
    failed_idx = []
    for e_id, r_id in sorted(failed_pairs(entries)):
        i, j = cohort.mentee_index(e_id), cohort.mentor_index(r_id)
        if i is not None and j is not None:
            failed_idx.append((i, j))
    boost = np.zeros((cohort.n_mentees, 5))
    for f in failed:
        i = cohort.mentee_index(f.mentee_id)
        c = "compatibility" if f.reason == "availability" else f.reason
        if i is not None and c in FIVE_CS:
            boost[i, FIVE_CS.index(c)] = REASON_BOOST
    return rnd, entries, failed_now, failed_idx, boost
