"""Every [rules] key is declared once (by its rule) and checked in one place: type,
finiteness, range and choices, with the key, the value and what is allowed in the message."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import ConfigError
from matcher.io.config import Config, parse_config
from matcher.solve.rules import settings_schema

NUMERIC = [s for s in settings_schema() if s.kind in ("number", "whole")]


def test_every_key_is_declared_once_with_its_default():
    keys = [s.key for s in settings_schema()]
    assert len(keys) == len(set(keys))
    defaults = Config().rules.as_dict()
    assert defaults == {s.key: s.default for s in settings_schema()}


@pytest.mark.parametrize("setting", NUMERIC, ids=lambda s: s.key)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_errors(setting, bad):
    with pytest.raises(ConfigError) as exc:
        parse_config({"rules": {setting.key: bad}})
    text = str(exc.value)
    assert f"rules.{setting.key}" in text
    # A number: "must be a finite number (between …)"; a whole number: "must be a whole
    # number (between …)" (issue 14: every numeric key names both bounds).
    assert "finite" in text or "must be a whole number (between" in text


@pytest.mark.parametrize(
    "setting", [s for s in NUMERIC if s.lo is not None or s.hi is not None], ids=lambda s: s.key
)
@given(value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e308, max_value=1e308))
def test_a_number_is_accepted_exactly_when_in_its_range(setting, value):
    if setting.kind == "whole":
        value = int(value) if abs(value) < 1e15 else 10**15
    inside = (setting.lo is None or value >= setting.lo) and (setting.hi is None or value <= setting.hi)
    if inside:
        assert getattr(parse_config({"rules": {setting.key: value}}).rules, setting.key) == value
    else:
        with pytest.raises(ConfigError, match=f"rules.{setting.key}.*must be"):
            parse_config({"rules": {setting.key: value}})


def test_negative_department_penalty_is_an_error():
    with pytest.raises(ConfigError, match=r"department_penalty', value '-5': must be between 0 and 100"):
        parse_config({"rules": {"department_penalty": -5}})


def test_rule_settings_are_read_only():
    rules = Config().rules
    with pytest.raises(AttributeError):
        rules.min_score = 3
    with pytest.raises(AttributeError, match="no rule setting"):
        rules.replace(min_scor=3)
