"""Runs that leave nothing behind (issue 14, family 8).

A run interrupted while writing into a new folder leaves no folder behind; hidden
temporary files of a killed run are removed by the next run into that folder, while a
live run's are left alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from matcher.errors import OutputError
from matcher.report import files as F
from matcher.report.publish import publish
from tests.conftest import ROOT


def test_an_interrupted_run_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch):
    target = tmp_path / "new" / "deeper"

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(F.os, "replace", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        publish({"a.csv": b"1", "b.csv": b"2"}, target)
    assert not (tmp_path / "new").exists()
    monkeypatch.undo()
    # Into an existing folder: the folder and its earlier outputs stay as they were.
    existing = tmp_path / "out"
    publish({"a.csv": b"old"}, existing)
    monkeypatch.setattr(F.os, "replace", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        publish({"a.csv": b"new"}, existing)
    assert sorted(p.name for p in existing.iterdir()) == ["a.csv"]
    assert (existing / "a.csv").read_bytes() == b"old"


def test_a_failed_write_into_a_new_folder_leaves_no_folder(tmp_path, monkeypatch):
    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(F.os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device"):
        publish({"a.csv": b"1"}, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    code = (
        "import os, sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from matcher.report import files\n"
        "from matcher.report.publish import publish\n"
        "files.os.replace = lambda *a: time.sleep(600)\n"  # killed before any rename
        "publish({'pairs.csv': b'x' * 1000, 'summary.json': b'{}'}, sys.argv[2])\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(out)])
    try:
        for _ in range(600):
            if len(list(out.glob(".*.tmp"))) == 2:
                break
            time.sleep(0.05)
        left = sorted(p.name for p in out.glob(".*.tmp"))
        assert len(left) == 2, left
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # A live run writing into the same folder now: its temporary file must survive.
    live = out / f".summary.json.{F._TEMP_TAG}.abcd1234.tmp"
    live.write_bytes(b"{}")
    # An old temporary name from before this version, an hour old: removed too.
    old = out / ".pairs.csv.k2j4h5g6.tmp"
    old.write_bytes(b"")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    publish({"pairs.csv": b"new", "summary.json": b"{}"}, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(["pairs.csv", "summary.json", live.name])
    assert (out / "pairs.csv").read_bytes() == b"new"
