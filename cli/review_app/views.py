"""What each page of the review app shows, as plain data for its template.

Every function takes the :class:`~cli.review_app.session.Session` (and the page's ids)
and returns a dict; the templates (Jinja2, autoescaped) only lay it out. Values are
plain text except the report's own sections (``matcher.report.html.render_sections``,
escaped there), which are marked safe. Ids in links are URL-quoted here.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import numpy as np
from markupsafe import Markup

from cli.review_app.state import LEFT_OUT
from matcher.io.config import FIVE_CS
from matcher.solve.bonus import in_objective, shown_scores

ACTION_FIELDS = ("action", "mentee", "mentor", "side", "id", "capacity", "reason", "note", "response")


class NotFound(LookupError):
    """No such person in the cohort (the page answers 404)."""


def signed(x: float, digits: int = 2) -> str:
    """+1.25 / −0.40 / 0.00, as the pages show a change."""
    if round(x, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{x:+.{digits}f}".replace("-", "−")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st…"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def units(n: int) -> str:
    """A score change in hundredths as points: −890 → −8.90."""
    return signed(n / 100.0)


class Links:
    """Addresses inside the app (all under the token prefix ``base``)."""

    def __init__(self, base: str, here: str = ""):
        self.base = base
        self.here = here or base  # the page being drawn: where an action's preview returns to

    def __call__(self, path: str = "", **query) -> str:
        q = {k: v for k, v in query.items() if v is not None and v != ""}
        return self.base + path + ("?" + urlencode(q) if q else "")

    def mentee(self, mentee_id: str) -> str:
        return self(f"mentee/{quote(str(mentee_id), safe='')}")

    def mentor(self, mentor_id: str) -> str:
        return self(f"mentor/{quote(str(mentor_id), safe='')}")

    def preview(self, **entry) -> str:
        return self("preview", **entry, next=self.here)

    def table_link(self, col: str, value: str, mentee: str, in_alternatives: bool) -> str | None:
        """The report tables' link hook: ids to their pages; an alternative's mentor to the
        preview of using them."""
        if in_alternatives and col == "mentor_id":
            return self.preview(action="pin", mentee=mentee, mentor=value)
        if col == "mentee_id":
            return self.mentee(value)
        if col in ("mentor_id", "old_mentor_id", "new_mentor_id"):
            return self.mentor(value)
        return None


def name_of(cohort, side: str, index: int) -> str:
    frame = cohort.mentees if side == "mentee" else cohort.mentors
    value = frame["name"].iat[index]
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def describe(entry: dict) -> str:
    """An action in words, with ids only (it goes into the journal page and banners)."""
    a = entry.get("action")
    e, r = entry.get("mentee", ""), entry.get("mentor", "")
    why = f" — {entry['reason']}" if entry.get("reason") else ""
    if a == "pin":
        return f"use {r} as {e}'s mentor (pin)"
    if a == "add_pin":
        return f"also use {r} as one of {e}'s mentors (pin; {e}'s other pins stay)"
    if a == "unpin":
        return f"release {e}'s pinned pair (the solver decides again)"
    if a == "unpin_pair":
        return f"release the pinned pair {e} → {r} (the solver decides that place again)"
    if a == "forbid":
        return f"never pair {e} with {r}{why}"
    if a == "allow":
        return f"allow {e} with {r} again"
    if a == "capacity":
        return f"change {r}'s capacity to {entry.get('capacity')}{why}"
    if a == "reset_capacity":
        return f"give {r} the mentors file's capacity again"
    if a == "leave_out":
        return f"leave {entry.get('side')} {entry.get('id')} out of this round{why}"
    if a == "bring_back":
        return f"bring {entry.get('side')} {entry.get('id')} back into this round"
    if a == "fail":
        note = f" ({entry['note']})" if entry.get("note") else ""
        return f"mark {e} → {r} as failed: {entry.get('reason') or 'no reason given'}{note}"
    if a == "unfail":
        return f"take back the failure of {e} → {r}"
    if a == "import":
        return f"import {len(entry.get('pins', []))} pins and {len(entry.get('forbids', []))} forbidden pairs"
    if a == "undo":
        return "undo"
    if a == "redo":
        return "redo"
    if a == "publish":
        return f"publish round {entry.get('round')}"
    if a == "start_rematch":
        return f"start a re-match of round {entry.get('round')}"
    if a == "respond":
        note = f" ({entry['note']})" if entry.get("note") else ""
        verb = "accepts" if entry.get("response") == "accept" else "declines"
        return f"{r} {verb} {e}{note}"
    if a == "respond_file":
        answers = [x[2] for x in entry.get("answers", [])]
        return (
            f"record the answers of {entry.get('file')}: {answers.count('accept')} accepted, "
            f"{answers.count('decline')} declined"
        )
    if a == "unrespond":
        return f"take back {r}'s answer about {e}"
    if a == "start_approval":
        return f"start the mentors' approval of round {entry.get('round')}"
    return str(a)


def common(session, links: Links, csrf: str) -> dict:
    """What every page shows: the status line, navigation counts, undo/redo, the banner."""
    p = session.proposal()
    state = session.state
    out = {
        "base": links.base,
        "links": links,
        "csrf": csrf,
        "version": session.version,
        "stage": state.stage.kind,
        "round": session.round,
        "source": state.stage.source,
        "can_undo": state.can_undo,
        "can_redo": state.can_redo,
        "published": dict(state.published),
        "error": p.error,
        "n_decisions": _count_decisions(state.decisions),
        "warnings": session.warnings,
        "banner": None,
    }
    if p.result is not None:
        s = p.summary
        out.update(
            matched=s["matched"],
            mentees=s["mentees"],
            total=s["score_total"],
            counted_total=_counted_total(p),
            status=s["status"],
            n_unmatched=s["unmatched"],
            n_unused=int((p.pairing.load(session.cohort.n_mentors) == 0).sum()),
        )
    change = session.last_change
    if change is not None and change.version == session.version:
        out["banner"] = banner(change, links)
    return out


def _counted_total(p) -> float | None:
    """The total as the solver counts it (five Cs plus choice bonuses), or None when no bonus
    counts. The status line shows it beside the five-C total so that a Δ total score, which
    includes the bonus like alternatives.csv's delta_total, adds up with what is on screen."""
    from matcher.solve.bonus import in_objective

    if not in_objective(p.result.problem)[0]:
        return None
    return p.totals()[1] / 100


def _count_decisions(d) -> int:
    return (
        len(d.pin_rows())
        + len(d.forbids)
        + len(d.capacity)
        + len(d.mentees_out)
        + len(d.mentors_out)
        + len(d.failed)
        + len(d.responses)
    )


def banner(change, links: Links) -> dict:
    """The highlight after an action: what was done, its exact effect, who moved."""
    eff = change.effect
    out = {
        "what": describe(change.entry),
        "problem": eff.problem,
        "delta_matched": eff.delta_matched,
        "delta_score": units(eff.delta_units),
        "moves": [move_view(m, links) for m in eff.moves],
        "differs": False,
    }
    promised = change.promised
    if promised is not None and not eff.problem:
        out["promised_score"] = units(promised.delta_units)
        out["differs"] = {m.mentee for m in promised.moves} != {m.mentee for m in eff.moves}
        out["same_delta"] = (promised.delta_units, promised.delta_matched) == (
            eff.delta_units,
            eff.delta_matched,
        )
    return out


def move_view(m, links: Links) -> dict:
    return {
        "mentee": m.mentee,
        "mentee_href": links.mentee(m.mentee),
        "old": m.old or "unmatched",
        "new": m.new or "unmatched",
        "old_href": links.mentor(m.old) if m.old else None,
        "new_href": links.mentor(m.new) if m.new else None,
    }


PAGE = 100  # pairs drawn per page: a browser takes about a second to build 1,000 (1.5 MB of HTML)


def proposal_page(session, links: Links, query=None) -> dict:
    """The report's sections over the current proposal, its pairs table a page at a time.

    ``query`` (the address's parameters): ``filter`` (text a pair's row must hold, as the
    report's filter box), ``changed=1`` (only the pairs the last action changed), ``sort``
    (a column) with ``dir`` (asc | desc), ``page`` (from 1, or ``all``). The headline, charts
    and score colours always cover every pair.
    """
    from matcher.report.html import NUMERIC, render_sections

    query = dict(query or {})
    p = session.proposal()
    if p.result is None:
        return {"sections": None}
    t = p.tables
    change = session.last_change
    highlight = set()
    if change is not None and change.version == session.version:
        highlight = {m.mentee for m in change.effect.moves}
        if change.entry.get("mentee"):
            highlight.add(str(change.entry["mentee"]))
    header, rows = t["pairs"]
    text = query.get("filter", "").strip()
    only_changed = query.get("changed") == "1"
    chosen = rows
    if only_changed:
        chosen = [r for r in chosen if str(r[0]) in highlight]
    if text:
        needle = text.lower()
        chosen = [r for r in chosen if needle in " ".join(str(v) for v in r).lower()]
    key, desc = query.get("sort", ""), query.get("dir") == "desc"
    if key in header:
        k = header.index(key)
        if key in NUMERIC:
            known = [r for r in chosen if _num(r[k]) is not None]
            known.sort(key=lambda r: _num(r[k]), reverse=desc)  # stable: ties keep id order
            chosen = known + [r for r in chosen if _num(r[k]) is None]
        else:
            from matcher.io.cohort import natural_key

            chosen = sorted(chosen, key=lambda r: natural_key(str(r[k]).lower()), reverse=desc)
    keep = {
        k: v
        for k, v in (
            ("filter", text),
            ("changed", "1" if only_changed else ""),
            ("sort", key if key in header else ""),
            ("dir", "desc" if desc else ""),
        )
    }
    filtered = bool(text or only_changed)
    shown, pager = page_of(chosen, len(rows), query, links, "", keep, filtered, filtered or key in header)
    pager.update(
        changed_href=links("", changed="1") if highlight else None,
        n_changed=len(highlight),
    )
    parts = render_sections(
        p.result,
        pairs_table=t["pairs"],
        unmatched_table=t["unmatched"],
        alternatives_table=None,
        changes_table=t.get("changes"),
        summary=t["summary"],
        link=links.table_link,
        highlight=highlight,
        lazy_alternatives=links("alternatives/"),
        shown_rows=shown,
        filter_value=text,
    )
    return {
        "sections": {k: Markup(v) for k, v in parts.items()},
        "title": parts["title"],
        "pager": pager,
        "paged": pager["pages"] > 1 or pager["clear_href"] is not None,
    }


def page_of(
    chosen: list, total: int, query, links: Links, path: str, keep: dict, filtered: bool, narrowed: bool
):
    """One page of a long list, as the proposal's pairs table pages: ``chosen`` (the rows
    left after the page's filters, in order), ``total`` (rows before filtering), ``query``
    (``page``: from 1, or ``all``), the page's ``path`` and the query ``keep`` carries from
    page to page; ``filtered``: a filter is in force; ``narrowed``: a filter or a sort (the
    pager then offers *Show all*) → (the rows to draw, the pager:
    page, pages, first, last, of, all, prev / next / all_href / clear_href links, filtered)."""
    pages = max(1, -(-len(chosen) // PAGE))
    every = query.get("page") == "all"  # one long page, e.g. to print
    try:
        page = 1 if every else min(max(1, int(query.get("page", 1))), pages)
    except ValueError:
        page = 1
    shown = chosen if every else chosen[(page - 1) * PAGE : page * PAGE]
    if every:
        pages = 1
    keep = {k: v for k, v in keep.items() if v}

    def at(n: int) -> str:
        return links(path, **keep, page=n if n > 1 else None)

    pager = {
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE + 1 if shown else 0,
        "last": (page - 1) * PAGE + len(shown),
        "of": len(chosen),
        "all": total,
        "prev": at(page - 1) if page > 1 else None,
        "next": at(page + 1) if page < pages else None,
        "clear_href": links(path) if (narrowed or every) else None,
        "all_href": links(path, **keep, page="all") if pages > 1 else None,
        "filtered": filtered,
    }
    return shown, pager


def _num(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def alternatives_fragment(session, links: Links, mentee_id: str) -> str:
    """One mentee's ranked alternatives, drawn as the report draws them, for the proposal
    page to insert when the mentee's row is opened (each alternative's mentor links to the
    preview of using them)."""
    from matcher.report import tables as T
    from matcher.report.html import alternatives_html

    i = _mentee_index(session, mentee_id)
    p = session.proposal()
    if p.result is None:
        return ""
    alts = T.alternatives_table(p.result, p.alternatives_of([i]))
    return alternatives_html(p.result, alts, mentee_id, pairs_table=p.tables["pairs"], link=links.table_link)


def _mentee_index(session, mentee_id: str) -> int:
    i = session.cohort.mentee_index(mentee_id)
    if i is None:
        raise NotFound(f"no mentee has the id {mentee_id}")
    return i


def _mentor_index(session, mentor_id: str) -> int:
    j = session.cohort.mentor_index(mentor_id)
    if j is None:
        raise NotFound(f"no mentor has the id {mentor_id}")
    return j


def evidence_view(ev) -> dict:
    return {"c": ev.c, "value": f"{ev.value:.2f}", "weight": f"{ev.weight:.2f}", "text": ev.text}


def mentee_page(session, links: Links, mentee_id: str, query=None) -> dict:
    """A mentee and their pair: strengths and weak points, why not their first choice (each
    better mentor excluded by which rule, or full and what taking them would cost), the
    ranked alternatives with their exact Δ, and the actions on this pair. ``query``:
    ``why_not`` (a mentor id, or ``all``) — with several mentors per mentee, the pairs whose
    *why not a higher-scoring mentor* list is priced on this page (see
    :data:`WHY_NOT_INLINE`)."""
    from matcher.review.explain import better_mentors, evidence, strengths, weak_points

    i = _mentee_index(session, mentee_id)
    c, d, stage = session.cohort, session.state.decisions, session.state.stage
    p = session.proposal()
    out = {
        "id": mentee_id,
        "name": name_of(c, "mentee", i),
        "pinned": ", ".join(d.pinned(mentee_id)),
        "left_out": d.mentees_out.get(mentee_id),
        "forbidden": [
            {"mentor": r, "reason": why, "href": links.mentor(r)}
            for (e, r), why in sorted(d.forbids.items())
            if e == mentee_id
        ],
        "failed": [
            {"mentor": r, "reason": reason, "note": note}
            for (e, r), (reason, note) in sorted(d.failed.items())
            if e == mentee_id
        ],
        "reasons": _fail_reasons(),
    }
    if p.result is None:
        return out
    if getattr(p.result.problem, "multi", False):
        return _mentee_several(session, p, links, out, i, dict(query or {}).get("why_not", ""))
    r, s, prob = p.result, p.result.scores, p.result.problem
    j = int(p.mentor_of[i])
    out["readiness"] = f"{s.readiness[i]:.2f}"
    out["eligible"] = bool(prob.eligible[i])
    out["is_matched"] = j >= 0
    if stage.kind == "rematch":
        source = dict(session._source(stage).previous)
        out["source_mentor"] = source.get(mentee_id)
    if j < 0:
        out["reason"] = r.unmatched.get(i, "")
        out["choices"] = _choices_of(p, "mentee", i, links)
        out["options"] = _alternatives_of(p, i, links, mentee_id)
        return out
    row, bits_row = prob.row(i)  # every mentor's score and rule bits for this mentee
    row = shown_scores(prob, row)  # five Cs plus any bonus, never the shortlist tier
    feasible = np.flatnonzero(bits_row == 0)
    rank = 1 + int((row[feasible] > row[j]).sum())
    out.update(
        mentor=c.mentor_ids[j],
        mentor_name=name_of(c, "mentor", j),
        mentor_href=links.mentor(c.mentor_ids[j]),
        score=f"{float(s.score[i, j]):.2f}",  # the five-C score (any bonus: the choices panel)
        rank=rank,
        feasible=int(feasible.size),
        strengths=[evidence_view(e) for e in strengths(r, i, j)],
        weak=[evidence_view(e) for e in weak_points(r, i, j)],
        evidence=[evidence_view(e) for e in evidence(r, i, j)],
    )
    out["choices"] = _choices_of(p, "mentee", i, links)
    out["bonused"] = in_objective(prob)[0]  # better mentors are listed as the solver counts them
    better, n_better = better_mentors(r, i, j, p.engine, limit=15)
    out["n_better"] = n_better
    out["better"] = [_better_view(b, c, links, mentee_id) for b in better]
    out["options"] = _alternatives_of(p, i, links, mentee_id)
    return out


def _mentee_several(session, p, links: Links, out: dict, i: int, why_not: str = "") -> dict:
    """The mentee page when mentees may want several mentors: every proposed mentor with
    their score, rank and evidence (one card per pair, with the actions on that pair, whose
    choice the pair is and, when higher-scoring mentors were not chosen, why — each priced
    by ``explain``'s own :func:`~matcher.review.explain.better_mentors` through the
    proposal's exact-delta engine), how many places are left and why, the person's choices,
    and the ranked alternatives with their exact Δ (pinned re-solves). *Use this mentor*
    is ``add_pin`` for a mentee who wants several (their other pins stay), ``pin`` for one
    who wants one. Where the proposal's engine is the residual graph's look-up
    (:class:`~matcher.review.several_residual.SeveralResidual`: default rules, distinct
    mentors by department or profession) every list is priced on the page; otherwise each
    higher-scoring mentor costs a re-solve to price, so above :data:`WHY_NOT_INLINE` pairs a
    list is priced only when asked for (``why_not``: a mentor id or ``all``); until then the
    card says how many there are and links to it."""
    from matcher.review.explain import better_mentors, strengths, weak_points
    from matcher.solve.problem import mentee_places

    c, d, stage = session.cohort, session.state.decisions, session.state.stage
    r, s, prob = p.result, p.result.scores, p.result.problem
    mentee_id = out["id"]
    wanted, mine = int(mentee_places(prob)[i]), p.pairing.mentors(i)
    source = set()
    if stage.kind == "rematch":
        source = {m for e, m in session._source(stage).previous if e == mentee_id}
    row, bits_row = prob.row(i)
    row = shown_scores(prob, row)
    feasible = np.flatnonzero(bits_row == 0)
    pin = "add_pin" if wanted > 1 else "pin"
    choices = _choices_of(p, "mentee", i, links)
    words = {x["mentor"]: x for x in choices["pairs"]} if choices else {}
    looked_up = prices_are_look_ups(p.engine)
    pairs = []
    for j in mine:
        j = int(j)
        r_id = c.mentor_ids[j]
        inline = looked_up or c.n_mentees * c.n_mentors <= WHY_NOT_INLINE or why_not in ("all", r_id)
        better, n_better = better_mentors(r, i, j, p.engine, limit=BETTER_SEVERAL if inline else 0)
        pairs.append(
            {
                "mentor": r_id,
                "name": name_of(c, "mentor", j),
                "href": links.mentor(r_id),
                "score": f"{float(s.score[i, j]):.2f}",
                "rank": 1 + int((row[feasible] > row[j]).sum()),
                "pinned": r_id in d.pinned(mentee_id),
                "in_source": r_id in source,
                "strengths": [evidence_view(e) for e in strengths(r, i, j)],
                "weak": [evidence_view(e) for e in weak_points(r, i, j)],
                "choice": words.get(r_id),
                "n_better": n_better,
                "priced": inline,
                "why_not_href": links(f"mentee/{quote(mentee_id, safe='')}", why_not=r_id)
                + "#why-not-"
                + quote(r_id, safe=""),
                "better": [_better_view(b, c, links, mentee_id, pin) for b in better],
            }
        )
    out.update(
        several=True,
        readiness=f"{s.readiness[i]:.2f}",
        eligible=bool(prob.eligible[i]),
        is_matched=bool(mine.size),
        wanted=wanted,
        got=int(mine.size),
        places_left=wanted - int(mine.size),
        reason=r.unmatched.get(i, ""),
        feasible=int(feasible.size),
        pairs=pairs,
        source_mentors=sorted(source),
        options=_alternatives_of(p, i, links, mentee_id, pin),
        choices=choices,
        bonused=in_objective(prob)[0],
        pinned_pairs=list(d.pinned(mentee_id)),
        use_label="Also use this mentor…" if wanted > 1 else "Use this mentor…",
    )
    return out


def prices_are_look_ups(engine) -> bool:
    """Whether this exact-delta engine prices a pair by a look-up in the residual graph
    (cheap: every list can be priced on the page) rather than by a re-solve."""
    from matcher.review.several_residual import SeveralResidual

    return isinstance(engine, SeveralResidual)


BETTER_SEVERAL = 10  # higher-scoring mentors priced per pair (a look-up or a re-solve), as explain lists
# Pairs (mentees × mentors) up to which a several-mentor page prices every pair's "why not"
# list at once when prices are re-solves (rules the residual look-up does not model);
# above, a re-solve takes a tenth of a second or more (1,000 × 400: 2-4 s a page), so each
# list is priced when the coordinator asks for it.
WHY_NOT_INLINE = 50_000


def _better_view(b, c, links: Links, mentee_id: str, pin: str = "pin") -> dict:
    """One higher-scoring mentor not chosen (:class:`matcher.review.explain.Better`), in
    explain's words, with the preview of using them where that can hold."""
    r_id = c.mentor_ids[b.mentor]
    return {
        "mentor": r_id,
        "name": name_of(c, "mentor", b.mentor),
        "href": links.mentor(r_id),
        "score": f"{b.score:.2f}",
        "why": b.words(),
        "kind": b.why,
        "use": links.preview(action=pin, mentee=mentee_id, mentor=r_id)
        if b.why in ("full", "has_room") and not b.impossible
        else None,
    }


def _choices_of(p, side: str, k: int, links: Links) -> dict | None:
    """Stated choices of the person on screen (None when the files have no preference
    column): what their pair is to each side ("E003's 1st choice", the mentor's choice),
    the bonus the solver adds, and each of their choices with what happened to it — met, or
    why not (:func:`matcher.review.preferences.person`: the rules, or full and what giving
    it would cost, exactly, where deltas are exact)."""
    from matcher.review.preferences import in_use, ordinal, person
    from matcher.solve.bonus import bonus_of_pair, in_objective

    r = p.result
    c = r.cohort
    if not in_use(c):
        return None
    n = r.config.preferences.max_choices
    pairing = p.pairing  # every pair (a mentee may have several mentors)
    other_ids = c.mentor_ids if side == "mentee" else c.mentee_ids
    href = links.mentor if side == "mentee" else links.mentee
    x = person(r, side, k, p.engine)
    whys = {} if x is None else {line.split(":")[0]: line.split(": ", 1)[1] for line in x.why}
    below = "a choice ranked below " + (
        "every mentor they got" if getattr(r.problem, "multi", False) else "what they got"
    )
    listed = []
    for rank, other in enumerate(() if x is None else x.choices, start=1):
        oid = other_ids[other]
        met = pairing.has(k, other) if side == "mentee" else pairing.has(other, k)
        listed.append(
            {
                "rank": ordinal(rank),
                "id": oid,
                "name": name_of(c, "mentor" if side == "mentee" else "mentee", other),
                "href": href(oid),
                "state": "met" if met else "unmet",
                "why": "proposed" if met else whys.get(oid, below),
            }
        )
    out = {"list": listed, "got": "" if x is None else x.got, "pairs": []}
    if side == "mentee":
        pairs = [(k, int(j)) for j in pairing.mentors(k)]
    else:
        pairs = [(int(i), k) for i in pairing.mentee[pairing.mentor == k]]
    bonused, _ = in_objective(r.problem)
    for i, j in pairs:
        mine, theirs = c.preferences.mentee_choices[i][:n], c.preferences.mentor_choices[j][:n]
        e_id, r_id = c.mentee_ids[i], c.mentor_ids[j]
        words = [
            f"{r_id} is {e_id}'s {ordinal(mine.index(j) + 1)} choice"
            if j in mine
            else f"{r_id} is not one of {e_id}'s choices"
        ]
        if i in theirs:
            words.append(f"{e_id} is {r_id}'s {ordinal(theirs.index(i) + 1)} choice")
        b = bonus_of_pair(c.preferences, r.config.preferences, i, j) if bonused else 0.0
        score = float(r.scores.score[i, j])
        out["pairs"].append(
            {
                "mentee": e_id,
                "mentor": r_id,
                "words": "; ".join(words),
                "bonus": f"{b:+.2f} choice bonus: the solver counts {score + b:.2f} (score {score:.2f} + bonus)"
                if bonused
                else "",
            }
        )
    return out


def _alternatives_of(p, i: int, links: Links, mentee_id: str, pin: str = "pin") -> list[dict]:
    c = p.session.cohort
    rows = []
    for a in p.alternatives_of([i]):
        r_id = c.mentor_ids[a.mentor]
        rows.append(
            {
                "rank": a.rank,
                "mentor": r_id,
                "name": name_of(c, "mentor", a.mentor),
                "href": links.mentor(r_id),
                "score": f"{p.result.scores.score[i, a.mentor]:.2f}",
                "spare": a.spare,
                "delta": "" if a.delta_score is None else signed(a.delta_score),
                "delta_matched": "" if a.delta_matched is None else a.delta_matched,
                "moves": "" if a.moves is None else a.moves,
                "delta_pairs": "" if a.delta_pairs is None else a.delta_pairs,
                "reason": a.reason,
                "use": links.preview(action=pin, mentee=mentee_id, mentor=r_id)
                if a.reason in ("", "full") and a.delta_score is not None
                else None,
            }
        )
    return rows


def _fail_reasons() -> list[str]:
    from matcher.rematch import REASONS

    return list(REASONS)


def mentor_page(session, links: Links, mentor_id: str) -> dict:
    """A mentor: capacity (and whether the coordinator changed it), their mentees with how
    each ranks them, free places, and why they got nobody when they did."""
    from matcher.review.mentors import mentees_of, mentor_loads, unused_reason

    j = _mentor_index(session, mentor_id)
    c, d = session.cohort, session.state.decisions
    p = session.proposal()
    out = {
        "id": mentor_id,
        "name": name_of(c, "mentor", j),
        "file_capacity": int(c.capacity[j]),
        "changed": d.capacity.get(mentor_id),
        "left_out": d.mentors_out.get(mentor_id),
    }
    if p.result is None:
        return out
    capacity, load = mentor_loads(p.result)
    out.update(capacity=int(capacity[j]), load=int(load[j]), free=int(capacity[j] - load[j]))
    out["mentees"] = [
        {
            "id": c.mentee_ids[g.mentee],
            "name": name_of(c, "mentee", g.mentee),
            "href": links.mentee(c.mentee_ids[g.mentee]),
            "score": f"{g.score:.2f}",
            "rank": g.rank,
            "feasible": g.feasible,
            "pinned": g.pinned,
        }
        for g in mentees_of(p.result, j)
    ]
    out["choices"] = _choices_of(p, "mentor", j, links)
    if load[j] == 0:
        out["unused"] = unused_reason(p.result, j, p.engine)
    return out


def mentors_page(session, links: Links) -> dict:
    from matcher.review.mentors import mentor_loads

    c, d = session.cohort, session.state.decisions
    p = session.proposal()
    if p.result is None:
        return {"mentors": []}
    capacity, load = mentor_loads(p.result)
    ee, rr = p.pairing.mentee, p.pairing.mentor  # every pair (several per mentee allowed)
    sums = np.bincount(
        rr,
        weights=shown_scores(p.result.problem, p.result.problem.pair_scores(ee, rr)),
        minlength=c.n_mentors,
    )
    rows = []
    for j, r_id in enumerate(c.mentor_ids):
        state = (
            "left out"
            if r_id in d.mentors_out
            else "unused"
            if load[j] == 0
            else "full"
            if load[j] >= capacity[j]
            else "has room"
        )
        rows.append(
            {
                "id": r_id,
                "name": name_of(c, "mentor", j),
                "href": links.mentor(r_id),
                "capacity": int(capacity[j]),
                "changed": r_id in d.capacity,
                "load": int(load[j]),
                "free": int(capacity[j] - load[j]),
                "mean": f"{sums[j] / load[j]:.2f}" if load[j] else "",
                "state": state,
            }
        )
    return {"mentors": rows}


def unused_page(session, links: Links) -> dict:
    from matcher.review.mentors import mentor_loads, unused_reason

    c, d = session.cohort, session.state.decisions
    p = session.proposal()
    if p.result is None:
        return {"unused": []}
    capacity, load = mentor_loads(p.result)
    rows = []
    for j in np.flatnonzero(load == 0):
        r_id = c.mentor_ids[j]
        reason = unused_reason(p.result, int(j), p.engine)
        if r_id in d.mentors_out:
            reason = (
                LEFT_OUT + (f": {d.mentors_out[r_id]}" if d.mentors_out[r_id] else "") + " (your decision)"
            )
        rows.append(
            {
                "id": r_id,
                "name": name_of(c, "mentor", int(j)),
                "href": links.mentor(r_id),
                "capacity": int(capacity[j]),
                "reason": reason,
            }
        )
    return {"unused": rows}


def unmatched_page(session, links: Links) -> dict:
    c, d = session.cohort, session.state.decisions
    p = session.proposal()
    if p.result is None:
        return {"unmatched": []}
    rows = []
    for i, reason in sorted(p.result.unmatched.items()):
        e_id = c.mentee_ids[i]
        if e_id in d.mentees_out:
            reason = (
                LEFT_OUT + (f": {d.mentees_out[e_id]}" if d.mentees_out[e_id] else "") + " (your decision)"
            )
        rows.append(
            {
                "id": e_id,
                "name": name_of(c, "mentee", i),
                "href": links.mentee(e_id),
                "reason": reason,
                "options": _alternatives_of(p, i, links, e_id),
            }
        )
    return {"unmatched": rows}


def decisions_page(session, links: Links) -> dict:
    """The decisions in force (each with the action that takes it back), the journal, and
    the command line that reproduces the proposal from the workspace's files."""
    d, ws = session.state.decisions, session.workspace
    undo = lambda **e: links.preview(**e)  # noqa: E731
    return {
        "pins": [
            {
                "mentee": e,
                "mentor": r,
                "undo": undo(action="unpin_pair", mentee=e, mentor=r)
                if len(d.pinned(e)) > 1
                else undo(action="unpin", mentee=e),
            }
            for e, r in d.pin_rows()
        ],
        "forbids": [
            {"mentee": e, "mentor": r, "reason": why, "undo": undo(action="allow", mentee=e, mentor=r)}
            for (e, r), why in sorted(d.forbids.items())
        ],
        "capacity": [
            {"mentor": r, "capacity": cap, "reason": why, "undo": undo(action="reset_capacity", mentor=r)}
            for r, (cap, why) in sorted(d.capacity.items())
        ],
        "out": [
            {"side": side, "id": pid, "reason": why, "undo": undo(action="bring_back", side=side, id=pid)}
            for side, group in (("mentee", d.mentees_out), ("mentor", d.mentors_out))
            for pid, why in sorted(group.items())
        ],
        "failed": [
            {
                "mentee": e,
                "mentor": r,
                "reason": reason,
                "note": note,
                "undo": undo(action="unfail", mentee=e, mentor=r),
            }
            for (e, r), (reason, note) in sorted(d.failed.items())
        ],
        "responses": [
            {
                "mentee": e,
                "mentor": r,
                "response": answer,
                "note": note,
                "undo": undo(action="unrespond", mentee=e, mentor=r),
            }
            for r, e, answer, note in d.response_rows()
        ],
        "journal": [
            {"seq": e.get("seq"), "time": e.get("time", ""), "what": describe(e)}
            for e in reversed(ws.journal())
        ],
        "command": " ".join(_quote_arg(a) for a in session.command()),
        "workspace": str(ws.path),
    }


def _quote_arg(a: str) -> str:
    import shlex

    return shlex.quote(a)


def preview_page(session, links: Links, entry: dict) -> dict:
    """An action, its exact effect and the form that confirms it."""
    eff = session.preview(entry)
    fields = {k: str(eff.entry[k]) for k in ACTION_FIELDS if k in eff.entry}
    return {
        "what": describe(eff.entry),
        "problem": eff.problem,
        "how": eff.how,
        "delta_matched": eff.delta_matched,
        "delta_pairs": eff.delta_pairs,
        "delta_score": units(eff.delta_units),
        "moves": [move_view(m, links) for m in eff.moves],
        "counted": eff.counted,
        "fewest": eff.fewest,
        "fields": fields,
        "based_on": eff.version,
    }


def publish_page(session, links: Links) -> dict:
    from matcher.report.tables import MATCH_OWNED

    rnd = session.round
    return {
        "folder": str(session.workspace.round_dir(rnd)),
        "exists": session.workspace.round_dir(rnd).is_dir(),
        "published_now": session.state.published.get(rnd) == session.state.stage.kind,
        "command": " ".join(_quote_arg(a) for a in session.command()),
        "files": [*MATCH_OWNED, "summary.json", "timings.json"],
    }


APPROVAL_SHOWS = {  # the approval page's "show" choice → which pairs
    "": "every pair",
    "accept": "accepted",
    "decline": "declined",
    "none": "not answered yet",
    "changed": "whose mentee the re-match moved",
}


def approval_page(session, links: Links, query=None) -> dict:
    """The mentors' approval of a published round: its pairs with the answer recorded
    (accept | decline, the note), the mentor the approval re-match gives the mentee now,
    and the forms that record or take back an answer — 100 pairs a page, as the proposal.

    ``query``: ``filter`` (text a pair's row must hold: ids, answer, note, who now), ``show``
    (a key of :data:`APPROVAL_SHOWS`), ``page`` (from 1, or ``all``). ``pairs``: the page's
    published pairs, in the file's order; ``pager``: as the proposal's; ``counts``:
    accepted, declined and unanswered over every pair; ``here``: this page's address (the
    forms come back to it); ``command``: the approve command that writes what publishing
    writes. Outside an approval, ``pairs`` is empty."""
    query = dict(query or {})
    stage, d = session.state.stage, session.state.decisions
    if stage.kind != "approve":
        return {"pairs": [], "counts": {}, "command": ""}
    c, p = session.cohort, session.proposal()
    rows = []
    published: dict[str, set[str]] = {}  # mentee → their published mentors (several allowed)
    for e, r in session.approval_pairs():
        published.setdefault(e, set()).add(r)
    for e, r in session.approval_pairs():
        answer, note = d.responses.get((e, r), ("", ""))
        now = ""
        if p.result is not None and (i := c.mentee_index(e)) is not None:
            j_r = c.mentor_index(r)
            if j_r is not None and p.pairing.has(i, j_r):
                now = r  # the pair is kept
            else:  # the mentee's new mentor(s): not among their published ones
                now = ";".join(
                    c.mentor_ids[j] for j in p.pairing.mentors(i) if c.mentor_ids[j] not in published[e]
                )
        rows.append(
            {
                "mentee": e,
                "mentor": r,
                "mentee_href": links.mentee(e),
                "mentor_href": links.mentor(r),
                "response": answer,
                "note": note,
                "now": now,
                "now_href": (links.mentor(now) if ";" not in now else links.mentee(e)) if now else None,
                "kept": now == r,
            }
        )
    answered = [x["response"] for x in rows]
    text, show = query.get("filter", "").strip(), query.get("show", "")
    show = show if show in APPROVAL_SHOWS else ""
    chosen = rows
    if show:
        chosen = [
            x
            for x in chosen
            if (not x["kept"] if show == "changed" else x["response"] == ("" if show == "none" else show))
        ]
    if text:
        needle = text.lower()
        chosen = [
            x
            for x in chosen
            if needle in " ".join((x["mentee"], x["mentor"], x["response"], x["note"], x["now"])).lower()
        ]
    keep = {"filter": text, "show": show}
    shown, pager = page_of(
        chosen, len(rows), query, links, "approval", keep, bool(text or show), bool(text or show)
    )
    here = links("approval", **{k: v for k, v in keep.items() if v}, page=query.get("page") or None)
    return {
        "pairs": shown,
        "pager": pager,
        "here": here,
        "filter": text,
        "show": show,
        "shows": APPROVAL_SHOWS,
        "counts": {
            "accept": answered.count("accept"),
            "decline": answered.count("decline"),
            "unanswered": answered.count(""),
        },
        "command": " ".join(_quote_arg(a) for a in session.command()),
        "responses_file": str(session.workspace.file("responses.csv")),
    }


def rounds_page(session, links: Links) -> dict:
    from cli.review_app.server import ROUND_FILES

    rounds = []
    for n, kind in sorted(session.state.published.items()):
        folder = session.workspace.round_dir(n)
        files = [f for f in ROUND_FILES if (folder / f).is_file()]
        rounds.append(
            {
                "round": n,
                "kind": kind,
                "folder": str(folder),
                "files": [(f, links(f"rounds/{n}/{f}")) for f in files],
            }
        )
    return {"rounds": rounds}


__all__ = ["FIVE_CS", "Links", "NotFound", "describe"]
