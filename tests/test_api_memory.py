"""Safe in a long-running process: nothing keeps a finished cohort alive.

Tables derived from a cohort (lookup tables, bit masks, rule tables) live in its
Features' memo (:func:`scoring.features.memo`), not in module-level caches, so a server
that matches cohort after cohort holds none of the finished ones. Checked two ways: the
resident memory after 50 different 1,000 × 400 cohorts is no more than after 5 plus a
margin, and every finished run's Features object is garbage once its result is dropped.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import weakref

import pytest

from matcher.api import load, match
from matcher.synthetic.cohort import write_cohort
from scoring.features import build_features, memo, per_features

MENTEES, MENTORS = 1_000, 400
RUNS, EARLY = 50, 5
MARGIN_MIB = 60.0  # allocator noise; a leak of one cohort's scores is ~10 MiB per run


def rss_mib() -> float:
    """Resident memory of this process in MiB (Linux: resident pages × page size)."""
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_once(folder, seed: int):
    """Load and match one generated 1,000 × 400 cohort written as CSV (as ``mentor-match
    generate`` writes it); returns the MatchResult."""
    mentors, mentees = write_cohort(folder, MENTEES, MENTORS, seed)
    cohort, config = load(mentors, mentees)
    return match(cohort, config)


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads RSS from /proc (Linux)")
def test_many_cohorts_in_one_process_do_not_accumulate(tmp_path):
    features_refs = []
    early = None
    for seed in range(RUNS):
        result = run_once(tmp_path / f"cohort{seed}", seed)
        assert result.solution.mentor_of.size == MENTEES
        features_refs.append(weakref.ref(result.scores.features))
        del result
        if seed + 1 == EARLY:
            gc.collect()
            early = rss_mib()
    gc.collect()
    late = rss_mib()
    alive = [k for k, ref in enumerate(features_refs) if ref() is not None]
    assert not alive, f"Features of runs {alive} are still referenced after their results were dropped"
    assert late <= early + MARGIN_MIB, (
        f"RSS {late:.0f} MiB after {RUNS} runs vs {early:.0f} MiB after {EARLY}"
    )


def test_a_finished_results_features_are_collected(tmp_path):
    result = run_once(tmp_path, 7)
    features = result.scores.features
    assert features.memo, "scoring and the rules should have built tables on the Features"
    ref = weakref.ref(features)
    del result, features
    gc.collect()
    assert ref() is None


@pytest.fixture(scope="module")
def small_cohort(tmp_path_factory):
    mentors, mentees = write_cohort(tmp_path_factory.mktemp("small"), 4, 2, 0)
    return load(mentors, mentees)[0]


def test_memo_builds_once_per_key_and_per_features(small_cohort):
    f, g = build_features(small_cohort), build_features(small_cohort)
    assert f.memo == {} and "memo" not in repr(f)
    calls = []

    def build(tag):
        calls.append(tag)
        return [tag]

    one = memo(f, ("probe", 1), lambda: build("f1"))
    assert memo(f, ("probe", 1), lambda: build("again")) is one
    assert memo(f, ("probe", 2), lambda: build("f2")) == ["f2"]
    assert memo(g, ("probe", 1), lambda: build("g1")) == ["g1"]  # another cohort: its own value
    assert calls == ["f1", "f2", "g1"]


def test_per_features_keys_on_the_function_and_its_arguments(small_cohort):
    f = build_features(small_cohort)
    calls = []

    @per_features
    def part(features, limit):
        calls.append(limit)
        return object()

    assert part(f, 6.0) is part(f, 6.0)
    assert part(f, 3.0) is not part(f, 6.0)
    assert calls == [6.0, 3.0]
    assert (f"{__name__}.{part.__qualname__}", 6.0) in f.memo
    with pytest.raises(TypeError, match="positional"):
        part(f, limit=6.0)


def test_threads_asking_at_once_all_get_the_same_value(small_cohort):
    """No lock: several threads may build, but every caller gets the one value stored."""
    f = build_features(small_cohort)
    start = threading.Barrier(8)
    got = []

    def build():
        time.sleep(0.01)  # widen the window in which others also find the key missing
        return object()

    def ask():
        start.wait()
        got.append(memo(f, ("slow",), build))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(v is got[0] for v in got)
    assert f.memo[("slow",)] is got[0]
