"""reporting_line: the mentor is the mentee's line manager or anywhere above them in the
chain (``manager_id`` in either file). On whenever the column exists, unless
``forbid_reporting_line = false``."""

from __future__ import annotations

from matcher.io.settings import Setting
from matcher.solve.rules.base import Rule, RuleInput, pairs_mask

SETTINGS = (
    Setting(
        "forbid_reporting_line",
        None,
        "bool",
        "default: on whenever a manager_id column exists",
        "true",
        optional=True,
        order=70,
    ),
)


def reporting_pairs(c) -> list[tuple[int, int]]:
    """(mentee, mentor) pairs where the mentor is in the mentee's chain of managers."""
    boss: dict[str, str] = {}
    for table in (c.mentors, c.mentees):
        for pid, mgr in zip(table["id"].tolist(), table["manager_id"].tolist(), strict=True):
            if mgr:
                boss.setdefault(pid, mgr)
    pairs = []
    for i, pid in enumerate(c.mentee_ids):
        seen = {pid}
        up = boss.get(pid)
        while up and up not in seen:
            seen.add(up)
            j = c.mentor_index(up)
            if j is not None:
                pairs.append((i, j))
            up = boss.get(up)
    return pairs


def mask(x: RuleInput):
    c = x.cohort
    has = "manager_id" in c.mentee_columns or "manager_id" in c.mentor_columns
    if not has or x.config.rules.forbid_reporting_line is False:
        return None
    pairs = x.extra.get("reporting_pairs")
    if pairs is None:
        pairs = reporting_pairs(c)
    return pairs_mask(x, pairs)


def summary(config, applied) -> dict:
    return {"forbid_reporting_line": "reporting_line" in applied}


RULE = Rule(
    "reporting_line",
    "reporting line",
    "every mentor is in the mentee's reporting line",
    mask,
    columns=("manager_id",),
    settings=SETTINGS,
    summary=summary,
)
