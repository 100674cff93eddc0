"""Every ``mentor-match`` command through click's CliRunner: outputs, exit codes, exact messages.

Exit codes: 0 ok, 1 an input/config/output error (``Error:`` + every problem, nothing
written), 2 a usage error. Messages are asserted whole, because a coordinator acts on
their exact wording (file, spreadsheet row with the header as row 1, column, value,
problem, fix).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import cli
from matcher.api import load
from matcher.errors import InputError, Problem
from matcher.io.cohort import natural_key
from matcher.solve.rules import RULES
from scoring.combine import score_cohort
from tests.conftest import SAMPLE, without_coverage, write_csv

PAIRS_HEADER = [
    "mentee_id", "mentee_name", "mentor_id", "mentor_name", "score",
    "compatibility", "contrast", "challenge", "context", "care", "readiness", "rank", "why",
]  # fmt: skip
SCORES_HEADER = [
    "mentee_id", "mentor_id", "feasible", "reason_infeasible", "score",
    "compatibility", "contrast", "challenge", "context", "care", "readiness", "objective",
]  # fmt: skip
OUTPUTS = {
    "pairs.csv",
    "unmatched.csv",
    "alternatives.csv",
    "history.csv",
    "summary.json",
    "timings.json",
    "report.html",
    "pairs.xlsx",
}
SAMPLE_MENTORS, SAMPLE_MENTEES = SAMPLE / "mentors.csv", SAMPLE / "mentees.csv"


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="mentor-match")
    # Only deliberate exits: never an uncaught exception with a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # BOM so that Excel reads accents
    reader = csv.DictReader(io.StringIO(text[1:], newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def mentor(pid: str, **answers) -> dict:
    return {"id": pid, "name": f"Mentor {pid}", "capacity": 1, **answers}


def mentee(pid: str, **answers) -> dict:
    return {"id": pid, "name": f"Mentee {pid}", **answers}


# --------------------------------------------------------------------------- match on the sample data


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory):
    """Two independent `match` runs on sample_data, into two folders."""
    outs = []
    for k in (1, 2):
        out = tmp_path_factory.mktemp(f"run{k}") / "out"
        result = invoke("match", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES, "--out", out)
        outs.append((result, out))
    return outs


def test_match_sample_exit_code_and_files(sample_runs):
    result, out = sample_runs[0]
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == OUTPUTS  # and no temporary file left behind
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert result.stdout == (
        f"Matched {summary['matched']} of 150 mentees with min_cost_flow (OPTIMAL); outputs in {out}\n"
    )
    timings = json.loads((out / "timings.json").read_text(encoding="utf-8"))
    assert {"load", "score", "solve", "solver_runtime_seconds"} <= set(timings)
    assert all(isinstance(v, float) and v >= 0 for v in timings.values())
    # peak memory so far after each stage: never falls, and is the size of a Python process
    peaks = [timings[f"peak_mib_after_{k}"] for k in ("load", "score", "solve")]
    assert peaks == sorted(peaks) and 20 < peaks[0] < 4096


def test_match_sample_pairs_and_unmatched_tables(sample_runs):
    _, out = sample_runs[0]
    header, pairs = read_csv(out / "pairs.csv")
    assert header == PAIRS_HEADER
    u_header, unmatched = read_csv(out / "unmatched.csv")
    assert u_header == ["mentee_id", "mentee_name", "reason"]

    mentees = {r["id"]: r for r in csv_rows(SAMPLE_MENTEES)}
    mentors = {r["id"]: r for r in csv_rows(SAMPLE_MENTORS)}
    ids = [p["mentee_id"] for p in pairs]
    assert ids == sorted(ids, key=natural_key)
    assert len(set(ids)) == len(ids)  # one mentor per mentee
    assert set(ids).isdisjoint(u["mentee_id"] for u in unmatched)
    assert set(ids) | {u["mentee_id"] for u in unmatched} == set(mentees)
    assert all(u["reason"] for u in unmatched)

    load_of = {}
    for p in pairs:
        assert p["mentee_name"] == mentees[p["mentee_id"]]["name"]
        assert p["mentor_name"] == mentors[p["mentor_id"]]["name"]
        load_of[p["mentor_id"]] = load_of.get(p["mentor_id"], 0) + 1
        assert 0 <= float(p["score"]) <= 100 and len(p["score"].split(".")[1]) == 2
        for c in ("compatibility", "contrast", "challenge", "context", "care", "readiness"):
            assert 0 <= float(p[c]) <= 1 and len(p[c].split(".")[1]) == 3
        assert int(p["rank"]) >= 1
    for mid, n in load_of.items():
        assert n <= int(mentors[mid]["capacity"])

    # The numbers are the library's scores for that pair.
    cohort, config = load(SAMPLE_MENTORS, SAMPLE_MENTEES)
    s = score_cohort(cohort, config.scoring)
    for p in pairs:
        i, j = cohort.mentee_index(p["mentee_id"]), cohort.mentor_index(p["mentor_id"])
        assert p["score"] == f"{s.score[i, j]:.2f}"
        assert p["care"] == f"{s.components[4, i, j]:.3f}"
        assert p["readiness"] == f"{s.readiness[i]:.3f}"


def test_match_sample_summary(sample_runs):
    _, out = sample_runs[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    _, pairs = read_csv(out / "pairs.csv")
    mentors = csv_rows(SAMPLE_MENTORS)
    assert summary["status"] == "OPTIMAL"
    assert summary["solver"] == "min_cost_flow"
    assert summary["checked"] is True
    assert summary["objective"] == summary["best_bound"] and summary["gap"] == 0
    assert (summary["mentees"], summary["mentors"]) == (150, 60)
    assert summary["total_capacity"] == sum(int(r["capacity"]) for r in mentors)
    assert summary["matched"] == len(pairs)
    assert summary["unmatched"] == 150 - len(pairs)
    assert summary["score_total"] == pytest.approx(sum(float(p["score"]) for p in pairs), abs=0.01)
    assert summary["cs_used"] == ["compatibility", "contrast", "challenge", "context", "care"]


def test_match_twice_gives_byte_identical_outputs(sample_runs):
    (r1, out1), (r2, out2) = sample_runs
    assert r1.exit_code == r2.exit_code == 0
    for name in ("pairs.csv", "unmatched.csv", "summary.json"):
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes(), name


def test_match_result_does_not_depend_on_row_order(sample_runs, tmp_path):
    _, out1 = sample_runs[0]
    rng = np.random.default_rng(5)
    shuffled = tmp_path / "in"
    shuffled.mkdir()
    for src in (SAMPLE_MENTORS, SAMPLE_MENTEES):
        rows = csv_rows(src)
        write_csv(shuffled / src.name, [rows[k] for k in rng.permutation(len(rows))])
    out = tmp_path / "out"
    result = invoke(
        "match", "--mentors", shuffled / "mentors.csv", "--mentees", shuffled / "mentees.csv", "--out", out
    )
    assert result.exit_code == 0, result.output
    for name in ("pairs.csv", "unmatched.csv", "summary.json"):
        assert (out / name).read_bytes() == (out1 / name).read_bytes(), name


def test_match_pairs_are_sorted_by_mentee_id_in_natural_order(cohort_files, tmp_path):
    m, e = cohort_files([mentor("R1", capacity=5)], [mentee("E10"), mentee("E2"), mentee("E1"), mentee("E9")])
    result = invoke("match", "--mentors", m, "--mentees", e, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    _, pairs = read_csv(tmp_path / "out" / "pairs.csv")
    assert [p["mentee_id"] for p in pairs] == ["E1", "E2", "E9", "E10"]


def test_match_unmatched_mentee_gets_a_reason(cohort_files, tmp_path):
    m, e = cohort_files(
        [mentor("R1", mode="virtual")],
        [mentee("E1", mode="in_person"), mentee("E2", mode="virtual")],
    )
    out = tmp_path / "out"
    result = invoke("match", "--mentors", m, "--mentees", e, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Matched 1 of 2 mentees with min_cost_flow (OPTIMAL); outputs in {out}\n"
    assert all(line.startswith("Warning: ") for line in result.stderr.splitlines())
    _, pairs = read_csv(out / "pairs.csv")
    assert [(p["mentee_id"], p["mentor_id"]) for p in pairs] == [("E2", "R1")]
    _, unmatched = read_csv(out / "unmatched.csv")
    assert [(u["mentee_id"], u["mentee_name"]) for u in unmatched] == [("E1", "Mentee E1")]
    # The only rule that excludes E1's one mentor is the meeting mode: the reason says so.
    assert unmatched[0]["reason"].startswith(RULES["mode"].alone)


def test_match_quiet_prints_nothing(cohort_files, tmp_path):
    m, e = cohort_files([mentor("R1")], [mentee("E1")])
    result = invoke("match", "--mentors", m, "--mentees", e, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert {p.name for p in (tmp_path / "out").iterdir()} == OUTPUTS


# --------------------------------------------------------------------------- scores


def test_scores_sample_writes_every_pair(tmp_path):
    out = tmp_path / "scores.csv"
    result = invoke("scores", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 9000 pairs to {out}\n"
    header, rows = read_csv(out)
    assert header == SCORES_HEADER
    assert len(rows) == 150 * 60
    assert len({(r["mentee_id"], r["mentor_id"]) for r in rows}) == 150 * 60
    known = set(RULES) | {"min_readiness"}
    for r in rows:
        assert r["feasible"] in ("yes", "no")
        if r["feasible"] == "yes":
            assert r["reason_infeasible"] == "" and int(r["objective"]) > 0
        else:
            assert r["reason_infeasible"] and r["objective"] == ""
            assert set(r["reason_infeasible"].split(";")) <= known
        assert 0 <= float(r["score"]) <= 100
    assert {r["feasible"] for r in rows} == {"yes", "no"}


def test_scores_and_match_agree_on_scores_feasibility_and_rank(sample_runs, tmp_path):
    _, out = sample_runs[0]
    result = invoke(
        "scores", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES, "--out", tmp_path / "s.csv"
    )
    assert result.exit_code == 0
    _, rows = read_csv(tmp_path / "s.csv")
    by_pair = {(r["mentee_id"], r["mentor_id"]): r for r in rows}
    _, pairs = read_csv(out / "pairs.csv")
    for p in pairs:
        row = by_pair[p["mentee_id"], p["mentor_id"]]
        assert row["feasible"] == "yes"  # the matcher never proposes an infeasible pair
        for c in ("score", "compatibility", "contrast", "challenge", "context", "care", "readiness"):
            assert row[c] == p[c]
        better = [
            r
            for r in rows
            if r["mentee_id"] == p["mentee_id"]
            and r["feasible"] == "yes"
            and float(r["score"]) > float(p["score"])
        ]
        assert int(p["rank"]) == 1 + len(better)


def test_scores_infeasible_rows_carry_the_rule_names(cohort_files, tmp_path):
    m, e = cohort_files(
        [mentor("R1", mode="virtual"), mentor("R2", mode="virtual", avoid="E2"), mentor("R3", mode="either")],
        [
            mentee("E1", mode="virtual", avoid="R1"),
            mentee("E2", mode="in_person", avoid="R1"),
            mentee("E3", mode="either"),
        ],
    )
    out = tmp_path / "scores.csv"
    result = invoke("scores", "--mentors", m, "--mentees", e, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 9 pairs to {out}\n"
    _, rows = read_csv(out)
    got = {(r["mentee_id"], r["mentor_id"]): (r["feasible"], r["reason_infeasible"]) for r in rows}
    assert got == {
        ("E1", "R1"): ("no", "avoid"),  # mentee's avoid list
        ("E1", "R2"): ("yes", ""),
        ("E1", "R3"): ("yes", ""),
        ("E2", "R1"): ("no", "avoid;mode"),  # every rule that excludes it, in registry order
        ("E2", "R2"): ("no", "avoid;mode"),  # mentor's avoid list
        ("E2", "R3"): ("yes", ""),
        ("E3", "R1"): ("yes", ""),
        ("E3", "R2"): ("yes", ""),
        ("E3", "R3"): ("yes", ""),
    }
    # Rows come in mentee, then mentor order.
    assert [(r["mentee_id"], r["mentor_id"]) for r in rows] == sorted(got)


def test_scores_objective_follows_the_documented_encoding(cohort_files, tmp_path):
    m, e = cohort_files(
        [mentor("R1", care=5), mentor("R2", care=2, capacity=2)],
        [mentee("E1", ready_open=5), mentee("E2", ready_open=2)],
    )
    out = tmp_path / "scores.csv"
    assert invoke("scores", "--mentors", m, "--mentees", e, "--out", out).exit_code == 0
    _, rows = read_csv(out)
    n = min(2, 3)  # mentees that can be matched: min(eligible, total capacity)
    b = n * 10_000 + 1
    a = n * (100 * b + 10_000) + 1
    for r in rows:
        ready = round(100 * float(r["readiness"]))
        score = round(100 * float(r["score"]))
        assert int(r["objective"]) == a + b * ready + score


def test_scores_marks_mentees_below_min_readiness(cohort_files, tmp_path):
    m, e = cohort_files([mentor("R1")], [mentee("E1", ready_open=1), mentee("E2", ready_open=5)])
    config = tmp_path / "programme.toml"
    config.write_text("[rules]\nmin_readiness = 0.5\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    result = invoke("scores", "--mentors", m, "--mentees", e, "--config", config, "--out", out)
    assert result.exit_code == 0, result.output
    _, rows = read_csv(out)
    assert [(r["mentee_id"], r["feasible"], r["reason_infeasible"]) for r in rows] == [
        ("E1", "no", "min_readiness"),
        ("E2", "yes", ""),
    ]


# --------------------------------------------------------------------------- validate


def test_validate_sample_data_is_ok():
    result = invoke("validate", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES)
    assert result.exit_code == 0
    n_r, n_e = len(csv_rows(SAMPLE_MENTORS)), len(csv_rows(SAMPLE_MENTEES))
    assert result.stdout == f"OK: {n_r} mentors and {n_e} mentees, no problems found.\n"


def test_validate_sample_data_with_its_programme_config_is_ok():
    result = invoke(
        "validate",
        "--mentors",
        SAMPLE_MENTORS,
        "--mentees",
        SAMPLE_MENTEES,
        "--config",
        SAMPLE / "programme.toml",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 60 mentors and 150 mentees, no problems found.\n"


def test_validate_export_files_with_their_column_map_is_ok():
    result = invoke(
        "validate",
        "--mentors",
        SAMPLE / "export_mentors.csv",
        "--mentees",
        SAMPLE / "export_mentees.csv",
        "--config",
        SAMPLE / "export_columns.toml",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 16 mentors and 40 mentees, no problems found.\n"


def test_unknown_avoid_id_is_a_warning_and_an_error_with_strict(cohort_files):
    m, e = cohort_files([mentor("R1", avoid="E9")], [mentee("E1")])
    line = (
        "mentors.csv, row 2, column 'avoid', value 'E9': matches no one in the mentees file"
        " — correct the id (a typo here can pair people who must not meet)"
    )
    result = invoke("validate", "--mentors", m, "--mentees", e)
    assert result.exit_code == 0
    assert without_coverage(result.stderr) == f"Warning: {line}\n"
    strict = invoke("validate", "--mentors", m, "--mentees", e, "--strict")
    assert strict.exit_code == 1
    assert without_coverage(strict.output) == f"Error: 1 problem in the input:\n  {line}\n"


# --------------------------------------------------------------------------- bad inputs


def _bad_cases():
    """(id, mentors rows | path, mentees rows | path, config text | None, expected message lines)."""
    good_mentors = [mentor("R1"), mentor("R2")]
    good_mentees = [mentee("E1")]
    head = "Error: 1 problem in the input:"
    return [
        pytest.param(
            [{"id": "R1", "name": "Ann", "Capacity (max mentees)": 2}],
            good_mentees,
            None,
            [
                head,
                "  mentors.csv, row 1: no column 'capacity'"
                " — did you mean 'Capacity (max mentees)'? map it in [columns]",
            ],
            id="missing-column-with-suggestion",
        ),
        pytest.param(
            [mentor("R1"), mentor("R2"), mentor("R1")],
            good_mentees,
            None,
            [
                head,
                "  mentors.csv, row 4, column 'id', value 'R1': duplicate id (also row 2)"
                " — give each person a unique id",
            ],
            id="duplicate-id",
        ),
        pytest.param(
            [mentor("R1", care=3), mentor("R2", care=0)],
            [mentee("E1", want_care=6)],
            None,
            [
                "Error: 2 problems in the input:",
                "  mentors.csv, row 3, column 'care', value '0': is outside the scale 1–5"
                " — use a whole number from 1 (low) to 5 (high)",
                "  mentees.csv, row 2, column 'want_care', value '6': is outside the scale 1–5"
                " — use a whole number from 1 (low) to 5 (high)",
            ],
            id="likert-out-of-range-in-both-files",
        ),
        pytest.param(
            [mentor("R1", capacity="two")],
            good_mentees,
            None,
            [
                head,
                # A number word could be an answer of a number column: shown (private text
                # that slid across is hidden: tests/io/test_errors.py).
                "  mentors.csv, row 2, column 'capacity', value 'two': is not a whole number"
                " — write a whole number, e.g. 2",
            ],
            id="capacity-not-a-number",
        ),
        pytest.param(
            [mentor("R1", capacity=-1)],
            good_mentees,
            None,
            [
                head,
                "  mentors.csv, row 2, column 'capacity', value '-1': capacity cannot be negative"
                " — write 0 if this mentor takes no mentees this round",
            ],
            id="capacity-negative",
        ),
        pytest.param(
            good_mentors,
            [mentee("E1", mode="virtual"), mentee("E2", mode="zoom")],
            None,
            [
                head,
                "  mentees.csv, row 3, column 'mode', value 'zoom': is not a known meeting mode"
                " — use one of: in_person, virtual, either, or add it under [values.mode] in the config"
                ' (e.g. "Teams call" = "virtual")',
            ],
            id="unknown-mode",
        ),
        pytest.param(
            [mentor("R1", timezone="Europe/Londn"), mentor("R2", timezone="Mars/Olympus")],
            good_mentees,
            None,
            [
                "Error: 2 problems in the input:",
                "  mentors.csv, row 2, column 'timezone', value 'Europe/Londn': is not a known time zone"
                " — did you mean 'Europe/London'?",
                "  mentors.csv, row 3, column 'timezone', value 'Mars/Olympus': is not a known time zone"
                " — use an IANA name such as Europe/London or America/New_York, a country, or a city",
            ],
            id="unknown-timezone",
        ),
        pytest.param(
            "",
            good_mentees,
            None,
            [head, "  mentors.csv: the file is empty — export the questionnaire again with its header row"],
            id="empty-file",
        ),
        pytest.param(
            "id,name,capacity\n",
            good_mentees,
            None,
            [head, "  mentors.csv: the file has a header but no people — add one row per person"],
            id="header-only",
        ),
        pytest.param(
            SAMPLE_MENTEES,
            SAMPLE_MENTORS,
            None,
            [
                head,
                # the mentees' answers were saved as mentors.csv and vice versa
                "  mentors.csv: the two files look swapped: 'mentors.csv' has mentee columns and"
                " 'mentees.csv' has mentor columns"
                " — pass the mentors' file to --mentors and the mentees' file to --mentees",
            ],
            id="files-swapped",
        ),
        pytest.param(
            good_mentors,
            good_mentees,
            "[rules]\nmax_timezone_gap_hour = 4\n",
            [
                head,
                "  programme.toml, key 'rules.max_timezone_gap_hour': unknown key"
                " — did you mean 'max_timezone_gap_hours'?",
            ],
            id="unknown-config-key",
        ),
        pytest.param(
            good_mentors,
            good_mentees,
            "[weights]\ncare = 'high'\n[rules]\nsame_department = 'ban'\n",
            [
                "Error: 2 problems in the input:",
                "  programme.toml, key 'weights.care', value 'high': has the wrong type"
                " (expected a number) — e.g. care = 1.0",
                "  programme.toml, key 'rules.same_department', value 'ban': is not an allowed value"
                " — use one of: allow, penalise, forbid",
            ],
            id="bad-config-values",
        ),
    ]


def _write_input(tmp_path: Path, name: str, spec) -> Path:
    path = tmp_path / name
    if isinstance(spec, Path):
        shutil.copyfile(spec, path)
    elif isinstance(spec, str):
        path.write_text(spec, encoding="utf-8")
    else:
        write_csv(path, spec)
    return path


@pytest.mark.parametrize(("mentors", "mentees", "config", "lines"), _bad_cases())
@pytest.mark.parametrize("command", ["match", "scores", "validate"])
def test_bad_input_exit_1_exact_message_and_nothing_written(
    tmp_path, command, mentors, mentees, config, lines
):
    inputs = tmp_path / "in"
    inputs.mkdir()
    args = [
        command,
        "--mentors",
        _write_input(inputs, "mentors.csv", mentors),
        "--mentees",
        _write_input(inputs, "mentees.csv", mentees),
    ]
    if config is not None:
        args += ["--config", _write_input(inputs, "programme.toml", config)]
    out = tmp_path / "out"
    if command == "match":
        args += ["--out", out]
    elif command == "scores":
        args += ["--out", out / "scores.csv"]
    before = snapshot(inputs)
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.output.startswith("Error:")
    assert result.output.splitlines() == lines
    assert not out.exists()
    assert snapshot(inputs) == before


def test_the_suggested_column_map_fixes_the_missing_column(cohort_files, tmp_path):
    m, e = cohort_files([{"id": "R1", "Capacity (max mentees)": 2}], [mentee("E1")])
    config = tmp_path / "programme.toml"
    config.write_text('[columns]\n"Capacity (max mentees)" = "capacity"\n', encoding="utf-8")
    result = invoke("validate", "--mentors", m, "--mentees", e, "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 mentor and 1 mentee, no errors")
    assert without_coverage(result.stderr) == ""


def test_every_problem_is_reported_at_once_with_spreadsheet_rows(cohort_files, tmp_path):
    # A blank line still counts as a spreadsheet row.
    (tmp_path / "mentors.csv").write_text(
        "id,capacity,care,level\nR1,1,3,senior\n\nR2,x,9,guru\n", encoding="utf-8"
    )
    write_csv(tmp_path / "mentees.csv", [mentee("E1", ready_open="oftenish")])
    result = invoke("validate", "--mentors", tmp_path / "mentors.csv", "--mentees", tmp_path / "mentees.csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 4 problems in the input:",
        "  mentors.csv, row 4, column 'capacity', value 'x': is not a whole number"
        " — write a whole number, e.g. 2",
        "  mentors.csv, row 4, column 'care', value '9': is outside the scale 1–5"
        " — use a whole number from 1 (low) to 5 (high)",
        # 'guru' is no word of an EMCC level: it could be private text, so it is hidden.
        "  mentors.csv, row 4, column 'level', value '<1 word hidden>': is not an EMCC level"
        " — use one of: foundation, practitioner, senior, master, or add it under [values.level] in the config",
        "  mentees.csv, row 2, column 'ready_open', value 'oftenish': is not a known answer (nearest known: 'often')"
        ' — add it under [likert] in the config, with its number 1–5 (e.g. "Agree a little" = 4)',
    ]


SECRETS = ("Ann Secretname", "ann.secret@example.org", "Bob Hiddenname", "bob.hidden@example.org")


def test_private_values_never_appear_in_error_messages(cohort_files, tmp_path):
    m, e = cohort_files(
        [
            {"id": "R1", "name": SECRETS[0], "email": SECRETS[1], "capacity": "x", "care": 7},
            {"id": "R1", "name": SECRETS[0], "email": SECRETS[1], "capacity": 1},
        ],
        [{"id": "E1", "name": SECRETS[2], "email": SECRETS[3], "want_care": 0, "mode": "zoom"}],
    )
    for command in (["validate"], ["match", "--out", tmp_path / "out"]):
        result = invoke(*command, "--mentors", m, "--mentees", e)
        assert result.exit_code == 1
        assert result.output.startswith("Error: 5 problems in the input:")
        for secret in SECRETS:
            assert secret not in result.output
        for word in ("Secretname", "Hiddenname", "example.org"):
            assert word not in result.output


@pytest.mark.parametrize("column", ["name", "email", "goals", "expertise"])
def test_problem_lines_hide_private_values(column):
    problem = Problem("mentors.csv", 3, column, SECRETS[0], "is odd", "fix it")
    assert str(problem) == f"mentors.csv, row 3, column '{column}', value '<hidden>': is odd — fix it"
    assert SECRETS[0] not in str(InputError([problem]))


def test_problem_lines_show_other_values_shortened_and_escaped():
    long = "Europe/" + "x" * 60
    assert str(Problem("m.csv", 2, "timezone", long, "is odd", "fix it")) == (
        f"m.csv, row 2, column 'timezone', value '{long[:39]}…': is odd — fix it"
    )
    assert str(Problem("m.csv", 2, "topics", "a\nb", "is odd", "")) == (
        "m.csv, row 2, column 'topics', value 'a\\nb': is odd"
    )
    assert str(Problem("m.csv", None, None, None, "the file is empty", "re-export it")) == (
        "m.csv: the file is empty — re-export it"
    )


def test_private_values_never_appear_when_the_header_row_is_missing(tmp_path):
    mentors = tmp_path / "mentors.csv"
    mentors.write_text(
        "R1,David Reid,david.reid@example.org,2\nR2,Ann Lee,ann@example.org,1\n", encoding="utf-8"
    )
    mentees = write_csv(tmp_path / "mentees.csv", [mentee("E1")])
    result = invoke("validate", "--mentors", mentors, "--mentees", mentees)
    assert result.exit_code == 1
    assert result.output.startswith("Error:")
    for secret in ("David Reid", "david.reid@example.org", "Ann Lee", "ann@example.org"):
        assert secret not in result.output


def test_missing_config_file_is_an_input_error(cohort_files, tmp_path, monkeypatch):
    m, e = cohort_files([mentor("R1")], [mentee("E1")])
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--mentors", m, "--mentees", e, "--config", "config/nope.toml")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 1 problem in the input:",
        "  config/nope.toml: cannot read the config (No such file or directory) — check the path",
    ]


def test_missing_input_file_is_named_as_given(tmp_path, monkeypatch):
    """The path as the user typed it, so that a typo in a folder name shows."""
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--mentors", "sample_dta/missing.csv", "--mentees", "also_missing.csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 2 problems in the input:",
        "  sample_dta/missing.csv: file not found — check the path",
        "  also_missing.csv: file not found — check the path",
    ]


def test_same_file_for_both_sides_is_an_input_error():
    result = invoke("validate", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTORS)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 1 problem in the input:",
        "  mentors.csv: the same file was given for mentors and mentees"
        " — pass the mentees' own file to --mentees",
    ]


# --------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["match", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES],
            "Error: Missing option '--out'.",
        ),
        (
            ["scores", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES],
            "Error: Missing option '--out'.",
        ),
        (["validate", "--mentees", SAMPLE_MENTEES], "Error: Missing option '--mentors'."),
        (
            ["validate", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES, "--bogus"],
            "Error: No such option '--bogus'",
        ),
        (["frobnicate"], "Error: No such command 'frobnicate'."),
    ],
)
def test_usage_errors_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.output.startswith("Usage: mentor-match")
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_unknown_option_on_match_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "match", "--mentors", SAMPLE_MENTORS, "--mentees", SAMPLE_MENTEES, "--out", out, "--bogus"
    )
    assert result.exit_code == 2
    assert "Error: No such option '--bogus'" in result.output
    assert not out.exists()


# --------------------------------------------------------------------------- outputs never clobber inputs


@pytest.mark.parametrize(
    ("mentors_name", "mentees_name", "config_name", "clobbered"),
    [
        ("pairs.csv", "mentees.csv", None, "pairs.csv"),
        ("mentors.csv", "unmatched.csv", None, "unmatched.csv"),
        ("mentors.csv", "mentees.csv", "summary.json", "summary.json"),
        ("mentors.csv", "mentees.csv", "timings.json", "timings.json"),
    ],
)
def test_match_out_never_overwrites_an_input(tmp_path, mentors_name, mentees_name, config_name, clobbered):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(SAMPLE_MENTORS, folder / mentors_name)
    shutil.copyfile(SAMPLE_MENTEES, folder / mentees_name)
    args = ["match", "--mentors", folder / mentors_name, "--mentees", folder / mentees_name]
    if config_name:
        (folder / config_name).write_text("[rules]\nmin_score = 0\n", encoding="utf-8")
        args += ["--config", folder / config_name]
    before = snapshot(folder)
    result = invoke(*args, "--out", folder)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --out would overwrite the input file {folder / clobbered}; choose another output folder\n"
    )
    assert snapshot(folder) == before  # inputs unchanged, no other output written either


def test_match_out_spelled_differently_still_never_overwrites_the_input(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(SAMPLE_MENTORS, folder / "pairs.csv")
    shutil.copyfile(SAMPLE_MENTEES, folder / "mentees.csv")
    before = snapshot(folder)
    monkeypatch.chdir(folder)
    result = invoke("match", "--mentors", "pairs.csv", "--mentees", "mentees.csv", "--out", "../data/")
    assert result.exit_code == 1
    assert result.output.startswith("Error: --out would overwrite the input file ")
    assert snapshot(folder) == before


def test_scores_out_never_overwrites_an_input(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(SAMPLE_MENTORS, folder / "mentors.csv")
    shutil.copyfile(SAMPLE_MENTEES, folder / "mentees.csv")
    before = snapshot(folder)
    target = folder / "mentees.csv"
    result = invoke("scores", "--mentors", folder / "mentors.csv", "--mentees", target, "--out", target)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --out would overwrite the input file {target}; choose another output folder\n"
    )
    assert snapshot(folder) == before


def test_a_failed_run_leaves_the_previous_outputs_intact(cohort_files, tmp_path):
    m, e = cohort_files([mentor("R1", care=4), mentor("R2", care=2)], [mentee("E1"), mentee("E2")])
    out = tmp_path / "out"
    assert invoke("match", "--mentors", m, "--mentees", e, "--out", out).exit_code == 0
    before = snapshot(out)
    assert set(before) == OUTPUTS

    write_csv(m, [mentor("R1", care=4), mentor("R2", care=12)])  # now invalid
    result = invoke("match", "--mentors", m, "--mentees", e, "--out", out)
    assert result.exit_code == 1
    assert result.output.startswith("Error: 1 problem in the input:\n  mentors.csv, row 3, column 'care'")
    assert snapshot(out) == before  # same files, same bytes, no temporary file left

    scores_out = tmp_path / "scores.csv"
    assert invoke("scores", "--mentors", m, "--mentees", e, "--out", scores_out).exit_code == 1
    assert not scores_out.exists()


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", [[], ["match"], ["scores"], ["validate"]])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_exits_0_and_shows_an_example(command, flag):
    result = invoke(*command, flag)
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: mentor-match {command[0] if command else '[OPTIONS]'}")
    assert "Example:" in result.output
    # The example runs the command being described.
    example = result.output.split("Example:", 1)[1]
    assert f"mentor-match {command[0] if command else 'match'} --mentors" in example


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.startswith("mentor-match, version ")


def test_long_free_text_is_never_echoed_even_in_a_number_column():
    """Columns shift when a goals cell holds an unquoted comma: a Likert column can then
    hold someone's private text, which a message must not repeat."""
    from matcher.errors import Problem

    text = "and to plan my publications privately"
    shown = str(Problem("mentees.csv", 2, "want_care", text, "is not a number 1–5", "use 1–5"))
    assert text not in shown
    assert shown == (
        "mentees.csv, row 2, column 'want_care', value '<6 words hidden>': is not a number 1–5 — use 1–5"
    )
