"""Family 2 of issue 14: text becomes a number in one place, and never crashes.

``matcher.io.numbers.parse_whole`` accepts exactly ASCII digits (with a sign and a zero
fraction, as spreadsheets write whole numbers) and never converts a digit run too long
to be any accepted value; ``digit_runs`` (the natural sort key of ids) compares digit runs
without converting them. The generators feed arbitrary Unicode — other scripts' digits,
superscripts, runs of thousands of digits — to the parser, the sort key, every numeric
questionnaire column of both files and the history file's rounds: the answer is a value
or the tool's own InputError, never a traceback.
"""

from __future__ import annotations

import math
import string
import unicodedata
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli.main import cli
from matcher.api import load
from matcher.errors import InputError
from matcher.io import vocabulary
from matcher.io.cohort import natural_key
from matcher.io.config import Config
from matcher.io.history import read_history
from matcher.io.numbers import MAX_DIGITS, parse_whole
from matcher.io.questionnaire import columns_for
from matcher.io.read import canonical
from tests.conftest import without_coverage, write_csv

# Digits of other scripts and digit-like characters: isdigit() is True for all of them.
ODD_DIGITS = "²³¹⁰₀٠١٢٣٤٥٦٧٨٩۰۱۲০১२३๑๒１２３"
numberish = st.text(alphabet=string.digits + "+-.,eE " + ODD_DIGITS, max_size=30)
anything = st.one_of(
    numberish, st.text(max_size=30), st.text(alphabet=string.digits, min_size=4000, max_size=6000)
)


@given(anything)
def test_parse_whole_accepts_exactly_ascii_whole_numbers(text):
    value = parse_whole(text)
    if value is None:
        return
    body = text.lstrip("+-")
    digits = body.split(".")[0].split(",")[0]
    assert text[:1] in "+-0123456789" and text.count("+") + text.count("-") <= 1
    assert all(ch in string.digits for ch in digits)
    assert set(body[len(digits) + 1 :]) <= {"0"}
    if len(digits.lstrip("0")) > MAX_DIGITS:
        assert value == (-math.inf if text.startswith("-") else math.inf)
    else:
        assert value == int(text[: len(text) - len(body)] + digits)


def test_parse_whole_spellings_and_refusals():
    assert [parse_whole(t) for t in ("3", "+3", "-3", "3.0", "3,00", "007")] == [3, 3, -3, 3, 3, 7]
    for text in ("²", "٣", "３", "1e3", "3.5", "", " 3", "3 ", "--3", "0x10", "١٢"):
        assert parse_whole(text) is None, text
    assert parse_whole("9" * 5000) == math.inf and parse_whole("-" + "1" * 5000) == -math.inf


@given(st.lists(anything, max_size=8))
def test_natural_key_never_raises_and_is_a_total_order(ids):
    keys = [natural_key(t) for t in ids]
    ordered = sorted(ids, key=natural_key)
    assert sorted(reversed(ordered), key=natural_key) == ordered
    for a, ka in zip(ids, keys, strict=True):
        for b, kb in zip(ids, keys, strict=True):
            assert (ka == kb) == (a == b)


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=string.digits, min_size=1, max_size=30),
            st.text(alphabet=string.digits, min_size=4300, max_size=5000),
        ),
        min_size=1,
        max_size=6,
        unique=True,
    )
)
def test_natural_key_orders_digit_runs_of_any_length_by_value(runs):
    ids = [f"E{n}x" for n in runs]
    by_value = sorted(runs, key=lambda n: (Decimal(n), n))  # Decimal: no int-conversion limit
    assert sorted(ids, key=natural_key) == [f"E{n}x" for n in by_value]


NUMERIC_COLUMNS = {
    side: [c.name for c in columns_for(side).values() if c.kind in ("int", "capacity", "likert")]
    for side in ("mentors", "mentees")
}


def _write(tmp_path, mentors, mentees):
    return write_csv(tmp_path / "mentors.csv", mentors), write_csv(tmp_path / "mentees.csv", mentees)


@pytest.mark.parametrize("side", ["mentors", "mentees"])
@given(data=st.data(), text=anything)
def test_any_text_in_any_numeric_column_loads_or_is_an_input_error(tmp_path_factory, side, data, text):
    column = data.draw(st.sampled_from(NUMERIC_COLUMNS[side]))
    mentor = {"id": "R1", "capacity": "1"}
    mentee = {"id": "E1"}
    (mentor if side == "mentors" else mentee)[column] = text
    paths = _write(tmp_path_factory.mktemp("num"), [mentor], [mentee])
    try:
        cohort, _ = load(*paths)
    except InputError as exc:
        assert all(p.column in (column, None) for p in exc.problems), exc
        return
    table = cohort.mentors if side == "mentors" else cohort.mentees
    got = table[column].iat[0]
    cell = canonical(text)
    if not cell:
        assert column != "capacity" and math.isnan(got)
    elif parse_whole(cell) is not None:
        assert got == parse_whole(cell), (cell, got)
    else:  # an everyday Likert answer ("Agree", "4 - Agree", "yes"), never a number read otherwise
        kind = columns_for(side)[column].kind
        assert kind == "likert" and got in (1.0, 2.0, 3.0, 4.0, 5.0), (cell, got)
        assert got == vocabulary.parse(kind, column, cell, Config()).value


@given(round_=anything, ended=anything)
def test_any_text_as_a_history_round_reads_or_is_an_input_error(tmp_path_factory, round_, ended):
    path = tmp_path_factory.mktemp("hist") / "history.csv"
    write_csv(
        path,
        [{"round": round_, "mentee_id": "E1", "mentor_id": "R1", "outcome": "failed", "ended_round": ended}],
    )
    try:
        entries = read_history(path)
    except InputError as exc:
        assert {p.column for p in exc.problems} <= {"round", "ended_round", None}
        return
    (entry,) = entries
    assert entry.round >= 1 and entry.round == parse_whole(round_.strip())
    assert entry.ended_round is None or entry.ended_round >= 1


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_the_issue_examples_are_messages_not_tracebacks(tmp_path):
    long_id = "R" + "7" * 5000
    mentors, mentees = _write(
        tmp_path,
        [{"id": long_id, "capacity": 1}, {"id": "R" + "7" * 4999, "capacity": "9" * 5000}],
        [{"id": "E1"}],
    )
    result = _run("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    assert without_coverage(result.stderr).splitlines() == [
        "Error: 1 problem in the input:",
        "  mentors.csv, row 3, column 'capacity', value '<5000 digits hidden>': capacity cannot be more"
        " than 10000 — write how many mentees this mentor takes this round, e.g. 2",
    ]
    mentors, _ = _write(tmp_path, [{"id": long_id, "capacity": 1}], [{"id": "E1"}])
    assert _run("match", "--mentors", mentors, "--mentees", mentees, "--out", tmp_path / "out").exit_code == 0
    history = tmp_path / "history.csv"
    rounds = ["²", "0", "-1", "٣", "1" * 5000]
    write_csv(
        history, [{"round": r, "mentee_id": "E1", "mentor_id": long_id, "outcome": "active"} for r in rounds]
    )
    result = _run(
        "match", "--mentors", mentors, "--mentees", mentees, "--history", history, "--out", tmp_path / "o2"
    )
    assert result.exit_code == 1
    fix = "is not a round number (a whole number from 1 to 1000000) — keep the round the tool wrote"
    assert without_coverage(result.stderr).splitlines() == [
        "Error: 5 problems in the input:",
        f"  history.csv, row 2, column 'round', value '²': {fix}",
        f"  history.csv, row 3, column 'round', value '0': {fix}",
        f"  history.csv, row 4, column 'round', value '-1': {fix}",
        f"  history.csv, row 5, column 'round', value '٣': {fix}",
        f"  history.csv, row 6, column 'round', value '<5000 digits hidden>': {fix}",
    ]
    assert unicodedata.category("²") == "No"  # a digit to str.isdigit(), not to int()


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--mentees", "9" * 30, "--mentors", "1"],
        ["generate", "--mentees", "1", "--mentors", "1", "--seed", "-1"],
        ["generate", "--mentees", "²", "--mentors", "1"],
        ["match", "--alternatives", "9" * 5000],
    ],
)
def test_odd_numbers_on_the_command_line_are_usage_errors_or_work(tmp_path, args):
    mentors, mentees = _write(tmp_path, [{"id": "R1", "capacity": 1}], [{"id": "E1"}])
    if args[0] == "match":
        args = [*args, "--mentors", mentors, "--mentees", mentees]
    result = _run(*args, "--out", tmp_path / "out")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output


def test_a_change_budget_beyond_64_bits_is_no_limit_not_an_overflow(tmp_path):
    mentors, mentees = _write(
        tmp_path,
        [{"id": "R1", "capacity": 2}, {"id": "R2", "capacity": 2}],
        [{"id": f"E{k}"} for k in range(3)],
    )
    assert _run("match", "--mentors", mentors, "--mentees", mentees, "--out", tmp_path / "r1").exit_code == 0
    failed = write_csv(tmp_path / "failed.csv", [], header=["mentee_id", "mentor_id"])
    outs = []
    for budget in ("9" * 30, str(2**63 - 1), "3"):
        out = tmp_path / f"r2-{len(budget)}"
        args = ["--pairs", tmp_path / "r1" / "pairs.csv", "--failed", failed, "--out", out]
        result = _run("rematch", "--mentors", mentors, "--mentees", mentees, *args, "--max-changes", budget)
        assert result.exit_code == 0, result.output
        outs.append((out / "pairs.csv").read_bytes())
    assert outs[0] == outs[1] == outs[2]  # any budget of 3 or more moves allows every move
