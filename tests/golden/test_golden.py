"""Every output of the golden scenarios is byte-identical to the recorded manifest.

The manifest was recorded before the architecture refactor; a change here must be a
correction, and its commit says so (``python -m tests.golden.record`` rewrites it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.scenarios import run_scenario, scenarios

MANIFEST = json.loads(Path(__file__).with_name("manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(scenarios()))
def test_outputs_are_byte_identical(name, tmp_path):
    got = run_scenario(scenarios()[name], tmp_path)
    want = MANIFEST[name]
    assert sorted(got) == sorted(want), "a scenario wrote different files"
    changed = [f for f in want if got[f] != want[f]]
    assert not changed, f"{name}: outputs changed: {changed}"
