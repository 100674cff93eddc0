"""explain with stated choices: whose choice a pair is and the bonus the solver adds, so the
numbers reconcile (score + bonus = what the solver counts = the problem's score); the
summary and the report say which figures include the bonus."""

from __future__ import annotations

import csv
import io
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.api import load, match, match_files
from matcher.io.config import parse_config
from matcher.review.explain import explain_text
from matcher.review.preferences import ordinal
from matcher.synthetic.cohort import write_cohort


@pytest.fixture(scope="module")
def cohort_files(tmp_path_factory):
    return write_cohort(tmp_path_factory.mktemp("explain"), 80, 30, 4, preferences=True)


def test_explain_shows_the_choice_and_the_bonus_that_reconcile(cohort_files, tmp_path):
    m, e = cohort_files
    cohort, _ = load(m, e)
    config = parse_config({"preferences": {"mentee_bonus": [15, 10, 5], "mentor_bonus": 5}})
    result = match(cohort, config)
    from matcher.report.tables import pairs_table

    header, rows = pairs_table(result)
    col = {h: k for k, h in enumerate(header)}
    seen_bonus = seen_differ = 0
    for row in rows:
        i, j = cohort.mentee_index(row[col["mentee_id"]]), cohort.mentor_index(row[col["mentor_id"]])
        text = explain_text(result, i)
        bonus = float(row[col["bonus"]])
        line = next(x for x in text.splitlines() if x.startswith("  choice bonus"))
        assert line.startswith(
            f"  choice bonus {bonus:+.2f}: the solver counts {result.problem.score[i, j]:.2f}"
        )
        assert f"(score {row[col['score']]} + bonus)" in line
        mine = cohort.preferences.mentee_choices[i][:3]
        choice = next(x for x in text.splitlines() if x.startswith("  choices: "))
        if j in mine:
            assert f"is the mentee's {['1st', '2nd', '3rd'][mine.index(j)]} choice" in choice
        seen_bonus += bonus > 0
        # the rank is pairs.csv's (score plus bonus), and by score alone where that differs
        rank = next(x for x in text.splitlines() if x.startswith("  rank "))
        shown = int(row[col["rank"]])
        assert rank.startswith(f"  rank {shown} of ") and "by score plus choice bonus" in rank
        feasible = np.flatnonzero(result.problem.excluded[i] == 0)
        plain = 1 + int((result.scores.score[i, feasible] > result.scores.score[i, j]).sum())
        assert rank.endswith(f"({ordinal(plain)} by score alone)") == (plain != shown)
        seen_differ += plain != shown
    assert seen_bonus and seen_differ


def test_no_preference_columns_no_choice_lines(tmp_path):
    m, e = write_cohort(tmp_path, 30, 10, 2)
    cohort, _ = load(m, e)
    text = explain_text(match(cohort), 0)
    assert "choices:" not in text and "choice bonus" not in text


def test_summary_and_report_say_what_includes_the_bonus(cohort_files, tmp_path):
    m, e = cohort_files
    config = tmp_path / "c.toml"
    config.write_text("[preferences]\nmentee_bonus = [15]\n", encoding="utf-8")
    run = match_files(m, e, config, out=tmp_path / "out")
    import json

    s = json.loads(run.outputs["summary.json"])
    assert "round(100*(score + bonus))" in s["objective_definition"]
    assert "score_total" in s["objective_definition"]  # named among what does not include it
    assert s["preferences"]["choices_in_objective"] == "bonus points"
    html = run.outputs["report.html"].decode("utf-8")
    assert "include the bonus" in html
    plain = match_files(m, e, out=tmp_path / "plain")
    s0 = json.loads(plain.outputs["summary.json"])
    assert s0["objective_definition"] == "sum over pairs of A + B*round(100*readiness) + round(100*score)"
    assert s0["preferences"]["choices_in_objective"] == "none (reported only)"
    config.write_text("[preferences]\nshortlist = true\n", encoding="utf-8")
    s1 = json.loads(match_files(m, e, config, out=tmp_path / "sl").outputs["summary.json"])
    assert "H*(1 if the mentor is one of the mentee's counted choices)" in s1["objective_definition"]
    assert s1["preferences"]["choices_in_objective"] == "shortlist"
    rows = list(csv.DictReader(io.StringIO(plain.outputs["pairs.csv"].decode("utf-8-sig"))))
    assert "bonus" not in rows[0] and np.isfinite(float(rows[0]["score"]))


# ------------------------------------------------------------ several mentors per mentee


def _brute_best(problem, distinct, pin=None):
    """The best pairing's (pairs, mentees with a mentor, readiness units, score units) by
    enumerating every subset of allowed pairs (tiny cohorts only), ``pin`` forced in."""
    from itertools import combinations

    from matcher.solve.pairing import Pairing
    from matcher.solve.problem import mentee_places, ready_units, score_units, total_objective

    ii, jj = np.nonzero(problem.allowed)
    arcs = list(zip(ii.tolist(), jj.tolist(), strict=True))
    places, cap = mentee_places(problem), problem.capacity
    best, best_key = None, None
    for n in range(len(arcs) + 1):
        for chosen in combinations(arcs, n):
            if pin is not None and pin not in chosen:
                continue
            e = np.array([a for a, _ in chosen], np.int64)
            r = np.array([b for _, b in chosen], np.int64)
            if (np.bincount(e, minlength=problem.shape[0]) > places).any():
                continue
            if (np.bincount(r, minlength=problem.shape[1]) > cap).any():
                continue
            if distinct is not None and any(
                a == c and distinct.conflicts(b, d)
                for k, (a, b) in enumerate(chosen)
                for c, d in chosen[k + 1 :]
            ):
                continue
            obj = total_objective(problem, Pairing.of(e, r, problem.shape[0]))
            if best_key is None or obj > best_key:
                best_key = obj
                best = (
                    n,
                    len(set(e.tolist())),
                    int(ready_units(problem.readiness[e]).sum()),
                    int(score_units(problem.score[e, r]).sum()),
                )
    return best


def _totals(problem, pairing):
    from matcher.solve.problem import ready_units, score_units

    return (
        pairing.size,
        int((pairing.count > 0).sum()),
        int(ready_units(problem.readiness[pairing.mentee]).sum()),
        int(score_units(problem.score[pairing.mentee, pairing.mentor]).sum()),
    )


def _several_explain_checked(n_e, n_r, seed, distinct) -> int:
    """Checks explain's priced higher-scoring mentors on one tiny generated cohort against
    :func:`_brute_best`; returns how many were checked."""
    import tempfile
    from pathlib import Path

    from matcher.api import delta_engine
    from matcher.review.explain import better_mentors
    from matcher.synthetic.cohort import generate_cohort

    rng = np.random.default_rng(seed)
    mentors, mentees = generate_cohort(n_e, n_r, seed)
    mentees["mentors_wanted"] = ["2"] + [str(v) if v > 1 else "" for v in rng.integers(1, 3, n_e - 1)]
    mentors["capacity"] = [str(v) for v in rng.integers(1, 3, n_r)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mentors.to_csv(folder / "mentors.csv", index=False)
        mentees.to_csv(folder / "mentees.csv", index=False)
        (folder / "c.toml").write_text(f'[rules]\ndistinct_mentors_by = "{distinct}"\n' if distinct else "")
        cohort, cfg = load(folder / "mentors.csv", folder / "mentees.csv", folder / "c.toml")
    result = match(cohort, cfg)
    p, pairing = result.problem, result.solution.pairing
    if not p.multi:
        return 0
    rule = result.side.distinct
    base = _totals(p, pairing)
    assert base == _brute_best(p, rule)  # the proposal itself is the optimum
    engine = delta_engine(result)
    checked = 0
    for i, j in pairing.pairs.tolist():
        found, _ = better_mentors(result, i, j, engine, limit=None)
        for b in found:
            if b.why not in ("full", "has_room"):
                continue
            want = _brute_best(p, rule, pin=(i, b.mentor))
            if want is None:
                assert b.impossible and "break a programme rule" in b.words()
                continue
            dm, dr, ds, _ = b.delta
            assert (b.pairs, dm, dr, ds) == tuple(w - o for w, o in zip(want, base, strict=True))
            assert "chosen elsewhere" not in b.words()
            checked += 1
    return checked


@settings(max_examples=12, deadline=None)
@given(st.integers(3, 4), st.integers(2, 3), st.integers(0, 10_000), st.sampled_from([None, "department"]))
def test_explain_prices_higher_scoring_mentors_exactly_with_several_mentors(n_e, n_r, seed, distinct):
    """Tiny generated cohorts with mentors_wanted up to 2: each higher-scoring mentor explain
    lists for a proposed pair carries the exact change of giving them to the mentee (Δpairs,
    Δmentees with a mentor, Δreadiness, Δscore), equal to the best pairing with that pair
    forced in, found by enumerating every pairing."""
    _several_explain_checked(n_e, n_r, seed, distinct)


def test_explain_several_mentors_brute_force_is_not_vacuous():
    assert (
        sum(_several_explain_checked(4, 3, seed, d) for seed in (4, 5, 9) for d in (None, "department")) >= 6
    )


def test_explain_above_the_dense_limit_names_mentors_without_pricing(tmp_path, monkeypatch):
    """On candidate sets (one mentor each) explain gives the same pair, rank and five Cs
    as the dense run; higher-scoring mentors are named with why they were not chosen, not
    priced (no exact deltas there, as for alternatives)."""
    import matcher.solve.candidates as large
    from matcher.api import delta_engine, explain_files

    m, e = write_cohort(tmp_path, 80, 30, 11)
    dense = explain_files(m, e, None, mentee="E004").message
    assert "full; giving them to this mentee would cost" in dense  # priced on the dense problem
    monkeypatch.setattr(large, "DENSE_LIMIT", 0)
    monkeypatch.setattr(large, "CANDIDATES", 3)
    run = explain_files(m, e, None, mentee="E004")
    assert delta_engine(run.result) is None
    head = [line for line in run.message.splitlines() if not line.startswith("    ")]
    assert head == [line for line in dense.splitlines() if not line.startswith("    ")]
    assert "R029 (Tariq Wilson) 83.00: full; chosen elsewhere" in run.message
    assert "would cost" not in run.message


def test_alternatives_csv_shows_the_bonus_it_ranks_by(cohort_files, tmp_path):
    """With bonus points the alternatives are ranked by score plus bonus, so the file has a
    bonus column (as pairs.csv): score + bonus never rises with rank, while the score alone
    may; the bonus is the pair's own, recomputed from the stated choices."""
    from matcher.solve.bonus import bonus_of_pair

    m, e = cohort_files
    config = tmp_path / "c.toml"
    config.write_text("[preferences]\nmentee_bonus = [15, 10, 5]\nmentor_bonus = 5\n", encoding="utf-8")
    run = match_files(m, e, config, out=tmp_path / "out", alternatives=3)
    rows = list(csv.DictReader(io.StringIO(run.outputs["alternatives.csv"].decode("utf-8-sig"))))
    assert rows and "bonus" in rows[0]
    cohort, settings = run.result.cohort, run.result.config.preferences
    by_mentee: dict[str, list[dict]] = {}
    for r in rows:
        by_mentee.setdefault(r["mentee_id"], []).append(r)
        i, j = cohort.mentee_index(r["mentee_id"]), cohort.mentor_index(r["mentor_id"])
        assert float(r["bonus"]) == pytest.approx(bonus_of_pair(cohort.preferences, settings, i, j), abs=1e-9)
    score_rises = 0
    for alts in by_mentee.values():
        counted = [float(r["score"]) + float(r["bonus"]) for r in alts]
        assert all(a >= b - 1e-9 for a, b in pairwise(counted))
        score_rises += any(float(a["score"]) < float(b["score"]) for a, b in pairwise(alts))
    assert score_rises  # the column explains an order the score alone does not
    plain = match_files(m, e, out=tmp_path / "plain", alternatives=3)
    assert "bonus" not in plain.outputs["alternatives.csv"].decode("utf-8-sig").splitlines()[0]
