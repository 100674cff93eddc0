"""The Python API: everything ``mentor-match`` does, as calls a notebook can make.

One call per command, from file paths and the command's options (same names, same
defaults) to a :class:`Run` whose outputs are built in memory and written by
``run.publish()`` — the same files, byte for byte, as the command writes::

    run = match_files("mentors.csv", "mentees.csv", "programme.toml", out="out/")
    run.publish()                                 # all files at once, never over an input

Also ``rematch_files``, ``scores_files``, ``explain_files``, ``validate_files`` and
``generate_files``. The steps underneath can be called one by one::

    cohort, config = load("mentors.csv", "mentees.csv", "programme.toml")  # load & validate
    result = match(cohort, config)                # score, encode, solve, check

``match`` returns a frozen :class:`MatchResult`; nothing here prints or exits (warnings
and progress go to the caller's ``warn`` and ``progress`` callbacks). The CLI in ``cli/``
only parses options, calls these functions and prints what they return.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from matcher.errors import ConfigError, MatcherError, OptionError
from matcher.errors import Problem as Issue
from matcher.io.cohort import Cohort
from matcher.io.config import Config, load_config
from matcher.io.history import Entry, next_round
from matcher.io.load import load_cohort
from matcher.io.pairs_file import PairList
from matcher.io.questionnaire import ALL_NAMES
from matcher.report.files import Streamed
from matcher.report.tables import MATCH_OWNED, match_outputs
from matcher.review.diagnose import unmatched_reason
from matcher.solve import engines
from matcher.solve.check import CheckReport, check
from matcher.solve.encode import build_problem, encode_cohort, side_rules
from matcher.solve.precheck import check_mentor_minimum, check_pins, programme_warnings
from matcher.solve.problem import MatchProblem, mentee_places
from matcher.solve.side_rules import ChangeBudget, SideRules
from matcher.solve.solution import Solution
from scoring.combine import Scores

if TYPE_CHECKING:  # matcher.rematch imports this module
    from matcher.rematch import RematchResult

__all__ = [
    "MatchResult",
    "PastRounds",
    "RematchInputs",
    "Run",
    "apply_capacities",
    "build_problem",
    "explain_files",
    "generate_files",
    "index_pairs",
    "load",
    "load_cohort",
    "load_config",
    "map_files",
    "match",
    "match_files",
    "past_rounds",
    "questionnaire_files",
    "read_pair_files",
    "read_rematch_inputs",
    "rematch_files",
    "scores_files",
    "validate_files",
]


@dataclass(frozen=True, eq=False)
class MatchResult:
    """Everything a run produced. ``solution.pairing`` (and ``solution.mentor_of`` when no mentee
    has several mentors) indexes ``cohort.mentors``."""

    cohort: Cohort
    config: Config
    scores: Scores
    problem: MatchProblem
    solution: Solution
    report: CheckReport
    rules_applied: tuple[str, ...]
    unmatched: dict[int, str]
    side: SideRules
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    certificate: dict = field(default_factory=dict)


def peak_mib() -> float | None:
    """The process's peak resident memory so far, in MiB (None where the OS cannot say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(
    mentors, mentees, config_path=None, *, encoding=None, strict=False, sheet=None
) -> tuple[Cohort, Config]:
    """Load the config and both files (validating everything) → (cohort, config).

    Raises one InputError with every problem of the config and both files together (the
    files are read with the config's valid entries); with ``strict``, also every id that
    matches no one and every C, or part of one, that cannot be scored. ``sheet``: the
    sheet of an .xlsx questionnaire to read (default: the first).
    """
    from matcher.errors import InputError

    problems = []
    try:
        config = load_config(config_path, ALL_NAMES)
    except ConfigError as exc:
        partial = getattr(exc, "partial", None)
        if partial is None:  # the file itself cannot be read: nothing to read the others with
            raise
        problems.extend(exc.problems)
        config = partial
    try:
        cohort = load_cohort(mentors, mentees, config, encoding=encoding, sheet=sheet)
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise ConfigError(problems)
    if strict:
        found = strict_problems(cohort)
        if found:
            raise InputError(found)
    return cohort, config


def strict_problems(cohort: Cohort) -> list:
    """What ``--strict`` turns into errors in ``cohort``: ids that match no one, then every C
    (or part of one) and input that cannot be scored. A person in both files stays a
    warning: the same_person rule already keeps them from themselves, and a programme
    whose people both mentor and are mentored is no mistake."""
    from matcher.io.load import in_both_files
    from matcher.review.coverage import coverage_problems

    both = set(in_both_files(cohort.mentees, cohort.mentors, cohort.files[1], cohort.files[0]))
    return [*(w for w in cohort.warnings if w not in both), *coverage_problems(cohort)]


def _load_with_pairs(mentors, mentees, config, pins, forbid, *, encoding, strict, capacity=None, sheet=None):
    """Load the cohort, apply the capacity file and read the pin and forbid files, with every
    problem — the files', and with ``strict`` the unknown ids and what cannot be scored —
    raised together → (cohort with this round's capacities, config, capacity list, pins,
    forbid); a list is None where no file was given. ``sheet``: the workbook sheet to read."""
    from matcher.errors import InputError

    cohort, cfg = load(mentors, mentees, config, encoding=encoding, sheet=sheet)
    problems = strict_problems(cohort) if strict else []
    changes = None
    try:
        cohort, changes = apply_capacities(cohort, capacity, strict=strict, encoding=encoding)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        pin_list, forbid_list = read_pair_files(cohort, pins, forbid, strict=strict, encoding=encoding)
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    return cohort, cfg, changes, pin_list, forbid_list


def cohort_warnings(cohort: Cohort) -> list[str]:
    """What a run says about ``cohort`` before matching, in order: how the files were read
    (a header found below a title row, a form's own header rows, a template's example row),
    what cannot be scored and why (with the columns ignored), then ids that match no one.
    (With ``strict``, :func:`load` has raised them as errors instead.)"""
    from matcher.review.coverage import coverage_warnings

    return [*cohort.notes, *coverage_warnings(cohort), *(str(w) for w in cohort.warnings)]


def _load_collecting(problems: list, *files, **options):
    """:func:`_load_with_pairs`, or five Nones with its problems added to ``problems``, so that
    a command reading more files (previous pairs, failed pairs, responses) raises every
    file's problems at once."""
    return _collect(problems, lambda: _load_with_pairs(*files, **options), (None,) * 5)


def _input_warnings(cohort: Cohort, *decisions) -> list[str]:
    """:func:`cohort_warnings`, then those of the decision files read with it (the capacity,
    pins and forbid lists of :func:`_load_with_pairs`; None where no file was given)."""
    return [*cohort_warnings(cohort), *(w for d in decisions if d is not None for w in d.warnings)]


def as_pair_list(pairs, cohort: Cohort, file: str = "pins") -> PairList | None:
    """Accept a PairList or plain (mentee index, mentor index) tuples (rows numbered from 1)."""
    if pairs is None or isinstance(pairs, PairList):
        return pairs
    pairs = tuple((int(i), int(j)) for i, j in pairs)
    n = len(pairs)
    ids = tuple((str(cohort.mentee_ids[i]), str(cohort.mentor_ids[j])) for i, j in pairs)
    return PairList(file, pairs, tuple(range(1, n + 1)), ids, ("",) * n, ())


def solve(problem, side: SideRules, config: Config) -> Solution:
    """Solve with the engine the config names (strict: see :mod:`matcher.solve.engines`)."""
    return engines.solve(problem, side, config.solver)


def match(
    cohort: Cohort,
    config: Config | None = None,
    *,
    pins=None,
    forbidden=(),
    failed=(),
    earlier=(),
    scores: Scores | None = None,
    boost=None,
    keep=(),
    max_changes: int | None = None,
    progress=None,
    encoded=None,
) -> MatchResult:
    """Score, encode, check pins, solve and verify.

    ``pins``: a :class:`PairList` (or index pairs) fixed before solving; ``forbidden`` and
    ``failed``: index pairs never to propose; ``encoded``: (problem, scores, rules applied)
    as :func:`~matcher.solve.encode.encode_cohort` returned them for this cohort and
    config (a rematch encodes once), in place of encoding here. Raises InputError for impossible pins,
    InfeasibleError when the rules cannot hold together, MatcherError if the independent
    checker ever disagrees with the solver.
    """
    config = config or Config()
    t0 = time.perf_counter()
    pins = as_pair_list(pins, cohort, "pins (given in code)")
    forbidden = tuple(forbidden.pairs if isinstance(forbidden, PairList) else forbidden)
    failed = tuple(failed.pairs if isinstance(failed, PairList) else failed)
    pin_pairs = pins.pairs if pins is not None else ()
    if encoded is not None:
        problem, scores, applied = encoded
        problem = problem.with_pins(pin_pairs)
    else:
        problem, scores, applied = encode_cohort(
            cohort,
            config,
            scores=scores,
            boost=boost,
            forbidden=forbidden,
            failed=failed,
            pins=pin_pairs,
            earlier=earlier,
            progress=progress,
        )
    t1 = time.perf_counter()
    peak_score = peak_mib()
    if progress is not None:
        progress("score")
    side = side_rules(config, scores, problem)
    if max_changes is not None:
        if max_changes < 0:
            raise OptionError(f"max_changes must be 0 or more, not {max_changes}")
        side = side.adding(ChangeBudget(tuple(keep), int(max_changes)))
        if max_changes > 0 and problem.kind == "candidates" and getattr(problem, "multi", False):
            from matcher.solve.candidates import DENSE_LIMIT

            raise ConfigError(
                [
                    Issue(
                        cohort.files[1],
                        None,
                        "mentors_wanted",
                        None,
                        "--max-changes above 0 cannot be used when a mentee wants several mentors and "
                        f"the cohort is above {DENSE_LIMIT:,} pairs (mentees × mentors): only CP-SAT bounds the "
                        "moves with several mentors, and it needs every pair in memory",
                        "re-match with --max-changes 0 (every working pair kept), or match smaller groups",
                    )
                ]
            )
    check_pins(problem, pins, cohort, side)
    check_mentor_minimum(problem, cohort, side)
    warnings = programme_warnings(problem, cohort)
    problem, solution, certificate = problem.certify(
        side, lambda p: solve(p, side, config), progress=progress
    )
    scores = problem.scores_view(scores)
    t2 = time.perf_counter()
    if progress is not None:
        progress("solve")
    report = check(problem, solution.pairing, [side.violations])
    if not report.ok:  # pragma: no cover - a solver bug, never a user error
        raise MatcherError("internal check failed: " + "; ".join(report.violations[:5]))
    if report.objective != solution.objective:  # pragma: no cover
        raise MatcherError("internal check failed: objective differs from the solver's")
    # Unmatched, and (several mentors per mentee) partly matched: fewer mentors than wanted.
    short = solution.pairing.count < mentee_places(problem)
    unmatched = {
        int(i): unmatched_reason(problem, solution.pairing, int(i), config, scores.features, side)
        for rows in problem.rows_ready(np.flatnonzero(short))
        for i in rows
    }
    timings = {"score": t1 - t0, "solve": t2 - t1}
    if peak_score is not None:  # the process's peak memory so far, after each stage
        timings.update(peak_mib_after_score=peak_score, peak_mib_after_solve=peak_mib())
    return MatchResult(
        cohort,
        config,
        scores,
        problem,
        solution,
        report,
        applied,
        unmatched,
        side,
        tuple(warnings),
        timings,
        certificate,
    )


def resolver(result: MatchResult):
    """``resolve(extra_pins) -> Resolved | None``: a re-solve with more pins (None if
    impossible), its assignment a ``mentor_of`` (a :class:`~matcher.solve.pairing.Pairing`
    when a mentee may have several mentors). Among the optimal pairings with the pins it is
    one changing the fewest other mentees from the proposal (the
    :class:`~matcher.solve.side_rules.FewestChanges` tie-break) when the engine that re-solves
    can hold it (the flow, CP-SAT; with several mentors per mentee the fewest pairs of the
    proposal that change); else (the bounded re-match engine, numbers beyond 64 bits, time
    out) a plain re-solve with ``fewest`` False: the delta is exact, the moves are not
    reported."""
    from matcher.errors import InputError
    from matcher.review.alternatives import Resolved
    from matcher.solve.side_rules import FewestChanges

    several = getattr(result.problem, "multi", False)
    tied = result.side.adding(FewestChanges(result.solution.pairing))

    def resolve(extra):
        if several and set(extra) & set(result.problem.pins):
            return None  # a pinned pair cannot be chosen again
        problem = replace(result.problem, pins=result.problem.pins + tuple(extra))
        solution = None
        try:
            engine = engines.choose(result.config.solver.engine, problem, result.side)
            if engine.supports(problem, tied):  # the same engine, with the tie-break
                solution = engine.solve(problem, tied, result.config.solver)
                if solution.status != "OPTIMAL":  # an unproven optimum: not exact
                    solution = None
        except (MatcherError, InputError):  # too large, or impossible: the plain re-solve
            solution = None  # decides (None if the pin is impossible)
        try:
            if solution is None:
                solution = solve(problem, result.side, result.config)
        except (MatcherError, InputError):  # e.g. the pin breaks a side rule: no alternative
            return None
        fewest = solution.fewest_changes is True
        if not several:
            return Resolved(solution.mentor_of, fewest)
        # Several mentors: the extra pin may repeat a pair, overfill the mentee or break
        # distinct mentors, which the solver takes as given: the checker decides.
        if not check(problem, solution.pairing, [result.side.violations]).ok:
            return None
        return Resolved(solution.pairing, fewest)

    return resolve


def alternatives_for(result: MatchResult, k: int = 3, mentees=None, engine=None):
    """Up to k ranked alternatives per mentee with exact deltas (see matcher.review.alternatives).

    ``engine``: a :func:`delta_engine` of this result already built (it is then not built
    again). Returns None for cohorts solved on candidate sets (above
    matcher.solve.candidates.DENSE_LIMIT pairs), where exact deltas would need the dense
    residual graph.
    """
    from matcher.review.alternatives import alternatives

    if alternatives_missing(result) is not None:
        return None  # candidate sets, or a CP-SAT re-solve per alternative (--max-changes)
    if getattr(result.problem, "multi", False):  # several mentors per mentee
        from matcher.review.alternatives import several_alternatives

        deltas = engine if engine is not None and hasattr(engine, "pin_change") else delta_engine(result)
        return several_alternatives(result.problem, result.solution.pairing, k, deltas, mentees=mentees)

    return alternatives(
        result.problem,
        result.solution.mentor_of,
        k,
        result.side,
        mentees=mentees,
        resolve=resolver(result),
        engine=engine,
    )


def alternatives_missing(result: MatchResult) -> str | None:
    """Why ``alternatives_for`` gives None for ``result`` (a warning's words), or None when it
    computes them."""
    from matcher.solve.candidates import DENSE_LIMIT

    if not result.problem.exact_deltas:
        return (
            f"alternatives are not computed for cohorts above {DENSE_LIMIT:,} pairs; "
            "run with --alternatives 0 to skip this step"
        )
    if result.side.budget is not None:
        return "alternatives are not computed with --max-changes above 0"
    return None


def delta_engine(result: MatchResult):
    """The exact-delta engine (``pin_delta(i, j)``) for explanations; when a mentee wants
    several mentors, one answering ``pin_change(i, j)``: shortest paths on the residual graph
    (:class:`~matcher.review.several_residual.SeveralResidual`) where the flow's model
    contracts, else a pinned re-solve per pair asked about
    (:class:`~matcher.review.alternatives.SeveralDeltas`). None above the dense limit (a
    candidate set: no exact deltas, as for alternatives): explain then names the mentors
    without pricing them."""
    from matcher.review.alternatives import delta_engine as engine

    if not result.problem.exact_deltas:
        return None

    if getattr(result.problem, "multi", False):
        from matcher.review.several_residual import several_delta_engine

        return several_delta_engine(result.problem, result.solution.pairing, result.side, resolver(result))
    return engine(result.problem, result.solution.mentor_of, result.side, resolver(result))


def preferences_for(result: MatchResult):
    """The preference audit (:mod:`matcher.review.preferences`), or None when the files have
    no preference column. Costs of unmet choices are exact deltas where alternatives are
    (a dense problem, no --max-changes); otherwise a choice is reported as full or not chosen."""
    from matcher.review.preferences import audit, in_use

    if not in_use(result.cohort):
        return None
    exact = result.problem.exact_deltas and result.side.budget is None
    return audit(result, delta_engine(result) if exact else None)  # several mentors: re-solves


# =========================================================================== files in, outputs out
# One call per ``mentor-match`` command: paths and the command's options (same meanings, same
# defaults) in, a :class:`Run` out. Outputs are built in memory; ``Run.publish()`` writes them
# all at once. The CLI only parses options, calls these, prints and publishes.


@dataclass(frozen=True, eq=False)
class Run:
    """What one command-shaped call produced; nothing is written until :meth:`publish`.

    ``outputs``: file name → bytes (or a :class:`~matcher.report.files.Streamed` output,
    written as it is computed: ``scores``) in the order they are written (read-only; empty
    for ``validate`` and ``explain``); ``out_dir``: the folder :meth:`publish` writes into;
    ``inputs``: the paths read, which no output may overwrite; ``owned``: every name this
    kind of run may write (an old one it does not write is removed on publishing);
    ``message``: what the CLI prints on success, with its line end (for ``explain``, the
    whole explanation); ``warnings``: every warning, in the order found; ``result``: the
    :class:`MatchResult` (``match``, ``rematch``, ``explain``); ``rematch``: the
    :class:`~matcher.rematch.RematchResult` of a rematch; ``cohort``: the loaded cohort.
    """

    outputs: Mapping[str, bytes | Streamed]
    message: str
    warnings: tuple[str, ...] = ()
    out_dir: str | Path | None = None
    inputs: tuple = ()
    owned: tuple[str, ...] = ()
    result: MatchResult | None = None
    rematch: RematchResult | None = None
    cohort: Cohort | None = None

    def publish(self) -> list[str]:
        """Write ``outputs`` into ``out_dir`` atomically, never over an input; → names written.

        Raises OutputError (nothing written) when an output would overwrite an input or the
        folder cannot be written. A run without outputs writes nothing.
        """
        from matcher.report.publish import publish

        if self.out_dir is None:
            return []
        return publish(self.outputs, self.out_dir, inputs=self.inputs, owned=self.owned)


class _Warnings:
    """Collects warning texts in order and hands each to ``warn`` as soon as it is known, so
    that a caller can show them even when a later step fails."""

    def __init__(self, warn: Callable[[str], None] | None):
        self.warn = warn
        self.items: list[str] = []

    def __call__(self, *texts) -> None:
        for text in texts:
            text = str(text)
            self.items.append(text)
            if self.warn is not None:
                self.warn(text)


def _run(outputs: dict[str, bytes], message: str, warnings: _Warnings, **fields) -> Run:
    return Run(MappingProxyType(dict(outputs)), message, tuple(warnings.items), **fields)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def read_pair_files(
    cohort: Cohort, pins=None, forbid=None, *, strict: bool = False, encoding=None
) -> tuple[PairList | None, PairList | None]:
    """Read the pin and forbid files (``mentor-match match/explain --pin/--forbid``) against
    ``cohort`` → (pins, forbidden), each a :class:`PairList` or None where no path is given.

    Ids that match no one are the lists' ``warnings`` (errors with ``strict``): a typo there
    could pair people who must not meet. Raises InputError on bad rows.
    """
    from matcher.errors import InputError
    from matcher.io.pairs_file import read_pairs

    problems: list = []
    lists = []
    for path, kind in ((pins, "pin"), (forbid, "forbid")):
        try:
            lists.append(read_pairs(path, kind, cohort, strict=strict, encoding=encoding) if path else None)
        except InputError as exc:  # the other file's problems too, all at once
            problems.extend(exc.problems)
            lists.append(None)
    if problems:
        raise InputError(problems)
    return lists[0], lists[1]


def apply_capacities(cohort: Cohort, capacity=None, *, strict: bool = False, encoding=None):
    """Read the capacity file (``mentor-match match/explain --capacity``) and apply it →
    (the cohort with those capacities, the :class:`~matcher.io.capacity_file.CapacityList`
    or None when no path is given). The cohort given is not changed. Raises InputError on
    bad rows; ids that match no one are the list's ``warnings`` (errors with ``strict``)."""
    if not capacity:
        return cohort, None
    from matcher.io.capacity_file import read_capacities

    changes = read_capacities(capacity, cohort, strict=strict, encoding=encoding)
    return cohort.with_capacity(changes.capacity), changes


def index_pairs(cohort: Cohort, id_pairs) -> list[tuple[int, int]]:
    """(mentee_id, mentor_id) pairs → (mentee index, mentor index), in id order, leaving out
    pairs whose mentee or mentor is no longer in ``cohort``."""
    out = []
    for e_id, r_id in sorted(id_pairs):
        i, j = cohort.mentee_index(e_id), cohort.mentor_index(r_id)
        if i is not None and j is not None:
            out.append((i, j))
    return out


@dataclass(frozen=True)
class PastRounds:
    """What a history file brings to a new match (``mentor-match match --history``).

    ``entries``: the earlier rounds, every active pair closed as ``ended`` ('new cycle') in
    this round; ``round``: this round's number; ``failed``: index pairs that failed in any
    round, never proposed again; ``earlier``: with ``no_repeat``, every other earlier pair.
    """

    entries: tuple[Entry, ...] = ()
    round: int = 1
    failed: tuple[tuple[int, int], ...] = ()
    earlier: tuple[tuple[int, int], ...] = ()

    def with_pairs(self, cohort: Cohort, mentor_of) -> list[Entry]:
        """The history to write after this round: the entries plus one active entry per
        matched pair (``mentor_of``: mentor index per mentee, −1 = unmatched, or a
        :class:`~matcher.solve.pairing.Pairing`), in mentee then mentor order."""
        from matcher.solve.pairing import as_pairing

        pairing = as_pairing(mentor_of)
        return [
            *self.entries,
            *(
                Entry(self.round, cohort.mentee_ids[i], cohort.mentor_ids[j], "active")
                for i, j in pairing.pairs.tolist()
            ),
        ]


def past_rounds(cohort: Cohort, history=None, *, no_repeat: bool = False, encoding=None) -> PastRounds:
    """Read ``history`` (a history.csv path, or None for a first round) for a new match of
    ``cohort`` → :class:`PastRounds`.

    Failed pairs are never proposed again; with ``no_repeat`` no earlier pair is (a new
    cycle). Raises OptionError for ``no_repeat`` without a history, InputError for a bad file.
    """
    from matcher.io.history import read_history

    if no_repeat and not history:
        raise OptionError("--no-repeat needs --history")
    if not history:
        return PastRounds()
    entries = read_history(history, encoding)
    failed_ids = {(e.mentee_id, e.mentor_id) for e in entries if e.outcome == "failed"}
    earlier: list[tuple[int, int]] = []
    if no_repeat:
        earlier = index_pairs(cohort, {(e.mentee_id, e.mentor_id) for e in entries} - failed_ids)
    rnd = next_round(entries)
    closed = tuple(
        Entry(e.round, e.mentee_id, e.mentor_id, "ended", "new cycle", rnd) if e.outcome == "active" else e
        for e in entries
    )
    return PastRounds(closed, rnd, tuple(index_pairs(cohort, failed_ids)), tuple(earlier))


@dataclass(frozen=True)
class RematchInputs:
    """The files a rematch reads besides the questionnaires (``mentor-match rematch``).

    ``previous``: the (mentee_id, mentor_id) pairs of the previous pairs.csv; ``failed_file``
    and ``failed``: the failed-pairs file's name and its rows; ``history``: its entries
    (empty when there is none); ``history_path``: the file given, else history.csv beside the
    pairs (an input even when absent, so no output lands on it); ``previous_unmatched``: the
    mentee ids of unmatched.csv beside the pairs, when there is one.
    """

    previous: tuple[tuple[str, str], ...]
    failed_file: str
    failed: tuple
    history: tuple[Entry, ...]
    history_path: Path
    previous_unmatched: frozenset[str]


def _collect(problems: list, read, default):
    """``read()``, or ``default`` with the InputError's problems added to ``problems``."""
    from matcher.errors import InputError

    try:
        return read()
    except InputError as exc:
        problems.extend(exc.problems)
        return default


def _previous_pairs(pairs, encoding, problems: list):
    """A previous run's pairs.csv → its (mentee_id, mentor_id) pairs, or None when it could
    not be read (its problems go to ``problems``)."""
    from matcher.io.pairs_file import read_columns

    rows = _collect(problems, lambda: read_columns(pairs, ("mentee_id", "mentor_id"), (), encoding)[1], None)
    if rows is None:
        return None
    return tuple((r["mentee_id"], r["mentor_id"]) for r in rows if r["mentee_id"] and r["mentor_id"])


def _beside_pairs(pairs, history, encoding, problems: list):
    """What a re-match reads beside a previous run's pairs.csv → (history path: ``history``,
    else history.csv beside the pairs; its entries, empty when absent; the mentee ids of
    unmatched.csv beside the pairs). Each file's problems go to ``problems``."""
    from matcher.io.history import beside, read_history
    from matcher.io.pairs_file import read_columns

    hist_path = Path(history) if history else beside(pairs)
    entries = (
        _collect(problems, lambda: read_history(hist_path, encoding), [])
        if (history or hist_path.is_file())
        else []
    )
    unmatched_path = Path(pairs).with_name("unmatched.csv")
    unmatched: frozenset[str] = frozenset()
    if unmatched_path.is_file():
        urows = _collect(problems, lambda: read_columns(unmatched_path, ("mentee_id",), (), encoding)[1], [])
        unmatched = frozenset(r["mentee_id"] for r in urows)
    return hist_path, tuple(entries), unmatched


def read_rematch_inputs(pairs, failed, history=None, *, encoding=None) -> RematchInputs:
    """Read a previous run's ``pairs`` (its pairs.csv), the ``failed`` pairs file (None: no
    failed pairs, as in a mentor approval), the history (``history``, else history.csv beside
    ``pairs`` when it exists) and unmatched.csv beside ``pairs`` → :class:`RematchInputs`.
    Raises InputError for a bad file."""
    from matcher.errors import InputError
    from matcher.rematch import failed_pair_problems, failed_rows

    problems: list = []
    previous = _previous_pairs(pairs, encoding, problems)
    failed_file, failures, bad_rows = (
        ("", [], [])
        if failed is None
        else _collect(problems, lambda: failed_rows(failed, encoding), (Path(failed).name, [], []))
    )
    problems.extend(bad_rows)
    if previous is not None:  # the pairs could be read: check every failed pair against them
        problems.extend(failed_pair_problems(failures, previous, failed_file))
    hist_path, entries, unmatched = _beside_pairs(pairs, history, encoding, problems)
    if problems:
        raise InputError(problems)
    return RematchInputs(previous or (), failed_file, tuple(failures), entries, hist_path, unmatched)


def match_files(
    mentors,
    mentees,
    config=None,
    *,
    out,
    pins=None,
    forbid=None,
    capacity=None,
    history=None,
    no_repeat: bool = False,
    alternatives: int = 3,
    anonymise: bool = False,
    encoding=None,
    strict: bool = False,
    sheet=None,
    progress=None,
    warn: Callable[[str], None] | None = None,
) -> Run:
    """``mentor-match match``: load, match and build every output, from file paths.

    Takes the questionnaire paths, an optional config (TOML path), ``out`` (the output
    folder) and the command's options: ``pins`` / ``forbid`` (pair files), ``capacity``
    (mentor_id, capacity, reason: capacities for this round instead of the file's), ``history``
    (history.csv of earlier rounds: failed pairs are never proposed again) with
    ``no_repeat`` (no earlier pair either), ``alternatives`` (ranked alternatives per
    mentee; 0 = none), ``anonymise`` (ids instead of names in report.html), ``encoding``, ``sheet`` (of an .xlsx),
    ``strict`` (unknown ids are errors), ``progress(stage, done, total)`` and ``warn(text)``
    (called with each warning as soon as it is known).

    Returns a :class:`Run` holding pairs.csv, unmatched.csv, alternatives.csv (when
    computed), history.csv, pairs.xlsx, report.html, summary.json and timings.json; call
    ``run.publish()`` to write them. Raises InputError, InfeasibleError, OptionError
    (``no_repeat`` without ``history``).
    """
    warnings = _Warnings(warn)
    t0 = time.perf_counter()
    cohort, cfg, changes, pin_list, forbid_list = _load_with_pairs(
        mentors,
        mentees,
        config,
        pins,
        forbid,
        encoding=encoding,
        strict=strict,
        capacity=capacity,
        sheet=sheet,
    )
    warnings(*_input_warnings(cohort, changes, pin_list, forbid_list))
    load_seconds = time.perf_counter() - t0
    load_peak = peak_mib()
    if progress is not None:
        progress("load")
    past = past_rounds(cohort, history, no_repeat=no_repeat, encoding=encoding)
    result = match(
        cohort,
        cfg,
        pins=pin_list,
        forbidden=forbid_list.pairs if forbid_list else (),
        failed=past.failed,
        earlier=past.earlier,
        progress=progress,
    )
    result.timings["load"] = load_seconds
    if load_peak is not None:
        result.timings["peak_mib_after_load"] = load_peak
    warnings(*result.warnings)
    alts = None
    if alternatives:
        t1 = time.perf_counter()
        alts = alternatives_for(result, alternatives)
        result.timings["alternatives"] = time.perf_counter() - t1
        if alts is None:
            warnings(alternatives_missing(result))
    outputs = match_outputs(
        result,
        alts,
        history=past.with_pairs(cohort, result.solution.pairing),
        anonymise=anonymise,
        preferences=preferences_for(result),
    )
    message = (
        f"Matched {result.report.matched} of {cohort.n_mentees} mentees{_several_words(result)} with "
        f"{result.solution.solver} ({result.solution.status}); outputs in {out}\n"
    )
    return _run(
        outputs,
        message,
        warnings,
        out_dir=out,
        inputs=(mentors, mentees, config, pins, forbid, capacity, history),
        owned=MATCH_OWNED,
        result=result,
        cohort=cohort,
    )


def _several_words(result: MatchResult) -> str:
    """ " (7 pairs; 2 partly matched)" when some mentee wants several mentors, else ""."""
    if not getattr(result.problem, "multi", False):
        return ""
    pairing = result.solution.pairing
    partly = int(((pairing.count > 0) & (pairing.count < mentee_places(result.problem))).sum())
    return f" ({_count(pairing.size, 'pair')}; {partly} partly matched)"


def rematch_files(
    mentors,
    mentees,
    config=None,
    *,
    pairs,
    failed,
    out,
    history=None,
    pins=None,
    forbid=None,
    capacity=None,
    max_changes: int = 0,
    alternatives: int = 0,
    anonymise: bool = False,
    encoding=None,
    strict: bool = False,
    sheet=None,
    warn: Callable[[str], None] | None = None,
) -> Run:
    """``mentor-match rematch``: re-match after failed rapport, keeping the pairs that work.

    Takes the questionnaire paths, an optional config, ``pairs`` (the previous run's
    pairs.csv; unmatched.csv and history.csv beside it are read when present), ``failed``
    (mentee_id, mentor_id, reason, note), ``out`` (the output folder) and the command's
    options: ``history`` (instead of history.csv beside ``pairs``), ``pins`` / ``forbid`` /
    ``capacity`` (the coordinator's decisions for this round, as for ``match``), ``max_changes`` (working
    pairs that may move), ``alternatives`` (0 = none), ``anonymise``, ``encoding``, ``sheet``,
    ``strict`` and ``warn(text)``.

    Returns a :class:`Run` holding pairs.csv (with status), unmatched.csv,
    [alternatives.csv], changes.csv, history.csv, pairs.xlsx, report.html, summary.json and
    timings.json; ``run.rematch`` is the :class:`~matcher.rematch.RematchResult`. Raises
    InputError (e.g. a failed pair not in ``pairs``) or InfeasibleError.
    """
    from matcher.errors import InputError
    from matcher.rematch import rematch

    warnings = _Warnings(warn)
    problems: list = []
    # the cohort's, the pairs', failed and history files' problems, raised at once
    cohort, cfg, changes, pin_list, forbid_list = _load_collecting(
        problems,
        mentors,
        mentees,
        config,
        pins,
        forbid,
        encoding=encoding,
        strict=strict,
        capacity=capacity,
        sheet=sheet,
    )
    given = _collect(problems, lambda: read_rematch_inputs(pairs, failed, history, encoding=encoding), None)
    if problems:
        raise InputError(problems)
    warnings(*_input_warnings(cohort, changes, pin_list, forbid_list))
    res = rematch(
        cohort,
        cfg,
        list(given.previous),
        list(given.failed),
        list(given.history),
        max_changes=max_changes,
        failed_file=given.failed_file,
        previous_unmatched=given.previous_unmatched,
        pins=pin_list,
        forbidden=forbid_list.pairs if forbid_list else (),
    )
    warnings(*res.result.warnings)
    alts = alternatives_for(res.result, alternatives) if alternatives else None
    if alternatives and alts is None and max_changes:
        warnings(
            "alternatives are not computed with --max-changes above 0 "
            "(each would need a CP-SAT re-solve); run with --max-changes 0 to get them"
        )
    elif alternatives and alts is None:
        from matcher.solve.candidates import DENSE_LIMIT

        warnings(
            f"alternatives are not computed for cohorts above {DENSE_LIMIT:,} pairs; "
            "run with --alternatives 0 to skip this step"
        )
    outputs = match_outputs(
        res.result,
        alts,
        history=res.history,
        rematch=res,
        anonymise=anonymise,
        preferences=preferences_for(res.result),
    )
    c = res.counts
    message = (
        f"Round {res.round}: kept {c['kept']}, changed {c['changed']}, new {c['new']}, "
        f"released {c['released']}; {res.result.report.matched} of {cohort.n_mentees} matched "
        f"({res.result.solution.status}); outputs in {out}\n"
    )
    return _run(
        outputs,
        message,
        warnings,
        out_dir=out,
        inputs=(mentors, mentees, config, pairs, failed, pins, forbid, capacity, given.history_path),
        owned=MATCH_OWNED,
        result=res.result,
        rematch=res,
        cohort=cohort,
    )


def approve_files(
    mentors,
    mentees,
    config=None,
    *,
    pairs,
    responses,
    out,
    history=None,
    pins=None,
    forbid=None,
    capacity=None,
    anonymise: bool = False,
    encoding=None,
    strict: bool = False,
    sheet=None,
    warn: Callable[[str], None] | None = None,
) -> Run:
    """``mentor-match approve``: mentors' answers to their proposed mentees, then a re-match.

    Takes the questionnaire paths, an optional config, ``pairs`` (the proposal's pairs.csv;
    history.csv and unmatched.csv beside it are read when present), ``responses``
    (mentor_id, mentee_id, response accept|decline, note), ``out`` and, as for ``rematch``,
    ``pins`` / ``forbid`` / ``capacity`` (the coordinator's decisions for this round — the
    review app passes its workspace's files). Declined pairs are
    never proposed again; accepted and unanswered pairs are kept exactly; the rest is
    re-matched optimally by :func:`matcher.rematch.rematch` (``max_changes = 0``). Returns a
    :class:`Run` with the rematch's files. Raises InputError with every problem in the
    files at once.
    """
    from matcher.approve import read_responses
    from matcher.errors import InputError
    from matcher.rematch import rematch

    warnings = _Warnings(warn)
    problems: list = []
    answers = None
    cohort, cfg, changes, pin_list, forbid_list = _load_collecting(
        problems,
        mentors,
        mentees,
        config,
        pins,
        forbid,
        encoding=encoding,
        strict=strict,
        capacity=capacity,
        sheet=sheet,
    )
    previous = _previous_pairs(pairs, encoding, problems)
    if previous is not None:
        answers, bad = _collect(problems, lambda: read_responses(responses, previous, encoding), (None, []))
        problems.extend(bad)
    hist_path, entries, unmatched = _beside_pairs(pairs, history, encoding, problems)
    if problems:
        raise InputError(problems)
    warnings(*_input_warnings(cohort, changes, pin_list, forbid_list))
    res = rematch(
        cohort,
        cfg,
        list(previous),
        list(answers.declined),
        list(entries),
        max_changes=0,
        failed_file=answers.file,
        previous_unmatched=unmatched,
        pins=pin_list,
        forbidden=forbid_list.pairs if forbid_list else (),
    )
    warnings(*res.result.warnings)
    outputs = match_outputs(
        res.result,
        None,
        history=res.history,
        rematch=res,
        anonymise=anonymise,
        preferences=preferences_for(res.result),
        approval={"accepted": len(answers.accepted), "declined": len(answers.declined)},
    )
    c = res.counts
    message = (
        f"{len(answers.accepted)} accepted, {len(answers.declined)} declined; round {res.round}: kept "
        f"{c['kept']}, changed {c['changed']}, new {c['new']}, released {c['released']}; "
        f"{res.result.report.matched} of {cohort.n_mentees} matched ({res.result.solution.status}); "
        f"outputs in {out}\n"
    )
    return _run(
        outputs,
        message,
        warnings,
        out_dir=out,
        inputs=(mentors, mentees, config, pairs, responses, pins, forbid, capacity, hist_path),
        owned=MATCH_OWNED,
        result=res.result,
        rematch=res,
        cohort=cohort,
    )


def scores_files(
    mentors,
    mentees,
    config=None,
    *,
    out,
    format: str = "csv",
    encoding=None,
    strict: bool = False,
    sheet=None,
    warn: Callable[[str], None] | None = None,
) -> Run:
    """``mentor-match scores``: every mentee–mentor pair with its five Cs, feasibility, the
    rules that excluded it and its objective weight.

    Takes the questionnaire paths, an optional config, ``out`` (the file to write),
    ``format`` ("csv" or "parquet"), ``encoding``, ``sheet``, ``strict`` and ``warn(text)``.
    Returns a :class:`Run` whose one output, named after ``out``, is streamed: publishing
    scores blocks of mentees and writes each before the next (memory stays flat at any
    size), into a temporary file renamed into place at the end. Raises InputError.
    """
    from matcher.report.scores_file import scores_output

    warnings = _Warnings(warn)
    cohort, cfg = load(mentors, mentees, config, encoding=encoding, strict=strict, sheet=sheet)
    warnings(*cohort_warnings(cohort))
    target = Path(out)
    outputs = {target.name: scores_output(cohort, cfg, format)}
    message = f"Wrote {cohort.n_mentees * cohort.n_mentors} pairs to {out}\n"
    return _run(
        outputs,
        message,
        warnings,
        out_dir=target.parent if str(target.parent) else ".",
        inputs=(mentors, mentees, config),
        cohort=cohort,
    )


def validate_files(
    mentors,
    mentees,
    config=None,
    *,
    encoding=None,
    strict: bool = False,
    sheet=None,
    warn: Callable[[str], None] | None = None,
) -> Run:
    """``mentor-match validate``: check both files and the config.

    Returns a :class:`Run` without outputs whose message says how many people were read and
    whether there were warnings (every warning in ``warnings`` and passed to ``warn``).
    Raises InputError listing every problem at once (with ``strict``, unknown ids too).
    """
    warnings = _Warnings(warn)
    cohort, _ = load(mentors, mentees, config, encoding=encoding, strict=strict, sheet=sheet)
    warnings(*cohort_warnings(cohort))
    n_w = len(warnings.items)
    people = f"{_count(cohort.n_mentors, 'mentor')} and {_count(cohort.n_mentees, 'mentee')}"
    if n_w:
        message = f"OK: {people}, no errors; {_count(n_w, 'warning')} above.\n"
    else:
        message = f"OK: {people}, no problems found.\n"
    return _run({}, message, warnings, cohort=cohort)


def explain_files(
    mentors,
    mentees,
    config=None,
    *,
    mentee,
    mentor=None,
    pins=None,
    forbid=None,
    capacity=None,
    encoding=None,
    strict: bool = False,
    sheet=None,
    warn: Callable[[str], None] | None = None,
) -> Run:
    """``mentor-match explain``: why ``mentee`` (an id) got their mentor, or how ``mentor``
    (an id) would compare — the five Cs with their evidence, readiness, and why each
    higher-scoring mentor was not chosen.

    Takes the questionnaire paths, an optional config, the ids, the ``pins`` / ``forbid`` /
    ``capacity`` files used in the match, ``encoding``, ``sheet``, ``strict`` and ``warn(text)``. Returns a
    :class:`Run` without outputs whose ``message`` is the explanation. Raises InputError
    (also when an id matches no one), InfeasibleError.
    """
    from matcher.errors import InputError, Problem
    from matcher.review.explain import explain_text

    warnings = _Warnings(warn)
    cohort, cfg, changes, pin_list, forbid_list = _load_with_pairs(
        mentors,
        mentees,
        config,
        pins,
        forbid,
        encoding=encoding,
        strict=strict,
        capacity=capacity,
        sheet=sheet,
    )
    lists = (changes, pin_list, forbid_list)
    warnings(*cohort.warnings, *(w for p in lists if p is not None for w in p.warnings))
    i = cohort.mentee_index(mentee)
    j = None if mentor is None else cohort.mentor_index(mentor)
    problems = []
    if i is None:
        problems.append(
            Problem("--mentee", None, None, mentee, "matches no one in the mentees file", "give a mentee id")
        )
    if mentor is not None and j is None:
        problems.append(
            Problem("--mentor", None, None, mentor, "matches no one in the mentors file", "give a mentor id")
        )
    if problems:
        raise InputError(problems)
    result = match(cohort, cfg, pins=pin_list, forbidden=forbid_list.pairs if forbid_list else ())
    warnings(*result.warnings)
    text = explain_text(result, i, j, delta_engine(result))
    return _run({}, text, warnings, result=result, cohort=cohort)


MAX_GENERATED = 1_000_000  # people of each side a synthetic cohort may have


def generate_files(mentees: int, mentors: int, *, seed: int = 0, out, preferences: bool = False) -> Run:
    """``mentor-match generate``: a seeded synthetic cohort (nobody real) in the default
    questionnaire format → a :class:`Run` holding mentors.csv and mentees.csv for ``out``.
    The same seed gives the same bytes; ``preferences`` adds the preference columns
    (preferred_mentors, preferred_mentees, declined_mentees; every other cell unchanged)."""
    from matcher.synthetic.cohort import generate_cohort

    for option, value, hi in (("--mentees", mentees, MAX_GENERATED), ("--mentors", mentors, MAX_GENERATED)):
        if not 0 <= value <= hi:
            raise OptionError(f"{option} must be between 0 and {hi:,}, not {value}")
    if seed < 0:
        raise OptionError(f"--seed must be 0 or more, not {seed}")
    mentor_table, mentee_table = generate_cohort(mentees, mentors, seed, preferences=preferences)
    outputs = {
        name: table.to_csv(index=False, lineterminator="\n").encode("utf-8")
        for name, table in (("mentors.csv", mentor_table), ("mentees.csv", mentee_table))
    }
    message = f"Wrote {mentors} mentors and {mentees} mentees to {out}\n"
    return _run(outputs, message, _Warnings(None), out_dir=out)


def questionnaire_files(*, out) -> Run:
    """``mentor-match questionnaire``: the questionnaire kit for ``out`` — the questions for
    each side (questions.md, questions.html), a spreadsheet template per side
    (mentors.xlsx, mentees.xlsx), the questions as form tools build them (form.json) and a
    programme.toml that maps those forms' export headers. See :mod:`matcher.report.kit`."""
    from matcher.report.kit import KIT_FILES, kit_outputs

    message = (
        f"Wrote the questionnaire kit to {out}: questions.html and questions.md (the questions), "
        "mentors.xlsx and mentees.xlsx (templates), form.json (for Google or Microsoft Forms), "
        "programme.toml (the config for their exports)\n"
    )
    return _run(kit_outputs(), message, _Warnings(None), out_dir=out, owned=KIT_FILES)


def map_files(mentors, mentees, config=None, *, out, encoding=None, sheet=None) -> Run:
    """``mentor-match map``: propose a ``[columns]`` mapping for two exports → a :class:`Run`
    whose one output (named after ``out``, a .toml file) is the proposal, with a confidence
    and a reason per line, the headers left unmapped, required columns not found and the
    answers the loader would not understand. A proposal only: ``match`` never guesses.
    ``sheet``: the sheet of an .xlsx export to read (default: the first). Raises
    InputError when a file or the config cannot be read."""
    from matcher.io.propose import columns_toml, propose_columns

    cfg = load_config(config, ALL_NAMES)
    proposal = propose_columns(mentors, mentees, cfg, encoding=encoding, sheet=sheet)
    target = Path(out)
    counts = ", ".join(
        f"{len(p.mapped)} of {len(p.mapped) + len(p.unmapped)} {side} columns" for side, p in proposal.items()
    )
    missing = [f"{side}: {c}" for side, p in proposal.items() for c in p.missing]
    message = f"Proposed a mapping for {counts} in {out}: check it, then use it with --config\n"
    warnings = _Warnings(None)
    if missing:
        warnings(f"no column found for required {', '.join(missing)}: map it by hand")
    return _run(
        {target.name: columns_toml(proposal).encode("utf-8")},
        message,
        warnings,
        out_dir=target.parent if str(target.parent) else ".",
        inputs=(mentors, mentees, config),
    )
