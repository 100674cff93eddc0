"""report.html and pairs.xlsx: same content as the CSVs, deterministic, safe to open and share."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from statistics import fmean

import pytest
from openpyxl import load_workbook

from matcher.api import alternatives_for, load, match
from matcher.io.config import FIVE_CS
from matcher.report import tables as R
from matcher.report.files import csv_bytes
from matcher.report.html import render_report
from matcher.report.workbook import summary_sheet, workbook_bytes
from tests.conftest import ROOT, SAMPLE

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tX"]
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def build(result, alts=None, rematch=None, anonymise=False):
    """The tables, the report and the workbook the way write_match builds them."""
    pairs = R.pairs_table(result, rematch.status if rematch is not None else None)
    unmatched = R.unmatched_table(result)
    alternatives = R.alternatives_table(result, alts) if alts is not None else (R.ALTERNATIVES_HEADER, [])
    info = R.summary(result)
    changes = None
    if rematch is not None:
        changes = (["mentee_id", "old_mentor_id", "new_mentor_id", "why"], [list(c) for c in rematch.changes])
        info = {"round": rematch.round, **rematch.counts, **info}
    sheets = {"pairs": pairs, "alternatives": alternatives, "unmatched": unmatched}
    if changes is not None:
        sheets["changes"] = changes
    sheets["summary"] = summary_sheet(info)
    page = render_report(
        result,
        pairs_table=pairs,
        unmatched_table=unmatched,
        alternatives_table=alternatives if alts is not None else None,
        changes_table=changes,
        summary=info,
        anonymise=anonymise,
    )
    return sheets, page, workbook_bytes(sheets)


@pytest.fixture(scope="module")
def sample():
    cohort, config = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
    result = match(cohort, config)
    alts = alternatives_for(result, 3)
    sheets, page, xlsx = build(result, alts)
    return result, alts, sheets, page, xlsx


def csv_rows(table) -> list[list[str]]:
    """The table exactly as pairs.csv & co. hold it (read back with the csv module)."""
    text = csv_bytes(*table).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def excel_text(value):
    """A string cell as Excel shows it: openpyxl leaves OOXML's ``_xHHHH_`` escapes of
    control characters (written by XlsxWriter, decoded by Excel) as they are."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def same_cell(xlsx_value, csv_text: str) -> bool:
    if xlsx_value is None:
        return csv_text == ""
    if isinstance(xlsx_value, bool):
        return False
    if isinstance(xlsx_value, int | float):
        return float(csv_text) == xlsx_value
    return excel_text(str(xlsx_value)) == csv_text


def assert_sheet_holds(ws, table) -> None:
    expected = csv_rows(table)
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert len(got) == len(expected), ws.title
    for n, (g, e) in enumerate(zip(got, expected, strict=True), start=1):
        g = g + [None] * (len(e) - len(g))
        assert len(g) == len(e), (ws.title, n)
        bad = [(k, gv, ev) for k, (gv, ev) in enumerate(zip(g, e, strict=True)) if not same_cell(gv, ev)]
        assert not bad, f"sheet {ws.title} row {n}: {bad}"


# --- workbook ---------------------------------------------------------------------------


def test_workbook_holds_what_the_csvs_hold(sample):
    *_, sheets, _, xlsx = sample
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["pairs", "alternatives", "unmatched", "summary"]
    for name, table in sheets.items():
        assert_sheet_holds(wb[name], table)
    pairs = wb["pairs"]
    header = [c.value for c in pairs[1]]
    score = pairs.cell(row=2, column=header.index("score") + 1)
    assert isinstance(score.value, float) and score.number_format == "0.00"
    care = pairs.cell(row=2, column=header.index("care") + 1)
    assert isinstance(care.value, float) and care.number_format == "0.000"
    assert isinstance(pairs.cell(row=2, column=header.index("rank") + 1).value, int)
    assert isinstance(pairs.cell(row=2, column=header.index("mentee_id") + 1).value, str)


def test_workbook_layout(sample):
    *_, sheets, _, xlsx = sample
    wb = load_workbook(io.BytesIO(xlsx))
    for name, (header, rows) in sheets.items():
        ws = wb[name]
        assert all(c.font.b for c in ws[1]), name
        assert ws.freeze_panes == "A2", name
        last = ws.cell(row=1, column=len(header)).column_letter
        assert ws.auto_filter.ref == f"A1:{last}{max(1, len(rows) + 1)}", name
        widths = [
            ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width
            for c in range(1, len(header) + 1)
        ]
        assert all(6 <= w <= 61 for w in widths), (name, widths)
    pairs = wb["pairs"]
    header = [c.value for c in pairs[1]]
    assert (
        pairs.column_dimensions["A"].width
        < pairs.column_dimensions[pairs.cell(row=1, column=header.index("why") + 1).column_letter].width
    )
    coloured = {
        str(cf.sqref).split(":")[0].rstrip("0123456789")
        for cf in pairs.conditional_formatting
        if all(rule.type == "colorScale" for rule in cf.rules)
    }
    for col in ("score", "compatibility", "care", "readiness"):
        assert pairs.cell(row=1, column=header.index(col) + 1).column_letter in coloured, col


def test_summary_sheet_flattens_the_summary():
    header, rows = summary_sheet(
        {"matched": 3, "rules": {"applied": ["avoid", "mode"], "min_score": 0.0}, "x": None}
    )
    assert header == ["key", "value"]
    assert rows == [["matched", 3], ["rules.applied", "avoid; mode"], ["rules.min_score", 0.0], ["x", ""]]


def test_workbook_parts_are_well_formed_and_self_contained(sample):
    xlsx = sample[4]
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        assert {"xl/workbook.xml", "xl/styles.xml", "docProps/core.xml", "_rels/.rels"} <= set(names)
        for name in names:
            ET.fromstring(z.read(name))  # every part parses as XML
        styles = z.read("xl/styles.xml").decode()
    if 'theme="' in styles:  # no reference to a theme part the file does not have
        assert "xl/theme/theme1.xml" in names


def test_workbook_text_round_trips():
    texts = [" padded ", "a\rb", "line 1\nline 2", "Zoë & <Ünïcode> \"quoted\" 'x'", "tab\tinside", "٣ 漢字"]
    header = ["mentee_id", "note"]
    rows = [[f"E{k}", t] for k, t in enumerate(texts)] + [
        ["E9", "4"],
        ["E10", "007"],
        ["E11", 3],
        ["E12", 2.5],
    ]
    ws = load_workbook(io.BytesIO(workbook_bytes({"t": (header, rows)})))["t"]
    assert [excel_text(ws.cell(row=k + 2, column=2).value) for k in range(len(texts))] == texts
    assert ws["B8"].value == 4 and ws["B8"].number_format == "General"
    assert ws["B9"].value == "007"  # a code, not a number
    assert ws["B10"].value == 3 and ws["B11"].value == 2.5


def test_workbook_sheet_names_follow_excels_rules():
    table = (["a"], [["x"]])
    wb = load_workbook(
        io.BytesIO(workbook_bytes({"a/b": table, "A/B": table, "x" * 40: table, "it's": table}))
    )
    assert wb.sheetnames == ["a_b", "A_B2", "x" * 31, "it's"]
    assert wb["it's"].auto_filter.ref == "A1:A2"
    assert load_workbook(io.BytesIO(workbook_bytes({}))).sheetnames == ["empty"]


def test_outputs_are_deterministic(sample):
    result, alts, sheets, page, xlsx = sample
    _, page2, xlsx2 = build(result, alts)
    assert page2 == page
    assert xlsx2 == xlsx
    assert workbook_bytes(sheets) == xlsx
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        assert len({i.date_time for i in z.infolist()}) == 1  # XlsxWriter's one fixed date
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and not re.search(r"20[1-9]\d-\d\d-\d\dT", core)


def test_report_is_identical_in_another_process(sample):
    """Hash seeds, font caches and ids must not leak into the bytes."""
    page = sample[3]
    code = (
        "import hashlib, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from tests.report.test_tables import build\n"
        "from matcher.api import load, match, alternatives_for\n"
        "d = sys.argv[2]\n"
        "c, cfg = load(d + '/mentors.csv', d + '/mentees.csv', d + '/programme.toml')\n"
        "r = match(c, cfg)\n"
        "print(hashlib.sha256(build(r, alternatives_for(r, 3))[1]).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(SAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == hashlib.sha256(page).hexdigest()


# --- formula injection ------------------------------------------------------------------


def test_formulas_are_neutralised_in_xlsx_and_csv():
    header = ["mentee_id", "mentee_name", "score", "note"]
    rows = [[f"E{k}", text, "-2.5", text] for k, text in enumerate(INJECTIONS, start=1)]
    rows.append(["E9", "-2", "-2.5", "-2.5"])
    csv_cells = csv_rows((header, rows))
    for k, text in enumerate(INJECTIONS, start=1):
        assert csv_cells[k][1] == "'" + text and csv_cells[k][3] == "'" + text
        assert csv_cells[k][2] == "-2.5"  # a plain number stays a number
    # "-2" is a plain number in a number column; a name is text, and Excel would make it -2.
    assert csv_cells[-1] == ["E9", "'-2", "-2.5", "-2.5"]

    data = workbook_bytes({"t": (header, rows)})
    ws = load_workbook(io.BytesIO(data))["t"]
    assert_sheet_holds(ws, (header, rows))
    for k, text in enumerate(INJECTIONS, start=2):
        for col in (2, 4):
            cell = ws.cell(row=k, column=col)
            assert cell.data_type == "s" and cell.value == "'" + text
        assert ws.cell(row=k, column=3).value == -2.5
    last = len(INJECTIONS) + 2
    assert ws.cell(row=last, column=2).value == "'-2"  # a name stays text, guarded as in the CSV
    assert ws.cell(row=last, column=4).value == -2.5
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere


def test_carriage_return_cell_is_neutralised_in_xlsx():
    ws = load_workbook(io.BytesIO(workbook_bytes({"t": (["note"], [["\rY"], ["a\rb"]])})))["t"]
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("'")


def test_carriage_return_cell_stays_one_csv_cell():
    rows = csv_rows((["mentee_id", "note"], [["E1", "\rY"], ["E2", "a\rb"]]))
    assert rows == [["mentee_id", "note"], ["E1", "'\rY"], ["E2", "a\rb"]]


@pytest.fixture
def hostile(cohort_files):
    """A cohort whose names try formula injection and HTML injection."""
    mentors = [
        {"id": "R1", "name": XSS[0], "email": "r1@example.org", "capacity": 2},
        {"id": "R2", "name": XSS[1], "email": "r2@example.org", "capacity": 2},
    ]
    names = [*INJECTIONS, "-2", *XSS]
    mentees = [{"id": f"E{k}", "name": n, "email": f"e{k}@example.org"} for k, n in enumerate(names, 1)]
    m, e = cohort_files(mentors, mentees)
    cohort, config = load(m, e)
    result = match(cohort, config)
    return result, alternatives_for(result, 3)


def test_hostile_names_are_neutralised_end_to_end(hostile):
    result, alts = hostile
    sheets, _, xlsx = build(result, alts)
    names = {str(n) for n in result.cohort.mentees["name"]}
    wb = load_workbook(io.BytesIO(xlsx))
    for name, table in sheets.items():
        assert_sheet_holds(wb[name], table)
        for row in csv_rows(table):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                assert not cell.startswith("-") or re.fullmatch(r"-\d+(\.\d+)?", cell), (name, cell)
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'" + INJECTIONS[0] in cells and "'@SUM(A1)" in cells and "'+1+1" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert "X" in names  # the loader strips the tab of "\tX": nothing left to neutralise


# --- HTML -------------------------------------------------------------------------------


def test_personal_text_is_escaped(hostile):
    result, alts = hostile
    page = build(result, alts)[1].decode("utf-8")
    for bad in XSS:
        assert bad not in page
        assert html.escape(bad) in page
    assert page.count("<script") == 1  # ours only
    assert "<img" not in page
    assert "onerror=alert(1)>" not in page
    assert html.escape(INJECTIONS[0]) in page


def test_report_contents(sample):
    result, _, sheets, page, _ = sample
    text = page.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") == 4
    for section in ('id="headline"', 'id="charts"', 'id="pairs"', 'id="unmatched"'):
        assert section in text
    header, rows = sheets["pairs"]
    for row in rows:
        assert f'data-id="{html.escape(row[0])}"' in text
        assert html.escape(row[header.index("why")]) in text
        assert f">{row[header.index('score')]}<" in text
    alt_header, alt_rows = sheets["alternatives"]
    assert text.count('class="alts"') == len({r[0] for r in alt_rows})
    assert html.escape(alt_rows[0][alt_header.index("mentor_name")]) in text
    info = R.summary(result)
    assert f"{info['matched']} / {info['mentees']}" in text
    assert f"{info['score_mean']:.2f}" in text and f"{info['score_min']:.2f}" in text
    assert info["status"] in text
    for rule in info["rules"]["applied"]:
        assert f"<b>{rule}</b>" in text
    assert "<b>compatibility</b> 1.00" in text


def test_report_has_no_network_references(sample):
    text = sample[3].decode("utf-8")
    assert not re.search(
        r"""\b(?:src|href|action|poster|srcset|data)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I
    )
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert "@import" not in text
    assert "http://" not in text and "https://" not in text
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp and "default-src 'none'" in csp.group(1)


def test_anonymised_report_holds_no_name_or_email(sample):
    result, alts, *_ = sample
    page = build(result, alts, anonymise=True)[1].decode("utf-8")
    c = result.cohort
    people = [*c.mentees["name"], *c.mentees["email"], *c.mentors["name"], *c.mentors["email"]]
    people = [str(p) for p in people if str(p).strip()]
    assert len(people) == 2 * (c.n_mentees + c.n_mentors)
    leaked = [p for p in people if p in page or html.escape(p) in page]
    assert not leaked
    assert "anonymised" in page
    for mentee_id in c.mentee_ids:
        assert f'data-id="{mentee_id}"' in page


def test_anonymise_scrubs_names_from_free_text(cohort_files):
    """A name that turns up in free text (here a warning) is replaced by the person's id."""
    m, e = cohort_files(
        [{"id": "R1", "name": "Ada Lovelace", "capacity": 1}],
        [{"id": "E1", "name": "Grace Hopper"}, {"id": "E2", "name": "Alan Turing"}],
    )
    cohort, config = load(m, e)
    result = match(cohort, config)
    info = {**R.summary(result), "warnings": ["Grace Hopper and ada lovelace wrote to us"]}
    page = render_report(
        result,
        pairs_table=R.pairs_table(result),
        unmatched_table=R.unmatched_table(result),
        summary=info,
        anonymise=True,
    ).decode()
    assert "E1 and R1 wrote to us" in page
    for name in ("Grace Hopper", "Ada Lovelace", "ada lovelace", "Alan Turing"):
        assert name not in page


def test_report_with_no_pairs(cohort_files):
    m, e = cohort_files(
        [{"id": "R1", "name": "A B", "capacity": 0}],
        [{"id": "E1", "name": "C D"}, {"id": "E2", "name": "E F"}],
    )
    cohort, config = load(m, e)
    result = match(cohort, config)
    assert result.report.matched == 0
    sheets, page, xlsx = build(result, alternatives_for(result, 3))
    text = page.decode()
    assert text.count("<svg") == 4 and "No pairs to show" in text
    assert "Unmatched mentees (2)" in text
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb["pairs"].max_row == 1 and wb["pairs"].auto_filter.ref
    assert_sheet_holds(wb["unmatched"], sheets["unmatched"])


def test_rematch_report_and_changes_sheet(sample, tmp_path):
    from matcher.rematch import Failure, rematch

    result = sample[0]
    c = result.cohort
    pairs = [(c.mentee_ids[i], c.mentor_ids[j]) for i, j in enumerate(result.solution.mentor_of) if j >= 0]
    failed = [Failure(pairs[0][0], pairs[0][1], "care", "", 2)]
    res = rematch(c, result.config, pairs, failed, [])
    sheets, page, xlsx = build(res.result, None, rematch=res)
    text = page.decode()
    assert "What changed since the last round" in text
    assert f"round {res.round}" in text
    changed = [ch for ch in res.changes if ch[0] == pairs[0][0]]
    assert changed and html.escape(changed[0][3]) in text
    assert 'class="badge st-kept"' in text
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["pairs", "alternatives", "unmatched", "changes", "summary"]
    for name, table in sheets.items():
        assert_sheet_holds(wb[name], table)
    assert [c.value for c in wb["pairs"][1]][-1] == "status"


# --- charts -----------------------------------------------------------------------------


def charts(page: bytes) -> dict[str, str]:
    """The four inline SVG charts of a page, by key."""
    return dict(re.findall(r'<figure class="chart[^"]*" id="fig-(\w+)">(<svg.*?</svg>)', page.decode(), re.S))


def texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_charts_are_labelled_inline_svg(sample):
    result, _, sheets, page, _ = sample
    svgs = charts(page)
    assert list(svgs) == ["scores", "cs", "readiness", "load"]
    for key, svg in svgs.items():
        root = ET.fromstring(svg)  # well-formed
        assert f'aria-labelledby="chart-{key}-title"' in svg and 'role="img"' in svg
        assert not re.search(r"<(?:image|style|script|foreignObject|use)\b|href=| id=", svg), key
        w, h = (float(v) for v in root.get("viewBox").split()[2:])
        for el in root.iter():  # everything is drawn inside the chart's box
            for attr, limit in (("x", w), ("x1", w), ("x2", w), ("y", h), ("y1", h), ("y2", h)):
                if el.get(attr) is not None:
                    assert 0 <= float(el.get(attr)) <= limit, (key, el.tag, attr, el.get(attr))
            if el.get("font-size") is not None:
                assert float(el.get("font-size")) >= 8, (key, el.get("font-size"))  # readable
    t = {k: texts(v) for k, v in svgs.items()}
    assert {"How good are the pairs?", "pair score (0–100)", "number of pairs"} <= set(t["scores"])
    assert {"Average of each C", "average value (0–1)", "chosen pairs", "all allowed pairs"} <= set(t["cs"])
    assert set(FIVE_CS) <= set(t["cs"])
    assert {"Mentee readiness", "readiness (0–1)", "number of mentees"} <= set(t["readiness"])
    assert "mentees" in t["load"] and t["load"][0].startswith("Mentor load against capacity")

    # The numbers are the pairs table's own.
    header, rows = sheets["pairs"]
    scores = [float(r[header.index("score")]) for r in rows]
    assert f"mean {fmean(scores):.1f}" in t["scores"] and f"lowest {min(scores):.1f}" in t["scores"]
    for c in FIVE_CS:
        assert f"{fmean(float(r[header.index(c)]) for r in rows):.2f}" in t["cs"], c
    n_matched = len(rows)
    assert f"matched ({n_matched})" in t["readiness"]
    assert f"not matched ({result.cohort.n_mentees - n_matched})" in t["readiness"]
    load = svgs["load"]
    assert load.count("<g><title>") == result.cohort.n_mentors  # one bar (with its tooltip) per mentor
    mentor = rows[0][header.index("mentor_id")]
    given = sum(1 for r in rows if r[header.index("mentor_id")] == mentor)
    j = list(result.cohort.mentor_ids).index(mentor)
    assert f"<title>{mentor}: {given} of {int(result.cohort.capacity[j])} places used</title>" in load


def test_charts_escape_ids(cohort_files):
    bad = ["<svg a='1'>", "R&1"]
    m, e = cohort_files(
        [{"id": bad[0], "name": "A B", "capacity": 2}, {"id": bad[1], "name": "C D", "capacity": 2}],
        [{"id": f"E{k}", "name": f"N {k}"} for k in range(3)],
    )
    cohort, config = load(m, e)
    result = match(cohort, config)
    page = build(result, alternatives_for(result, 2))[1]
    text = page.decode()
    assert text.count("<svg") == 4  # the id's "<svg" is text, not a fifth chart
    load_chart = charts(page)["load"]
    ET.fromstring(load_chart)
    assert set(bad) <= set(texts(load_chart))  # the ids as labels, escaped
    assert "<title>&lt;svg a=&#x27;1&#x27;&gt;: " in load_chart  # and in the bar's tooltip


def test_charts_with_candidate_sets(tmp_path, monkeypatch):
    """Very large cohorts keep no dense score matrix: the report still draws every chart."""
    import matcher.solve.candidates as large
    from matcher.synthetic.cohort import write_cohort

    m, e = write_cohort(tmp_path, 80, 30, 3)
    cohort, config = load(m, e)
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    result = match(cohort, config)
    assert isinstance(result.problem, large.SparseProblem)
    sheets, page, xlsx = build(result, alternatives_for(result, 2))
    svgs = charts(page)
    assert len(svgs) == 4 and "candidate pairs" in texts(svgs["cs"])
    assert "candidate pairs" in page.decode()  # the caption says what light means here
    assert_sheet_holds(load_workbook(io.BytesIO(xlsx))["pairs"], sheets["pairs"])


def test_report_and_workbook_load_no_plotting_or_spreadsheet_library():
    """The outputs are plain strings: neither matplotlib nor openpyxl is imported to write them."""
    code = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from matcher.report import tables as R\n"
        "from matcher.api import load, match, alternatives_for\n"
        "from matcher.report.html import render_report\n"
        "from matcher.report.workbook import summary_sheet, workbook_bytes\n"
        "d = sys.argv[2]\n"
        "r = match(*load(d + '/mentors.csv', d + '/mentees.csv', d + '/programme.toml'))\n"
        "p, u, a = R.pairs_table(r), R.unmatched_table(r), R.alternatives_table(r, alternatives_for(r, 3))\n"
        "render_report(r, pairs_table=p, unmatched_table=u, alternatives_table=a, summary=R.summary(r))\n"
        "workbook_bytes({'pairs': p, 'alternatives': a, 'summary': summary_sheet(R.summary(r))})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'openpyxl', 'PIL'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(SAMPLE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == "[]"
