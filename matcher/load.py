"""Load and validate the two questionnaire files into a :class:`~matcher.model.Cohort`.

``load_cohort(mentors_path, mentees_path, config)`` reads both files, maps headers
(case- and space-insensitive, plus the config's ``[columns]``), parses every cell by
its column's kind and collects *every* problem — (file, row, column, value, problem,
fix) — before raising one :class:`~matcher.errors.InputError`. Nothing is fixed
silently: a value is either valid as written (in one of its documented spellings) or
reported. References that match no one (avoid lists, managers) are warnings, or
errors with ``strict=True``.
"""

from __future__ import annotations

import difflib
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .config import Config, normalise_header
from .errors import InputError, Problem
from .model import Cohort, natural_key
from .questionnaire import (
    LEVELS,
    LIKERT_MAX,
    LIKERT_MIN,
    MENTEE_ONLY,
    MENTOR_ONLY,
    MODES,
    Column,
    columns_for,
)
from .read import RawTable, read_table

LIST_SPLIT = re.compile(r"[;,]")
MODE_SPELLINGS = {m.replace("_", ""): m for m in MODES}
LEVEL_SPELLINGS = {
    "foundation": "foundation",
    "practitioner": "practitioner",
    "senior": "senior",
    "seniorpractitioner": "senior",
    "master": "master",
    "masterpractitioner": "master",
}


@lru_cache(maxsize=1)
def _timezones() -> dict[str, str]:
    from zoneinfo import available_timezones

    return {tz.lower(): tz for tz in available_timezones()}


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.lower())


def map_headers(
    raw: RawTable, side: str, config: Config, problems: list[Problem]
) -> tuple[dict[int, str], list[str]]:
    """Return {column position: standard name} and the headers left unused."""
    known = columns_for(side)
    mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    ignored: list[str] = []
    for pos, header in enumerate(raw.headers):
        norm = normalise_header(header)
        if not norm:
            if any(cells[pos] for _, cells in raw.rows):
                problems.append(
                    Problem(
                        raw.file,
                        1,
                        f"#{pos + 1}",
                        None,
                        "this column has values but no header",
                        "give the column a header or delete it",
                    )
                )
            continue
        target = mapping.get(norm)
        if target is None:
            candidate = norm.replace(" ", "_")
            target = candidate if candidate in known else None
        if target is None or target not in known:
            ignored.append(header)
            continue
        if target in seen:
            first = raw.headers[seen[target]]
            problems.append(
                Problem(
                    raw.file,
                    1,
                    header,
                    None,
                    f"a second column for '{target}' (the first is '{first}')",
                    "delete or rename one of them",
                )
            )
            continue
        seen[target] = pos
        out[pos] = target
    return out, ignored


def _looks_like_data(header: str) -> bool:
    """A header cell that is really a person's data (e.g. the file lost its header row)."""
    return "@" in header or bool(re.fullmatch(r"[\d\s.,;:/+-]+", header))


def _suggest(raw: RawTable, wanted: str, used: set[str]) -> str:
    """The export header most likely meant for ``wanted`` (whole words only, never data)."""
    article = "an" if wanted[0] in "aeiou" else "a"
    fallback = f"add {article} '{wanted}' column, or map your export's header to it in [columns]"
    if any(_looks_like_data(h) for h in raw.headers):
        return "the first row looks like data, not headers — add the header row at the top"
    free = [h for h in raw.headers if h and normalise_header(h) not in used]
    words = wanted.split("_")
    for h in free:
        tokens = re.findall(r"[a-z0-9]+", h.lower())
        if all(w in tokens for w in words):
            return f"did you mean '{h}'? map it in [columns]"
    low = {normalise_header(h): h for h in free}
    close = difflib.get_close_matches(wanted, list(low), n=1, cutoff=0.75)
    if close:
        return f"did you mean '{low[close[0]]}'? map it in [columns]"
    return fallback


def _parse_int(text: str) -> int | None:
    try:
        value = float(text.replace(",", ".")) if re.fullmatch(r"[+-]?\d+([.,]0+)?", text) else None
    except ValueError:
        return None
    return None if value is None else int(value)


def _parse_cell(col: Column, text: str, config: Config, file: str, row: int, problems: list[Problem]):
    """Parse one non-blank cell; on a problem append it and return None."""

    def bad(problem: str, fix: str) -> None:
        problems.append(Problem(file, row, col.name, text, problem, fix))

    kind = col.kind
    if kind in ("id", "text", "private", "ref"):
        return text
    if kind in ("list", "idlist"):
        items = [t.strip() for t in LIST_SPLIT.split(text)]
        items = [t if kind == "idlist" else " ".join(t.lower().split()) for t in items if t]
        return tuple(dict.fromkeys(items))
    if kind in ("int", "capacity"):
        value = _parse_int(text)
        if value is None:
            bad(
                "is not a whole number",
                "write a whole number, e.g. 2" if kind == "capacity" else "write a whole number, e.g. 3",
            )
            return None
        if kind == "capacity" and value < 0:
            bad("capacity cannot be negative", "write 0 if this mentor takes no mentees this round")
            return None
        return value
    if kind == "likert":
        label = config.likert.get(normalise_header(text))
        if label is not None:
            return float(label)
        value = _parse_int(text)
        if value is None:
            hint = (
                'map answer labels to numbers in [likert], e.g. "Strongly agree" = 5'
                if not config.likert
                else "use a number 1–5 or a label listed in [likert]"
            )
            if re.fullmatch(r"[+-]?\d+([.,]\d+)?", text):
                bad("is not a whole number 1–5", "use a whole number from 1 (low) to 5 (high)")
            else:
                bad("is not a number 1–5", hint)
            return None
        if not LIKERT_MIN <= value <= LIKERT_MAX:
            bad("is outside the scale 1–5", "use a whole number from 1 (low) to 5 (high)")
            return None
        return float(value)
    if kind == "mode":
        mode = MODE_SPELLINGS.get(_squash(text))
        if mode is None:
            bad("is not an allowed meeting mode", "use one of: " + ", ".join(MODES))
        return mode
    if kind == "level":
        level = LEVEL_SPELLINGS.get(_squash(text))
        if level is None:
            bad("is not an EMCC level", "use one of: " + ", ".join(LEVELS))
        return level
    if kind == "timezone":
        tz = _timezones().get(text.strip().lower().replace(" ", "_"))
        if tz is None:
            close = difflib.get_close_matches(text.lower(), list(_timezones()), n=1, cutoff=0.7)
            fix = (
                f"did you mean '{_timezones()[close[0]]}'?"
                if close
                else "use an IANA name such as Europe/London or America/New_York"
            )
            bad("is not a known time zone", fix)
        return tz
    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover


_BLANK = {"list": (), "idlist": (), "int": math.nan, "likert": math.nan}


def validate_side(
    raw: RawTable, side: str, config: Config, problems: list[Problem]
) -> tuple[pd.DataFrame, frozenset[str], list[str]]:
    """Check one file; return its typed table, the standard columns present, and ignored headers."""
    known = columns_for(side)
    positions, ignored = map_headers(raw, side, config, problems)
    present = set(positions.values())
    pos_of = {name: pos for pos, name in positions.items()}
    used = {normalise_header(raw.headers[p]) for p in positions}
    for col in known.values():
        if col.required and col.name not in present:
            problems.append(
                Problem(
                    raw.file,
                    1,
                    None,
                    None,
                    f"no column '{col.name}'",
                    _suggest(raw, col.name, used),
                )
            )
    data: dict[str, list] = {name: [] for name in known}
    rows: list[int] = []
    for number, cells in raw.rows:
        rows.append(number)
        for name, col in known.items():
            pos = pos_of.get(name)
            text = cells[pos] if pos is not None else ""
            if not text:
                if col.name == "id" and pos is not None:
                    problems.append(
                        Problem(
                            raw.file,
                            number,
                            "id",
                            "",
                            "the id is blank",
                            "give every person an id, unique in this file",
                        )
                    )
                if col.kind == "capacity" and pos is not None:
                    problems.append(
                        Problem(
                            raw.file,
                            number,
                            "capacity",
                            "",
                            "capacity is blank",
                            "write how many mentees this mentor takes (0 or more)",
                        )
                    )
                value = _BLANK.get(col.kind, "")
                if col.kind == "capacity":
                    value = 0
            else:
                value = _parse_cell(col, text, config, raw.file, number, problems)
                if value is None:
                    value = _BLANK.get(col.kind, "")
                    if col.kind == "capacity":
                        value = 0
            data[name].append(value)
    # Duplicate ids: name both rows.
    first_row: dict[str, int] = {}
    for number, pid in zip(rows, data["id"], strict=True):
        if not pid:
            continue
        if pid in first_row:
            problems.append(
                Problem(
                    raw.file,
                    number,
                    "id",
                    pid,
                    f"duplicate id (also row {first_row[pid]})",
                    "give each person a unique id",
                )
            )
        else:
            first_row[pid] = number
    table = pd.DataFrame(data)
    table["_row"] = rows
    for name, col in known.items():
        if col.kind in ("int", "likert"):
            table[name] = table[name].astype(float)
        elif col.kind == "capacity":
            table[name] = table[name].astype(np.int64)
    return table, frozenset(present), ignored


def _check_swapped(mentors: RawTable, mentees: RawTable, config: Config) -> list[Problem]:
    def names(raw: RawTable, side: str) -> set[str]:
        mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
        out = set()
        for h in raw.headers:
            n = normalise_header(h)
            out.add(mapping.get(n, n.replace(" ", "_")))
        return out

    r, e = names(mentors, "mentors"), names(mentees, "mentees")
    mentor_looks_mentee = "capacity" not in r and len(r & MENTEE_ONLY) > len(r & MENTOR_ONLY)
    mentee_looks_mentor = "capacity" in e or len(e & MENTOR_ONLY) > len(e & MENTEE_ONLY)
    if mentor_looks_mentee and mentee_looks_mentor:
        return [
            Problem(
                mentors.file,
                None,
                None,
                None,
                f"the two files look swapped: '{mentors.file}' has mentee columns and '{mentees.file}' has mentor columns",
                "pass the mentors' file to --mentors and the mentees' file to --mentees",
            )
        ]
    return []


def _check_references(cohort_tables, files, strict: bool) -> list[Problem]:
    """Avoid-list ids and manager ids that match no one: a typo here can pair people who must not meet."""
    (mentors, mentees) = cohort_tables
    ids = {"mentors": set(mentors["id"]), "mentees": set(mentees["id"])}
    everyone = ids["mentors"] | ids["mentees"]
    out: list[Problem] = []
    fix = "correct the id (a typo here can pair people who must not meet)"
    for side, table, other in (("mentors", mentors, "mentees"), ("mentees", mentees, "mentors")):
        file = files[0] if side == "mentors" else files[1]
        for row, avoid in zip(table["_row"], table["avoid"], strict=True):
            for pid in avoid:
                if pid not in ids[other]:
                    out.append(
                        Problem(file, int(row), "avoid", pid, f"matches no one in the {other} file", fix)
                    )
        for row, manager in zip(table["_row"], table["manager_id"], strict=True):
            if manager and manager not in everyone:
                out.append(
                    Problem(
                        file,
                        int(row),
                        "manager_id",
                        manager,
                        "matches no one in either file",
                        "correct the id or leave it blank",
                    )
                )
    return out


def load_cohort(
    mentors_path: str | Path,
    mentees_path: str | Path,
    config: Config | None = None,
    *,
    encoding: str | None = None,
    strict: bool = False,
) -> Cohort:
    """Read, validate and sort both files. Raises :class:`InputError` with every problem."""
    config = config or Config()
    problems: list[Problem] = []
    raws: list[RawTable | None] = []
    for path in (mentors_path, mentees_path):
        try:
            raws.append(read_table(path, encoding))
        except InputError as exc:
            problems.extend(exc.problems)
            raws.append(None)
    if problems:
        raise InputError(problems)
    raw_r, raw_e = raws
    assert raw_r is not None and raw_e is not None
    if Path(mentors_path).resolve() == Path(mentees_path).resolve():
        raise InputError(
            [
                Problem(
                    raw_r.file,
                    None,
                    None,
                    None,
                    "the same file was given for mentors and mentees",
                    "pass the mentees' own file to --mentees",
                )
            ]
        )
    swapped = _check_swapped(raw_r, raw_e, config)
    if swapped:
        raise InputError(swapped)
    mentors, r_cols, r_ign = validate_side(raw_r, "mentors", config, problems)
    mentees, e_cols, e_ign = validate_side(raw_e, "mentees", config, problems)
    for raw, table in ((raw_r, mentors), (raw_e, mentees)):
        if not len(table) and not any(p.file == raw.file for p in problems):
            problems.append(
                Problem(
                    raw.file,
                    None,
                    None,
                    None,
                    "the file has a header but no people",
                    "add one row per person",
                )
            )
    if problems:
        raise InputError(problems)
    references = _check_references((mentors, mentees), (raw_r.file, raw_e.file), strict)
    if strict and references:
        raise InputError(references)
    mentors = _sorted(mentors)
    mentees = _sorted(mentees)
    ignored = tuple(f"{raw_r.file}: {h}" for h in r_ign) + tuple(f"{raw_e.file}: {h}" for h in e_ign)
    return Cohort(mentors, mentees, r_cols, e_cols, tuple(references), (raw_r.file, raw_e.file), ignored)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = sorted(range(len(table)), key=lambda i: natural_key(table["id"].iat[i]))
    return table.iloc[order].reset_index(drop=True)
