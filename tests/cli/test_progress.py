"""Progress on stderr: silent for short runs, plain lines off a terminal, a bar on one."""

from __future__ import annotations

import io

import cli.progress as progress_mod
from cli.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_short_runs_print_nothing():
    stream = io.StringIO()
    p = Progress(stream)
    p("score", 5, 10)
    p("score")
    assert stream.getvalue() == ""


def test_plain_lines_when_not_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    monkeypatch.setattr(progress_mod, "EVERY", 0.0)
    stream = io.StringIO()
    p = Progress(stream)
    p("score", 2_500, 10_000)
    p("score")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "score: 25% (2,500 of 10,000)"
    assert lines[1].startswith("score: done at ") and lines[1].endswith(" s")
    assert "\r" not in stream.getvalue()


def test_bar_on_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    stream = FakeTerminal()
    p = Progress(stream)
    p("score", 1, 2)
    assert stream.getvalue().startswith("\rscore      [###############---------------]  50.0%")


def test_disabled_prints_nothing(monkeypatch):
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    stream = io.StringIO()
    p = Progress(stream, enabled=False)
    p("score", 1, 2)
    p("score")
    assert stream.getvalue() == ""


def test_open_ended_stage_reports_its_round(monkeypatch):
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    stream = io.StringIO()
    p = Progress(stream)
    p("certify", 2, 0)
    p("score", 10, 10)  # the end of a counted stage is reported by the caller, once
    line = stream.getvalue()
    assert line.startswith("certify: round 2 at ") and line.count("\n") == 1
