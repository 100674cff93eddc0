"""Time ``pairs.xlsx`` at 10,000 pairs: the workbook writer alone, best of three.

Usage (from the repository root):

    python benchmarks/workbook.py                         # the current matcher.report.workbook
    python benchmarks/workbook.py --module OLD.py         # another implementation of workbook_bytes
    python benchmarks/workbook.py --mentees 2000 --mentors 800

It generates a seeded cohort (``mentor-match generate``), matches it in this process with
the default rules and builds the tables ``match`` writes (pairs, alternatives, unmatched,
summary). Above 3 million pairs ``match`` computes no alternatives, so a second workbook
adds a synthetic alternatives sheet of three rows per mentee in the real format, the
largest workbook a 10,000-pair run can write. Prints the seconds and bytes of each.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _implementation(path: str | None):
    if path is None:
        from matcher.report import workbook

        return workbook
    spec = importlib.util.spec_from_file_location("workbook_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tables(n_e: int, n_r: int, seed: int):
    from matcher.api import match_files
    from matcher.report.tables import ALTERNATIVES_HEADER, pairs_table, summary, unmatched_table
    from matcher.report.workbook import summary_sheet

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", "from cli.main import cli; cli()", "generate"]
        args = ["--mentees", str(n_e), "--mentors", str(n_r), "--seed", str(seed), "--out", tmp]
        subprocess.run([*cmd, *args], check=True, cwd=ROOT, capture_output=True)
        run = match_files(f"{tmp}/mentors.csv", f"{tmp}/mentees.csv", out=f"{tmp}/out", alternatives=0)
    result = run.result
    pairs = pairs_table(result)
    _, rows = pairs
    alternatives = [
        [row[0], rank, row[2], row[3], row[4], *row[5:10], "yes", "-1.25", 0, rank, ""]
        for row in rows
        for rank in (1, 2, 3)
    ]
    base = {
        "pairs": pairs,
        "alternatives": (ALTERNATIVES_HEADER, []),
        "unmatched": unmatched_table(result),
        "summary": summary_sheet(summary(result)),
    }
    return base, {**base, "alternatives": (ALTERNATIVES_HEADER, alternatives)}, len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--module", help="a file defining workbook_bytes (default: matcher.report.workbook)")
    ap.add_argument("--mentees", type=int, default=10_000)
    ap.add_argument("--mentors", type=int, default=4_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    module = _implementation(args.module)
    plain, with_alternatives, n_pairs = _tables(args.mentees, args.mentors, args.seed)
    print(f"| workbook ({n_pairs:,} pairs) | seconds (best of 3) | bytes |")
    print("|---|---|---|")
    for label, sheets in (("as written by match", plain), ("+ 3 alternatives a mentee", with_alternatives)):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            data = module.workbook_bytes(sheets)
            times.append(time.perf_counter() - t)
        print(f"| {label} | {min(times):.2f} | {len(data):,} |")


if __name__ == "__main__":
    main()
