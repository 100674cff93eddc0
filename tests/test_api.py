"""The file-level Python API (``matcher.api.*_files``): the same outputs and messages as the
commands, nothing written before ``publish``, warnings as they come, errors as exceptions.

The commands are thin layers over these calls; these tests compare the two through click's
CliRunner so that logic can never again live in the CLI alone.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import cli
from matcher.api import (
    Run,
    explain_files,
    generate_files,
    match_files,
    past_rounds,
    rematch_files,
    scores_files,
    validate_files,
)
from matcher.errors import InputError, OptionError, OutputError
from matcher.report.publish import publish
from tests.conftest import SAMPLE, past_coverage, write_csv

SAMPLE_ARGS = (SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml")


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="mentor-match")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "timings.json"}


def cohort_options() -> list:
    m, e, c = SAMPLE_ARGS
    return ["--mentors", m, "--mentees", e, "--config", c]


@pytest.fixture
def warned_cohort(tmp_path):
    """Three mentees, two mentors; two avoid ids that match no one (warnings) and a pins
    file with an unknown mentee (another warning)."""
    m = write_csv(
        tmp_path / "mentors.csv",
        [{"id": "R1", "capacity": 1, "avoid": "E9"}, {"id": "R2", "capacity": 1, "avoid": ""}],
    )
    e = write_csv(
        tmp_path / "mentees.csv", [{"id": f"E{k}", "avoid": "R8" if k == 1 else ""} for k in (1, 2, 3)]
    )
    pins = tmp_path / "pins.csv"
    pins.write_text("mentee_id,mentor_id\nE1,R1\nE7,R1\n", encoding="utf-8")
    return m, e, pins


def test_match_files_writes_nothing_until_published(tmp_path):
    out = tmp_path / "out"
    run = match_files(*SAMPLE_ARGS, out=out)
    assert isinstance(run, Run) and not out.exists()
    assert list(run.outputs) == [
        "pairs.csv", "unmatched.csv", "alternatives.csv", "history.csv",
        "pairs.xlsx", "report.html", "summary.json", "timings.json",
    ]  # fmt: skip
    with pytest.raises(TypeError):
        run.outputs["pairs.csv"] = b""  # read-only
    assert run.publish() == list(run.outputs)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == dict(run.outputs)
    assert run.message == f"Matched 150 of 150 mentees with min_cost_flow (OPTIMAL); outputs in {out}\n"


def test_warnings_reach_the_callback_as_found_and_the_run(warned_cohort, tmp_path):
    m, e, pins = warned_cohort
    seen: list[str] = []
    run = match_files(m, e, pins=pins, out=tmp_path / "out", warn=seen.append)
    assert seen == list(run.warnings)
    # These small files leave Cs out: said first (tests/review/test_coverage.py).
    seen = past_coverage(seen)
    # In the order found: the files' unknown ids (load), then the programme's (before solving).
    assert [w.split(",")[0] for w in seen[:3]] == ["mentors.csv", "mentees.csv", "pins.csv"]
    assert seen[3].startswith("total mentor capacity 2 is below the 3 mentees to match")
    assert len(seen) == 4
    cli = invoke("match", "--mentors", m, "--mentees", e, "--pin", pins, "--out", tmp_path / "cli")
    assert cli.stderr == "".join(f"Warning: {w}\n" for w in run.warnings)


def test_warnings_found_before_an_error_still_reach_the_callback(warned_cohort, tmp_path):
    """The callback has every warning found before the error, as the command prints them."""
    m, e, _ = warned_cohort
    seen: list[str] = []
    with pytest.raises(OptionError, match="--no-repeat needs --history"):
        match_files(m, e, no_repeat=True, out=tmp_path / "out", warn=seen.append)
    assert len(past_coverage(seen)) == 2 and not (tmp_path / "out").exists()


def test_past_rounds_close_active_pairs_and_forbid_failures(tmp_path):
    from matcher.api import load

    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    history = tmp_path / "history.csv"
    history.write_text(
        "round,mentee_id,mentor_id,outcome,reason,ended_round\n"
        "1,E001,R001,failed,care,2\n1,E002,R002,active,,\n2,E001,R003,active,,\n1,E999,R001,failed,,2\n",
        encoding="utf-8",
    )
    past = past_rounds(cohort, history)
    assert past.round == 3
    assert [(e.mentee_id, e.outcome, e.reason, e.ended_round) for e in past.entries] == [
        ("E001", "failed", "care", 2),
        ("E002", "ended", "new cycle", 3),
        ("E001", "ended", "new cycle", 3),
        ("E999", "failed", "", 2),
    ]
    i1, r1 = cohort.mentee_index("E001"), cohort.mentor_index("R001")
    assert past.failed == ((i1, r1),) and past.earlier == ()  # E999 left: nothing to forbid
    assert len(past_rounds(cohort, history, no_repeat=True).earlier) == 2
    assert past_rounds(cohort).round == 1
    with pytest.raises(OptionError):
        past_rounds(cohort, None, no_repeat=True)


def test_rematch_files_equals_the_command(tmp_path):
    r1 = tmp_path / "r1"
    match_files(*SAMPLE_ARGS, out=r1, alternatives=0).publish()
    pairs = list(csv.DictReader((r1 / "pairs.csv").read_text(encoding="utf-8-sig").splitlines()))
    failed = tmp_path / "failed.csv"
    failed.write_text(
        "mentee_id,mentor_id,reason,note\n"
        f"{pairs[0]['mentee_id']},{pairs[0]['mentor_id']},care,\n"
        f"{pairs[1]['mentee_id']},{pairs[1]['mentor_id']},,\n",
        encoding="utf-8",
    )
    run = rematch_files(
        *SAMPLE_ARGS, pairs=r1 / "pairs.csv", failed=failed, out=tmp_path / "api", alternatives=2
    )
    run.publish()
    assert run.rematch.round == 2 and run.result is run.rematch.result
    assert run.inputs[-1] == r1 / "history.csv"  # the history beside --pairs is an input
    res = invoke(
        "rematch", *cohort_options(), "--pairs", r1 / "pairs.csv", "--failed", failed,
        "--alternatives", 2, "--out", tmp_path / "cli",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stdout == run.message.replace(str(tmp_path / "api"), str(tmp_path / "cli"))
    assert files(tmp_path / "api") == files(tmp_path / "cli")
    assert "changes.csv" in run.outputs


def test_scores_validate_explain_generate_equal_the_commands(tmp_path):
    out = tmp_path / "s.csv"
    run = scores_files(*SAMPLE_ARGS, out=out)
    assert list(run.outputs) == ["s.csv"] and Path(run.out_dir) == tmp_path
    run.publish()
    res = invoke("scores", *cohort_options(), "--out", tmp_path / "c.csv")
    assert res.stdout == run.message.replace("s.csv", "c.csv")
    assert (tmp_path / "c.csv").read_bytes() == out.read_bytes()

    run = validate_files(*SAMPLE_ARGS)
    assert run.outputs == {} and run.publish() == []
    assert invoke("validate", *cohort_options()).stdout == run.message

    run = explain_files(*SAMPLE_ARGS, mentee="E003", mentor="R010")
    assert run.message.startswith("Mentee E003 (")
    assert invoke("explain", *cohort_options(), "--mentee", "E003", "--mentor", "R010").stdout == run.message

    run = generate_files(7, 3, seed=5, out=tmp_path / "g")
    run.publish()
    res = invoke("generate", "--mentees", 7, "--mentors", 3, "--seed", 5, "--out", tmp_path / "h")
    assert res.stdout == run.message.replace(str(tmp_path / "g"), str(tmp_path / "h"))
    assert files(tmp_path / "g") == files(tmp_path / "h")


def test_explain_files_names_both_unknown_ids():
    with pytest.raises(InputError) as err:
        explain_files(*SAMPLE_ARGS, mentee="E999", mentor="R999")
    assert [(p.file, p.value) for p in err.value.problems] == [("--mentee", "E999"), ("--mentor", "R999")]


def test_publish_removes_stale_owned_files_and_never_overwrites_an_input(tmp_path):
    out = tmp_path / "out"
    publish({"a.csv": b"1", "b.csv": b"2"}, out, owned=("a.csv", "b.csv"))
    assert publish({"a.csv": b"3"}, out, owned=("a.csv", "b.csv")) == ["a.csv"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.csv": b"3"}  # b.csv was the old run's
    (out / "input.csv").write_bytes(b"keep")
    for outputs, owned in (({"input.csv": b"x"}, ()), ({"a.csv": b"4"}, ("input.csv",))):
        with pytest.raises(OutputError, match="would overwrite the input file"):
            publish(outputs, out, inputs=[out / "input.csv", None], owned=owned)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.csv": b"3", "input.csv": b"keep"}


# ------------------------------------------------------------ several mentors per mentee


def _several_cohort(tmp_path, distinct: str | None = "department"):
    """The sample cohort with mentors_wanted = 2 for every 4th mentee, 3 for every 9th."""
    import pandas as pd

    from tests.conftest import SAMPLE

    d = pd.read_csv(SAMPLE / "mentees.csv", dtype=str, keep_default_na=False)
    d["mentors_wanted"] = ["2" if k % 4 == 0 else ("3" if k % 9 == 0 else "") for k in range(len(d))]
    d.to_csv(tmp_path / "mentees.csv", index=False)
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(f'[rules]\ndistinct_mentors_by = "{distinct}"\n' if distinct else "")
    return SAMPLE / "mentors.csv", tmp_path / "mentees.csv", cfg


def test_several_mentors_outputs_one_row_per_pair_and_partly_matched_mentees(tmp_path):
    import json as _json

    from matcher.api import match_files

    mentors, mentees, cfg = _several_cohort(tmp_path)
    warned: list[str] = []
    run = match_files(mentors, mentees, cfg, out=tmp_path / "out", alternatives=2, warn=warned.append)
    run.publish()
    res = run.result
    pairing = res.solution.pairing
    wanted = res.cohort.mentors_wanted
    assert res.problem.multi and (pairing.count > 1).any()
    assert (pairing.count <= wanted).all()
    assert res.report.ok and res.report.objective == res.solution.objective
    # distinct departments among each mentee's mentors
    dept = res.scores.features.r.department
    for i in np.flatnonzero(pairing.count > 1):
        d = dept[pairing.mentors(int(i))]
        assert len(set(d[d >= 0].tolist())) == int((d >= 0).sum())
    rows = _csv_rows(tmp_path / "out" / "pairs.csv")
    assert len(rows) == pairing.size
    assert [(r["mentee_id"], r["mentor_id"]) for r in rows] == [
        (res.cohort.mentee_ids[i], res.cohort.mentor_ids[j]) for i, j in pairing.pairs.tolist()
    ]
    un = _csv_rows(tmp_path / "out" / "unmatched.csv")
    short = np.flatnonzero(pairing.count < wanted)
    assert [r["mentee_id"] for r in un] == [res.cohort.mentee_ids[i] for i in short]
    for r in un:
        i = res.cohort.mentee_index(r["mentee_id"])
        assert int(r["mentors_wanted"]) == wanted[i] and int(r["mentors_matched"]) == pairing.count[i]
        if pairing.count[i]:
            assert r["reason"].startswith(f"got {pairing.count[i]} of {wanted[i]} mentors wanted: ")
    summary = _json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["pairs"] == pairing.size
    assert summary["matched"] == int((pairing.count > 0).sum())
    assert summary["distinct_mentors_by"] == "department"
    alts = _csv_rows(tmp_path / "out" / "alternatives.csv")
    assert alts and "delta_pairs" in alts[0]
    for a in alts:  # never a mentor the mentee already has
        i, j = res.cohort.mentee_index(a["mentee_id"]), res.cohort.mentor_index(a["mentor_id"])
        assert not pairing.has(i, j)
    assert not any("alternatives" in w for w in warned)
    history = _csv_rows(tmp_path / "out" / "history.csv")
    assert len(history) == pairing.size


def test_several_mentors_flow_and_cpsat_agree_and_topics_differ(tmp_path):
    from matcher.api import load, match
    from matcher.io.config import load_config

    mentors, mentees, cfg = _several_cohort(tmp_path)
    cohort, config = load(mentors, mentees, cfg)
    flow = match(cohort, config)
    cp_cfg = tmp_path / "cp.toml"
    cp_cfg.write_text(cfg.read_text() + '[solver]\nengine = "cp_sat"\n')
    cp = match(cohort, load_config(cp_cfg))
    assert flow.solution.solver == "min_cost_flow" and cp.solution.solver == "cp_sat"
    assert cp.solution.status == "OPTIMAL" and cp.solution.objective == flow.solution.objective
    _, _, topics_cfg = _several_cohort(tmp_path, "topics")
    topical = match(cohort, load_config(topics_cfg))
    assert topical.solution.solver == "cp_sat" and topical.report.ok
    member = topical.side.distinct.member
    pairing = topical.solution.pairing
    for i in np.flatnonzero(pairing.count > 1):
        m = member[pairing.mentors(int(i))].astype(int)
        assert (m.sum(axis=0) <= 1).all()  # no topic shared by two of a mentee's mentors


def test_mentors_wanted_of_one_everywhere_changes_nothing(tmp_path):
    import pandas as pd

    from matcher.api import match_files
    from tests.conftest import SAMPLE

    d = pd.read_csv(SAMPLE / "mentees.csv", dtype=str, keep_default_na=False)
    d["mentors_wanted"] = "1"
    d.to_csv(tmp_path / "mentees.csv", index=False)
    a = match_files(
        SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", SAMPLE / "programme.toml", out=tmp_path / "a"
    )
    b = match_files(
        SAMPLE / "mentors.csv", tmp_path / "mentees.csv", SAMPLE / "programme.toml", out=tmp_path / "b"
    )
    for name in ("pairs.csv", "unmatched.csv", "summary.json"):
        assert a.outputs[name] == b.outputs[name]


def test_several_mentors_above_the_dense_limit_are_matched_and_certified(tmp_path, monkeypatch):
    from matcher.api import load, match
    from matcher.solve import candidates

    mentors, mentees, cfg = _several_cohort(tmp_path)
    cohort, config = load(mentors, mentees, cfg)
    dense = match(cohort, config)
    monkeypatch.setattr(candidates, "DENSE_LIMIT", 100)
    sparse = match(cohort, config)
    assert sparse.problem.kind == "candidates" and sparse.certificate["certified"] is True
    assert sparse.solution.objective == dense.solution.objective
    assert sparse.unmatched == dense.unmatched  # partly matched, the same reasons


def _csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_explain_shows_every_mentor_of_a_mentee_with_several_then_the_place_left(tmp_path):
    from matcher.api import explain_files

    mentors, mentees, cfg = _several_cohort(tmp_path)
    run = explain_files(mentors, mentees, cfg, mentee="E001")
    res = run.result
    i = res.cohort.mentee_index("E001")
    own = res.solution.pairing.mentors(i)
    lines = run.message.splitlines()
    assert (
        lines[0] == f"Mentee E001 ({res.cohort.mentees['name'].iat[i]}): wants 2 mentors, proposed {own.size}"
    )
    proposed = [line for line in lines if line.startswith("  proposed mentor ")]
    assert [p.split()[2] for p in proposed] == [res.cohort.mentor_ids[j] for j in own]
    if own.size < 2:
        assert lines[-1] == f"  partly matched: {res.unmatched[i]}"
    assert "chosen elsewhere" not in run.message  # each higher-scoring mentor priced by a re-solve
    other = next(j for j in range(res.cohort.n_mentors) if j not in own)
    text = explain_files(mentors, mentees, cfg, mentee="E001", mentor=res.cohort.mentor_ids[other]).message
    assert f"  mentor {res.cohort.mentor_ids[other]} " in text


@settings(max_examples=15, deadline=None)
@given(
    st.integers(3, 12),
    st.integers(2, 6),
    st.integers(0, 10_000),
    st.sampled_from([None, "department", "profession", "topics"]),
)
def test_several_mentors_property_flow_and_cpsat_agree_and_every_rule_holds(n_e, n_r, seed, distinct):
    """Generated cohorts, random mentors_wanted: the flow (or CP-SAT for topics) answer keeps
    both capacities, pairs once, distinct mentors, and equals the CP-SAT engine's objective."""
    import tempfile

    from matcher.api import load, match
    from matcher.io.config import load_config
    from matcher.synthetic.cohort import generate_cohort

    rng = np.random.default_rng(seed)
    mentors, mentees = generate_cohort(n_e, n_r, seed)
    mentees["mentors_wanted"] = [str(v) if v > 1 else "" for v in rng.integers(1, 4, n_e)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mentors.to_csv(folder / "mentors.csv", index=False)
        mentees.to_csv(folder / "mentees.csv", index=False)
        rules = f'[rules]\ndistinct_mentors_by = "{distinct}"\n' if distinct else "[rules]\n"
        (folder / "a.toml").write_text(rules)
        (folder / "b.toml").write_text(rules + '[solver]\nengine = "cp_sat"\n')
        cohort, config = load(folder / "mentors.csv", folder / "mentees.csv", folder / "a.toml")
        one = match(cohort, config)
        two = match(cohort, load_config(folder / "b.toml"))
    for res in (one, two):
        pairing = res.solution.pairing
        assert res.report.ok and res.solution.status == "OPTIMAL"
        assert (pairing.count <= cohort.mentors_wanted).all()
        assert (pairing.load(n_r) <= cohort.capacity).all()
        assert len({tuple(p) for p in pairing.pairs.tolist()}) == pairing.size
        if distinct and cohort.several_mentors:
            rule = res.side.distinct
            for i in np.flatnonzero(pairing.count > 1):
                js = pairing.mentors(int(i)).tolist()
                assert not any(rule.conflicts(a, b) for n, a in enumerate(js) for b in js[n + 1 :])
    assert one.solution.objective == two.solution.objective
