"""Load and validate the two questionnaire files into a :class:`~matcher.io.cohort.Cohort`.

``load_cohort(mentors_path, mentees_path, config)`` reads both files, maps headers,
parses every cell by its column's kind and collects *every* problem — (file, row,
column, value, problem, fix) — before raising one :class:`~matcher.errors.InputError`.
A file that cannot be read does not hide the other file's problems. Nothing is fixed
silently: a value is either valid as written (in one of its documented spellings) or
reported. References that match no one (avoid lists, managers) are warnings, or
errors with ``strict=True``.

A header maps to a standard column (see :mod:`matcher.io.questionnaire`), first match wins:

1. the config's ``[columns]`` entry for it (headers compared stripped, inner spaces
   folded, case-insensitive);
2. the standard name itself, case-insensitive, with spaces for underscores
   ("Want  Care", "READY_OPEN");
3. the standard name once spaces, hyphens and underscores are removed on both sides
   and case is ignored ("Time zone", "Style-Pace", "StylePace" → timezone, style_pace):
   an equality, never a guess ("Time-zone offset" maps to nothing). Only when
   unambiguous: a header matched this way is left unused when another header names
   the same column by rule 1 or 2 (as before this rule existed).

Two headers that map to the same column by the same rule are an error naming both.

Problems are listed file by file; within a file, whole-file problems first, then by
spreadsheet row, and within a row left to right in the file's column order.
Numbers must be whole and in a sane range (capacity 0–10000, other whole-number
columns -1000 to 1000), so a pasted account number is reported, never wrapped round.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.errors import InputError, Problem
from matcher.io import header, preferences, vocabulary
from matcher.io.cohort import Cohort, natural_key, people_in_both
from matcher.io.config import Config, normalise_header
from matcher.io.numbers import parse_whole
from matcher.io.questionnaire import (
    ALL_NAMES,
    CAPACITY_MAX,
    COLUMNS,
    INT_MAX,
    INT_MIN,
    MENTEE_ONLY,
    MENTOR_ONLY,
    WANTED_MAX,
    Column,
    columns_for,
)
from matcher.io.questions import EXAMPLE_ID, kit_headers
from matcher.io.read import RawTable, encoding_problem, read_table
from matcher.io.vocabulary import id_like

LIST_SPLIT = re.compile(r"[;,]")
PEER_SPLIT = re.compile(r"[;\n]")  # not ',': a name may be written "Surname, Given"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.lower())


@lru_cache(maxsize=1)
def _squashed_names() -> dict[str, str]:
    """Standard column names by their squashed spelling (none share one, see the tests)."""
    return {_squash(c.name): c.name for c in COLUMNS}


@lru_cache(maxsize=1)
def _kit_any() -> dict[str, str]:
    """The kit's export headers of both sides (for telling the two files apart)."""
    return {**kit_headers("mentors"), **kit_headers("mentees")}


def _standard_name(norm: str, mapping, *, squash: bool = True, kit=None) -> str | None:
    """The standard column a normalised header means (module doc, "A header maps"), or None.

    ``squash=False`` applies rules 1, 2 and 3 only; ``kit``: the kit's export headers
    (rule 3; default: both sides').
    """
    target = mapping.get(norm)
    if target is not None:
        return target
    candidate = norm.replace(" ", "_")
    if candidate in ALL_NAMES:
        return candidate
    target = (_kit_any() if kit is None else kit).get(norm)
    if target is not None:
        return target
    return _squashed_names().get(_squash(norm)) if squash else None


_OPTION = re.compile(r"(.*\S)\s*\[([^\[\]]+)\]")


def _option_of(norm: str, mapping, kit, known) -> str | None:
    """The list column of a multi-select option column ``Question [option]`` (SurveyMonkey
    writes one column per ticked option), or None."""
    m = _OPTION.fullmatch(norm)
    if m is None:
        return None
    target = _standard_name(m.group(1), mapping, squash=False, kit=kit)
    return target if target in known and known[target].kind == "list" else None


def header_counter(side: str, config: Config):
    """``count(cells)``: how many known columns (and form-tool columns) a row of cells names —
    what the header picker maximises (see :mod:`matcher.io.header`)."""
    known = columns_for(side)
    mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
    kit = kit_headers(side)

    def count(cells) -> int:
        names = set()
        for c in cells:
            norm = normalise_header(c)
            if not norm:
                continue
            target = _standard_name(norm, mapping, kit=kit)
            if target in known:
                names.add(target)
            elif norm in header.FORM_COLUMNS:
                names.add(norm)
        return len(names)

    return count


def map_headers(
    raw: RawTable, side: str, config: Config, problems: list[Problem]
) -> tuple[dict[int, str], list[str]]:
    """Return {column position: standard name} and the headers left unused.

    Several positions map to one list column when they are a multi-select's option
    columns (``Question [option]``); their ticked options are joined. Columns a form tool
    adds (timestamps, response ids) and consent questions are left unused and labelled.
    Microsoft Forms' own ``ID`` is never the person's id, and its ``Email`` and ``Name``
    (the signed-in account) give way to a question that asks for them.
    """
    known = columns_for(side)
    mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
    kit = kit_headers(side)
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    options: set[str] = set()  # list columns spread over option columns
    ignored: list[str] = []
    microsoft = header.is_microsoft(raw.headers)
    named = {_standard_name(normalise_header(h), mapping, squash=False, kit=kit) for h in raw.headers}
    if microsoft:  # the account's Email / Name give way to a question asking for them
        asked = {_standard_name(normalise_header(h), mapping, squash=False, kit=kit) for h in raw.headers[5:]}
    for pos, header_text in enumerate(raw.headers):
        norm = normalise_header(header_text)
        if not norm:
            if any(cells[pos] for _, cells in raw.rows):
                problems.append(
                    Problem(
                        raw.file,
                        raw.header_row,
                        f"#{pos + 1}",
                        None,
                        "this column has values but no header",
                        "give the column a header or delete it",
                    )
                )
            continue
        form = header.form_column(header_text, raw.headers) if norm not in mapping else None
        if microsoft and pos < 5 and norm in ("email", "name") and norm in asked:
            form = "Microsoft Forms"
        if form is not None:
            ignored.append(f"{header_text} ({'consent' if form == 'consent' else 'added by ' + form})")
            continue
        target = _standard_name(norm, mapping, squash=False, kit=kit)
        if target is None:
            target = _standard_name(norm, mapping, kit=kit)
            if target in named:  # "Time zone" beside "timezone": the exact one wins
                target = None
        if target is None:
            option = _option_of(norm, mapping, kit, known)
            if option is not None and (option not in seen or option in options):
                out[pos] = option
                seen.setdefault(option, pos)
                options.add(option)
                continue
        if target is None or target not in known:
            ignored.append(header_text)
            continue
        if target in options:  # "Other (please specify)" under a multi-select's option columns
            out[pos] = target
            continue
        if target in seen:
            first = raw.headers[seen[target]]
            problems.append(
                Problem(
                    raw.file,
                    raw.header_row,
                    header_text,
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


_UNSET = object()


def _parse_cell(
    col: Column, text: str, config: Config, file: str, row: int, problems: list[Problem], memo=None
):
    """Parse one non-blank cell; on a problem append it and return None. ``memo``: a dict
    kept for one file, so that an answer given by many people is looked up once."""

    def bad(problem: str, fix: str) -> None:
        vocab = vocabulary.column_vocabulary(col.kind, col.name, config)  # what may be shown
        problems.append(Problem(file, row, col.name, text, problem, fix, vocab))

    kind = col.kind
    if kind == "id" and CONTROL.search(text):
        bad(
            "an id cannot hold a line break, tab or other control character",
            "retype the id in its cell (control characters are invisible in a spreadsheet)",
        )
        return None
    if kind in ("id", "private", "ref"):
        return text
    if kind == "idlist":
        items = [t.strip() for t in LIST_SPLIT.split(text)]
        return tuple(dict.fromkeys(t for t in items if t))
    if kind == "peerlist":  # order kept (a ranking); resolved to people by matcher.io.preferences
        items = [unicodedata.normalize("NFC", t.strip()) for t in PEER_SPLIT.split(text)]
        return tuple(dict.fromkeys(t for t in items if t))
    if kind == "list":
        if memo is None:
            return vocabulary.split_list(col.name, text, config)
        items = memo.get((col.name, text), _UNSET)
        if items is _UNSET:
            items = memo[col.name, text] = vocabulary.split_list(col.name, text, config)
        return items
    parsed = memo.get((col.name, text), _UNSET) if memo is not None else _UNSET
    if parsed is _UNSET:
        parsed = vocabulary.parse(kind, col.name, text, config)
        if memo is not None:
            memo[col.name, text] = parsed
    if parsed is not None:
        if parsed.problem is not None:
            bad(parsed.problem, parsed.fix or "")
        return parsed.value
    if kind == "text":
        return text
    if kind in ("int", "capacity"):
        value = parse_whole(text)
        if value is None:
            if kind == "capacity":
                fix = "write a whole number, e.g. 2"
            elif col.name == "seniority":
                fix = 'write a whole number, or list the grades in order in the config: [values] seniority = ["Band 5", "Band 6"]'
            else:
                fix = "write a whole number, e.g. 3"
            bad("is not a whole number", fix)
            return None
        if kind == "capacity" and value < 0:
            bad("capacity cannot be negative", "write 0 if this mentor takes no mentees this round")
            return None
        if kind == "capacity" and value > CAPACITY_MAX:
            bad(
                f"capacity cannot be more than {CAPACITY_MAX}",
                "write how many mentees this mentor takes this round, e.g. 2",
            )
            return None
        if kind == "int" and not INT_MIN <= value <= INT_MAX:
            bad(
                f"is outside the range {INT_MIN} to {INT_MAX}",
                f"write a whole number from {INT_MIN} to {INT_MAX}, e.g. 3",
            )
            return None
        return value
    if kind == "wanted":
        value = parse_whole(text)
        if value is None or not 1 <= value <= WANTED_MAX:
            bad(
                f"mentors_wanted must be a whole number from 1 to {WANTED_MAX}",
                "write how many mentors this mentee wants, e.g. 1 or 2 (blank means 1)",
            )
            return None
        return value
    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover


_BLANK = {"list": (), "idlist": (), "peerlist": (), "int": math.nan, "likert": math.nan, "wanted": 1}


def _cell(col: Column, text: str, config: Config, file: str, row: int, memo: dict) -> tuple:
    """(value, problems) of one cell of ``col`` holding ``text`` (blank included), its
    problems located at ``row``; the same for every cell of the column with that text."""
    problems: list[Problem] = []
    if not text:
        if col.name == "id":
            problems.append(
                Problem(
                    file, row, "id", "", "the id is blank", "give every person an id, unique in this file"
                )
            )
        if col.kind == "capacity":
            problems.append(
                Problem(
                    file,
                    row,
                    "capacity",
                    "",
                    "capacity is blank",
                    "write how many mentees this mentor takes (0 or more)",
                )
            )
        value = 0 if col.kind == "capacity" else _BLANK.get(col.kind, "")
    else:
        value = _parse_cell(col, text, config, file, row, problems, memo)
        if value is None:
            value = 0 if col.kind == "capacity" else _BLANK.get(col.kind, "")
    return value, tuple(problems)


def validate_side(
    raw: RawTable, side: str, config: Config, problems: list[Problem], notes: list[str] | None = None
) -> tuple[pd.DataFrame, frozenset[str], list[str]]:
    """Check one file; return its typed table, the standard columns present, and ignored headers.

    The file's problems are appended to ``problems`` header first, then by row, and
    within a row left to right in the file's column order.
    """
    known = columns_for(side)
    found: list[Problem] = []
    positions, ignored = map_headers(raw, side, config, found)
    present = set(positions.values())
    pos_of: dict[str, int] = {}
    spread: dict[str, list[int]] = {}  # a multi-select's option columns, joined
    for pos, name in positions.items():
        pos_of.setdefault(name, pos)
        spread.setdefault(name, []).append(pos)
    used = {normalise_header(raw.headers[p]) for p in positions}
    others = [t for t in raw.sheets if t != raw.sheet]
    for col in known.values():
        if col.required and col.name not in present:
            fix = _suggest(raw, col.name, used)
            if others:  # a workbook: the data may be on another sheet
                listed = ", ".join(f"'{t}'" for t in others)
                fix += f" (only the sheet '{raw.sheet}' is read; the workbook also has {listed}: pass --sheet NAME)"
            found.append(Problem(raw.file, raw.header_row, None, None, f"no column '{col.name}'", fix))
    header_problems = len(found)
    examples: list[int] = []  # the kit templates' example row, left in
    memo: dict = {}  # (column, answer) → its meaning, for this file
    kept: list[list[str]] = []
    rows: list[int] = []
    id_pos = pos_of.get("id")
    for number, cells in raw.rows:
        if id_pos is not None and cells[id_pos] == EXAMPLE_ID:
            examples.append(number)
            continue
        rows.append(number)
        kept.append(cells)
    # Column by column, each distinct answer parsed once: a cell's value and problems depend
    # on its column and text alone (a problem is copied with the row of each cell holding it).
    data: dict[str, list] = {}
    for name, col in known.items():
        pos = pos_of.get(name)
        if pos is None:
            data[name] = [0 if col.kind == "capacity" else _BLANK.get(col.kind, "")] * len(rows)
            continue
        if len(spread[name]) > 1:
            ps = spread[name]
            texts = [";".join(cells[p] for p in ps if cells[p]) for cells in kept]
        else:
            texts = [cells[pos] for cells in kept]
        seen: dict[str, tuple] = {}
        values = []
        for number, text in zip(rows, texts, strict=True):
            hit = seen.get(text)
            if hit is None:
                hit = seen[text] = _cell(col, text, config, raw.file, number, memo)
            value, cell_problems = hit
            if cell_problems:
                found.extend(q if q.row == number else replace(q, row=number) for q in cell_problems)
            values.append(value)
        data[name] = values
    # Duplicate ids: name both rows.
    first_row: dict[str, int] = {}
    for number, pid in zip(rows, data["id"], strict=True):
        if not pid:
            continue
        if pid in first_row:
            # Ids are compared as read (NFC): "José" typed two ways is one id.
            alike = (
                "" if pid.isascii() else " (ids that look alike are one id, however the accents were typed)"
            )
            found.append(
                Problem(
                    raw.file,
                    number,
                    "id",
                    pid,
                    f"duplicate id (also row {first_row[pid]})",
                    "give each person a unique id" + alike,
                )
            )
        else:
            first_row[pid] = number
    # Header problems keep their order; cell problems go by row, then column position.
    cells_found = sorted(found[header_problems:], key=lambda p: (p.row, pos_of.get(p.column or "", -1)))
    problems.extend(found[:header_problems] + cells_found)
    if examples and notes is not None:
        notes.append(f"{raw.file}: row {examples[0]} skipped: it is the kit template's example row")
    table = pd.DataFrame(data)
    table["_row"] = rows
    for name, col in known.items():
        if col.kind in ("int", "likert"):
            table[name] = table[name].astype(float)
        elif col.kind in ("capacity", "wanted"):
            table[name] = table[name].astype(np.int64)
    return table, frozenset(present), ignored


def _wrong_file(raw: RawTable, side: str, config: Config) -> list[str]:
    """The other side's own columns in ``raw`` when it looks like the other side's file, else []."""
    mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
    names = {_standard_name(normalise_header(h), mapping) for h in raw.headers} - {None}
    own, other = (MENTOR_ONLY, MENTEE_ONLY) if side == "mentors" else (MENTEE_ONLY, MENTOR_ONLY)
    theirs = [c.name for c in COLUMNS if c.name in names and c.name in other]
    if side == "mentors":
        wrong = "capacity" not in names and len(theirs) >= 2 and len(theirs) > len(names & own)
    else:
        wrong = "capacity" in names or (len(theirs) >= 2 and len(theirs) > len(names & own))
    return theirs if wrong else []


def _check_sides(mentors: RawTable | None, mentees: RawTable | None, config: Config) -> dict[str, Problem]:
    """A file given for the wrong side ({side: problem}); both swapped is one problem."""
    r = _wrong_file(mentors, "mentors", config) if mentors is not None else []
    e = _wrong_file(mentees, "mentees", config) if mentees is not None else []
    if mentors is not None and mentees is not None and _looks_swapped(mentors, mentees, config):
        return {
            "both": Problem(
                mentors.file,
                None,
                None,
                None,
                f"the two files look swapped: '{mentors.file}' has mentee columns and '{mentees.file}' has mentor columns",
                "pass the mentors' file to --mentors and the mentees' file to --mentees",
            )
        }
    out = {}
    if r and mentors is not None:
        out["mentors"] = Problem(
            mentors.file,
            None,
            None,
            None,
            f"the mentors file has mentee columns ({', '.join(r)})",
            "pass the mentors' own file to --mentors",
        )
    if e and mentees is not None:
        out["mentees"] = Problem(
            mentees.file,
            None,
            None,
            None,
            f"the mentees file has mentor columns ({', '.join(e)})",
            "pass the mentees' own file to --mentees",
        )
    return out


def _looks_swapped(mentors: RawTable, mentees: RawTable, config: Config) -> bool:
    def names(raw: RawTable, side: str) -> set[str]:
        mapping = config.columns_mentors if side == "mentors" else config.columns_mentees
        return {_standard_name(normalise_header(h), mapping) or normalise_header(h) for h in raw.headers}

    r, e = names(mentors, "mentors"), names(mentees, "mentees")
    mentor_looks_mentee = "capacity" not in r and len(r & MENTEE_ONLY) > len(r & MENTOR_ONLY)
    mentee_looks_mentor = "capacity" in e or len(e & MENTOR_ONLY) > len(e & MENTEE_ONLY)
    return mentor_looks_mentee and mentee_looks_mentor


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
                    problem = f"matches no one in the {other} file"
                    out.append(Problem(file, int(row), "avoid", pid, problem, fix, id_like))
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
                        id_like,
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
    sheet: str | None = None,
) -> Cohort:
    """Read, validate and sort both files. Raises :class:`InputError` with every problem.

    ``sheet``: the sheet to read of a workbook (.xlsx) given for either file (default: its
    first sheet)."""
    config = config or Config()
    bad_encoding = encoding_problem(encoding)
    if bad_encoding is not None:
        raise InputError([bad_encoding])  # once, not once per file
    sides = ("mentors", "mentees")
    found: dict[str, list[Problem]] = {side: [] for side in sides}
    raws: dict[str, RawTable | None] = {}
    for side, path in zip(sides, (mentors_path, mentees_path), strict=True):
        try:
            pick = header.picker(header_counter(side, config))
            raws[side] = read_table(path, encoding, pick, sheet=sheet)
        except InputError as exc:
            found[side].extend(exc.problems)
            raws[side] = None
    raw_r, raw_e = raws["mentors"], raws["mentees"]
    if (
        raw_r is not None
        and raw_e is not None
        and Path(mentors_path).resolve() == Path(mentees_path).resolve()
    ):
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
    wrong = _check_sides(raw_r, raw_e, config)
    if "both" in wrong:
        raise InputError([wrong["both"]])
    tables: dict[str, tuple[pd.DataFrame, frozenset[str], list[str]]] = {}
    read_notes: list[str] = []
    for side in sides:
        raw = raws[side]
        if raw is None:
            continue
        if side in wrong:
            found[side].append(wrong[side])
            continue
        tables[side] = validate_side(raw, side, config, found[side], read_notes)
        if not len(tables[side][0]) and not found[side]:
            found[side].append(
                Problem(
                    raw.file,
                    None,
                    None,
                    None,
                    "the file has a header but no people",
                    "add one row per person",
                )
            )
    problems = found["mentors"] + found["mentees"]
    if problems:
        raise InputError(problems)
    assert raw_r is not None and raw_e is not None
    mentors, r_cols, r_ign = tables["mentors"]
    mentees, e_cols, e_ign = tables["mentees"]
    references = _check_references((mentors, mentees), (raw_r.file, raw_e.file), strict)
    mentors = _sorted(mentors)
    mentees = _sorted(mentees)
    files = (raw_r.file, raw_e.file)
    references += preferences.resolve(mentors, mentees, files, config.preferences.max_choices).problems
    if strict and references:
        raise InputError(references)
    both = in_both_files(mentees, mentors, raw_e.file, raw_r.file)
    ignored = tuple(f"{raw_r.file}: {h}" for h in r_ign) + tuple(f"{raw_e.file}: {h}" for h in e_ign)
    notes = tuple(f"{raw.file}: {raw.note}" for raw in (raw_r, raw_e) if raw.note) + tuple(read_notes)
    warnings = (*references, *both)
    return Cohort(mentors, mentees, r_cols, e_cols, warnings, (raw_r.file, raw_e.file), ignored, notes)


def in_both_files(mentees: pd.DataFrame, mentors: pd.DataFrame, e_file: str, r_file: str) -> list[Problem]:
    """A warning for each person in both files (same id or email): the same_person rule
    never pairs them with themselves. Emails are never echoed."""
    out = []
    rows = mentees["_row"]
    for i, j, how in sorted(people_in_both(mentees, mentors), key=lambda t: (int(rows.iat[t[0]]), t[1])):
        out.append(
            Problem(
                e_file,
                int(mentees["_row"].iat[i]),
                how,
                str(mentees["id"].iat[i]) if how == "id" else None,
                f"the same person is in {r_file} (row {int(mentors['_row'].iat[j])}, same {how})",
                "they are never paired with themselves; keep them in one file if they only mentor"
                " or only want a mentor",
            )
        )
    return out


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    ids = table["id"].tolist()  # one column read, not one DataFrame look-up a row
    order = sorted(range(len(ids)), key=lambda i: natural_key(ids[i]))
    return table.iloc[order].reset_index(drop=True)
