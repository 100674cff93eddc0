"""Regenerate the synthetic sample files in this folder (deterministic: same bytes every run).

Run from anywhere: ``python sample_data/make_sample_data.py``. Writes

* ``mentors.csv`` / ``mentees.csv``: 60 mentors, 150 mentees, seed 2026, default format;
* ``export_mentors.csv`` / ``export_mentees.csv``: 16 mentors, 40 mentees, seed 2027, with
  Microsoft Forms / HR export headers, semicolon-delimited, saved as Excel "CSV UTF-8";
* ``export_columns.toml``: the ``[columns]`` table mapping those headers to column names.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from matcher.synthetic.cohort import (  # noqa: E402  (needs the repo root on sys.path)
    export_columns_toml,
    write_cohort,
    write_export_cohort,
)

SAMPLE = {"n_mentees": 150, "n_mentors": 60, "seed": 2026}
EXPORT = {"n_mentees": 40, "n_mentors": 16, "seed": 2027}


def main() -> list[Path]:
    """Write every sample file into this folder and return their paths."""
    paths = [*write_cohort(HERE, **SAMPLE), *write_export_cohort(HERE, **EXPORT)]
    toml = HERE / "export_columns.toml"
    header = (
        "# Column map for export_mentors.csv / export_mentees.csv (make_sample_data.py).\n"
        "# Export header (exact) = standard questionnaire column.\n"
    )
    toml.write_text(header + export_columns_toml(), encoding="utf-8", newline="\n")
    return [*paths, toml]


if __name__ == "__main__":
    for path in main():
        print(path)
