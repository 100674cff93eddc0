"""Shared fixtures: a deterministic hypothesis profile and small-cohort builders."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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
