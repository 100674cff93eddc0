"""``with_forbidden``: a review session's re-encoding equals ``build_problem`` array for array."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.api import load
from matcher.solve.encode import build_problem, with_forbidden
from scoring.combine import score_cohort
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def scored():
    cohort, config = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
    return cohort, config, score_cohort(cohort, config.scoring)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_with_forbidden_is_build_problem(scored, data):
    cohort, config, scores = scored
    n_e, n_r = cohort.n_mentees, cohort.n_mentors
    pair = st.tuples(st.integers(0, n_e - 1), st.integers(0, n_r - 1))
    forbidden = tuple(data.draw(st.lists(pair, max_size=30)))
    pins = tuple(data.draw(st.lists(pair, max_size=5, unique_by=lambda p: p[0])))
    caps = data.draw(st.dictionaries(st.integers(0, n_r - 1), st.integers(0, 6), max_size=8))
    failed = tuple(data.draw(st.lists(pair, max_size=3)))
    changed = cohort.with_capacity(caps)
    base = build_problem(cohort, config, scores, failed=failed)
    got, applied = with_forbidden(*base, changed.capacity, forbidden, pins)
    want, want_applied = build_problem(changed, config, scores, forbidden=forbidden, failed=failed, pins=pins)
    assert applied == want_applied
    for name in ("score", "readiness", "excluded", "capacity", "eligible"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert got.pins == want.pins and got.max_score == want.max_score
    assert got.shortlist == want.shortlist and got.wanted is None and want.wanted is None
    assert not np.shares_memory(got.excluded, base[0].excluded)  # the base is never changed
