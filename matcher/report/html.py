"""``report.html``: one self-contained review page a coordinator can open offline.

``render_report(result, pairs_table=..., unmatched_table=..., summary=...)`` builds the
page from the same ``(header, rows)`` tables that ``matcher.report.tables`` writes as CSV, so
the page shows exactly what the files hold: a headline (matched, mentors used, scores,
solver status, weights and rules), four inline-SVG charts (pair scores, the average of
each C, mentor load against capacity, mentee readiness), the pairs as a sortable,
filterable table whose rows expand to the mentee's ranked alternatives, the unmatched
mentees with their reasons and, after a rematch, what changed and why.

The page loads nothing from anywhere: no CDN, no fonts, no images; a Content Security
Policy forbids every fetch and allows only the page's own script (by hash), so even an
unescaped value could not run code. Every personal value is HTML-escaped. With
``anonymise=True`` names and emails are replaced by ids (name columns are dropped and
any name or email in free text is replaced by its person's id).

The output is deterministic: the same inputs give the same bytes. The charts are
small hand-written SVG (rects, lines and text with fixed one-decimal coordinates; no
plotting library, no ids, no embedded fonts), so drawing them costs milliseconds even
for thousands of mentors; every bar carries a tooltip with its exact numbers.

The script reads the URL hash on load: ``report.html#filter=E00&sort=score&dir=desc&open=E001``
filters the pairs, sorts them and opens a mentee's alternatives (handy for links and tests).
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
import urllib.parse
from collections import Counter

import numpy as np

from matcher.io.config import FIVE_CS
from matcher.solve.bonus import in_objective

__all__ = ["CSS", "JS", "alternatives_html", "charts_svg", "esc", "render_report", "render_sections"]

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

BLUE = "#2b6cb0"
BLUE_LIGHT = "#bfd4ec"
ORANGE = "#c05621"
GREY = "#a0aec0"
INK = "#1a202c"

NAME_COLUMNS = ("mentee_name", "mentor_name", "name", "email", "mentee_email", "mentor_email")
UNIT_COLUMNS = (*FIVE_CS, "readiness")
LABELS = {
    "mentee_id": "mentee",
    "mentor_id": "mentor",
    "mentee_name": "mentee name",
    "mentor_name": "mentor name",
    "old_mentor_id": "old mentor",
    "new_mentor_id": "new mentor",
    "delta_total": "Δ total score",
    "delta_matched": "Δ matched",
    "spare_capacity": "spare place",
}


SPECIAL = re.compile(r"[&<>\"']")


def esc(value) -> str:
    """HTML-escape any value (quotes too, so it is safe in attributes)."""
    text = "" if value is None else str(value)
    return html.escape(text, quote=True) if SPECIAL.search(text) else text


def _float(text) -> float | None:
    try:
        x = float(text)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _label(col: str) -> str:
    return LABELS.get(col, col.replace("_", " "))


def _fmt(x, digits: int = 2) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


class Scrubber:
    """Replace every name and email of the cohort in free text by the person's id."""

    def __init__(self, result, enabled: bool):
        self.enabled = enabled
        self.pattern = None
        self.map: dict[str, str] = {}
        if not enabled:
            return
        c = result.cohort
        for frame, ids in ((c.mentees, c.mentee_ids), (c.mentors, c.mentor_ids)):
            for col in ("name", "email"):
                if col not in frame.columns:
                    continue
                for value, pid in zip(frame[col].tolist(), ids, strict=True):
                    text = (
                        ""
                        if value is None or (isinstance(value, float) and math.isnan(value))
                        else str(value)
                    )
                    text = text.strip()
                    if text and text.lower() != str(pid).lower():
                        self.map.setdefault(text.lower(), str(pid))
        if self.map:
            alts = sorted(self.map, key=lambda s: (-len(s), s))
            self.pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)", re.IGNORECASE
            )

    def __call__(self, text) -> str:
        text = "" if text is None else str(text)
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.map.get(m.group(0).lower(), "[name]"), text)


def _score_colour(x: float, lo: float, mid: float, hi: float) -> str:
    """Red (lowest) → amber (median) → green (highest) background, like a spreadsheet scale."""
    stops = ((248, 215, 218), (255, 236, 179), (198, 239, 206))
    if hi <= lo:
        return "rgb(198,239,206)"
    if x <= mid:
        t, a, b = (0.0 if mid <= lo else (x - lo) / (mid - lo)), stops[0], stops[1]
    else:
        t, a, b = (1.0 if hi <= mid else (x - mid) / (hi - mid)), stops[1], stops[2]
    t = min(1.0, max(0.0, t))
    r, g, bl = (round(a[k] + (b[k] - a[k]) * t) for k in range(3))
    return f"rgb({r},{g},{bl})"


# ---------------------------------------------------------------------------
# Charts: small hand-written SVG, inlined (no plotting library, no ids, no fonts)
# ---------------------------------------------------------------------------

RED = "#9b2c2c"
AXIS = "#718096"
TICK = "#4a5568"
GRID = "#edf2f7"
CAPACITY = "#e2e8f0"
SMALL = (380, 280)  # viewBox of the three small charts: about CSS pixels in a 1280 px window
WIDE = 1100  # viewBox width of the load chart (full width)
GLYPH = 0.6  # average glyph width / font size: legends are laid out without measuring text


def _n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing ".0", never "-0" (stable bytes)."""
    s = f"{x:.1f}"
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s == "-0" else s


def _count_ticks(top: float, target: int = 5) -> list[int]:
    """Whole-number ticks from 0 with a 1-2-5 step, the last one at or above ``top``."""
    top = max(top, 1.0)
    raw, step = top / target, 1
    if raw > 1:
        mag = 10 ** math.floor(math.log10(raw))
        step = next(int(m * mag) for m in (1, 2, 2.5, 5, 10) if m * mag >= raw and (m * mag) % 1 == 0)
    return list(range(0, math.ceil(top / step) * step + 1, step))


class _Chart:
    """An SVG chart being drawn: a viewBox, a plot area (left, top, right, bottom) and the
    data ranges shown in it. Every text goes through :func:`esc`."""

    def __init__(self, key: str, width: float, height: float, box, xlim=(0.0, 1.0), ylim=(0.0, 1.0)):
        self.key, self.width, self.height = key, width, height
        self.left, self.top, self.right, self.bottom = box
        self.xlim, self.ylim = xlim, ylim
        self.parts: list[str] = []

    def x(self, v: float) -> float:
        a, b = self.xlim
        return self.left + (v - a) / (b - a) * (self.right - self.left)

    def y(self, v: float) -> float:
        a, b = self.ylim
        return self.bottom - (v - a) / (b - a) * (self.bottom - self.top)

    def text(self, x, y, s, *, size=10, anchor="start", fill=TICK, bold=False, vertical=False) -> None:
        a = f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size:g}" fill="{fill}"'
        if anchor != "start":
            a += f' text-anchor="{anchor}"'
        if bold:
            a += ' font-weight="bold"'
        if vertical:
            a += f' transform="rotate(-90 {_n(x)} {_n(y)})"'
        self.parts.append(f"{a}>{esc(s)}</text>")

    def rect(self, x0, y0, x1, y1, fill, *, stroke="", width=0.0, tip="") -> None:
        x0, x1 = min(x0, x1), max(x0, x1)
        y0, y1 = min(y0, y1), max(y0, y1)
        a = f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" fill="{fill}"'
        if stroke:
            a += f' stroke="{stroke}" stroke-width="{width:g}"'
        self.parts.append(f"{a}><title>{esc(tip)}</title></rect>" if tip else f"{a}/>")

    def line(self, x0, y0, x1, y1, colour, *, width=1.0, dash="") -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{_n(x0)}" y1="{_n(y0)}" x2="{_n(x1)}" y2="{_n(y1)}" stroke="{colour}" '
            f'stroke-width="{width:g}"{d}/>'
        )

    def title(self, s: str) -> None:
        self.text(6, 17, s, size=13, fill=INK, bold=True)

    def xaxis(self, ticks=(), labels=(), label: str = "") -> None:
        self.line(self.left, self.bottom, self.right, self.bottom, AXIS)
        for t, s in zip(ticks, labels, strict=True):
            x = self.x(t)
            self.line(x, self.bottom, x, self.bottom + 4, AXIS)
            self.text(x, self.bottom + 16, s, anchor="middle")
        if label:
            self.text(
                (self.left + self.right) / 2, self.bottom + 32, label, size=11, anchor="middle", fill=INK
            )

    def yaxis(self, ticks=(), labels=(), label: str = "") -> None:
        """Left axis with light grid lines (drawn first, so under the data)."""
        for t, s in zip(ticks, labels, strict=True):
            y = self.y(t)
            if t != self.ylim[0]:
                self.line(self.left, y, self.right, y, GRID)
            self.line(self.left - 4, y, self.left, y, AXIS)
            self.text(self.left - 7, y + 3.5, s, anchor="end")
        if label:
            self.text(
                15, (self.top + self.bottom) / 2, label, size=11, anchor="middle", fill=INK, vertical=True
            )

    def spine(self) -> None:
        self.line(self.left, self.top, self.left, self.bottom, AXIS)

    def vline(self, v: float, colour: str, dash: str) -> None:
        self.line(self.x(v), self.top, self.x(v), self.bottom, colour, width=1.5, dash=dash)

    def legend(self, items, y: float, right: float | None = None, size: float = 10) -> None:
        """``items``: (colour, label, style) with style "box", "outline" or a dash pattern
        for a line; centred under the plot, or ending at ``right``."""
        widths = [19 + len(label) * size * GLYPH for _, label, _ in items]
        total = sum(widths) + 16 * (len(items) - 1)
        x = (self.left + self.right - total) / 2 if right is None else right - total
        for (colour, label, style), w in zip(items, widths, strict=True):
            if style in ("box", "outline"):
                self.rect(
                    x, y - 9, x + 12, y + 1, colour, stroke=GREY if style == "outline" else "", width=0.8
                )
            else:
                self.line(x, y - 4, x + 14, y - 4, colour, width=1.5, dash=style)
            self.text(x + 19, y, label, size=size, fill=INK)
            x += w + 16

    def empty(self, s: str) -> None:
        self.text(
            (self.left + self.right) / 2, (self.top + self.bottom) / 2, s, size=12, anchor="middle", fill=AXIS
        )

    def svg(self) -> str:
        return (
            f'<svg viewBox="0 0 {_n(self.width)} {_n(self.height)}" role="img" class="chart-svg" '
            f'aria-labelledby="chart-{self.key}-title">' + "".join(self.parts) + "</svg>"
        )


def _small(key: str, title: str, left: float = 52, right: float = 14) -> _Chart:
    w, h = SMALL
    c = _Chart(key, w, h, (left, 30, w - right, h - 64))
    c.title(title)
    return c


def _score_chart(scores: list[float]) -> str:
    c = _small("scores", "How good are the pairs?")
    if not scores:
        c.xlim = (0.0, 100.0)
        c.spine()
        c.yaxis(label="number of pairs")
        c.xaxis(range(0, 101, 20), [str(t) for t in range(0, 101, 20)], "pair score (0–100)")
        c.empty("No pairs to show")
        return c.svg()
    lo = max(0.0, min(50.0, math.floor((min(scores) - 2.5) / 10) * 10))
    edges = np.arange(lo, 100.0 + 2.5, 2.5)
    counts = np.histogram(scores, bins=edges)[0]
    ticks = _count_ticks(int(counts.max()) * 1.08)
    c.xlim, c.ylim = (lo, 100.0), (0.0, float(ticks[-1]))
    c.yaxis(ticks, [str(t) for t in ticks], "number of pairs")
    for a, b, k in zip(edges[:-1], edges[1:], counts.tolist(), strict=True):
        if k:
            tip = f"score {a:g}–{b:g}: {k} pair{'s' * (k != 1)}"
            c.rect(c.x(a), c.y(k), c.x(b), c.y(0), BLUE, stroke="#fff", width=0.6, tip=tip)
    c.spine()
    xt = list(range(int(lo), 101, 10))
    c.xaxis(xt, [str(t) for t in xt], "pair score (0–100)")
    mean, low = float(np.mean(scores)), float(min(scores))
    c.vline(mean, ORANGE, "5 3")
    c.vline(low, RED, "1.5 2.5")
    c.legend([(ORANGE, f"mean {mean:.1f}", "5 3"), (RED, f"lowest {low:.1f}", "1.5 2.5")], c.height - 8)
    return c.svg()


def _cs_chart(
    matched: dict[str, float | None], allowed: dict[str, float | None], allowed_label: str, n_pairs: int
) -> str:
    c = _small("cs", "Average of each C", left=92, right=38)
    cs = list(FIVE_CS)
    c.ylim = (0.0, float(len(cs)))
    for t in (0.25, 0.5, 0.75, 1.0):
        c.line(c.x(t), c.top, c.x(t), c.bottom, GRID)
    band = c.y(0) - c.y(1)
    h = 0.36 * band
    for k, name in enumerate(cs):
        mid = c.y(len(cs) - k - 0.5)
        c.text(c.left - 7, mid + 4, name, size=11, anchor="end", fill=INK)
        v, w = matched.get(name), allowed.get(name)
        if v is None and w is None:
            c.text(c.left + 5, mid + 3.5, "not in use", fill=AXIS)
            continue
        for val, colour, y0, ink, who in (
            (v, BLUE, mid - h, INK, "chosen pairs"),
            (w, BLUE_LIGHT, mid, TICK, allowed_label),
        ):
            if val is None:
                continue
            c.rect(c.x(0), y0, c.x(val), y0 + h, colour, tip=f"{name}, {who}: {val:.2f}")
            c.text(c.x(val) + 4, y0 + h / 2 + 3.5, f"{val:.2f}", size=9.5, fill=ink)
    c.spine()
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    c.xaxis(ticks, [f"{t:.2f}" for t in ticks], "average value (0–1)")
    if not n_pairs:
        c.text(c.right, c.bottom - 6, "no pairs chosen", anchor="end", fill=AXIS)
    c.legend([(BLUE, "chosen pairs", "box"), (BLUE_LIGHT, allowed_label, "box")], c.height - 8)
    return c.svg()


def _readiness_chart(readiness: list[float], matched: list[bool], min_readiness: float) -> str:
    c = _small("readiness", "Mentee readiness")
    xt = [k / 5 for k in range(6)]
    if not readiness:
        c.spine()
        c.yaxis(label="number of mentees")
        c.xaxis(xt, [f"{t:.1f}" for t in xt], "readiness (0–1)")
        c.empty("No mentees")
        return c.svg()
    edges = np.linspace(0.0, 1.0, 11)
    r = np.asarray(readiness, dtype=float)
    m = np.asarray(matched, dtype=bool)
    yes = np.histogram(r[m], bins=edges)[0].tolist()
    no = np.histogram(r[~m], bins=edges)[0].tolist()
    ticks = _count_ticks(max(a + b for a, b in zip(yes, no, strict=True)) * 1.08)
    c.ylim = (0.0, float(ticks[-1]))
    c.yaxis(ticks, [str(t) for t in ticks], "number of mentees")
    for a, b, k, u in zip(edges[:-1], edges[1:], yes, no, strict=True):
        tip = f"readiness {a:.1f}–{b:.1f}: {k} matched, {u} not matched"
        if k:
            c.rect(c.x(a), c.y(k), c.x(b), c.y(0), BLUE, stroke="#fff", width=0.6, tip=tip)
        if u:
            c.rect(c.x(a), c.y(k + u), c.x(b), c.y(k), ORANGE, stroke="#fff", width=0.6, tip=tip)
    c.spine()
    c.xaxis(xt, [f"{t:.1f}" for t in xt], "readiness (0–1)")
    if min_readiness > 0:
        c.vline(min_readiness, RED, "1.5 2.5")
        right = min_readiness > 0.6
        x = c.x(min_readiness) + (-4 if right else 4)
        c.text(
            x, c.top + 10, f"min_readiness {min_readiness:g}", anchor="end" if right else "start", fill=RED
        )
    n_yes = int(m.sum())
    c.legend(
        [(BLUE, f"matched ({n_yes})", "box"), (ORANGE, f"not matched ({m.size - n_yes})", "box")],
        c.height - 8,
    )
    return c.svg()


def _load_chart(mentor_ids: list[str], capacity: list[int], load: list[int]) -> str:
    n = len(mentor_ids)
    used = sum(1 for x in load if x > 0)
    labelled = 0 < n <= 80
    size = 9 if n <= 40 else 8
    ids = [m if len(m) <= 14 else m[:4] + "…" + m[-9:] for m in mentor_ids]  # ids differ at the end
    below = (max(map(len, ids)) * size * GLYPH + 14) if labelled else 40
    height = 30 + 190 + below
    c = _Chart("load", WIDE, height, (52, 30, WIDE - 14, height - below))
    c.title(
        f"Mentor load against capacity: {used} of {n} mentors used, {sum(load)} of {sum(capacity)} places"
    )
    if n == 0:
        c.spine()
        c.yaxis(label="mentees")
        c.xaxis()
        c.empty("No mentors")
        return c.svg()
    order = sorted(range(n), key=lambda j: (-capacity[j], -load[j], j))
    slots = max(n, 40)  # a few mentors keep narrow bars
    c.xlim = (-0.6, slots - 0.4)
    ticks = _count_ticks(max(1, *capacity, *load) * 1.15)
    c.ylim = (0.0, float(ticks[-1]))
    c.yaxis(ticks, [str(t) for t in ticks], "mentees")
    half = 0.4 * (c.x(1) - c.x(0))
    outline = half >= 2.5  # an outline on a bar a few units wide would hide its fill
    over_any = False
    for pos, j in enumerate(order):
        x0, x1 = c.x(pos) - half, c.x(pos) + half
        cap, ld = capacity[j], load[j]
        over = ld > cap
        over_any |= over
        tip = f"{mentor_ids[j]}: {ld} of {cap} place{'s' * (cap != 1)} used" + (
            " (over capacity)" if over else ""
        )
        c.parts.append(f"<g><title>{esc(tip)}</title>")
        if cap > 0:
            c.rect(x0, c.y(cap), x1, c.y(0), CAPACITY, stroke=GREY if outline else "", width=0.8)
        if ld > 0:
            c.rect(x0, c.y(ld), x1, c.y(0), ORANGE if over else BLUE)
        c.parts.append("</g>")
    c.spine()
    if labelled:
        c.xaxis()
        for pos, j in enumerate(order):
            c.text(c.x(pos) + size * 0.35, c.bottom + 6, ids[j], size=size, anchor="end", vertical=True)
    else:
        c.xaxis(label=f"{n} mentors, most capacity first")
    items = [(CAPACITY, "capacity", "outline"), (BLUE, "mentees given", "box")]
    if over_any:
        items.append((ORANGE, "over capacity", "box"))
    c.legend(items, 17, right=c.right)
    return c.svg()


def _allowed_means(result) -> tuple[dict[str, float | None], bool]:
    """Average of each C over every pair the rules allow (eligible mentees only); with
    candidate sets (very large cohorts) over the candidate pairs. (means, from candidates)"""
    s = result.scores
    comps, sparse = result.problem.allowed_components(s)
    out: dict[str, float | None] = {}
    for k, c in enumerate(FIVE_CS):
        vals = comps[k]
        ok = ~np.isnan(vals)
        n = int(ok.sum())
        out[c] = float(vals[ok].sum(dtype=np.float64) / n) if n and c in s.used else None
    return out, sparse


def charts_svg(result, pairs_table) -> list[tuple[str, str, str]]:
    """The four charts as (key, caption, inline SVG); deterministic, works with no pairs."""
    header, rows = pairs_table
    col = {h: k for k, h in enumerate(header)}
    scores = [v for v in (_float(r[col["score"]]) for r in rows) if v is not None] if "score" in col else []
    matched_means: dict[str, float | None] = {}
    for c in FIVE_CS:
        vals = [v for v in (_float(r[col[c]]) for r in rows) if v is not None] if c in col else []
        matched_means[c] = math.fsum(vals) / len(vals) if vals else None
    allowed_means, sparse = _allowed_means(result)
    cohort, s = result.cohort, result.scores
    mentor_ids = [str(x) for x in cohort.mentor_ids]
    capacity = [int(x) for x in cohort.capacity]
    given = Counter(str(r[col["mentor_id"]]) for r in rows) if "mentor_id" in col else Counter()
    load = [given.get(m, 0) for m in mentor_ids]
    matched_ids = {str(r[col["mentee_id"]]) for r in rows} if "mentee_id" in col else set()
    readiness = np.asarray(s.readiness, dtype=float).tolist()
    matched = [str(e) in matched_ids for e in cohort.mentee_ids]
    min_ready = float(result.config.rules.min_readiness)
    cs_caption = CAPTIONS["cs"] + (CS_SPARSE if sparse else "")
    allowed_label = "candidate pairs" if sparse else "all allowed pairs"
    return [
        ("scores", CAPTIONS["scores"], _score_chart(scores)),
        ("cs", cs_caption, _cs_chart(matched_means, allowed_means, allowed_label, len(rows))),
        ("readiness", CAPTIONS["readiness"], _readiness_chart(readiness, matched, min_ready)),
        ("load", CAPTIONS["load"], _load_chart(mentor_ids, capacity, load)),
    ]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

BELOW_LABELS = {"why": "why this pair"}
MERGED = {"mentee_id": "mentee_name", "mentor_id": "mentor_name"}  # id column → name shown under it
NUMERIC = (*UNIT_COLUMNS, "score", "rank", "delta_total", "delta_matched", "moves")


def _unit_cell(text: str) -> str:
    v = _float(text)
    if v is None:
        return '<td class="c na" data-v="">–</td>'
    pct = max(0.0, min(100.0, v * 100))
    return f'<td class="c" data-v="{esc(text)}"><i style="--w:{pct:.1f}%"></i>{esc(text)}</td>'


LINKABLE = ("mentee_id", "mentor_id", "old_mentor_id", "new_mentor_id")


class Cells:
    """Render table cells by column name: bars for the Cs, coloured chips for scores.

    ``link(column, id, mentee, in_alternatives)`` → an address or None: when given (the
    review app), ids become links; ``mentee`` is the id of the row's mentee (the
    alternatives' own mentee inside their block). The static report gives none.
    """

    def __init__(self, scrub: Scrubber, score_scale: tuple[float, float, float], link=None):
        self.scrub = scrub
        self.scale = score_scale
        self.link = link
        self.mentee = ""  # the mentee of the row being drawn (for links)
        self.in_alternatives = False
        self.memo: dict[tuple[bool, str], str] = {}  # the Cs and scores repeat a lot
        self.heads: dict[tuple, str] = {}  # alternatives tables share a few headers

    def _id(self, col: str, text: str) -> str:
        """An id, escaped, as a link when the ``link`` hook gives one."""
        href = self.link(col, text, self.mentee, self.in_alternatives) if self.link and text else None
        return f'<a href="{esc(href)}">{esc(text)}</a>' if href else esc(text)

    def cell(self, col: str, value, name=None) -> str:
        text = "" if value is None else str(value)
        if col in UNIT_COLUMNS or col == "score":
            key = (col == "score", text)
            out = self.memo.get(key)
            if out is None:
                out = self.memo[key] = self._score_cell(text) if key[0] else _unit_cell(text)
            return out
        if name is not None:  # an id with the person's name under it
            sub = f"<span>{esc(self.scrub(name))}</span>" if str(name) else ""
            return f'<td class="who" data-v="{esc(text)}"><b>{self._id(col, text)}</b>{sub}</td>'
        if self.link is not None and col in LINKABLE:
            return f'<td data-v="{esc(text)}">{self._id(col, text)}</td>'
        if col == "status":
            cls = re.sub(r"[^a-z]", "", text.lower())
            return f'<td><span class="badge st-{cls}">{esc(text)}</span></td>'
        if col in ("delta_total", "delta_matched"):
            v = _float(text)
            cls = " neg" if v is not None and v < 0 else " pos" if v is not None and v > 0 else ""
            shown = f"+{text}" if v is not None and v > 0 else text
            return f'<td class="n{cls}" data-v="{esc(text)}">{esc(shown)}</td>'
        if col in ("why", "reason"):
            return f'<td class="txt">{esc(self.scrub(text))}</td>'
        if col in NUMERIC or (_float(text) is not None and not col.endswith("_id")):
            return f'<td class="n" data-v="{esc(text)}">{esc(text)}</td>'
        return f"<td>{esc(self.scrub(text))}</td>"

    def _score_cell(self, text: str) -> str:
        v = _float(text)
        if v is None:
            return f'<td class="n" data-v="">{esc(text)}</td>'
        bg = _score_colour(v, *self.scale)
        return f'<td class="n" data-v="{esc(text)}"><span class="chip" style="background:{bg}">{esc(text)}</span></td>'


def _columns(header: list[str], rows: list[list], anonymise: bool, skip=()) -> list[tuple[int, int | None]]:
    """Displayed columns as (index, index of the name merged under it or None)."""
    pos = {h: k for k, h in enumerate(header)}
    merged_names = {pos[n] for i, n in MERGED.items() if i in pos and n in pos}
    out = []
    for k, h in enumerate(header):
        if h in skip or k in merged_names or (anonymise and h in NAME_COLUMNS):
            continue
        name = pos.get(MERGED.get(h, ""))
        out.append((k, None if anonymise else name))
    return sorted(out, key=lambda c: header[c[0]] != "status")  # a rematch's status first


def _kind(col: str, rows: list[list], k: int) -> str:
    if col in NUMERIC:
        return "num"
    vals = [str(r[k]) for r in rows if str(r[k]) != ""]
    numeric = bool(vals) and not col.endswith("_id") and all(_float(v) is not None for v in vals)
    return "num" if numeric else "text"


def _thead(header, cols, rows, sortable: bool, extra: str = "", memo: dict | None = None) -> str:
    kinds = tuple(_kind(header[k], rows, k) for k, _ in cols)
    key = (tuple(header), tuple(cols), kinds, sortable, extra)
    if memo is not None and key in memo:
        return memo[key]
    cells = []
    for (k, _), kind in zip(cols, kinds, strict=True):
        col = header[k]
        label = esc(_label(col) if col not in MERGED else col.split("_")[0])
        if sortable:
            cells.append(
                f'<th data-key="{esc(col)}" data-type="{kind}" class="{kind}" aria-sort="none">'
                f'<button type="button" class="sort">{label}<span class="arrow" aria-hidden="true"></span>'
                "</button></th>"
            )
        else:
            cells.append(f'<th class="{kind}">{label}</th>')
    out = "<thead><tr>" + "".join(cells) + extra + "</tr></thead>"
    if memo is not None:
        memo[key] = out
    return out


def _row(header, cols, r, cells: Cells) -> str:
    return "".join(cells.cell(header[k], r[k], None if n is None else r[n]) for k, n in cols)


def _alt_block(header: list[str], mine: list[list], mentee_id: str, cells: Cells, anonymise: bool) -> str:
    """The mentee's ranked alternatives (``mine``: their rows of the alternatives table)."""
    if not mine:
        return '<p class="muted">No other mentor is allowed for this mentee.</p>'
    skip = ["mentee_id"]
    if "reason" in header and not any(str(r[header.index("reason")]) for r in mine):
        skip.append("reason")
    cols = _columns(header, mine, anonymise, skip)
    cells.mentee, cells.in_alternatives = mentee_id, True
    body = "".join(f"<tr>{_row(header, cols, r, cells)}</tr>" for r in mine)
    cells.in_alternatives = False
    return (
        f'<table class="alts"><caption>Ranked alternatives for {esc(mentee_id)}</caption>'
        f"{_thead(header, cols, mine, sortable=False, memo=cells.heads)}<tbody>{body}</tbody></table>"
    )


def _item_table(
    table_id: str,
    table,
    alts,
    cells: Cells,
    anonymise: bool,
    caption: str,
    below=(),
    highlight=frozenset(),
    lazy: str | None = None,
    below_labels: dict | None = None,
) -> str:
    """A sortable, filterable table with one <tbody> per row, so that the row's second line
    (``below`` columns, e.g. ``why``, labelled by ``below_labels`` or :data:`BELOW_LABELS`)
    and its alternatives move with it. Rows whose id is
    in ``highlight`` get the class ``changed``. ``lazy`` (the review app): no alternatives
    inline; each row's ▸ opens a cell whose ``data-src`` (``lazy`` + the mentee id) the
    app's script fetches."""
    header, rows = table
    below = [c for c in below if c in header]
    labels = {**BELOW_LABELS, **(below_labels or {})}
    cols = _columns(header, rows, anonymise, skip=below)
    id_col = header.index("mentee_id") if "mentee_id" in header else None
    with_alts = (alts is not None or lazy is not None) and id_col is not None
    alt_rows: dict[str, list[list]] = {}
    if with_alts and alts is not None:
        for r in alts[1]:
            alt_rows.setdefault(str(r[0]), []).append(r)
    extra = '<th class="toggle-col">alternatives</th>' if with_alts else ""
    ncols = len(cols) + (1 if with_alts else 0)
    parts = [
        f'<table id="{table_id}" class="data sortable"><caption class="sr">{esc(caption)}</caption>',
        _thead(header, cols, rows, sortable=True, extra=extra),
    ]
    for n, r in enumerate(rows):
        mid = str(r[id_col]) if id_col is not None else str(n)
        cells.mentee = mid
        main = _row(header, cols, r, cells)
        more = "".join(
            f'<tr class="below"><td colspan="{ncols}"><span class="lbl">{esc(labels.get(c, _label(c)))}:</span> '
            f"{esc(cells.scrub(r[header.index(c)]))}</td></tr>"
            for c in below
            if str(r[header.index(c)])
        )
        detail = ""
        if with_alts and lazy is not None:
            did = f"{table_id}-alt-{n}"
            main += (
                f'<td class="toggle-col"><button type="button" class="toggle" aria-expanded="false" '
                f'aria-controls="{did}" title="show the ranked alternatives">▸ …</button></td>'
            )
            src = lazy + urllib.parse.quote(mid, safe="")
            detail = (
                f'<tr class="detail" id="{did}" hidden><td colspan="{ncols}" data-src="{esc(src)}"></td></tr>'
            )
        elif with_alts:
            did = f"{table_id}-alt-{n}"
            main += (
                f'<td class="toggle-col"><button type="button" class="toggle" aria-expanded="false" '
                f'aria-controls="{did}" title="show the ranked alternatives">▸ {len(alt_rows.get(mid, ()))}</button></td>'
            )
            detail = (
                f'<tr class="detail" id="{did}" hidden><td colspan="{ncols}">'
                f"{_alt_block(alts[0], alt_rows.get(mid, []), mid, cells, anonymise)}</td></tr>"
            )
        cls = "item changed" if mid in highlight else "item"
        parts.append(
            f'<tbody class="{cls}" data-id="{esc(mid)}"><tr class="main">{main}</tr>{more}{detail}</tbody>'
        )
    if not rows:
        parts.append(f'<tbody class="empty"><tr><td colspan="{ncols}" class="muted">None.</td></tr></tbody>')
    parts.append("</table>")
    return "".join(parts)


# ---------------------------------------------------------------------------
# Page
# ---------------------------------------------------------------------------

CSS = """
:root{--ink:#1a202c;--muted:#4a5568;--line:#e2e8f0;--bg:#f7fafc;--blue:#2b6cb0;--blue-l:#bfd4ec}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1400px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
.sub,.muted{color:var(--muted)}
.small{font-size:12px}
.sr{position:absolute;left:-9999px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:18px 0}
.kpi{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.kpi .v{font-size:24px;font-weight:700}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi .d{color:var(--muted);font-size:12px}
.settings{display:grid;grid-template-columns:1fr 2fr;gap:12px}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.panel h3{font-size:14px;margin:0 0 8px}
.pill{display:inline-block;border:1px solid var(--line);background:var(--bg);border-radius:999px;padding:1px 9px;margin:2px 3px 2px 0;font-size:12.5px}
.pill b{font-weight:600}
.warn{background:#fffaf0;border:1px solid #f6ad55;border-radius:10px;padding:10px 16px}
.charts{display:grid;grid-template-columns:repeat(3,1fr);gap:14px}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px}
figure.wide{grid-column:1/-1}
figcaption{font-size:12px;color:var(--muted);padding:4px 6px 0}
.chart-svg{width:100%;height:auto;display:block}
.chart-svg *{stroke-linejoin:round;stroke-linecap:butt}
.toolbar{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin:8px 0}
.toolbar input{font:inherit;padding:6px 10px;border:1px solid #cbd5e0;border-radius:6px;min-width:320px}
.toolbar button{font:inherit;font-size:13px;padding:5px 10px;border:1px solid #cbd5e0;border-radius:6px;background:#fff;cursor:pointer}
.wrap{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:10px}
table.data{border-collapse:collapse;width:100%;font-size:13px}
table.data th{position:sticky;top:0;background:#edf2f7;z-index:1;text-align:left;font-weight:600;font-size:12px;padding:0;border-bottom:1px solid #cbd5e0;white-space:nowrap}
table.data th.num{text-align:right}
table.data th:not(:has(button)){padding:7px 8px}
th button.sort{all:unset;cursor:pointer;display:block;padding:7px 8px}
th button.sort:focus-visible{outline:2px solid var(--blue)}
th .arrow{display:inline-block;width:1em;color:var(--blue)}
th[aria-sort=ascending] .arrow::after{content:"▲"}
th[aria-sort=descending] .arrow::after{content:"▼"}
table.data td{padding:6px 8px;vertical-align:top}
tbody.item{border-top:1px solid var(--line)}
tbody.item:hover>tr:not(.detail){background:#f3f8fe}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.c{white-space:nowrap;font-variant-numeric:tabular-nums;font-size:12px}
td.c i{display:inline-block;width:40px;height:8px;margin-right:5px;vertical-align:middle;border-radius:4px;background:#e2e8f0 linear-gradient(var(--blue),var(--blue)) no-repeat;background-size:var(--w) 100%}
td.txt{font-size:12.5px;color:#2d3748;min-width:240px}
td.who{white-space:nowrap}
td.who b{font-weight:600;display:block}
td.who span{color:var(--muted);font-size:12.5px;display:block}
tr.below>td{border-top:0;padding:0 8px 8px;font-size:12.5px;color:#2d3748}
tr.below .lbl{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.04em}
td.neg{color:#9b2c2c}
td.pos{color:#276749}
.chip{display:inline-block;min-width:50px;text-align:right;padding:1px 6px;border-radius:5px;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;background:#edf2f7}
.st-kept{background:#e6fffa;color:#234e52}.st-changed{background:#fefcbf;color:#744210}.st-new{background:#ebf8ff;color:#2a4365}
button.toggle{font:inherit;font-size:12px;border:1px solid #cbd5e0;background:#fff;border-radius:6px;padding:2px 8px;cursor:pointer;white-space:nowrap}
button.toggle[aria-expanded=true]{background:var(--blue);color:#fff;border-color:var(--blue)}
tr.detail>td{background:#f0f5fb;padding:10px 14px 12px 40px}
table.alts{border-collapse:collapse;font-size:12.5px;background:#fff;border:1px solid var(--line)}
table.alts caption{text-align:left;font-weight:600;padding:0 0 4px}
table.alts th{background:#edf2f7;padding:4px 8px;font-size:12px;text-align:left;white-space:nowrap}
table.alts th.num{text-align:right}
table.alts td{padding:4px 8px;border-top:1px solid var(--line)}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media (max-width:1000px){.charts,.settings{grid-template-columns:1fr}}
@page{size:A4;margin:12mm}
@media print{body{background:#fff;font-size:9pt}main{max-width:none;padding:0}h1{font-size:18pt}h2{font-size:13pt;margin:16px 0 6px;break-after:avoid}
.toolbar,button.toggle,.toggle-col,tr.detail{display:none!important}
.kpis{grid-template-columns:repeat(6,1fr);gap:6px;margin:8px 0}.kpi{padding:6px 8px}.kpi .v{font-size:14pt}
.charts{grid-template-columns:1fr 1fr;gap:8px}figure{break-inside:avoid;padding:4px}
.wrap{overflow:visible;border:0;border-radius:0}
table.data{font-size:7.5pt;width:100%}table.data th{position:static;white-space:normal}th button.sort{padding:3px 4px}
table.data td{padding:2px 4px}td.c i{display:none}td.who,td.c,td.n{white-space:normal}td.txt{min-width:0}
tr.below>td{padding:0 4px 3px;font-size:7pt}tbody.item{break-inside:avoid}td.who span{font-size:7pt}
.chip{min-width:0;padding:0 3px}section>p.muted.small{display:none}figcaption{font-size:7.5pt}}
"""

JS = r"""
"use strict";
(() => {
  const errors = [];
  window.addEventListener("error", (e) => {
    errors.push(String(e.message));
    document.body.dataset.jsErrors = errors.join(" | ");
  });
  const collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
  const tables = {};

  function setup(table) {
    const items = () => Array.from(table.tBodies).filter((b) => b.classList.contains("item"));
    const heads = Array.from(table.tHead.rows[0].cells);
    const input = document.querySelector(`input[data-filter-for="${table.id}"]`);
    const shown = document.querySelector(`[data-shown-for="${table.id}"]`);
    const texts = new Map();
    for (const b of items()) {
      const rows = Array.from(b.rows).filter((r) => !r.classList.contains("detail"));
      texts.set(b, rows.map((r) => r.textContent).join(" ").toLowerCase());
    }

    function filter(query) {
      const needle = String(query || "").trim().toLowerCase();
      let n = 0;
      for (const b of items()) {
        const hit = !needle || texts.get(b).includes(needle);
        b.hidden = !hit;
        if (hit) n += 1;
      }
      if (shown) shown.textContent = String(n);
      table.dataset.shown = String(n);
    }

    function sort(key, dir) {
      const col = heads.findIndex((th) => th.dataset.key === key);
      if (col < 0) return;
      const th = heads[col];
      const num = th.dataset.type === "num";
      const sign = dir === "desc" ? -1 : 1;
      const value = (b) => {
        const cell = b.rows[0].cells[col];
        const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
        if (!num) return raw;
        const x = parseFloat(raw);
        return Number.isFinite(x) ? x : null;
      };
      const rows = items().map((b, i) => ({b, i, v: value(b)}));
      rows.sort((a, c) => {
        if (num && (a.v === null || c.v === null)) {
          if (a.v === c.v) return a.i - c.i;
          return a.v === null ? 1 : -1;
        }
        const r = num ? a.v - c.v : collator.compare(a.v, c.v);
        return sign * r || a.i - c.i;
      });
      for (const r of rows) table.appendChild(r.b);
      for (const h of heads) if (h.dataset.key) h.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", dir === "desc" ? "descending" : "ascending");
      table.dataset.sort = `${key}:${dir}`;
    }

    for (const th of heads) {
      const button = th.querySelector("button.sort");
      if (!button) continue;
      button.addEventListener("click", () => {
        const now = th.getAttribute("aria-sort");
        const first = th.dataset.type === "num" ? "desc" : "asc";
        sort(th.dataset.key, now === "none" ? first : now === "ascending" ? "desc" : "asc");
      });
    }
    if (input) input.addEventListener("input", () => filter(input.value));
    filter(input ? input.value : "");
    return {table, filter, sort, input};
  }

  function toggle(button, open) {
    const row = document.getElementById(button.getAttribute("aria-controls"));
    if (!row) return;
    const show = open === undefined ? row.hidden : open;
    row.hidden = !show;
    button.setAttribute("aria-expanded", show ? "true" : "false");
    button.textContent = (show ? "▾ " : "▸ ") + button.textContent.slice(2);
  }

  function fromHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    const t = tables["pairs-table"];
    if (!t) return;
    if (p.has("filter")) {
      if (t.input) t.input.value = p.get("filter");
      t.filter(p.get("filter"));
    }
    if (p.has("sort")) t.sort(p.get("sort"), p.get("dir") === "desc" ? "desc" : "asc");
    if (p.has("open")) {
      const ids = new Set(p.get("open").split(","));
      for (const b of document.querySelectorAll("tbody.item")) {
        const button = b.querySelector("button.toggle");
        if (button && ids.has(b.dataset.id)) toggle(button, true);
      }
    }
  }

  for (const table of document.querySelectorAll("table.sortable")) tables[table.id] = setup(table);
  for (const button of document.querySelectorAll("button.toggle")) {
    button.addEventListener("click", () => toggle(button));
  }
  for (const button of document.querySelectorAll("button[data-all]")) {
    button.addEventListener("click", () => {
      const open = button.dataset.all === "open";
      const scope = document.getElementById(button.dataset.scope);
      for (const b of scope.querySelectorAll("tbody.item:not([hidden]) button.toggle")) toggle(b, open);
    });
  }
  fromHash();
  window.addEventListener("hashchange", fromHash);
  document.body.dataset.ready = "1";
})();
"""


def _kpi(label: str, value: str, detail: str = "") -> str:
    d = f'<div class="d">{detail}</div>' if detail else ""
    return f'<div class="kpi"><div class="l">{esc(label)}</div><div class="v">{value}</div>{d}</div>'


def _headline(summary: dict, scrub: Scrubber) -> str:
    g = summary.get
    matched, total = g("matched", 0), g("mentees", 0)
    pct = f"{100 * matched / total:.0f}% of mentees" if total else ""
    kpis = [
        _kpi("Mentees matched", f"{esc(matched)} / {esc(total)}", esc(pct)),
        _kpi(
            "Mentors used",
            f"{esc(g('mentors_used', 0))} / {esc(g('mentors', 0))}",
            esc(f"total capacity {g('total_capacity', '–')}"),
        ),
        _kpi("Mean pair score", esc(_fmt(g("score_mean"))), "0–100"),
        _kpi("Lowest pair score", esc(_fmt(g("score_min"))), "0–100"),
        _kpi(
            "Solver",
            esc(g("status", "–")),
            esc(f"{g('solver', '')}" + ("; independent check passed" if g("checked") else "")),
        ),
    ]
    if g("below_min_readiness"):
        kpis.append(_kpi("Below min readiness", esc(g("below_min_readiness")), "need a preparation step"))
    out = ['<section id="headline" aria-label="headline">']
    gaps = summary.get("scoring_warnings") or []
    if gaps:  # at the very top: the pairing was made without these
        items = "".join(f"<li>{esc(scrub(w))}</li>" for w in gaps)
        out.append(
            '<div class="warn" id="not-scored"><b>Not everything could be scored</b> — these pairs were '
            f"chosen without:<ul>{items}</ul></div>"
        )
    out += ['<div class="kpis">', *kpis, "</div>"]
    if "round" in summary:
        approval = summary.get("approval")
        keys = ("kept", "changed", "new", "released") + (() if approval else ("failed",))
        bits = ", ".join(f"{k} {esc(summary[k])}" for k in keys if k in summary)
        if approval:  # the declined pairs are the round's failed ones: said once, as declined
            answers = ", ".join(f"{k} {esc(v)}" for k, v in approval.items())
            out.append(
                f'<p class="panel"><b>Mentor approval, round {esc(summary["round"])}:</b> {answers}; {bits}.</p>'
            )
        else:
            out.append(f'<p class="panel"><b>Rematch, round {esc(summary["round"])}:</b> {bits}.</p>')
    weights = summary.get("weights") or {}
    used = set(summary.get("cs_used") or weights)
    wpills = "".join(
        f'<span class="pill"><b>{esc(c)}</b> {esc(_fmt(w, 2) if isinstance(w, float) else w)}'
        + ("" if c in used else " (not in use)")
        + "</span>"
        for c, w in weights.items()
    )
    rules = dict(summary.get("rules") or {})
    applied = rules.pop("applied", [])
    rpills = "".join(f'<span class="pill"><b>{esc(r)}</b></span>' for r in applied)
    settings = "".join(
        f'<span class="pill">{esc(k.replace("_", " "))}: <b>{esc(_setting(v))}</b></span>'
        for k, v in rules.items()
        if v is not None and v is not False and v != []
    )
    left_out = summary.get("inputs_left_out") or []
    extra = (
        f'<p class="small muted">Inputs left out (columns absent): {esc(", ".join(map(str, left_out)))}</p>'
        if left_out
        else ""
    )
    out.append(
        '<div class="settings">'
        f'<div class="panel"><h3>Weights of the five Cs</h3>{wpills or "<span class=muted>none</span>"}{extra}</div>'
        f'<div class="panel"><h3>Hard rules in force</h3><div>{rpills or "<span class=muted>none</span>"}</div>'
        f'<h3 style="margin-top:8px">Settings</h3><div>{settings}</div></div>'
        "</div>"
    )
    warnings = summary.get("warnings") or []
    if warnings:
        items = "".join(f"<li>{esc(scrub(w))}</li>" for w in warnings)
        out.append(f'<div class="warn" id="warnings"><b>Warnings</b><ul>{items}</ul></div>')
    out.append("</section>")
    return "".join(out)


def _setting(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return "–".join(str(x) for x in v)
    return str(v)


CAPTIONS = {
    "scores": "Each bar counts the pairs whose score falls in a 2.5-point band; dashed: the mean, dotted: the lowest pair.",
    "cs": "Dark: the average of each C over the chosen pairs; light: over every pair the rules allow. "
    "Dark longer than light means the matching did better than chance on that C.",
    "load": "One bar per mentor, most capacity first: the pale bar is the mentor's capacity, the blue fill the "
    "mentees given (orange: over capacity). Hover a bar for the mentor's id and numbers.",
    "readiness": "Every mentee's readiness (the average of their five readiness answers, 0–1), matched or not.",
}
CS_SPARSE = (
    " This cohort is too large for every pair to be scored up front, so light averages the candidate pairs "
    "(each mentee's best allowed mentors) instead."
)


def _script_hash(js: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")


def render_sections(
    result,
    *,
    pairs_table: tuple[list[str], list[list]],
    unmatched_table: tuple[list[str], list[list]],
    alternatives_table: tuple[list[str], list[list]] | None = None,
    changes_table: tuple[list[str], list[list]] | None = None,
    summary: dict,
    anonymise: bool = False,
    link=None,
    highlight=frozenset(),
    lazy_alternatives: str | None = None,
    shown_rows: list[list] | None = None,
    filter_value: str = "",
    preferences_table: tuple[list[str], list[list]] | None = None,
) -> dict[str, str]:
    """The parts of the review page as HTML text (every value escaped): ``title``, ``sub``
    (plain text), ``headline``, ``charts``, ``pairs``, ``unmatched`` and ``changes`` (''
    without a changes table). The static report puts them together
    (:func:`render_report`); the review app shows the same parts with ``link`` (see
    :class:`Cells`), ``highlight`` (mentee ids whose rows are marked as changed) and
    ``lazy_alternatives`` (an address prefix: each mentee's alternatives are fetched when
    opened, see :func:`alternatives_html`, instead of drawn inline), ``shown_rows`` (the
    pairs table draws these rows only — a page of them — while the headline, charts and
    colours use every pair), ``filter_value`` (the filter box's text) and
    ``preferences_table`` (the choices section, '' without one)."""
    scrub = Scrubber(result, anonymise)
    p_rows = pairs_table[1]
    cells = Cells(scrub, _scale(pairs_table), link)
    has_alts = alternatives_table is not None
    lazy = lazy_alternatives
    shows_alts = has_alts or lazy is not None

    figs = []
    for key, caption, svg in charts_svg(result, pairs_table):
        wide = " wide" if key == "load" else ""
        figs.append(
            f'<figure class="chart{wide}" id="fig-{key}">{svg}'
            f'<figcaption id="chart-{key}-title">{esc(caption)}</figcaption></figure>'
        )
    charts_html = (
        f'<section id="charts"><h2>At a glance</h2><div class="charts">{"".join(figs)}</div></section>'
    )

    n_pairs = len(p_rows)
    shown = p_rows if shown_rows is None else shown_rows
    expand = (
        '<button type="button" data-all="open" data-scope="pairs-table">Expand all</button>'
        '<button type="button" data-all="close" data-scope="pairs-table">Collapse all</button>'
        if has_alts
        else ""
    )
    intro = (
        "Click a column heading to sort; type in the box to filter on any text of a pair (ids, names, "
        "departments, reasons). Bars show each C from 0 to 1; score colours run from the lowest pair (red) "
        "through the median (amber) to the highest (green)."
    )
    if in_objective(result.problem)[1]:
        intro += (
            " Rank is the mentor's place among the mentee's feasible mentors with the shortlist: the mentee's "
            "own feasible choices first (best score first), then the others by score"
            + (" plus choice bonus" if in_objective(result.problem)[0] else "")
            + " — so a chosen mentor ranks 1st even when another scores higher."
        )
    if shows_alts:
        intro += (
            " ▸ opens the mentee's ranked alternative mentors: Δ total score is what the whole programme's "
            "total pair score would change by if the mentee were given that mentor and everyone else "
            "re-optimised; moves counts the mentees who would move."
        )
    pairs_html = (
        f'<section id="pairs"><h2>Pairs ({n_pairs})</h2><p class="muted small">{esc(intro)}</p>'
        '<div class="toolbar"><label for="pairs-filter" class="sr">Filter pairs</label>'
        '<input id="pairs-filter" type="search" data-filter-for="pairs-table" '
        + (f'value="{esc(filter_value)}" ' if filter_value else "")
        + 'placeholder="Filter: id, name, department, topic…" autocomplete="off">'
        f'<span class="muted"><span data-shown-for="pairs-table">{len(shown)}</span> of {n_pairs} pairs shown</span>'
        f'{expand}</div><div class="wrap">'
        + _item_table(
            "pairs-table",
            (pairs_table[0], shown),
            alternatives_table,
            cells,
            anonymise,
            "Pairs",
            below=("why",),
            highlight=frozenset(highlight),
            lazy=lazy,
        )
        + "</div></section>"
    )

    u_rows = unmatched_table[1]
    if u_rows:
        note = "Each with the reason no mentor could take them" + (
            "; ▸ shows the nearest mentors and why each is out." if shows_alts else "."
        )
        body = (
            f'<p class="muted small">{esc(note)}</p><div class="wrap">'
            + _item_table(
                "unmatched-table",
                unmatched_table,
                alternatives_table,
                cells,
                anonymise,
                "Unmatched",
                lazy=lazy,
            )
            + "</div>"
        )
    else:
        body = '<p class="muted">Every mentee is matched.</p>'
    # With several mentors per mentee unmatched.csv also lists the partly matched.
    title = (
        "Unmatched and partly matched mentees"
        if "mentors_wanted" in unmatched_table[0]
        else "Unmatched mentees"
    )
    unmatched_html = f'<section id="unmatched"><h2>{title} ({len(u_rows)})</h2>{body}</section>'

    changes_html = ""
    if changes_table is not None:
        c_rows = changes_table[1]
        body = (
            '<div class="wrap">'
            + _item_table("changes-table", changes_table, None, cells, anonymise, "Changes")
            + "</div>"
            if c_rows
            else '<p class="muted">Nothing changed.</p>'
        )
        changes_html = f'<section id="changes"><h2>What changed since the last round ({len(c_rows)})</h2>{body}</section>'

    prefs_html = ""
    if preferences_table is not None and "preferences" in summary:
        pc = summary["preferences"]
        e, r = pc["mentees"], pc["mentors"]
        if "choices_stated" in e:  # several mentors per mentee: per choice, then per mentee
            ranks = ", ".join(f"{v} {k}" for k, v in e.items() if k[:1].isdigit())
            spread = ", ".join(
                f"{v} got {k.split('_')[1]}" for k, v in e.items() if k.startswith("got_") and v
            )
            got = (
                f"{e['choices_met']} of {e['choices_stated']} choices met ({ranks}; a mentee "
                f"counts once per choice met); {e['other']} got a mentor but no choice, {e['none']} "
                f"no mentor; by choices met per mentee: {spread}"
            )
        else:
            got = ", ".join(f"{v} {k}" for k, v in e.items() if k != "with_choices")
        counts = (
            f"{e['with_choices']} mentees stated choices: {got}. {r['with_choices']} mentors stated "
            f"choices: {r['choices_met']} of {r['choices_stated']} met. Pairs where both would rather "
            f"have each other than what they got: {pc['both_prefer_each_other']} (rows marked both)."
        )
        how = pc.get("choices_in_objective", "")
        if "bonus" in how:
            counts += (
                " Choices add bonus points to a pair in the solver's objective: rank, the alternatives' "
                "change in total (delta_total) and the objective include the bonus (the bonus column of "
                "pairs.csv); score and the five Cs shown do not."
            )
        if "shortlist" in how:
            from matcher.solve.problem import is_multi

            first = "as many" + (" pairs and mentees" if is_multi(result.problem) else "")
            first += ", the highest lowest pair score" if getattr(result.side, "fair", False) else ""
            counts += (
                f" Shortlist: after matching {first} and the readiest mentees, "
                + (
                    "as many choices as possible are met (each chosen mentor counts one)"
                    if is_multi(result.problem)
                    else "as many mentees as possible are matched within their own choices"
                )
                + "; a mentee's feasible choices rank first."
            )
        body = (
            '<div class="wrap">'
            + _item_table(
                "preferences-table",
                preferences_table,
                None,
                cells,
                anonymise,
                "Choices",
                below=("why",),
                below_labels={"why": "choices not met, and why"},
            )
            + "</div>"
            if preferences_table[1]
            else ""
        )
        prefs_html = (
            f'<section id="preferences"><h2>Choices: what each person asked for and got</h2>'
            f'<p class="muted small">{esc(counts)}</p>{body}</section>'
        )

    title = "Mentor matching report" + (f" — round {summary['round']}" if "round" in summary else "")
    sub = (
        f"{summary.get('matched', 0)} of {summary.get('mentees', 0)} mentees matched with "
        f"{summary.get('solver', '')} ({summary.get('status', '')})"
        + (" · anonymised: names and emails replaced by ids" if anonymise else "")
    )
    return {
        "title": title,
        "sub": sub,
        "headline": _headline(summary, scrub),
        "charts": charts_html,
        "pairs": pairs_html,
        "unmatched": unmatched_html,
        "changes": changes_html,
        "preferences": prefs_html,
    }


def _scale(pairs_table) -> tuple[float, float, float]:
    """(lowest, median, highest) pair score: the score colours' scale."""
    header, rows = pairs_table
    scores = []
    if "score" in header:
        k = header.index("score")
        scores = sorted(v for v in (_float(r[k]) for r in rows) if v is not None)
    return (scores[0], float(np.median(scores)), scores[-1]) if scores else (0.0, 50.0, 100.0)


def alternatives_html(
    result, alternatives_table, mentee_id: str, *, pairs_table, link=None, anonymise: bool = False
) -> str:
    """One mentee's ranked alternatives as the report draws them (the review app fetches it
    when a row is opened); scores coloured on the scale of ``pairs_table``."""
    cells = Cells(Scrubber(result, anonymise), _scale(pairs_table), link)
    header, rows = alternatives_table
    mine = [r for r in rows if str(r[0]) == str(mentee_id)]
    return _alt_block(header, mine, str(mentee_id), cells, anonymise)


def render_report(
    result,
    *,
    pairs_table: tuple[list[str], list[list]],
    unmatched_table: tuple[list[str], list[list]],
    alternatives_table: tuple[list[str], list[list]] | None = None,
    changes_table: tuple[list[str], list[list]] | None = None,
    summary: dict,
    anonymise: bool = False,
    preferences_table: tuple[list[str], list[list]] | None = None,
) -> bytes:
    """The review page as UTF-8 bytes (see the module docstring); same inputs → same bytes."""
    parts = render_sections(
        result,
        pairs_table=pairs_table,
        unmatched_table=unmatched_table,
        alternatives_table=alternatives_table,
        changes_table=changes_table,
        summary=summary,
        anonymise=anonymise,
        preferences_table=preferences_table,
    )
    title, sub = parts["title"], parts["sub"]
    js = JS.strip()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src '{_script_hash(js)}'; base-uri 'none'; form-action 'none'"
    )
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title>",
            f"<style>{CSS.strip()}</style>",
            "</head>",
            f'<body data-anonymised="{"yes" if anonymise else "no"}"><main>',
            f'<header><h1>{esc(title)}</h1><p class="sub">{esc(sub)}</p></header>',
            parts["headline"],
            parts["charts"],
            parts["pairs"],
            *([parts["preferences"]] if parts["preferences"] else []),  # pages without choices unchanged
            parts["unmatched"],
            parts["changes"],
            "<footer>Written by mentor-matcher. This page is self-contained: it loads nothing from the network "
            "and works offline. Its tables hold the same values as pairs.csv, alternatives.csv and "
            "unmatched.csv.</footer>",
            f"</main><script>{js}</script>",
            "</body></html>",
            "",
        ]
    )
    return page.encode("utf-8")
