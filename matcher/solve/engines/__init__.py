"""The solver engines: one module each, every one declaring what it supports.

An :class:`Engine` names the problem kinds it can solve (``dense``: every pair in
memory; ``candidates``: a candidate set, see :mod:`matcher.solve.candidates`) and the
side-rule types it expresses exactly. The config's engine names and ``auto``'s choice
come from this registry: ``auto`` takes the first registered engine that supports the
problem and its side rules; a named engine asked for what it does not support is a
clear error, never a silent fallback. Adding an engine = one module in this package
that defines ``ENGINE`` (plus its tests): modules are discovered, and ``auto`` tries
them by their declared ``preference`` (lowest first).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from matcher.errors import MatcherError

AUTO = "auto"


@dataclass(frozen=True)
class Engine:
    """``solve(problem, side, settings) -> Solution``; ``settings``: the config's [solver] section."""

    name: str
    kinds: frozenset[str]
    side_rules: frozenset[type]
    solve: Callable
    label: str  # in messages: "--max-changes above 0 needs CP-SAT"
    preference: int  # auto tries engines in this order (lowest first)
    # The side-rule types it expresses exactly when some mentee wants several mentors
    # (``mentors_wanted``); None: it cannot solve such a problem at all.
    several: frozenset[type] | None = None

    def _rules_for(self, problem) -> frozenset[type]:
        if getattr(problem, "multi", False):
            return self.several if self.several is not None else frozenset()
        return self.side_rules

    def supports(self, problem, side) -> bool:
        if getattr(problem, "multi", False) and self.several is None:
            return False
        return problem.kind in self.kinds and side.kinds <= self._rules_for(problem)

    def unsupported(self, problem, side) -> list[str]:
        """What of the request this engine cannot do, in words."""
        out = []
        if problem.kind not in self.kinds:
            out.append(f"{problem.kind_words}")
        multi = getattr(problem, "multi", False)
        if multi and self.several is None:
            out.append("several mentors per mentee (mentors_wanted)")
        allowed = self._rules_for(problem)
        with_several = " with several mentors per mentee" if multi and self.several is not None else ""
        out.extend(r.describe + with_several for r in side.rules if type(r) not in allowed)
        return out


def engines() -> dict[str, Engine]:
    """Every engine by name, in auto's order of preference (modules are imported when asked for).

    Raises RuntimeError if two engines share a name or a preference (a registry is strict).
    """
    found = [
        importlib.import_module(f"{__name__}.{m.name}").ENGINE
        for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    ]
    found.sort(key=lambda e: e.preference)
    if len({e.name for e in found}) != len(found) or len({e.preference for e in found}) != len(found):
        raise RuntimeError("two solver engines share a name or a preference")
    return {e.name: e for e in found}


def names() -> tuple[str, ...]:
    """The names a config may give in ``[solver] engine``: ``auto`` and every engine's."""
    return (AUTO, *engines())


def choose(name: str, problem, side) -> Engine:
    """The engine that solves ``problem`` under ``side``; raises MatcherError naming what is missing."""
    known = engines()
    if name == AUTO:
        for engine in known.values():
            if engine.supports(problem, side):
                return engine
        wanted = ", ".join(r.describe for r in side.rules) or "these rules"
        raise MatcherError(f"no solver engine supports {wanted} for {problem.kind_words}")
    if name not in known:  # the config check names the choices; this guards code callers
        raise MatcherError(f"unknown solver engine '{name}'; known: {', '.join(names())}")
    engine = known[name]
    if not engine.supports(problem, side):
        what = " and ".join(engine.unsupported(problem, side))
        others = [e for e in known.values() if e.supports(problem, side)]
        if others:
            raise MatcherError(
                f'{what} needs {others[0].label}; set [solver] engine = "auto" or "{others[0].name}"'
            )
        raise MatcherError(f"no solver engine supports {what}")
    return engine


def solve(problem, side, settings):
    """Solve with the engine ``settings.engine`` names (see :func:`choose`) → Solution."""
    return choose(settings.engine, problem, side).solve(problem, side, settings)
