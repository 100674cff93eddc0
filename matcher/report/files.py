"""Write outputs safely: all or nothing, never over an input, safe to open in Excel.

``StagedOutputs`` writes each file to a hidden temporary file in the target folder
and renames them all into place only when the whole run has succeeded; an error,
a crash or Ctrl-C leaves the previous run's outputs intact and no partial file.
``csv_bytes`` neutralises spreadsheet formulas (OWASP CSV-injection advice, see
:mod:`matcher.io.formula`): a cell that starts with = + - @ tab, CR or LF (also after
leading spaces or control characters) and is not a plain number in a number column gets a
leading ', as does a cell that starts with ' itself; our readers remove exactly that '.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import BinaryIO

from matcher.errors import OutputError
from matcher.io.formula import guard, is_text_column


def safe_cell(value, text_column: bool = False) -> str:
    """Text for a spreadsheet cell, with formula triggers neutralised (see
    :mod:`matcher.io.formula`; ``text_column``: an id, name or email column)."""
    return guard(value, text_column)


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 (with BOM, so Excel reads accents) CSV with CRLF line ends, every cell made safe.

    The formula guard runs last, on each cell's exact text; ids, names and emails (by
    header, :func:`~matcher.io.formula.is_text_column`) are guarded even when they look
    like a number, so ``+447700900123`` stays text. CRLF, as Excel writes it, also makes
    the writer quote any cell holding a carriage return, so such a cell can never split a
    row.
    """
    text = [is_text_column(h) for h in header]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([guard(h, True) for h in header])
    for row in rows:
        writer.writerow([guard(v, k < len(text) and text[k]) for k, v in enumerate(row)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def json_bytes(data) -> bytes:
    """Strict JSON (RFC 8259): a NaN or infinity is a bug upstream (config values are
    checked finite, absent figures are null) and raises here rather than writing the
    ``NaN`` / ``Infinity`` that strict parsers refuse."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


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
        """Write every staged file to a hidden temporary file, then rename them all into
        place. On any failure (an error, Ctrl-C) the temporary files are removed, and so is
        the output folder when this call created it and it is still empty. A temporary file
        left by a killed run into the same folder is removed first (see :func:`stale_temps`)."""
        self.check_targets(self.files)
        created = _missing_folders(self.out_dir)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the output folder {self.out_dir} ({e.strerror})") from None
        temps: list[tuple[str, str]] = []
        done = False
        try:
            for stale in stale_temps(self.out_dir, [*self.files, *self.owned]):
                with contextlib.suppress(OSError):
                    stale.unlink()
            for name, data in self.files.items():
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.{_TEMP_TAG}.", suffix=".tmp", dir=self.out_dir)
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
            done = True
        except OSError as e:
            raise OutputError(f"cannot write to {self.out_dir} ({e.strerror}); nothing was changed") from None
        finally:
            for tmp, _ in temps:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            if not done:
                for folder in created:  # deepest first; only while empty
                    with contextlib.suppress(OSError):
                        folder.rmdir()


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    out = []
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


# A temporary file's name says who writes it: .<output>.<host>-<pid>.<random>.tmp
_TEMP_TAG = f"{_host()}-{os.getpid()}"
_TEMP_NAME = re.compile(r"\.(?P<host>[A-Za-z0-9-]*)-(?P<pid>[0-9]+)\.[^.]+\.tmp")
STALE_AFTER_SECONDS = 3600  # a temporary file of another machine's run, or of an older version


def stale_temps(folder: Path, names) -> list[Path]:
    """Hidden temporary files in ``folder`` for the outputs ``names`` that no running
    process will rename: written by a process of this machine that is gone (killed during
    its write), or older than an hour (another machine's run, or an older version's
    temporary name). A live run's files — on this machine or recent — are left alone, so
    two runs into one folder never break each other."""
    out = []
    for name in dict.fromkeys(names):
        for path in folder.glob(f".{glob_escape(name)}.*.tmp"):
            tag = _TEMP_NAME.fullmatch(path.name[len(name) + 1 :])
            try:
                old = time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
            except OSError:
                continue
            if old or (tag and tag["host"] == _host() and not _alive(int(tag["pid"]))):
                out.append(path)
    return sorted(out)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or not a pid: leave its file alone
    return True
