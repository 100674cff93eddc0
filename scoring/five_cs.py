"""The five Cs, each a pure function over arrays: mentees ``rows`` × all mentors → [0, 1].

Every function takes the shared :class:`~scoring.features.Features`, a slice of mentee
rows (so large cohorts can be scored in chunks), and the sets of columns present in
each file; it returns a ``(k, n_mentors)`` float array, or ``None`` when the inputs
it needs are absent from the files (the C is then left out and the weights
renormalised). A blank cell is neutral: its part scores 0.5 for that person.

Each C is a weighted mean of *parts*; a part is used only when both files have the
columns it needs. The README's "How each score is computed" repeats these in words.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .features import STYLE_ITEMS, Features, list_sizes, overlap_counts, timezone_gap

NEUTRAL = 0.5
# Challenge: falling short of the mentee's appetite costs fully, exceeding it costs 40 %.
CHALLENGE_EXCESS_COST = 0.4
CONTEXT_PART_WEIGHTS = {"topics": 0.45, "goals_text": 0.30, "seniority_gap": 0.15, "level": 0.10}
COMPATIBILITY_PART_WEIGHTS = {"style": 0.5, "interests": 0.25, "practical": 0.25}
TEXT_SCALE = 2.0  # TF-IDF cosine 0.5 or more counts as full overlap


def _blend(parts: list[tuple[float, np.ndarray]]) -> np.ndarray | None:
    if not parts:
        return None
    total = sum(w for w, _ in parts)
    out = np.zeros(np.broadcast_shapes(*(np.shape(a) for _, a in parts)))
    for w, a in parts:  # in place: the same sums in the same order, fewer temporaries
        out += w * a
    out /= total
    return np.clip(out, 0.0, 1.0, out=out)


def _both(has_e, has_r, col) -> bool:
    return col in has_e and col in has_r


def _overlap_share(a, b, rows, denominator: str) -> np.ndarray:
    """Shared items / size of the mentee's list ('mentee') or of the smaller list ('min')."""
    shared = overlap_counts(a, b, rows)
    ne, nr = list_sizes(a)[rows], list_sizes(b)
    denom = ne[:, None] if denominator == "mentee" else np.minimum(ne[:, None], nr[None, :])
    share = shared / np.where(denom > 0, denom, 1.0)
    share[np.broadcast_to(denom <= 0, share.shape)] = NEUTRAL
    share[(ne == 0), :] = NEUTRAL  # a blank list on either side is neutral
    share[:, (nr == 0)] = NEUTRAL
    return share


def style_closeness(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Mean over answered style items of 1 − |mentee − mentor| / 4; 0.5 if none answered.

    Answers are few (blank or 1–5 on up to three items), so each person's answers become
    one code and the closeness of every pair of codes is a small table lookup.
    """
    items = [k for k, c in enumerate(STYLE_ITEMS) if _both(has_e, has_r, c)]
    if not items:
        return None
    table = _style_table(len(items))
    ce, cr = _style_codes(f.e.style[:, items]), _style_codes(f.r.style[:, items])
    return table[np.ix_(np.atleast_1d(ce[rows]), cr)]


def _style_codes(answers: np.ndarray) -> np.ndarray:
    """Base-6 code of each person's answers (0 = blank, 1–5 = the answer)."""
    digits = np.where(np.isnan(answers), 0, np.clip(np.rint(answers), 1, 5)).astype(np.int64)
    return (digits * (6 ** np.arange(answers.shape[1]))[None, :]).sum(axis=1)


@lru_cache(maxsize=4)
def _style_table(n_items: int) -> np.ndarray:
    codes = np.arange(6**n_items)
    digits = (codes[:, None] // (6 ** np.arange(n_items))[None, :]) % 6  # (codes, items)
    a, b = digits[:, None, :], digits[None, :, :]
    answered = (a > 0) & (b > 0)
    close = np.where(answered, 1.0 - np.abs(a - b) / 4.0, 0.0)
    n = answered.sum(axis=2)
    return np.where(n > 0, close.sum(axis=2) / np.maximum(n, 1), NEUTRAL)


def mode_fit(f: Features, rows) -> np.ndarray:
    """1 same preference or both 'either'; 0.75 one says 'either'; 0 in_person vs virtual."""
    a = f.e.mode[rows][:, None]
    b = f.r.mode[None, :]
    out = np.where(a == b, 1.0, np.where((a == 3) | (b == 3), 0.75, 0.0))
    return np.where((a == 0) | (b == 0), NEUTRAL, out)


def timezone_fit(f: Features, rows) -> np.ndarray:
    """1 − gap / 12 hours; 0.5 when either side left the time zone blank."""
    gap = timezone_gap(f, rows)
    return np.where(np.isnan(gap), NEUTRAL, 1.0 - gap / 12.0)


def compatibility(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Working-style closeness, shared interests and practical fit (time zone, meeting mode)."""
    parts = []
    style = style_closeness(f, rows, has_e, has_r)
    if style is not None:
        parts.append((COMPATIBILITY_PART_WEIGHTS["style"], style))
    if _both(has_e, has_r, "interests"):
        share = _overlap_share(f.e.interests, f.r.interests, rows, "min")
        parts.append((COMPATIBILITY_PART_WEIGHTS["interests"], share))
    practical = []
    if _both(has_e, has_r, "timezone"):
        practical.append(timezone_fit(f, rows))
    if _both(has_e, has_r, "mode"):
        practical.append(mode_fit(f, rows))
    if practical:
        parts.append((COMPATIBILITY_PART_WEIGHTS["practical"], sum(practical) / len(practical)))
    return _blend(parts)


def _differs(a: np.ndarray, b: np.ndarray, rows) -> np.ndarray:
    x, y = a[rows][:, None], b[None, :]
    return np.where((x < 0) | (y < 0), NEUTRAL, (x != y).astype(float))


def contrast(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Share of background that differs: department and profession (1 = different)."""
    parts = []
    if _both(has_e, has_r, "department"):
        parts.append((1.0, _differs(f.e.department, f.r.department, rows)))
    if _both(has_e, has_r, "profession"):
        parts.append((1.0, _differs(f.e.profession, f.r.profession, rows)))
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


def challenge(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """Mentor's challenge against the mentee's appetite.

    1 − shortfall/4 − 0.4 × excess/4: a mentor who challenges less than the mentee
    wants loses fully, one who challenges more loses a little.
    """
    if "challenge" not in has_r:
        return None
    a = challenge_appetite(f, has_e)[rows][:, None]
    m = f.challenge[None, :]
    short = np.maximum(0.0, a - m) / 4.0
    excess = np.maximum(0.0, m - a) / 4.0
    out = 1.0 - short - CHALLENGE_EXCESS_COST * excess
    return np.broadcast_to(np.where(np.isnan(m), NEUTRAL, out), (len(a), f.r.n)).copy()


def seniority_fit(f: Features, rows, seniority_rule: str) -> np.ndarray:
    """1 for a gap of 1–3 levels in the expected direction; less for none or a wide gap.

    Seniority levels are few, so the fit of every pair of levels is a small table lookup.
    """
    both = np.concatenate([f.e.seniority, f.r.seniority])
    levels, codes = np.unique(np.nan_to_num(both, nan=np.inf), return_inverse=True)
    levels = np.where(np.isinf(levels), np.nan, levels)
    gap = levels[None, :] - levels[:, None]  # [mentee level, mentor level]
    if seniority_rule == "mentee_senior":
        d = -gap
    elif seniority_rule == "any":
        d = np.abs(gap) + 1.0
    else:
        d = gap
    table = np.where(
        d < 1,
        np.maximum(0.0, 0.5 + 0.25 * d),
        np.where(d <= 3, 1.0, np.maximum(0.2, 1.0 - 0.15 * (d - 3))),
    )
    table = np.where(np.isnan(gap), NEUTRAL, table)
    ce, cr = codes[: f.e.n], codes[f.e.n :]
    return table[np.ix_(np.atleast_1d(ce[rows]), cr)]


def context(f: Features, rows, has_e, has_r, text_similarity=None, seniority_rule="mentor_senior"):
    """Knowledge to guide: goal topics covered, goals↔expertise text, seniority gap, EMCC level.

    ``text_similarity`` is the (k, n_mentors) TF-IDF cosine for these rows, or None.
    """
    parts = []
    w = CONTEXT_PART_WEIGHTS
    if _both(has_e, has_r, "topics"):
        parts.append((w["topics"], _overlap_share(f.e.topics, f.r.topics, rows, "mentee")))
    if text_similarity is not None:
        ts = np.clip(TEXT_SCALE * text_similarity, 0.0, 1.0)
        parts.append((w["goals_text"], np.where(np.isnan(ts), NEUTRAL, ts)))
    if _both(has_e, has_r, "seniority"):
        parts.append((w["seniority_gap"], seniority_fit(f, rows, seniority_rule)))
    if "level" in has_r:
        level = np.where(np.isnan(f.level), NEUTRAL, f.level)
        k = len(np.arange(f.e.n)[rows])
        parts.append((w["level"], np.broadcast_to(level[None, :], (k, f.r.n))))
    return _blend(parts)


def care(f: Features, rows, has_e, has_r) -> np.ndarray | None:
    """The mentor's care/empathy self-rating, (care − 1) / 4; 0.5 if blank."""
    if "care" not in has_r:
        return None
    k = len(np.arange(f.e.n)[rows])
    c = np.where(np.isnan(f.care), NEUTRAL, (f.care - 1.0) / 4.0)
    return np.broadcast_to(c[None, :], (k, f.r.n)).copy()
