"""The TF-IDF of :mod:`scoring.text` is scikit-learn's ``TfidfVectorizer`` (fitted on the
non-blank texts, stop words removed, unigrams and bigrams, sublinear tf, smooth idf, L2),
computed with scipy alone: same vocabulary, same rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.text import STOP_WORDS, fit_text

WORDS = ["grant", "writing", "data", "the", "and", "leadership", "Data", "ML", "a", "x1", "café", "of"]
text = st.lists(st.sampled_from([*WORDS, " ", ", ", "-"]), max_size=12).map(" ".join)


def _sklearn(goals, expertise):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words=sorted(STOP_WORDS), sublinear_tf=True, ngram_range=(1, 2))
    fit = [t for t in [*goals, *expertise] if t.strip()]
    vec.fit(fit)
    return vec.get_feature_names_out().tolist(), vec.transform(goals), vec.transform(expertise)


@settings(max_examples=60, deadline=None)
@given(st.lists(text, min_size=1, max_size=8), st.lists(text, min_size=1, max_size=8))
def test_fit_text_equals_scikit_learn(goals, expertise):
    fitted = fit_text(goals, expertise)
    if fitted is None:  # no word anywhere: scikit-learn refuses the empty vocabulary
        with pytest.raises(ValueError):
            _sklearn(goals, expertise)
        return
    terms, g, x = _sklearn(goals, expertise)
    assert list(fitted.terms) == terms
    for ours, theirs in ((fitted.goals, g), (fitted.expertise, x)):
        assert ours.has_sorted_indices
        np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-12, atol=1e-15)


def test_repeated_and_blank_texts_weigh_like_any_other():
    goals = ["grant writing", "grant writing", "", "   ", "the and of", "data data leadership"]
    expertise = ["grant writing data", "", "leadership"]
    fitted = fit_text(goals, expertise)
    terms, g, x = _sklearn(goals, expertise)
    assert list(fitted.terms) == terms
    np.testing.assert_allclose(fitted.goals.toarray(), g.toarray(), rtol=1e-12)
    np.testing.assert_allclose(fitted.expertise.toarray(), x.toarray(), rtol=1e-12)
    assert fitted.goals[2].nnz == fitted.goals[3].nnz == fitted.goals[4].nnz == 0
