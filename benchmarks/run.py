"""Benchmark mentor-match end to end, and compare it with other solvers on the same scores.

Usage (from the repository root, with the project installed with its ``bench`` extra):

    python benchmarks/run.py                      # 1,000×400 and 10,000×4,000, everything below
    python benchmarks/run.py --sizes 50000x20000 --only match   # the national-programme size
    python benchmarks/run.py --smoke              # tiny, for CI

Every run is ``mentor-match`` as a separate process on ``mentor-match generate --seed S``
cohorts; wall time and peak memory are that process's, stage times and peak memory after
each stage come from its timings.json (load, score, solve; write is the rest), the status
and certificate rounds from its summary.json. Sections (``--only`` picks some):

* ``match``: ``match --alternatives 0`` per size;
* ``rules``: department spread (≤ 2 per mentor), mentor minimum (≥ 1), both, and fair mode,
  per size (above 3 million pairs: candidate sets, certified for the full problem);
* ``rematch``: a match, its 20 lowest-scoring pairs failed (reason ``challenge``), then
  ``rematch --max-changes N`` for N = 0, 5, 20 (the bounded re-match engine), per size;
* ``several``: several mentors per mentee — every 3rd mentee wants 2 mentors
  (``mentors_wanted``), matched without and with ``distinct_mentors_by`` department (flow)
  and topics (CP-SAT), per size (above 3 million pairs: candidate sets, certified for the
  full problem; topics is refused there);
* ``scores``: ``scores`` of 5,000×2,000 (10 million rows) as CSV and as Parquet;
* ``compare``: on the same score matrix (1,000×400), ``scipy.optimize.linear_sum_assignment``
  on the capacity-expanded matrix (the exact optimum of the same integer objective) and the
  ``matching`` library's hospital–resident algorithm (stable, not optimal): their time as a
  ratio to our solve time and their total score as % of ours; and the CP-SAT engine on
  spread + minimum (60 s limit) against our flow.

Results print as Markdown tables with the date and the machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from cli.main import cli; cli()"]
SECTIONS = ("match", "rules", "rematch", "several", "scores", "compare")
SEVERAL = {"plain": "", "distinct department": 'distinct_mentors_by = "department"',
           "distinct topics": 'distinct_mentors_by = "topics"'}  # fmt: skip
RULES = {
    "spread ≤ 2": "max_same_department_per_mentor = 2",
    "minimum ≥ 1": "min_mentees_per_mentor = 1",
    "spread + minimum": "max_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1",
    "fair": 'objective = "fair"',
}


def run_measured(args: list[str]) -> tuple[float, float, str]:
    """Run a command in a child process: (wall seconds, peak MiB of that child, stdout)."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(wall, peak, r.returncode)\n"
        "sys.stderr.write(r.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT)
    wall, peak, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed: {' '.join(args)}\n{out.stderr}")
    return float(wall), float(peak), out.stderr


def generate(n_e: int, n_r: int, seed: int, folder: Path) -> None:
    subprocess.run(
        [
            *CLI,
            "generate",
            "--mentees",
            str(n_e),
            "--mentors",
            str(n_r),
            "--seed",
            str(seed),
            "--out",
            str(folder),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def cohort_args(folder: Path) -> list[str]:
    return ["--mentors", str(folder / "mentors.csv"), "--mentees", str(folder / "mentees.csv")]


def outputs(out: Path) -> tuple[dict, dict]:
    return (
        json.loads((out / "timings.json").read_text(encoding="utf-8")),
        json.loads((out / "summary.json").read_text(encoding="utf-8")),
    )


def status_of(s: dict) -> str:
    cert = s.get("certificate") or {}
    text = s["status"]
    if cert.get("rounds"):
        text += f", {cert['rounds']} certificate round{'s' if cert['rounds'] != 1 else ''}"
    if s["status"] != "OPTIMAL":
        text += f", gap {100 * s['gap']:.4f} % ({s.get('gap_level')})"
    return text


def match_section(sizes, folders) -> None:
    print("| mentees × mentors | wall (s) | peak MiB | load | score | solve (+ certificate) | write (rest) "
          "| peak MiB after load / score / solve | status |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for (n_e, n_r), folder in zip(sizes, folders, strict=True):
        out = folder / "out"
        wall, peak, _ = run_measured(
            [*CLI, "match", *cohort_args(folder), "--out", str(out), "--alternatives", "0", "--quiet"]
        )
        t, s = outputs(out)
        stages = t.get("load", 0) + t.get("score", 0) + t.get("solve", 0)
        peaks = " / ".join(f"{t.get(f'peak_mib_after_{k}', 0):.0f}" for k in ("load", "score", "solve"))
        print(
            f"| {n_e:,} × {n_r:,} | {wall:.2f} | {peak:.0f} | {t.get('load', 0):.2f} | {t.get('score', 0):.2f} | "
            f"{t.get('solve', 0):.2f} | {wall - stages:.2f} | {peaks} | {status_of(s)} |"
        )


def rules_section(sizes, folders) -> None:
    print("| mentees × mentors | rules | wall (s) | peak MiB | solve (+ certificate) | status |")
    print("|---|---|---|---|---|---|")
    for (n_e, n_r), folder in zip(sizes, folders, strict=True):
        for name, text in RULES.items():
            cfg = folder / f"rules_{len(text)}.toml"
            cfg.write_text(f"[rules]\n{text}\n", encoding="utf-8")
            out = folder / f"rules_{len(text)}"
            wall, peak, _ = run_measured(
                [*CLI, "match", *cohort_args(folder), "--config", str(cfg), "--out", str(out),
                 "--alternatives", "0", "--quiet"]
            )  # fmt: skip
            t, s = outputs(out)
            print(
                f"| {n_e:,} × {n_r:,} | {name} | {wall:.2f} | {peak:.0f} | {t.get('solve', 0):.2f} | {status_of(s)} |"
            )


def several_section(sizes, folders) -> None:
    print("| mentees × mentors | rule | wall (s) | peak MiB | solve | pairs | partly matched | status |")
    print("|---|---|---|---|---|---|---|---|")
    for (n_e, n_r), folder in zip(sizes, folders, strict=True):
        with open(folder / "mentees.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        rows[0].append("mentors_wanted")
        for k, row in enumerate(rows[1:]):
            row.append("2" if k % 3 == 0 else "")
        several = folder / "several"
        several.mkdir(exist_ok=True)
        with open(several / "mentees.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        for name, text in SEVERAL.items():
            if n_e * n_r > 3_000_000 and "topics" in text:
                print(
                    f"| {n_e:,} × {n_r:,} | {name} | – | – | – | – | – | refused above 3 million pairs (CP-SAT only) |"
                )
                continue
            cfg = several / f"{name.replace(' ', '_')}.toml"
            cfg.write_text(f"[rules]\n{text}\n", encoding="utf-8")
            out = several / name.replace(" ", "_")
            wall, peak, _ = run_measured(
                [*CLI, "match", "--mentors", str(folder / "mentors.csv"), "--mentees", str(several / "mentees.csv"),
                 "--config", str(cfg), "--out", str(out), "--alternatives", "0", "--quiet"]
            )  # fmt: skip
            t, s = outputs(out)
            print(
                f"| {n_e:,} × {n_r:,} | {name} | {wall:.2f} | {peak:.0f} | {t.get('solve', 0):.2f} | "
                f"{s['pairs']:,} | {s['partly_matched']:,} | {s['solver']}, {status_of(s)} |"
            )


def rematch_section(sizes, folders, budgets=(0, 5, 20), failed=20) -> None:
    print(
        f"| mentees × mentors | `--max-changes` | wall (s) | peak MiB | solve | solver | status | moved ({failed} failed) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (n_e, n_r), folder in zip(sizes, folders, strict=True):
        first = folder / "round1"
        if not (first / "pairs.csv").exists():
            run_measured(
                [*CLI, "match", *cohort_args(folder), "--out", str(first), "--alternatives", "0", "--quiet"]
            )
        with open(first / "pairs.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        rows.sort(key=lambda r: (float(r["score"]), r["mentee_id"]))
        failed_file = folder / "failed.csv"
        with open(failed_file, "w", encoding="utf-8", newline="") as fh:
            fh.write("mentee_id,mentor_id,reason,note\n")
            for r in rows[:failed]:
                fh.write(f"{r['mentee_id']},{r['mentor_id']},challenge,\n")
        for n in budgets:
            out = folder / f"rematch_{n}"
            wall, peak, _ = run_measured(
                [*CLI, "rematch", *cohort_args(folder), "--pairs", str(first / "pairs.csv"), "--failed",
                 str(failed_file), "--out", str(out), "--max-changes", str(n), "--quiet"]
            )  # fmt: skip
            t, s = outputs(out)
            moved = (s.get("certificate") or {}).get("moved", 0)
            print(
                f"| {n_e:,} × {n_r:,} | {n} | {wall:.2f} | {peak:.0f} | {t.get('solve', 0):.2f} | {s['solver']} | "
                f"{status_of(s)} | {moved} |"
            )


def scores_section(size, seed, tmp: Path) -> None:
    n_e, n_r = size
    folder = tmp / f"scores_{n_e}x{n_r}"
    generate(n_e, n_r, seed, folder)
    print("| mentees × mentors | rows | format | wall (s) | peak MiB | file MB |")
    print("|---|---|---|---|---|---|")
    for fmt in ("csv", "parquet"):
        out = folder / f"scores.{fmt}"
        wall, peak, _ = run_measured(
            [*CLI, "scores", *cohort_args(folder), "--out", str(out), "--format", fmt]
        )
        mb = out.stat().st_size / 1e6
        print(f"| {n_e:,} × {n_r:,} | {n_e * n_r:,} | {fmt} | {wall:.2f} | {peak:.0f} | {mb:.0f} |")


def compare(folder: Path, ours_solve: float) -> dict:
    """scipy and matching on the same score matrix (dense sizes only)."""
    import numpy as np

    from matcher.api import load, match
    from matcher.solve.problem import objective_weights, score_units

    cohort, config = load(folder / "mentors.csv", folder / "mentees.csv")
    result = match(cohort, config)
    p = result.problem
    ours = result.solution.mentor_of
    ours_total = float(score_units(p.pair_scores(np.flatnonzero(ours >= 0), ours[ours >= 0])).sum())
    out = {}
    slots = np.repeat(np.arange(p.shape[1]), p.capacity)
    if p.shape[0] * slots.size <= 60_000_000:
        from scipy.optimize import linear_sum_assignment

        w = objective_weights(p).astype(np.float64)
        w = np.where(p.allowed, w, 0.0)[:, slots]
        t = time.perf_counter()
        rows, cols = linear_sum_assignment(w, maximize=True)
        took = time.perf_counter() - t
        keep = w[rows, cols] > 0
        total = float(score_units(p.score[rows[keep], slots[cols[keep]]]).sum())
        out["`scipy.optimize.linear_sum_assignment` (capacity-expanded)"] = (
            took / max(ours_solve, 1e-9),
            100.0 * total / ours_total,
        )
    try:
        from matching.games import HospitalResident
    except ImportError:
        return out
    if p.shape[0] * p.shape[1] <= 2_000_000:
        import warnings

        warnings.simplefilter("ignore")  # the library warns for every unranked player
        allowed = p.allowed & (p.capacity > 0)[None, :]
        ids_e, ids_r = [f"e{i}" for i in range(p.shape[0])], [f"r{j}" for j in range(p.shape[1])]
        res_prefs, hosp_prefs = {}, {}
        for i in range(p.shape[0]):
            js = np.flatnonzero(allowed[i])
            if js.size:
                res_prefs[ids_e[i]] = [ids_r[j] for j in js[np.argsort(-p.score[i, js], kind="stable")]]
        for j in range(p.shape[1]):
            is_ = np.flatnonzero(allowed[:, j])
            if is_.size:
                hosp_prefs[ids_r[j]] = [ids_e[i] for i in is_[np.argsort(-p.score[is_, j], kind="stable")]]
        caps = {h: int(p.capacity[int(h[1:])]) for h in hosp_prefs}
        box = {}

        def run_game():  # the library deep-copies linked players: it needs a deep stack
            t = time.perf_counter()
            game = HospitalResident.create_from_dictionaries(res_prefs, hosp_prefs, caps, clean=True)
            box["solution"] = game.solve(optimal="resident")
            box["took"] = time.perf_counter() - t

        import threading

        sys.setrecursionlimit(1_000_000)
        threading.stack_size(1 << 29)
        worker = threading.Thread(target=run_game)
        worker.start()
        worker.join()
        solution, took = box["solution"], box["took"]
        total = 0.0
        for hosp, residents in solution.items():
            j = int(str(hosp.name)[1:])
            for r in residents:
                total += float(score_units(np.array([p.score[int(str(r.name)[1:]), j]]))[0])
        out["`matching` hospital–resident (stable, resident-optimal)"] = (
            took / max(ours_solve, 1e-9),
            100.0 * total / ours_total,
        )
    return out


def compare_section(folder: Path, label: str) -> None:
    out = folder / "compare_out"
    run_measured([*CLI, "match", *cohort_args(folder), "--out", str(out), "--alternatives", "0", "--quiet"])
    t, _ = outputs(out)
    print(f"On the same score matrix ({label}):")
    print()
    print("| other solver | its time ÷ our solve time | its total score as % of our optimum |")
    print("|---|---|---|")
    for name, (ratio, pct) in compare(folder, t.get("solve", 0)).items():
        print(f"| {name} | {ratio:.1f}× | {pct:.2f} % |")
    print()
    print(f"Department spread (≤ 2 per mentor) + mentor minimum (≥ 1), {label}, flow against CP-SAT:")
    print()
    print("| engine | wall (s) | status |")
    print("|---|---|---|")
    for engine in ("flow", "cp_sat"):
        cfg = folder / f"rules_{engine}.toml"
        cfg.write_text(
            "[rules]\nmax_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1\n"
            f'[solver]\nengine = "{engine}"\ntime_limit_seconds = 60\n',
            encoding="utf-8",
        )
        out = folder / f"out_{engine}"
        wall, _, _ = run_measured(
            [*CLI, "match", *cohort_args(folder), "--config", str(cfg), "--out", str(out), "--alternatives", "0",
             "--quiet"]
        )  # fmt: skip
        print(f"| {engine} | {wall:.2f} | {status_of(outputs(out)[1])} |")
    wall0, _, _ = run_measured(
        [*CLI, "match", *cohort_args(folder), "--out", str(folder / "a0"), "--alternatives", "0", "--quiet"]
    )
    wall3, _, _ = run_measured(
        [*CLI, "match", *cohort_args(folder), "--out", str(folder / "a3"), "--alternatives", "3", "--quiet"]
    )
    alt = outputs(folder / "a3")[0].get("alternatives", 0)
    print()
    print(
        f"`--alternatives 3` on {label}: {alt:.2f} s for the alternatives (whole run {wall3:.2f} s vs {wall0:.2f} s without)."
    )


def machine() -> str:
    cores = os.cpu_count() or 1
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cores} cores{mem}, {platform.machine()}, Python {platform.python_version()}"


def parse_size(text: str) -> tuple[int, int]:
    n_e, n_r = (int(x) for x in text.lower().split("x"))
    return n_e, n_r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000x400,10000x4000", help="comma-separated MENTEESxMENTORS")
    ap.add_argument("--scores-size", default="5000x2000", help="MENTEESxMENTORS for the scores export")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}"
    )
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    ap.add_argument("--no-compare", action="store_true", help="skip the comparison section")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if args.no_compare:
        only.discard("compare")
    sizes = [parse_size(s) for s in (["200x80"] if args.smoke else args.sizes.split(","))]
    scores_size = (200, 80) if args.smoke else parse_size(args.scores_size)
    print(f"# mentor-match benchmark — {date.today()} — {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for n_e, n_r in sizes:
            folder = Path(tmp) / f"{n_e}x{n_r}"
            generate(n_e, n_r, args.seed, folder)
            folders.append(folder)
        for name, section in (
            ("match", lambda: match_section(sizes, folders)),
            ("rules", lambda: rules_section(sizes, folders)),
            ("rematch", lambda: rematch_section(sizes, folders)),
            ("several", lambda: several_section(sizes, folders)),
            ("scores", lambda: scores_section(scores_size, args.seed, Path(tmp))),
        ):
            if name in only:
                print()
                print(f"## {name}")
                print()
                section()
                sys.stdout.flush()
        if "compare" in only:
            small = [(s, f) for s, f in zip(sizes, folders, strict=True) if s[0] * s[1] <= 2_000_000]
            if small:
                (n_e, n_r), folder = small[0]
                print()
                print("## compare")
                print()
                compare_section(folder, f"{n_e:,} × {n_r:,}")
    t_help = time.perf_counter()
    subprocess.run([*CLI, "--help"], capture_output=True, check=True, cwd=ROOT)
    print()
    print(f"`mentor-match --help`: {time.perf_counter() - t_help:.2f} s")


if __name__ == "__main__":
    main()
