"""Benchmark mentor-match end to end, and compare it with other solvers on the same scores.

Usage (from the repository root, with the project installed with its ``bench`` extra):

    python benchmarks/run.py                      # 1,000×400 and 10,000×4,000
    python benchmarks/run.py --sizes 50000x20000  # the national-programme size
    python benchmarks/run.py --smoke              # tiny, for CI

For each size it generates a seeded cohort with ``mentor-match generate`` and runs
``mentor-match match --alternatives 0`` as a separate process, reporting wall time and
peak memory of that process and the per-stage times and peak memory after each stage
that it writes to timings.json (load, score, solve; write is the rest).
Then, in this process and on the same score matrix, where it fits in memory:

* ``scipy.optimize.linear_sum_assignment`` on the capacity-expanded matrix (the exact
  optimum of the same integer objective): its time as a ratio to our solve time and its
  total score as % of ours;
* the ``matching`` library's hospital–resident algorithm (stable, not optimal) with
  preferences by pair score: the same two figures.

It also measures the rules that need more than plain flow on 1,000×400 — department
spread plus mentor minimum with our exact flow and with the CP-SAT engine (60 s limit) —
and the cost of ``--alternatives 3``. Results print as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from cli.main import cli; cli()"]


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
        out["scipy"] = (took / max(ours_solve, 1e-9), 100.0 * total / ours_total)
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
        out["matching (hospital–resident)"] = (took / max(ours_solve, 1e-9), 100.0 * total / ours_total)
    return out


def rules_benchmark(folder: Path) -> list[tuple[str, float, str, str]]:
    """Department spread + mentor minimum on the same cohort: flow vs CP-SAT."""
    rows = []
    for engine in ("flow", "cp_sat"):
        cfg = folder / f"rules_{engine}.toml"
        cfg.write_text(
            "[rules]\nmax_same_department_per_mentor = 2\nmin_mentees_per_mentor = 1\n"
            f'[solver]\nengine = "{engine}"\ntime_limit_seconds = 60\n'
        )
        out = folder / f"out_{engine}"
        wall, _, _ = run_measured(
            [*CLI, "match", "--mentors", str(folder / "mentors.csv"), "--mentees", str(folder / "mentees.csv"),
             "--config", str(cfg), "--out", str(out), "--alternatives", "0", "--quiet"]
        )  # fmt: skip
        s = json.loads((out / "summary.json").read_text())
        rows.append((engine, wall, s["status"], f"{100 * s['gap']:.3f} %"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000x400,10000x4000", help="comma-separated MENTEESxMENTORS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="a tiny run for CI")
    ap.add_argument("--no-compare", action="store_true", help="skip scipy/matching and the rules runs")
    args = ap.parse_args()
    sizes = ["200x80"] if args.smoke else args.sizes.split(",")
    print(f"# mentor-match benchmark — {date.today()} — {platform.machine()}, {platform.python_version()}")
    print()
    print(
        "| mentees × mentors | wall (s) | peak memory (MiB) | load | score | solve | write (rest) "
        "| peak MiB after load / score / solve | certificate |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    comparisons = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            n_e, n_r = (int(x) for x in size.lower().split("x"))
            folder = Path(tmp) / size
            generate(n_e, n_r, args.seed, folder)
            out = folder / "out"
            wall, peak, _ = run_measured(
                [*CLI, "match", "--mentors", str(folder / "mentors.csv"), "--mentees", str(folder / "mentees.csv"),
                 "--out", str(out), "--alternatives", "0", "--quiet"]
            )  # fmt: skip
            t = json.loads((out / "timings.json").read_text())
            s = json.loads((out / "summary.json").read_text())
            cert = "certified" if s["certificate"].get("certified") else s["status"]
            stages = t.get("load", 0) + t.get("score", 0) + t.get("solve", 0)
            peaks = " / ".join(f"{t.get(f'peak_mib_after_{k}', 0):.0f}" for k in ("load", "score", "solve"))
            print(
                f"| {n_e:,} × {n_r:,} | {wall:.2f} | {peak:.0f} | {t.get('load', 0):.2f} | "
                f"{t.get('score', 0):.2f} | {t.get('solve', 0):.2f} | {wall - stages:.2f} | {peaks} | {cert} |"
            )
            if not args.no_compare and n_e * n_r <= 4_000_000:
                comparisons[size] = (compare(folder, t.get("solve", 0)), folder)
        if comparisons:
            print()
            print("| size | other solver | its time ÷ our solve time | its total score as % of our optimum |")
            print("|---|---|---|---|")
            for size, (found, _) in comparisons.items():
                for name, (ratio, pct) in found.items():
                    print(f"| {size} | {name} | {ratio:.1f}× | {pct:.2f} % |")
        if not args.no_compare:
            size = "1000x400" if "1000x400" in comparisons else next(iter(comparisons), None)
            if size:
                folder = comparisons[size][1]
                print()
                print(f"Department spread (≤ 2 per mentor) + mentor minimum (≥ 1), {size}:")
                print()
                print("| engine | wall (s) | status | gap |")
                print("|---|---|---|---|")
                for engine, wall, status, gap in rules_benchmark(folder):
                    print(f"| {engine} | {wall:.2f} | {status} | {gap} |")
                wall0, _, _ = run_measured(
                    [*CLI, "match", "--mentors", str(folder / "mentors.csv"), "--mentees",
                     str(folder / "mentees.csv"), "--out", str(folder / "a0"), "--alternatives", "0", "--quiet"]
                )  # fmt: skip
                wall3, _, _ = run_measured(
                    [*CLI, "match", "--mentors", str(folder / "mentors.csv"), "--mentees",
                     str(folder / "mentees.csv"), "--out", str(folder / "a3"), "--alternatives", "3", "--quiet"]
                )  # fmt: skip
                alt = json.loads((folder / "a3" / "timings.json").read_text()).get("alternatives", 0)
                print()
                print(f"`--alternatives 3` on {size}: {alt:.2f} s for the alternatives "
                      f"(whole run {wall3:.2f} s vs {wall0:.2f} s without).")  # fmt: skip
    t_help = time.perf_counter()
    subprocess.run([*CLI, "--help"], capture_output=True, check=True, cwd=ROOT)
    print()
    print(f"`mentor-match --help`: {time.perf_counter() - t_help:.2f} s")


if __name__ == "__main__":
    main()
