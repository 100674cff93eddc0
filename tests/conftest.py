"""Shared fixtures: a deterministic hypothesis profile and small-cohort builders."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from matcher.solve.problem import MatchProblem

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("dev", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


# The warnings about what the files do not let us score (tests/review/test_coverage.py
# checks them); tests of other behaviour on small, partial files look past them.
COVERAGE_WARNING = re.compile(
    r"Warning: (?:(?:compatibility|contrast|challenge|context|care)(?: cannot be scored|: )"
    r"|how much (?:each|some) Cs? matters?|readiness cannot be judged|\d+ columns? of the files w)"
)


def without_coverage(text: str) -> str:
    """``text`` without the lines of coverage warnings, and without the coverage problems of
    --strict (the problem count in the ``Error:`` line counted again)."""
    lines = [
        line
        for line in text.splitlines(keepends=True)
        if not COVERAGE_WARNING.match(line) and " (--strict) — " not in line
    ]
    dropped = sum(" (--strict) — " in line for line in text.splitlines())
    if dropped:
        for k, line in enumerate(lines):
            m = re.match(r"Error: (\d+) problems? in the input:", line)
            if m:
                n = int(m.group(1)) - dropped
                lines[k] = f"Error: {n} problem{'s' if n != 1 else ''} in the input:\n"
    return "".join(lines)


def past_coverage(warnings) -> list[str]:
    """Warning texts (as ``Run.warnings`` holds them) without the coverage warnings."""
    return [w for w in warnings if not COVERAGE_WARNING.match(f"Warning: {w}")]


class PastCoverage:
    """A click Result whose ``stderr`` and ``output`` leave out the coverage warnings."""

    def __init__(self, result):
        self._result = result

    def __getattr__(self, name):
        return getattr(self._result, name)

    @property
    def stderr(self) -> str:
        return without_coverage(self._result.stderr)

    @property
    def output(self) -> str:
        return without_coverage(self._result.output)


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, delimiter: str = ",") -> Path:
    """Write rows (dicts) as CSV; header defaults to the union of keys in first-seen order."""
    if header is None:
        header = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if r.get(h) is None else r.get(h) for h in header])
    return path


@pytest.fixture
def cohort_files(tmp_path):
    """Factory: cohort_files(mentors_rows, mentees_rows) -> (mentors_path, mentees_path)."""

    def make(mentors: list[dict], mentees: list[dict], **kw):
        return (
            write_csv(tmp_path / "mentors.csv", mentors, **kw),
            write_csv(tmp_path / "mentees.csv", mentees, **kw),
        )

    return make


@pytest.fixture
def sample_paths():
    return SAMPLE / "mentors.csv", SAMPLE / "mentees.csv"


def make_problem(score, readiness, excluded, capacity, eligible, pins=()) -> MatchProblem:
    """A dense problem from plain lists (shapes as in MatchProblem)."""
    return MatchProblem(
        score=np.asarray(score, dtype=np.float64),
        readiness=np.asarray(readiness, dtype=np.float64),
        excluded=np.asarray(excluded, dtype=np.uint16),
        capacity=np.asarray(capacity, dtype=np.int64),
        eligible=np.asarray(eligible, dtype=bool),
        pins=tuple(pins),
    )
