"""The README documents every command and option, and its Python API snippet does what the
command does (after simonw/sqlite-utils' tests/test_docs.py).

The click commands are read from ``cli.main:cli`` itself, so a new command or option that
the README does not mention fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import ROOT, SAMPLE

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands.items())


def options(command: click.Command) -> list[str]:
    """Every spelling of every option of ``command`` (``--help`` aside: click adds it)."""
    return [o for p in command.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)]


def mentioned(option: str, text: str) -> bool:
    """``--mentor`` is mentioned only as itself, not as the start of ``--mentors``."""
    return re.search(re.escape(option) + r"(?![\w-])", text) is not None


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_commands_are_documented(name):
    assert f"mentor-match {name}" in README


@pytest.mark.parametrize(
    ("name", "option"),
    [(name, option) for name, command in [("", cli), *COMMANDS] for option in options(command)],
)
def test_options_are_documented(name, option):
    assert mentioned(option, README), f"README does not mention {option} (mentor-match {name})"


def option_table() -> dict[str, set[str]]:
    """The README's table of every option of each command: command → options listed."""
    rows = re.findall(r"^\| `mentor-match (\w+)` \| (.*) \|$", README, flags=re.MULTILINE)
    return {name: set(re.findall(r"`(--[\w-]+)`", cells)) for name, cells in rows}


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_option_table_lists_exactly_each_commands_options(name, command):
    """Not only somewhere in the README: the command's own row, and no stale option there."""
    assert option_table().get(name) == set(options(command))


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)


def test_readme_api_snippet_writes_what_the_command_writes(tmp_path, monkeypatch, capsys):
    """The snippet, run as written (paths to the sample data made absolute), and
    ``mentor-match match`` on the same inputs give byte-identical files and the same
    message; timings.json aside, the one output that differs between runs."""
    (code,) = python_blocks()
    assert '"sample_data/' in code and 'out="out/"' in code
    api_dir, cli_dir = tmp_path / "api", tmp_path / "cli"
    api_dir.mkdir()
    cli_dir.mkdir()

    monkeypatch.chdir(api_dir)
    exec(compile(code.replace('"sample_data/', f'"{SAMPLE.as_posix()}/'), "README.md", "exec"), {})
    printed = capsys.readouterr().out

    monkeypatch.chdir(cli_dir)
    args = ["match", "--mentors", SAMPLE / "mentors.csv", "--mentees", SAMPLE / "mentees.csv"]
    args += ["--config", SAMPLE / "programme.toml", "--out", "out/"]
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output

    assert (
        printed
        == result.stdout
        == "Matched 150 of 150 mentees with min_cost_flow (OPTIMAL); outputs in out/\n"
    )

    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "timings.json"}

    got, want = files(api_dir / "out"), files(cli_dir / "out")
    assert (
        sorted(got)
        == sorted(want)
        == sorted(
            [
                "alternatives.csv",
                "history.csv",
                "pairs.csv",
                "pairs.xlsx",
                "report.html",
                "summary.json",
                "unmatched.csv",
            ]
        )
    )
    assert [name for name in want if got[name] != want[name]] == []
    assert (api_dir / "out" / "timings.json").is_file()
