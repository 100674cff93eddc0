"""The five Cs, each a pure function over arrays: mentees ``rows`` × all mentors → [0, 1].

Every function takes the shared :class:`~scoring.features.Features`, a slice of mentee
rows (so large cohorts can be scored in chunks), and the sets of columns present in
each file; it returns a ``(k, n_mentors)`` float32 array, or ``None`` when the inputs
it needs are absent from the files (the C is then left out and the weights
renormalised). A blank cell is neutral: its part scores 0.5 for that person.

Speed: a part that depends only on a few answers of each side (style, time zone, mode,
department, seniority, challenge) is computed once per distinct combination of answers
and looked up per pair (:class:`PairTable`); list overlaps are popcounts of bit masks.
So scoring a pair costs a handful of gathers and additions, never Python. Those tables
are built once per cohort and kept on its Features (``@per_features``), so they go
when the cohort goes.

Each C is a weighted mean of *parts*; a part is used only when both files have the
columns it needs. The README's "How each score is computed" repeats these in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import Features, list_masks, list_sizes, overlap_counts, per_features
from .names import STYLE_ITEMS

NEUTRAL = 0.5
# Challenge: falling short of the mentee's appetite costs fully, exceeding it costs 40 %.
CHALLENGE_EXCESS_COST = 0.4
CONTEXT_PART_WEIGHTS = {"topics": 0.45, "goals_text": 0.30, "seniority_gap": 0.15, "level": 0.10}
COMPATIBILITY_PART_WEIGHTS = {"style": 0.5, "interests": 0.25, "practical": 0.25}
TEXT_SCALE = 2.0  # TF-IDF cosine 0.5 or more counts as full overlap
TABLE_LIMIT = 1 << 22  # entries: above this a part is computed pair by pair, not looked up


@dataclass(frozen=True, eq=False)
class Pairs:
    """Given pairs instead of a block: ``mentees[n]`` with ``mentors[n]``. Every C accepts
    it in place of ``rows`` and returns (n,) values, so the Cs of a few chosen pairs cost
    no more than those pairs (a report needs them for pairs outside the candidates)."""

    mentees: np.ndarray
    mentors: np.ndarray


@dataclass(frozen=True, eq=False)
class PairTable:
    """A part whose value depends only on a few answers of each side (a code, a Likert
    value): computed once per distinct (mentee answers, mentor answers) and looked up per
    pair. People's answers are few, so this turns arithmetic per pair into one gather.

    ``value(e, r)`` takes lists of per-column arrays shaped (u, 1) and (1, v) and returns
    the part for every combination; without a table (too many distinct answers) it is
    evaluated on the block directly.
    """

    value: object
    e_cols: tuple[np.ndarray, ...]
    r_cols: tuple[np.ndarray, ...]
    table: np.ndarray | None  # (u_e, u_r) float32
    e_code: np.ndarray | None  # (n_e,) row of each mentee in the table
    r_code: np.ndarray | None  # (n_r,)
    dtype: type = np.float32

    def block(self, rows) -> np.ndarray:
        """(k, n_r) values for mentee ``rows``, or (n,) for :class:`Pairs`."""
        if isinstance(rows, Pairs):
            ii, jj = rows.mentees, rows.mentors
            if self.table is None:
                out = self.value([c[ii] for c in self.e_cols], [c[jj] for c in self.r_cols])
                return np.broadcast_to(out, ii.shape).astype(self.dtype)
            return self.table[self.e_code[ii], self.r_code[jj]]
        if self.table is None:
            out = self.value([c[rows][:, None] for c in self.e_cols], [c[None, :] for c in self.r_cols])
            return np.broadcast_to(out, (len(self.e_cols[0][rows]), self.r_cols[0].size)).astype(self.dtype)
        return np.take(self.table[np.atleast_1d(self.e_code[rows])], self.r_code, axis=1)  # C order


def _distinct(cols: tuple[np.ndarray, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Code of each person's answers (over several columns) and the distinct answers."""
    codes, values = [], []
    for c in cols:
        v, inv = np.unique(c, return_inverse=True)  # NaN (blank) is one value
        values.append(v)
        codes.append(inv.ravel())
    if len(cols) == 1:
        return codes[0], values
    key = np.ravel_multi_index(codes, [v.size for v in values])
    uniq, inv = np.unique(key, return_inverse=True)
    parts = np.unravel_index(uniq, [v.size for v in values])
    return inv.ravel(), [v[p] for v, p in zip(values, parts, strict=True)]


def pair_table(value, e_cols, r_cols, dtype=np.float32) -> PairTable:
    """Build the lookup table of ``value`` over the distinct answers present (``dtype``:
    float32 for scores, bool for the hard rules)."""
    e_cols, r_cols = tuple(np.asarray(c) for c in e_cols), tuple(np.asarray(c) for c in r_cols)
    e_code, e_vals = _distinct(e_cols)
    r_code, r_vals = _distinct(r_cols)
    if e_vals[0].size * r_vals[0].size > TABLE_LIMIT:
        return PairTable(value, e_cols, r_cols, None, None, None, dtype)
    shape = (e_vals[0].size, r_vals[0].size)
    table = value([v[:, None] for v in e_vals], [v[None, :] for v in r_vals])
    table = np.ascontiguousarray(np.broadcast_to(table, shape), dtype=dtype)
    return PairTable(value, e_cols, r_cols, table, e_code, r_code, dtype)


def _blend(parts: list[tuple[float, np.ndarray]]) -> np.ndarray | None:
    """Weighted mean of (weight, (k, n_r) array) parts, in [0, 1], float32."""
    if not parts:
        return None
    total = sum(w for w, _ in parts)
    out = None
    for w, a in parts:
        term = np.multiply(a, np.float32(w / total), dtype=np.float32)
        out = term if out is None else np.add(out, term, out=out)
    return np.clip(out, 0.0, 1.0, out=out)


def _both(has_e, has_r, col) -> bool:
    return col in has_e and col in has_r


@dataclass(frozen=True, eq=False)
class _Lists:
    """One list column of both sides: sizes, and bit masks (None if the vocabulary is long)."""

    e_size: np.ndarray  # (n_e,) int64
    r_size: np.ndarray  # (n_r,) int64
    e_mask: np.ndarray | None  # (n_e, words) unsigned ints
    r_mask: np.ndarray | None  # (n_r, words)
    inverse_min: PairTable  # 1 / min(mentee size, mentor size), 1 when either is 0


@per_features
def _lists(f: Features, column: str) -> _Lists:
    a, b = getattr(f.e, column), getattr(f.r, column)
    ne, nr = list_sizes(a).astype(np.int64), list_sizes(b).astype(np.int64)
    masks = list_masks(a, b)
    me, mr = masks if masks is not None else (None, None)
    inverse_min = pair_table(lambda e, r: 1.0 / np.maximum(np.minimum(e[0], r[0]), 1), (ne,), (nr,))
    return _Lists(ne, nr, me, mr, inverse_min)


def _sides(rows, e: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-person arrays (n_e, …) and (n_r, …) lined up for ``rows``: (k, 1, …) against
    (1, n_r, …) for a block, or pair by pair for :class:`Pairs`, so one expression serves
    both."""
    if isinstance(rows, Pairs):
        return e[rows.mentees], r[rows.mentors]
    return e[rows][:, None], r[None, :]


def shared_items(f: Features, column: str, rows) -> np.ndarray:
    """(k, n_r) number of items both lists hold (a list column: interests, topics,
    languages), or (n,) for :class:`Pairs`.

    Lists are bit masks, so the count for every pair is a popcount of an AND.
    """
    lists = _lists(f, column)
    a, b = getattr(f.e, column), getattr(f.r, column)
    if lists.e_mask is None:  # a long vocabulary: a sparse product instead
        if isinstance(rows, Pairs):
            return (
                np.asarray(a[rows.mentees].multiply(b[rows.mentors]).sum(axis=1)).ravel().astype(np.float32)
            )
        return overlap_counts(a, b, rows).astype(np.float32)
    me, mr = _sides(rows, lists.e_mask, lists.r_mask)
    shared = np.bitwise_count(me[..., 0] & mr[..., 0])
    for w in range(1, lists.e_mask.shape[1]):
        shared += np.bitwise_count(me[..., w] & mr[..., w])
    return shared


def _overlap_share(f: Features, column: str, rows, denominator: str) -> np.ndarray:
    """Shared items / size of the mentee's list ('mentee') or of the smaller list ('min');
    0.5 when either list is blank."""
    lists = _lists(f, column)
    ne, _ = _sides(rows, lists.e_size, lists.r_size)
    if denominator == "mentee":
        scale = (1.0 / np.maximum(ne, 1)).astype(np.float32)
    else:
        scale = lists.inverse_min.block(rows)
    share = np.multiply(shared_items(f, column, rows), scale, dtype=np.float32)
    # A blank list on either side is neutral (by rows and columns: no full-size mask).
    blank_e, blank_r = lists.e_size == 0, lists.r_size == 0
    if isinstance(rows, Pairs):
        share[blank_e[rows.mentees] | blank_r[rows.mentors]] = NEUTRAL
    else:
        share[blank_e[rows]] = NEUTRAL
        share[:, blank_r] = NEUTRAL
    return share


@per_features
def _style_part(f: Features, items: tuple[int, ...]) -> PairTable:
    def closeness(e, r):
        total = 0.0
        answered = 0
        for x, y in zip(e, r, strict=True):
            both = ~np.isnan(x) & ~np.isnan(y)
            total = total + np.where(both, 1.0 - np.abs(np.nan_to_num(x) - np.nan_to_num(y)) / 4.0, 0.0)
            answered = answered + both
        return np.where(answered > 0, total / np.maximum(answered, 1), NEUTRAL)

    e = tuple(_likert(f.e.style[:, k]) for k in items)
    r = tuple(_likert(f.r.style[:, k]) for k in items)
    return pair_table(closeness, e, r)


def _likert(x: np.ndarray) -> np.ndarray:
    """Answers as whole points 1–5 (NaN blank), as the style closeness always read them."""
    return np.where(np.isnan(x), np.nan, np.clip(np.rint(x), 1, 5))


def style_closeness(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Mean over answered style items of 1 − |mentee − mentor| / 4; 0.5 if none answered.

    Answers are few (blank or 1–5 on up to three items), so the closeness of every
    combination of answers is a small table lookup.
    """
    items = tuple(k for k, c in enumerate(STYLE_ITEMS) if _both(has_e, has_r, c))
    if not items:
        return None
    return _style_part(f, items).block(rows)


def _mode_value(e, r):
    a, b = e[0], r[0]
    out = np.where(a == b, 1.0, np.where((a == 3) | (b == 3), 0.75, 0.0))
    return np.where((a == 0) | (b == 0), NEUTRAL, out)


@per_features
def _mode_part(f: Features) -> PairTable:
    return pair_table(_mode_value, (f.e.mode,), (f.r.mode,))


def mode_fit(f: Features, rows) -> np.ndarray:
    """1 same preference or both 'either'; 0.75 one says 'either'; 0 in_person vs virtual."""
    return _mode_part(f).block(rows)


@per_features
def _timezone_part(f: Features) -> PairTable:
    # The closure holds the table, not f: the PairTable is stored in f.memo, and a
    # reference back to f would make a cycle that only the cyclic GC can free.
    tz_table = f.tz_table

    def fit(e, r):
        gap = tz_table[e[0], r[0]]
        return np.where(np.isnan(gap), NEUTRAL, 1.0 - gap / 12.0)

    return pair_table(fit, (f.e.tz_code,), (f.r.tz_code,))


def timezone_fit(f: Features, rows) -> np.ndarray:
    """1 − gap / 12 hours; 0.5 when either side left the time zone blank."""
    return _timezone_part(f).block(rows)


def compatibility(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Working-style closeness, shared interests and practical fit (time zone, meeting mode)."""
    parts = []
    style = style_closeness(f, rows, has_e, has_r)
    if style is not None:
        parts.append((COMPATIBILITY_PART_WEIGHTS["style"], style))
    if _both(has_e, has_r, "interests"):
        share = _overlap_share(f, "interests", rows, "min")
        parts.append((COMPATIBILITY_PART_WEIGHTS["interests"], share))
    practical = []
    if _both(has_e, has_r, "timezone"):
        practical.append(timezone_fit(f, rows))
    if _both(has_e, has_r, "mode"):
        practical.append(mode_fit(f, rows))
    if practical:
        parts.append((COMPATIBILITY_PART_WEIGHTS["practical"], _blend([(1.0, p) for p in practical])))
    return _blend(parts)


def _differs_value(e, r):
    x, y = e[0], r[0]
    return np.where((x < 0) | (y < 0), NEUTRAL, (x != y).astype(float))


@per_features
def _differs_part(f: Features, column: str) -> PairTable:
    return pair_table(_differs_value, (getattr(f.e, column),), (getattr(f.r, column),))


def contrast(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Share of background that differs: department and profession (1 = different)."""
    parts = []
    for column in ("department", "profession"):
        if _both(has_e, has_r, column):
            parts.append((1.0, _differs_part(f, column).block(rows)))
    return _blend(parts)


def challenge_appetite(f: Features, has_e) -> np.ndarray:
    """Mentee appetite for challenge (1–5): want_challenge, else ready_challenge, else 3."""
    n = f.e.n
    appetite = np.full(n, 3.0)
    if "ready_challenge" in has_e:
        appetite = np.where(np.isnan(f.ready[:, 2]), appetite, f.ready[:, 2])
    if "want_challenge" in has_e:
        appetite = np.where(np.isnan(f.want[:, 2]), appetite, f.want[:, 2])
    return appetite


def _challenge_value(e, r):
    a, m = e[0], r[0]
    short = np.maximum(0.0, a - m) / 4.0
    excess = np.maximum(0.0, m - a) / 4.0
    out = 1.0 - short - CHALLENGE_EXCESS_COST * excess
    return np.where(np.isnan(m), NEUTRAL, out)


@per_features
def _challenge_part(f: Features, has_e: frozenset) -> PairTable:
    return pair_table(_challenge_value, (challenge_appetite(f, has_e),), (f.challenge,))


def challenge(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Mentor's challenge against the mentee's appetite.

    1 − shortfall/4 − 0.4 × excess/4: a mentor who challenges less than the mentee
    wants loses fully, one who challenges more loses a little.
    """
    if "challenge" not in has_r:
        return None
    return _challenge_part(f, frozenset(has_e) & {"want_challenge", "ready_challenge"}).block(rows)


@per_features
def _seniority_part(f: Features, seniority_rule: str) -> PairTable:
    def fit(e, r):
        gap = r[0] - e[0]
        if seniority_rule == "mentee_senior":
            d = -gap
        elif seniority_rule == "any":
            d = np.abs(gap) + 1.0
        else:
            d = gap
        value = np.where(
            d < 1,
            np.maximum(0.0, 0.5 + 0.25 * d),
            np.where(d <= 3, 1.0, np.maximum(0.2, 1.0 - 0.15 * (d - 3))),
        )
        return np.where(np.isnan(gap), NEUTRAL, value)

    return pair_table(fit, (f.e.seniority,), (f.r.seniority,))


def seniority_fit(f: Features, rows, seniority_rule: str) -> np.ndarray:
    """1 for a gap of 1–3 levels in the expected direction; less for none or a wide gap.

    Seniority levels are few, so the fit of every pair of levels is a small table lookup.
    """
    return _seniority_part(f, seniority_rule).block(rows)


def _mentor_only(values: np.ndarray, rows, n_e: int) -> np.ndarray:
    if isinstance(rows, Pairs):
        return values.astype(np.float32)[rows.mentors]
    k = len(np.arange(n_e)[rows])
    return np.broadcast_to(values.astype(np.float32)[None, :], (k, values.size))


def context(f: Features, rows, has_e, has_r, text_similarity=None, seniority_rule="mentor_senior"):
    """Knowledge to guide: goal topics covered, goals↔expertise text, seniority gap, EMCC level.

    ``text_similarity`` is the (k, n_mentors) TF-IDF cosine for these rows (or (n,) for
    :class:`Pairs`), or None.
    """
    parts = []
    w = CONTEXT_PART_WEIGHTS
    if _both(has_e, has_r, "topics"):
        parts.append((w["topics"], _overlap_share(f, "topics", rows, "mentee")))
    if text_similarity is not None:
        ts = np.clip(np.float32(TEXT_SCALE) * text_similarity.astype(np.float32), 0.0, 1.0)
        parts.append((w["goals_text"], np.where(np.isnan(ts), np.float32(NEUTRAL), ts)))
    if _both(has_e, has_r, "seniority"):
        parts.append((w["seniority_gap"], seniority_fit(f, rows, seniority_rule)))
    if "level" in has_r:
        parts.append((w["level"], _mentor_only(np.where(np.isnan(f.level), NEUTRAL, f.level), rows, f.e.n)))
    return _blend(parts)


def care(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """The mentor's care/empathy self-rating, (care − 1) / 4; 0.5 if blank."""
    if "care" not in has_r:
        return None
    return _mentor_only(np.where(np.isnan(f.care), NEUTRAL, (f.care - 1.0) / 4.0), rows, f.e.n).copy()
