"""Turn a :class:`~matcher.api.MatchResult` into the output files, by id (decode step).

Each ``*_table`` function returns ``(header, rows)``; ``match_outputs`` turns them into the
run's files (``name → bytes``) and :func:`~matcher.report.publish.publish` writes those so
that all appear together or none do.
Numbers are formatted with fixed decimals so outputs are byte-identical run to run.
"""

from __future__ import annotations

import numpy as np

from matcher.io.config import FIVE_CS
from matcher.report.files import csv_bytes, json_bytes
from matcher.report.publish import publish
from matcher.review.explain import why
from matcher.solve.bonus import in_objective, shown_scores
from matcher.solve.problem import mentee_places, objective_weights
from matcher.solve.rules import reasons, summary_entries

PAIRS_HEADER = [
    "mentee_id", "mentee_name", "mentor_id", "mentor_name", "score",
    *FIVE_CS, "readiness", "rank", "why",
]  # fmt: skip
ALTERNATIVES_HEADER = [
    "mentee_id", "rank", "mentor_id", "mentor_name", "score", *FIVE_CS,
    "spare_capacity", "delta_total", "delta_matched", "moves", "reason",
]  # fmt: skip
UNMATCHED_HEADER = ["mentee_id", "mentee_name", "reason"]
SCORES_HEADER = [
    "mentee_id", "mentor_id", "feasible", "reason_infeasible", "score",
    *FIVE_CS, "readiness", "objective",
]  # fmt: skip


def fmt_score(x: float) -> str:
    return f"{x:.2f}"


def fmt_unit(x: float) -> str:
    return "" if x != x else f"{x:.3f}"  # x != x: NaN (np.isnan costs more per call)


def pairs_table(
    result, status: dict | None = None, why_memo: dict | None = None
) -> tuple[list[str], list[list]]:
    """Rows of pairs.csv; ``status`` (mentee index → kept/changed/new) adds a column (rematch).

    ``why_memo``: a dict (mentee, mentor) → ``why`` text kept by a caller that builds this
    table again and again for the same scores (the review app); the words of a pair depend
    on its scores and answers only."""
    c, s, p = result.cohort, result.scores, result.problem
    rows = []
    # One row per pair, in mentee then mentor order (a mentee with several mentors has several rows).
    pairing = result.solution.pairing
    matched, mentors = pairing.mentee, pairing.mentor
    several = status is not None and any(isinstance(k, tuple) for k in status)  # by pair (several mentors)
    comps = s.pair_components(matched, mentors)
    scores = shown_scores(p, p.pair_scores(matched, mentors))
    bonus = None
    if getattr(p, "max_score", 100.0) - getattr(p, "shortlist", 0.0) > 100.0:  # bonuses in the objective
        five_cs = s.score[matched, mentors]
        bonus, scores = np.round(scores - five_cs, 2), five_cs  # score: the five Cs, as always
    ranks = p.ranks(matched, mentors)
    choice = _choice_cells(result)
    e_names, r_names = c.mentees["name"].to_numpy(dtype=object), c.mentors["name"].to_numpy(dtype=object)
    # The numbers as text, column by column (tolist gives the same Python floats as float()).
    score_cells = [fmt_score(x) for x in np.asarray(scores, dtype=np.float64).tolist()]
    unit_cells = list(zip(*([fmt_unit(x) for x in comps[k].tolist()] for k in range(5)), strict=True))
    ready_cells = [fmt_unit(x) for x in np.asarray(s.readiness, dtype=np.float64)[matched].tolist()]
    rank_cells = np.asarray(ranks).tolist()
    for n, (i, j) in enumerate(zip(matched.tolist(), mentors.tolist(), strict=True)):
        rows.append(
            [
                c.mentee_ids[i],
                e_names[i],
                c.mentor_ids[j],
                r_names[j],
                score_cells[n],
                *unit_cells[n],
                ready_cells[n],
                int(rank_cells[n]),
                _why(result, i, j, comps[:, n], why_memo),
                *([status[(i, j) if several else i]] if status is not None else []),
                *(choice(i, j) if choice is not None else []),
                *([fmt_score(bonus[n])] if bonus is not None else []),
            ]
        )
    extra = (
        (["status"] if status is not None else [])
        + (["mentee_choice", "mentor_choice"] if choice is not None else [])
        + (["bonus"] if bonus is not None else [])
    )
    return PAIRS_HEADER + extra, rows


def _choice_cells(result):
    """With a preference column: ``(i, j) -> [mentee_choice, mentor_choice]``, each the rank
    of the pair among that person's counted choices (``1st``…), ``no`` when they stated
    choices and this is not one, blank when they stated none; else None (no columns)."""
    from matcher.review.preferences import in_use, ordinal

    c = result.cohort
    if not in_use(c):
        return None
    k = result.config.preferences.max_choices
    prefs = c.preferences

    def rank(choices, other) -> str:
        choices = choices[:k]
        return ordinal(choices.index(other) + 1) if other in choices else ("no" if choices else "")

    return lambda i, j: [rank(prefs.mentee_choices[i], j), rank(prefs.mentor_choices[j], i)]


def _why(result, i: int, j: int, values, memo: dict | None) -> str:
    if memo is None:
        return why(result, i, j, values)
    key = (i, j)
    if key not in memo:
        memo[key] = why(result, i, j, values)
    return memo[key]


def alternatives_table(result, alts) -> tuple[list[str], list[list]]:
    """Rows of alternatives.csv, in mentee order then rank. When some mentee wants several
    mentors, ``delta_matched`` counts mentees with a mentor and a ``delta_pairs`` column the
    pairs (places filled). When choice bonuses count, a ``bonus`` column (as in pairs.csv):
    the alternatives are ranked by score plus bonus, and the file shows both."""
    c, s, p = result.cohort, result.scores, result.problem
    several = getattr(p, "multi", False)
    bonus = None
    if in_objective(p)[0] and alts:
        ii = np.array([a.mentee for a in alts], dtype=np.int64)
        jj = np.array([a.mentor for a in alts], dtype=np.int64)
        shown = np.asarray(shown_scores(p, p.pair_scores(ii, jj)), dtype=np.float64)
        bonus = np.round(shown - np.asarray(s.score[ii, jj], dtype=np.float64), 2).tolist()
    rows = []
    r_names = c.mentors["name"].to_numpy(dtype=object)
    for a in alts:
        i, j = a.mentee, a.mentor
        rows.append(
            [
                c.mentee_ids[i],
                a.rank,
                c.mentor_ids[j],
                r_names[j],
                fmt_score(s.score[i, j]),
                *(fmt_unit(float(s.components[k, i, j])) for k in range(5)),
                "yes" if a.spare else "no",
                "" if a.delta_score is None else f"{a.delta_score:.2f}",
                "" if a.delta_matched is None else a.delta_matched,
                "" if a.moves is None else a.moves,
                a.reason,
                *([("" if a.delta_pairs is None else a.delta_pairs)] if several else []),
                *([fmt_score(bonus[len(rows)])] if bonus is not None else []),
            ]
        )
    header = ALTERNATIVES_HEADER + (["delta_pairs"] if several else [])
    return header + (["bonus"] if in_objective(p)[0] else []), rows


def unmatched_table(result) -> tuple[list[str], list[list]]:
    """Rows of unmatched.csv: every mentee with fewer mentors than wanted. When some mentee
    wants several mentors, two more columns say how many they wanted and got (a partly
    matched mentee has a row too, with the reason for the places left)."""
    c = result.cohort
    several = getattr(result.problem, "multi", False)
    if not several:
        rows = [
            [c.mentee_ids[i], c.mentees["name"].iat[i], reason]
            for i, reason in sorted(result.unmatched.items())
        ]
        return UNMATCHED_HEADER, rows
    wanted = mentee_places(result.problem)
    got = result.solution.pairing.count
    rows = [
        [c.mentee_ids[i], c.mentees["name"].iat[i], reason, int(wanted[i]), int(got[i])]
        for i, reason in sorted(result.unmatched.items())
    ]
    return [*UNMATCHED_HEADER, "mentors_wanted", "mentors_matched"], rows


def summary(result) -> dict:
    c, s, p, sol = result.cohort, result.scores, result.problem, result.solution
    pairing = sol.pairing
    matched = np.flatnonzero(pairing.count > 0)  # mentees with at least one mentor
    pair_scores = s.score[pairing.mentee, pairing.mentor]
    load = pairing.load(c.n_mentors)
    from matcher.review.coverage import coverage_warnings

    # First, and only when there is any: what the files did not let us score.
    top = {"scoring_warnings": gaps} if (gaps := coverage_warnings(c)) else {}
    return {
        **top,
        "mentees": c.n_mentees,
        "mentors": c.n_mentors,
        "total_capacity": int(c.capacity.sum()),
        "matched": int(matched.size),
        "unmatched": int(c.n_mentees - matched.size),
        "below_min_readiness": int((~p.eligible).sum()),
        "mentors_used": int((load > 0).sum()),
        "score_total": round(float(pair_scores.sum()), 2),
        "score_mean": round(float(pair_scores.mean()), 2) if pair_scores.size else None,
        "score_min": round(float(pair_scores.min()), 2) if pair_scores.size else None,
        **_several_summary(result),
        "readiness_mean_matched": round(float(s.readiness[matched].mean()), 4) if matched.size else None,
        "solver": sol.solver,
        "status": sol.status,
        "objective": sol.objective,
        "best_bound": sol.bound,
        "gap": round(sol.gap, 6),
        "gap_level": sol.stage,
        "lowest_score_proven": sol.lowest_score,
        "objective_definition": _objective_definition(p),
        "certificate": result.certificate,
        "weights": result.config.weights.as_dict(),
        "cs_used": list(s.used),
        "inputs_left_out": list(s.left_out),
        "columns_ignored": list(c.ignored_columns),
        "rules": {
            "applied": list(result.rules_applied),
            **summary_entries(result.config, result.rules_applied),
            "pins": len(p.pins),
        },
        "warnings": [*c.notes, *(str(w) for w in c.warnings), *result.warnings],
        "checked": result.report.ok,
    }


def _objective_definition(p) -> str:
    """The objective in words; with [preferences] in it, what counts the choices and what not."""
    bonused, tier = in_objective(p)
    text = "sum over pairs of A + B*round(100*readiness) + round(100*score)" + (
        " + C per mentee with at least one mentor" if getattr(p, "multi", False) else ""
    )
    if not (bonused or tier):
        return text
    if bonused:
        text = text.replace("round(100*score)", "round(100*(score + bonus))")
    if tier:
        text += " + H*(1 if the mentor is one of the mentee's counted choices)"
    return text + (
        "; the objective, best_bound, pairs.csv rank and alternatives.csv ordering count the "
        "choices"
        + (" (bonus: the pairs.csv bonus column; delta_total includes it)" if bonused else "")
        + ", while score, score_total, score_mean, score_min and explain's five Cs are the five-C score"
    )


def _several_summary(result) -> dict:
    """summary.json's entries for several mentors per mentee (only when some mentee wants
    several): pairs, mentees partly matched, places wanted, and distinct_mentors_by."""
    p = result.problem
    if not getattr(p, "multi", False):
        return {}
    pairing = result.solution.pairing
    wanted = mentee_places(p)
    return {
        "pairs": pairing.size,
        "mentors_wanted_total": int(wanted.sum()),
        "mentees_wanting_several": int((wanted > 1).sum()),
        "partly_matched": int(((pairing.count > 0) & (pairing.count < wanted)).sum()),
        "distinct_mentors_by": result.config.rules.distinct_mentors_by,
        "objective_levels": "pairs, then mentees with at least one mentor (C each), then readiness, then score",
    }


def scores_table(c, s, p) -> tuple[list[str], list[list]]:
    """Every pair (n_e × n_r rows) of cohort ``c``, scores ``s``, problem ``p``: the ``scores`` command."""
    weights = objective_weights(p)
    rows = []
    for i in range(c.n_mentees):
        for j in range(c.n_mentors):
            bits = int(p.excluded[i, j])
            eligible = bool(p.eligible[i])
            why = reasons(bits) + ([] if eligible else ["min_readiness"])
            feasible = not why
            rows.append(
                [
                    c.mentee_ids[i],
                    c.mentor_ids[j],
                    "yes" if feasible else "no",
                    ";".join(why),
                    fmt_score(s.score[i, j]),
                    *(fmt_unit(float(s.components[k, i, j])) for k in range(5)),
                    fmt_unit(float(s.readiness[i])),
                    weights[i, j] if feasible else "",
                ]
            )
    return SCORES_HEADER, rows


MATCH_OWNED = (
    "pairs.csv", "unmatched.csv", "alternatives.csv", "preferences.csv", "changes.csv",
    "history.csv", "report.html", "pairs.xlsx",
)  # fmt: skip
"""Names a match or rematch may write besides summary.json and timings.json (always written):
publishing removes an old one that a run does not write, so a folder never mixes two runs."""


def with_round(info: dict, rematch, approval: dict | None = None) -> dict:
    """summary.json's ``info`` after a re-match (or a mentor approval): the round, the
    approval's counts, the kept / changed / new / released / failed counts first, and
    ``rules.pins`` the coordinator's own pins — the solver also pins the kept pairs, which
    are counted as kept, not as pins the coordinator set."""
    rules = {**info["rules"], "pins": rematch.pins} if "rules" in info else None
    return {
        "round": rematch.round,
        **({"approval": dict(approval)} if approval else {}),
        **rematch.counts,
        **info,
        **({"rules": rules} if rules is not None else {}),
    }


def match_outputs(
    result,
    alternatives=None,
    *,
    history=None,
    rematch=None,
    anonymise=False,
    preferences=None,
    approval: dict | None = None,
) -> dict[str, bytes]:
    """The files of a match or rematch, built in memory: an ordered ``name → bytes`` dict.

    Takes the :class:`~matcher.api.MatchResult`; ``alternatives``: the ranked alternatives
    (``alternatives.csv`` only when given); ``history``: the
    :class:`~matcher.io.history.Entry` list (``history.csv`` only when given); ``rematch``: a
    :class:`~matcher.rematch.RematchResult` (adds the status column, changes.csv and the
    counts); ``anonymise``: ids instead of names and emails in report.html; ``preferences``:
    the :class:`~matcher.review.preferences.Audit` (``preferences.csv`` and the
    ``preferences`` block of summary.json only when given); ``approval``: a mentor approval's
    counts (``accepted``, ``declined``), which summary.json and the report then show as an
    approval rather than a re-match.

    Returns pairs.csv, unmatched.csv, [alternatives.csv], [preferences.csv], [changes.csv], [history.csv],
    pairs.xlsx, report.html, summary.json and timings.json, in that order. Every file but
    timings.json is byte-identical for the same inputs and config; run times live apart so
    that they do not break that promise. Nothing is written: see
    :func:`matcher.report.publish.publish`.
    """
    from matcher.io.history import history_bytes
    from matcher.report.html import render_report
    from matcher.report.workbook import summary_sheet, workbook_bytes

    files: dict[str, bytes] = {}
    status = rematch.status if rematch is not None else None
    pairs = pairs_table(result, status)
    unmatched = unmatched_table(result)
    alts = alternatives_table(result, alternatives) if alternatives is not None else None
    changes = None
    files["pairs.csv"] = csv_bytes(*pairs)
    files["unmatched.csv"] = csv_bytes(*unmatched)
    if alts is not None:
        files["alternatives.csv"] = csv_bytes(*alts)
    info = summary(result)
    prefs_table = None
    if preferences is not None:
        from matcher.review.preferences import audit_table

        prefs_table = audit_table(result, preferences)
        files["preferences.csv"] = csv_bytes(*prefs_table)
        c = result.cohort
        bonused, tier = in_objective(result.problem)
        counted = {
            "choices_in_objective": ", ".join(
                ["bonus points" if bonused else "", "shortlist" if tier else ""]
            ).strip(", ")
            or "none (reported only)"
        }
        info["preferences"] = {
            **preferences.counts,
            **counted,
            "both_prefer_each_other_pairs": [
                [c.mentee_ids[i], c.mentor_ids[j]] for i, j in preferences.blocking
            ],
        }
    if rematch is not None:
        changes = (["mentee_id", "old_mentor_id", "new_mentor_id", "why"], [list(c) for c in rematch.changes])
        files["changes.csv"] = csv_bytes(*changes)
        info = with_round(info, rematch, approval)
    if history is not None:
        files["history.csv"] = history_bytes(list(history))
    sheets = {"pairs": pairs, "alternatives": alts or (ALTERNATIVES_HEADER, []), "unmatched": unmatched}
    if changes is not None:
        sheets["changes"] = changes
    sheets["summary"] = summary_sheet(info)
    files["pairs.xlsx"] = workbook_bytes(sheets)
    files["report.html"] = render_report(
        result,
        pairs_table=pairs,
        unmatched_table=unmatched,
        alternatives_table=alts,
        changes_table=changes,
        summary=info,
        anonymise=anonymise,
        preferences_table=prefs_table,
    )
    files["summary.json"] = json_bytes(info)
    timings = {k: round(v, 4) for k, v in result.timings.items()}
    timings["solver_runtime_seconds"] = round(result.solution.runtime_seconds, 4)
    files["timings.json"] = json_bytes(timings)
    return files


def write_match(
    result, out_dir, inputs=(), alternatives=None, *, history=None, rematch=None, anonymise=False
) -> list[str]:
    """Build the files of :func:`match_outputs` and publish them into ``out_dir`` atomically,
    never over one of ``inputs``; returns the names written."""
    files = match_outputs(result, alternatives, history=history, rematch=rematch, anonymise=anonymise)
    return publish(files, out_dir, inputs=inputs, owned=MATCH_OWNED)


__all__ = [
    "MATCH_OWNED",
    "match_outputs",
    "pairs_table",
    "scores_table",
    "summary",
    "unmatched_table",
    "write_match",
]
