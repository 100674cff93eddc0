"""``candidate_reuse.derive`` equals ``candidate_problem`` with the same decisions, array
for array — on the sample, with the candidate sets pruned hard and scored in many
blocks, and on a config where only care counts (a mentor-only C: a mentee's pairs tie
in runs of mentors with the same care) so that which tied pairs are kept matters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.api import load
from matcher.solve import candidate_reuse, candidates
from scoring.combine import prepare_scoring
from tests.conftest import SAMPLE

FIELDS = ("readiness", "capacity", "eligible", "ei", "rj", "arc_score", "arc_comps", "per_mentee", "per_mentor",
          "units", "best_pruned", "bonus_key", "bonus_points")  # fmt: skip
TIED = """
[weights]
compatibility = 0
contrast = 0
challenge = 0
context = 0
care = 1
"""


@pytest.fixture(scope="module", params=["sample", "tied"])
def base(request, tmp_path_factory):
    config = SAMPLE / "programme.toml"
    if request.param == "tied":
        config = tmp_path_factory.mktemp("tied") / "tied.toml"
        config.write_text(TIED)
    cohort, config = load(SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", config)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(candidates, "CANDIDATES", 6)
        mp.setattr(candidates, "MENTOR_CANDIDATES", 3)
        mp.setattr(candidates, "CHUNK_PAIRS", 7 * cohort.n_mentors)  # blocks of 7 mentees
        ctx = prepare_scoring(cohort, config.scoring)
        failed = ((0, 1), (5, 7))
        yield cohort, config, ctx, failed, candidate_reuse.prepare(cohort, config, ctx, failed=failed), mp


def same(got, want) -> None:
    for name in FIELDS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert got.shape == want.shape and got.pins == want.pins and got.max_score == want.max_score


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_derive_is_the_full_pass(base, data):
    cohort, config, ctx, failed, prepared, _ = base
    n_e, n_r = cohort.n_mentees, cohort.n_mentors
    pair = st.tuples(st.integers(0, n_e - 1), st.integers(0, n_r - 1))
    forbidden = data.draw(st.lists(pair, max_size=25))
    for i in data.draw(st.lists(st.integers(0, n_e - 1), max_size=2)):  # mentees left out
        forbidden += [(i, j) for j in range(n_r)]
    pins = tuple(data.draw(st.lists(pair, max_size=4, unique_by=lambda p: p[0])))
    caps = data.draw(st.dictionaries(st.integers(0, n_r - 1), st.integers(0, 6), max_size=5))
    changed = cohort.with_capacity(caps)
    got, applied = candidate_reuse.derive(prepared, changed.capacity, forbidden=forbidden, pins=pins)
    want, want_applied = candidates.candidate_problem(
        changed, config, ctx, forbidden=tuple(forbidden), failed=failed, pins=pins
    )
    assert applied == want_applied
    same(got, want)
    rows = np.array(sorted({i for i, _ in forbidden} | {0, n_e - 1}))
    for a, b in zip(got.rescore(rows), want.rescore(rows), strict=True):
        assert np.array_equal(a, b, equal_nan=True)


def test_nothing_decided_is_the_base(base):
    cohort, *_, prepared, _ = base
    got, _ = candidate_reuse.derive(prepared, cohort.capacity)
    same(got, prepared.problem)
