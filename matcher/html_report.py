"""``report.html``: one self-contained review page a coordinator can open offline.

``render_report(result, pairs_table=..., unmatched_table=..., summary=...)`` builds the
page from the same ``(header, rows)`` tables that ``matcher.report`` writes as CSV, so
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

The output is deterministic: the same inputs give the same bytes. Charts are drawn
by matplotlib (imported lazily, so ``mentor-match --help`` stays fast) with a fixed
``svg.hashsalt``, text kept as text and no date in the metadata.

The script reads the URL hash on load: ``report.html#filter=E00&sort=score&dir=desc&open=E001``
filters the pairs, sorts them and opens a mentee's alternatives (handy for links and tests).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import math
import re
from collections import Counter

import numpy as np

from .config import FIVE_CS

__all__ = ["charts_svg", "render_report"]

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


def esc(value) -> str:
    """HTML-escape any value (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


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
# Charts (matplotlib → SVG text, inlined)
# ---------------------------------------------------------------------------

SVG_RC = {
    "svg.hashsalt": "mentor-matcher",
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.edgecolor": "#718096",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#4a5568",
    "ytick.color": "#4a5568",
    "text.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 10,
}


def _svg(fig, prefix: str) -> str:
    """The figure as inline SVG: no XML prolog, no metadata, ids made unique to the chart."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)  # global '*' rule: ours is scoped
    svg = re.sub(r'\s(?:xmlns(?::\w+)?|version)="[^"]*"', "", svg)
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    svg = svg.replace("<svg", f'<svg role="img" class="chart-svg" aria-labelledby="{prefix}-title"', 1)
    svg = re.sub(r"[ \t]+\n", "\n", svg)
    return svg.strip()


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#718096", fontsize=11)


def _score_chart(fig, scores: list[float]) -> None:
    ax = fig.add_subplot()
    ax.set_title("How good are the pairs?")
    ax.set_xlabel("pair score (0–100)")
    ax.set_ylabel("number of pairs")
    if not scores:
        ax.set_xlim(0, 100)
        ax.set_yticks([])
        _empty(ax, "No pairs to show")
        return
    lo = max(0.0, min(50.0, math.floor((min(scores) - 2.5) / 10) * 10))
    bins = np.arange(lo, 100.0 + 2.5, 2.5)
    ax.hist(scores, bins=bins, color=BLUE, edgecolor="white", linewidth=0.6)
    mean, low = float(np.mean(scores)), float(min(scores))
    ax.axvline(mean, color=ORANGE, linestyle="--", linewidth=1.5, label=f"mean {mean:.1f}")
    ax.axvline(low, color="#9b2c2c", linestyle=":", linewidth=1.5, label=f"lowest {low:.1f}")
    ax.set_xlim(lo, 100)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.legend(loc="outside lower center", ncol=2)


def _cs_chart(fig, matched_means: dict[str, float | None], allowed_means: dict[str, float | None]) -> None:
    ax = fig.add_subplot()
    ax.set_title("Average of each C")
    cs = list(FIVE_CS)
    y = np.arange(len(cs))[::-1]
    h = 0.38
    mv = [matched_means.get(c) for c in cs]
    av = [allowed_means.get(c) for c in cs]
    ax.barh(y + h / 2, [v or 0 for v in mv], height=h, color=BLUE, label="chosen pairs")
    ax.barh(y - h / 2, [v or 0 for v in av], height=h, color=BLUE_LIGHT, label="all allowed pairs")
    for yy, v, w in zip(y, mv, av, strict=True):
        if v is None and w is None:
            ax.text(0.01, yy, "not in use", va="center", color="#718096", fontsize=9)
            continue
        if v is not None:
            ax.text(v + 0.01, yy + h / 2, f"{v:.2f}", va="center", fontsize=9, color=INK)
        if w is not None:
            ax.text(w + 0.01, yy - h / 2, f"{w:.2f}", va="center", fontsize=9, color="#4a5568")
    ax.set_yticks(y, cs)
    ax.set_xlim(0, 1.12)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("average value (0–1)")
    if all(v is None for v in mv):
        ax.text(
            0.98, 0.02, "no pairs chosen", ha="right", va="bottom", transform=ax.transAxes, color="#718096"
        )
    fig.legend(loc="outside lower center", ncol=2)


def _load_chart(fig, mentor_ids: list[str], capacity: list[int], load: list[int]) -> None:
    ax = fig.add_subplot()
    n = len(mentor_ids)
    used = sum(1 for x in load if x > 0)
    ax.set_title(
        f"Mentor load against capacity: {used} of {n} mentors used, {sum(load)} of {sum(capacity)} places"
    )
    if n == 0:
        _empty(ax, "No mentors")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    order = sorted(range(n), key=lambda j: (-capacity[j], -load[j], j))
    x = np.arange(n)
    cap = np.array([capacity[j] for j in order])
    ld = np.array([load[j] for j in order])
    ax.bar(x, cap, width=0.8, color="white", edgecolor=GREY, linewidth=0.8, label="capacity")
    ax.bar(x, ld, width=0.8, color=BLUE, label="mentees given")
    over = ld > cap
    if over.any():
        ax.bar(x[over], ld[over], width=0.8, color=ORANGE, label="over capacity")
    ax.set_ylabel("mentees")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(-0.7, max(n, 40) - 0.3)  # a few mentors keep narrow bars
    if n <= 80:
        ax.set_xticks(x, [str(mentor_ids[j]) for j in order], rotation=90, fontsize=7.5 if n > 40 else 9)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{n} mentors, most capacity first")
    ax.legend(loc="upper right", ncol=3)
    ax.set_ylim(0, max(1, int(cap.max(initial=0)), int(ld.max(initial=0))) * 1.25)


def _readiness_chart(fig, readiness: list[float], matched: list[bool], min_readiness: float) -> None:
    ax = fig.add_subplot()
    ax.set_title("Mentee readiness")
    ax.set_xlabel("readiness (0–1)")
    ax.set_ylabel("number of mentees")
    ax.set_xlim(0, 1)
    if not readiness:
        ax.set_yticks([])
        _empty(ax, "No mentees")
        return
    bins = np.linspace(0, 1, 11)
    r = np.asarray(readiness, dtype=float)
    m = np.asarray(matched, dtype=bool)
    ax.hist(
        [r[m], r[~m]],
        bins=bins,
        stacked=True,
        color=[BLUE, ORANGE],
        edgecolor="white",
        linewidth=0.6,
        label=[f"matched ({int(m.sum())})", f"not matched ({int((~m).sum())})"],
    )
    if min_readiness > 0:
        ax.axvline(min_readiness, color="#9b2c2c", linestyle=":", linewidth=1.5)
        ax.text(
            min_readiness, 0.97, f" min_readiness {min_readiness:g}", transform=ax.get_xaxis_transform(),
            va="top", fontsize=9, color="#9b2c2c",
        )  # fmt: skip
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left")


def charts_svg(result, pairs_table) -> list[tuple[str, str, str]]:
    """The four charts as (key, caption, inline SVG); deterministic, works with no pairs."""
    import matplotlib
    from matplotlib.figure import Figure

    header, rows = pairs_table
    col = {h: k for k, h in enumerate(header)}
    scores = [v for v in (_float(r[col["score"]]) for r in rows) if v is not None] if "score" in col else []
    matched_means: dict[str, float | None] = {}
    for c in FIVE_CS:
        vals = [v for v in (_float(r[col[c]]) for r in rows) if v is not None] if c in col else []
        matched_means[c] = float(np.mean(vals)) if vals else None
    s, p, cohort = result.scores, result.problem, result.cohort
    allowed = (p.excluded == 0) & np.asarray(p.eligible, dtype=bool)[:, None]
    allowed_means: dict[str, float | None] = {}
    for k, c in enumerate(FIVE_CS):
        vals = np.asarray(s.components[k])[allowed] if allowed.any() else np.array([])
        vals = vals[~np.isnan(vals)]
        allowed_means[c] = float(vals.mean()) if vals.size and c in s.used else None
    mentor_ids = [str(x) for x in cohort.mentor_ids]
    capacity = [int(x) for x in cohort.capacity]
    given = Counter(str(r[col["mentor_id"]]) for r in rows) if "mentor_id" in col else Counter()
    load = [given.get(m, 0) for m in mentor_ids]
    matched_ids = {str(r[col["mentee_id"]]) for r in rows} if "mentee_id" in col else set()
    readiness = [float(x) for x in np.asarray(s.readiness, dtype=float)]
    matched = [str(e) in matched_ids for e in cohort.mentee_ids]
    min_ready = float(result.config.rules.min_readiness)

    specs = [
        ("scores", "Distribution of pair scores", (5.0, 3.6), lambda f: _score_chart(f, scores)),
        ("cs", "Average of each C", (5.0, 3.6), lambda f: _cs_chart(f, matched_means, allowed_means)),
        ("readiness", "Mentee readiness", (5.0, 3.6), lambda f: _readiness_chart(f, readiness, matched, min_ready)),
        ("load", "Mentor load against capacity", (15.0, 3.6), lambda f: _load_chart(f, mentor_ids, capacity, load)),
    ]  # fmt: skip
    out = []
    with matplotlib.rc_context(SVG_RC):
        for key, caption, size, draw in specs:
            fig = Figure(figsize=size, layout="constrained")
            draw(fig)
            out.append((key, caption, _svg(fig, f"chart-{key}")))
    return out


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


class Cells:
    """Render table cells by column name: bars for the Cs, coloured chips for scores."""

    def __init__(self, scrub: Scrubber, score_scale: tuple[float, float, float]):
        self.scrub = scrub
        self.scale = score_scale

    def cell(self, col: str, value, name=None) -> str:
        text = "" if value is None else str(value)
        if col in UNIT_COLUMNS:
            return _unit_cell(text)
        if name is not None:  # an id with the person's name under it
            sub = f"<span>{esc(self.scrub(name))}</span>" if str(name) else ""
            return f'<td class="who" data-v="{esc(text)}"><b>{esc(text)}</b>{sub}</td>'
        if col == "score":
            v = _float(text)
            if v is None:
                return f'<td class="n" data-v="">{esc(text)}</td>'
            bg = _score_colour(v, *self.scale)
            return f'<td class="n" data-v="{esc(text)}"><span class="chip" style="background:{bg}">{esc(text)}</span></td>'
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


def _thead(header, cols, rows, sortable: bool, extra: str = "") -> str:
    cells = []
    for k, _ in cols:
        col = header[k]
        kind = _kind(col, rows, k)
        label = esc(_label(col) if col not in MERGED else col.split("_")[0])
        if sortable:
            cells.append(
                f'<th data-key="{esc(col)}" data-type="{kind}" class="{kind}" aria-sort="none">'
                f'<button type="button" class="sort">{label}<span class="arrow" aria-hidden="true"></span>'
                "</button></th>"
            )
        else:
            cells.append(f'<th class="{kind}">{label}</th>')
    return "<thead><tr>" + "".join(cells) + extra + "</tr></thead>"


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
    body = "".join(f"<tr>{_row(header, cols, r, cells)}</tr>" for r in mine)
    return (
        f'<table class="alts"><caption>Ranked alternatives for {esc(mentee_id)}</caption>'
        f"{_thead(header, cols, mine, sortable=False)}<tbody>{body}</tbody></table>"
    )


def _item_table(table_id: str, table, alts, cells: Cells, anonymise: bool, caption: str, below=()) -> str:
    """A sortable, filterable table with one <tbody> per row, so that the row's second line
    (``below`` columns, e.g. ``why``) and its alternatives move with it."""
    header, rows = table
    below = [c for c in below if c in header]
    cols = _columns(header, rows, anonymise, skip=below)
    id_col = header.index("mentee_id") if "mentee_id" in header else None
    with_alts = alts is not None and id_col is not None
    alt_rows: dict[str, list[list]] = {}
    if with_alts:
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
        main = _row(header, cols, r, cells)
        more = "".join(
            f'<tr class="below"><td colspan="{ncols}"><span class="lbl">{esc(BELOW_LABELS.get(c, _label(c)))}:</span> '
            f"{esc(cells.scrub(r[header.index(c)]))}</td></tr>"
            for c in below
            if str(r[header.index(c)])
        )
        detail = ""
        if with_alts:
            did = f"{table_id}-alt-{n}"
            main += (
                f'<td class="toggle-col"><button type="button" class="toggle" aria-expanded="false" '
                f'aria-controls="{did}" title="show the ranked alternatives">▸ {len(alt_rows.get(mid, ()))}</button></td>'
            )
            detail = (
                f'<tr class="detail" id="{did}" hidden><td colspan="{ncols}">'
                f"{_alt_block(alts[0], alt_rows.get(mid, []), mid, cells, anonymise)}</td></tr>"
            )
        parts.append(
            f'<tbody class="item" data-id="{esc(mid)}"><tr class="main">{main}</tr>{more}{detail}</tbody>'
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
@media print{.toolbar,button.toggle{display:none}tr.detail{display:table-row!important}}
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
    out = ['<section id="headline" aria-label="headline"><div class="kpis">', *kpis, "</div>"]
    if "round" in summary:
        bits = ", ".join(
            f"{k} {esc(summary[k])}" for k in ("kept", "changed", "new", "released", "failed") if k in summary
        )
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
    "load": "One bar per mentor, most capacity first: the outline is the mentor's capacity, the fill the mentees given.",
    "readiness": "Every mentee's readiness (the average of their five readiness answers, 0–1), matched or not.",
}


def _script_hash(js: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")


def render_report(
    result,
    *,
    pairs_table: tuple[list[str], list[list]],
    unmatched_table: tuple[list[str], list[list]],
    alternatives_table: tuple[list[str], list[list]] | None = None,
    changes_table: tuple[list[str], list[list]] | None = None,
    summary: dict,
    anonymise: bool = False,
) -> bytes:
    """The review page as UTF-8 bytes (see the module docstring); same inputs → same bytes."""
    scrub = Scrubber(result, anonymise)
    p_header, p_rows = pairs_table
    scores = []
    if "score" in p_header:
        k = p_header.index("score")
        scores = sorted(v for v in (_float(r[k]) for r in p_rows) if v is not None)
    scale = (scores[0], float(np.median(scores)), scores[-1]) if scores else (0.0, 50.0, 100.0)
    cells = Cells(scrub, scale)
    has_alts = alternatives_table is not None

    figs = []
    for key, caption, svg in charts_svg(result, pairs_table):
        wide = " wide" if key == "load" else ""
        figs.append(
            f'<figure class="chart{wide}" id="fig-{key}">{svg}'
            f'<figcaption id="chart-{key}-title">{esc(CAPTIONS.get(key, caption))}</figcaption></figure>'
        )
    charts_html = (
        f'<section id="charts"><h2>At a glance</h2><div class="charts">{"".join(figs)}</div></section>'
    )

    n_pairs = len(p_rows)
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
    if has_alts:
        intro += (
            " ▸ opens the mentee's ranked alternative mentors: Δ total score is what the whole programme's "
            "total pair score would change by if the mentee were given that mentor and everyone else "
            "re-optimised; moves counts the mentees who would move."
        )
    pairs_html = (
        f'<section id="pairs"><h2>Pairs ({n_pairs})</h2><p class="muted small">{esc(intro)}</p>'
        '<div class="toolbar"><label for="pairs-filter" class="sr">Filter pairs</label>'
        '<input id="pairs-filter" type="search" data-filter-for="pairs-table" '
        'placeholder="Filter: id, name, department, topic…" autocomplete="off">'
        f'<span class="muted"><span data-shown-for="pairs-table">{n_pairs}</span> of {n_pairs} pairs shown</span>'
        f'{expand}</div><div class="wrap">'
        + _item_table(
            "pairs-table", pairs_table, alternatives_table, cells, anonymise, "Pairs", below=("why",)
        )
        + "</div></section>"
    )

    u_rows = unmatched_table[1]
    if u_rows:
        note = "Each with the reason no mentor could take them" + (
            "; ▸ shows the nearest mentors and why each is out." if has_alts else "."
        )
        body = (
            f'<p class="muted small">{esc(note)}</p><div class="wrap">'
            + _item_table(
                "unmatched-table", unmatched_table, alternatives_table, cells, anonymise, "Unmatched"
            )
            + "</div>"
        )
    else:
        body = '<p class="muted">Every mentee is matched.</p>'
    unmatched_html = f'<section id="unmatched"><h2>Unmatched mentees ({len(u_rows)})</h2>{body}</section>'

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

    title = "Mentor matching report" + (f" — round {summary['round']}" if "round" in summary else "")
    sub = (
        f"{summary.get('matched', 0)} of {summary.get('mentees', 0)} mentees matched with "
        f"{summary.get('solver', '')} ({summary.get('status', '')})"
        + (" · anonymised: names and emails replaced by ids" if anonymise else "")
    )
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
            _headline(summary, scrub),
            charts_html,
            pairs_html,
            unmatched_html,
            changes_html,
            "<footer>Written by mentor-matcher. This page is self-contained: it loads nothing from the network "
            "and works offline. Its tables hold the same values as pairs.csv, alternatives.csv and "
            "unmatched.csv.</footer>",
            f"</main><script>{js}</script>",
            "</body></html>",
            "",
        ]
    )
    return page.encode("utf-8")
