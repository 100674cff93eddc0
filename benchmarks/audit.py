"""Benchmark the preference audit (``preferences.csv``) with several mentors per mentee.

Usage (from the repository root, with the project installed with its ``test`` extra):

    python benchmarks/audit.py                      # 1,000×400, every mentee wants 2 mentors
    python benchmarks/audit.py --sizes 300x120 --wanted 2 --distinct department

It generates a seeded cohort with stated choices (``mentor-match generate --preferences``),
gives every mentee ``mentors_wanted`` = ``--wanted``, matches it once, and times the audit
(:func:`matcher.api.preferences_for`: the price of every unmet choice) — the delta engine
it used, the unmet choices priced and the seconds. Results print as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cohort(folder: Path, n_e: int, n_r: int, wanted: int, distinct: str | None) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "mentor-match"), "generate", "--mentees", str(n_e), "--mentors", str(n_r),
         "--seed", "1", "--preferences", "--out", str(folder)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    path = folder / "mentees.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[0].append("mentors_wanted")
    for row in rows[1:]:
        row.append(str(wanted))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    text = f'[rules]\ndistinct_mentors_by = "{distinct}"\n' if distinct else ""
    (folder / "programme.toml").write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000x400")
    ap.add_argument("--wanted", type=int, default=2)
    ap.add_argument("--distinct", default=None, help="distinct_mentors_by (department, profession)")
    args = ap.parse_args()
    from matcher.api import delta_engine, load, match, preferences_for

    print(f"load average {os.getloadavg()[0]:.1f} at start")
    print("| mentees × mentors | wanted | distinct | engine | unmet choices priced | audit (s) |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        n_e, n_r = (int(x) for x in size.split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            cohort(folder, n_e, n_r, args.wanted, args.distinct)
            c, cfg = load(folder / "mentors.csv", folder / "mentees.csv", folder / "programme.toml")
            result = match(c, cfg)
            start = time.perf_counter()
            a = preferences_for(result)
            wall = time.perf_counter() - start
            priced = sum(" — giving them" in w for x in a.people for w in x.why)
            engine = type(delta_engine(result)).__name__
            print(
                f"| {n_e:,} × {n_r:,} | {args.wanted} | {args.distinct or '-'} | {engine} | {priced:,} | {wall:.2f} |"
            )
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
