"""A mentor's ``declined_mentees`` is a hard rule: the pair is never proposed by either
engine, the reason says so, and the diagnosis never suggests overriding a decline."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from matcher.api import load, match
from matcher.io.config import parse_config
from tests.conftest import SAMPLE, write_csv


def _with_declines(tmp_path, declines: dict[str, list[str]], how: str = "id"):
    """The sample files, with mentors declining mentees (given as ids, names or emails)."""
    rows = list(csv.DictReader((SAMPLE / "mentors.csv").read_text(encoding="utf-8-sig").splitlines()))
    mentees = {
        r["id"]: r
        for r in csv.DictReader((SAMPLE / "mentees.csv").read_text(encoding="utf-8-sig").splitlines())
    }
    key = {"id": "id", "name": "name", "email": "email"}[how]
    for r in rows:
        r["declined_mentees"] = ";".join(mentees[e][key] for e in declines.get(r["id"], []))
    return write_csv(tmp_path / "mentors.csv", rows), SAMPLE / "mentees.csv"


@pytest.mark.parametrize("engine", ["flow", "cp_sat"])
@pytest.mark.parametrize("how", ["id", "email"])
def test_declined_pairs_never_appear_and_the_rest_is_still_optimal(tmp_path, engine, how):
    config = parse_config({"solver": {"engine": engine}})
    cohort, _ = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv")
    before = match(cohort, config)
    got = {cohort.mentor_ids[j]: [] for j in range(cohort.n_mentors)}
    for i, j in enumerate(before.solution.mentor_of):
        if j >= 0:
            got[cohort.mentor_ids[j]].append(cohort.mentee_ids[i])
    # every mentor declines every mentee the unconstrained optimum gave them
    mentors, mentees = _with_declines(tmp_path, got, how)
    cohort2, _ = load(mentors, mentees)
    assert cohort2.warnings == ()
    after = match(cohort2, config)
    declined = set(cohort2.preferences.declined)
    assert len(declined) == int((before.solution.mentor_of >= 0).sum())
    pairs = {(i, int(j)) for i, j in enumerate(after.solution.mentor_of) if j >= 0}
    assert not pairs & declined
    assert "declined" in after.rules_applied
    # the same optimum as forbidding those pairs by hand (the engines' oracles cover forbid)
    by_hand = match(cohort, config, forbidden=tuple(sorted(declined)))
    assert after.solution.objective == by_hand.solution.objective


def test_a_mentee_every_mentor_declined_is_told_so_with_no_relaxation(tmp_path):
    mentors = write_csv(
        tmp_path / "mentors.csv",
        [
            {"id": "R1", "name": "Ann", "capacity": 1, "declined_mentees": "Cat Dee"},
            {"id": "R2", "name": "Bob", "capacity": 1, "declined_mentees": "cat@x.org"},
        ],
    )
    mentees = write_csv(tmp_path / "mentees.csv", [{"id": "E1", "name": "Cat Dee", "email": "Cat@X.org"}])
    cohort, config = load(mentors, mentees)
    result = match(cohort, config)
    assert np.all(result.solution.mentor_of == -1)
    reason = result.unmatched[0]
    assert "2 by the mentor's decline" in reason or "every mentor has declined this mentee" in reason, reason
    assert "allowing" not in reason
