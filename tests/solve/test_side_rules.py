"""Side rules: the vectorised distinct-mentors test agrees with the pair-by-pair one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.solve.side_rules import DistinctMentors, DistinctTopics


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 8), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_conflicts_with_is_any_pairwise_conflict(n_r, n_topics, seed):
    rng = np.random.default_rng(seed)
    group = rng.integers(-1, 3, n_r)
    member = rng.random((n_r, n_topics)) < 0.4
    own = rng.choice(n_r, rng.integers(0, n_r + 1), replace=False)
    js = np.arange(n_r)
    for rule in (DistinctMentors(group, "department"), DistinctTopics(np.full(n_r, -1), "topics", member)):
        want = [any(rule.conflicts(int(j), int(k)) for k in own) for j in js]
        assert rule.conflicts_with(js, own).tolist() == want
