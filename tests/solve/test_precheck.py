"""Pins checked before solving, with several mentors per mentee (``mentors_wanted``)."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.errors import InputError
from matcher.io.pairs_file import PairList
from matcher.solve.precheck import check_pins
from matcher.solve.problem import MatchProblem
from matcher.solve.side_rules import DistinctMentors, SideRules


class _Cohort:
    mentor_ids = np.array(["R1", "R2", "R3"], dtype=object)


def _problem(wanted):
    return MatchProblem(
        score=np.full((2, 3), 50.0),
        readiness=np.array([0.5, 0.5]),
        excluded=np.zeros((2, 3), np.uint16),
        capacity=np.array([2, 2, 2]),
        eligible=np.array([True, True]),
        wanted=np.array(wanted),
    )


def _pins(pairs):
    ids = tuple((f"E{i + 1}", f"R{j + 1}") for i, j in pairs)
    n = len(pairs)
    return PairList("pins.csv", tuple(pairs), tuple(range(2, n + 2)), ids, ("",) * n, ())


def test_a_mentee_may_be_pinned_up_to_the_mentors_they_want():
    check_pins(_problem([2, 1]), _pins([(0, 0), (0, 1), (1, 2)]), _Cohort())
    with pytest.raises(InputError) as err:
        check_pins(_problem([2, 1]), _pins([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]), _Cohort())
    assert [str(p) for p in err.value.problems] == [
        "pins.csv, row 4, column 'mentee_id', value 'E1': this mentee is pinned 3 times but wants 2 "
        "mentors (also row 2) — keep at most 2 pins for this mentee",
        "pins.csv, row 6, column 'mentee_id', value 'E2': this mentee is pinned twice (also row 5) — "
        "keep one pin per mentee",
    ]


def test_pins_that_break_distinct_mentors_are_an_error_naming_the_row():
    side = SideRules((DistinctMentors(np.array([0, 0, 1]), "department"),))
    check_pins(_problem([2, 1]), _pins([(0, 0), (0, 2)]), _Cohort(), side)
    with pytest.raises(
        InputError,
        match="row 3, column 'mentor_id', value 'R2': this mentee's pinned mentors would share their department",
    ):
        check_pins(_problem([2, 1]), _pins([(0, 0), (0, 1)]), _Cohort(), side)
