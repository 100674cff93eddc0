"""The review workspace (cli/review_app/state.py): decisions replayed from the journal,
undo/redo, the files the CLI reads, stale versions, a broken journal."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli.review_app.state import (
    CAPACITY,
    FAILED,
    FORBID,
    JOURNAL,
    PINS,
    RESPONSES,
    Decisions,
    StaleState,
    State,
    Workspace,
    WorkspaceError,
)

MENTORS = ("R1", "R2", "R10")


def rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_actions_replay_to_decisions_and_files(tmp_path):
    ws = Workspace(tmp_path / "ws", MENTORS)
    assert ws.version == 0 and ws.state.decisions.empty
    assert rows(ws.file(PINS)) == [["mentee_id", "mentor_id"]]  # header-only files from the start
    ws.record({"action": "pin", "mentee": "E10", "mentor": "R2"}, 0)
    ws.record({"action": "pin", "mentee": "E2", "mentor": "R1"}, 1)
    ws.record({"action": "forbid", "mentee": "E3", "mentor": "R10", "reason": "=conflict"}, 2)
    ws.record({"action": "capacity", "mentor": "R10", "capacity": 5, "reason": "more time"}, 3)
    ws.record({"action": "leave_out", "side": "mentee", "id": "E7", "reason": "on leave"}, 4)
    ws.record({"action": "leave_out", "side": "mentor", "id": "R2", "reason": ""}, 5)
    assert ws.version == 6
    assert rows(ws.file(PINS)) == [["mentee_id", "mentor_id"], ["E2", "R1"], ["E10", "R2"]]  # natural order
    assert rows(ws.file(FORBID)) == [
        ["mentee_id", "mentor_id", "reason"],
        ["E3", "R10", "'=conflict"],  # formula guard, undone by the CLI's reader
        ["E7", "R1", "left out of this round: on leave"],
        ["E7", "R2", "left out of this round: on leave"],
        ["E7", "R10", "left out of this round: on leave"],
    ]
    assert rows(ws.file(CAPACITY)) == [
        ["mentor_id", "capacity", "reason"],
        ["R2", "0", "left out of this round"],
        ["R10", "5", "more time"],
    ]
    journal = [json.loads(line) for line in ws.file(JOURNAL).read_text(encoding="utf-8").splitlines()]
    assert [e["seq"] for e in journal] == [1, 2, 3, 4, 5, 6]
    assert journal[2] == {
        **journal[2],
        "action": "forbid",
        "mentee": "E3",
        "mentor": "R10",
        "reason": "=conflict",
    }
    assert all(e["time"].endswith("Z") for e in journal)


def test_undo_and_redo(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 0)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R2"}, 1)  # replaces the pin
    assert dict(ws.state.decisions.pins) == {"E1": ("R2",)}
    ws.record({"action": "undo"}, 2)
    assert dict(ws.state.decisions.pins) == {"E1": ("R1",)} and ws.state.can_redo
    ws.record({"action": "undo"}, 3)
    assert ws.state.decisions.empty and not ws.state.can_undo
    with pytest.raises(WorkspaceError, match="nothing to undo"):
        ws.record({"action": "undo"}, 4)
    ws.record({"action": "redo"}, 4)
    assert dict(ws.state.decisions.pins) == {"E1": ("R1",)}
    ws.record({"action": "forbid", "mentee": "E5", "mentor": "R1", "reason": ""}, 5)  # a new action...
    assert not ws.state.can_redo  # ...clears the redo stack
    assert rows(ws.file(PINS))[1:] == [["E1", "R1"]]
    assert ws.version == 6  # undo and redo are journal entries too


def test_stale_versions_are_refused_and_nothing_is_written(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 0)
    before = ws.file(JOURNAL).read_bytes()
    with pytest.raises(StaleState, match=r"version 0 .* now at version 1"):
        ws.record({"action": "pin", "mentee": "E2", "mentor": "R1"}, 0)
    assert ws.file(JOURNAL).read_bytes() == before and ws.version == 1


def test_a_workspace_reopens_where_it_stopped(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 0)
    ws.record({"action": "capacity", "mentor": "R2", "capacity": 0, "reason": ""}, 1)
    ws.record({"action": "undo"}, 2)
    again = Workspace(tmp_path, MENTORS)
    assert again.version == 3 and again.state == ws.state
    ws.file(PINS).unlink()  # a derived file lost (e.g. a crash before it was renamed): rebuilt
    again = Workspace(tmp_path, MENTORS)
    assert rows(again.file(PINS))[1:] == [["E1", "R1"]]


def test_actions_that_do_not_apply(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    bad = [
        ({"action": "pin", "mentee": "E1"}, "needs 'mentor'"),
        ({"action": "fly"}, "unknown action 'fly'"),
        ({"action": "unpin", "mentee": "E1"}, "has no pinned mentor"),
        ({"action": "allow", "mentee": "E1", "mentor": "R1"}, "is not forbidden"),
        ({"action": "capacity", "mentor": "R1", "capacity": -1, "reason": ""}, "cannot be negative"),
        ({"action": "leave_out", "side": "team", "id": "E1", "reason": ""}, "side must be"),
        (
            {"action": "fail", "mentee": "E1", "mentor": "R1", "reason": "", "note": ""},
            r"not an action of this stage \(match\)",
        ),
        ({"action": "start_rematch", "round": 1}, "round 1 is not published"),
    ]
    for entry, message in bad:
        with pytest.raises(WorkspaceError, match=message):
            ws.record(entry, ws.version)
    assert ws.version == 0 and not ws.file(JOURNAL).exists()
    ws.record({"action": "forbid", "mentee": "E1", "mentor": "R1", "reason": "x"}, 0)
    with pytest.raises(WorkspaceError, match="is forbidden; allow it first"):
        ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 1)


def test_forbidding_or_leaving_out_a_pinned_mentee_drops_the_pin(tmp_path):
    d = Decisions().apply({"action": "pin", "mentee": "E1", "mentor": "R1"})
    assert dict(d.apply({"action": "forbid", "mentee": "E1", "mentor": "R1", "reason": ""}).pins) == {}
    assert dict(d.apply({"action": "forbid", "mentee": "E1", "mentor": "R2", "reason": ""}).pins) == {
        "E1": ("R1",)
    }
    assert dict(d.apply({"action": "leave_out", "side": "mentee", "id": "E1", "reason": ""}).pins) == {}


def test_several_pins_per_mentee_each_a_pair_with_undo_and_pins_csv(tmp_path):
    """add_pin keeps the mentee's other pins (several mentors per mentee); unpin_pair
    releases one pair; pin makes the mentor the only one; forbid drops only its own pair;
    an imported pins file with two rows for a mentee keeps both (as match --pin reads it)."""
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "add_pin", "mentee": "E1", "mentor": "R10"}, 0)
    ws.record({"action": "add_pin", "mentee": "E1", "mentor": "R2"}, 1)
    ws.record({"action": "add_pin", "mentee": "E1", "mentor": "R2"}, 2)  # again: no repeat
    ws.record({"action": "pin", "mentee": "E3", "mentor": "R1"}, 3)
    assert dict(ws.state.decisions.pins) == {"E1": ("R2", "R10"), "E3": ("R1",)}
    assert rows(ws.file(PINS)) == [["mentee_id", "mentor_id"], ["E1", "R2"], ["E1", "R10"], ["E3", "R1"]]
    ws.record({"action": "unpin_pair", "mentee": "E1", "mentor": "R10"}, 4)
    assert ws.state.decisions.pinned("E1") == ("R2",)
    with pytest.raises(WorkspaceError, match="E1 → R10 is not pinned"):
        ws.record({"action": "unpin_pair", "mentee": "E1", "mentor": "R10"}, 5)
    ws.record({"action": "undo"}, 5)
    assert ws.state.decisions.pinned("E1") == ("R2", "R10")
    ws.record({"action": "forbid", "mentee": "E1", "mentor": "R10", "reason": "x"}, 6)
    assert ws.state.decisions.pinned("E1") == ("R2",)
    ws.record({"action": "add_pin", "mentee": "E1", "mentor": "R3"}, 7)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R4"}, 8)  # use this mentor: the only pin
    assert ws.state.decisions.pinned("E1") == ("R4",)
    ws.record({"action": "unpin", "mentee": "E1"}, 9)
    assert ws.state.decisions.pinned("E1") == ()
    assert Workspace(tmp_path, MENTORS).state == ws.state  # replayed from the journal
    d = Decisions().apply({"action": "import", "pins": [["E2", "R3"], ["E2", "R1"]], "forbids": []})
    assert d.pin_rows() == [("E2", "R1"), ("E2", "R3")]


def test_failed_and_responses_csv_are_created_when_their_stage_starts_not_before(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 0)
    assert not ws.file(RESPONSES).exists() and not ws.file(FAILED).exists()
    assert ws.file(PINS).is_file()
    ws.record({"action": "publish", "round": 1, "stage": "match"}, 1)
    assert not Workspace(tmp_path, MENTORS).file(FAILED).exists()  # nor on reopening
    ws.record({"action": "start_rematch", "round": 1}, 2)  # the rematch command reads it now
    assert rows(ws.file(FAILED)) == [["mentee_id", "mentor_id", "reason", "note"]]
    assert not ws.file(RESPONSES).exists()
    assert not Workspace(tmp_path, MENTORS).file(RESPONSES).exists()  # nor on reopening
    ws.record({"action": "publish", "round": 2, "stage": "rematch"}, 3)
    ws.record({"action": "start_approval", "round": 2}, 4)  # the approve command reads it now
    assert rows(ws.file(RESPONSES)) == [["mentor_id", "mentee_id", "response", "note"]]


def test_a_rematch_stage_keeps_the_rounds_settings_and_its_own_undo(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 0)
    ws.record({"action": "forbid", "mentee": "E2", "mentor": "R1", "reason": "c"}, 1)
    ws.record({"action": "capacity", "mentor": "R2", "capacity": 4, "reason": ""}, 2)
    ws.record({"action": "publish", "round": 1, "stage": "match"}, 3)
    ws.record({"action": "start_rematch", "round": 1}, 4)
    st = ws.state
    assert st.stage.kind == "rematch" and st.stage.source == 1
    assert dict(st.decisions.pins) == {}  # the pins are in round 1's pairs now
    assert dict(st.decisions.forbids) == {("E2", "R1"): "c"} and dict(st.decisions.capacity) == {
        "R2": (4, "")
    }
    assert not st.can_undo  # undo never crosses into the published round
    ws.record({"action": "fail", "mentee": "E1", "mentor": "R1", "reason": "care", "note": "n"}, 5)
    assert rows(ws.file(FAILED)) == [["mentee_id", "mentor_id", "reason", "note"], ["E1", "R1", "care", "n"]]
    ws.record({"action": "undo"}, 6)
    assert dict(ws.state.decisions.failed) == {} and dict(ws.state.decisions.forbids) == {("E2", "R1"): "c"}
    assert Workspace(tmp_path, MENTORS).state == ws.state


def test_an_approval_stage_records_answers_as_responses_csv_with_undo(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    assert not ws.file(RESPONSES).exists()  # created when an approval starts
    ws.record({"action": "capacity", "mentor": "R2", "capacity": 4, "reason": ""}, 0)
    with pytest.raises(WorkspaceError, match=r"not an action of this stage \(match\)"):
        ws.record({"action": "respond", "mentee": "E1", "mentor": "R1", "response": "accept", "note": ""}, 1)
    with pytest.raises(WorkspaceError, match="round 1 is not published"):
        ws.record({"action": "start_approval", "round": 1}, 1)
    ws.record({"action": "publish", "round": 1, "stage": "match"}, 1)
    ws.record({"action": "start_approval", "round": 1}, 2)
    assert rows(ws.file(RESPONSES)) == [["mentor_id", "mentee_id", "response", "note"]]
    st = ws.state
    assert st.stage.kind == "approve" and st.stage.source == 1 and not st.can_undo
    assert dict(st.decisions.capacity) == {"R2": (4, "")}  # the round's settings carry over
    ws.record(
        {"action": "respond", "mentee": "E10", "mentor": "R2", "response": "decline", "note": "=busy"}, 3
    )
    ws.record({"action": "respond", "mentee": "E2", "mentor": "R10", "response": "accept", "note": ""}, 4)
    ws.record({"action": "respond", "mentee": "E3", "mentor": "R2", "response": "accept", "note": "ok"}, 5)
    # by mentor then mentee, in natural order; a note starting with = is guarded for Excel
    assert rows(ws.file(RESPONSES)) == [
        ["mentor_id", "mentee_id", "response", "note"],
        ["R2", "E3", "accept", "ok"],
        ["R2", "E10", "decline", "'=busy"],
        ["R10", "E2", "accept", ""],
    ]
    ws.record({"action": "respond", "mentee": "E3", "mentor": "R2", "response": "decline", "note": ""}, 6)
    assert ws.state.decisions.responses[("E3", "R2")] == ("decline", "")  # a changed mind replaces
    ws.record({"action": "undo"}, 7)
    assert ws.state.decisions.responses[("E3", "R2")] == ("accept", "ok")
    ws.record({"action": "unrespond", "mentee": "E2", "mentor": "R10"}, 8)
    assert ("E2", "R10") not in ws.state.decisions.responses
    with pytest.raises(WorkspaceError, match="has no response recorded"):
        ws.record({"action": "unrespond", "mentee": "E2", "mentor": "R10"}, 9)
    with pytest.raises(WorkspaceError, match="accept or decline"):
        ws.record({"action": "respond", "mentee": "E1", "mentor": "R1", "response": "maybe", "note": ""}, 9)
    with pytest.raises(WorkspaceError, match="is not an action of this stage"):
        ws.record({"action": "fail", "mentee": "E1", "mentor": "R1", "reason": "", "note": ""}, 9)
    assert Workspace(tmp_path, MENTORS).state == ws.state  # resumes from the journal
    ws.record({"action": "publish", "round": 2, "stage": "approve"}, 9)
    ws.record({"action": "start_rematch", "round": 2}, 10)  # an approved round can be re-matched later
    assert ws.state.stage.kind == "rematch" and dict(ws.state.decisions.responses) == {}
    assert rows(ws.file(RESPONSES)) == [["mentor_id", "mentee_id", "response", "note"]]


def test_a_hand_edited_journal_is_an_error_naming_the_line(tmp_path):
    ws = Workspace(tmp_path, MENTORS)
    ws.record({"action": "pin", "mentee": "E1", "mentor": "R1"}, 0)
    with open(ws.file(JOURNAL), "a", encoding="utf-8") as fh:
        fh.write('{"action": "pin"\n')
    with pytest.raises(WorkspaceError, match=r"journal.jsonl, line 2: not a journal entry"):
        Workspace(tmp_path, MENTORS)


def test_a_file_is_not_a_workspace(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="is a file"):
        Workspace(tmp_path / "f", MENTORS)


def test_never_writes_over_an_input(tmp_path):
    mine = tmp_path / PINS
    mine.write_text("mentee_id,mentor_id\nE1,R1\n", encoding="utf-8")
    from matcher.errors import OutputError

    with pytest.raises(OutputError, match="overwrite the input"):
        Workspace(tmp_path, MENTORS, protected=[mine])
    assert mine.read_text(encoding="utf-8") == "mentee_id,mentor_id\nE1,R1\n"


def test_state_replay_is_pure():
    s0 = State()
    s1 = s0.replay({"action": "pin", "mentee": "E1", "mentor": "R1"})
    assert s0.version == 0 and s0.decisions.empty and s1.version == 1
