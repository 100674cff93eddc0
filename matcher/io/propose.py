"""Propose a ``[columns]`` mapping for an export whose headers the matcher does not know
(``mentor-match map``). Only ever a proposal, written for the coordinator to check: the
loader itself never guesses.

``propose_columns(mentors, mentees, config)`` reads both files (the header found as the
loader finds it) and, for each header the loader does not already map, scores every
column of that side on two things:

* the header's wording against the column's name, its meaning and the kit's questions
  for it (a ``Question [row]`` grid header is compared by its row), as difflib ratios
  and shared words;
* the answers seen in that column against the column's kind (what share of them the
  loader would accept: Likert labels, modes, levels, time zones, numbers).

Columns are then assigned greedily, most confident first, each at most once;
confidence below :data:`LOW` leaves a header unmapped. ``columns_toml`` writes the result
as TOML with a comment per line (how sure, and why), the headers left unmapped, the
required columns not found, and the answers the loader would not understand.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

from matcher.errors import shown_value
from matcher.io import header as form_header
from matcher.io import vocabulary
from matcher.io.config import Config, normalise_header
from matcher.io.load import _standard_name, header_counter
from matcher.io.numbers import parse_whole
from matcher.io.questionnaire import CAPACITY_MAX, INT_MAX, INT_MIN, WANTED_MAX, columns_for
from matcher.io.questions import SIDES, kit_headers, questions_for
from matcher.io.read import read_table

LOW, HIGH = 0.45, 0.75
SAMPLE_VALUES = 200
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "at",
        "be",
        "by",
        "do",
        "for",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "the",
        "to",
        "what",
        "which",
        "with",
        "you",
        "your",
    ]
)


@dataclass
class SideProposal:
    file: str
    mapped: list[tuple[str, str, float, str]] = field(default_factory=list)  # header, column, confidence, why
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # header, why
    missing: list[str] = field(default_factory=list)  # required columns not found
    # column, answer (as a message may show it: matcher.errors.shown_value), rows, nearest
    unknown: list[tuple[str, str, int, str]] = field(default_factory=list)


def _stem(word: str) -> str:
    for end in ("ing", "ed", "s"):
        if word.endswith(end) and len(word) > len(end) + 3:
            return word[: -len(end)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def _descriptions(side: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, col in columns_for(side).items():
        out[name] = [name.replace("_", " "), col.help]
    for q in questions_for(side):
        if q.column is not None:
            out[q.column].append(q.title)  # a grid's own question is shared by its rows: not a clue
    return out


def _name_score(header: str, texts: list[str]) -> float:
    h = normalise_header(header)
    row = re.fullmatch(r".*\[(.+)\]", h)
    candidates = [h, row.group(1)] if row else [h]
    best = 0.0
    for c in candidates:
        cw = _words(c)
        for t in texts:
            t = normalise_header(t)
            ratio = difflib.SequenceMatcher(None, c, t).ratio()
            tw = _words(t)
            overlap = len(cw & tw) / len(cw | tw) if cw and tw else 0.0
            found = len(cw & tw) / len(cw) if cw else 0.0  # share of the header's words
            best = max(best, ratio, min(1.0, overlap * 1.3), 0.8 * found)
    return best


def _value_fit(kind: str, name: str, values: list[str], config: Config) -> float | None:
    """Share of ``values`` the loader would accept for a column of ``kind``; None when any
    text fits (free text, lists, ids)."""
    if not values:
        return None
    if kind in ("likert", "mode", "level", "timezone"):
        ok = sum(vocabulary.parse(kind, name, v, config).value is not None for v in values)
        return ok / len(values)
    if kind in ("int", "capacity", "wanted"):
        lo, hi = {"int": (INT_MIN, INT_MAX), "capacity": (0, CAPACITY_MAX), "wanted": (1, WANTED_MAX)}[kind]
        ok = sum(n is not None and lo <= n <= hi for n in map(parse_whole, values))
        return ok / len(values)
    if name == "email":
        return sum("@" in v for v in values) / len(values)
    return None


def _propose_side(path, side: str, config: Config, encoding=None, sheet=None) -> SideProposal:
    raw = read_table(path, encoding, form_header.picker(header_counter(side, config)), sheet=sheet)
    out = SideProposal(raw.file)
    known = columns_for(side)
    mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
    kit = kit_headers(side)
    texts = _descriptions(side)
    taken: dict[str, str] = {}
    open_headers: list[tuple[int, str]] = []
    for pos, h in enumerate(raw.headers):
        norm = normalise_header(h)
        if not norm:
            continue
        form = form_header.form_column(h, raw.headers) if norm not in mapping else None
        if form is not None:
            out.unmapped.append((h, "consent" if form == "consent" else f"added by {form}"))
            continue
        exact = _standard_name(norm, mapping, kit=kit)
        if exact in known and exact not in taken:
            taken[exact] = h
            out.mapped.append((h, exact, 1.0, "the header is the column's name or the kit's question"))
        else:
            open_headers.append((pos, h))
    candidates = []
    for pos, h in open_headers:
        values = [cells[pos] for _, cells in raw.rows if cells[pos]][:SAMPLE_VALUES]
        for name, col in known.items():
            if name in taken:
                continue
            words = _name_score(h, texts[name])
            fit = _value_fit(col.kind, name, values, config)
            score = words if fit is None else 0.65 * words + 0.35 * fit
            if fit is not None and fit < 0.5:
                score *= 0.5  # the answers say it is something else
            if col.kind == "peerlist":
                score *= 0.8  # a wrong guess changes who may be matched: only a close header
            if col.kind == "wanted":
                score *= 0.6  # small numbers fit any scale: only a close header ("Mentors wanted")
            why = f"the header is like '{max(texts[name], key=lambda t: _name_score(h, [t]))}'"
            if fit is not None:
                why += f"; {round(100 * fit)}% of its answers fit"
            candidates.append((score, pos, h, name, why))
    candidates.sort(key=lambda c: (-c[0], c[1], c[3]))
    done: set[int] = set()
    for score, pos, h, name, why in candidates:
        if pos in done or name in taken or score < LOW:
            continue
        taken[name] = h
        done.add(pos)
        out.mapped.append((h, name, min(0.99, round(score, 2)), why))
    for pos, h in open_headers:
        if pos not in done:
            out.unmapped.append((h, "no column like it"))
    order = {h: k for k, h in enumerate(raw.headers)}
    out.mapped.sort(key=lambda m: order[m[0]])
    out.missing = [c.name for c in known.values() if c.required and c.name not in taken]
    for h, name, _, _ in out.mapped:
        kind = known[name].kind
        if kind not in ("likert", "mode", "level", "timezone"):
            continue
        pos = order[h]
        counts: dict[str, int] = {}
        for _, cells in raw.rows:
            v = cells[pos]
            if v and vocabulary.parse(kind, name, v, config).value is None:
                counts[v] = counts.get(v, 0) + 1
        shown = vocabulary.column_vocabulary(kind, name, config)
        for v, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            near = vocabulary.parse(kind, name, v, config).problem or ""
            out.unknown.append((name, shown_value(name, v, shown), n, near))
    return out


def propose_columns(
    mentors, mentees, config: Config | None = None, *, encoding=None, sheet=None
) -> dict[str, SideProposal]:
    """{side: :class:`SideProposal`} for the two files (raises InputError when one cannot be
    read). ``sheet``: the sheet of a workbook to read (default: the first)."""
    config = config or Config()
    return {
        side: _propose_side(path, side, config, encoding, sheet)
        for side, path in zip(SIDES, (mentors, mentees), strict=True)
    }


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _level(score: float) -> str:
    return "exact" if score >= 1.0 else "high" if score >= HIGH else "medium" if score >= 0.6 else "low"


def columns_toml(proposal: dict[str, SideProposal]) -> str:
    lines = [
        "# Proposed by `mentor-match map`: check every line — the matcher never guesses by itself.",
        "# Delete or correct a wrong line, map anything left unmapped, then copy these tables into",
        "# your programme.toml (or pass this file with --config) and run `mentor-match validate`.",
        "# Each line says how sure the proposal is (exact, high, medium, low) and why.",
    ]
    for side, p in proposal.items():
        lines += ["", f"# {p.file}", f"[columns.{side}]"]
        for h, name, score, why in p.mapped:
            lines.append(f"{_q(h)} = {_q(name)}  # {_level(score)} {score:.2f}: {why}")
        if p.missing:
            lines.append("# Required, not found: " + ", ".join(p.missing) + " — map the header that holds it")
        if p.unmapped:
            lines.append("# Not mapped (ignored unless you map them):")
            lines += [f"#   {_q(h)}  ({why})" for h, why in p.unmapped]
        if p.unknown:
            lines.append(
                "# Answers the matcher would not understand: add them under [values.<column>] (or [likert]):"
            )
            lines += [
                f"#   {name}: {_q(v)} in {n} row{'s' if n != 1 else ''} ({why})"
                for name, v, n, why in p.unknown
            ]
    return "\n".join(lines) + "\n"
