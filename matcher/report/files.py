"""Write outputs safely: all or nothing, never over an input, safe to open in Excel.

``StagedOutputs`` writes each file to a hidden temporary file in the target folder
and renames them all into place only when the whole run has succeeded; an error,
a crash or Ctrl-C leaves the previous run's outputs intact and no partial file.
``csv_bytes`` neutralises spreadsheet formulas (OWASP CSV-injection advice): a cell
that starts with = + - @ tab or CR and is not a plain number gets a leading '.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from matcher.errors import OutputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value) -> str:
    """Text for a spreadsheet cell, with formula triggers neutralised."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 (with BOM, so Excel reads accents) CSV with CRLF line ends, every cell made safe.

    CRLF, as Excel writes it, also makes the writer quote any cell holding a carriage
    return, so such a cell can never split a row.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def json_bytes(data) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


@dataclass(frozen=True, eq=False)
class Streamed:
    """An output too large to hold in memory: ``write(fh)`` writes it into an open binary
    file (publishing streams it into the staged temporary file, so it still appears whole
    or not at all). ``bytes(streamed)`` builds it in memory (small outputs, tests)."""

    write: Callable[[BinaryIO], None]

    def __bytes__(self) -> bytes:
        buf = io.BytesIO()
        self.write(buf)
        return buf.getvalue()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class StagedOutputs:
    """Collect output files, then publish them all at once on success.

    Use as a context manager; ``add(name, data)`` stages a file. ``inputs`` are paths
    that must never be overwritten.
    """

    def __init__(self, out_dir: str | Path, inputs=(), owned=()):
        self.out_dir = Path(out_dir)
        # Names this kind of run may write: an old one this run does not write is removed
        # on success, so a folder never mixes two runs' outputs.
        self.owned = tuple(owned)
        self.inputs = {Path(p).resolve() for p in inputs if p is not None}
        self.files: dict[str, bytes | Streamed] = {}

    def target(self, name: str) -> Path:
        return self.out_dir / name

    def check_targets(self, names) -> None:
        for name in names:
            if self.target(name).resolve() in self.inputs:
                raise OutputError(
                    f"--out would overwrite the input file {self.target(name)}; choose another output folder"
                )
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise OutputError(f"--out {self.out_dir} is a file, not a folder; give a folder path")

    def add(self, name: str, data: bytes | Streamed) -> None:
        self.files[name] = data

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.publish()

    def publish(self) -> None:
        self.check_targets(self.files)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the output folder {self.out_dir} ({e.strerror})") from None
        temps: list[tuple[str, str]] = []
        try:
            for name, data in self.files.items():
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.out_dir)
                temps.append((tmp, name))
                os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared files
                with os.fdopen(fd, "wb") as fh:
                    if isinstance(data, Streamed):
                        data.write(fh)
                    else:
                        fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            for tmp, name in temps:
                os.replace(tmp, self.target(name))
            temps = []
            for name in self.owned:
                if name not in self.files and self.target(name).is_file():
                    os.unlink(self.target(name))
        except OSError as e:
            raise OutputError(f"cannot write to {self.out_dir} ({e.strerror}); nothing was changed") from None
        finally:
            for tmp, _ in temps:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
