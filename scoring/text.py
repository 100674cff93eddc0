"""Free-text context: TF-IDF similarity between mentee goals and mentor expertise.

The vectoriser is fitted on the cohort's own texts (goals and expertise together), so
words every profile uses weigh little and distinctive ones ("fellowship", "grant")
weigh much. Returns cosine similarity in [0, 1]; blank texts are marked so the caller
can treat them as neutral.
"""

from __future__ import annotations

import numpy as np


def fit_text(goals: list[str], expertise: list[str]):
    """Fit TF-IDF on all non-blank texts; return (G, X) L2-normalised sparse rows, or None."""
    texts = [t for t in list(goals) + list(expertise) if t.strip()]
    if not texts:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1, dtype=np.float64
    )
    try:
        vec.fit(texts)
    except ValueError:  # only stop words
        return None
    return vec.transform(list(goals)), vec.transform(list(expertise)), vec


def text_similarity(fitted, rows: slice = slice(None)) -> np.ndarray:
    """Cosine (k, n_mentors) for mentee ``rows``; NaN where either text is blank."""
    g, x, _ = fitted
    gr = g[rows]
    sim = np.asarray((gr @ x.T).toarray())
    blank_g = np.diff(gr.indptr) == 0
    blank_x = np.diff(x.indptr) == 0
    sim[blank_g, :] = np.nan
    sim[:, blank_x] = np.nan
    return sim


def shared_terms(fitted, i: int, j: int, top: int = 3) -> list[str]:
    """The terms that contribute most to mentee i ↔ mentor j similarity (for explanations)."""
    g, x, vec = fitted
    prod = g[i].multiply(x[j])
    if prod.nnz == 0:
        return []
    prod = prod.tocoo()
    names = vec.get_feature_names_out()
    order = sorted(zip(-prod.data, prod.col, strict=True))
    picked: list[str] = []
    for _, c in order:
        term = str(names[c])
        if any(term in p.split() or term == p for p in picked) or any(p in term.split() for p in picked):
            continue  # 'grant' adds nothing next to 'grant writing'
        picked.append(term)
        if len(picked) == top:
            break
    return picked
