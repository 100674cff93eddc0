"""Find the header of a questionnaire export as the form tool wrote it.

Exports do not always start with their header: a spreadsheet may carry a title row or two
above it, Qualtrics writes three header rows (short labels, the question text, and
``{"ImportId": …}``), SurveyMonkey two (the question, then "Response", "Open-Ended
Response" or each option and grid row). :func:`picker` returns the function
:func:`matcher.io.read.read_table` calls with the file's records to choose the header:

* Qualtrics: the label row or the question row, whichever names more known columns; the
  other header rows are dropped.
* SurveyMonkey: the two rows combined — the question (carried across the cells it spans)
  and, where the second row names an option or grid row, ``Question [row]`` as Google
  Forms writes grids.
* Otherwise, among the first ten non-blank rows, the one that names the most known
  columns; the first non-blank row unless a later one names more (a title row above
  the header). When the header is not the first row, the run says which row it used.

A row "names" a column when a cell maps to it exactly as the loader maps headers (the
config's ``[columns]``, the standard names, the kit's wording); nothing here guesses.
Also here: the columns a form tool adds on its own (timestamps, response ids), which are
ignored and listed, and consent questions.
"""

from __future__ import annotations

import re

from matcher.io.read import HeaderChoice

SCAN = 10  # non-blank rows searched for the header
MONKEY_SUBHEADS = frozenset({"response", "open-ended response", "other (please specify)"})
# Columns form tools add by themselves (normalised header → tool); never a person's answer.
FORM_COLUMNS = {
    "timestamp": "Google Forms",
    "start time": "Microsoft Forms",
    "completion time": "Microsoft Forms",
    "last modified time": "Microsoft Forms",
    "startdate": "Qualtrics",
    "enddate": "Qualtrics",
    "status": "Qualtrics",
    "ipaddress": "Qualtrics",
    "progress": "Qualtrics",
    "duration (in seconds)": "Qualtrics",
    "finished": "Qualtrics",
    "recordeddate": "Qualtrics",
    "responseid": "Qualtrics",
    "recipientlastname": "Qualtrics",
    "recipientfirstname": "Qualtrics",
    "recipientemail": "Qualtrics",
    "externalreference": "Qualtrics",
    "locationlatitude": "Qualtrics",
    "locationlongitude": "Qualtrics",
    "distributionchannel": "Qualtrics",
    "userlanguage": "Qualtrics",
    "response type": "Qualtrics",
    "response id": "Qualtrics",
    "recorded date": "Qualtrics",
    "recipient last name": "Qualtrics",
    "recipient first name": "Qualtrics",
    "recipient email": "Qualtrics",
    "external data reference": "Qualtrics",
    "location latitude": "Qualtrics",
    "location longitude": "Qualtrics",
    "distribution channel": "Qualtrics",
    "user language": "Qualtrics",
    "respondent id": "SurveyMonkey",
    "collector id": "SurveyMonkey",
    "custom data 1": "SurveyMonkey",
    "start date": "the form tool",
    "end date": "the form tool",
    "ip address": "the form tool",
}
MICROSOFT_START = ("id", "start time", "completion time")
CONSENT = re.compile(r"\b(consent|i agree|i confirm|privacy notice|data protection)\b")


def _norm(text: str) -> str:
    return " ".join(str(text).split()).lower()


def is_microsoft(headers) -> bool:
    """Microsoft Forms starts its exports with ID, Start time, Completion time."""
    return tuple(_norm(h) for h in headers[:3]) == MICROSOFT_START


def form_column(header: str, headers) -> str | None:
    """Why ``header`` is not a person's answer: the form tool that adds it, 'consent', or None."""
    from matcher.io.questions import consent_headers

    norm = _norm(header)
    if norm in FORM_COLUMNS:
        return FORM_COLUMNS[norm]
    if is_microsoft(headers) and norm == "id":
        return "Microsoft Forms"
    if norm in consent_headers() or CONSENT.search(norm):
        return "consent"
    return None


def _filled(cells) -> int:
    return sum(1 for c in cells if c)


def picker(names):
    """The header picker for :func:`matcher.io.read.read_table`; ``names(cells)`` counts the
    known columns a row of cells names (the loader's own header mapping)."""

    def pick(records: list[list[str]]) -> HeaderChoice | None:
        rows = [k for k, r in enumerate(records) if any(r)][:SCAN]
        if not rows:
            return None
        for n, k in enumerate(rows[2:], start=2):  # Qualtrics: {"ImportId": …} under two header rows
            cells = [c for c in records[k] if c]
            if cells and sum(
                c.startswith('{"ImportId"') or c.startswith("{'ImportId'") for c in cells
            ) * 2 > len(cells):
                labels, questions = rows[n - 2], rows[n - 1]
                use = labels if names(records[labels]) > names(records[questions]) else questions
                skip = frozenset({k} | ({questions} if use == labels else set()))
                line = use + 1
                return HeaderChoice(
                    use, tuple(records[use]), skip, f"Qualtrics export: row {line} used as the header"
                )
        first = rows[0]
        if len(rows) > 1 and _monkey(records[first], records[rows[1]]):
            return HeaderChoice(
                rows[1],
                _monkey_header(records[first], records[rows[1]]),
                frozenset(),
                f"SurveyMonkey export: rows {first + 1} and {rows[1] + 1} used as the header",
            )
        best, best_score = first, names(records[first])
        for k in rows[1:]:
            score = names(records[k])
            if score > best_score:
                best, best_score = k, score
        if best == first:
            return None
        skipped = rows.index(best)
        note = (
            f"row {best + 1} used as the header: it names {best_score} known columns "
            f"({skipped} row{'s' if skipped != 1 else ''} above it skipped, e.g. a title)"
        )
        return HeaderChoice(best, tuple(records[best]), frozenset(), note)

    return pick


def _monkey(top: list[str], second: list[str]) -> bool:
    """SurveyMonkey's second header row: 'Response' / 'Open-Ended Response' under questions."""
    subs = [_norm(c) for c in second if c]
    return bool(subs) and sum(s in MONKEY_SUBHEADS for s in subs) >= max(1, len(subs) // 4)


def _monkey_header(top: list[str], second: list[str]) -> tuple[str, ...]:
    width = max(len(top), len(second))
    top = top + [""] * (width - len(top))
    second = second + [""] * (width - len(second))
    out, question = [], ""
    for t, s in zip(top, second, strict=True):
        if t:
            question = t
        if not question:
            out.append(s)
        elif not s or _norm(s) in MONKEY_SUBHEADS:
            out.append(question)
        else:
            out.append(f"{question} [{s}]")
    return tuple(out)
