"""Family 5 of issue 14: private text is never echoed, however short.

The generator puts private-looking text (sensitive words, words of rare letters, one to
three of them) in every checked questionnaire column of either file, in references
(avoid, manager_id), in pin files, in failed.csv's reason and history's outcome, and
shifts a goals text into the Likert columns with an unquoted comma: no message or
warning contains any of its words. Values that could be answers of their column (a short
number, a Likert label with a typo, a meeting-mode word, a zone name) are still shown.

:func:`matcher.errors.shown_value` is the one place that decides; issue 13's everyday
answers ("Agree somewhat more", "Band 6", "oftenish") are among the words of a column,
so an answer the tool does not know yet is shown for the coordinator to map.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.api import load, read_pair_files
from matcher.errors import InputError, Problem, shown_value
from matcher.io.config import Config
from matcher.io.history import read_history
from matcher.io.questionnaire import columns_for
from matcher.io.vocabulary import answer_vocabulary, column_vocabulary
from matcher.rematch import read_failed
from tests.conftest import write_csv

SENSITIVE = ["divorce", "cancer", "pregnant", "depression", "bankruptcy", "custody", "rehab", "grief"]
private_word = st.one_of(st.sampled_from(SENSITIVE), st.text(alphabet="qxzjkvw", min_size=4, max_size=9))
private_text = st.lists(private_word, min_size=1, max_size=3).map(" ".join)

CHECKED = [
    (side, c.name)
    for side in ("mentors", "mentees")
    for c in columns_for(side).values()
    if c.kind in ("int", "capacity", "likert", "mode", "level", "timezone")
]


def _messages(exc: InputError | None, warnings=()) -> str:
    lines = [str(p) for p in exc.problems] if exc is not None else []
    return "\n".join([*lines, *(str(w) for w in warnings)]).casefold()


def _assert_hidden(text: str, messages: str) -> None:
    for word in text.split():
        assert word.casefold() not in messages, (word, messages)


@given(where=st.sampled_from(CHECKED), text=private_text)
def test_private_text_in_any_checked_column_is_never_echoed(tmp_path_factory, where, text):
    side, column = where
    mentor, mentee = {"id": "R1", "capacity": "1"}, {"id": "E1"}
    (mentor if side == "mentors" else mentee)[column] = text
    folder = tmp_path_factory.mktemp("private")
    paths = write_csv(folder / "mentors.csv", [mentor]), write_csv(folder / "mentees.csv", [mentee])
    with pytest.raises(InputError) as info:
        load(*paths)
    assert [p.column for p in info.value.problems] == [column]
    _assert_hidden(text, _messages(info.value))


@given(text=private_text, column=st.sampled_from(["avoid", "manager_id"]))
def test_a_name_typed_as_a_reference_is_never_echoed(tmp_path_factory, text, column):
    folder = tmp_path_factory.mktemp("refs")
    mentors = write_csv(folder / "mentors.csv", [{"id": "R1", "capacity": 1, column: f"{text} Smith"}])
    mentees = write_csv(folder / "mentees.csv", [{"id": "E1"}])
    cohort, _ = load(mentors, mentees)
    assert cohort.warnings
    _assert_hidden(text, _messages(None, cohort.warnings))
    pins = write_csv(folder / "pins.csv", [{"mentee_id": f"{text} Jones", "mentor_id": "R1"}])
    pin_list, _ = read_pair_files(cohort, pins)
    assert pin_list.warnings
    _assert_hidden(text, _messages(None, pin_list.warnings))


@given(text=private_text)
def test_private_text_as_a_failure_reason_or_history_outcome_is_never_echoed(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("files")
    failed = write_csv(folder / "failed.csv", [{"mentee_id": "E1", "mentor_id": "R1", "reason": text}])
    with pytest.raises(InputError) as info:
        read_failed(failed)
    _assert_hidden(text, _messages(info.value))
    history = write_csv(
        folder / "history.csv", [{"round": 1, "mentee_id": "E1", "mentor_id": "R1", "outcome": text}]
    )
    with pytest.raises(InputError) as info:
        read_history(history)
    _assert_hidden(text, _messages(info.value))


def test_goals_shifted_by_an_unquoted_comma_are_never_echoed(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", [{"id": "R1", "capacity": 1}])
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(
        "id,goals,want_care,want_challenge,ready_open\n"
        "E1,cope with my divorce, and my custody case,3,4\n",  # the comma shifts the goals
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load(mentors, mentees)
    messages = _messages(info.value)
    assert "column 'want_care', value '<4 words hidden>'" in messages  # "and my custody case"
    _assert_hidden("divorce custody case", messages)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("likert", "6"),
        ("likert", "Strongly agre"),
        ("likert", "Often"),
        ("mode", "Zoom"),
        ("level", "Expert"),
        ("timezone", "Europe/Londn"),
        ("timezone", "UTC+1"),
        ("capacity", "two"),
        ("int", "senior"),
        # non-committal answers, typed in any column: nobody's private text
        ("capacity", "maybe"),
        ("int", "Not sure"),
        ("mode", "undecided"),
        ("level", "unsure"),
    ],
)
def test_values_that_could_be_answers_of_their_column_are_shown(kind, value):
    assert shown_value("x", value, answer_vocabulary(kind, ())) == value


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("likert", "my divorce", "<2 words hidden>"),
        ("mode", "fever", "<1 word hidden>"),
        ("timezone", "near my ex", "<3 words hidden>"),
        ("capacity", "4929123456781234", "<16 digits hidden>"),
        ("idlist", "John Smith", "<2 words hidden>"),
        ("capacity", "Smith", "<1 word hidden>"),  # a surname beside the non-committal words
        ("mode", "maybe Smith", "<2 words hidden>"),
    ],
)
def test_values_that_cannot_be_answers_are_hidden_however_short(kind, value, shown):
    assert shown_value("x", value, answer_vocabulary(kind, ())) == shown
    assert shown_value("name", "Ann", None) == "<hidden>"


# --- the merged rules, column by column (issue 13's examples) -----------------------------------


@pytest.mark.parametrize(
    ("column", "kind", "value", "expected"),
    [
        # Personal columns: never, however short, whatever their vocabulary.
        ("goals", None, "x", "<hidden>"),
        ("name", "likert", "Agree", "<hidden>"),
        ("email", "capacity", "a@b.c", "<hidden>"),
        # Unknown answers made of the column's own words: in full, for the coordinator to map.
        ("ready_open", "likert", "Neither agree nor disagree", "Neither agree nor disagree"),
        ("ready_open", "likert", "Agree somewhat more", "Agree somewhat more"),
        ("ready_open", "likert", "oftenish", "oftenish"),
        ("mode", "mode", "Hybrid-ish working", "Hybrid-ish working"),
        ("seniority", "int", "Band 6", "Band 6"),
        ("capacity", "capacity", "two", "two"),
        ("capacity", "capacity", "2.5", "2.5"),
        ("capacity", "capacity", "-1", "-1"),
        # Anything else in an answer column: hidden, only its size shown.
        ("mode", "mode", "Online only, weekday evenings please", "<5 words hidden>"),
        ("capacity", "capacity", "my divorce", "<2 words hidden>"),
        ("level", "level", "Guru", "<1 word hidden>"),
        ("ready_open", "likert", "I am going through a very hard time at home", "<10 words hidden>"),
        ("timezone", "timezone", "ann@example.org", "<hidden>"),  # an email address, anywhere
        # A free-text column that is not personal: short values as they are.
        ("department", None, "my divorce", "my divorce"),
    ],
)
def test_shown_value_by_column(column, kind, value, expected):
    vocabulary = None if kind is None else column_vocabulary(kind, column, Config())
    assert shown_value(column, value, vocabulary) == expected


def test_the_configs_own_answers_are_words_of_the_column():
    config = Config(values={"mode": {"teams meeting": "virtual"}}, likert={"agree a little": 4})
    assert (
        shown_value("mode", "Teams meetings", column_vocabulary("mode", "mode", config)) == "Teams meetings"
    )
    assert shown_value("ready_open", "agree a lot", column_vocabulary("likert", "ready_open", config)) == (
        "agree a lot"
    )
    assert shown_value("mode", "meetings", column_vocabulary("mode", "mode", Config())) == "<1 word hidden>"


def test_a_problem_keeps_its_default_echo_rule():
    assert (
        str(Problem("f.csv", 2, "id", "a b c d e", "x", ""))
        == "f.csv, row 2, column 'id', value '<5 words hidden>': x"
    )


def test_a_response_in_the_approval_file_shows_a_non_committal_answer_never_a_name():
    from matcher.approve import RESPONSE_WORDS

    assert shown_value("response", "maybe", RESPONSE_WORDS) == "maybe"
    assert shown_value("response", "Not sure yet", RESPONSE_WORDS) == "<3 words hidden>"  # 'yet': no
    assert shown_value("response", "Jane", RESPONSE_WORDS) == "<1 word hidden>"
