"""Shared fixtures: a deterministic hypothesis profile and small-cohort builders."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import string
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


def strict_json(text: str):
    """Parse ``text`` as strict JSON (RFC 8259): ``NaN``, ``Infinity`` and ``-Infinity`` are
    refused, as browsers' and most languages' parsers refuse them."""

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="session", autouse=True)
def every_json_output_is_strict(tmp_path_factory):
    """After the whole session, every JSON file any test wrote under pytest's temporary
    folders (summary.json, timings.json of every run) parses as strict JSON. Files named
    ``.json`` that do not start with ``{`` (decoy inputs named like outputs, e.g. a config
    saved as summary.json to test that --out never overwrites an input) are skipped."""
    yield
    base = tmp_path_factory.getbasetemp()
    bad = []
    for path in sorted(base.rglob("*.json")):
        data = path.read_bytes()
        if not data.lstrip().startswith(b"{"):
            continue  # our JSON outputs are objects; this is a test's decoy input named like one
        try:
            strict_json(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            bad.append(f"{path.relative_to(base)}: {exc}")
    assert not bad, "JSON outputs that strict parsers refuse:\n" + "\n".join(bad)


# --- hostile ids (issue 14): shared by tests/io/test_formula.py, tests/io/test_cohort.py and
# tests/report/test_workbook.py

HOSTILE_IDS = [
    "'=X2", "=X2", "'", "''", "'+1", "+447700900123", "-1", "-2.5", "@x", "=1+1", "＝1", "'＋1",
    "a\"b", '"quoted"', "x,y", "x;y", "E 1", "José", "Jose\u0301", "٣", "²", "漢字", "E\u200b1",
    "1e5", "007", "=HYPERLINK(\"http://x\")", "\u202eevil", "_x0041_", "R" + "9" * 40,
]  # fmt: skip


def _id_strategies():
    from hypothesis import strategies as st

    from matcher.io.read import canonical

    # Any text but control characters (refused in ids) and surrogates (not in a decoded file).
    text = st.one_of(
        st.sampled_from(HOSTILE_IDS),
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12),
        st.text(alphabet=string.printable.strip() + "'=+-@", min_size=1, max_size=8),
    ).map(canonical)
    return text, st.lists(text.filter(bool), min_size=2, max_size=6, unique=True)


# One id as a file may hold it (read as the loader reads it), and lists of distinct ids.
id_text, id_lists = _id_strategies()


def write_rows(path: Path, header: list[str], rows: list[list]) -> Path:
    """A questionnaire as Excel's 'CSV UTF-8' saves it (BOM, quoted where needed)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def id_cohort(folder: Path, mentor_ids, mentee_ids) -> tuple[Path, Path]:
    """mentors.csv and mentees.csv in ``folder`` with these ids (capacity 1 each)."""
    mentors = write_rows(
        folder / "mentors.csv", ["id", "name", "capacity"], [[r, "N", 1] for r in mentor_ids]
    )
    mentees = write_rows(folder / "mentees.csv", ["id", "name"], [[e, "N"] for e in mentee_ids])
    return mentors, mentees


def pairs_in(path: Path) -> set[tuple[str, str]]:
    """The (mentee_id, mentor_id) pairs of an output file, as the tool reads it back."""
    from matcher.io.pairs_file import read_columns

    _, rows = read_columns(path, ("mentee_id", "mentor_id"))
    return {(r["mentee_id"], r["mentor_id"]) for r in rows}


def several_choice_cohort(folder: Path, seed: int = 5) -> tuple[Path, Path, Path]:
    """A generated cohort of 36 mentees and 14 mentors with stated choices, in which every
    third mentee wants 2 mentors, and a config giving mentees a bonus for their choices
    → (mentors.csv, mentees.csv, config). The review app's tests of several mentors per
    mentee with preferences read it."""
    from matcher.synthetic.cohort import write_cohort

    m, e = write_cohort(folder, 36, 14, seed, preferences=True)
    rows = list(csv.DictReader(e.read_text(encoding="utf-8").splitlines()))
    for k, r in enumerate(rows):
        r["mentors_wanted"] = "2" if k % 3 == 0 else ""
    write_csv(e, rows)
    config = folder / "choices.toml"
    config.write_text("[preferences]\nmentee_bonus = [15, 10, 5]\nmentor_bonus = 5\n", encoding="utf-8")
    return m, e, config
