"""The programme config: a TOML file of weights, rules, solver settings and column maps.

``load_config(path)`` takes a TOML path (or ``None`` for the defaults) and returns a
frozen :class:`Config`. Every key is checked strictly: an unknown key is an error
that suggests the nearest known one, because a silently ignored typo
(``max_timezone_gap_hour``) would change who is paired with whom.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from matcher.errors import ConfigError, Problem
from matcher.io.preferences import PreferenceSettings, parse_settings
from matcher.io.settings import RuleSettings

# The five Cs belong to scoring; re-exported here for code that imports them from the config.
from scoring.names import FIVE_CS as FIVE_CS
from scoring.settings import ScoringSettings


@dataclass(frozen=True)
class Weights:
    """Programme weight of each C (≥ 0). A pair's weight for C is this × the mentee's want_C."""

    compatibility: float = 1.0
    contrast: float = 1.0
    challenge: float = 1.0
    context: float = 1.0
    care: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return {c: float(getattr(self, c)) for c in FIVE_CS}


@dataclass(frozen=True)
class SolverSettings:
    """CP-SAT settings, used only when a rule needs CP-SAT (flow is exact and needs none)."""

    engine: str = "auto"  # auto (= flow: exact for every rule) | flow | cp_sat
    time_limit_seconds: float = 60.0
    seed: int = 0
    workers: int = 1


@dataclass(frozen=True)
class Config:
    """Everything a run is configured with; ``Config()`` is the documented default."""

    weights: Weights = field(default_factory=Weights)
    rules: RuleSettings = field(default_factory=RuleSettings)  # declared by the rules (see settings.py)
    solver: SolverSettings = field(default_factory=SolverSettings)
    preferences: PreferenceSettings = field(default_factory=PreferenceSettings)
    # export header (normalised: stripped, lower-case) -> standard column name
    columns_mentors: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    columns_mentees: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # Likert label (normalised) -> integer 1..5
    likert: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # [values]: column -> {answer (as compared, see matcher.io.vocabulary.norm) -> value}
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    source: str | None = None

    def with_rules(self, **changes: Any) -> Config:
        return replace(self, rules=self.rules.replace(**changes))

    @property
    def scoring(self) -> ScoringSettings:
        """The part of this config that scoring reads (scoring never sees a Config):
        the programme weight of each C in FIVE_CS order, the seniority rule, and the
        same-department mode and penalty."""
        return ScoringSettings(
            weights=tuple(self.weights.as_dict()[c] for c in FIVE_CS),
            seniority=self.rules.seniority,
            same_department=self.rules.same_department,
            department_penalty=self.rules.department_penalty,
        )


SECTIONS = ("weights", "rules", "solver", "preferences", "columns", "likert", "values")


def normalise_header(text: str) -> str:
    """Header as matched: surrounding spaces dropped, inner runs of space folded, lower-case."""
    return " ".join(str(text).split()).lower()


def _nearest(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else "known keys: " + ", ".join(choices)


def load_config(path: str | Path | None, standard_columns: frozenset[str] = frozenset()) -> Config:
    """Read and check a TOML config; ``None`` gives the defaults.

    ``standard_columns`` is the set of names a ``[columns]`` entry may map to (the
    loader passes it in so that this module does not depend on the questionnaire).
    Raises :class:`ConfigError` listing every problem at once.
    """
    if path is None:
        return Config()
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    None,
                    f"cannot read the config ({exc.strerror})",
                    "check the path",
                )
            ]
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"not valid TOML ({exc})",
                    "fix the syntax; see sample_data/programme.toml",
                )
            ]
        ) from None
    return parse_config(data, name, standard_columns)


def parse_config(data: dict, name: str = "config", standard_columns: frozenset[str] = frozenset()) -> Config:
    """Build a :class:`Config` from an already-parsed TOML mapping (strict keys)."""
    problems: list[Problem] = []

    def bad(key: str, value: Any, problem: str, fix: str) -> None:
        problems.append(Problem(name, None, key, None if value is None else str(value), problem, fix))

    for key in data:
        if key not in SECTIONS:
            bad(key, None, "unknown section", _nearest(key, SECTIONS))

    def section(sec: str) -> dict:
        value = data.get(sec, {})
        if not isinstance(value, dict):
            bad(sec, value, "must be a table", f"write it as [{sec}]")
            return {}
        return value

    weights = _dataclass_from(Weights, section("weights"), "weights", bad)
    rules = _rule_settings(section("rules"), bad)
    solver = _dataclass_from(SolverSettings, section("solver"), "solver", bad)
    preferences = parse_settings(section("preferences"), bad)

    for c in FIVE_CS:
        if getattr(weights, c) < 0:
            bad(f"weights.{c}", getattr(weights, c), "must be 0 or more", "use a weight ≥ 0")
    if sum(weights.as_dict().values()) <= 0:
        bad("weights", None, "all weights are 0", "give at least one C a weight above 0")
    from matcher.solve.engines import names as engine_names  # the engines' registry (lazy: no cycle)

    _check_choice(solver.engine, engine_names(), "solver.engine", bad)
    if solver.time_limit_seconds <= 0:
        bad("solver.time_limit_seconds", solver.time_limit_seconds, "must be above 0", "e.g. 60")
    if solver.workers < 1:
        bad("solver.workers", solver.workers, "must be 1 or more", "e.g. 2")

    both: dict[str, str] = {}
    per: dict[str, dict[str, str]] = {"mentors": {}, "mentees": {}}
    for header, target in section("columns").items():
        if isinstance(target, dict):
            if header not in per:
                bad(
                    f"columns.{header}",
                    None,
                    "unknown sub-table",
                    "use [columns.mentors] or [columns.mentees]",
                )
                continue
            items = target.items()
            dest = per[header]
        else:
            items = [(header, target)]
            dest = both
        for h, t in items:
            if not isinstance(t, str):
                bad(
                    f"columns.{h}",
                    t,
                    "must map to a column name in quotes",
                    'e.g. "Capacity (max)" = "capacity"',
                )
            elif standard_columns and t.strip().lower() not in standard_columns:
                bad(
                    f"columns.{h}",
                    t,
                    "is not a questionnaire column",
                    _nearest(t.strip().lower(), sorted(standard_columns)),
                )
            else:
                dest[normalise_header(h)] = t.strip().lower()

    from matcher.io.vocabulary import norm, parse_values  # answers as the loader compares them

    likert: dict[str, int] = {}
    for label, value in section("likert").items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            bad(f"likert.{label}", value, "must map to a whole number 1–5", 'e.g. "Strongly agree" = 5')
        else:
            likert[norm(label)] = value
    values, value_problems = parse_values(section("values"), name)
    problems.extend(value_problems)

    config = Config(
        weights=weights,
        rules=rules,
        solver=solver,
        preferences=preferences,
        columns_mentors=MappingProxyType({**both, **per["mentors"]}),
        columns_mentees=MappingProxyType({**both, **per["mentees"]}),
        likert=MappingProxyType(likert),
        values=values,
        source=name,
    )
    if problems:
        error = ConfigError(problems)
        # The entries that were right (column maps, answers), so that the files can still be
        # read and their problems reported with the config's, all at once. Never run with it.
        error.partial = config
        raise error
    return config


def _check_choice(value, choices, key, bad) -> None:
    if value not in choices:
        bad(key, value, "is not an allowed value", "use one of: " + ", ".join(choices))


def _rule_settings(table: dict, bad) -> RuleSettings:
    """``[rules]`` checked against the keys the rules declare (type, finite, range, choices)."""
    from matcher.solve.rules import settings_schema  # declared by the rule modules (lazy: no cycle)

    schema = {s.key: s for s in settings_schema()}
    values = {key: s.default for key, s in schema.items()}
    for key, value in table.items():
        if key not in schema:
            bad(f"rules.{key}", None, "unknown key", _nearest(key, schema))
            continue
        parsed, problem, fix = schema[key].parse(value)
        if problem:
            bad(f"rules.{key}", value if parsed is None else parsed, problem, fix)
        else:
            values[key] = parsed
    return RuleSettings(values)


def _dataclass_from(cls, table: dict, sec: str, bad):
    known = {f.name: f for f in fields(cls)}
    defaults = cls()
    values = {}
    for key, value in table.items():
        if key not in known:
            bad(f"{sec}.{key}", None, "unknown key", _nearest(key, known))
            continue
        default = getattr(defaults, key)
        ok = _type_ok(value, default, key)
        if not ok:
            bad(
                f"{sec}.{key}",
                value,
                f"has the wrong type (expected {_kind(default, key)})",
                f"e.g. {key} = {_example(default, key)}",
            )
            continue
        values[key] = float(value) if isinstance(default, float) else value
    return replace(defaults, **values)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _kind(default, key) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, int):
        return "a whole number"
    return "text in quotes"


def _example(default, key) -> str:
    if isinstance(default, str):
        return f'"{default}"'
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)


def _type_ok(value, default, key) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return _is_int(value)
    if isinstance(default, str):
        return isinstance(value, str)
    return True
