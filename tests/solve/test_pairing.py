"""Pairing: sorted (mentee, mentor) pairs, mentor_of only where one mentor each."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.solve.pairing import Pairing, SeveralMentorsError, as_pairing
from matcher.solve.solution import Solution


def test_pairs_are_sorted_and_read_only_and_mentor_of_only_with_one_mentor_each():
    p = Pairing.of([2, 0, 2], [1, 3, 0], 4)
    assert p.pairs.tolist() == [[0, 3], [2, 0], [2, 1]]
    assert not p.pairs.flags.writeable
    assert p.count.tolist() == [1, 0, 2, 0] and not p.single
    assert p.mentors(2).tolist() == [0, 1] and p.mentors(1).tolist() == []
    assert p.load(4).tolist() == [1, 1, 0, 1]
    assert p.contains([2, 2, 0, 1], [1, 3, 3, 0]).tolist() == [True, False, True, False]
    with pytest.raises(SeveralMentorsError):
        _ = p.mentor_of
    one = Pairing.of([2, 0], [1, 3], 4)
    assert one.mentor_of.tolist() == [3, -1, 1, -1]


@given(st.lists(st.integers(-1, 5), min_size=0, max_size=12))
def test_mentor_of_round_trips(mentor_of):
    m = np.array(mentor_of, dtype=np.int64)
    p = as_pairing(m)
    assert p.mentor_of.tolist() == m.tolist()
    assert Solution(m, "x", "OPTIMAL", 0, 0, 0.0).mentor_of.tolist() == m.tolist()
    assert p.size == int((m >= 0).sum())
