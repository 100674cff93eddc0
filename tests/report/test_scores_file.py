"""The streamed ``scores`` export equals the row-by-row reference, byte for byte; Parquet
holds the same values; the file appears whole or not at all.

The reference is the export as it was written before streaming: every pair scored at once
(``score_cohort``), every rule applied to the whole matrix (``build_problem``), one
``csv`` row per pair with every cell made safe (``csv_bytes``) — none of the streamed
code's tables, blocks or padding.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pyarrow.parquet as pq
import pytest

import matcher.report.scores_file as scores_file
import matcher.solve.candidates as large
from matcher.api import load, scores_files
from matcher.errors import OutputError
from matcher.io.config import FIVE_CS
from matcher.report.files import csv_bytes
from matcher.report.tables import SCORES_HEADER, fmt_score, fmt_unit
from matcher.solve.encode import build_problem
from matcher.solve.problem import objective_weights
from matcher.solve.rules import reasons
from matcher.synthetic.cohort import write_cohort
from scoring.combine import score_cohort
from tests.conftest import SAMPLE, write_csv


def reference(mentors, mentees, config=None) -> bytes:
    cohort, cfg = load(mentors, mentees, config)
    s = score_cohort(cohort, cfg.scoring)
    p = build_problem(cohort, cfg, s)[0]
    weights = objective_weights(p)
    rows = []
    for i in range(cohort.n_mentees):
        for j in range(cohort.n_mentors):
            why = reasons(int(p.excluded[i, j])) + ([] if p.eligible[i] else ["min_readiness"])
            rows.append(
                [
                    cohort.mentee_ids[i],
                    cohort.mentor_ids[j],
                    "no" if why else "yes",
                    ";".join(why),
                    fmt_score(s.score[i, j]),
                    *(fmt_unit(float(s.components[k, i, j])) for k in range(5)),
                    fmt_unit(float(s.readiness[i])),
                    "" if why else weights[i, j],
                ]
            )
    return csv_bytes(SCORES_HEADER, rows)


def streamed(mentors, mentees, config=None, fmt="csv") -> bytes:
    run = scores_files(mentors, mentees, config, out="scores." + fmt, format=fmt)
    return bytes(run.outputs["scores." + fmt])


@pytest.mark.parametrize(("n_e", "n_r", "seed"), [(60, 25, 1), (97, 31, 4), (40, 7, 9)])
def test_generated_cohorts_equal_the_reference(tmp_path, monkeypatch, n_e, n_r, seed):
    m, e = write_cohort(tmp_path, n_e, n_r, seed)
    want = reference(m, e)
    assert streamed(m, e) == want
    # Blocks and pieces of every size give the same bytes.
    monkeypatch.setattr(large, "CHUNK_PAIRS", 3 * n_r + 1)
    monkeypatch.setattr(scores_file, "LINES_PER_PIECE", 2 * n_r)
    assert streamed(m, e) == want


def test_the_sample_with_its_config_equals_the_reference():
    args = (SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")
    assert streamed(*args) == reference(*args)


def test_awkward_ids_missing_columns_and_readiness_equal_the_reference(cohort_files, tmp_path):
    mentors = [
        {"id": "=HYPERLINK(1)", "capacity": 1, "care": 5, "languages": "French"},
        {"id": 'R "two", quoted', "capacity": 2, "care": 1, "languages": "English"},
        {"id": "Rë3 x", "capacity": 0, "care": 3},
        {"id": "-7", "capacity": 1, "care": 4, "languages": "English;French"},
    ]
    mentees = [
        {"id": "@E1", "ready_open": 5, "languages": "French"},
        {"id": "E,2", "ready_open": 1, "languages": "German"},
        {"id": "+E3", "ready_open": 3},
        {"id": "E4 ", "ready_open": 4, "languages": "English"},
    ]
    m, e = cohort_files(mentors, mentees)
    config = tmp_path / "p.toml"
    config.write_text("[rules]\nmin_readiness = 0.5\nmin_score = 40\n", encoding="utf-8")
    want = reference(m, e, config)
    assert b"min_readiness" in want and b"'=HYPERLINK(1)" in want and b'"R ""two"", quoted"' in want
    assert b",'-7," in want  # an id that looks like a number is guarded as text
    assert b",," in want  # Cs not in use are blank
    assert streamed(m, e, config) == want


def test_values_the_tables_cannot_print_fall_back_to_python(tmp_path, monkeypatch):
    m, e = write_cohort(tmp_path, 30, 12, 2)
    from scoring import combine

    real = combine.score_block

    def odd(ctx, rows):  # −0.0 prints as "-0.000", 1.5 is past the table: Python prints them
        comps, score = real(ctx, rows)
        where = np.flatnonzero(np.arange(ctx.features.e.n)[rows] == 3)
        comps[1][where, 0] = -0.0
        comps[2][where, 1] = 1.5
        return comps, score

    monkeypatch.setattr(combine, "score_block", odd)
    want = reference(m, e)
    assert b",-0.000," in want and b",1.500," in want
    assert streamed(m, e) == want


def test_parquet_holds_the_same_values(tmp_path):
    import pandas as pd

    m, e = write_cohort(tmp_path, 45, 17, 3)
    config = tmp_path / "p.toml"
    config.write_text("[rules]\nmin_readiness = 0.45\n", encoding="utf-8")
    table = pd.read_parquet(io.BytesIO(streamed(m, e, config, "parquet")))
    text = reference(m, e, config).decode("utf-8")[1:]
    ref = pd.read_csv(io.StringIO(text), dtype={"mentee_id": str, "mentor_id": str, "reason_infeasible": str})
    assert list(table.columns) == SCORES_HEADER and len(table) == len(ref) == 45 * 17
    assert table["mentee_id"].astype(str).tolist() == ref["mentee_id"].tolist()
    assert table["mentor_id"].astype(str).tolist() == ref["mentor_id"].tolist()
    assert table["feasible"].tolist() == (ref["feasible"] == "yes").tolist()
    assert table["reason_infeasible"].astype(str).tolist() == ref["reason_infeasible"].fillna("").tolist()
    np.testing.assert_allclose(table["score"], ref["score"], atol=5e-3)
    for c in (*FIVE_CS, "readiness"):
        np.testing.assert_allclose(table[c].astype(float), ref[c], atol=5e-4)
    feasible = ref["feasible"] == "yes"
    assert (
        table["objective"][feasible].astype("int64").tolist()
        == ref["objective"][feasible].astype("int64").tolist()
    )
    assert table["objective"][~feasible].isna().all()


def test_the_file_appears_whole_or_not_at_all(tmp_path, monkeypatch):
    m, e = write_cohort(tmp_path / "in", 30, 10, 5)
    out = tmp_path / "out" / "scores.csv"
    out.parent.mkdir()
    out.write_bytes(b"previous run")
    run = scores_files(m, e, out=out)
    from scoring import combine

    def broken(ctx, rows):
        raise KeyboardInterrupt

    monkeypatch.setattr(combine, "score_block", broken)
    with pytest.raises(KeyboardInterrupt):
        run.publish()
    assert out.read_bytes() == b"previous run"
    assert [p.name for p in out.parent.iterdir()] == ["scores.csv"]  # no temporary file left
    monkeypatch.undo()
    run.publish()
    assert out.read_bytes() == reference(m, e)
    with pytest.raises(OutputError, match="would overwrite the input file"):
        scores_files(m, e, out=m).publish()


@pytest.mark.parametrize(
    "prefs", ["mentee_bonus = [25]", "shortlist = true", "mentee_bonus = [25]\nshortlist = true"]
)
def test_preference_bonuses_count_in_the_objective_as_in_the_solve(tmp_path, prefs):
    # The objective column is the solver's pair weight: the five Cs plus the [preferences]
    # bonus, with M raised by the largest bonus, and the shortlist tier on each mentee's
    # choices; the score column stays the five Cs.
    rows = list(csv.DictReader((SAMPLE / "mentees.csv").read_text(encoding="utf-8-sig").splitlines()))
    mentors = list(csv.DictReader((SAMPLE / "mentors.csv").read_text(encoding="utf-8-sig").splitlines()))
    for k, r in enumerate(rows):
        r["preferred_mentors"] = mentors[(5 * k) % len(mentors)]["email"] if k % 3 == 0 else ""
    mentees = write_csv(tmp_path / "mentees.csv", rows)
    config = tmp_path / "prefs.toml"
    config.write_text(f"[preferences]\n{prefs}\n", encoding="utf-8")
    want = reference(SAMPLE / "mentors.csv", mentees, config)
    plain = reference(SAMPLE / "mentors.csv", mentees)
    assert want != plain  # the bonus and the larger multipliers change the objective column
    strip = [r[:-1] for r in csv.reader(io.StringIO(want.decode("utf-8-sig")))]
    assert strip == [r[:-1] for r in csv.reader(io.StringIO(plain.decode("utf-8-sig")))]  # scores unchanged
    assert streamed(SAMPLE / "mentors.csv", mentees, config) == want
    assert streamed(SAMPLE / "mentors.csv", mentees) == plain
    table = pq.read_table(io.BytesIO(streamed(SAMPLE / "mentors.csv", mentees, config, "parquet")))
    got = ["" if x is None else str(x) for x in table.column("objective").to_pylist()]
    assert got == [r[-1] for r in list(csv.reader(io.StringIO(want.decode("utf-8-sig"))))[1:]]


def test_shortlist_where_the_objective_column_would_leave_int64_is_an_error(tmp_path):
    # 17,000 mentees and two mentors with 10,000 places: 17,000 can be matched, and the
    # shortlist's A grows as N³ — past 2^63. A config error, never an overflow.
    from matcher.errors import ConfigError

    m, e = tmp_path / "mentors.csv", tmp_path / "mentees.csv"
    m.write_text("id,capacity,care\nR1,10000,4\nR2,10000,3\n", encoding="utf-8")
    e.write_text(
        "id,preferred_mentors\n" + "".join(f"E{k},R{k % 2 + 1}\n" for k in range(17_000)), encoding="utf-8"
    )
    config = tmp_path / "c.toml"
    config.write_text("[preferences]\nshortlist = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="exceed 64-bit integers when 17,000 mentees"):
        scores_files(m, e, config, out=tmp_path / "scores.csv").publish()
    assert not (tmp_path / "scores.csv").exists()
