"""``mentor-match review`` as a real process: the address it prints, where it listens, and
that a confirmed decision survives SIGKILL right after its response."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
from urllib.parse import urlencode, urlsplit

import pytest

from tests.cli.review_app.test_session import Forms
from tests.conftest import ROOT, SAMPLE

COMMAND = [sys.executable, "-c", "from cli.main import cli; cli()"]


class Server:
    """A review app in a child process (stopped by its own pid)."""

    def __init__(self, workspace, *extra):
        args = [*COMMAND, "review", "--mentors", SAMPLE / "mentors.csv", "--mentees", SAMPLE / "mentees.csv"]
        args += ["--config", SAMPLE / "programme.toml", "--workspace", workspace, "--no-browser", *extra]
        self.proc = subprocess.Popen(
            [str(a) for a in args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        line = self.proc.stdout.readline()
        assert line.startswith("Review app: http://"), (
            line,
            self.proc.stderr.read() if self.proc.poll() else "",
        )
        self.url = line.split()[-1]
        parts = urlsplit(self.url)
        self.host, self.port, self.base = parts.hostname, parts.port, parts.path

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        body = urlencode(form) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        conn.request(method, self.base + path, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8")
        conn.close()
        return resp.status, text

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        if not self.proc.stderr.closed:
            self.stderr = self.proc.stderr.read()  # what it printed there, once it has stopped
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def servers():
    started: list[Server] = []

    def start(*args):
        started.append(Server(*args))
        return started[-1]

    yield start
    for s in started:
        s.kill()


def test_prints_a_loopback_address_with_a_128_bit_token(servers, tmp_path):
    s = servers(tmp_path / "ws")
    assert s.host == "127.0.0.1" and s.port > 0
    assert re.fullmatch(r"/[0-9a-f]{32}/", s.base)
    assert s.request("GET", "")[0] == 200
    conn = http.client.HTTPConnection(s.host, s.port, timeout=30)
    conn.request("GET", "/")
    assert conn.getresponse().status == 403
    other = servers(tmp_path / "ws2")
    assert other.port != s.port or other.base != s.base  # a fresh token each start


def test_a_confirmed_decision_survives_sigkill(servers, tmp_path):
    ws = tmp_path / "ws"
    s = servers(ws)
    status, page = s.request("GET", "preview?action=pin&mentee=E003&mentor=R040")
    assert status == 200
    form = Forms(page).form("/act")
    status, _ = s.request("POST", "act", form)
    assert status == 303
    s.kill()  # SIGKILL right after the confirmation: no shutdown code runs
    again = servers(ws)
    status, decisions = again.request("GET", "decisions")
    assert status == 200
    assert "E003 → R040" in decisions and 'data-version="1"' in decisions
    assert (ws / "pins.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == ["E003,R040"]
    # and again, with a decision that carries a reason, killed the moment it is confirmed
    status, page = again.request(
        "POST", "preview", {"csrf": Forms(decisions).form("/undo")["csrf"], "action": "forbid", "mentee": "E005",
                            "mentor": "R001", "reason": "conflict"}
    )  # fmt: skip
    assert status == 200
    status, _ = again.request("POST", "act", Forms(page).form("/act"))
    assert status == 303
    again.kill()
    third = servers(ws)
    status, decisions = third.request("GET", "decisions")
    assert "E005 – R001: conflict" in decisions and 'data-version="2"' in decisions


def test_another_loopback_host(servers, tmp_path):
    s = servers(tmp_path / "ws", "--host", "127.0.0.2")  # loopback: served, and no warning
    assert s.host == "127.0.0.2" and s.request("GET", "")[0] == 200
    s.kill()
    assert "Warning" not in s.stderr


def test_run_warns_before_listening_anywhere_else(tmp_path, monkeypatch):
    """``--host 0.0.0.0``: the warning is printed, and the address shown is the loopback one
    (the server itself is not started here)."""
    from cli.review_app import server

    seen = {}

    def fake_serve(session, *, host, port, on_ready):
        seen["host"], seen["port"] = host, port
        on_ready(f"http://127.0.0.1:5555/{'0' * 32}/")

    monkeypatch.setattr(server, "serve", fake_serve)
    out, err = [], []
    server.run(
        SAMPLE / "mentors.csv", SAMPLE / "mentees.csv", workspace=tmp_path / "ws", host="0.0.0.0", port=5555,
        browser=False, echo=out.append, warn=err.append,
    )  # fmt: skip
    assert seen == {"host": "0.0.0.0", "port": 5555}
    assert err[-1].startswith("--host 0.0.0.0: the app is reachable from other computers")
    assert out[0] == f"Review app: http://127.0.0.1:5555/{'0' * 32}/"


def test_one_app_per_workspace(servers, tmp_path):
    servers(tmp_path / "ws")
    proc = subprocess.run(
        [*COMMAND, "review", "--mentors", str(SAMPLE / "mentors.csv"), "--mentees", str(SAMPLE / "mentees.csv"),
         "--workspace", str(tmp_path / "ws"), "--no-browser"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 1 and proc.stdout == ""
    assert "Error: another review app is using the workspace" in proc.stderr
