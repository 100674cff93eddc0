"""The engines registry and the one problem contract."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matcher.errors import MatcherError
from matcher.io.config import Config, parse_config
from matcher.solve import engines
from matcher.solve.candidates import SparseProblem
from matcher.solve.problem import MatchProblem, Problem
from matcher.solve.side_rules import (
    ChangeBudget,
    DepartmentSpread,
    DistinctMentors,
    DistinctTopics,
    FairObjective,
    FewestChanges,
    MentorMinimum,
    SideRules,
)


def _problem():
    return MatchProblem(
        score=np.array([[50.0, 60.0], [70.0, 10.0]]),
        readiness=np.array([0.5, 0.6]),
        excluded=np.zeros((2, 2), np.uint16),
        capacity=np.array([1, 1]),
        eligible=np.array([True, True]),
    )


def test_config_engine_names_come_from_the_registry():
    assert engines.names() == ("auto", "flow", "budget", "cp_sat")
    assert parse_config({"solver": {"engine": "cp_sat"}}).solver.engine == "cp_sat"
    with pytest.raises(MatcherError, match="use one of: auto, flow, budget, cp_sat"):
        parse_config({"solver": {"engine": "gurobi"}})


def test_every_engine_declares_kinds_and_side_rules():
    every = {
        DepartmentSpread,
        MentorMinimum,
        FairObjective,
        ChangeBudget,
        DistinctMentors,
        DistinctTopics,
        FewestChanges,
    }
    for engine in engines.engines().values():
        assert engine.kinds <= {"dense", "candidates"} and engine.kinds
        assert engine.side_rules <= every
        assert engine.several is None or engine.several <= engine.side_rules


def test_auto_takes_the_first_engine_that_supports_the_request():
    p = _problem()
    assert engines.choose("auto", p, SideRules()).name == "flow"
    budget = SideRules.of(keep=((0, 0),), max_changes=1)
    assert engines.choose("auto", p, budget).name == "budget"
    fair_budget = SideRules.of(keep=((0, 0),), max_changes=1, fair=True)
    assert engines.choose("auto", p, fair_budget).name == "cp_sat"


def test_a_named_engine_asked_for_what_it_cannot_do_is_an_error():
    p = _problem()
    budget = SideRules.of(keep=((0, 0),), max_changes=1)
    with pytest.raises(
        MatcherError,
        match=r'--max-changes above 0 needs the bounded re-match engine; set \[solver\] engine = "auto" or "budget"',
    ):
        engines.choose("flow", p, budget)
    sparse = SparseProblem.__new__(SparseProblem)  # only its declared kind is read
    with pytest.raises(MatcherError, match=r"candidate sets\) needs min-cost flow"):
        engines.choose("cp_sat", sparse, SideRules())
    assert engines.choose("auto", sparse, budget).name == "budget"
    fair_budget = SideRules.of(keep=((0, 0),), max_changes=1, fair=True)
    with pytest.raises(MatcherError, match="no solver engine supports"):
        engines.choose("auto", sparse, fair_budget)
    with pytest.raises(MatcherError, match="unknown solver engine"):
        engines.choose("gurobi", p, SideRules())


def test_both_engines_agree_on_a_small_problem():
    p = _problem()
    flow = engines.solve(p, SideRules(), Config().solver)
    cp = engines.solve(p, SideRules(), dataclasses.replace(Config().solver, engine="cp_sat"))
    assert flow.objective == cp.objective and flow.mentor_of.tolist() == [1, 0]


def test_both_problems_honour_the_contract_and_are_immutable():
    for cls in (MatchProblem, SparseProblem):
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
        for name in ("arc_arrays", "pair_scores", "pair_bits", "row", "ranks", "allowed_counts", "certify",
                     "scores_view", "allowed_components"):  # fmt: skip
            assert callable(getattr(cls, name)), (cls, name)
    assert isinstance(_problem(), Problem)
    with pytest.raises(dataclasses.FrozenInstanceError):
        _problem().pins = ((0, 0),)


def test_side_rules_are_asked_once():
    side = SideRules.of(department=np.array([0, 0]), max_same_department=1, min_per_mentor=1, fair=True)
    assert side.spread.cap == 1 and side.minimum.minimum == 1 and side.fair and side.budget is None
    assert side.without(FairObjective).fair is False
    with pytest.raises(ValueError, match="at most one"):
        SideRules((FairObjective(), FairObjective()))
