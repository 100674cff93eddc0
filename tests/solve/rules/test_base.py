"""A hard rule defined here, registered without editing any other file, reaches every
output and every engine: scores.csv, unmatched.csv (reason and relaxation), explain,
summary.json, report.html, the flow and CP-SAT engines and the independent checker."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.errors import ConfigError
from matcher.io.config import parse_config
from matcher.io.settings import Setting
from matcher.solve.check import check
from matcher.solve.rules import RULES, RelaxInput, Rule, RuleInput
from tests.conftest import write_csv


def _mask(x: RuleInput):
    if not x.has("profession") or not x.config.rules.forbid_same_profession:
        return None
    e = x.features.e.profession[x.mentees][:, None]
    return (e == x.features.r.profession[None, :]) & (e >= 0)


def _detail(result, i, j):
    return f"same profession ({result.cohort.mentor_records[j]['profession']})"


def _relax(x: RelaxInput):
    return x.only, "allowing same-profession pairs"


TOY = Rule(
    "same_profession",
    "same profession",
    "every mentor has the mentee's profession",
    _mask,
    columns=("profession",),
    settings=(Setting("forbid_same_profession", True, "bool", "no pair of one profession", "true"),),
    detail=_detail,
    relax=_relax,
)

MENTORS = [
    {"id": "R1", "name": "Ann", "profession": "engineer", "capacity": 1},
    {"id": "R2", "name": "Bob", "profession": "nurse", "capacity": 1},
]
MENTEES = [
    {"id": "E1", "name": "Cat", "profession": "engineer"},
    {"id": "E2", "name": "Dan", "profession": "engineer"},
]


@pytest.fixture
def toy():
    with RULES.registered(TOY) as rule:
        yield rule
    assert "same_profession" not in RULES


@pytest.fixture
def files(tmp_path):
    return write_csv(tmp_path / "mentors.csv", MENTORS), write_csv(tmp_path / "mentees.csv", MENTEES)


def _run(*args):
    res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def _rows(path):
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_registry_gives_the_next_free_bit_and_refuses_duplicates(toy):
    bits = [r.bit for r in RULES.values()]
    assert len(set(bits)) == len(bits) and toy.bit == max(bits)
    with pytest.raises(ValueError, match="already registered"):
        RULES.register(TOY)
    with pytest.raises(KeyError, match="unknown rule 'same_profesion'"):
        RULES["same_profesion"]


def test_config_key_is_declared_by_the_rule(toy):
    assert parse_config({"rules": {"forbid_same_profession": False}}).rules.forbid_same_profession is False
    with pytest.raises(ConfigError, match=r"forbid_same_profession.*expected true or false"):
        parse_config({"rules": {"forbid_same_profession": "no"}})


def test_config_key_unknown_without_the_rule():
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config({"rules": {"forbid_same_profession": True}})


@pytest.mark.parametrize("engine", ["flow", "cp_sat"])
def test_toy_rule_reaches_every_output(toy, files, tmp_path, engine):
    mentors, mentees = files
    config = tmp_path / "programme.toml"
    config.write_text(f'[solver]\nengine = "{engine}"\n', encoding="utf-8")
    common = ["--mentors", mentors, "--mentees", mentees, "--config", config]
    _run("match", *common, "--out", tmp_path / "out")
    out = tmp_path / "out"
    pairs = _rows(out / "pairs.csv")
    assert [p["mentor_id"] for p in pairs] == ["R2"]  # R1 is excluded for both: honoured by the engine
    (unmatched,) = _rows(out / "unmatched.csv")
    assert {unmatched["mentee_id"], pairs[0]["mentee_id"]} == {"E1", "E2"}
    assert "1 by same profession" in unmatched["reason"]
    assert (
        "allowing same-profession pairs would give 1 more mentor (1 with a free place)" in unmatched["reason"]
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "same_profession" in summary["rules"]["applied"]
    assert summary["rules"]["forbid_same_profession"] is True
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<span class="pill"><b>same_profession</b></span>' in page  # hard rules in force
    assert "forbid same profession: <b>yes</b>" in page  # settings

    _run("scores", *common, "--out", tmp_path / "scores.csv")
    scores = {(r["mentee_id"], r["mentor_id"]): r for r in _rows(tmp_path / "scores.csv")}
    assert scores[("E1", "R1")]["reason_infeasible"] == "same_profession"
    assert scores[("E1", "R2")]["reason_infeasible"] == ""

    text = _run("explain", *common, "--mentee", "E1", "--mentor", "R1")
    assert "this pair is not allowed: same profession (engineer)" in text


def test_toy_rule_is_verified_by_the_checker(toy, files):
    from matcher.api import load, match

    cohort, config = load(*files)
    result = match(cohort, config)
    bad = result.solution.mentor_of.copy()
    bad[0] = 0  # E1 with R1: the same profession
    bad[1] = 1
    report = check(result.problem, bad)
    assert not report.ok
    assert any("same_profession" in v for v in report.violations)
    assert np.array_equal(check(result.problem, result.solution.mentor_of).violations, [])
