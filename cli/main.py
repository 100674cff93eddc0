"""``mentor-match``: click commands that call the Python API and turn its errors into exits.

Exit codes: 0 ok; 1 an input, config or infeasibility error (message starts with
``Error:``); 2 a usage error (click's own). Heavy libraries are imported inside the
commands so that ``mentor-match --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys
import time

import click


def _boundary(func):
    """Turn the library's own errors into ``click.ClickException`` (exit 1, no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from matcher.errors import MatcherError

        try:
            return func(*args, **kwargs)
        except MatcherError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was written.", err=True)
            sys.exit(130)

    return wrapper


def _cohort_options(func):
    func = click.option(
        "--strict", is_flag=True, help="Treat unknown ids in avoid lists and references as errors."
    )(func)
    func = click.option(
        "--encoding", default=None, help="Force the files' text encoding (default: detected)."
    )(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Programme config (TOML).",
    )(func)
    func = click.option(
        "--mentees",
        required=True,
        type=click.Path(dir_okay=False),
        help="Mentees' questionnaire (CSV or XLSX).",
    )(func)
    func = click.option(
        "--mentors",
        required=True,
        type=click.Path(dir_okay=False),
        help="Mentors' questionnaire (CSV or XLSX).",
    )(func)
    return func


def _warn(cohort, quiet=False, *more) -> None:
    if quiet:
        return
    for w in (*cohort.warnings, *(w for group in more for w in group)):
        click.echo(f"Warning: {w}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mentor-matcher")
def cli() -> None:
    """Pair mentors with mentees on the five Cs and readiness, provably optimally.

    \b
    Example:
      mentor-match match --mentors sample_data/mentors.csv \\
          --mentees sample_data/mentees.csv --config sample_data/programme.toml --out out/
    """


@cli.command()
@_cohort_options
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the outputs."
)
@click.option(
    "--pin",
    "pin_path",
    type=click.Path(dir_okay=False),
    help="CSV of pairs fixed before solving: mentee_id, mentor_id.",
)
@click.option(
    "--forbid",
    "forbid_path",
    type=click.Path(dir_okay=False),
    help="CSV of pairs never to propose: mentee_id, mentor_id, reason.",
)
@click.option(
    "--alternatives",
    "n_alternatives",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Ranked alternatives per mentee in alternatives.csv (0 turns it off).",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False),
    help="history.csv of earlier rounds: failed pairs are never proposed again.",
)
@click.option("--no-repeat", is_flag=True, help="With --history: avoid every earlier pair (a new cycle).")
@click.option(
    "--anonymise", is_flag=True, help="In report.html, replace names and emails by ids (for sharing)."
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@_boundary
def match(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    out_dir,
    pin_path,
    forbid_path,
    n_alternatives,
    history_path,
    no_repeat,
    anonymise,
    quiet,
):
    """Run a batch match and write pairs.csv, unmatched.csv and summary.json.

    \b
    Example:
      mentor-match match --mentors mentors.csv --mentees mentees.csv \\
          --config programme.toml --pin pins.csv --forbid forbid.csv --out results/
    """
    from matcher.api import load, peak_mib
    from matcher.api import match as run
    from matcher.report.tables import write_match

    t0 = time.perf_counter()
    cohort, config = load(mentors, mentees, config_path, encoding=encoding, strict=strict)
    pins, forbid = _pair_files(cohort, pin_path, forbid_path, strict, encoding)
    _warn(cohort, quiet, *(p.warnings for p in (pins, forbid) if p is not None))
    load_seconds = time.perf_counter() - t0
    load_peak = peak_mib()
    from cli.progress import Progress

    progress = Progress(enabled=not quiet)
    progress("load")
    history, failed, earlier = [], [], []
    if no_repeat and not history_path:
        raise click.UsageError("--no-repeat needs --history")
    from matcher.io.history import Entry, next_round, read_history

    rnd = 1
    if history_path:
        history = read_history(history_path, encoding)
        failed_ids = {(e.mentee_id, e.mentor_id) for e in history if e.outcome == "failed"}
        failed = _index_pairs(cohort, failed_ids)
        if no_repeat:
            earlier = _index_pairs(cohort, {(e.mentee_id, e.mentor_id) for e in history} - failed_ids)
        rnd = next_round(history)
        history = [
            Entry(e.round, e.mentee_id, e.mentor_id, "ended", "new cycle", rnd)
            if e.outcome == "active"
            else e
            for e in history
        ]
    result = run(
        cohort,
        config,
        pins=pins,
        forbidden=forbid.pairs if forbid else (),
        failed=failed,
        earlier=earlier,
        progress=progress,
    )
    result.timings["load"] = load_seconds
    if load_peak is not None:
        result.timings["peak_mib_after_load"] = load_peak
    if not quiet:
        for w in result.warnings:
            click.echo(f"Warning: {w}", err=True)
    alts = None
    if n_alternatives:
        from matcher.api import alternatives_for
        from matcher.solve.candidates import DENSE_LIMIT

        t1 = time.perf_counter()
        alts = alternatives_for(result, n_alternatives)
        result.timings["alternatives"] = time.perf_counter() - t1
        if alts is None and not quiet:
            click.echo(
                f"Warning: alternatives are not computed for cohorts above {DENSE_LIMIT:,} pairs; "
                "run with --alternatives 0 to skip this step",
                err=True,
            )
    m = result.solution.mentor_of
    history = history + [
        Entry(rnd, cohort.mentee_ids[i], cohort.mentor_ids[m[i]], "active")
        for i in range(len(m))
        if m[i] >= 0
    ]
    inputs = [mentors, mentees, config_path, pin_path, forbid_path, history_path]
    write_match(result, out_dir, inputs=inputs, alternatives=alts, history=history, anonymise=anonymise)
    if not quiet:
        n, m = result.report.matched, cohort.n_mentees
        click.echo(
            f"Matched {n} of {m} mentees with {result.solution.solver} ({result.solution.status}); "
            f"outputs in {out_dir}"
        )


@cli.command()
@_cohort_options
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV file for every pair.",
)
@_boundary
def scores(mentors, mentees, config_path, encoding, strict, out_file):
    """Write every mentee–mentor pair with its five Cs, feasibility and objective weight.

    \b
    Example:
      mentor-match scores --mentors mentors.csv --mentees mentees.csv --out scores.csv
    """
    from pathlib import Path

    from matcher.api import build_problem, load
    from matcher.report.files import StagedOutputs, csv_bytes
    from matcher.report.tables import scores_table
    from scoring.combine import score_cohort

    cohort, config = load(mentors, mentees, config_path, encoding=encoding, strict=strict)
    _warn(cohort)
    s = score_cohort(cohort, config.scoring)
    problem, _ = build_problem(cohort, config, s)
    out = Path(out_file)
    staged = StagedOutputs(out.parent if str(out.parent) else ".", [mentors, mentees, config_path])
    staged.check_targets([out.name])
    staged.add(out.name, csv_bytes(*scores_table(cohort, s, problem)))
    staged.publish()
    click.echo(f"Wrote {cohort.n_mentees * cohort.n_mentors} pairs to {out_file}")


@cli.command()
@_cohort_options
@_boundary
def validate(mentors, mentees, config_path, encoding, strict):
    """Check both files and the config; exit 0 when there is no error.

    Every problem is listed at once (exit 1). Warnings (ids that match no one) are
    printed but do not fail the check unless --strict is given.

    \b
    Example:
      mentor-match validate --mentors mentors.csv --mentees mentees.csv --config programme.toml
    """
    from matcher.api import load

    cohort, _ = load(mentors, mentees, config_path, encoding=encoding, strict=strict)
    _warn(cohort)
    n_w = len(cohort.warnings)
    people = f"{_count(cohort.n_mentors, 'mentor')} and {_count(cohort.n_mentees, 'mentee')}"
    if n_w:
        click.echo(f"OK: {people}, no errors; {_count(n_w, 'warning')} above.")
    else:
        click.echo(f"OK: {people}, no problems found.")


def _pair_files(cohort, pin_path, forbid_path, strict, encoding):
    """The --pin and --forbid files as PairLists (None where not given)."""
    from matcher.io.pairs_file import read_pairs

    pins = read_pairs(pin_path, "pin", cohort, strict=strict, encoding=encoding) if pin_path else None
    forbid = (
        read_pairs(forbid_path, "forbid", cohort, strict=strict, encoding=encoding) if forbid_path else None
    )
    return pins, forbid


def _index_pairs(cohort, id_pairs) -> list[tuple[int, int]]:
    """(mentee_id, mentor_id) pairs of people still in the cohort, as indices."""
    out = []
    for e_id, r_id in sorted(id_pairs):
        i, j = cohort.mentee_index(e_id), cohort.mentor_index(r_id)
        if i is not None and j is not None:
            out.append((i, j))
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@cli.command()
@_cohort_options
@click.option(
    "--pairs",
    "pairs_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The previous run's pairs.csv.",
)
@click.option(
    "--failed",
    "failed_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV of failed pairs: mentee_id, mentor_id, reason, note.",
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the outputs."
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False),
    help="History file (default: history.csv beside --pairs).",
)
@click.option(
    "--max-changes",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="How many working pairs may move to improve the programme.",
)
@click.option(
    "--alternatives",
    "n_alternatives",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Ranked alternatives per mentee (alternatives.csv).",
)
@click.option(
    "--anonymise", is_flag=True, help="In report.html, replace names and emails by ids (for sharing)."
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@_boundary
def rematch(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    pairs_path,
    failed_path,
    out_dir,
    history_path,
    max_changes,
    n_alternatives,
    anonymise,
    quiet,
):
    """Re-match after failed rapport, keeping the pairs that work.

    Failed pairs (now or in any earlier round, from the history) are never proposed
    again; people who left are released; new mentees are matched. Writes pairs.csv (with
    a status column: kept, changed, new), changes.csv, unmatched.csv, history.csv and
    summary.json.

    \b
    Example:
      mentor-match rematch --mentors mentors.csv --mentees mentees.csv \\
          --pairs results/pairs.csv --failed failed.csv --out round2/
    """
    from pathlib import Path

    from matcher.api import alternatives_for, load
    from matcher.io.history import beside, read_history
    from matcher.io.pairs_file import read_columns
    from matcher.rematch import read_failed
    from matcher.rematch import rematch as run_rematch
    from matcher.report.tables import write_match

    cohort, config = load(mentors, mentees, config_path, encoding=encoding, strict=strict)
    _warn(cohort, quiet)
    _, rows = read_columns(pairs_path, ("mentee_id", "mentor_id"), (), encoding)
    previous = [(r["mentee_id"], r["mentor_id"]) for r in rows if r["mentee_id"] and r["mentor_id"]]
    failed_file, failed = read_failed(failed_path, encoding)
    hist_path = Path(history_path) if history_path else beside(pairs_path)
    history = read_history(hist_path, encoding) if (history_path or hist_path.is_file()) else []
    unmatched_path = Path(pairs_path).with_name("unmatched.csv")
    earlier_unmatched = frozenset()
    if unmatched_path.is_file():
        _, urows = read_columns(unmatched_path, ("mentee_id",), (), encoding)
        earlier_unmatched = frozenset(r["mentee_id"] for r in urows)
    res = run_rematch(
        cohort,
        config,
        previous,
        failed,
        history,
        max_changes=max_changes,
        failed_file=failed_file,
        previous_unmatched=earlier_unmatched,
    )
    if not quiet:
        for w in res.result.warnings:
            click.echo(f"Warning: {w}", err=True)
    alts = alternatives_for(res.result, n_alternatives) if n_alternatives else None
    if n_alternatives and alts is None and not quiet:
        click.echo(
            "Warning: alternatives are not computed with --max-changes above 0 "
            "(each would need a CP-SAT re-solve); run with --max-changes 0 to get them",
            err=True,
        )
    inputs = [mentors, mentees, config_path, pairs_path, failed_path, hist_path]
    write_match(
        res.result,
        out_dir,
        inputs=inputs,
        alternatives=alts,
        history=res.history,
        rematch=res,
        anonymise=anonymise,
    )
    if not quiet:
        c = res.counts
        click.echo(
            f"Round {res.round}: kept {c['kept']}, changed {c['changed']}, new {c['new']}, "
            f"released {c['released']}; {res.result.report.matched} of {cohort.n_mentees} matched "
            f"({res.result.solution.status}); outputs in {out_dir}"
        )


@cli.command()
@_cohort_options
@click.option("--mentee", "mentee_id", required=True, help="Id of the mentee to explain.")
@click.option("--mentor", "mentor_id", default=None, help="A mentor to explain instead of the proposed one.")
@click.option("--pin", "pin_path", type=click.Path(dir_okay=False), help="Pins used in the match (CSV).")
@click.option(
    "--forbid",
    "forbid_path",
    type=click.Path(dir_okay=False),
    help="Forbidden pairs used in the match (CSV).",
)
@_boundary
def explain(mentors, mentees, config_path, encoding, strict, mentee_id, mentor_id, pin_path, forbid_path):
    """Explain a mentee's proposed (or given) mentor: the five Cs with their evidence,
    readiness, and why each higher-scoring mentor was not chosen.

    \b
    Example:
      mentor-match explain --mentors mentors.csv --mentees mentees.csv \\
          --config programme.toml --mentee E012 [--mentor R034]
    """
    from matcher.api import delta_engine, load
    from matcher.api import match as run
    from matcher.errors import InputError, Problem
    from matcher.review.explain import explain_text

    cohort, config = load(mentors, mentees, config_path, encoding=encoding, strict=strict)
    pins, forbid = _pair_files(cohort, pin_path, forbid_path, strict, encoding)
    i = cohort.mentee_index(mentee_id)
    j = None if mentor_id is None else cohort.mentor_index(mentor_id)
    problems = []
    if i is None:
        problems.append(
            Problem(
                "--mentee", None, None, mentee_id, "matches no one in the mentees file", "give a mentee id"
            )
        )
    if mentor_id is not None and j is None:
        problems.append(
            Problem(
                "--mentor", None, None, mentor_id, "matches no one in the mentors file", "give a mentor id"
            )
        )
    if problems:
        raise InputError(problems)
    result = run(cohort, config, pins=pins, forbidden=forbid.pairs if forbid else ())
    click.echo(explain_text(result, i, j, delta_engine(result)), nl=False)


@cli.command()
@click.option("--mentees", "n_mentees", type=click.IntRange(min=0), required=True, help="Number of mentees.")
@click.option("--mentors", "n_mentors", type=click.IntRange(min=0), required=True, help="Number of mentors.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed → same files).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for mentors.csv and mentees.csv.",
)
@_boundary
def generate(n_mentees, n_mentors, seed, out_dir):
    """Write a seeded synthetic cohort in the default questionnaire format.

    Nobody in it is real (names from small lists, emails like e001@example.org); it is
    for trying the tool and for benchmarks.

    \b
    Example:
      mentor-match generate --mentees 1000 --mentors 400 --seed 1 --out cohort/
    """
    from matcher.report.files import StagedOutputs
    from matcher.synthetic.cohort import generate_cohort

    mentors, mentees = generate_cohort(n_mentees, n_mentors, seed)
    staged = StagedOutputs(out_dir)
    for name, table in (("mentors.csv", mentors), ("mentees.csv", mentees)):
        staged.add(name, table.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    staged.publish()
    click.echo(f"Wrote {n_mentors} mentors and {n_mentees} mentees to {out_dir}")


def main() -> None:  # pragma: no cover
    cli()
