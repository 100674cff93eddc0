"""``mentor-match``: click commands that parse options, call the Python API (one
``matcher.api.*_files`` call per command), print its warnings and message, publish its
outputs, and turn its errors into exits.

Exit codes: 0 ok; 1 an input, config or infeasibility error (message starts with
``Error:``); 2 a usage error (click's own). Heavy libraries are imported inside the
commands so that ``mentor-match --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys

import click


def _boundary(func):
    """Turn the library's own errors into click's: ``OptionError`` into a usage error (exit 2),
    every other ``MatcherError`` into ``click.ClickException`` (exit 1, no traceback); Ctrl-C
    into exit 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from matcher.errors import MatcherError, OptionError

        try:
            return func(*args, **kwargs)
        except OptionError as exc:  # options that cannot go together: a usage error (exit 2)
            raise click.UsageError(str(exc)) from None
        except MatcherError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was written.", err=True)
            sys.exit(130)

    return wrapper


def _cohort_options(func):
    func = click.option(
        "--sheet",
        default=None,
        help="The sheet to read of an .xlsx questionnaire (default: the first sheet).",
    )(func)
    func = click.option(
        "--strict",
        is_flag=True,
        help="Treat warnings as errors: a C (or part of one) that cannot be scored, unknown ids.",
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


def _shared(*decls, **attrs):
    """An option several commands take: ``_shared(...)`` returns a maker whose call gives the
    click decorator; keyword arguments to that call (e.g. ``help``) override for one command."""

    def make(**overrides):
        return click.option(*decls, **{**attrs, **overrides})

    return make


OUT = _shared("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder for the outputs.")
PAIRS = _shared(
    "--pairs",
    "pairs_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The previous run's pairs.csv (the proposal to re-match or approve).",
)
PIN = _shared(
    "--pin",
    "pin_path",
    type=click.Path(dir_okay=False),
    help="CSV of pairs fixed before solving: mentee_id, mentor_id.",
)
FORBID = _shared(
    "--forbid",
    "forbid_path",
    type=click.Path(dir_okay=False),
    help="CSV of pairs never to propose: mentee_id, mentor_id, reason.",
)
CAPACITY = _shared(
    "--capacity",
    "capacity_path",
    type=click.Path(dir_okay=False),
    help="CSV of capacities for this round instead of the mentors file's: mentor_id, capacity, reason.",
)
ALTERNATIVES = _shared(
    "--alternatives",
    "n_alternatives",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Ranked alternatives per mentee in alternatives.csv (0 turns it off).",
)
HISTORY = _shared(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False),
    help="history.csv of earlier rounds: failed pairs are never proposed again.",
)
ANONYMISE = _shared(
    "--anonymise", is_flag=True, help="In report.html, replace names and emails by ids (for sharing)."
)
QUIET = _shared("--quiet", is_flag=True, help="Print nothing but errors.")


def _warner(quiet: bool = False):
    """The ``warn`` callback the API calls with each warning: a ``Warning:`` line on stderr."""
    if quiet:
        return None
    return lambda text: click.echo(f"Warning: {text}", err=True)


def _progress(quiet: bool):
    """The ``progress`` callback for the API: progress lines on stderr, whose clock starts at
    the first stage reported (the end of loading), as it always has."""
    from cli.progress import Progress

    shown: list[Progress] = []

    def progress(stage: str, done: int = 0, total: int = 0) -> None:
        if not shown:
            shown.append(Progress(enabled=not quiet))
        shown[0](stage, done, total)

    return progress


def _finish(run, quiet: bool = False) -> None:
    """Publish the run's outputs (all at once), then print its message."""
    run.publish()
    if not quiet:
        click.echo(run.message, nl=False)


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
@OUT()
@PIN()
@FORBID()
@CAPACITY()
@ALTERNATIVES()
@HISTORY()
@click.option("--no-repeat", is_flag=True, help="With --history: avoid every earlier pair (a new cycle).")
@ANONYMISE()
@QUIET()
@_boundary
def match(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    sheet,
    out,
    pin_path,
    forbid_path,
    capacity_path,
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
    from matcher.api import match_files

    run = match_files(
        mentors,
        mentees,
        config_path,
        out=out,
        pins=pin_path,
        forbid=forbid_path,
        capacity=capacity_path,
        history=history_path,
        no_repeat=no_repeat,
        alternatives=n_alternatives,
        anonymise=anonymise,
        encoding=encoding,
        strict=strict,
        sheet=sheet,
        progress=_progress(quiet),
        warn=_warner(quiet),
    )
    _finish(run, quiet)


@cli.command()
@_cohort_options
@OUT(type=click.Path(dir_okay=False), help="CSV (or Parquet) file for every pair.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="csv (opens in Excel) or parquet (typed columns, for pandas, DuckDB, Polars).",
)
@_boundary
def scores(mentors, mentees, config_path, encoding, strict, sheet, out, fmt):
    """Write every mentee–mentor pair with its five Cs, feasibility and objective weight.

    Rows are written as they are scored, so memory stays flat at any size.

    \b
    Example:
      mentor-match scores --mentors mentors.csv --mentees mentees.csv --out scores.csv
      mentor-match scores --mentors mentors.csv --mentees mentees.csv --out scores.parquet --format parquet
    """
    from matcher.api import scores_files

    run = scores_files(
        mentors,
        mentees,
        config_path,
        out=out,
        format=fmt,
        encoding=encoding,
        strict=strict,
        sheet=sheet,
        warn=_warner(),
    )
    _finish(run)


@cli.command()
@_cohort_options
@_boundary
def validate(mentors, mentees, config_path, encoding, strict, sheet):
    """Check both files and the config; exit 0 when there is no error.

    Every problem is listed at once (exit 1). Warnings (a C that cannot be scored, ids
    that match no one) are printed but do not fail the check unless --strict is given.

    \b
    Example:
      mentor-match validate --mentors mentors.csv --mentees mentees.csv --config programme.toml
    """
    from matcher.api import validate_files

    _finish(
        validate_files(
            mentors, mentees, config_path, encoding=encoding, strict=strict, sheet=sheet, warn=_warner()
        )
    )


@cli.command()
@_cohort_options
@PAIRS()
@click.option(
    "--failed",
    "failed_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV of failed pairs: mentee_id, mentor_id, reason, note.",
)
@OUT()
@HISTORY(help="History file (default: history.csv beside --pairs).")
@PIN(help="CSV of pairs fixed for this round: mentee_id, mentor_id (their previous pair is released).")
@FORBID()
@CAPACITY()
@click.option(
    "--max-changes",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="How many working pairs may move to improve the programme.",
)
@ALTERNATIVES(default=0, help="Ranked alternatives per mentee (alternatives.csv).")
@ANONYMISE()
@QUIET()
@_boundary
def rematch(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    sheet,
    pairs_path,
    failed_path,
    out,
    history_path,
    pin_path,
    forbid_path,
    capacity_path,
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
    from matcher.api import rematch_files

    run = rematch_files(
        mentors,
        mentees,
        config_path,
        pairs=pairs_path,
        failed=failed_path,
        out=out,
        history=history_path,
        pins=pin_path,
        forbid=forbid_path,
        capacity=capacity_path,
        max_changes=max_changes,
        alternatives=n_alternatives,
        anonymise=anonymise,
        encoding=encoding,
        strict=strict,
        sheet=sheet,
        warn=_warner(quiet),
    )
    _finish(run, quiet)


@cli.command()
@_cohort_options
@PAIRS()
@click.option(
    "--responses",
    "responses_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV of mentors' answers: mentor_id, mentee_id, response (accept|decline), note.",
)
@OUT()
@HISTORY(help="History file (default: history.csv beside --pairs).")
@PIN(help="CSV of pairs fixed for this round: mentee_id, mentor_id (their previous pair is released).")
@FORBID()
@CAPACITY()
@ANONYMISE()
@QUIET()
@_boundary
def approve(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    sheet,
    pairs_path,
    responses_path,
    out,
    history_path,
    pin_path,
    forbid_path,
    capacity_path,
    anonymise,
    quiet,
):
    """Mentors accept or decline their proposed mentees; declined pairs are never proposed
    again, accepted (and unanswered) pairs are kept, and the declined mentees are re-matched.

    \b
    Example:
      mentor-match approve --mentors mentors.csv --mentees mentees.csv \\
          --pairs results/pairs.csv --responses responses.csv --out approved/
    """
    from matcher.api import approve_files

    run = approve_files(
        mentors,
        mentees,
        config_path,
        pairs=pairs_path,
        responses=responses_path,
        out=out,
        history=history_path,
        pins=pin_path,
        forbid=forbid_path,
        capacity=capacity_path,
        anonymise=anonymise,
        encoding=encoding,
        strict=strict,
        sheet=sheet,
        warn=_warner(quiet),
    )
    _finish(run, quiet)


@cli.command()
@_cohort_options
@click.option("--mentee", "mentee_id", required=True, help="Id of the mentee to explain.")
@click.option("--mentor", "mentor_id", default=None, help="A mentor to explain instead of the proposed one.")
@PIN(help="Pins used in the match (CSV).")
@FORBID(help="Forbidden pairs used in the match (CSV).")
@CAPACITY(help="Capacity changes used in the match (CSV).")
@_boundary
def explain(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    sheet,
    mentee_id,
    mentor_id,
    pin_path,
    forbid_path,
    capacity_path,
):
    """Explain a mentee's proposed (or given) mentor: the five Cs with their evidence,
    readiness, and why each higher-scoring mentor was not chosen.

    \b
    Example:
      mentor-match explain --mentors mentors.csv --mentees mentees.csv \\
          --config programme.toml --mentee E012 [--mentor R034]
    """
    from matcher.api import explain_files

    # explain has never printed warnings (its output is the explanation); they are in run.warnings.
    run = explain_files(
        mentors,
        mentees,
        config_path,
        mentee=mentee_id,
        mentor=mentor_id,
        pins=pin_path,
        forbid=forbid_path,
        capacity=capacity_path,
        encoding=encoding,
        strict=strict,
        sheet=sheet,
    )
    _finish(run)


@cli.command()
@_cohort_options
@click.option(
    "--workspace",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for your decisions and the published rounds (run again to resume).",
)
@PIN(help="Pins to start a new workspace from: mentee_id, mentor_id.")
@FORBID(help="Forbidden pairs to start a new workspace from: mentee_id, mentor_id, reason.")
@HISTORY()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback prints a warning (personal data).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a random free one)."
)
@click.option("--no-browser", is_flag=True, help="Only print the address; do not open a browser.")
@_boundary
def review(
    mentors,
    mentees,
    config_path,
    encoding,
    strict,
    sheet,
    workspace,
    pin_path,
    forbid_path,
    history_path,
    host,
    port,
    no_browser,
):
    """Review the proposal in the browser: act on alternatives at their exact cost, publish.

    Starts a local web app (127.0.0.1, a random port, a secret token in the address) and
    opens the browser at its address, which is always printed. Every decision is saved in
    the workspace as pins.csv, forbid.csv, capacity.csv (and failed.csv in a re-match) plus
    a journal, as soon as it is confirmed; running the command again resumes. Publishing
    writes DIR/round-N/, the same files as mentor-match match with those files.

    \b
    Example:
      mentor-match review --mentors mentors.csv --mentees mentees.csv \\
          --config programme.toml --workspace review/
    """
    from cli.review_app.server import run

    run(
        mentors,
        mentees,
        config_path,
        workspace=workspace,
        pins=pin_path,
        forbid=forbid_path,
        history=history_path,
        encoding=encoding,
        strict=strict,
        sheet=sheet,
        host=host,
        port=port,
        browser=not no_browser,
        echo=click.echo,
        warn=lambda text: click.echo(f"Warning: {text}", err=True),
    )


@cli.command()
@click.option(
    "--mentees", "n_mentees", type=click.IntRange(0, 1_000_000), required=True, help="Number of mentees."
)
@click.option(
    "--mentors", "n_mentors", type=click.IntRange(0, 1_000_000), required=True, help="Number of mentors."
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Random seed (same seed → same files).",
)
@click.option(
    "--preferences",
    is_flag=True,
    help="Also write stated choices: preferred_mentors (mentees), preferred_mentees and "
    "declined_mentees (mentors), by id, name or email.",
)
@OUT(help="Folder for mentors.csv and mentees.csv.")
@_boundary
def generate(n_mentees, n_mentors, seed, preferences, out):
    """Write a seeded synthetic cohort in the default questionnaire format.

    Nobody in it is real (names from small lists, emails like e001@example.org); it is
    for trying the tool and for benchmarks.

    \b
    Example:
      mentor-match generate --mentees 1000 --mentors 400 --seed 1 --out cohort/
      mentor-match generate --mentees 150 --mentors 60 --seed 1 --preferences --out cohort/
    """
    from matcher.api import generate_files

    _finish(generate_files(n_mentees, n_mentors, seed=seed, out=out, preferences=preferences))


@cli.command()
@OUT(help="Folder for the kit.")
@_boundary
def questionnaire(out):
    """Write the questionnaire kit: the questions to send, spreadsheet templates, the questions
    for Google or Microsoft Forms, and a config that reads those forms' exports as they are.

    \b
    Example:
      mentor-match questionnaire --out kit/
    """
    from matcher.api import questionnaire_files

    _finish(questionnaire_files(out=out))


@cli.command(name="map")
@click.option(
    "--mentors", required=True, type=click.Path(dir_okay=False), help="Mentors' export (CSV or XLSX)."
)
@click.option(
    "--mentees", required=True, type=click.Path(dir_okay=False), help="Mentees' export (CSV or XLSX)."
)
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None, help="A config to start from."
)
@click.option("--encoding", default=None, help="Force the files' text encoding (default: detected).")
@click.option(
    "--sheet", default=None, help="The sheet to read of an .xlsx export (default: the first sheet)."
)
@OUT(type=click.Path(dir_okay=False), help="The .toml file for the proposed [columns].")
@_boundary
def map_columns(mentors, mentees, config_path, encoding, sheet, out):
    """Propose a [columns] mapping for exports whose headers the matcher does not know: each
    line with how sure it is and why, the headers left unmapped and the answers not
    understood — for you to check. match never applies a guessed mapping.

    \b
    Example:
      mentor-match map --mentors export_mentors.csv --mentees export_mentees.csv --out columns.toml
    """
    from matcher.api import map_files

    run = map_files(mentors, mentees, config_path, out=out, encoding=encoding, sheet=sheet)
    for text in run.warnings:
        click.echo(f"Warning: {text}", err=True)
    _finish(run)


def main() -> None:  # pragma: no cover
    cli()
