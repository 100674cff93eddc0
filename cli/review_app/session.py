"""A review session: the cohort loaded once, the workspace, and the proposal its decisions give.

``Session(mentors, mentees, config, workspace=DIR, pins=…, forbid=…, history=…)`` loads and
scores the cohort once, opens (or creates) the workspace (:mod:`cli.review_app.state`) and
keeps the current proposal — a :class:`Proposal` per version, computed by the same calls
as the commands:

* match stage: :func:`matcher.api.match` on the cohort with the workspace's capacities,
  pins and forbidden pairs — what ``mentor-match match --pin DIR/pins.csv --forbid
  DIR/forbid.csv --capacity DIR/capacity.csv`` computes (the scores and the encoding are
  reused between re-solves: capacity, pins and forbids never change a score, and only
  the pairs a decision names change in the encoding — see :meth:`Session._encoded`);
* re-match stage: :func:`matcher.rematch.rematch` from the published round's pairs and
  history with the workspace's failed pairs — what ``mentor-match rematch --pairs
  DIR/round-N/pairs.csv --failed DIR/failed.csv --pin … --forbid … --capacity …`` computes;
* approval stage: the same call with the mentors' declined pairs as the failed ones
  (reason ``declined``; accepted and unanswered pairs kept exactly) — what ``mentor-match
  approve --pairs DIR/round-N/pairs.csv --responses DIR/responses.csv --pin … --forbid …
  --capacity …`` computes.

``preview(entry)`` says what an action would do before it is confirmed — Δ matched, Δ
total score (exact, in hundredths) and which other mentees would change mentor: a look-up
in the delta engine for "use this mentor" in the match stage, an exact re-solve for
everything else and for every action when mentees may want several mentors (the pin look-up
is one mentor each; such an effect also gives Δ pairs) (kept, so that confirming it costs nothing more; a looked-up action is
re-solved ahead once the app is idle, see :meth:`Session.warm`). ``act(entry,
based_on)`` checks the action, re-solves, saves it in the workspace (refusing a stale
``based_on``) and remembers what changed so the page can highlight it; ``undo`` /
``redo`` likewise. ``publish(based_on)`` writes ``DIR/round-N/`` through
:func:`matcher.api.match_files` / :func:`matcher.api.rematch_files` — the commands' own
calls — after checking that they give the proposal on screen.

Calls are serialised by one lock (the web server runs requests on threads). Nothing here
knows about HTTP.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from cli.review_app.state import (
    CAPACITY,
    FAILED,
    FORBID,
    PINS,
    RESPONSES,
    Decisions,
    Stage,
    StaleState,
    Workspace,
    WorkspaceError,
)
from matcher.errors import InfeasibleError, InputError, MatcherError, OptionError

ALTERNATIVES = 3  # as mentor-match match's default
AHEAD_AFTER = 0.25  # seconds without a page asked for before a previewed action is re-solved


@dataclass(frozen=True)
class Move:
    """A mentee whose mentor would change (ids; '' for none)."""

    mentee: str
    old: str
    new: str


@dataclass(frozen=True)
class Effect:
    """What an action does to the proposal: Δ matched, Δ total score in hundredths (exact),
    the other mentees who change mentor, and how it was found (``look-up`` in the residual
    graph of the optimal flow, or ``re-solve``). ``problem``: why it cannot be done ('' if it
    can)."""

    entry: dict
    version: int
    delta_matched: int = 0
    delta_units: int = 0
    moves: tuple[Move, ...] = ()
    how: str = "re-solve"
    problem: str = ""
    delta_pairs: int | None = None  # several mentors per mentee: Δ pairs (places filled)
    # A pin re-solved (side rules, several mentors): the other mentees the same pinned
    # re-solve as alternatives.csv's ``moves`` must move — the fewest among the optimal
    # pairings, or None where that was not proven (alternatives.csv leaves it blank); only
    # when ``counted``. ``moves`` then lists who changes in the proposal Confirm gives.
    counted: bool = False
    fewest: int | None = None

    @property
    def possible(self) -> bool:
        return not self.problem

    @property
    def delta_score(self) -> float:
        return self.delta_units / 100.0


@dataclass(frozen=True)
class Change:
    """What the last confirmed action changed (for the highlight): the effect as found by
    the re-solve, and the effect the preview had promised."""

    version: int
    entry: dict
    effect: Effect
    promised: Effect | None = None


class Proposal:
    """The proposal of one version: the solve result and everything the pages read from it,
    computed on first use. ``error``: the message when the decisions cannot be solved (files
    changed since they were made); then ``result`` is None."""

    def __init__(
        self, session: Session, version: int, stage: Stage, result=None, rematch=None, error="", tables=None
    ):
        self.session, self.version, self.stage = session, version, stage
        self.result, self.rematch, self.error = result, rematch, error
        if tables is not None:  # computed ahead by the same function (see Session._solve_ahead)
            self.__dict__["tables"] = tables
        self._engine_lock = threading.Lock()
        self._engine_built = False
        self._engine = None

    @property
    def engine(self):
        """The exact-delta engine of this proposal (residual shortest paths: ~0.5 s at
        1,000 × 400), built once — by :meth:`warm` on a background thread once the page
        showing the proposal has been sent (:meth:`Session.warm`), so that it is usually ready
        before anyone asks; None where deltas are not exact (candidate sets, ``--max-changes``)."""
        with self._engine_lock:
            if not self._engine_built:
                from matcher.api import delta_engine

                r = self.result
                if r is not None and r.problem.exact_deltas and r.side.budget is None:
                    self._engine = delta_engine(r)
                self._engine_built = True
            return self._engine

    def warm(self) -> None:
        """Build the engine on a daemon thread (the page showing the proposal does not wait)."""
        if self.result is not None and not self._engine_built:
            threading.Thread(target=lambda: self.engine, daemon=True, name="delta-engine").start()

    def alternatives_of(self, mentees) -> list:
        """The ranked alternatives of these mentee indices (as alternatives.csv has them)."""
        from matcher.api import alternatives_for

        engine = self.engine
        if self.result is None or engine is None:
            return []
        return alternatives_for(self.result, ALTERNATIVES, mentees=list(mentees), engine=engine) or []

    @cached_property
    def alternatives(self):
        """Every mentee's alternatives (what alternatives.csv holds)."""
        from matcher.api import alternatives_for

        if self.result is None or self.engine is None:
            return None
        return alternatives_for(self.result, ALTERNATIVES, engine=self.engine)

    @cached_property
    def tables(self) -> dict:
        """The report's tables (header, rows) and summary, as the published files hold them
        (alternatives aside: fetched per mentee, see :meth:`alternatives_of`)."""
        return _tables(self.session, self.result, self.rematch)

    @cached_property
    def summary(self) -> dict:
        """summary.json's content (cheap: every page's status line reads it)."""
        return _summary(self.result, self.rematch)

    @property
    def pairing(self):
        """The chosen pairs (:class:`matcher.solve.pairing.Pairing`; several per mentee when
        mentees want several mentors)."""
        return self.result.solution.pairing

    @property
    def mentor_of(self) -> np.ndarray:
        """(n_e,) mentor per mentee, −1 unmatched; raises SeveralMentorsError when a mentee
        has several (read :attr:`pairing` then)."""
        return self.result.solution.mentor_of

    def totals(self) -> tuple[int, int]:
        """(pairs, total score in hundredths)."""
        return _totals(self.result)


def _totals(result) -> tuple[int, int]:
    """(pairs chosen, total shown score in hundredths) of a solve result."""
    from matcher.solve.bonus import shown_scores
    from matcher.solve.problem import score_units

    pairing, p = result.solution.pairing, result.problem
    units = score_units(shown_scores(p, p.pair_scores(pairing.mentee, pairing.mentor)))
    return pairing.size, int(units.sum())


def _tables(session: Session, result, rematch) -> dict:
    """What :attr:`Proposal.tables` holds, for a solve result (and its re-match)."""
    from matcher.report import tables as T

    status = rematch.status if rematch is not None else None
    out = {
        "pairs": T.pairs_table(result, status, session.why_memo(result)),
        "unmatched": T.unmatched_table(result),
        "summary": _summary(result, rematch),
    }
    if rematch is not None:
        out["changes"] = (
            ["mentee_id", "old_mentor_id", "new_mentor_id", "why"],
            [list(c) for c in rematch.changes],
        )
    return out


def _summary(result, rematch) -> dict:
    from matcher.report import tables as T

    info = T.summary(result)
    return T.with_round(info, rematch) if rematch is not None else info


def _sha256(path) -> str | None:
    if path is None:
        return None
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Session:
    """See the module docstring. ``warnings``: texts for the terminal (input warnings and
    changes since the workspace was made), no personal data. ``exclusive``: hold the
    workspace's lock (the ``review`` command does: one app per workspace)."""

    def __init__(
        self,
        mentors,
        mentees,
        config=None,
        *,
        workspace,
        pins=None,
        forbid=None,
        history=None,
        encoding=None,
        strict: bool = False,
        sheet=None,
        exclusive: bool = False,
    ):
        from matcher.api import load, past_rounds, read_pair_files
        from matcher.solve.candidates import DENSE_LIMIT
        from scoring.combine import score_cohort

        self.lock = threading.RLock()
        self.paths = {"mentors": mentors, "mentees": mentees, "config": config, "history": history}
        self.encoding, self.strict, self.sheet = encoding, strict, sheet
        self.cohort, self.config = load(
            mentors, mentees, config, encoding=encoding, strict=strict, sheet=sheet
        )
        self.warnings: list[str] = [str(w) for w in self.cohort.warnings]
        self.past = past_rounds(self.cohort, history, encoding=encoding)
        self.dense = self.cohort.n_mentees * self.cohort.n_mentors <= DENSE_LIMIT
        self.scores = score_cohort(self.cohort, self.config.scoring) if self.dense else None
        inputs = (mentors, mentees, config, pins, forbid, history)
        self.workspace = Workspace(workspace, self.cohort.mentor_ids, protected=inputs, exclusive=exclusive)
        seeds = read_pair_files(self.cohort, pins, forbid, strict=strict, encoding=encoding)
        for p in seeds:
            if p is not None:
                self.warnings.extend(str(w) for w in p.warnings)
        self._check_meta(pins, forbid, seeds)
        self._proposals: dict[int, Proposal] = {}
        self._base = None  # the encoding with nothing forbidden or pinned: see _encoded
        self._why: dict[tuple[int, int], str] = {}
        self._previews: dict[tuple, tuple[Effect, object]] = {}
        self._solving: dict[tuple, Future] = {}  # previews being re-solved ahead (see warm)
        self._ahead = None  # (proposal, entry, state) last previewed by a look-up: see warm
        self._timer: threading.Timer | None = None
        self.last_change: Change | None = None

    # ------------------------------------------------------------------ workspace identity
    def _check_meta(self, pins, forbid, seeds) -> None:
        """Record the inputs on a new workspace (and import the --pin/--forbid files as its
        first decision); on a resumed one, say what changed and refuse other seed files."""
        names = ("mentors", "mentees", "config", "history")
        now = {k: _sha256(self.paths[k]) for k in names}
        seed_sums = {"pin": _sha256(pins), "forbid": _sha256(forbid)}
        meta = self.workspace.read_meta()
        if meta is None:
            self.workspace.write_meta(
                {
                    "inputs": {
                        k: str(Path(self.paths[k]).resolve()) if self.paths[k] else None for k in names
                    },
                    "sha256": now,
                    "seeds": seed_sums,
                }
            )
            pin_list, forbid_list = seeds
            if (pin_list and pin_list.ids) or (forbid_list and forbid_list.ids):
                entry = {
                    "action": "import",
                    "pins": list(pin_list.ids) if pin_list else [],
                    "forbids": [
                        [e, r, why] for (e, r), why in zip(forbid_list.ids, forbid_list.reasons, strict=True)
                    ]
                    if forbid_list
                    else [],
                }
                self.workspace.record(entry, self.workspace.version)
            return
        for k in names:
            if meta.get("sha256", {}).get(k) != now[k]:
                self.warnings.append(
                    f"the {k} {'file' if now[k] else 'option'} differs from when this workspace was made; "
                    "the decisions are applied by id to the files given now"
                )
        for k, given in (("pin", pins), ("forbid", forbid)):
            if given and meta.get("seeds", {}).get(k) != seed_sums[k]:
                raise OptionError(
                    f"this workspace was started with another --{k} file (or none); its decisions are in the "
                    f"workspace already: run without --{k}, or give a new --workspace to start again"
                )

    # ------------------------------------------------------------------ solving
    @property
    def state(self):
        return self.workspace.state

    @property
    def version(self) -> int:
        return self.workspace.version

    def _pair_lists(self, decisions: Decisions):
        """(cohort with this round's capacities, pins PairList, forbidden index pairs) built
        from the decisions exactly as the commands read the workspace's files."""
        from matcher.io.pairs_file import PairList

        c = self.cohort
        caps = {c.mentor_index(r): cap for r, cap, _ in decisions.capacity_rows()}
        cohort = c.with_capacity(caps)
        rows = decisions.pin_rows()
        pins = PairList(
            PINS,
            tuple((c.mentee_index(e), c.mentor_index(r)) for e, r in rows),
            tuple(range(2, len(rows) + 2)),
            tuple(rows),
            ("",) * len(rows),
            (),
        )
        forbidden = tuple(
            (c.mentee_index(e), c.mentor_index(r)) for e, r, _ in decisions.forbid_rows(c.mentor_ids)
        )
        return cohort, pins, forbidden

    def _solve(self, stage: Stage, decisions: Decisions):
        """(MatchResult, RematchResult or None) of these decisions; raises InputError /
        InfeasibleError when they cannot hold."""
        from matcher.api import match

        cohort, pins, forbidden = self._pair_lists(decisions)
        if stage.kind == "match":
            result = match(
                cohort,
                self.config,
                pins=pins,
                forbidden=forbidden,
                failed=self.past.failed,
                earlier=self.past.earlier,
                scores=self.scores,
                encoded=self._encoded(cohort, pins, forbidden),
            )
            return result, None
        from matcher.rematch import Failure, rematch

        given = self._source(stage)
        failures = [
            Failure(e, r, reason, note, n)
            for n, (e, r, reason, note) in enumerate(decisions.failed_rows(), start=2)
        ]
        failed_file = FAILED
        if stage.kind == "approve":
            failures, failed_file = self._declined(decisions), RESPONSES
        res = rematch(
            cohort,
            self.config,
            list(given.previous),
            failures,
            list(given.history),
            failed_file=failed_file,
            previous_unmatched=given.previous_unmatched,
            pins=pins,
            forbidden=forbidden,
        )
        return res.result, res

    @staticmethod
    def _declined(decisions: Decisions) -> list:
        """The declined pairs as failed ones (reason ``declined``, the mentor's note, the row
        of responses.csv) — as :func:`matcher.approve.read_responses` reads that file."""
        from matcher.rematch import Failure

        return [
            Failure(e, r, "declined", note, n)
            for n, (r, e, answer, note) in enumerate(decisions.response_rows(), start=2)
            if answer == "decline"
        ]

    def _encoded(self, cohort, pins, forbidden):
        """(problem, scores, rules applied) for ``match(encoded=…)``: what ``match`` would
        encode from these capacities, pins and forbidden pairs, derived from one encoding
        per session with nothing forbidden or pinned, so that a re-solve mostly runs the
        solver — dense: :func:`matcher.solve.encode.with_forbidden` sets the forbid bit of
        a few pairs; candidate sets: :func:`matcher.solve.candidate_reuse.derive` redoes the
        rows and columns the decisions touch. None where ``match`` must encode itself."""
        pin_pairs = pins.pairs if pins is not None else ()
        if self.config.preferences.shortlist:
            return None  # the shortlist tier reads the total capacity: match encodes
        if self.dense:
            from matcher.solve.encode import build_problem, with_forbidden

            if self._base is None:
                self._base = build_problem(
                    self.cohort, self.config, self.scores, failed=self.past.failed, earlier=self.past.earlier
                )
            problem, applied = with_forbidden(*self._base, cohort.capacity, forbidden, pin_pairs)
            return problem, self.scores, applied
        if self.config.preferences.scored and self.cohort.preferences.stated:
            return None  # bonuses on candidate sets: match encodes (candidate_reuse has none)
        from matcher.solve import candidate_reuse
        from matcher.solve.candidates import SparseScores
        from scoring.combine import prepare_scoring

        if self._base is None:
            ctx = prepare_scoring(self.cohort, self.config.scoring)
            self._base = candidate_reuse.prepare(
                self.cohort, self.config, ctx, failed=self.past.failed, earlier=self.past.earlier
            )
        problem, applied = candidate_reuse.derive(
            self._base, cohort.capacity, forbidden=forbidden, pins=pin_pairs
        )
        return problem, SparseScores(self._base.ctx, problem), applied

    def _source(self, stage: Stage):
        """The published round a re-match or an approval starts from (its pairs, history and
        unmatched; failed.csv in a re-match — an approval has none, nor the file)."""
        from matcher.api import read_rematch_inputs

        folder = self.workspace.round_dir(stage.source)
        if not (folder / "pairs.csv").is_file():
            raise WorkspaceError(
                f"{folder / 'pairs.csv'} is missing: the published round {stage.source} was removed"
            )
        failed = self.workspace.file(FAILED) if stage.kind == "rematch" else None
        return read_rematch_inputs(folder / "pairs.csv", failed, encoding=None)

    def proposal(self) -> Proposal:
        """The proposal of the current version (solved once per version)."""
        with self.lock:
            v = self.version
            got = self._proposals.get(v)
            if got is None:
                stage, decisions = self.state.stage, self.state.decisions
                try:
                    result, rm = self._solve(stage, decisions)
                    got = Proposal(self, v, stage, result, rm)
                except (InputError, InfeasibleError, WorkspaceError) as exc:
                    got = Proposal(self, v, stage, error=str(exc))
                self._keep(v, got)
            return got

    def _keep(self, version: int, proposal: Proposal) -> None:
        self._proposals = {k: p for k, p in self._proposals.items() if k >= version - 1}
        self._proposals[version] = proposal

    def warm(self) -> None:
        """Work ahead on background threads: build the current proposal's exact-delta engine,
        and re-solve the action last previewed by a look-up once no page has been asked for
        ``AHEAD_AFTER`` seconds (so that confirming it costs no solve). The web layer calls
        this once a page has been sent, so that neither competes with the page (and a quick
        run of previews starts no solves: each page sent restarts the wait); whatever is
        asked before it is ready is computed, or waited for, on the spot."""
        with self.lock:
            got = self._proposals.get(self.version)
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._ahead is not None:
                self._timer = threading.Timer(AHEAD_AFTER, self._solve_ahead)
                self._timer.daemon = True
                self._timer.start()
        if got is not None:
            got.warm()

    def why_memo(self, result) -> dict | None:
        """The ``why`` texts of pairs already worded, for these scores (the match stage's
        scores never change; a re-match scores with its own boosts)."""
        if self.dense:
            same = result.scores is self.scores
        else:  # candidate sets: each result has its own view of the one scoring context
            same = self._base is not None and getattr(result.scores, "ctx", None) is self._base.ctx
        return self._why if same else None

    @property
    def round(self) -> int:
        """The round the current stage publishes."""
        stage = self.state.stage
        return self.past.round if stage.kind == "match" else int(stage.source) + 1

    # ------------------------------------------------------------------ actions
    def check_entry(self, entry: dict) -> dict:
        """Refuse an action naming someone who is not in the cohort, or a pair that is not
        the stage's to fail; → the entry with its fields as text."""
        from matcher.io.load import CAPACITY_MAX
        from matcher.rematch import REASONS

        c, a = self.cohort, entry.get("action")
        problems = []
        if "mentee" in entry and c.mentee_index(str(entry["mentee"])) is None:
            problems.append(f"no mentee has the id {entry['mentee']!r}")
        if "mentor" in entry and c.mentor_index(str(entry["mentor"])) is None:
            problems.append(f"no mentor has the id {entry['mentor']!r}")
        if a in ("leave_out", "bring_back"):
            side = entry.get("side")
            index = c.mentee_index if side == "mentee" else c.mentor_index if side == "mentor" else None
            if index is None or index(str(entry.get("id", ""))) is None:
                problems.append(f"no {side or 'person'} has the id {entry.get('id')!r}")
        if a == "capacity":
            try:
                cap = int(entry.get("capacity"))
            except (TypeError, ValueError):
                cap = -1
            if not 0 <= cap <= CAPACITY_MAX:
                problems.append(f"capacity must be a whole number from 0 to {CAPACITY_MAX}")
        if a in ("pin", "add_pin") and not problems:
            problems += self._pin_problems(entry)
        if a in ("respond", "unrespond"):
            problems += self._response_problems(entry, problems)
        if a == "fail":
            if str(entry.get("reason", "")) not in ("", *REASONS):
                problems.append("reason must be blank or one of: " + ", ".join(REASONS))
            stage = self.state.stage
            if stage.kind == "rematch" and not problems:
                previous = set(self._source(stage).previous)  # (mentee, mentor): several per mentee
                if (str(entry["mentee"]), str(entry["mentor"])) not in previous:
                    problems.append(
                        f"{entry['mentee']} → {entry['mentor']} is not a pair of round {stage.source}"
                    )
        if problems:
            raise WorkspaceError("; ".join(problems))
        return entry

    def _pin_problems(self, entry: dict) -> list[str]:
        """Why a pin cannot be recorded as asked: *use this mentor* (``pin``) makes the
        mentor the mentee's only pinned one, so for a mentee who wants several mentors and
        has another pinned it is refused in favour of *also use this mentor* (``add_pin``),
        which keeps their pins and may pin up to ``mentors_wanted`` pairs."""
        c = self.cohort
        e_id, r_id = str(entry["mentee"]), str(entry["mentor"])
        wanted = int(c.mentors_wanted[c.mentee_index(e_id)])
        held = self.state.decisions.pinned(e_id)
        if r_id in held:
            return [f"{e_id} → {r_id} is pinned already"]
        if entry["action"] == "pin":
            if wanted > 1 and held:
                return [
                    f"{e_id} has {', '.join(held)} pinned already and wants {wanted} mentors: "
                    f"use 'also use this mentor' to pin {r_id} as well, or release a pin first"
                ]
            return []
        if len(held) >= wanted:
            many = f"{wanted} mentors" if wanted != 1 else "one mentor"
            return [
                f"{e_id} wants {many} and has {', '.join(held)} pinned: release a pin first "
                "(or use this mentor instead)"
            ]
        return []

    def _response_problems(self, entry: dict, problems: list) -> list[str]:
        """Why a mentor's answer cannot be recorded: not ``accept`` / ``decline``, not an
        approval, or not a pair of the published round being approved."""
        from cli.review_app.state import ANSWERS

        out = []
        if entry.get("action") == "respond" and str(entry.get("response", "")) not in ANSWERS:
            out.append("response must be one of: " + ", ".join(ANSWERS))
        stage = self.state.stage
        if stage.kind != "approve":
            out.append("mentors' answers are recorded during an approval: start one from a published round")
        elif not problems and not out:
            previous = set(self._source(stage).previous)  # (mentee, mentor): several per mentee
            if (str(entry["mentee"]), str(entry["mentor"])) not in previous:
                out.append(f"{entry['mentee']} → {entry['mentor']} is not a pair of round {stage.source}")
        return out

    def _key(self, entry: dict) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in entry.items()))

    def preview(self, entry: dict) -> Effect:
        """What ``entry`` would do to the current proposal (nothing is saved)."""
        with self.lock:
            v = self.version
            current = self.proposal()
            try:
                self.check_entry(entry)
                clean, state = self.workspace.check(entry, v)
            except WorkspaceError as exc:
                return Effect(dict(entry), v, problem=str(exc))
            quick = self._lookup(current, clean) if current.result is not None else None
            if quick is not None:
                self._ahead = (current, clean, state)  # re-solved ahead: see warm
                return quick
            effect = self._resolved(current, clean, state)[0]
            return self._counted(current, effect)

    def _counted(self, current: Proposal, effect: Effect) -> Effect:
        """A re-solved pin's effect with the moves alternatives.csv gives the same pair: the
        one source of "how many others must move" (``pin_delta`` / ``pin_change`` of the
        proposal's delta engine, the very call alternatives.csv's ``moves`` comes from).
        Only for a pin that adds to the mentee's pins (what that engine prices) in the match
        stage; other effects are returned as they are."""
        entry = effect.entry
        if effect.problem or current.stage.kind != "match" or current.result is None:
            return effect
        if entry["action"] not in ("pin", "add_pin") or current.engine is None:
            return effect
        if entry["action"] == "pin" and self.state.decisions.pinned(entry["mentee"]):
            return effect  # 'use this mentor' replaces a pin: not what the engine prices
        c, engine = self.cohort, current.engine
        i, j = c.mentee_index(entry["mentee"]), c.mentor_index(entry["mentor"])
        if hasattr(engine, "pin_change"):  # several mentors per mentee
            got = engine.pin_change(i, j)
            moves = None if got is None else got[4]
        else:
            got = engine.pin_delta(i, j)
            moves = None if got is None else got[3]
        if got is None:
            return effect
        return replace(effect, counted=True, fewest=moves)

    def _lookup(self, current: Proposal, entry: dict) -> Effect | None:
        """A pin's effect from the residual graph of the optimal flow (no solve), in the match
        stage for a mentee not pinned already; None when a re-solve is needed."""
        if entry["action"] != "pin" or current.stage.kind != "match" or current.engine is None:
            return None
        c = self.cohort
        i, j = c.mentee_index(entry["mentee"]), c.mentor_index(entry["mentor"])
        problem = current.result.problem
        if not current.pairing.single or c.several_mentors:
            return None  # the engine's pin delta is one mentor each: re-solve
        if i in {p for p, _ in problem.pins} or current.pairing.has(i, j) or not problem.allowed[i, j]:
            return None  # pinned already, no change, or a pin the rules refuse: the re-solve says why
        if not hasattr(current.engine, "objective_deltas"):
            return None  # side rules: the engine would re-solve anyway; re-solve below
        got = current.engine.pin_delta(i, j)
        if got is None:
            return None  # let the re-solve say why
        moves = current.engine.pin_moves(i, j)
        ids = c.mentor_ids
        return Effect(
            entry,
            current.version,
            got[0],
            got[2],
            tuple(
                Move(c.mentee_ids[k], ids[a] if a >= 0 else "", ids[b] if b >= 0 else "")
                for k, a, b in sorted(moves)
            ),
            "look-up",
        )

    def _resolved(self, current: Proposal, entry: dict, state) -> tuple[Effect, tuple | None]:
        """The effect by an exact re-solve, and the solved (result, rematch) to reuse on
        confirm: kept per version, or awaited when :meth:`warm` is solving it already."""
        key = (current.version, self._key(entry))
        if key in self._previews:
            return self._previews[key]
        pending = self._solving.get(key)
        out = pending.result() if pending is not None else self._resolve(current, entry, state)
        self._solving.pop(key, None)
        self._previews = {k: p for k, p in self._previews.items() if k[0] == current.version}
        if len(self._previews) > 16:
            self._previews.clear()
        self._previews[key] = out
        return out

    def _resolve(self, current: Proposal, entry: dict, state) -> tuple[Effect, tuple | None]:
        """Re-solve ``state``'s decisions → (effect against ``current``, (result, rematch) or
        None when they cannot hold). Reads the session, changes nothing: safe off the lock."""
        try:
            solved = self._solve(state.stage, state.decisions)
        except (InputError, InfeasibleError, WorkspaceError) as exc:
            return Effect(entry, current.version, problem=_plain(exc)), None
        if current.result is None:  # the decisions could not be solved; these can
            return Effect(entry, current.version, how="re-solve"), solved
        return self._diff(current, solved[0], entry), solved

    def _solve_ahead(self) -> None:
        """Re-solve the action last previewed by a look-up (on the timer's thread), by the
        same call confirming makes — hence the same answer — and the tables the page after
        confirming shows, unless the proposal changed since or another solve ahead is still
        running. Errors surface when the result is asked for."""
        with self.lock:
            ahead, self._ahead = self._ahead, None
            if ahead is None or ahead[0] is not self._proposals.get(self.version):
                return
            current, entry, state = ahead
            key = (current.version, self._key(entry))
            if key in self._previews or any(not f.done() for f in self._solving.values()):
                return
            future: Future = Future()
            self._solving = {k: f for k, f in self._solving.items() if k[0] == current.version}
            self._solving[key] = future
        try:
            effect, solved = self._resolve(current, entry, state)
            if solved is not None:  # the page after confirming reads these first
                solved = (*solved, "", _tables(self, *solved))
            future.set_result((effect, solved))
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)

    def _diff(self, current: Proposal, result, entry: dict) -> Effect:
        """The effect of going from ``current`` to ``result``: Δ pairs, Δ total score, and the
        other mentees whose mentors change (a mentee with several mentors: their mentor ids
        joined by ``;``, as pairs.csv lists them one row each)."""
        c = self.cohort
        old, new = current.pairing, result.solution.pairing
        m0, s0 = current.totals()
        m1, s1 = _totals(result)
        matched = int((new.count > 0).sum()) - int((old.count > 0).sum())  # mentees with a mentor
        n_r = c.n_mentors
        k0, k1 = old.mentee * n_r + old.mentor, new.mentee * n_r + new.mentor
        changed = np.union1d(old.mentee[~np.isin(k0, k1)], new.mentee[~np.isin(k1, k0)])
        own = entry.get("mentee")
        if entry.get("side") == "mentee":  # leave out / bring back: the mentee is the subject
            own = entry.get("id")
        ids = c.mentor_ids

        def named(pairing, k) -> str:
            return ";".join(ids[j] for j in pairing.mentors(int(k)))

        moves = tuple(
            Move(c.mentee_ids[k], named(old, k), named(new, k)) for k in changed if c.mentee_ids[k] != own
        )
        several = bool(self.cohort.several_mentors)
        return Effect(
            entry,
            current.version,
            matched,
            s1 - s0,
            moves,
            "re-solve",
            delta_pairs=m1 - m0 if several else None,
        )

    def act(self, entry: dict, based_on: int) -> Change:
        """Confirm an action: check it, re-solve exactly, save it (refused when ``based_on``
        is not the current version), and return what changed."""
        with self.lock:
            if int(based_on) != self.version:  # stale first: a form sent twice says so
                raise StaleState(int(based_on), self.version)
            current = self.proposal()
            self.check_entry(entry)
            clean, state = self.workspace.check(entry, based_on)
            promised = self._lookup(current, clean) if current.result is not None else None
            effect, solved = self._resolved(current, clean, state)
            if solved is None and current.result is not None:
                raise WorkspaceError(effect.problem)  # never from a proposal to none
            # From decisions that cannot be solved (input files changed since), any step is
            # taken, so that the coordinator can repair them one decision at a time.
            return self._commit(clean, based_on, current, solved, promised)

    def _commit(self, entry, based_on, current, solved, promised=None) -> Change:
        self.workspace.record(entry, based_on)
        v = self.version
        if solved is None:
            proposal = None
        else:
            proposal = Proposal(self, v, self.state.stage, *solved)
            self._keep(v, proposal)
        proposal = self.proposal()
        if proposal.result is not None and current.result is not None:
            effect = self._diff(current, proposal.result, entry)
        else:
            effect = Effect(entry, v, problem=proposal.error)
        self.last_change = Change(v, entry, effect, promised)
        return self.last_change

    def undo(self, based_on: int) -> Change:
        return self._step({"action": "undo"}, based_on)

    def redo(self, based_on: int) -> Change:
        return self._step({"action": "redo"}, based_on)

    def _step(self, entry: dict, based_on: int) -> Change:
        with self.lock:
            current = self.proposal()
            self.workspace.check(entry, based_on)
            return self._commit(entry, based_on, current, None)

    # ------------------------------------------------------------------ rounds
    def command(self) -> list[str]:
        """The command line that writes what publishing the current stage writes."""
        ws = self.workspace
        args = ["--mentors", str(self.paths["mentors"]), "--mentees", str(self.paths["mentees"])]
        if self.paths["config"]:
            args += ["--config", str(self.paths["config"])]
        files = [
            "--pin",
            str(ws.file(PINS)),
            "--forbid",
            str(ws.file(FORBID)),
            "--capacity",
            str(ws.file(CAPACITY)),
        ]
        out = ["--out", str(ws.round_dir(self.round))]
        if self.state.stage.kind == "match":
            hist = ["--history", str(self.paths["history"])] if self.paths["history"] else []
            return ["mentor-match", "match", *args, *files, *hist, *out]
        src = ws.round_dir(self.state.stage.source)
        if self.state.stage.kind == "approve":
            return ["mentor-match", "approve", *args, "--pairs", str(src / "pairs.csv"),
                    "--responses", str(ws.file(RESPONSES)), *files, *out]  # fmt: skip
        return [
            "mentor-match",
            "rematch",
            *args,
            "--pairs",
            str(src / "pairs.csv"),
            "--failed",
            str(ws.file(FAILED)),
            *files,
            *out,
        ]

    def publish(self, based_on: int) -> tuple[int, list[str]]:
        """Write the current stage's round into ``DIR/round-N/`` through the commands' own
        API call, atomically → (N, names written). Refused when ``based_on`` is stale or the
        files would not give the proposal on screen."""
        from matcher.api import approve_files, match_files, rematch_files

        with self.lock:
            self.workspace.check({"action": "publish", "round": self.round, "stage": "x"}, based_on)
            current = self.proposal()
            if current.result is None:
                raise WorkspaceError("the current decisions cannot be solved: " + current.error)
            ws, p, stage, rnd = self.workspace, self.paths, self.state.stage, self.round
            common = dict(
                pins=ws.file(PINS),
                forbid=ws.file(FORBID),
                capacity=ws.file(CAPACITY),
                out=ws.round_dir(rnd),
                encoding=self.encoding,
                strict=self.strict,
                sheet=self.sheet,
            )
            if stage.kind == "match":
                run = match_files(p["mentors"], p["mentees"], p["config"], history=p["history"], **common)
            elif stage.kind == "approve":
                src = ws.round_dir(stage.source)
                run = approve_files(
                    p["mentors"], p["mentees"], p["config"], pairs=src / "pairs.csv",
                    responses=ws.file(RESPONSES), **common,
                )  # fmt: skip
            else:
                src = ws.round_dir(stage.source)
                run = rematch_files(
                    p["mentors"],
                    p["mentees"],
                    p["config"],
                    pairs=src / "pairs.csv",
                    failed=ws.file(FAILED),
                    **common,
                )
            if not np.array_equal(
                run.result.solution.pairing.pairs, current.pairing.pairs
            ):  # pragma: no cover
                raise MatcherError("internal error: the files give another proposal than the one on screen")
            names = run.publish()
            self.workspace.record({"action": "publish", "round": rnd, "stage": stage.kind}, based_on)
            self._proposals[self.version] = replace_version(current, self.version)
            return rnd, names

    def start_rematch(self, based_on: int) -> int:
        """Begin a re-match of the round this stage published → the round it will publish."""
        with self.lock:
            rnd = self.round
            if rnd not in self.state.published or self.state.published[rnd] != self.state.stage.kind:
                raise WorkspaceError(f"publish round {rnd} first: a re-match starts from a published round")
            self._commit({"action": "start_rematch", "round": rnd}, based_on, self.proposal(), None)
            return self.round

    def start_approval(self, based_on: int) -> int:
        """Begin the mentors' approval of the round this stage published → the round the
        approval re-match will publish."""
        with self.lock:
            rnd = self.round
            if rnd not in self.state.published or self.state.published[rnd] != self.state.stage.kind:
                raise WorkspaceError(f"publish round {rnd} first: an approval starts from a published round")
            self._commit({"action": "start_approval", "round": rnd}, based_on, self.proposal(), None)
            return self.round

    def read_responses(self, data: bytes, name: str) -> dict:
        """A mentors' responses file sent to the app (its bytes and file name) → the
        ``respond_file`` action recording every answer in it. The file is read as
        ``mentor-match approve`` reads it (:func:`matcher.approve.read_responses`, against
        the round being approved) in a temporary folder, never in the workspace; every
        problem in it raises one InputError and nothing is recorded."""
        import re
        import tempfile

        from matcher.approve import read_responses
        from matcher.io.pairs_file import read_columns

        stage = self.state.stage
        if stage.kind != "approve":
            raise WorkspaceError(
                "mentors' answers are recorded during an approval: start one from a published round"
            )
        suffix = Path(name).suffix.lower()
        safe = re.sub(r"[^\w.-]", "_", Path(name).name)[:100] or "responses.csv"
        if suffix not in (".csv", ".xlsx"):
            raise WorkspaceError("send the responses as a .csv or .xlsx file")
        previous = self._source(stage).previous
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / safe
            path.write_bytes(data)
            _, problems = read_responses(path, previous, self.encoding)
            if problems:
                raise InputError(problems)
            _, rows = read_columns(path, ("mentor_id", "mentee_id", "response"), ("note",), self.encoding)
        answers: dict[tuple[str, str], list[str]] = {}
        for r in rows:
            e_id, r_id = r["mentee_id"].strip(), r["mentor_id"].strip()
            answers.setdefault((e_id, r_id), [e_id, r_id, r["response"].strip().lower(), r.get("note", "")])
        return {"action": "respond_file", "file": safe, "answers": list(answers.values())}

    def approval_pairs(self) -> list[tuple[str, str]]:
        """The published pairs being approved, (mentee_id, mentor_id) in the file's order
        (empty outside an approval)."""
        stage = self.state.stage
        if stage.kind != "approve":
            return []
        return list(self._source(stage).previous)


def replace_version(proposal: Proposal, version: int) -> Proposal:
    """The same proposal under a new version number (publishing changes no decision)."""
    return Proposal(
        proposal.session, version, proposal.stage, proposal.result, proposal.rematch, proposal.error
    )


def _plain(exc: Exception) -> str:
    """An error's message for a page: the first line of an InputError says how many."""
    if isinstance(exc, InputError):
        return "; ".join(f"{p.problem} — {p.fix}" if p.fix else p.problem for p in exc.problems)
    return str(exc)


__all__ = ["Change", "Effect", "Move", "Proposal", "Session", "StaleState", "WorkspaceError"]
