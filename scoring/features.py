"""Turn a cohort's columns into arrays that scoring and rules share.

``build_features(cohort)`` returns a frozen :class:`Features`: per side, numeric
arrays (NaN = blank), sparse multi-hot matrices for lists (one row per person), and
integer codes for categorical text (−1 = blank) over a vocabulary shared by both
sides so that codes compare directly. Pair functions then only broadcast and
multiply: no Python loop over pairs.

Tables derived from a cohort's features (lookup tables, bit masks) are kept in the
Features object itself (:func:`memo`, :func:`per_features`), never in a module-level
cache: they live exactly as long as the cohort they describe, so a long-running
process that scores many cohorts holds none of the finished ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache, wraps
from typing import Concatenate, ParamSpec, TypeVar

import numpy as np
import pandas as pd
from scipy import sparse

from .names import READY_ITEMS, STYLE_ITEMS, WANT_ITEMS

MODE_CODES = {"": 0, "in_person": 1, "virtual": 2, "either": 3}
LEVEL_VALUES = {"foundation": 0.25, "practitioner": 0.5, "senior": 0.75, "master": 1.0}
# Two instants a year apart by six months: a pair's time-zone gap is the larger of the
# two, so daylight-saving changes never take a pair over the limit unnoticed.
TZ_INSTANTS = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))


@dataclass(frozen=True, eq=False)
class Side:
    """Arrays for one side; row i is person i of the cohort table."""

    n: int
    style: np.ndarray  # (n, 3) Likert 1–5, NaN blank
    seniority: np.ndarray  # (n,) NaN blank
    tz_offsets: np.ndarray  # (n, 2) UTC offset hours at TZ_INSTANTS, NaN blank
    tz_code: np.ndarray  # (n,) index into Features.tz_table (last index = blank)
    mode: np.ndarray  # (n,) int8, MODE_CODES
    location: np.ndarray  # (n,) int32 code, -1 blank
    department: np.ndarray  # (n,) int32 code, -1 blank
    profession: np.ndarray  # (n,) int32 code, -1 blank
    languages: sparse.csr_matrix  # (n, V) 0/1
    interests: sparse.csr_matrix
    topics: sparse.csr_matrix
    manager: np.ndarray  # (n,) object ids, "" blank


@dataclass(frozen=True, eq=False)
class Features:
    """Everything scoring and the hard rules read, for mentees (e) and mentors (r)."""

    e: Side
    r: Side
    want: np.ndarray  # (n_e, 5) Likert, NaN blank — order of FIVE_CS (WANT_ITEMS)
    ready: np.ndarray  # (n_e, 5) Likert, NaN blank — order of READY_ITEMS
    challenge: np.ndarray  # (n_r,) mentor Likert, NaN blank
    care: np.ndarray  # (n_r,)
    level: np.ndarray  # (n_r,) 0.25..1, NaN blank
    vocab: dict  # name -> list of labels, for explanations
    tz_table: np.ndarray  # (u+1, u+1) hours between distinct time zones; last row/col blank (NaN)
    # Values derived from these arrays, by key (see memo): they die with this object.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


T = TypeVar("T")
P = ParamSpec("P")
_MISSING = object()


def memo(f: Features, key: tuple, build: Callable[[], T]) -> T:
    """``f.memo[key]``, built by ``build()`` and stored on first use.

    ``key``: a hashable tuple naming the value and its arguments (start it with the
    function's name so keys of different functions never meet). ``build`` must be a
    pure function of ``f`` and the key: the value is then the same whoever builds it.

    The value lives as long as ``f`` and no longer, unlike a module-level cache that
    would keep past cohorts alive. No lock: two scoring threads asking at once may
    both build the value (harmless, it is pure); ``dict.setdefault`` keeps the first one
    stored and every caller gets that same object.
    """
    value = f.memo.get(key, _MISSING)
    if value is _MISSING:
        value = f.memo.setdefault(key, build())
    return value


def per_features(fn: Callable[Concatenate[Features, P], T]) -> Callable[Concatenate[Features, P], T]:
    """Decorator: memoise ``fn(f, *args)`` in ``f.memo`` (see :func:`memo`), keyed on
    ``fn``'s qualified name and ``args`` (positional and hashable, as for ``lru_cache``).

    The per-cohort replacement for ``functools.lru_cache`` on a function of Features.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"

    @wraps(fn)
    def wrapper(f: Features, *args: P.args, **kwargs: P.kwargs) -> T:
        if kwargs:
            raise TypeError(f"{name}: memoised per Features, so arguments must be positional")
        return memo(f, (name, *args), lambda: fn(f, *args))

    return wrapper


@lru_cache(maxsize=4096)  # keyed on a time-zone name, never on a cohort: bounded and shared
def _tz_offsets(name: str) -> tuple[float, float]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(name)
    return tuple(t.astimezone(zone).utcoffset().total_seconds() / 3600.0 for t in TZ_INSTANTS)


def _codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Integer codes over a shared, sorted vocabulary; matching ignores case and spacing."""
    norm_l = left.map(lambda s: " ".join(str(s).split()).casefold())
    norm_r = right.map(lambda s: " ".join(str(s).split()).casefold())
    vocab = sorted((set(norm_l) | set(norm_r)) - {""})
    index = {v: k for k, v in enumerate(vocab)}
    to = lambda s: np.array([index.get(v, -1) for v in s], dtype=np.int32)  # noqa: E731
    return to(norm_l), to(norm_r), vocab


def _multi_hot(left: pd.Series, right: pd.Series) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list[str]]:
    vocab = sorted({item for items in left for item in items} | {item for items in right for item in items})
    index = {v: k for k, v in enumerate(vocab)}

    def build(series: pd.Series) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        for items in series:
            indices.extend(sorted(index[i] for i in items))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(series), max(len(vocab), 1)))

    return build(left), build(right), vocab


def _side(table: pd.DataFrame, codes: dict, hots: dict, which: int) -> Side:
    n = len(table)
    tz = np.full((n, 2), np.nan)
    for k, name in enumerate(table["timezone"]):
        if name:
            tz[k] = _tz_offsets(name)
    return Side(
        n=n,
        style=table[list(STYLE_ITEMS)].to_numpy(dtype=float),
        seniority=table["seniority"].to_numpy(dtype=float),
        tz_offsets=tz,
        tz_code=np.zeros(n, dtype=np.int32),  # set by build_features
        mode=np.array([MODE_CODES[m or ""] for m in table["mode"]], dtype=np.int8),
        location=codes["location"][which],
        department=codes["department"][which],
        profession=codes["profession"][which],
        languages=hots["languages"][which],
        interests=hots["interests"][which],
        topics=hots["topics"][which],
        manager=table["manager_id"].to_numpy(dtype=object),
    )


def build_features(cohort) -> Features:
    """Arrays for scoring and rules, from a validated cohort.

    ``cohort``: anything with ``mentees`` and ``mentors`` DataFrames in the standard
    columns, already parsed (Likert/seniority numeric with NaN blank, text "" blank,
    lists as tuples of distinct strings), as the matcher's loader gives them. Returns
    :class:`Features` with row i of each side = row i of that table, and an empty memo.
    """
    e, r = cohort.mentees, cohort.mentors
    codes, hots, vocab = {}, {}, {}
    for col in ("location", "department", "profession"):
        ce, cr, v = _codes(e[col], r[col])
        codes[col] = (ce, cr)
        vocab[col] = v
    for col in ("languages", "interests", "topics"):
        he, hr, v = _multi_hot(e[col], r[col])
        hots[col] = (he, hr)
        vocab[col] = v
    side_e, side_r = _side(e, codes, hots, 0), _side(r, codes, hots, 1)
    # Time zones are few: gaps are looked up in a small table instead of computed per pair.
    both = np.vstack([side_e.tz_offsets, side_r.tz_offsets])
    known = ~np.isnan(both[:, 0])
    uniq, inverse = np.unique(both[known], axis=0, return_inverse=True)
    codes_all = np.full(both.shape[0], uniq.shape[0], dtype=np.int32)
    codes_all[known] = inverse.ravel()
    diff = np.abs(uniq[:, None, :] - uniq[None, :, :])
    table = np.full((uniq.shape[0] + 1,) * 2, np.nan)
    table[:-1, :-1] = np.minimum(diff, 24.0 - diff).max(axis=2) if uniq.size else table[:-1, :-1]
    side_e.tz_code[:] = codes_all[: side_e.n]
    side_r.tz_code[:] = codes_all[side_e.n :]
    return Features(
        e=side_e,
        r=side_r,
        tz_table=table,
        want=e[list(WANT_ITEMS)].to_numpy(dtype=float),
        ready=e[list(READY_ITEMS)].to_numpy(dtype=float),
        challenge=r["challenge"].to_numpy(dtype=float),
        care=r["care"].to_numpy(dtype=float),
        level=np.array([LEVEL_VALUES.get(v, np.nan) for v in r["level"]], dtype=float),
        vocab=vocab,
    )


def timezone_gap(f: Features, rows=slice(None)) -> np.ndarray:
    """Hours between each mentee (rows) and mentor, the larger over the year; NaN if blank.

    Clock difference on a 24 h circle: UTC+12 and UTC−11 are 1 h apart.
    """
    return f.tz_table[np.ix_(np.atleast_1d(f.e.tz_code[rows]), f.r.tz_code)]


def overlap_counts(a: sparse.csr_matrix, b: sparse.csr_matrix, rows: slice = slice(None)) -> np.ndarray:
    """Number of shared list items for each (row of a, row of b) pair, dense (k, m)."""
    return np.asarray((a[rows] @ b.T).toarray())


def list_sizes(a: sparse.csr_matrix) -> np.ndarray:
    return np.diff(a.indptr).astype(float)


MASK_WORDS = 4  # lists over vocabularies of up to 256 items become bit masks


def list_masks(a: sparse.csr_matrix, b: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray] | None:
    """Each row's items as bits of uint64 words, (n, words) per side; None if the shared
    vocabulary needs more than MASK_WORDS words. Shared items of two rows are then the
    popcount of an AND."""
    v = a.shape[1]
    words = max(1, -(-v // 64))
    if words > MASK_WORDS:
        return None
    # The narrowest word that holds the vocabulary: less memory to AND per pair.
    dtype = np.uint64
    for t in (np.uint32, np.uint16, np.uint8):
        if v <= np.dtype(t).itemsize * 8:
            dtype = t
    size = np.dtype(dtype).itemsize * 8

    def masks(m: sparse.csr_matrix) -> np.ndarray:
        out = np.zeros((m.shape[0], words), dtype)
        row = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        col = m.indices.astype(np.int64)
        np.bitwise_or.at(out, (row, col // size), np.left_shift(dtype(1), (col % size).astype(dtype)))
        return out

    return masks(a), masks(b)
