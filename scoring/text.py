"""Free-text context: TF-IDF similarity between mentee goals and mentor expertise.

The weighting is fitted on the cohort's own texts (goals and expertise together), so
words every profile uses weigh little and distinctive ones ("fellowship", "grant") weigh
much. It is computed exactly as scikit-learn's ``TfidfVectorizer(stop_words=STOP_WORDS,
sublinear_tf=True, ngram_range=(1, 2))`` does — the tests assert equality with
scikit-learn — but with scipy alone, because importing scikit-learn takes about a second,
half the time budget of a 1,000-mentee run:

* tokens: lower-case runs of two or more word characters, stop words removed;
* terms: tokens and pairs of consecutive tokens;
* weight: (1 + ln tf) × (ln((1 + n) / (1 + df)) + 1), each text's vector L2-normalised.

Returns cosine similarity in [0, 1]; blank texts are marked so the caller treats them as
neutral.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Common English function words (our own list): they say nothing about a topic.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "else",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "like",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "perhaps",
        "quite",
        "rather",
        "really",
        "same",
        "she",
        "should",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "well",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


@dataclass(frozen=True, eq=False)
class FittedText:
    """TF-IDF rows for goals (n_mentees, V) and expertise (n_mentors, V), L2-normalised."""

    goals: sparse.csr_matrix
    expertise: sparse.csr_matrix
    terms: tuple[str, ...]

    @cached_property
    def expertise_t(self) -> sparse.csr_matrix:
        """``expertise.T`` as CSR, made once: the product ``goals @ expertise.T`` converts
        it to this anyway, once a block, and a large block is scored in many slices."""
        return self.expertise.T.tocsr()


def terms_of(text: str) -> list[str]:
    """Unigrams and bigrams of a text, after lower-casing and dropping stop words."""
    tokens = [t for t in TOKEN.findall(text.lower()) if t not in STOP_WORDS]
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def _counts(docs: list[list[str]], index: dict[str, int]) -> sparse.csr_matrix:
    indptr, indices, data = [0], [], []
    for terms in docs:
        counts: dict[int, int] = {}
        for t in terms:
            k = index.get(t)
            if k is not None:
                counts[k] = counts.get(k, 0) + 1
        for k in sorted(counts):
            indices.append(k)
            data.append(counts[k])
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(docs), max(len(index), 1)),
    )


def fit_text(goals: list[str], expertise: list[str]) -> FittedText | None:
    """Fit the weighting on all non-blank texts and weigh both sides; None if no words."""
    goal_terms = [terms_of(t) for t in goals]
    expert_terms = [terms_of(t) for t in expertise]
    fit_docs = [
        d for d, t in zip(goal_terms + expert_terms, list(goals) + list(expertise), strict=True) if t.strip()
    ]
    vocab = sorted({t for d in fit_docs for t in d})
    if not vocab:
        return None
    index = {t: k for k, t in enumerate(vocab)}
    df = np.zeros(len(vocab))
    for d in fit_docs:
        for t in set(d):
            df[index[t]] += 1
    idf = np.log((1.0 + len(fit_docs)) / (1.0 + df)) + 1.0

    def weigh(docs):
        m = _counts(docs, index)
        m.data = 1.0 + np.log(m.data)
        m = m @ sparse.diags(idf)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m)

    return FittedText(weigh(goal_terms), weigh(expert_terms), tuple(vocab))


def pair_similarity(fitted: FittedText, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """Cosine of each (mentees[n], mentors[n]) pair, (n,); NaN where either text is blank."""
    g, x = fitted.goals[mentees], fitted.expertise[mentors]
    sim = np.asarray(g.multiply(x).sum(axis=1)).ravel()
    blank = (np.diff(g.indptr) == 0) | (np.diff(x.indptr) == 0)
    return np.where(blank, np.nan, sim)


def text_similarity(fitted: FittedText, rows: slice = slice(None)) -> np.ndarray:
    """Cosine (k, n_mentors) for mentee ``rows``; NaN where either text is blank."""
    g, x = fitted.goals[rows], fitted.expertise
    sim = np.asarray((g @ fitted.expertise_t).toarray())
    sim[np.diff(g.indptr) == 0, :] = np.nan
    sim[:, np.diff(x.indptr) == 0] = np.nan
    return sim


def shared_terms(fitted: FittedText, i: int, j: int, top: int = 3) -> list[str]:
    """The terms that contribute most to mentee i ↔ mentor j similarity (for explanations)."""
    g, x = fitted.goals, fitted.expertise
    gs, xs = slice(g.indptr[i], g.indptr[i + 1]), slice(x.indptr[j], x.indptr[j + 1])
    cols, gi, xi = np.intersect1d(g.indices[gs], x.indices[xs], assume_unique=True, return_indices=True)
    if cols.size == 0:
        return []
    weight = g.data[gs][gi] * x.data[xs][xi]
    picked: list[str] = []
    for _, c in sorted(zip(-weight, cols.tolist(), strict=True)):
        term = fitted.terms[c]
        if any(term in p.split() or term == p for p in picked) or any(p in term.split() for p in picked):
            continue  # 'grant' adds nothing next to 'grant writing'
        picked.append(term)
        if len(picked) == top:
            break
    return picked
