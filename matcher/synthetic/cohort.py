"""Seeded generator of realistic synthetic questionnaire cohorts (mentors and mentees).

``generate_cohort(n_mentees, n_mentors, seed)`` returns two DataFrames of strings in the
default questionnaire format (the columns of :mod:`matcher.io.questionnaire`, same order);
``write_cohort`` writes them as ``mentors.csv`` / ``mentees.csv``. ``write_export_cohort``
writes the same kind of cohort with the headers of a Microsoft Forms / HR export
(:data:`EXPORT_HEADERS`, semicolon-delimited), and ``export_columns_toml`` gives the
matching ``[columns]`` config table.

The cohort looks like a hospital / university mentoring programme: ten departments, the
professions found in each, mentors more senior than mentees, mostly UK locations with a
few abroad (time zones to match), mostly English speakers, topics that depend on the
department, and free text (``expertise``, ``goals``) composed from phrases tied to the
person's own topics, so that text similarity between a mentee's goals and a mentor's
expertise means something. Names are random first + last names from small built-in lists
and emails are derived from ids (``e001@example.org``): nobody real.

Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order and all
columns are built with array operations, so the same arguments always give byte-identical
CSV and 50,000 mentees x 20,000 mentors take a second or two. The amount of blanking
(``blanks``) does not change any other value.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- columns

COMMON_COLUMNS = (
    "id",
    "name",
    "email",
    "department",
    "profession",
    "seniority",
    "location",
    "timezone",
    "languages",
    "mode",
    "interests",
    "style_structure",
    "style_pace",
    "style_directness",
    "avoid",
    "manager_id",
)
MENTOR_COLUMNS = (
    *COMMON_COLUMNS,
    "capacity",
    "topics",
    "expertise",
    "challenge",
    "care",
    "level",
)
MENTEE_COLUMNS = (
    *COMMON_COLUMNS,
    "topics",
    "goals",
    "want_compatibility",
    "want_contrast",
    "want_challenge",
    "want_context",
    "want_care",
    "ready_open",
    "ready_committed",
    "ready_challenge",
    "ready_feedback",
    "ready_respect",
)
# Columns that ``blanks`` may empty. Identity (id, name, email), capacity and the
# relations (avoid, manager_id, already mostly blank) are always kept as generated.
_NEVER_BLANK = frozenset({"id", "name", "email", "capacity", "avoid", "manager_id"})
MENTOR_OPTIONAL = tuple(c for c in MENTOR_COLUMNS if c not in _NEVER_BLANK)
MENTEE_OPTIONAL = tuple(c for c in MENTEE_COLUMNS if c not in _NEVER_BLANK)

# ------------------------------------------------------------------ vocabulary

DEPARTMENTS = (
    "Cardiology",
    "Oncology",
    "Research Office",
    "Finance",
    "HR",
    "IT",
    "Nursing",
    "Pharmacy",
    "Data Science",
    "Estates",
)
_DEPT_WEIGHTS = np.array([0.13, 0.13, 0.09, 0.07, 0.06, 0.10, 0.18, 0.08, 0.11, 0.05])
# How a department reads inside a sentence.
_DEPT_TEXT = (
    "cardiology",
    "oncology",
    "the research office",
    "finance",
    "HR",
    "IT services",
    "the nursing directorate",
    "pharmacy",
    "the data science team",
    "estates and facilities",
)

PROFESSIONS = (
    "doctor",
    "nurse",
    "pharmacist",
    "researcher",
    "analyst",
    "data scientist",
    "engineer",
    "manager",
    "administrator",
    "accountant",
)
_PROF_ARTICLE = tuple(("an " if p[0] in "aeiou" else "a ") + p for p in PROFESSIONS)
# P(profession | department), rows in DEPARTMENTS order, columns in PROFESSIONS order.
_PROF_GIVEN_DEPT = np.array(
    [
        # doc nurse pharm  res  anal   ds   eng  mgr  admin acct
        [5.0, 3.0, 0.2, 1.5, 0.3, 0.0, 0.0, 0.7, 0.8, 0.0],  # Cardiology
        [5.0, 3.0, 0.5, 2.0, 0.0, 0.2, 0.0, 0.7, 0.8, 0.0],  # Oncology
        [0.5, 0.3, 0.0, 4.0, 1.0, 0.0, 0.0, 2.0, 2.0, 0.0],  # Research Office
        [0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 2.0, 1.5, 4.0],  # Finance
        [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 3.0, 3.0, 0.0],  # HR
        [0.0, 0.0, 0.0, 0.0, 2.0, 0.5, 5.0, 1.5, 0.5, 0.0],  # IT
        [0.0, 8.0, 0.0, 0.5, 0.0, 0.0, 0.0, 1.5, 0.5, 0.0],  # Nursing
        [0.0, 0.0, 7.0, 0.7, 0.3, 0.0, 0.0, 1.0, 0.5, 0.0],  # Pharmacy
        [0.0, 0.0, 0.0, 1.0, 3.0, 5.0, 1.5, 0.7, 0.0, 0.0],  # Data Science
        [0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 4.0, 3.0, 2.0, 0.0],  # Estates
    ]
)
# Style shifts by profession (added to the Likert mean): structure, directness.
_PROF_STRUCTURE = np.array([0.2, 0.3, 0.4, 0.0, 0.3, 0.0, 0.4, 0.2, 0.5, 0.6])
_PROF_DIRECT = np.array([0.5, 0.0, 0.0, -0.2, -0.1, -0.1, 0.1, 0.4, -0.2, 0.1])

LOCATIONS = (
    "London",
    "Manchester",
    "Leeds",
    "Birmingham",
    "Cardiff",
    "Edinburgh",
    "Cambridge",
    "Dublin",
    "Berlin",
    "New York",
    "Bengaluru",
    "Sydney",
)
_LOC_TZ = (
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
)
_LOC_WEIGHTS = np.array([0.30, 0.13, 0.09, 0.09, 0.05, 0.07, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02])
_UK = np.array([tz == "Europe/London" for tz in _LOC_TZ])
# The programme is run from the UK: the far-away partner sites offer fewer mentors, so a
# mentee there may find no mentor within a workable time-zone gap.
_LOC_WEIGHTS_MENTORS = _LOC_WEIGHTS * np.array([1.0] * 9 + [0.25] * 3)

LANGUAGES = (
    "English",
    "Welsh",
    "Irish",
    "French",
    "German",
    "Spanish",
    "Italian",
    "Polish",
    "Portuguese",
    "Urdu",
    "Hindi",
    "Tamil",
    "Kannada",
    "Mandarin",
    "Arabic",
)
# Probability of speaking each language, by location; rows not listed use the UK base.
_LANG_BASE = np.array([0.99, 0.0, 0.0, 0.07, 0.03, 0.05, 0.02, 0.03, 0.02, 0.04, 0.04, 0.01, 0.0, 0.02, 0.02])
_LANG_OVERRIDES = {
    "Cardiff": {"Welsh": 0.25},
    "Dublin": {"Irish": 0.15, "Polish": 0.05},
    "Berlin": {"English": 0.85, "German": 0.95, "Polish": 0.05, "Urdu": 0.01, "Hindi": 0.01},
    "New York": {"Spanish": 0.20, "Urdu": 0.01, "Hindi": 0.02},
    "Bengaluru": {"Hindi": 0.60, "Kannada": 0.50, "Tamil": 0.20, "Urdu": 0.05, "French": 0.02},
    "Sydney": {"Mandarin": 0.06, "Urdu": 0.01},
}
# Who speaks nothing in the table above gets the local language.
_LOC_PRIMARY = tuple(LANGUAGES.index("German") if loc == "Berlin" else 0 for loc in LOCATIONS)

MODES = ("in_person", "virtual", "either")
_MODE_UK = np.array([0.25, 0.15, 0.60])
_MODE_ABROAD = np.array([0.10, 0.45, 0.45])

LEVELS = ("foundation", "practitioner", "senior", "master")
_LEVEL_OF_SENIORITY = np.array([0, 0, 0, 0, 1, 1, 2, 2, 3])  # index = seniority 0..8

INTERESTS = (
    "running",
    "cycling",
    "hiking",
    "reading",
    "cooking",
    "music",
    "photography",
    "gardening",
    "board games",
    "yoga",
    "travel",
    "film",
)
_INTEREST_WEIGHTS = np.array([1.2, 1.0, 1.1, 1.4, 1.2, 1.2, 0.7, 0.8, 0.6, 0.8, 1.3, 1.0])

TOPICS = (
    "grant writing",
    "statistics",
    "leadership",
    "career change",
    "publishing",
    "public speaking",
    "management",
    "work-life balance",
    "negotiation",
    "clinical research",
    "data analysis",
    "networking",
    "fellowship applications",
    "teaching",
    "project management",
)
# Supply (mentors) and demand (mentees) of each topic before the department effect.
_TOPIC_SUPPLY = np.array([1.0, 0.9, 1.4, 0.8, 1.1, 0.9, 1.3, 1.0, 0.7, 1.0, 0.9, 1.0, 0.6, 1.1, 1.0])
_TOPIC_DEMAND = np.array([1.1, 1.0, 1.2, 1.2, 1.0, 1.1, 0.9, 0.9, 0.8, 0.8, 1.1, 1.1, 1.1, 0.6, 0.9])
# Department multipliers on topic weights (topics not named keep 1.0).
_TOPIC_BY_DEPT = {
    "Cardiology": {
        "clinical research": 3,
        "publishing": 2,
        "teaching": 2,
        "fellowship applications": 1.5,
        "statistics": 1.3,
    },
    "Oncology": {
        "clinical research": 3,
        "publishing": 2,
        "grant writing": 1.5,
        "teaching": 1.5,
        "fellowship applications": 1.5,
    },
    "Research Office": {
        "grant writing": 4,
        "fellowship applications": 3,
        "publishing": 2,
        "project management": 2,
        "clinical research": 1.5,
    },
    "Finance": {
        "negotiation": 3,
        "management": 2,
        "project management": 2,
        "data analysis": 1.5,
        "clinical research": 0.1,
        "grant writing": 0.3,
        "fellowship applications": 0.2,
        "publishing": 0.3,
        "teaching": 0.5,
    },
    "HR": {
        "management": 3,
        "leadership": 2,
        "negotiation": 2,
        "work-life balance": 2,
        "career change": 1.5,
        "clinical research": 0.1,
        "statistics": 0.3,
        "grant writing": 0.3,
        "fellowship applications": 0.2,
        "publishing": 0.3,
    },
    "IT": {
        "project management": 3,
        "data analysis": 2,
        "management": 1.5,
        "career change": 1.5,
        "clinical research": 0.1,
        "grant writing": 0.3,
        "fellowship applications": 0.3,
        "publishing": 0.3,
    },
    "Nursing": {
        "teaching": 2.5,
        "leadership": 2,
        "work-life balance": 2,
        "clinical research": 1.5,
        "management": 1.5,
        "statistics": 0.6,
    },
    "Pharmacy": {
        "clinical research": 2,
        "teaching": 1.5,
        "management": 1.5,
        "publishing": 1.2,
    },
    "Data Science": {
        "statistics": 4,
        "data analysis": 4,
        "publishing": 1.5,
        "grant writing": 1.2,
        "career change": 1.2,
        "public speaking": 1.2,
    },
    "Estates": {
        "project management": 4,
        "management": 3,
        "negotiation": 2,
        "leadership": 1.5,
        "clinical research": 0.05,
        "statistics": 0.3,
        "grant writing": 0.2,
        "fellowship applications": 0.1,
        "publishing": 0.2,
        "teaching": 0.5,
    },
}
# What a mentor can help with: noun phrases that fit "I can help with ...".
_EXPERTISE_PHRASES = {
    "grant writing": (
        "writing competitive grant applications and funding bids",
        "shaping research funding proposals, budgets and grant narratives",
        "reviewing grant applications the way funding panels do",
    ),
    "statistics": (
        "choosing statistical methods and doing sample size calculations",
        "regression modelling, statistical inference and study design",
        "explaining statistics, confidence intervals and p-values",
    ),
    "leadership": (
        "developing leadership skills and leading teams through change",
        "finding your own leadership style and motivating a team",
        "stepping up into leadership roles and leading services",
    ),
    "career change": (
        "planning a career change and moving into a new field",
        "career transitions between clinical, academic and industry roles",
        "weighing career options and making a confident career move",
    ),
    "publishing": (
        "writing papers and publishing in peer-reviewed journals",
        "getting manuscripts published and responding to peer review",
        "planning publications, authorship and choosing the right journal",
    ),
    "public speaking": (
        "public speaking and presenting at conferences with confidence",
        "giving talks and presentations and handling audience questions",
        "preparing conference presentations and speaking to large audiences",
    ),
    "management": (
        "line management, appraisals and difficult conversations with staff",
        "managing people, budgets and service performance",
        "the practical side of management: recruitment, rotas and sickness absence",
    ),
    "work-life balance": (
        "balancing workload, wellbeing and family life",
        "protecting your time, avoiding burnout and work-life balance",
        "flexible working, part-time careers and returning from leave",
    ),
    "negotiation": (
        "negotiating salaries, contracts and job offers",
        "negotiation and influencing skills with senior stakeholders",
        "negotiating for resources, time and protected sessions",
    ),
    "clinical research": (
        "designing and running clinical trials and ethics applications",
        "clinical research governance, patient recruitment and trial protocols",
        "setting up clinical studies and getting research ethics approval",
    ),
    "data analysis": (
        "data analysis in R, Python and SQL",
        "cleaning, visualising and analysing large datasets",
        "building dashboards and reproducible data analysis pipelines",
    ),
    "networking": (
        "building professional networks and new collaborations",
        "networking at conferences and finding collaborators",
        "using your network to find opportunities, sponsors and collaborators",
    ),
    "fellowship applications": (
        "preparing fellowship applications and fellowship interviews",
        "planning a research fellowship and choosing a host institution",
        "personal statements for fellowship and doctoral training applications",
    ),
    "teaching": (
        "teaching, supervising students and designing curricula",
        "lecturing, small-group teaching and developing as a teacher",
        "clinical education, simulation teaching and assessment",
    ),
    "project management": (
        "project management, planning milestones and managing risk",
        "running projects with agile or PRINCE2 project methods",
        "delivering projects on time, scoping work and managing stakeholders",
    ),
}
# What a mentee wants: verb phrases that fit "I would like to ...".
_GOAL_PHRASES = {
    "grant writing": (
        "write my first grant application and win research funding",
        "improve my funding bids and understand what grant panels look for",
        "plan a grant proposal with a realistic budget",
    ),
    "statistics": (
        "become more confident with statistics and choosing statistical methods",
        "understand regression modelling and sample size calculations",
        "interpret the statistics in my own study design",
    ),
    "leadership": (
        "develop my leadership skills and lead a team",
        "find my own leadership style and grow into a leadership role",
        "lead my team through a period of change",
    ),
    "career change": (
        "explore a career change into a new field",
        "plan a career move between clinical, academic and industry roles",
        "work out my career options and my next career step",
    ),
    "publishing": (
        "publish my first paper in a peer-reviewed journal",
        "get my manuscript published and handle peer review",
        "plan my publications and choose the right journals",
    ),
    "public speaking": (
        "build confidence in public speaking and presenting at conferences",
        "give better talks and presentations and handle audience questions",
        "prepare for my first conference presentation",
    ),
    "management": (
        "manage people well, including appraisals and difficult conversations",
        "move into management and manage a budget",
        "learn the practical side of line management",
    ),
    "work-life balance": (
        "find a better work-life balance and protect my wellbeing",
        "manage my workload and avoid burnout",
        "balance flexible working with family life",
    ),
    "negotiation": (
        "negotiate my salary and contract with more confidence",
        "improve my negotiation and influencing skills with senior stakeholders",
        "negotiate for protected time and resources",
    ),
    "clinical research": (
        "get involved in clinical research and clinical trials",
        "write a trial protocol and an ethics application",
        "set up my first clinical study",
    ),
    "data analysis": (
        "improve my data analysis skills in R, Python or SQL",
        "analyse and visualise large datasets",
        "build reproducible data analysis pipelines and dashboards",
    ),
    "networking": (
        "build a professional network and find collaborators",
        "get better at networking at conferences",
        "use networking to find new opportunities and sponsors",
    ),
    "fellowship applications": (
        "prepare a strong fellowship application and interview",
        "apply for a research fellowship and choose a host institution",
        "write a personal statement for fellowship or doctoral training applications",
    ),
    "teaching": (
        "develop my teaching and supervise students",
        "improve my lecturing and small-group teaching",
        "get involved in clinical education and simulation teaching",
    ),
    "project management": (
        "learn project management, milestones and risk management",
        "run projects using agile or PRINCE2 methods",
        "deliver my projects on time and manage stakeholders",
    ),
}
_N_VARIANTS = 3

FIRST_NAMES = (
    "Aisha", "Alex", "Amelia", "Amir", "Anna", "Ben", "Bronwen", "Carlos", "Chen", "Chloé",
    "Daniel", "Deepa", "Eilidh", "Emma", "Fatima", "Finn", "Grace", "Hannah", "Hugo", "Isla",
    "James", "Jia", "José", "Kofi", "Laura", "Leo", "Lucy", "Maya", "Mohammed", "Niamh",
    "Noah", "Olivia", "Omar", "Priya", "Rahul", "Rosa", "Ruth", "Sam", "Sanjay", "Siobhán",
    "Sofia", "Tariq", "Tom", "Wei", "Yusuf", "Zainab", "Zoë", "Ewan",
)  # fmt: skip
LAST_NAMES = (
    "Adebayo", "Ahmed", "Anderson", "Bailey", "Banerjee", "Brown", "Campbell", "Chen", "Clarke",
    "Davies", "Evans", "Fischer", "Garcia", "Green", "Gupta", "Hall", "Hughes", "Iyer", "Jones",
    "Kaur", "Kelly", "Khan", "Kowalski", "Lewis", "Li", "Martin", "Mensah", "Morgan", "Murphy",
    "Nguyen", "O'Connor", "Okafor", "Patel", "Price", "Rahman", "Reid", "Roberts", "Rossi",
    "Shah", "Singh", "Smith", "Taylor", "Thomas", "Walsh", "Wang", "Williams", "Wilson", "Wright",
)  # fmt: skip

# ------------------------------------------------------------------ export headers

EXPORT_HEADERS: dict[str, dict[str, str]] = {
    "mentors": {
        "id": "Employee ID",
        "name": "Full name",
        "email": "Email address",
        "department": "Department",
        "profession": "Job family",
        "seniority": "Grade (1 = most junior)",
        "location": "Office location",
        "timezone": "Time zone",
        "languages": "Languages spoken",
        "mode": "Preferred meeting mode",
        "interests": "Hobbies and interests",
        "style_structure": "I prefer structured, planned meetings",
        "style_pace": "I like to move at a fast pace",
        "style_directness": "I prefer direct and candid conversations",
        "avoid": "Employee IDs you should not be paired with",
        "manager_id": "Line manager employee ID",
        "capacity": "Capacity (max mentees)",
        "topics": "Which topics can you help with?",
        "expertise": "Briefly describe your expertise",
        "challenge": "I ask challenging, powerful questions",
        "care": "I am patient, empathetic and attentive",
        "level": "Mentoring experience level",
    },
    "mentees": {
        "id": "Employee ID",
        "name": "Full name",
        "email": "Email address",
        "department": "Department",
        "profession": "Job family",
        "seniority": "Grade (1 = most junior)",
        "location": "Office location",
        "timezone": "Time zone",
        "languages": "Languages spoken",
        "mode": "Preferred meeting mode",
        "interests": "Hobbies and interests",
        "style_structure": "I prefer structured, planned meetings",
        "style_pace": "I like to move at a fast pace",
        "style_directness": "I prefer direct and candid conversations",
        "avoid": "Employee IDs you should not be paired with",
        "manager_id": "Line manager employee ID",
        "topics": "Which topics would you like help with?",
        "goals": "What do you hope to get out of mentoring?",
        "want_compatibility": "I want a mentor who is like me",
        "want_contrast": "I want a mentor with a different background or perspective",
        "want_challenge": "I want a mentor who will challenge me",
        "want_context": "I want a mentor who knows my field",
        "want_care": "I want a mentor who is supportive and caring",
        "ready_open": "I am open to new ideas and ways of working",
        "ready_committed": "I am committed to meeting regularly",
        "ready_challenge": "I am ready to be challenged",
        "ready_feedback": "I welcome constructive feedback",
        "ready_respect": "I will respect my mentor's time and boundaries",
    },
}

# ------------------------------------------------------------------ helpers


def _ids(prefix: str, n: int) -> np.ndarray:
    """``prefix`` + 1..n zero-padded to the width needed (at least 3): R001, R002, ..."""
    width = max(3, len(str(n)))
    if n == 0:
        return np.array([], dtype=object)
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _norm(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return p / p.sum(axis=-1, keepdims=True)


def _categorical(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws from one categorical distribution ``probs`` (shape (K,))."""
    return rng.choice(len(probs), size=n, p=_norm(probs))


def _categorical_rows(rng: np.random.Generator, probs: np.ndarray, group: np.ndarray):
    """One draw per row from ``probs[group[row]]`` (``probs`` shape (G, K))."""
    cum = np.cumsum(_norm(probs), axis=1)[group]
    u = rng.random(len(group))
    return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def _subsets(rng: np.random.Generator, logw: np.ndarray, counts: np.ndarray):
    """Draw ``counts[i]`` distinct items for row i without replacement, with weights.

    ``logw`` is (n, K) or (K,) log-weights. Uses the Gumbel top-k trick. Returns
    ``(member, order)``: ``member`` (n, K) bool, and ``order`` (n, K) the items by draw
    order (``order[i, 0]`` is row i's first, most weight-driven, pick).
    """
    n = len(counts)
    k = np.shape(logw)[-1]
    keys = logw + rng.gumbel(size=(n, k))
    order = np.argsort(-keys, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(k), (n, k)), axis=1)
    return rank < counts[:, None], order


def _join(member: np.ndarray, names) -> np.ndarray:
    """Each row's chosen names, ``;``-joined in ``names`` order (an object array)."""
    k = member.shape[1]
    codes = member.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
    uniq, inv = np.unique(codes, return_inverse=True)
    labels = np.array(
        [";".join(names[b] for b in range(k) if (u >> b) & 1) for u in uniq.tolist()] or [""],
        dtype=object,
    )
    return labels[inv.reshape(-1)] if len(codes) else np.array([], dtype=object)


def _likert(z: np.ndarray, mean, sd: float) -> np.ndarray:
    """Likert 1..5 from standard-normal scores ``z`` (``mean`` may be an array)."""
    return np.clip(np.rint(mean + sd * z), 1, 5).astype(np.int64)


def _corr(rng: np.random.Generator, factor: np.ndarray, loading: float) -> np.ndarray:
    """A standard-normal score with correlation ``loading`` to ``factor``."""
    return loading * factor + np.sqrt(1.0 - loading**2) * rng.standard_normal(len(factor))


def _text(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype(str).astype(object)


def _pick(options, idx: np.ndarray) -> np.ndarray:
    return np.array(options, dtype=object)[idx]


def _topic_logw(dept: np.ndarray, base: np.ndarray) -> np.ndarray:
    mult = np.ones((len(DEPARTMENTS), len(TOPICS)))
    for d, name in enumerate(DEPARTMENTS):
        for topic, m in _TOPIC_BY_DEPT.get(name, {}).items():
            mult[d, TOPICS.index(topic)] = m
    return np.log(base)[None, :] + np.log(mult)[dept]


def _lang_probs() -> np.ndarray:
    probs = np.tile(_LANG_BASE, (len(LOCATIONS), 1))
    for loc, over in _LANG_OVERRIDES.items():
        for lang, p in over.items():
            probs[LOCATIONS.index(loc), LANGUAGES.index(lang)] = p
    return probs


def _person(rng: np.random.Generator, n: int, seniority_probs: np.ndarray, loc_weights: np.ndarray) -> dict:
    """Draw the columns both files share (as integer codes); see ``generate_cohort``."""
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    dept = _categorical(rng, _DEPT_WEIGHTS, n)
    prof = _categorical_rows(rng, _PROF_GIVEN_DEPT, dept)
    seniority = 1 + _categorical(rng, seniority_probs, n)
    loc = _categorical(rng, loc_weights, n)
    speaks = rng.random((n, len(LANGUAGES))) < _lang_probs()[loc]
    mute = ~speaks.any(axis=1)
    speaks[mute, np.array(_LOC_PRIMARY)[loc[mute]]] = True
    mode = _categorical_rows(rng, np.stack([_MODE_ABROAD, _MODE_UK]), _UK[loc].astype(int))
    n_interests = 1 + _categorical(rng, np.array([0.25, 0.35, 0.25, 0.15]), n)
    interests, _ = _subsets(rng, np.log(_INTEREST_WEIGHTS), n_interests)
    style = rng.standard_normal((n, 3))
    return {
        "first": first,
        "last": last,
        "dept": dept,
        "prof": prof,
        "seniority": seniority,
        "loc": loc,
        "speaks": speaks,
        "mode": mode,
        "interests": interests,
        "style": style,
    }


def _common_columns(ids: np.ndarray, p: dict) -> dict[str, np.ndarray]:
    s_struct = _likert(p["style"][:, 0], 3.0 + _PROF_STRUCTURE[p["prof"]], 1.0)
    s_pace = _likert(p["style"][:, 1], 3.0, 1.0)
    s_direct = _likert(p["style"][:, 2], 2.9 + _PROF_DIRECT[p["prof"]] + 0.08 * (p["seniority"] - 4), 1.0)
    blank = np.full(len(ids), "", dtype=object)
    return {
        "id": ids,
        "name": _pick(FIRST_NAMES, p["first"]) + " " + _pick(LAST_NAMES, p["last"]),
        "email": np.char.add(np.char.lower(ids.astype(str)), "@example.org").astype(object),
        "department": _pick(DEPARTMENTS, p["dept"]),
        "profession": _pick(PROFESSIONS, p["prof"]),
        "seniority": _text(p["seniority"]),
        "location": _pick(LOCATIONS, p["loc"]),
        "timezone": _pick(_LOC_TZ, p["loc"]),
        "languages": _join(p["speaks"], LANGUAGES),
        "mode": _pick(MODES, p["mode"]),
        "interests": _join(p["interests"], INTERESTS),
        "style_structure": _text(s_struct),
        "style_pace": _text(s_pace),
        "style_directness": _text(s_direct),
        "avoid": blank.copy(),
        "manager_id": blank.copy(),
    }


def _phrases(bank: dict, topic: np.ndarray, variant: np.ndarray) -> np.ndarray:
    flat = np.array([ph for t in TOPICS for ph in bank[t]], dtype=object)
    return flat[topic * _N_VARIANTS + variant]


def _expertise(rng, p: dict, order: np.ndarray, n_topics: np.ndarray) -> np.ndarray:
    """Mentor free text: role sentence, then phrases for their first two or three topics."""
    n = len(n_topics)
    art = _pick(_PROF_ARTICLE, p["prof"])
    dept = _pick(_DEPT_TEXT, p["dept"])
    years = _text(np.maximum(1, 2 * p["seniority"] - 3 + rng.integers(0, 5, n)))
    intro = np.choose(
        rng.integers(0, 3, n),
        [
            "I am " + art + " in " + dept + " with " + years + " years of experience.",
            years + " years as " + art + ", currently working in " + dept + ".",
            "I have worked in " + dept + " for " + years + " years as " + art + ".",
        ],
    )
    v = rng.integers(0, _N_VARIANTS, (n, 3))
    p1 = _phrases(_EXPERTISE_PHRASES, order[:, 0], v[:, 0])
    p2 = _phrases(_EXPERTISE_PHRASES, order[:, 1], v[:, 1])
    p3 = _phrases(_EXPERTISE_PHRASES, order[:, 2], v[:, 2])
    body = np.choose(
        rng.integers(0, 3, n),
        [
            " I can help with " + p1 + ", and also with " + p2 + ".",
            " Happy to support mentees with " + p1 + ", as well as " + p2 + ".",
            " Most of my mentoring has been on " + p1 + "; I also enjoy helping with " + p2 + ".",
        ],
    )
    extra = np.where((n_topics >= 3) & (rng.random(n) < 0.5), " I also have experience in " + p3 + ".", "")
    return intro + body + extra


def _goals(rng, p: dict, order: np.ndarray, n_topics: np.ndarray) -> np.ndarray:
    """Mentee free text: optional role sentence, then goals for their chosen topics."""
    n = len(n_topics)
    art = _pick(_PROF_ARTICLE, p["prof"])
    dept = _pick(_DEPT_TEXT, p["dept"])
    intro = np.where(rng.random(n) < 0.5, "I am " + art + " in " + dept + ". ", "")
    v = rng.integers(0, _N_VARIANTS, (n, 3))
    g1 = _phrases(_GOAL_PHRASES, order[:, 0], v[:, 0])
    g2 = _phrases(_GOAL_PHRASES, order[:, 1], v[:, 1])
    g3 = _phrases(_GOAL_PHRASES, order[:, 2], v[:, 2])
    two = n_topics >= 2
    template = rng.integers(0, 3, n)
    body = np.choose(
        template,
        [
            "I would like to " + g1 + np.where(two, " and to " + g2, "") + ".",
            "My main goal is to " + g1 + np.where(two, "; I also want to " + g2, "") + ".",
            "I am hoping to " + g1 + np.where(two, ", and to " + g2, "") + ".",
        ],
    )
    extra = np.where(n_topics >= 3, " Longer term I want to " + g3 + ".", "")
    return intro + body + extra


def _pick_others(rng, my_dept: np.ndarray, other_dept: np.ndarray, same_p: float) -> np.ndarray:
    """For each row, an index into the other file: same department with prob ``same_p``."""
    n, m = len(my_dept), len(other_dept)
    order = np.argsort(other_dept, kind="stable")
    counts = np.bincount(other_dept, minlength=len(DEPARTMENTS))
    starts = np.cumsum(counts) - counts
    u = rng.random(n)
    same = (rng.random(n) < same_p) & (counts[my_dept] > 0)
    within = starts[my_dept] + np.floor(u * counts[my_dept]).astype(np.int64)
    within = order[np.minimum(within, max(m - 1, 0))] if m else within
    anyone = np.minimum(np.floor(u * m).astype(np.int64), max(m - 1, 0))
    return np.where(same, within, anyone)


def _avoid(rng, my_dept, other_dept, other_ids, rate: float) -> np.ndarray:
    """A minority avoid one (sometimes two) people in the other file, often colleagues."""
    n = len(my_dept)
    has = rng.random(n) < rate
    two = rng.random(n) < 0.25
    a = _pick_others(rng, my_dept, other_dept, 0.7)
    b = _pick_others(rng, my_dept, other_dept, 0.7)
    out = np.full(n, "", dtype=object)
    if len(other_ids) == 0:
        return out
    first, second = other_ids[a], other_ids[b]
    both = np.where(two & (a != b), first + ";" + second, first)
    out[has] = both[has]
    return out


def _managers(rng, dept, seniority, ids, rate: np.ndarray) -> np.ndarray:
    """Line managers for a minority: someone in the same department, 1-3 grades senior.

    A manager is always strictly more senior than the person, so there are no cycles
    and nobody manages themselves. Rows with no eligible senior colleague stay blank.
    """
    n = len(ids)
    has = rng.random(n) < rate
    u = rng.random(n)
    out = np.full(n, "", dtype=object)
    if n == 0:
        return out
    key = dept.astype(np.int64) * 16 + seniority
    order = np.argsort(key, kind="stable")
    skey = key[order]
    lo = np.searchsorted(skey, key + 1, side="left")
    near = np.searchsorted(skey, key + 4, side="left")
    end = np.searchsorted(skey, dept.astype(np.int64) * 16 + 16, side="left")
    hi = np.where(near > lo, near, end)
    ok = has & (hi > lo)
    pick = lo + np.floor(u * (hi - lo)).astype(np.int64)
    out[ok] = ids[order[pick[ok]]]
    return out


_CAP_LOW = np.array([0.08, 0.42, 0.35, 0.12, 0.03])  # mean 1.60
_CAP_HIGH = np.array([0.03, 0.05, 0.12, 0.68, 0.12])  # mean 2.81


def _capacity_probs(n_mentees: int, n_mentors: int) -> np.ndarray:
    """P(capacity = 0..4): mostly 1-3, aiming at total capacity about 12% above demand."""
    lo, hi = _CAP_LOW @ np.arange(5), _CAP_HIGH @ np.arange(5)
    target = 1.12 * n_mentees / max(n_mentors, 1)
    w = float(np.clip((target - lo) / (hi - lo), 0.0, 1.0))
    return (1 - w) * _CAP_LOW + w * _CAP_HIGH


def _apply_blanks(cols: dict, optional, u: np.ndarray, blanks: float) -> None:
    for j, name in enumerate(optional):
        cols[name][u[:, j] < blanks] = ""


# ------------------------------------------------------------------ public API


def generate_cohort(
    n_mentees: int, n_mentors: int, seed: int = 0, *, blanks: float = 0.02, preferences: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(mentors, mentees)``: synthetic questionnaire answers in the default format.

    Takes the number of mentees and mentors (whole numbers >= 0), a ``seed`` for
    ``numpy.random.default_rng`` and ``blanks``, the fraction (0..1) of optional answer
    cells left blank at random (never ``id``, ``name``, ``email``, ``capacity``; ``avoid``
    and ``manager_id`` are mostly blank by design). Returns two DataFrames whose cells are
    all strings (``""`` for blank), columns in :data:`MENTOR_COLUMNS` /
    :data:`MENTEE_COLUMNS` order, one row per person in id order (``R001``.., ``E001``..).
    Lists are ``;``-separated; ``avoid`` holds ids from the other file; ``manager_id``
    refers to a strictly more senior person of the same department in either file. The
    same arguments always give the same frames. ``preferences`` adds the preference columns
    (:func:`add_preferences`; the other columns are the same as without it).
    """
    for label, value in (("n_mentees", n_mentees), ("n_mentors", n_mentors)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{label} must be a whole number >= 0, got {value!r}")
    if not 0.0 <= float(blanks) <= 1.0:
        raise ValueError(f"blanks must be between 0 and 1, got {blanks!r}")
    n_mentees, n_mentors = int(n_mentees), int(n_mentors)
    rng = np.random.default_rng(seed)

    # --- mentors
    r_seniority = np.array([0.01, 0.02, 0.05, 0.12, 0.20, 0.25, 0.20, 0.15])
    r = _person(rng, n_mentors, r_seniority, _LOC_WEIGHTS_MENTORS)
    r_ids = _ids("R", n_mentors)
    mentors = _common_columns(r_ids, r)
    capacity = _categorical(rng, _capacity_probs(n_mentees, n_mentors), n_mentors)
    r_ntopics = 2 + _categorical(rng, np.array([0.25, 0.35, 0.25, 0.15]), n_mentors)
    r_logw = _topic_logw(r["dept"], _TOPIC_SUPPLY)
    senior_boost = 0.2 * (r["seniority"] - 5)
    for topic in ("leadership", "management"):
        r_logw[:, TOPICS.index(topic)] += senior_boost
    r_topics, r_order = _subsets(rng, r_logw, r_ntopics)
    level = _LEVEL_OF_SENIORITY[r["seniority"]] + rng.choice([-1, 0, 1], size=n_mentors, p=[0.1, 0.8, 0.1])
    z_challenge = _corr(rng, r["style"][:, 2], 0.5)
    z_care = rng.standard_normal(n_mentors)
    mentors.update(
        capacity=_text(capacity),
        topics=_join(r_topics, TOPICS),
        expertise=_expertise(rng, r, r_order, r_ntopics),
        challenge=_text(_likert(z_challenge, 3.3, 1.1)),
        care=_text(_likert(z_care, 3.7, 1.0)),
        level=_pick(LEVELS, np.clip(level, 0, len(LEVELS) - 1)),
    )

    # --- mentees
    e = _person(rng, n_mentees, np.array([0.15, 0.26, 0.29, 0.20, 0.10]), _LOC_WEIGHTS)
    e_ids = _ids("E", n_mentees)
    mentees = _common_columns(e_ids, e)
    e_ntopics = 1 + _categorical(rng, np.array([0.35, 0.45, 0.20]), n_mentees)
    e_topics, e_order = _subsets(rng, _topic_logw(e["dept"], _TOPIC_DEMAND), e_ntopics)
    ready = rng.standard_normal(n_mentees)  # one readiness factor behind all five items
    z_ready_challenge = _corr(rng, ready, 0.6)
    mentees.update(
        topics=_join(e_topics, TOPICS),
        goals=_goals(rng, e, e_order, e_ntopics),
        want_compatibility=_text(_likert(rng.standard_normal(n_mentees), 3.8, 0.9)),
        want_contrast=_text(_likert(rng.standard_normal(n_mentees), 2.7, 1.0)),
        want_challenge=_text(_likert(_corr(rng, z_ready_challenge, 0.5), 3.5, 1.0)),
        want_context=_text(_likert(rng.standard_normal(n_mentees), 3.5, 1.0)),
        want_care=_text(_likert(rng.standard_normal(n_mentees), 3.7, 0.9)),
        ready_open=_text(_likert(_corr(rng, ready, 0.6), 4.1, 0.8)),
        ready_committed=_text(_likert(_corr(rng, ready, 0.6), 4.0, 0.85)),
        ready_challenge=_text(_likert(z_ready_challenge, 3.8, 0.9)),
        ready_feedback=_text(_likert(_corr(rng, ready, 0.6), 4.0, 0.8)),
        ready_respect=_text(_likert(_corr(rng, ready, 0.6), 4.3, 0.7)),
    )

    # --- relations between people
    mentors["avoid"] = _avoid(rng, r["dept"], e["dept"], e_ids, 0.03)
    mentees["avoid"] = _avoid(rng, e["dept"], r["dept"], r_ids, 0.04)
    managers = _managers(
        rng,
        np.concatenate([r["dept"], e["dept"]]),
        np.concatenate([r["seniority"], e["seniority"]]),
        np.concatenate([r_ids, e_ids]),
        np.concatenate([np.full(n_mentors, 0.08), np.full(n_mentees, 0.12)]),
    )
    mentors["manager_id"] = managers[:n_mentors]
    mentees["manager_id"] = managers[n_mentors:]

    # --- blanks (always drawn, so ``blanks`` changes nothing else)
    _apply_blanks(mentors, MENTOR_OPTIONAL, rng.random((n_mentors, len(MENTOR_OPTIONAL))), blanks)
    _apply_blanks(mentees, MENTEE_OPTIONAL, rng.random((n_mentees, len(MENTEE_OPTIONAL))), blanks)

    frames = (
        pd.DataFrame({c: mentors[c] for c in MENTOR_COLUMNS}, dtype=object),
        pd.DataFrame({c: mentees[c] for c in MENTEE_COLUMNS}, dtype=object),
    )
    return add_preferences(*frames, seed) if preferences else frames


def _refer(rng, table: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """How a person in ``table`` (rows ``idx``) is written by someone who chose them: their
    id (half the time), their exact name when no one else in the file has it (a third), or
    their email — as people fill in a form. Never an ambiguous name."""
    names = table["name"].to_numpy(dtype=object)
    unique = pd.Series(names).map(pd.Series(names).value_counts()).to_numpy() == 1
    u = rng.random(idx.size)
    by = np.where(u < 0.5, "id", np.where((u < 0.83) & unique[idx], "name", "email"))
    out = np.where(by == "id", table["id"].to_numpy(dtype=object)[idx], names[idx])
    return np.where(by == "email", table["email"].to_numpy(dtype=object)[idx], out)


def _choose(
    rng, n_people: int, n_others: int, counts: np.ndarray, popularity: np.ndarray
) -> list[np.ndarray]:
    """For each person, ``counts[p]`` distinct others drawn with weights ``popularity``
    (Gumbel top-k: one vectorised draw)."""
    if n_others == 0:
        return [np.zeros(0, np.int64)] * n_people
    keys = np.log(popularity)[None, :] + rng.gumbel(size=(n_people, n_others))
    order = np.argsort(-keys, axis=1, kind="stable")
    return [order[p, : min(int(counts[p]), n_others)] for p in range(n_people)]


def add_preferences(
    mentors: pd.DataFrame, mentees: pd.DataFrame, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(mentors, mentees)`` with the preference columns added (new frames; inputs unchanged):
    mentees' ``preferred_mentors`` (about 60 % name 1–3 mentors, best first; a few mentors
    are popular), mentors' ``preferred_mentees`` (about 25 % name 1–2) and
    ``declined_mentees`` (about 5 % decline one). Each entry is an id, a name or an email
    (:func:`_refer`). Drawn from their own generator (seeded by ``seed``), so every other
    column is the same as without them."""
    rng = np.random.default_rng([int(seed), 17])
    n_r, n_e = len(mentors), len(mentees)
    popular = rng.pareto(1.5, n_r) + 1.0  # a few mentors everyone asks for
    e_counts = np.where(rng.random(n_e) < 0.6, 1 + rng.integers(0, 3, n_e), 0)
    r_counts = np.where(rng.random(n_r) < 0.25, 1 + rng.integers(0, 2, n_r), 0)
    e_choices = _choose(rng, n_e, n_r, e_counts, popular)
    r_choices = _choose(rng, n_r, n_e, r_counts, np.ones(n_e))
    declines = rng.random(n_r) < 0.05
    declined = rng.integers(0, max(n_e, 1), n_r)

    def column(choices, other: pd.DataFrame) -> list[str]:
        return [";".join(_refer(rng, other, c)) if c.size else "" for c in choices]

    mentees = mentees.assign(preferred_mentors=column(e_choices, mentors))
    prefer = column(r_choices, mentees)
    decline = [
        ";".join(_refer(rng, mentees, np.array([declined[j]])))
        if declines[j] and n_e and declined[j] not in r_choices[j]
        else ""
        for j in range(n_r)
    ]
    mentors = mentors.assign(preferred_mentees=prefer, declined_mentees=decline)
    return mentors.astype(object), mentees.astype(object)


def _write_csv(df: pd.DataFrame, path: Path, *, sep: str = ",", excel: bool = False) -> None:
    df.to_csv(
        path,
        sep=sep,
        index=False,
        encoding="utf-8-sig" if excel else "utf-8",
        lineterminator="\r\n" if excel else "\n",
    )


def write_cohort(
    out_dir: str | Path, n_mentees: int, n_mentors: int, seed: int = 0, *, preferences: bool = False
) -> tuple[Path, Path]:
    """Generate a cohort and write ``mentors.csv`` and ``mentees.csv`` into ``out_dir``.

    Takes the output folder (created if missing), the cohort sizes and the seed (see
    :func:`generate_cohort`; default ``blanks``). Files are UTF-8, comma-separated, no
    index column, ``\\n`` line ends. ``preferences``: with the preference columns.
    Returns ``(mentors_path, mentees_path)``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mentors, mentees = generate_cohort(n_mentees, n_mentors, seed, preferences=preferences)
    paths = out / "mentors.csv", out / "mentees.csv"
    _write_csv(mentors, paths[0])
    _write_csv(mentees, paths[1])
    return paths


def write_export_cohort(
    out_dir: str | Path,
    n_mentees: int,
    n_mentors: int,
    seed: int = 0,
    *,
    prefix: str = "export_",
    sep: str = ";",
) -> tuple[Path, Path]:
    """Write a cohort as a Microsoft Forms / HR export would: renamed headers, ``sep``.

    Same data as :func:`write_cohort` for the same arguments, but the headers are those
    of :data:`EXPORT_HEADERS` and the files are saved as Excel's "CSV UTF-8" does (BOM,
    ``\\r\\n`` line ends), named ``{prefix}mentors.csv`` and ``{prefix}mentees.csv``.
    Returns ``(mentors_path, mentees_path)``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mentors, mentees = generate_cohort(n_mentees, n_mentors, seed)
    paths = out / f"{prefix}mentors.csv", out / f"{prefix}mentees.csv"
    _write_csv(mentors.rename(columns=EXPORT_HEADERS["mentors"]), paths[0], sep=sep, excel=True)
    _write_csv(mentees.rename(columns=EXPORT_HEADERS["mentees"]), paths[1], sep=sep, excel=True)
    return paths


def export_columns_toml() -> str:
    """The ``[columns]`` TOML table mapping every :data:`EXPORT_HEADERS` header to its column."""
    mapping: dict[str, str] = {}
    for side in ("mentors", "mentees"):
        for column, header in EXPORT_HEADERS[side].items():
            if mapping.setdefault(header, column) != column:
                raise ValueError(f"export header {header!r} maps to two columns")
    lines = ["[columns]"]
    lines += [f"{json.dumps(h, ensure_ascii=False)} = {json.dumps(c)}" for h, c in mapping.items()]
    return "\n".join(lines) + "\n"
