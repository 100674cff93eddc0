"""The one function that writes a run's outputs: all at once, never over an input.

Every command builds its outputs in memory as an ordered mapping ``name → bytes``;
:func:`publish` hands them to :class:`~matcher.report.files.StagedOutputs`, which writes
each to a hidden temporary file and renames them all into place only when every one was
written, so an error, a crash or Ctrl-C leaves the previous outputs intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from matcher.report.files import StagedOutputs


def publish(
    outputs: Mapping[str, bytes],
    out_dir: str | Path,
    *,
    inputs: Iterable[str | Path | None] = (),
    owned: Iterable[str] = (),
) -> list[str]:
    """Write ``outputs`` (file name → bytes, in order) into the folder ``out_dir`` atomically.

    ``inputs``: paths that must never be overwritten (``None`` entries are skipped; the
    comparison is on resolved paths, so ``../data/pairs.csv`` is caught too). ``owned``:
    every name this kind of run may write; an old file of those names that ``outputs``
    does not hold is removed on success, so a folder never mixes two runs' outputs, and
    those names are refused over an input as well. The folder is created when missing.

    Returns the names written. Raises :class:`~matcher.errors.OutputError` (nothing
    written) when an output would land on an input, ``out_dir`` is a file, or the folder
    cannot be written.
    """
    owned = tuple(owned)
    staged = StagedOutputs(out_dir, inputs, owned=owned)
    staged.check_targets([*owned, *(name for name in outputs if name not in owned)])
    for name, data in outputs.items():
        staged.add(name, data)
    staged.publish()
    return list(staged.files)
