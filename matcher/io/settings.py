"""A config key declared by the part of the tool that reads it (a rule, a side rule, the
weights, the solver, a Likert label).

Each :class:`Setting` says its key, default, type and allowed range in one place; the
config loader checks every numeric value of ``[weights]``, ``[rules]``, ``[solver]`` and
``[likert]`` against its declaration (type, finite, range, choices) and names the key,
the value and what is allowed. Rule modules declare their own settings, so adding a rule
never means editing the config module; every number has both bounds, so no value (1e308,
a 19-digit integer) can overflow what reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One key of ``[rules]``.

    ``kind``: ``number`` (int or float, finite), ``whole`` (int), ``choice`` (one of
    ``choices``), ``bool``, ``gap`` ([min, max] whole numbers within ``lo``/``hi``),
    ``numbers`` (a list of numbers, each within ``lo``/``hi``; a tuple of floats).
    ``optional``: the default is None (unset). ``lo``/``hi``: inclusive bounds (``lo_open``:
    above ``lo``). ``order``: where the key stands in
    ``summary.json`` → ``rules`` (existing keys keep their documented order; new ones
    follow). ``summary``: shown there at all.
    """

    key: str
    default: Any
    kind: str
    help: str
    example: str
    choices: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    optional: bool = False
    order: int = 1000
    summary: bool = True
    range_fix: str | None = None  # the fix shown for a value out of range (default: e.g. <example>)
    lo_open: bool = False  # lo itself is not allowed ("above 0")
    message: str | None = None  # the problem shown for any wrong value (default: by kind and range)

    def expected(self) -> str:
        return {
            "number": "a number",
            "whole": "a whole number",
            "choice": "text in quotes",
            "bool": "true or false",
            "gap": "a list [min, max]",
            "numbers": "a list of numbers",
        }[self.kind]

    def parse(self, value) -> tuple[Any, str | None, str | None]:
        """(value as used — or as shown in the message —, problem or None, fix). Never raises;
        a wrong type gives None as the value (the raw value is shown)."""
        parsed, problem, fix = self._parse(value)
        if problem is not None and self.message is not None:
            return parsed, self.message, self.range_fix or f"e.g. {self.example}"
        return parsed, problem, fix

    def _parse(self, value) -> tuple[Any, str | None, str | None]:
        given = value  # shown as written (200, not 200.0) when out of range
        if self.kind == "whole" and isinstance(value, float) and not math.isfinite(value):
            return (
                value,
                f"must be a whole number ({self._range()})",
                f"e.g. {self.key} = {self.example}",
            )
        if not _TYPE_OK[self.kind](value):
            return (
                None,
                f"has the wrong type (expected {self.expected()})",
                f"e.g. {self.key} = {self.example}",
            )
        if self.kind == "number":
            if not math.isfinite(value):
                return (
                    value,
                    f"must be a finite number ({self._range()})",
                    f"e.g. {self.key} = {self.example}",
                )
            value = float(value)
        elif self.kind == "choice" and value not in self.choices:
            return value, "is not an allowed value", "use one of: " + ", ".join(self.choices)
        elif self.kind == "gap":
            if len(value) != 2 or not all(_is_int(g) for g in value) or value[0] > value[1]:
                return value, "must be [min, max] whole numbers, min ≤ max", f"e.g. {self.example}"
            if not (self._within(value[0]) and self._within(value[1])):
                return value, f"must be [min, max] whole numbers {self._range()}", f"e.g. {self.example}"
            return (int(value[0]), int(value[1])), None, None
        elif self.kind == "numbers":
            if not all(_TYPE_OK["number"](v) and math.isfinite(v) and self._within(v) for v in value):
                return (
                    value,
                    f"must be a list of numbers, each {self._range()}",
                    f"e.g. {self.key} = {self.example}",
                )
            return tuple(float(v) for v in value), None, None
        if self.kind in ("number", "whole") and not self._within(value):
            return given, f"must be {self._range()}", self.range_fix or f"e.g. {self.example}"
        return value, None, None

    def _within(self, value) -> bool:
        above = self.lo is None or (value > self.lo if self.lo_open else value >= self.lo)
        return above and (self.hi is None or value <= self.hi)

    def _range(self) -> str:
        def n(x):
            return f"{x:g}"

        if self.lo_open and self.lo is not None:
            return f"above {n(self.lo)}" + (f" and at most {n(self.hi)}" if self.hi is not None else "")
        if self.lo is not None and self.hi is not None:
            return f"between {n(self.lo)} and {n(self.hi)}"
        if self.lo is not None:
            return f"{n(self.lo)} or more"
        if self.hi is not None:
            return f"{n(self.hi)} or less"
        return "finite"


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_TYPE_OK = {
    "number": lambda v: _is_int(v) or isinstance(v, float),
    "whole": _is_int,
    "bool": lambda v: isinstance(v, bool),
    "choice": lambda v: isinstance(v, str),
    "gap": lambda v: isinstance(v, list),
    "numbers": lambda v: isinstance(v, list),
}


class RuleSettings:
    """The ``[rules]`` values in force: read-only, attribute access (``rules.min_score``).

    Built from the declared :class:`Setting` s (defaults) and the config's values.
    """

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any] | None = None):
        if values is None:
            from matcher.solve.rules import settings_schema  # the declarations live with the rules

            values = {s.key: s.default for s in settings_schema()}
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getattr__(self, key: str):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"no rule setting '{key}'") from None

    def __setattr__(self, key, value):
        raise AttributeError("rule settings are read-only")

    def __eq__(self, other) -> bool:
        return isinstance(other, RuleSettings) and dict(self._values) == dict(other._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self._values.items())))

    def __repr__(self) -> str:
        return f"RuleSettings({dict(self._values)!r})"

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def replace(self, **changes) -> RuleSettings:
        unknown = set(changes) - set(self._values)
        if unknown:
            raise AttributeError(f"no rule setting {', '.join(sorted(unknown))}")
        return RuleSettings({**self._values, **changes})
