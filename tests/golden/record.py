"""Rewrite ``manifest.json`` from the current code (only for a correction: say so in the commit)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests.golden.scenarios import run_scenario, scenarios

MANIFEST = Path(__file__).with_name("manifest.json")


def main(keep: str | None = None) -> None:
    out = {}
    for name, steps in scenarios().items():
        tmp = Path(keep) / name if keep else Path(tempfile.mkdtemp()) / name
        tmp.mkdir(parents=True, exist_ok=True)
        out[name] = run_scenario(steps, tmp)
        print(name, len(out[name]), "files", file=sys.stderr)
    MANIFEST.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
