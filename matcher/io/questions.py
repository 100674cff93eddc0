"""The questions a coordinator sends: one table, from which the kit and the README are written.

Each :class:`Question` is one thing a person answers — worded for them (plain, kind,
short), with its answer options in order, the standard column it fills and how a form
tool asks it. Grid questions (Google Forms' "multiple choice grid", Microsoft Forms'
"Likert") are one :class:`Question` per row, sharing a ``grid`` title; a form exports
each row as its own column. ``QUESTIONS`` is the whole questionnaire for both sides; the
kit (:mod:`matcher.report.kit`), the README's column table (:func:`column_table`) and the
loader's recognition of a kit-built form's export headers (:func:`kit_headers`) all read it.

The wording follows the five Cs and mentee readiness of the NIHR guidance "Before
embarking on a mentoring relationship" (compatibility, contrast, challenge, context,
care; open, committed, willing to be challenged, receptive to feedback, respectful) and
the EMCC mentor levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from matcher.io.questionnaire import COLUMNS, LEVELS, columns_for

AGREEMENT = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
IMPORTANCE = (
    "Not at all important",
    "Slightly important",
    "Moderately important",
    "Very important",
    "Extremely important",
)
# Form question types: ours → (Google Forms, Microsoft Forms).
FORM_TYPES = {
    "short": ("Short answer", "Text"),
    "paragraph": ("Paragraph", "Text (long answer)"),
    "choice": ("Multiple choice", "Choice"),
    "dropdown": ("Dropdown", "Choice (drop-down)"),
    "checkboxes": ("Checkboxes", "Choice (multiple answers)"),
    "grid": ("Multiple choice grid", "Likert"),
}


@dataclass(frozen=True)
class Question:
    """One answer a person gives, and the column it fills.

    ``side``: mentors | mentees | both. ``title``: the question (for a grid row, the row's
    statement); ``grid``: the grid's own question, shared by its rows. ``form``: a key of
    :data:`FORM_TYPES`. ``options``: the answers offered, in order (a scale low → high);
    ``values``: what each option means in the column (same order; empty = the option
    itself). ``column``: None for a question the matcher does not read (consent).
    ``example``: the answer in the template's example row.
    """

    column: str | None
    side: str
    title: str
    form: str
    help: str = ""
    options: tuple[str, ...] = ()
    values: tuple = ()
    grid: str = ""
    required: bool = False
    example: str = ""

    @property
    def header_google(self) -> str:
        """The column header Google Forms writes for this question."""
        return f"{self.grid} [{self.title}]" if self.grid else self.title

    @property
    def header_microsoft(self) -> str:
        """The column header Microsoft Forms writes (a Likert row is headed by its statement)."""
        return self.title

    def answers(self) -> dict[str, object]:
        """Option → the value it stands for in the column (scales: 1–5)."""
        if not self.options:
            return {}
        values = self.values or (
            tuple(range(1, len(self.options) + 1)) if self.form == "grid" else self.options
        )
        return dict(zip(self.options, values, strict=True))


STYLE_GRID = "How do you like to work with someone?"
MENTOR_GRID = "How would you describe yourself as a mentor?"
WANT_GRID = "When you think about a mentor, how important is each of these to you?"
READY_GRID = "How true is each of these of you right now?"
TOPICS = (
    "Leadership and managing people",
    "Career progression",
    "Research, grants and publishing",
    "Teaching and supervising",
    "Work-life balance and wellbeing",
    "Confidence and public speaking",
    "Networking",
    "Project management",
    "Data and analysis",
    "Managing change",
)
INTERESTS = (
    "Reading",
    "Music",
    "Running, cycling or other sport",
    "Walking and the outdoors",
    "Cooking",
    "Art and photography",
    "Travel",
    "Volunteering",
    "Gardening",
    "Games and puzzles",
)
LANGUAGES = (
    "English",
    "Welsh",
    "French",
    "German",
    "Spanish",
    "Polish",
    "Arabic",
    "Hindi",
    "Urdu",
    "Mandarin",
)
MODES = ("In person", "Online (video call)", "Either is fine")
LEVEL_OPTIONS = (
    "Foundation: I am new to mentoring",
    "Practitioner: I have mentored a few people",
    "Senior Practitioner: I mentor regularly and reflect on my practice",
    "Master Practitioner: I mentor widely and support other mentors",
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "id",
        "both",
        "Your staff, student or membership number",
        "short",
        "So that we can keep your answers together. It is not shared.",
        required=True,
        example="R001|E001",
    ),
    Question("name", "both", "Your full name", "short", required=True, example="Alex Morgan|Sam Patel"),
    Question(
        "email",
        "both",
        "Your email address",
        "short",
        "We use it only to introduce you.",
        example="alex@example.org|sam@example.org",
    ),
    Question(
        "department",
        "both",
        "Which department, team or unit do you work in?",
        "short",
        example="Cardiology|Research Office",
    ),
    Question(
        "profession",
        "both",
        "What is your profession or job family?",
        "short",
        "For example nurse, engineer, researcher, administrator.",
        example="doctor|administrator",
    ),
    Question(
        "seniority",
        "both",
        "What is your grade or level?",
        "short",
        "A number, higher for more senior. If your organisation uses grade names, your "
        "coordinator lists them in order.",
        example="7|3",
    ),
    Question(
        "location",
        "both",
        "Where are you based?",
        "short",
        "Your city or site. It matters only if you would like to meet in person.",
        example="Leeds|Leeds",
    ),
    Question(
        "timezone",
        "both",
        "Which time zone are you in?",
        "short",
        "Your country or a nearby big city is enough, for example United Kingdom, New York or India.",
        example="United Kingdom|United Kingdom",
    ),
    Question(
        "languages",
        "both",
        "Which languages would you be happy to use in mentoring?",
        "checkboxes",
        "Tick all that apply.",
        options=LANGUAGES,
        example="English;Welsh|English",
    ),
    Question(
        "mode",
        "both",
        "How would you like to meet?",
        "choice",
        options=MODES,
        values=("in_person", "virtual", "either"),
        example="Either is fine|Online (video call)",
    ),
    Question(
        "interests",
        "both",
        "What do you enjoy outside work?",
        "checkboxes",
        "Shared interests can help you get to know each other. Tick any that apply.",
        options=INTERESTS,
        example="Reading;Music|Music",
    ),
    Question(
        "style_structure",
        "both",
        "I like our conversations to be structured and planned",
        "grid",
        options=AGREEMENT,
        grid=STYLE_GRID,
        example="Agree|Strongly agree",
    ),
    Question(
        "style_pace",
        "both",
        "I like to move at a fast pace",
        "grid",
        options=AGREEMENT,
        grid=STYLE_GRID,
        example="Neither agree nor disagree|Agree",
    ),
    Question(
        "style_directness",
        "both",
        "I prefer direct, candid conversations",
        "grid",
        options=AGREEMENT,
        grid=STYLE_GRID,
        example="Agree|Disagree",
    ),
    Question(
        "avoid",
        "mentors",
        "Is there anyone you should not mentor?",
        "short",
        "Their staff or student numbers, separated by ;. Only the programme team sees this.",
        example="|",
    ),
    Question(
        "avoid",
        "mentees",
        "Is there anyone who should not be your mentor?",
        "short",
        "Their staff or student numbers, separated by ;. Only the programme team sees this.",
        example="|",
    ),
    Question(
        "manager_id",
        "both",
        "Your line manager's staff number",
        "short",
        "So that nobody is paired with someone in their own reporting line.",
        example="|",
    ),
    Question(
        "preferred_mentors",
        "mentees",
        "Is there a mentor you would especially like to work with?",
        "short",
        "Optional. Up to three, your first choice first, separated by ;. Their name, email or "
        "staff number. We do our best to honour choices, but cannot promise them.",
        example="|",
    ),
    Question(
        "preferred_mentees",
        "mentors",
        "Is there a mentee you would especially like to work with?",
        "short",
        "Optional. Your first choice first, separated by ;. Their name, email or staff number.",
        example="|",
    ),
    Question(
        "declined_mentees",
        "mentors",
        "Is there anyone you would rather not mentor?",
        "short",
        "Optional. Their name, email or staff number, separated by ;. You will not be paired "
        "with them. Only the programme team sees this.",
        example="|",
    ),
    Question(
        "capacity",
        "mentors",
        "How many mentees can you take on this round?",
        "dropdown",
        options=("0", "1", "2", "3", "4", "5"),
        values=(0, 1, 2, 3, 4, 5),
        required=True,
        example="2|",
    ),
    Question(
        "topics",
        "mentors",
        "Which topics could you help a mentee with?",
        "checkboxes",
        "Tick all that apply.",
        options=TOPICS,
        example="Leadership and managing people;Research, grants and publishing|",
    ),
    Question(
        "topics",
        "mentees",
        "Which topics would you like help with?",
        "checkboxes",
        "Tick all that apply.",
        options=TOPICS,
        example="|Research, grants and publishing",
    ),
    Question(
        "mentors_wanted",
        "mentees",
        "How many mentors would you like?",
        "dropdown",
        "Most people have one. Choose two if you would like, for example, a career mentor "
        "and a subject mentor; the programme will try to give you mentors with different strengths.",
        options=("1", "2", "3"),
        values=(1, 2, 3),
        example="|1",
    ),
    Question(
        "expertise",
        "mentors",
        "In a few sentences, what do you know well that could help a mentee?",
        "paragraph",
        "Your experience, the areas you know well, what mentees have valued from you.",
        example="Twelve years in clinical research; I review grant applications for a funding panel.|",
    ),
    Question(
        "challenge",
        "mentors",
        "I ask challenging, powerful questions",
        "grid",
        options=AGREEMENT,
        grid=MENTOR_GRID,
        example="Agree|",
    ),
    Question(
        "care",
        "mentors",
        "I am patient, caring and attentive to how people feel",
        "grid",
        options=AGREEMENT,
        grid=MENTOR_GRID,
        example="Strongly agree|",
    ),
    Question(
        "level",
        "mentors",
        "Which best describes your mentoring experience?",
        "choice",
        "These are the European Mentoring and Coaching Council's levels.",
        options=LEVEL_OPTIONS,
        values=LEVELS,
        example="Practitioner: I have mentored a few people|",
    ),
    Question(
        "goals",
        "mentees",
        "What would you like to get out of mentoring?",
        "paragraph",
        "A few sentences about your goals. This helps us find someone with the right experience.",
        example="|I want to plan my first grant application and build confidence presenting.",
    ),
    Question(
        "want_compatibility",
        "mentees",
        "Someone I feel at ease with and can talk to freely",
        "grid",
        options=IMPORTANCE,
        grid=WANT_GRID,
        example="|Very important",
    ),
    Question(
        "want_contrast",
        "mentees",
        "Someone with a different background, who takes me out of my comfort zone",
        "grid",
        options=IMPORTANCE,
        grid=WANT_GRID,
        example="|Moderately important",
    ),
    Question(
        "want_challenge",
        "mentees",
        "Someone who asks me challenging questions",
        "grid",
        options=IMPORTANCE,
        grid=WANT_GRID,
        example="|Very important",
    ),
    Question(
        "want_context",
        "mentees",
        "Someone with the knowledge and experience to guide me",
        "grid",
        options=IMPORTANCE,
        grid=WANT_GRID,
        example="|Extremely important",
    ),
    Question(
        "want_care",
        "mentees",
        "Someone caring, patient and understanding",
        "grid",
        options=IMPORTANCE,
        grid=WANT_GRID,
        example="|Moderately important",
    ),
    Question(
        "ready_open",
        "mentees",
        "I am open to learning and to new ideas",
        "grid",
        options=AGREEMENT,
        grid=READY_GRID,
        example="|Strongly agree",
    ),
    Question(
        "ready_committed",
        "mentees",
        "I can make time to meet regularly and follow up on what we agree",
        "grid",
        options=AGREEMENT,
        grid=READY_GRID,
        example="|Agree",
    ),
    Question(
        "ready_challenge",
        "mentees",
        "I am happy to be challenged and stretched",
        "grid",
        options=AGREEMENT,
        grid=READY_GRID,
        example="|Agree",
    ),
    Question(
        "ready_feedback",
        "mentees",
        "I welcome honest feedback",
        "grid",
        options=AGREEMENT,
        grid=READY_GRID,
        example="|Strongly agree",
    ),
    Question(
        "ready_respect",
        "mentees",
        "I will respect my mentor's time and boundaries",
        "grid",
        options=AGREEMENT,
        grid=READY_GRID,
        example="|Strongly agree",
    ),
    Question(
        None,
        "both",
        "I agree that the programme team may use my answers to find me a mentoring partner",
        "checkboxes",
        options=("I agree",),
        required=True,
        example="I agree|I agree",
    ),
)

SIDES = ("mentors", "mentees")
# The id of the templates' example row: the loader skips that row (and says so).
EXAMPLE_ID = "EXAMPLE (delete this row)"


def questions_for(side: str) -> tuple[Question, ...]:
    """The questions of one side ('mentors' or 'mentees'), in the order they are asked."""
    return tuple(q for q in QUESTIONS if q.side in ("both", side))


def example(question: Question, side: str) -> str:
    """The template's example answer of ``question`` for ``side`` ('mentor|mentee' in the table)."""
    mentor, _, mentee = question.example.partition("|")
    return mentor if side == "mentors" else mentee


@cache
def kit_headers(side: str) -> dict[str, str]:
    """Normalised export header → column, for every header a form built from the kit exports
    (the question, Google's ``Grid [row]``, Microsoft's row statement). An exact match of the
    kit's own wording, never a guess."""
    from matcher.io.config import normalise_header

    out: dict[str, str] = {}
    for q in questions_for(side):
        if q.column is None:
            continue
        for header in (q.title, q.header_google, q.header_microsoft):
            out[normalise_header(header)] = q.column
    return out


@cache
def consent_headers() -> frozenset[str]:
    """Normalised headers of the kit's consent question (ignored and listed, never scored)."""
    from matcher.io.config import normalise_header

    return frozenset(normalise_header(q.title) for q in QUESTIONS if q.column is None)


def kit_answers(column: str) -> dict[str, object]:
    """Every option the kit offers for ``column`` (either side) → the value it stands for."""
    out: dict[str, object] = {}
    for q in QUESTIONS:
        if q.column == column:
            out.update(q.answers())
    return out


def column_table() -> str:
    """The README's table of columns (Markdown): every column, its file, what it means and
    the kit's question that fills it."""

    def file_of(name: str) -> str:
        sides = [s for s in SIDES if name in columns_for(s)]
        return "both" if len(sides) == 2 else sides[0]

    lines = ["| column | file | meaning | the kit asks |", "|---|---|---|---|"]
    for col in COLUMNS:
        asked = []
        for q in QUESTIONS:
            if q.column != col.name:
                continue
            text = f"{q.grid} — {q.title}" if q.grid else q.title
            text = f"*{text}*"
            if q.side != "both" and file_of(col.name) == "both":
                text = f"{q.side}: {text}"
            asked.append(text)
        meaning = col.help + (" (required)" if col.required else "")
        cells = [f"`{col.name}`", file_of(col.name), meaning, "; ".join(asked)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
