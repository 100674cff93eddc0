"""Score a whole cohort: the five Cs per pair, readiness per mentee, the 0–100 pair score.

``score_cohort(cohort, settings)`` returns a frozen :class:`Scores` whose arrays are all
indexed ``[mentee, mentor]`` in cohort order. The pair score is the weighted mean of
the Cs in use, with weight = programme weight (:class:`~scoring.settings.ScoringSettings`)
× the mentee's want_C answer (1–5, blank = 3), times 100. Mentee rows are scored in chunks so that memory stays
bounded by the (n_mentees, n_mentors) outputs themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import five_cs
from .features import Features, build_features
from .names import FIVE_CS
from .readiness import readiness as readiness_of
from .settings import ScoringSettings
from .text import fit_text, pair_similarity, text_similarity

CHUNK_PAIRS = 4_000_000  # pairs scored per chunk
CACHE_PAIRS = 256_000  # pairs scored in one pass of score_block (its temporaries fit the cache)


@dataclass(frozen=True, eq=False)
class Scores:
    """Scores for every pair. Shapes: components (5, n_e, n_r); score (n_e, n_r); readiness (n_e,)."""

    components: np.ndarray  # float32, NaN for a C not in use
    score: np.ndarray  # float64 in [0, 100], rounded to 0.01
    readiness: np.ndarray  # float64 in [0, 1]
    weights: np.ndarray  # (n_e, 5) effective weight of each C for each mentee (0 = not in use)
    used: tuple[str, ...]  # the Cs in use
    left_out: tuple[str, ...]  # human-readable notes on missing inputs
    features: Features
    text: object = None  # fitted TF-IDF (for explanations)
    appetite: np.ndarray | None = None  # (n_e,) challenge appetite 1–5 (for explanations)

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape

    def pair_components(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """The five Cs of pairs (ii[n], jj[n]) as a (5, n) float64 array."""
        return self.components[:, ii, jj].astype(np.float64)


def _notes(has_e, has_r) -> list[str]:
    notes = []
    needs = {
        "compatibility": [
            "style_structure",
            "style_pace",
            "style_directness",
            "interests",
            "timezone",
            "mode",
        ],
        "contrast": ["department", "profession"],
        "context": ["topics", "seniority"],
    }
    for c, cols in needs.items():
        missing = [col for col in cols if not (col in has_e and col in has_r)]
        if missing and len(missing) < len(cols):
            notes.append(f"{c}: left out {', '.join(missing)} (not in both files)")
    for col in ("challenge", "care", "level", "expertise"):
        if col not in has_r:
            notes.append(f"mentors file has no '{col}' column")
    for col in ("goals", *tuple(f"want_{c}" for c in FIVE_CS)):
        if col not in has_e:
            notes.append(f"mentees file has no '{col}' column")
    return notes


@dataclass(frozen=True, eq=False)
class ScoringContext:
    """Everything needed to score any block of mentee rows: features, text, weights."""

    features: Features
    text: object
    has_e: frozenset
    has_r: frozenset
    settings: ScoringSettings
    in_use: np.ndarray  # (5,) bool: the C has inputs in both files
    weights: np.ndarray  # (n_e, 5) effective weights (0 for Cs not in use)
    readiness: np.ndarray  # (n_e,)
    appetite: np.ndarray  # (n_e,)
    used: tuple[str, ...]
    left_out: tuple[str, ...]


def prepare_scoring(
    cohort, settings: ScoringSettings | None = None, boost: np.ndarray | None = None
) -> ScoringContext:
    """Features, fitted text and per-mentee weights: the part of scoring that is per person.

    ``cohort``: a validated cohort (``mentees`` and ``mentors`` tables in the standard
    columns, ``mentee_columns``/``mentor_columns`` the sets of columns each file gave,
    ``n_mentees``/``n_mentors``). ``settings``: None for the defaults (a matcher config
    passes ``config.scoring``).
    ``boost``: optional (n_mentees, 5) factors, 0 = unchanged; a factor f > 0 sets that C's
    weight to f × the mentee's largest weight. A re-match uses it so that the C named in a
    failed pair's reason leads the next choice for that mentee.
    """
    settings = _settings(settings)
    f = build_features(cohort)
    has_e, has_r = cohort.mentee_columns, cohort.mentor_columns
    fitted = None
    if "goals" in has_e and "expertise" in has_r:
        fitted = fit_text(list(cohort.mentees["goals"]), list(cohort.mentors["expertise"]))
    probe = slice(0, min(1, cohort.n_mentees))
    in_use = np.array([_component(f, fitted, has_e, has_r, settings, c, probe) is not None for c in FIVE_CS])
    prog = np.array(settings.weights, dtype=float)
    want = np.where(np.isnan(f.want), 3.0, f.want)
    for k, c in enumerate(FIVE_CS):
        if f"want_{c}" not in has_e:
            want[:, k] = 3.0
    weights = prog[None, :] * want * in_use[None, :]
    if boost is not None:
        # A boosted C weighs ``factor`` × the mentee's largest weight, so it leads the score
        # however little the mentee said it mattered before.
        boost = np.asarray(boost, dtype=float)
        top = weights.max(axis=1, keepdims=True)
        weights = np.where((boost > 0) & in_use[None, :], boost * top, weights)
    if not in_use.any():
        weights = np.zeros_like(weights)
    return ScoringContext(
        features=f,
        text=fitted,
        has_e=has_e,
        has_r=has_r,
        settings=settings,
        in_use=in_use,
        weights=weights,
        readiness=np.round(readiness_of(f.ready, has_e), 4),
        appetite=five_cs.challenge_appetite(f, has_e),
        used=tuple(c for k, c in enumerate(FIVE_CS) if in_use[k]),
        left_out=tuple(_notes(has_e, has_r)),
    )


def _settings(settings: ScoringSettings | None) -> ScoringSettings:
    """The settings to score with: the defaults for None; anything else must be a
    ScoringSettings (a matcher Config is not: pass ``config.scoring``)."""
    if settings is None:
        return ScoringSettings()
    if not isinstance(settings, ScoringSettings):
        raise TypeError(
            f"expected ScoringSettings or None, got {type(settings).__name__} (pass config.scoring)"
        )
    return settings


def _component(f, fitted, has_e, has_r, settings: ScoringSettings, c, rows):
    if c == "compatibility":
        return five_cs.compatibility(f, rows, has_e, has_r)
    if c == "contrast":
        return five_cs.contrast(f, rows, has_e, has_r)
    if c == "challenge":
        return five_cs.challenge(f, rows, has_e, has_r)
    if c == "context":
        if fitted is None:
            text = None
        elif isinstance(rows, five_cs.Pairs):
            text = pair_similarity(fitted, rows.mentees, rows.mentors)
        else:
            text = text_similarity(fitted, rows)
        return five_cs.context(f, rows, has_e, has_r, text, settings.seniority)
    return five_cs.care(f, rows, has_e, has_r)


def same_department(f: Features, rows) -> np.ndarray:
    """(k, n_mentors) bool: both gave the same department."""
    de, dr = f.e.department[rows][:, None], f.r.department[None, :]
    return (de == dr) & (de >= 0)


def pair_components(ctx: ScoringContext, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """The five Cs of pairs (mentees[n], mentors[n]) as a (5, n) float32 array (NaN for a C
    not in use): the same functions as :func:`score_block`, evaluated on those pairs only."""
    at = five_cs.Pairs(np.asarray(mentees, dtype=np.int64), np.asarray(mentors, dtype=np.int64))
    comps = np.full((5, at.mentees.size), np.nan, dtype=np.float32)
    for c_i, c in enumerate(FIVE_CS):
        if ctx.in_use[c_i] and at.mentees.size:
            comps[c_i] = _component(ctx.features, ctx.text, ctx.has_e, ctx.has_r, ctx.settings, c, at)
    return comps


def score_block(ctx: ScoringContext, rows) -> tuple[np.ndarray, np.ndarray]:
    """Components (5, k, n_r) float32 (NaN for a C not in use) and pair score (k, n_r) in
    [0, 100] rounded to 0.01, for mentee ``rows`` (a slice or an index array).

    The weighted sum runs in float32 (half the memory traffic of float64; the Cs are
    float32 already), always in the same order, so a pair's score never depends on the
    block it was scored in. So a large block is scored in slices of about ``CACHE_PAIRS``
    pairs: their temporaries stay in the processor's cache (about twice as fast as one
    pass over the whole block), and the result is the same.
    """
    f = ctx.features
    index = np.arange(f.e.n)[rows]
    comps = np.empty((5, index.size, f.r.n), dtype=np.float32)
    score = np.empty((index.size, f.r.n))
    step = max(1, CACHE_PAIRS // max(f.r.n, 1))
    if index.size <= step:
        _score_rows(ctx, rows, comps, score)
        return comps, score
    for start in range(0, index.size, step):
        part = slice(start, start + step)
        _score_rows(ctx, index[part], comps[:, part], score[part])
    return comps, score


def _score_rows(ctx: ScoringContext, rows, comps: np.ndarray, score: np.ndarray) -> None:
    """:func:`score_block` in one pass over ``rows``, into ``comps`` (5, k, n_r) and
    ``score`` (k, n_r)."""
    f = ctx.features
    k = len(np.arange(f.e.n)[rows])
    w = ctx.weights[rows]
    total = w.sum(axis=1)
    coef = (100.0 * w / np.where(total > 0, total, 1.0)[:, None]).astype(np.float32)
    acc = np.zeros((k, f.r.n), dtype=np.float32)
    for c_i, c in enumerate(FIVE_CS):
        if not ctx.in_use[c_i]:
            comps[c_i] = np.nan
            continue
        value = _component(f, ctx.text, ctx.has_e, ctx.has_r, ctx.settings, c, rows)
        comps[c_i] = value
        acc += coef[:, c_i][:, None] * value
    acc[total <= 0] = 50.0
    if "department" in ctx.has_e and "department" in ctx.has_r and ctx.settings.same_department == "penalise":
        acc -= np.float32(ctx.settings.department_penalty) * same_department(f, rows)
    np.clip(acc, 0.0, 100.0, out=acc)
    np.round(acc.astype(np.float64), 2, out=score)


def score_cohort(cohort, settings: ScoringSettings | None = None, boost: np.ndarray | None = None) -> Scores:
    """Score every (mentee, mentor) pair of a validated cohort (dense: all pairs in memory).

    See :func:`prepare_scoring` for ``cohort``, ``settings`` and ``boost``.
    """
    ctx = prepare_scoring(cohort, settings, boost)
    n_e, n_r = cohort.n_mentees, cohort.n_mentors
    components = np.full((5, n_e, n_r), np.nan, dtype=np.float32)
    score = np.zeros((n_e, n_r))
    step = max(1, CHUNK_PAIRS // max(n_r, 1))
    for start in range(0, n_e, step):
        rows = slice(start, min(n_e, start + step))
        components[:, rows], score[rows] = score_block(ctx, rows)
    return Scores(
        components=components,
        score=score,
        readiness=ctx.readiness,
        weights=ctx.weights,
        used=ctx.used,
        left_out=ctx.left_out,
        features=ctx.features,
        text=ctx.text,
        appetite=ctx.appetite,
    )
