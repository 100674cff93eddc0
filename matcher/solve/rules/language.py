"""language: both give languages and share none."""

from __future__ import annotations

import numpy as np

from matcher.solve.rules.base import Rule, RuleInput


def mask(x: RuleInput):
    if not x.has("languages"):
        return None
    from scoring.five_cs import shared_items

    f = x.features
    none_shared = shared_items(f, "languages", x.mentees) == 0
    give_e = np.diff(f.e.languages.indptr)[x.mentees] > 0
    give_r = np.diff(f.r.languages.indptr) > 0
    none_shared &= give_e[:, None]
    none_shared &= give_r[None, :]
    return none_shared


def detail(result, i, j) -> str:
    return "no shared language"


RULE = Rule(
    "language", "language", "no mentor shares a language", mask, columns=("languages",), detail=detail
)
