"""Packages point one way: ``cli → matcher → scoring``.

``scoring/`` imports nothing from ``matcher/`` or ``cli/``, and ``matcher/`` imports
nothing from ``cli/``. The check reads the source with :mod:`ast`, so it sees every
import: at the top of a module, inside a function (lazy imports), under ``if
TYPE_CHECKING``, relative imports that climb out of the package, and
``importlib.import_module("...")`` / ``__import__("...")`` with a literal name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from .conftest import ROOT

FORBIDDEN = {"scoring": ("matcher", "cli"), "matcher": ("cli",)}


def imported_modules(path: Path, package_dir: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file at ``path``, a module of
    the package in ``package_dir``; a relative import is resolved against the file's
    place in the package (one that climbs above the top gives a name of dots)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module or ""))
            else:
                # Relative: level 1 is the file's own package, each further level one up.
                base = here[: len(here) - node.level]
                name = ".".join([*base, node.module] if node.module else base)
                found.append((node.lineno, name or "." * node.level))
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _offends(module: str, banned: tuple[str, ...]) -> bool:
    return any(module == b or module.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    banned = FORBIDDEN[package]
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path, ROOT / package)
        if _offends(module, banned) or not module or module.startswith(".")
    ]
    assert not bad, f"{package}/ must not import {' or '.join(banned)}:\n" + "\n".join(bad)


def test_the_check_sees_every_kind_of_import(tmp_path):
    """The walker finds top-level, lazy, relative (climbing out) and dynamic imports."""
    package = tmp_path / "scoring"
    package.mkdir()
    source = package / "probe.py"
    source.write_text(
        "import matcher.api\n"
        "from cli.main import cli\n"
        "def lazy():\n"
        "    from matcher.io.config import Config\n"
        "    import importlib\n"
        "    importlib.import_module('matcher.rematch')\n"
        "    __import__('cli')\n"
        "from ..matcher import api\n"
        "from . import five_cs\n"
        "from .features import memo\n",
        encoding="utf-8",
    )
    found = sorted(module for _, module in imported_modules(source, package))
    offending = [m for m in found if _offends(m, FORBIDDEN["scoring"])]
    assert offending == sorted(
        ["matcher.api", "cli.main", "matcher.io.config", "matcher.rematch", "cli", "matcher"]
    )
    assert "scoring" in found and "scoring.features" in found  # own relative imports are fine


def test_names_scoring_owns_are_the_ones_matcher_uses():
    """FIVE_CS and READY_ITEMS are defined once, in scoring, and re-exported by matcher;
    every item scoring reads is a questionnaire column."""
    from matcher.io import config, questionnaire
    from scoring import names

    assert config.FIVE_CS is names.FIVE_CS
    assert questionnaire.READY_ITEMS is names.READY_ITEMS
    assert tuple(f"want_{c}" for c in names.FIVE_CS) == names.WANT_ITEMS
    assert set(names.STYLE_ITEMS + names.WANT_ITEMS + names.READY_ITEMS) <= questionnaire.ALL_NAMES


def test_config_gives_scoring_only_its_settings(tmp_path):
    from matcher.api import load
    from matcher.io.config import Config, parse_config
    from matcher.synthetic.cohort import write_cohort
    from scoring.combine import score_cohort
    from scoring.settings import ScoringSettings

    assert Config().scoring == ScoringSettings()  # the defaults agree
    config = parse_config(
        {
            "weights": {"contrast": 2.5, "care": 0},
            "rules": {"seniority": "any", "same_department": "penalise", "department_penalty": 4},
        }
    )
    assert config.scoring == ScoringSettings(
        weights=(1.0, 2.5, 1.0, 1.0, 0.0), seniority="any", same_department="penalise", department_penalty=4.0
    )
    cohort, loaded = load(*write_cohort(tmp_path, 6, 3, 1))
    with pytest.raises(TypeError, match=r"config\.scoring"):
        score_cohort(cohort, loaded)  # a Config is not scoring's input
    np.testing.assert_array_equal(score_cohort(cohort).score, score_cohort(cohort, loaded.scoring).score)
