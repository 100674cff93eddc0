"""Score a whole cohort: the five Cs per pair, readiness per mentee, the 0–100 pair score.

``score_cohort(cohort, config)`` returns a frozen :class:`Scores` whose arrays are all
indexed ``[mentee, mentor]`` in cohort order. The pair score is the weighted mean of
the Cs in use, with weight = programme weight (config) × the mentee's want_C answer
(1–5, blank = 3), times 100. Mentee rows are scored in chunks so that memory stays
bounded by the (n_mentees, n_mentors) outputs themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.config import FIVE_CS, Config

from . import five_cs
from .features import Features, build_features
from .readiness import readiness as readiness_of
from .text import fit_text, text_similarity

CHUNK_PAIRS = 4_000_000  # pairs scored per chunk


@dataclass(frozen=True, eq=False)
class Scores:
    """Scores for every pair. Shapes: components (5, n_e, n_r); score (n_e, n_r); readiness (n_e,)."""

    components: np.ndarray  # float32, NaN for a C not in use
    score: np.ndarray  # float64 in [0, 100], rounded to 0.01
    readiness: np.ndarray  # float64 in [0, 1]
    weights: np.ndarray  # (n_e, 5) effective weight of each C for each mentee (0 = not in use)
    used: tuple[str, ...]  # the Cs in use
    left_out: tuple[str, ...]  # human-readable notes on missing inputs
    same_department: np.ndarray | None  # (n_e, n_r) bool, or None when not known
    features: Features
    text: object = None  # fitted TF-IDF (for explanations)
    appetite: np.ndarray | None = None  # (n_e,) challenge appetite 1–5 (for explanations)

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape


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


def score_cohort(cohort, config: Config | None = None, boost: np.ndarray | None = None) -> Scores:
    """Score every (mentee, mentor) pair of a validated cohort.

    ``boost``: optional (n_mentees, 5) factors, 0 = unchanged; a factor f > 0 sets that C's
    weight to f × the mentee's largest weight. A re-match uses it so that the C named in a
    failed pair's reason leads the next choice for that mentee.
    """
    config = config or Config()
    f = build_features(cohort)
    has_e, has_r = cohort.mentee_columns, cohort.mentor_columns
    n_e, n_r = cohort.n_mentees, cohort.n_mentors
    fitted = None
    if "goals" in has_e and "expertise" in has_r:
        fitted = fit_text(list(cohort.mentees["goals"]), list(cohort.mentors["expertise"]))

    rule = config.rules.seniority
    funcs = {
        "compatibility": lambda rows: five_cs.compatibility(f, rows, has_e, has_r),
        "contrast": lambda rows: five_cs.contrast(f, rows, has_e, has_r),
        "challenge": lambda rows: five_cs.challenge(f, rows, has_e, has_r),
        "context": lambda rows: five_cs.context(
            f, rows, has_e, has_r, None if fitted is None else text_similarity(fitted, rows), rule
        ),
        "care": lambda rows: five_cs.care(f, rows, has_e, has_r),
    }
    components = np.full((5, n_e, n_r), np.nan, dtype=np.float32)
    in_use = np.zeros(5, dtype=bool)
    step = max(1, CHUNK_PAIRS // max(n_r, 1))
    for start in range(0, n_e, step):
        rows = slice(start, min(n_e, start + step))
        for k, c in enumerate(FIVE_CS):
            value = funcs[c](rows)
            if value is not None:
                components[k, rows] = value
                in_use[k] = True

    prog = np.array([config.weights.as_dict()[c] for c in FIVE_CS])
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
    total_w = weights.sum(axis=1)
    if not in_use.any() or np.all(total_w <= 0):
        score = np.full((n_e, n_r), 50.0)
        weights = np.zeros_like(weights)
    else:
        norm = np.where(total_w > 0, total_w, 1.0)
        score = np.zeros((n_e, n_r))
        for k in range(5):
            if in_use[k]:
                score += (weights[:, k] / norm)[:, None] * components[k].astype(np.float64)
        score *= 100.0
        score[total_w <= 0] = 50.0

    same_dept = None
    if "department" in has_e and "department" in has_r:
        de, dr = f.e.department[:, None], f.r.department[None, :]
        same_dept = (de == dr) & (de >= 0)
        if config.rules.same_department == "penalise":
            score = np.where(same_dept, score - config.rules.department_penalty, score)
    score = np.round(np.clip(score, 0.0, 100.0), 2)

    ready = readiness_of(f.ready, has_e)
    used = tuple(c for k, c in enumerate(FIVE_CS) if in_use[k])
    return Scores(
        components=components,
        score=score,
        readiness=np.round(ready, 4),
        weights=weights,
        used=used,
        left_out=tuple(_notes(has_e, has_r)),
        same_department=same_dept,
        features=f,
        text=fitted,
        appetite=five_cs.challenge_appetite(f, has_e),
    )
