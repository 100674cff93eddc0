"""The questionnaire kit: everything a coordinator needs to collect answers, built from
:data:`matcher.io.questions.QUESTIONS` (the one table of questions).

``kit_outputs()`` returns ``{name: bytes}`` in write order:

* ``questions.md`` and ``questions.html`` — the questions for each side as people read
  them, with their answer options and the column each fills (the HTML page prints well;
  no script, a content security policy, everything escaped);
* ``mentors.xlsx`` and ``mentees.xlsx`` — templates with one column per question, the
  question as a note on its header, drop-downs (data validation) for every choice and
  scale, and an example row (skipped by the loader when left in);
* ``form.json`` — the questions as Google Forms and Microsoft Forms users build them:
  titles, types, options and grid rows in order;
* ``programme.toml`` — a config whose ``[columns.mentors]`` / ``[columns.mentees]`` map
  the exact headers those tools export for a form built from the kit.

Same questions → same bytes (the workbooks' dates are fixed).
"""

from __future__ import annotations

import html
import io
import json
from datetime import datetime

from matcher.io.questions import EXAMPLE_ID, FORM_TYPES, QUESTIONS, SIDES, Question, example, questions_for

KIT_FILES = ("questions.md", "questions.html", "mentors.xlsx", "mentees.xlsx", "form.json", "programme.toml")
FIXED_DATE = datetime(2026, 1, 1)
INTRO = {
    "mentors": (
        "Thank you for offering to mentor. These questions help us pair you with mentees you can "
        "help and get on with. They take about ten minutes; there are no right answers."
    ),
    "mentees": (
        "These questions help us find you a mentor you can talk to freely and learn from. They take "
        "about ten minutes; there are no right answers, and only the programme team sees them."
    ),
}


def grouped(side: str) -> list[tuple[Question, tuple[Question, ...]]]:
    """The side's questions as a form shows them: each question with its grid rows (a grid is
    one question whose rows are the grid's :class:`Question` s; others have none)."""
    out: list[tuple[Question, tuple[Question, ...]]] = []
    for q in questions_for(side):
        if q.grid and out and out[-1][0].grid == q.grid:
            out[-1] = (out[-1][0], (*out[-1][1], q))
        else:
            out.append((q, (q,) if q.grid else ()))
    return out


def _title(q: Question, rows) -> str:
    return q.grid if rows else q.title


def _fills(q: Question, rows) -> str:
    if rows:
        return ", ".join(f"`{r.column}`" for r in rows)
    return f"`{q.column}`" if q.column else "nothing (not used for matching)"


def _types(q: Question) -> str:
    google, microsoft = FORM_TYPES[q.form]
    return f"Google Forms: {google} · Microsoft Forms: {microsoft}"


def markdown() -> str:
    lines = [
        "# Mentoring programme questions",
        "",
        "Send the mentors' questions to mentors and the mentees' to mentees — as a Google or Microsoft",
        "form built from `form.json`, or in the spreadsheet templates. Each question says which column of",
        "the matcher it fills; `programme.toml` already maps the headers those forms export.",
    ]
    for side in SIDES:
        lines += ["", f"## Questions for {side}", "", INTRO[side], ""]
        for n, (q, rows) in enumerate(grouped(side), start=1):
            star = " *(required)*" if q.required else ""
            lines.append(f"{n}. **{_title(q, rows)}**{star}")
            if q.help:
                lines.append(f"   {q.help}")
            for r in rows:
                lines.append(f"   - {r.title} → `{r.column}`")
            if q.options:
                lines.append("   Answers: " + " · ".join(q.options))
            lines.append(f"   Fills: {_fills(q, rows)}. {_types(q)}.")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


CSS = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}"
    "h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd;page-break-before:always}"
    "h2:first-of-type{page-break-before:auto}ol>li{margin:0 0 1.2rem}.help{color:#555}"
    ".opts{color:#333}.meta{font-size:12px;color:#777}code{background:#f3f3f3;padding:0 3px}"
    "@media print{.meta{display:none}}"
)


def page() -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<title>Mentoring programme questions</title>",
        f"<style>{CSS}</style></head><body><h1>Mentoring programme questions</h1>",
    ]
    for side in SIDES:
        parts.append(f"<h2>Questions for {side}</h2><p>{e(INTRO[side])}</p><ol>")
        for q, rows in grouped(side):
            star = " <em>(required)</em>" if q.required else ""
            parts.append(f"<li><b>{e(_title(q, rows))}</b>{star}")
            if q.help:
                parts.append(f"<div class='help'>{e(q.help)}</div>")
            if rows:
                parts.append("<ul>" + "".join(f"<li>{e(r.title)}</li>" for r in rows) + "</ul>")
            if q.options:
                parts.append(f"<div class='opts'>Answers: {e(' · '.join(q.options))}</div>")
            fills = e(_fills(q, rows).replace("`", ""))
            parts.append(f"<div class='meta'>Fills: {fills}. {e(_types(q))}.</div></li>")
        parts.append("</ol>")
    parts.append("</body></html>\n")
    return "".join(parts)


def form_json() -> str:
    out = {}
    for side in SIDES:
        items = []
        for q, rows in grouped(side):
            google, microsoft = FORM_TYPES[q.form]
            item = {
                "title": _title(q, rows),
                "help": q.help,
                "google_forms_type": google,
                "microsoft_forms_type": microsoft,
                "required": q.required,
                "options": list(q.options),
            }
            if rows:
                item["rows"] = [r.title for r in rows]
                item["columns"] = [r.column for r in rows]
            else:
                item["column"] = q.column
            items.append(item)
        out[side] = items
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def _toml_key(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string is a JSON string


def programme_toml() -> str:
    lines = [
        "# Config for answers collected with the mentor-match questionnaire kit.",
        "# Use it with:  mentor-match match --mentors mentors.csv --mentees mentees.csv \\",
        "#                   --config programme.toml --out results/",
        "# [columns.*] map each header a Google or Microsoft form built from form.json exports (and the",
        "# templates' headers) to the matcher's column. If you change a question's wording in your form,",
        "# change it here too; `mentor-match map` proposes a mapping for any other export.",
        "# Every other option keeps its default (see sample_data/programme.toml in the project).",
    ]
    for side in SIDES:
        lines += ["", f"[columns.{side}]"]
        seen: set[str] = set()
        for q in questions_for(side):
            if q.column is None:
                continue
            for header in (q.title, q.header_google):
                if header not in seen:
                    seen.add(header)
                    lines.append(f"{_toml_key(header)} = {_toml_key(q.column)}")
    lines += [
        "",
        "[values]",
        "# Grade names instead of numbers? List them from most junior to most senior:",
        '# seniority = ["Band 5", "Band 6", "Band 7", "Band 8a"]',
        "",
        "# Any other answer the matcher does not know, per column, e.g.:",
        "# [values.timezone]",
        '# "Cambridge" = "Europe/London"',
        "# [values.mode]",
        '# "Teams call" = "virtual"',
    ]
    return "\n".join(lines) + "\n"


def template(side: str) -> bytes:
    """The spreadsheet template of ``side`` (XLSX bytes, deterministic)."""
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": f"Mentoring questionnaire for {side}", "created": FIXED_DATE})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF7"})
    sample = book.add_format({"italic": True, "font_color": "#777777"})
    sheet = book.add_worksheet(side)
    lists = book.add_worksheet("answers")
    lists.hide()
    questions = [q for q in questions_for(side) if q.column is not None]
    list_col = 0
    for col, q in enumerate(questions):
        header = q.title
        sheet.write_string(0, col, header, head)
        full = f"{q.grid}\n{q.title}" if q.grid else q.title
        note = "\n".join(x for x in (full, q.help, f"Fills column: {q.column}") if x)
        if q.form == "checkboxes":
            note += "\nSeveral answers: separate them with ;"
        sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.6})
        sheet.set_column(col, col, 26 if q.form != "paragraph" else 48)
        answer = EXAMPLE_ID if q.column == "id" else example(q, side)
        if answer:
            sheet.write_string(1, col, answer, sample)
        if q.options and q.form != "checkboxes":
            for k, option in enumerate(q.options):
                lists.write_string(k, list_col, option)
            letter = xl_col_to_name(list_col)
            sheet.data_validation(
                1,
                col,
                1000,
                col,
                {
                    "validate": "list",
                    "source": f"=answers!${letter}$1:${letter}${len(q.options)}",
                    "error_title": "Choose from the list",
                    "error_message": "Please pick one of the answers in the drop-down.",
                },
            )
            list_col += 1
    sheet.freeze_panes(1, 1)
    sheet.set_row(0, 60)
    book.close()
    return buf.getvalue()


def kit_outputs() -> dict[str, bytes]:
    """Every file of the kit, name → bytes, in :data:`KIT_FILES` order."""
    return {
        "questions.md": markdown().encode("utf-8"),
        "questions.html": page().encode("utf-8"),
        "mentors.xlsx": template("mentors"),
        "mentees.xlsx": template("mentees"),
        "form.json": form_json().encode("utf-8"),
        "programme.toml": programme_toml().encode("utf-8"),
    }


__all__ = ["EXAMPLE_ID", "KIT_FILES", "QUESTIONS", "kit_outputs"]
