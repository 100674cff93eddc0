"""The default questionnaire: every column the tool understands, with its kind and side.

This is the one place that says what a column means; the loader validates against
it and the README's "Questionnaire format" table is written from it.
"""

from __future__ import annotations

from dataclasses import dataclass

# The readiness items belong to scoring (their order is the column order of its arrays);
# re-exported here for code that reads the questionnaire's names from this module.
from scoring.names import READY_ITEMS as READY_ITEMS

LIKERT_MIN, LIKERT_MAX = 1, 5
CAPACITY_MAX = 10_000  # mentees one mentor can take
WANTED_MAX = 10  # mentors one mentee can want (mentors_wanted)
INT_MIN, INT_MAX = -1_000, 1_000  # a whole-number column (seniority)
MODES = ("in_person", "virtual", "either")
LEVELS = ("foundation", "practitioner", "senior", "master")


@dataclass(frozen=True)
class Column:
    """A questionnaire column: ``kind`` decides how a cell is parsed and checked."""

    name: str
    kind: str  # id | text | private | int | capacity | wanted | likert | list | idlist | peerlist | mode | level | timezone | ref
    side: str  # both | mentors | mentees
    help: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", "id", "both", "unique id of the person in this file", required=True),
    Column("name", "private", "both", "full name (shown in outputs)"),
    Column("email", "private", "both", "email (never used for scoring)"),
    Column("department", "text", "both", "department or unit"),
    Column("profession", "text", "both", "profession or job family"),
    Column("seniority", "int", "both", "whole number, higher = more senior"),
    Column("location", "text", "both", "city or site (matters for in-person meetings)"),
    Column("timezone", "timezone", "both", "IANA time-zone name, e.g. Europe/London"),
    Column("languages", "list", "both", "languages spoken, ;-separated"),
    Column("mode", "mode", "both", "in_person | virtual | either"),
    Column("interests", "list", "both", "interests and values, ;-separated"),
    Column("style_structure", "likert", "both", "1–5: prefers structured sessions"),
    Column("style_pace", "likert", "both", "1–5: prefers a fast pace"),
    Column("style_directness", "likert", "both", "1–5: prefers direct talk"),
    Column("avoid", "idlist", "both", "ids in the other file never to pair with, ;-separated"),
    Column("manager_id", "ref", "both", "id of this person's line manager (either file)"),
    Column(
        "preferred_mentors",
        "peerlist",
        "mentees",
        "mentors this mentee would like, best first: id, exact name or email, ;-separated",
    ),
    Column(
        "preferred_mentees",
        "peerlist",
        "mentors",
        "mentees this mentor would like, best first: id, exact name or email, ;-separated",
    ),
    Column(
        "declined_mentees",
        "peerlist",
        "mentors",
        "mentees this mentor will not take (a hard rule): id, exact name or email, ;-separated",
    ),
    Column(
        "capacity",
        "capacity",
        "mentors",
        "how many mentees this mentor takes (0 or more)",
        required=True,
    ),
    Column(
        "mentors_wanted",
        "wanted",
        "mentees",
        f"how many mentors this mentee wants (1 to {WANTED_MAX}; blank: 1)",
    ),
    Column("topics", "list", "both", "mentors: can help with; mentees: want help with; ;-separated"),
    Column("expertise", "private", "mentors", "free text: what the mentor knows"),
    Column("challenge", "likert", "mentors", "1–5: 'I ask challenging, powerful questions'"),
    Column("care", "likert", "mentors", "1–5: 'I am patient, empathetic and attentive'"),
    Column("level", "level", "mentors", "foundation | practitioner | senior | master (EMCC)"),
    Column("goals", "private", "mentees", "free text: what the mentee wants from mentoring"),
    Column("want_compatibility", "likert", "mentees", "1–5: how much compatibility matters"),
    Column("want_contrast", "likert", "mentees", "1–5: how much contrast matters"),
    Column("want_challenge", "likert", "mentees", "1–5: how much challenge matters"),
    Column("want_context", "likert", "mentees", "1–5: how much context (expertise) matters"),
    Column("want_care", "likert", "mentees", "1–5: how much care matters"),
    Column("ready_open", "likert", "mentees", "1–5: open to learn"),
    Column("ready_committed", "likert", "mentees", "1–5: committed"),
    Column("ready_challenge", "likert", "mentees", "1–5: willing to be challenged"),
    Column("ready_feedback", "likert", "mentees", "1–5: receptive to feedback"),
    Column("ready_respect", "likert", "mentees", "1–5: respects time and boundaries"),
)


def columns_for(side: str) -> dict[str, Column]:
    """The columns of one file (``side`` is 'mentors' or 'mentees'), by standard name."""
    return {c.name: c for c in COLUMNS if c.side in ("both", side)}


ALL_NAMES = frozenset(c.name for c in COLUMNS)
MENTEE_ONLY = frozenset(c.name for c in COLUMNS if c.side == "mentees")
MENTOR_ONLY = frozenset(c.name for c in COLUMNS if c.side == "mentors")
