"""Family 1 of issue 14: numbers that are not numbers never pass config validation.

Every numeric config key (``[weights]``, ``[rules]``, ``[solver]`` and ``[likert]`` labels)
is declared with both bounds and checked in one place (``Setting.parse``). The generators
below feed every key NaN, infinities, 1e308, 64-bit extremes, values just outside its
range, wrong types and arbitrary TOML values: each is either used as given (finite,
inside the declared range) or refused with one problem naming the key, the value and
what is allowed. Valid extremes of every key run end to end: the checker passes and
summary.json is strict JSON.
"""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli.main import cli
from matcher.errors import ConfigError
from matcher.io.config import LIKERT_SETTING, numeric_settings, parse_config
from tests.conftest import strict_json, write_csv

KEYS = numeric_settings()
NUMERIC = {k: s for k, s in KEYS.items() if s.kind in ("number", "whole")}


def _config(key: str, value) -> dict:
    section, name = key.split(".")
    return {section: {name: value}}


def _value(config, key: str):
    section, name = key.split(".")
    holder = {"weights": config.weights, "rules": config.rules, "solver": config.solver}[section]
    return getattr(holder, name)


def _refused(key: str, value) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(_config(key, value), "programme.toml")
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0].column == key
    return str(problems[0])


def _range_words(s) -> list[str]:
    return [f"{b:g}" for b in (s.lo, s.hi) if b is not None]


def test_every_numeric_key_declares_both_bounds():
    assert {"weights.care", "rules.max_timezone_gap_hours", "solver.seed", "solver.workers"} <= set(KEYS)
    for key, s in KEYS.items():
        assert s.lo is not None and s.hi is not None, f"{key} has no {'lo' if s.lo is None else 'hi'}"
    assert LIKERT_SETTING.lo == 1 and LIKERT_SETTING.hi == 5


def _odd_values(s) -> list:
    lo, hi = s.lo, s.hi
    out = [math.nan, math.inf, -math.inf, 1e308, -1e308, 2**63 - 1, -(2**63), True, "5", [1]]
    if s.kind == "number":
        out += [hi + 1e-9 * max(1, abs(hi)), lo - 1e-9 * max(1, abs(lo)) if not s.lo_open else lo]
    else:
        out += [hi + 1, lo - 1, float(lo) + 0.5]
    return out


@pytest.mark.parametrize("key", sorted(NUMERIC))
def test_odd_values_of_every_numeric_key_are_refused_naming_key_value_and_range(key):
    s = NUMERIC[key]
    for value in _odd_values(s):
        line = _refused(key, value)
        assert f"key '{key}'" in line, line
        if isinstance(value, float) and not math.isfinite(value):
            # NaN and the infinities: the key, the value as written and the allowed range.
            assert f"value '{value}'" in line, line
            assert all(b in line for b in _range_words(s)), line


@pytest.mark.parametrize("key", sorted(NUMERIC))
def test_values_at_both_bounds_of_every_numeric_key_are_used_as_given(key):
    s = NUMERIC[key]
    for value in [s.lo if not s.lo_open else s.lo + 0.5, s.hi]:
        if key.startswith("weights.") and value == 0:
            continue  # one weight at 0 is fine, checked below with the others at 1
        value = int(value) if s.kind == "whole" else float(value)
        assert _value(parse_config(_config(key, value)), key) == value


@pytest.mark.parametrize("key", sorted(NUMERIC))
@given(
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.booleans(),
        st.text(max_size=5),
    )
)
def test_any_toml_value_is_either_in_range_and_finite_or_an_error_naming_the_key(key, value):
    s = NUMERIC[key]
    try:
        config = parse_config(_config(key, value), "programme.toml")
    except ConfigError as exc:
        assert [p.column for p in exc.problems] == [key] or (
            key.startswith("weights.") and [p.column for p in exc.problems] == ["weights"]
        )
        return
    used = _value(config, key)
    assert not isinstance(used, bool)
    assert math.isfinite(used)
    assert s.lo <= used <= s.hi
    assert not (s.lo_open and used == s.lo)
    assert used == value


def test_seniority_gap_bounds_are_checked():
    for gap in ([-(2**63), 1], [1, 2**63 - 1], [0, 2001]):
        assert "between -2000 and 2000" in _refused("rules.seniority_gap", gap)
    assert parse_config({"rules": {"seniority_gap": [-2000, 2000]}}).rules.seniority_gap == (-2000, 2000)


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**63), 2**63 - 1)))
def test_likert_labels_map_to_whole_numbers_1_to_5_only(value):
    try:
        config = parse_config({"likert": {"Agree": value}}, "programme.toml")
    except ConfigError as exc:
        (problem,) = exc.problems
        assert str(problem) == (
            f"programme.toml, key 'likert.Agree', value '{value}': must map to a whole number 1–5"
            ' — e.g. "Strongly agree" = 5'
        )
        return
    assert config.likert["agree"] == value and isinstance(value, int) and 1 <= value <= 5


MENTORS = [
    {"id": "R1", "timezone": "Pacific/Kiritimati", "department": "IT", "capacity": 1},
    {"id": "R2", "timezone": "Europe/London", "department": "HR", "capacity": 1},
]
MENTEES = [
    {"id": "E1", "timezone": "America/Los_Angeles", "department": "IT"},
    {"id": "E2", "timezone": "Europe/Paris", "department": "IT"},
]


def _match(tmp_path, toml: str):
    mentors = write_csv(tmp_path / "mentors.csv", MENTORS)
    mentees = write_csv(tmp_path / "mentees.csv", MENTEES)
    config = tmp_path / "programme.toml"
    config.write_text(toml, encoding="utf-8")
    out = tmp_path / "out"
    args = ["match", "--mentors", mentors, "--mentees", mentees, "--config", config, "--out", out]
    return CliRunner().invoke(cli, [str(a) for a in args]), out


@pytest.mark.parametrize("value", ["nan", "+inf", "-inf", "1e308", "27"])
def test_a_nan_time_zone_gap_is_an_error_not_a_rule_switched_off(tmp_path, value):
    result, out = _match(tmp_path, f"[rules]\nmax_timezone_gap_hours = {value}\n")
    assert result.exit_code == 1, result.output
    assert "key 'rules.max_timezone_gap_hours'" in result.stderr
    assert "between 0 and 26" in result.stderr
    assert "Traceback" not in result.output and "Warning" not in result.stderr
    assert not out.exists()


def test_a_negative_department_penalty_is_an_error_not_a_bonus(tmp_path):
    result, _ = _match(tmp_path, '[rules]\nsame_department = "penalise"\ndepartment_penalty = -50\n')
    assert result.exit_code == 1
    assert "key 'rules.department_penalty', value '-50': must be between 0 and 100" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "-1"])
def test_odd_weights_are_errors_not_internal_errors(tmp_path, value):
    result, _ = _match(tmp_path, f"[weights]\ncare = {value}\n")
    assert result.exit_code == 1
    assert "key 'weights.care'" in result.stderr and "between 0 and 1000" in result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output


@given(
    weights=st.lists(
        st.sampled_from([0.0, 1e-300, 5e-324, 1e-9, 0.5, 1.0, 999.999, 1000.0]), min_size=5, max_size=5
    ).filter(any),
    penalty=st.sampled_from([0.0, 100.0]),
    gap=st.sampled_from([0.0, 26.0]),
)
def test_extreme_valid_configs_match_optimally_with_strict_json(tmp_path_factory, weights, penalty, gap):
    tmp_path = tmp_path_factory.mktemp("extreme")
    names = ("compatibility", "contrast", "challenge", "context", "care")
    toml = "[weights]\n" + "".join(f"{n} = {w!r}\n" for n, w in zip(names, weights, strict=True))
    toml += f'[rules]\nsame_department = "penalise"\ndepartment_penalty = {penalty!r}\n'
    toml += f"max_timezone_gap_hours = {gap!r}\n"
    result, out = _match(tmp_path, toml)
    assert result.exit_code == 0, result.output
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["checked"] is True
    assert summary["status"] == "OPTIMAL"


@pytest.mark.parametrize("digits", [4301, 5000, 20000])
@pytest.mark.parametrize("key", ["rules.min_score", "solver.workers", "weights.care"])
def test_a_number_too_long_to_read_is_an_input_error_not_a_traceback(tmp_path, key, digits):
    from matcher.errors import ConfigError
    from matcher.io.config import load_config

    section, name = key.split(".")
    path = tmp_path / "programme.toml"
    path.write_text(f"[{section}]\n{name} = {'9' * digits}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="number too long to read"):
        load_config(path)
