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


def _counts(docs: list[np.ndarray], width: int) -> sparse.csr_matrix:
    """Term counts (n_docs, ``width``) of documents given as arrays of term ids, each row's
    terms in increasing order (one ``np.unique`` over doc × width + term, which sorts by doc
    then term)."""
    n = len(docs)
    lengths = np.fromiter((d.size for d in docs), dtype=np.int64, count=n)
    ids = np.concatenate(docs) if n else np.zeros(0, np.int64)
    doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keys, data = np.unique(doc * width + ids, return_counts=True)
    indptr = np.searchsorted(keys, np.arange(n + 1, dtype=np.int64) * width)
    return sparse.csr_matrix((data.astype(np.float64), keys % width, indptr), shape=(n, width))


def fit_text(goals: list[str], expertise: list[str]) -> FittedText | None:
    """Fit the weighting on all non-blank texts and weigh both sides; None if no words.

    Each distinct text is split into terms once; the counts are built with numpy. The
    result equals scikit-learn's ``TfidfVectorizer`` (``sublinear_tf``, smooth idf, L2)."""
    goals, expertise = list(goals), list(expertise)
    terms = {t: terms_of(t) for t in dict.fromkeys(goals + expertise)}
    # A blank text has no terms, so the vocabulary of every text is that of the fitted ones.
    vocab = sorted({t for d in terms.values() for t in d})
    if not vocab:
        return None
    index = {t: k for k, t in enumerate(vocab)}
    ids = {text: np.array([index[t] for t in d], dtype=np.int64) for text, d in terms.items()}
    width = len(vocab)
    counts = [_counts([ids[t] for t in side], width) for side in (goals, expertise)]
    n_fit = sum(1 for t in goals + expertise if t.strip())
    # Document frequency: in how many fitted (non-blank) texts each term occurs.
    df = sum(np.bincount(m.indices, minlength=width) for m in counts).astype(np.float64)
    idf = np.log((1.0 + n_fit) / (1.0 + df)) + 1.0

    def weigh(m):
        m.data = 1.0 + np.log(m.data)
        m = m @ sparse.diags(idf)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m)

    return FittedText(weigh(counts[0]), weigh(counts[1]), tuple(vocab))


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
