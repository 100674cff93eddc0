"""Everyday answers: the built-in vocabularies, the config's [values] and [likert], and which
values an error shows (the rules themselves: tests/test_errors.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import ConfigError, InputError
from matcher.io import vocabulary as v
from matcher.io.config import Config, parse_config
from matcher.io.load import load_cohort
from matcher.io.questions import AGREEMENT, IMPORTANCE, QUESTIONS
from tests.conftest import write_csv

CONFIG = Config()


def test_the_built_in_scales_never_disagree_about_a_label():
    seen: dict[str, tuple[str, int]] = {}
    for name, scale in v.LIKERT_SCALES.items():
        for label, value in scale.items():
            assert label == v.norm(label), label
            if label in seen:
                assert seen[label][1] == value, (label, seen[label], name)
            seen[label] = (name, value)


@pytest.mark.parametrize(
    ("scale", "labels"),
    [
        ("agreement", AGREEMENT),
        ("importance", IMPORTANCE),
        ("frequency", ("Never", "Rarely", "Sometimes", "Often", "Always")),
        (
            "satisfaction",
            (
                "Very dissatisfied",
                "Dissatisfied",
                "Neither satisfied nor dissatisfied",
                "Satisfied",
                "Very satisfied",
            ),
        ),
    ],
)
def test_common_five_point_scales_read_1_to_5_in_order(scale, labels):
    assert [v.likert(label, CONFIG).value for label in labels] == [1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Neither agree nor disagree", 3),
        ("  STRONGLY   agree. ", 5),
        ("Neutral", 3),
        ("Yes", 5),
        ("no", 1),
        ("4 - Agree", 4),
        ("Agree (4)", 4),
        ("3.0", 3),
        ("5", 5),
    ],
)
def test_likert_spellings(text, value):
    assert v.likert(text, CONFIG) == v.Parsed(float(value))


def test_likert_config_labels_win_over_the_defaults():
    config = parse_config({"likert": {"Agree": 5, "Agree a little": 4}})
    assert v.likert("agree", config).value == 5.0
    assert v.likert("Agree a little", config).value == 4.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("6", "is outside the scale 1–5"),
        ("2,5", "is not a whole number 1–5"),
        ("Agree a lot", "is not a known answer (nearest known: 'agree')"),
        ("Blue", "is not a known answer"),
    ],
)
def test_likert_problems(text, problem):
    assert v.likert(text, CONFIG).problem == problem


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Online", "virtual"),
        ("Remote", "virtual"),
        ("Video", "virtual"),
        ("Virtual", "virtual"),
        ("Online (video call)", "virtual"),
        ("Face to face", "in_person"),
        ("face-to-face", "in_person"),
        ("In person", "in_person"),
        ("in-person", "in_person"),
        ("In_Person", "in_person"),
        ("On site", "in_person"),
        ("Hybrid", "either"),
        ("No preference", "either"),
        ("Either", "either"),
        ("Either is fine", "either"),
    ],
)
def test_meeting_mode_synonyms(text, mode):
    assert v.mode(text).value == mode


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Foundation", "foundation"),
        ("Senior Practitioner", "senior"),
        ("senior-practitioner", "senior"),
        ("Master Practitioner", "master"),
        ("Practitioner: I have mentored a few people", "practitioner"),
    ],
)
def test_emcc_levels(text, level):
    assert v.level(text).value == level


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("London", "Europe/London"),
        ("UK", "Europe/London"),
        ("United Kingdom", "Europe/London"),
        ("Scotland", "Europe/London"),
        ("GMT/BST", "Europe/London"),
        ("BST", "Europe/London"),
        ("New York", "America/New_York"),
        ("India", "Asia/Kolkata"),
        ("Bengaluru", "Asia/Kolkata"),
        ("Germany", "Europe/Berlin"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("EDT", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_time_zones_by_name_city_country_or_abbreviation(text, zone):
    assert v.timezone(text).value == zone


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("EST", ("America/New_York", "America/Panama", "Australia/Sydney")),
        ("IST", ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem")),
        ("USA", ("America/New_York", "America/Chicago")),
        ("Cambridge", ("Europe/London", "America/Toronto")),
    ],
)
def test_an_ambiguous_time_zone_word_is_an_error_listing_the_candidates(text, candidates):
    parsed = v.timezone(text)
    assert parsed.value is None
    assert parsed.problem.startswith("could mean time zones whose clocks differ (")
    for zone in candidates:
        assert zone in parsed.problem
    assert f'"{text}" = "{candidates[0]}" under [values.timezone]' in parsed.fix


def test_candidates_have_distinct_clocks():
    """Zones with the same clock all year are one answer (Germany: Berlin and Busingen)."""
    assert v.timezone("Germany").value == "Europe/Berlin"
    zones = v.timezone("Spain").problem
    assert "Europe/Madrid" in zones and "Atlantic/Canary" in zones and "Europe/Ceuta" not in zones


def test_values_tables_map_any_column_and_win_over_the_vocabularies():
    config = parse_config(
        {
            "values": {
                "seniority": ["Band 5", "Band 6", "Band 7"],
                "mode": {"Teams": "virtual", "Online": "in_person"},
                "timezone": {"Cambridge": "Europe/London", "HQ": "America/Chicago"},
                "ready_open": {"Mostly yes": 4},
                "department": {"Cardio": "Cardiology"},
                "topics": {"Grants": "research, grants and publishing"},
            }
        }
    )
    assert v.parse("int", "seniority", "band 6", config).value == 2
    assert v.parse("mode", "mode", "Teams", config).value == "virtual"
    assert v.parse("mode", "mode", "online", config).value == "in_person"  # the coordinator's word
    assert v.parse("timezone", "timezone", "Cambridge", config).value == "Europe/London"
    assert v.parse("likert", "ready_open", "Mostly yes", config).value == 4.0
    assert v.parse("likert", "ready_feedback", "Mostly yes", config).problem is not None  # per column
    assert v.parse("text", "department", "Cardio", config).value == "Cardiology"
    assert v.split_list("topics", "Grants, Networking", config) == (
        "research, grants and publishing",
        "networking",
    )


def test_values_tables_are_checked_by_the_columns_kind():
    with pytest.raises(ConfigError) as err:
        parse_config(
            {
                "values": {
                    "mode": {"Teams": "video"},
                    "ready_open": {"Mostly": 7},
                    "timezone": {"HQ": "Mars/Olympus"},
                    "senority": {"a": 1},
                    "department": ["a", "b"],
                }
            },
            "programme.toml",
        )
    assert [str(p) for p in err.value.problems] == [
        "programme.toml, key 'values.mode.Teams', value 'video': must be one of: in_person, virtual, either",
        "programme.toml, key 'values.ready_open.Mostly', value '7': must be a whole number 1–5",
        "programme.toml, key 'values.timezone.HQ', value 'Mars/Olympus': must be an IANA time zone, e.g. Europe/London",
        "programme.toml, key 'values.senority': is not a questionnaire column — did you mean 'seniority'?",
        "programme.toml, key 'values.department': an ordered list is only for grade ladders"
        ' — e.g. seniority = ["Band 5", "Band 6"]',
    ]


@given(
    column=st.sampled_from(["capacity", "seniority", "ready_open"]),
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from([0, 5, 6, 1000, 1001, -1000, -1001, 10_000, 10_001, True]),
    ),
)
def test_values_numbers_are_checked_against_the_columns_range(column, value):
    """A [values] number is used as the column's own would be (issue 14: nothing bypasses
    the loader's ranges, no 64-bit extreme reaches a table)."""
    lo, hi = {"capacity": (0, 10_000), "seniority": (-1000, 1000), "ready_open": (1, 5)}[column]
    data = {"values": {column: {"Lots": value}}}
    whole = isinstance(value, int) and not isinstance(value, bool)
    if whole and lo <= value <= hi:
        assert parse_config(data).values[column]["lots"] == value
        return
    with pytest.raises(ConfigError) as err:
        parse_config(data, "programme.toml")
    (problem,) = err.value.problems
    assert problem.column == f"values.{column}.Lots"
    assert problem.problem.startswith("must be a whole number") and f"{hi}" in problem.problem


def test_a_grade_ladder_has_at_most_1000_grades():
    with pytest.raises(ConfigError, match="at most 1000 grades"):
        parse_config({"values": {"seniority": [f"Band {k}" for k in range(1001)]}})
    assert (
        parse_config({"values": {"seniority": [f"Band {k}" for k in range(1000)]}}).values["seniority"][
            "band 999"
        ]
        == 1000
    )


def test_an_option_with_a_comma_is_not_split():
    assert v.split_list(
        "topics", "Leadership and managing people, Research, grants and publishing, Networking", CONFIG
    ) == ("leadership and managing people", "research, grants and publishing", "networking")
    # Unknown items still split on both separators; repeats once.
    assert v.split_list("interests", "Running, cycling or other sport;chess, Chess", CONFIG) == (
        "running, cycling or other sport",
        "chess",
    )


def test_every_kit_option_reads_as_its_value():
    for q in QUESTIONS:
        for option, value in q.answers().items():
            if q.column is None or q.form == "checkboxes":
                continue
            kind = {"grid": "likert", "choice": q.column, "dropdown": "capacity"}[q.form]
            if kind == "capacity":
                continue
            parsed = v.parse(kind, q.column, option, CONFIG)
            assert parsed.value == (float(value) if kind == "likert" else value), (q.column, option)


# ------------------------------------------------------------------------- which values are shown
# (shown_value itself: tests/test_errors.py)


def test_errors_show_unknown_answers_in_full_and_hide_personal_text(tmp_path):
    mentors, mentees = tmp_path / "mentors.csv", tmp_path / "mentees.csv"
    write_csv(
        mentors, [{"id": "R1", "capacity": "my divorce", "mode": "Hybrid-ish working", "level": "Guru"}]
    )
    write_csv(
        mentees,
        [
            {"id": "E1", "ready_open": "Agree somewhat more", "goals": "x"},
            {"id": "E2", "ready_open": "Mostly yes", "seniority": "Band 6"},
        ],
    )
    with pytest.raises(InputError) as err:
        load_cohort(mentors, mentees)
    lines = [str(p) for p in err.value.problems]
    assert lines[0] == (
        "mentors.csv, row 2, column 'capacity', value '<2 words hidden>': is not a whole number"
        " — write a whole number, e.g. 2"
    )
    assert lines[1].startswith(
        "mentors.csv, row 2, column 'mode', value 'Hybrid-ish working': is not a known meeting mode"
    )
    # 'Guru' is no word of an EMCC level (nor of the everyday ones): it could be private text.
    assert lines[2].startswith(
        "mentors.csv, row 2, column 'level', value '<1 word hidden>': is not an EMCC level"
    )
    assert lines[3].startswith(
        "mentees.csv, row 2, column 'ready_open', value 'Agree somewhat more': is not a known answer"
    )
    assert lines[4].startswith("mentees.csv, row 3, column 'ready_open', value 'Mostly yes'")
    assert lines[5].startswith(
        "mentees.csv, row 3, column 'seniority', value 'Band 6': is not a whole number"
    )
    assert "[values] seniority" in lines[5]
    assert "my divorce" not in "\n".join(lines)
