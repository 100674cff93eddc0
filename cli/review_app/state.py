"""The review workspace: the coordinator's decisions, saved as files the CLI reads.

A workspace is a folder (``mentor-match review --workspace DIR``) holding:

* ``journal.jsonl`` — every confirmed action, one JSON object a line (time, action, the
  ids of the pair or person, reason, note), in order. It is the one source of truth: the
  current decisions, the undo and redo stacks and the version number are replayed from
  it, so starting the app again on the same folder resumes exactly where it stopped;
* ``pins.csv`` (mentee_id, mentor_id; a mentee who wants several mentors may have up to
  that many rows), ``forbid.csv`` (mentee_id, mentor_id, reason)
  and ``capacity.csv`` (mentor_id, capacity, reason) — the decisions of the match being
  reviewed, derived from the journal, so that
  ``mentor-match match --pin DIR/pins.csv --forbid DIR/forbid.csv --capacity DIR/capacity.csv``
  reproduces the app's proposal byte for byte; a mentee left out of the round is
  forbidden with every mentor (reason ``left out of this round``), a mentor left out has
  capacity 0;
* ``failed.csv`` (mentee_id, mentor_id, reason, note) — during a re-match, the published
  pairs marked as failed (``mentor-match rematch --failed DIR/failed.csv``); created when a
  re-match starts, as responses.csv is when an approval starts;
* ``responses.csv`` (mentor_id, mentee_id, response, note) — during a mentor approval,
  the mentors' answers (``accept`` | ``decline``) to the published pairs
  (``mentor-match approve --responses DIR/responses.csv``); created when an approval
  starts (header only until an answer is recorded: the approve command reads it), not
  before, and kept up to date from then on;
* ``round-N/`` — the published rounds (written by the session, not here).

Every write goes through :func:`matcher.report.publish.publish`: each file is written to
a temporary file, flushed to disk and renamed into place, the journal first, so a crash
at any moment leaves either the old or the new decisions, never half of them. An action
is confirmed to the coordinator only after it is on disk.

The version is the number of journal entries; every state-changing request names the
version it was based on, and one based on an older version is refused
(:class:`StaleState`), so two browser tabs see one state and a form sent twice is never
applied twice.

This module is plain Python (no web, no solver): :class:`Workspace` reads and writes the
folder; :class:`Decisions` is the immutable state an action list replays to.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from matcher.errors import MatcherError
from matcher.io.cohort import natural_key
from matcher.report.files import csv_bytes

JOURNAL = "journal.jsonl"
META = "workspace.json"
PINS, FORBID, CAPACITY, FAILED = "pins.csv", "forbid.csv", "capacity.csv", "failed.csv"
RESPONSES = "responses.csv"
DERIVED = (PINS, FORBID, CAPACITY, FAILED, RESPONSES)
# Decision files only a stage reads: created when that stage starts (header only until a
# row is recorded: its command reads the file), not before, and kept up to date after.
STAGE_FILES = {FAILED: "rematch", RESPONSES: "approve"}
ANSWERS = ("accept", "decline")  # a mentor's response (matcher.approve.RESPONSES)
LEFT_OUT = "left out of this round"
FORMAT = 1

# action → the fields it carries (besides seq, time and version); a strict registry: an
# unknown action or a missing field is an error, never ignored.
ACTIONS: dict[str, tuple[str, ...]] = {
    "pin": ("mentee", "mentor"),  # use this mentor (the mentee's only pinned mentor)
    "unpin": ("mentee",),  # release the mentee's pinned pairs (the solver decides again)
    "add_pin": ("mentee", "mentor"),  # several mentors: also use this mentor (other pins kept)
    "unpin_pair": ("mentee", "mentor"),  # release one pinned pair
    "forbid": ("mentee", "mentor", "reason"),  # never this pair
    "allow": ("mentee", "mentor"),  # take back a forbid
    "capacity": ("mentor", "capacity", "reason"),  # change a mentor's capacity
    "reset_capacity": ("mentor",),  # back to the mentors file's capacity
    "leave_out": ("side", "id", "reason"),  # leave a person out of this round
    "bring_back": ("side", "id"),
    "fail": ("mentee", "mentor", "reason", "note"),  # re-match: a published pair failed
    "unfail": ("mentee", "mentor"),
    "import": ("pins", "forbids"),  # the --pin / --forbid files given when the workspace was made
    "undo": (),
    "redo": (),
    "publish": ("round", "stage"),  # a round written into round-N/ (not undoable)
    "start_rematch": ("round",),  # a re-match of published round N begins (a new stage)
    "respond": ("mentee", "mentor", "response", "note"),  # approval: a mentor's answer to a pair
    "unrespond": ("mentee", "mentor"),  # approval: take an answer back
    "respond_file": ("file", "answers"),  # approval: the answers of a responses file, at once
    "start_approval": ("round",),  # mentors' approval of published round N begins (a new stage)
}
UNDOABLE = frozenset(ACTIONS) - {"undo", "redo", "publish", "start_rematch", "start_approval"}
MATCH_ACTIONS = frozenset(
    {
        "pin",
        "unpin",
        "add_pin",
        "unpin_pair",
        "forbid",
        "allow",
        "capacity",
        "reset_capacity",
        "leave_out",
        "bring_back",
        "import",
    }
)
REMATCH_ACTIONS = (MATCH_ACTIONS - {"import"}) | {"fail", "unfail"}
APPROVE_ACTIONS = (MATCH_ACTIONS - {"import"}) | {"respond", "unrespond", "respond_file"}
STAGE_ACTIONS = {"match": MATCH_ACTIONS, "rematch": REMATCH_ACTIONS, "approve": APPROVE_ACTIONS}
SIDES = ("mentee", "mentor")


class StaleState(MatcherError):
    """An action based on an older version of the workspace (another tab moved on)."""

    def __init__(self, based_on: int, current: int):
        self.based_on, self.current = based_on, current
        super().__init__(
            f"this page showed version {based_on} of the proposal, but it is now at version {current} "
            "(changed in another tab or window); nothing was applied — reload to see the current proposal"
        )


class WorkspaceError(MatcherError):
    """A workspace that cannot be used as it is (a broken journal, an action that does not apply)."""


def _frozen(d: dict) -> Mapping:
    return MappingProxyType(dict(d))


def _pinned(held: tuple[str, ...], mentor: str) -> tuple[str, ...]:
    """A mentee's pinned mentors with one more (no repeat), in natural order."""
    return tuple(sorted({*held, mentor}, key=natural_key))


def _drop_pin(pins: dict, mentee: str, mentor: str) -> None:
    """Release one pinned pair (if pinned); a mentee left with none has no entry."""
    rest = tuple(r for r in pins.get(mentee, ()) if r != mentor)
    if rest:
        pins[mentee] = rest
    else:
        pins.pop(mentee, None)


@dataclass(frozen=True)
class Decisions:
    """The coordinator's decisions for the current stage, by id (immutable).

    ``pins``: mentee_id → their pinned mentor ids (one, or up to the mentors they want,
    in natural order); ``forbids``: (mentee_id, mentor_id) → reason;
    ``capacity``: mentor_id → (capacity, reason); ``mentees_out`` / ``mentors_out``: id →
    reason (left out of this round); ``failed``: (mentee_id, mentor_id) → (reason, note),
    during a re-match; ``responses``: (mentee_id, mentor_id) → (response, note), during a
    mentor approval.
    """

    pins: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _frozen({}))
    forbids: Mapping[tuple[str, str], str] = field(default_factory=lambda: _frozen({}))
    capacity: Mapping[str, tuple[int, str]] = field(default_factory=lambda: _frozen({}))
    mentees_out: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    mentors_out: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    failed: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=lambda: _frozen({}))
    responses: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=lambda: _frozen({}))

    def apply(self, entry: Mapping) -> Decisions:
        """The decisions after one action (a new object). Raises WorkspaceError when the
        action does not apply (e.g. releasing a pin that does not exist)."""
        a = entry["action"]
        pins, forbids, capacity = dict(self.pins), dict(self.forbids), dict(self.capacity)
        m_out, r_out, failed = dict(self.mentees_out), dict(self.mentors_out), dict(self.failed)
        responses = dict(self.responses)
        if a in ("pin", "add_pin"):
            if (entry["mentee"], entry["mentor"]) in forbids:
                raise WorkspaceError(f"{entry['mentee']} → {entry['mentor']} is forbidden; allow it first")
            if entry["mentee"] in m_out or entry["mentor"] in r_out:
                raise WorkspaceError(
                    "a person left out of this round cannot be pinned; bring them back first"
                )
            if a == "pin":
                pins[entry["mentee"]] = (entry["mentor"],)
            else:
                pins[entry["mentee"]] = _pinned(pins.get(entry["mentee"], ()), entry["mentor"])
        elif a == "unpin":
            if entry["mentee"] not in pins:
                raise WorkspaceError(f"{entry['mentee']} has no pinned mentor")
            del pins[entry["mentee"]]
        elif a == "unpin_pair":
            pair = (entry["mentee"], entry["mentor"])
            if pair[1] not in pins.get(pair[0], ()):
                raise WorkspaceError(f"{pair[0]} → {pair[1]} is not pinned")
            _drop_pin(pins, *pair)
        elif a == "forbid":
            pair = (entry["mentee"], entry["mentor"])
            forbids[pair] = entry["reason"]
            _drop_pin(pins, *pair)  # never this pair: its pin goes too
        elif a == "allow":
            pair = (entry["mentee"], entry["mentor"])
            if pair not in forbids:
                raise WorkspaceError(f"{pair[0]} → {pair[1]} is not forbidden")
            del forbids[pair]
        elif a == "capacity":
            capacity[entry["mentor"]] = (int(entry["capacity"]), entry["reason"])
        elif a == "reset_capacity":
            if entry["mentor"] not in capacity:
                raise WorkspaceError(f"{entry['mentor']} has the mentors file's capacity already")
            del capacity[entry["mentor"]]
        elif a == "leave_out":
            side, pid = entry["side"], entry["id"]
            if side == "mentee":
                m_out[pid] = entry["reason"]
                pins.pop(pid, None)  # a person left out keeps no pin
            else:
                r_out[pid] = entry["reason"]
        elif a == "bring_back":
            side, pid = entry["side"], entry["id"]
            out = m_out if side == "mentee" else r_out
            if pid not in out:
                raise WorkspaceError(f"{pid} is not left out")
            del out[pid]
        elif a == "fail":
            failed[(entry["mentee"], entry["mentor"])] = (entry["reason"], entry["note"])
        elif a == "unfail":
            pair = (entry["mentee"], entry["mentor"])
            if pair not in failed:
                raise WorkspaceError(f"{pair[0]} → {pair[1]} is not marked failed")
            del failed[pair]
        elif a == "respond":
            if entry["response"] not in ANSWERS:
                raise WorkspaceError("a response is accept or decline")
            responses[(entry["mentee"], entry["mentor"])] = (entry["response"], entry["note"])
        elif a == "respond_file":
            for e_id, r_id, answer, note in entry["answers"]:
                if answer not in ANSWERS:
                    raise WorkspaceError("a response is accept or decline")
                responses[(e_id, r_id)] = (answer, note)
        elif a == "unrespond":
            pair = (entry["mentee"], entry["mentor"])
            if pair not in responses:
                raise WorkspaceError(f"{pair[0]} → {pair[1]} has no response recorded")
            del responses[pair]
        elif a == "import":
            for e_id, r_id in entry["pins"]:  # a mentee may have several rows, as for match --pin
                pins[e_id] = _pinned(pins.get(e_id, ()), r_id)
            for e_id, r_id, reason in entry["forbids"]:
                forbids[(e_id, r_id)] = reason
        else:  # pragma: no cover - validate() lets no other action through
            raise WorkspaceError(f"unknown action {a!r}")
        return Decisions(
            _frozen(pins),
            _frozen(forbids),
            _frozen(capacity),
            _frozen(m_out),
            _frozen(r_out),
            _frozen(failed),
            _frozen(responses),
        )

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.pins,
                self.forbids,
                self.capacity,
                self.mentees_out,
                self.mentors_out,
                self.failed,
                self.responses,
            )
        )

    # ------------------------------------------------------------------ files the CLI reads
    def pinned(self, mentee_id: str) -> tuple[str, ...]:
        """The mentors pinned to this mentee (none, one, or several)."""
        return self.pins.get(mentee_id, ())

    def pin_rows(self) -> list[tuple[str, str]]:
        """pins.csv rows, by mentee id then mentor id in natural order."""
        return [(e, r) for e in sorted(self.pins, key=natural_key) for r in self.pins[e]]

    def forbid_rows(self, mentor_ids: Iterable[str] = ()) -> list[tuple[str, str, str]]:
        """forbid.csv rows: the forbidden pairs, and every pair of a mentee left out with
        each of ``mentor_ids`` (reason ``left out of this round``), by mentee then mentor."""
        rows = dict(self.forbids)
        for e_id, reason in self.mentees_out.items():
            why = LEFT_OUT + (f": {reason}" if reason else "")
            for r_id in mentor_ids:
                rows.setdefault((e_id, r_id), why)
        return [
            (e, r, why)
            for (e, r), why in sorted(
                rows.items(), key=lambda t: (natural_key(t[0][0]), natural_key(t[0][1]))
            )
        ]

    def capacity_rows(self) -> list[tuple[str, int, str]]:
        """capacity.csv rows: changed capacities, and 0 for each mentor left out."""
        rows = {r: (c, why) for r, (c, why) in self.capacity.items()}
        for r_id, reason in self.mentors_out.items():
            rows[r_id] = (0, LEFT_OUT + (f": {reason}" if reason else ""))
        return [(r, c, why) for r, (c, why) in sorted(rows.items(), key=lambda t: natural_key(t[0]))]

    def failed_rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (e, r, reason, note)
            for (e, r), (reason, note) in sorted(
                self.failed.items(), key=lambda t: (natural_key(t[0][0]), natural_key(t[0][1]))
            )
        ]

    def response_rows(self) -> list[tuple[str, str, str, str]]:
        """responses.csv rows (mentor_id, mentee_id, response, note), by mentor then mentee."""
        return [
            (r, e, answer, note)
            for (e, r), (answer, note) in sorted(
                self.responses.items(), key=lambda t: (natural_key(t[0][1]), natural_key(t[0][0]))
            )
        ]

    def files(self, mentor_ids: Iterable[str] = ()) -> dict[str, bytes]:
        """The five decision files, name → bytes (header-only when empty; the workspace
        leaves failed.csv and responses.csv out until their stage starts, STAGE_FILES)."""
        return {
            PINS: csv_bytes(["mentee_id", "mentor_id"], [list(r) for r in self.pin_rows()]),
            FORBID: csv_bytes(
                ["mentee_id", "mentor_id", "reason"], [list(r) for r in self.forbid_rows(mentor_ids)]
            ),
            CAPACITY: csv_bytes(["mentor_id", "capacity", "reason"], [list(r) for r in self.capacity_rows()]),
            FAILED: csv_bytes(
                ["mentee_id", "mentor_id", "reason", "note"], [list(r) for r in self.failed_rows()]
            ),
            RESPONSES: csv_bytes(
                ["mentor_id", "mentee_id", "response", "note"], [list(r) for r in self.response_rows()]
            ),
        }


@dataclass(frozen=True)
class Stage:
    """What is being reviewed: ``kind`` ``match`` (the batch match of this workspace's
    cohort), ``rematch`` (a re-match of published round ``source``, to publish as round
    ``source + 1``) or ``approve`` (mentors' answers to published round ``source``, and
    the re-match they give, to publish as round ``source + 1``)."""

    kind: str = "match"
    source: int | None = None


@dataclass(frozen=True)
class State:
    """Everything replayed from the journal: the stage, its decisions, what undo and redo
    would do, the rounds published (round → stage kind) and the version."""

    stage: Stage = Stage()
    decisions: Decisions = Decisions()
    base: Decisions = Decisions()  # the decisions the stage started from (undo goes back to them)
    done: tuple[Mapping, ...] = ()  # undoable actions applied in this stage, oldest first
    undone: tuple[Mapping, ...] = ()  # the redo stack, most recently undone last
    published: Mapping[int, str] = field(default_factory=lambda: _frozen({}))
    version: int = 0

    def replay(self, entry: Mapping) -> State:
        a = entry["action"]
        version = self.version + 1
        if a == "undo":
            if not self.done:
                raise WorkspaceError("there is nothing to undo")
            done = self.done[:-1]
            decisions = self.base
            for e in done:
                decisions = decisions.apply(e)
            return replace(
                self, decisions=decisions, done=done, undone=(*self.undone, self.done[-1]), version=version
            )
        if a == "redo":
            if not self.undone:
                raise WorkspaceError("there is nothing to redo")
            again = self.undone[-1]
            return replace(
                self,
                decisions=self.decisions.apply(again),
                done=(*self.done, again),
                undone=self.undone[:-1],
                version=version,
            )
        if a == "publish":
            published = dict(self.published)
            published[int(entry["round"])] = entry["stage"]
            return replace(self, published=_frozen(published), version=version)
        if a in ("start_rematch", "start_approval"):
            source = int(entry["round"])
            if source not in self.published:
                raise WorkspaceError(f"round {source} is not published")
            d = self.decisions  # the round's settings carry over; pins are in the published pairs
            kept = Decisions(
                forbids=d.forbids, capacity=d.capacity, mentees_out=d.mentees_out, mentors_out=d.mentors_out
            )
            kind = "rematch" if a == "start_rematch" else "approve"
            return State(Stage(kind, source), kept, kept, (), (), self.published, version)
        allowed = STAGE_ACTIONS[self.stage.kind]
        if a not in allowed:
            raise WorkspaceError(f"'{a}' is not an action of this stage ({self.stage.kind})")
        return replace(
            self, decisions=self.decisions.apply(entry), done=(*self.done, entry), undone=(), version=version
        )

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)


def validate(entry: Mapping) -> dict:
    """An action as the journal stores it: known action, every field present, plain types."""
    a = entry.get("action")
    if a not in ACTIONS:
        raise WorkspaceError(f"unknown action {a!r}; known: {', '.join(ACTIONS)}")
    out = {"action": a}
    for name in ACTIONS[a]:
        if name not in entry:
            raise WorkspaceError(f"action '{a}' needs '{name}'")
        value = entry[name]
        if name == "side" and value not in SIDES:
            raise WorkspaceError(f"side must be one of {', '.join(SIDES)}")
        if name in ("capacity", "round"):
            value = int(value)
            if value < 0:
                raise WorkspaceError(f"{name} cannot be negative")
        elif name == "pins":
            value = [[str(e), str(r)] for e, r in value]
        elif name == "forbids":
            value = [[str(e), str(r), str(why)] for e, r, why in value]
        elif name == "answers":
            value = [[str(e), str(r), str(answer), str(note)] for e, r, answer, note in value]
        else:
            value = str(value)
        out[name] = value
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Workspace:
    """The folder of one review: read on open, written on every confirmed action.

    ``Workspace(path, mentor_ids)`` opens (or creates) it and replays its journal;
    ``record(entry, based_on)`` appends one action after checking it applies to version
    ``based_on``; ``state`` is the replayed :class:`State`. ``mentor_ids`` (every mentor
    of the cohort) let forbid.csv spell out "every mentor" for a mentee left out.
    ``protected``: input paths the workspace must never write over.
    Not thread-safe on its own: the session serialises calls.
    """

    def __init__(
        self, path, mentor_ids: Iterable[str] = (), protected: Iterable = (), exclusive: bool = False
    ):
        self.path = Path(path)
        self.mentor_ids = tuple(str(m) for m in mentor_ids)
        self.protected = tuple(p for p in protected if p is not None)
        self.entries: list[dict] = []
        if self.path.exists() and not self.path.is_dir():
            raise WorkspaceError(f"--workspace {self.path} is a file; give a folder")
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = self._take_lock() if exclusive else None
        self.entries = self._read_journal()
        self.state = State()
        for entry in self.entries:
            self.state = self.state.replay(entry)
        self._write([])  # bring the derived files up to date with the journal

    def _take_lock(self):
        """Hold ``.lock`` for as long as this process lives (the OS releases it even on
        SIGKILL): two apps writing one journal would lose each other's decisions."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return None
        fh = open(self.path / ".lock", "a+")  # noqa: SIM115 - held open on purpose
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise WorkspaceError(
                f"another review app is using the workspace {self.path}; use its address, or stop it first"
            ) from None
        return fh

    # ------------------------------------------------------------------ reading
    def _read_journal(self) -> list[dict]:
        path = self.path / JOURNAL
        if not path.is_file():
            return []
        out = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                out.append({**entry, **validate(entry)})
            except (ValueError, TypeError, WorkspaceError) as exc:
                raise WorkspaceError(
                    f"{path}, line {number}: not a journal entry ({exc}); the workspace was edited by hand — "
                    "restore the line or start a new workspace"
                ) from None
        return out

    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def version(self) -> int:
        return self.state.version

    def journal(self) -> list[dict]:
        """Every entry, oldest first (copies)."""
        return [dict(e) for e in self.entries]

    # ------------------------------------------------------------------ writing
    def check(self, entry: Mapping, based_on: int | None) -> tuple[dict, State]:
        """(the validated entry, the state after it) without writing; raises StaleState or
        WorkspaceError."""
        if based_on is not None and int(based_on) != self.version:
            raise StaleState(int(based_on), self.version)
        clean = validate(entry)
        return clean, self.state.replay(clean)

    def record(self, entry: Mapping, based_on: int | None) -> State:
        """Append one action (refused unless ``based_on`` is the current version), write the
        journal and the derived files atomically, and return the new state."""
        clean, _ = self.check(entry, based_on)
        full = {"seq": self.version + 1, "time": _now(), **clean}
        state = self.state.replay(full)  # as a reopened workspace replays it
        self._write([*self.entries, full], state)
        self.entries.append(full)
        self.state = state
        return state

    def _write(self, entries: list[dict], state: State | None = None) -> None:
        from matcher.report.publish import publish

        state = state or self.state
        files: dict[str, bytes] = {}
        if entries:
            files[JOURNAL] = "".join(
                json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries
            ).encode("utf-8")
        files.update(state.decisions.files(self.mentor_ids))
        for name, kind in STAGE_FILES.items():
            if state.stage.kind != kind and not (self.path / name).is_file():
                del files[name]  # nothing reads it before its stage starts: not created
        # unchanged files are left alone (no write on every start)
        files = {n: b for n, b in files.items() if not self._same(n, b)}
        if files:
            publish(files, self.path, inputs=self.protected)
            _fsync_dir(self.path)

    def _same(self, name: str, data: bytes) -> bool:
        path = self.path / name
        try:
            return path.is_file() and path.read_bytes() == data
        except OSError:
            return False

    def write_meta(self, meta: dict) -> None:
        from matcher.report.publish import publish

        data = (json.dumps({"format": FORMAT, **meta}, indent=2, sort_keys=True) + "\n").encode("utf-8")
        if not self._same(META, data):
            publish({META: data}, self.path, inputs=self.protected)

    def read_meta(self) -> dict | None:
        path = self.path / META
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise WorkspaceError(f"{path} is not valid JSON; restore it or start a new workspace") from None

    def round_dir(self, n: int) -> Path:
        return self.path / f"round-{int(n)}"


def _fsync_dir(path: Path) -> None:
    """Make the renames themselves durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
