"""Eligibility: a mentee whose readiness is below ``min_readiness`` is not matched this
round and is listed as needing a preparation step first (readiness is a property of the
mentee, not of a pair, so this is not a pair rule)."""

from __future__ import annotations

import numpy as np

from matcher.io.settings import Setting

SETTINGS = (
    Setting(
        "min_readiness",
        0.0,
        "number",
        "mentees below this readiness (0–1) are listed as needing preparation",
        "0.0",
        lo=0,
        hi=1,
        range_fix="e.g. 0.4",
        order=65,
    ),
)


def eligible_mentees(readiness: np.ndarray, config) -> np.ndarray:
    """(n_e,) bool: mentees whose readiness (n_e,) reaches ``min_readiness``."""
    return readiness >= config.rules.min_readiness - 1e-12
