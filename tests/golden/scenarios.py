"""Golden scenarios: CLI runs whose every output file is pinned byte for byte.

Each scenario is a list of CLI calls (argument lists, ``{tmp}`` is the scenario's own
folder); ``manifest.json`` holds the sha256 of every file the calls wrote (``timings.json``
aside: it is the one output that differs between runs) and of each call's stdout.
``python -m tests.golden.record`` rewrites the manifest — only for a correction, said so
in the commit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
SKIP = {"timings.json"}

PINS_1000 = "mentee_id,mentor_id\nE0003,R0007\nE0010,R0012\nE0100,R0200\n"
FORBID_1000 = "mentee_id,mentor_id,reason\nE0001,R0001,conflict\nE0002,R0005,\nE0004,R0100,x\n"
PINS_5000 = "mentee_id,mentor_id\nE00003,R00007\nE00010,R00012\n"
FORBID_5000 = "mentee_id,mentor_id,reason\nE00001,R00001,conflict\n"
SIDE = "[rules]\nmax_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1\n"
FAIR = '[rules]\nobjective = "fair"\n'
FAILED = "mentee_id,mentor_id,reason,note\nE001,{m1},challenge,\nE002,{m2},availability,moved\n"


def _cohort(tmp: str, sub: str) -> list[str]:
    return ["--mentors", f"{tmp}/{sub}/mentors.csv", "--mentees", f"{tmp}/{sub}/mentees.csv"]


def _sample() -> list[str]:
    return [
        "--mentors",
        str(SAMPLE / "mentors.csv"),
        "--mentees",
        str(SAMPLE / "mentees.csv"),
        "--config",
        str(SAMPLE / "programme.toml"),
    ]


def _sample_cmd(config: str) -> list[str]:
    return [
        "match",
        "--mentors",
        str(SAMPLE / "mentors.csv"),
        "--mentees",
        str(SAMPLE / "mentees.csv"),
        "--config",
        config,
    ]


def scenarios(large: bool = True) -> dict[str, list]:
    """name → list of steps; a step is a CLI argument list or ("write", name, text)."""
    s = {
        "sample": [["match", *_sample(), "--out", "{tmp}/out"]],
        "sample_scores_validate": [
            ["scores", *_sample(), "--out", "{tmp}/scores.csv"],
            ["validate", *_sample()],
            ["explain", *_sample(), "--mentee", "E003"],
            ["explain", *_sample(), "--mentee", "E003", "--mentor", "R010"],
        ],
        "sample_side": [
            ("write", "{tmp}/side.toml", SIDE),
            ("write", "{tmp}/fair.toml", FAIR),
            [*_sample_cmd("{tmp}/side.toml"), "--alternatives", "2", "--out", "{tmp}/side"],
            [*_sample_cmd("{tmp}/fair.toml"), "--alternatives", "1", "--out", "{tmp}/fair"],
        ],
        "export": [
            [
                "match",
                "--mentors",
                str(SAMPLE / "export_mentors.csv"),
                "--mentees",
                str(SAMPLE / "export_mentees.csv"),
                "--config",
                str(SAMPLE / "export_programme.toml"),
                "--out",
                "{tmp}/out",
            ]
        ],
        "sample_rematch": [
            ["match", *_sample(), "--out", "{tmp}/r1"],
            ("failed", "{tmp}/failed.csv", "{tmp}/r1/pairs.csv"),
            [
                "rematch",
                *_sample(),
                "--pairs",
                "{tmp}/r1/pairs.csv",
                "--failed",
                "{tmp}/failed.csv",
                "--alternatives",
                "2",
                "--out",
                "{tmp}/r2",
            ],
            [
                "rematch",
                *_sample(),
                "--pairs",
                "{tmp}/r1/pairs.csv",
                "--failed",
                "{tmp}/failed.csv",
                "--max-changes",
                "3",
                "--out",
                "{tmp}/r3",
            ],
            ["match", *_sample(), "--history", "{tmp}/r2/history.csv", "--no-repeat", "--out", "{tmp}/r4"],
        ],
        "g1000": [
            ["generate", "--mentees", "1000", "--mentors", "400", "--seed", "1", "--out", "{tmp}/c"],
            ("write", "{tmp}/pins.csv", PINS_1000),
            ("write", "{tmp}/forbid.csv", FORBID_1000),
            ("write", "{tmp}/side.toml", SIDE),
            ("write", "{tmp}/fair.toml", FAIR),
            [
                "match",
                *_cohort("{tmp}", "c"),
                "--pin",
                "{tmp}/pins.csv",
                "--forbid",
                "{tmp}/forbid.csv",
                "--out",
                "{tmp}/plain",
            ],
            [
                "match",
                *_cohort("{tmp}", "c"),
                "--config",
                "{tmp}/side.toml",
                "--pin",
                "{tmp}/pins.csv",
                "--forbid",
                "{tmp}/forbid.csv",
                "--alternatives",
                "0",
                "--out",
                "{tmp}/side",
            ],
            [
                "match",
                *_cohort("{tmp}", "c"),
                "--config",
                "{tmp}/fair.toml",
                "--alternatives",
                "0",
                "--out",
                "{tmp}/fair",
            ],
        ],
    }
    if large:
        s["g5000"] = [
            ["generate", "--mentees", "5000", "--mentors", "2000", "--seed", "2", "--out", "{tmp}/c"],
            ("write", "{tmp}/pins.csv", PINS_5000),
            ("write", "{tmp}/forbid.csv", FORBID_5000),
            ("write", "{tmp}/side.toml", SIDE),
            [
                "match",
                *_cohort("{tmp}", "c"),
                "--pin",
                "{tmp}/pins.csv",
                "--forbid",
                "{tmp}/forbid.csv",
                "--alternatives",
                "0",
                "--out",
                "{tmp}/plain",
            ],
            [
                "match",
                *_cohort("{tmp}", "c"),
                "--config",
                "{tmp}/side.toml",
                "--alternatives",
                "0",
                "--out",
                "{tmp}/side",
            ],
        ]
    return s


def _failed_file(path: Path, pairs: Path) -> None:
    import csv

    rows = list(csv.DictReader(pairs.read_text(encoding="utf-8-sig").splitlines()))
    by = {r["mentee_id"]: r["mentor_id"] for r in rows}
    path.write_text(FAILED.format(m1=by["E001"], m2=by["E002"]), encoding="utf-8")


def run_scenario(steps: list, tmp: Path) -> dict[str, str]:
    """Run the steps in ``tmp``; → {relative file or 'stdout:N': sha256}."""
    runner = CliRunner()
    from cli.main import cli

    digests: dict[str, str] = {}
    for n, step in enumerate(steps):
        if isinstance(step, tuple):
            kind, *args = step
            args = [a.replace("{tmp}", str(tmp)) for a in args]
            if kind == "write":
                Path(args[0]).write_text(args[1], encoding="utf-8")
            else:
                _failed_file(Path(args[0]), Path(args[1]))
            continue
        argv = [a.replace("{tmp}", str(tmp)) for a in step]
        res = runner.invoke(cli, argv, catch_exceptions=False)
        assert res.exit_code == 0, (argv, res.output)
        digests[f"stdout:{n}"] = hashlib.sha256(res.stdout.replace(str(tmp), "{tmp}").encode()).hexdigest()
    for p in sorted(tmp.rglob("*")):
        if p.is_file() and p.name not in SKIP:
            digests[p.relative_to(tmp).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return digests
