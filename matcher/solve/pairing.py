"""A pairing by index: the (mentee, mentor) pairs a solver chose.

Most programmes give each mentee at most one mentor, and most of the code reads the
answer as ``mentor_of`` ((n_e,) mentor index, −1 unmatched). A mentee may want several
mentors (``mentors_wanted``), so the general answer is a set of pairs: a frozen, sorted
(k, 2) int64 array of (mentee, mentor), each pair at most once. :class:`Pairing` holds
it and offers ``mentor_of`` only where it is well defined — when no mentee has more than
one mentor — and raises otherwise, so code that assumes one mentor per mentee fails
loudly on a several-mentor pairing instead of silently dropping pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


class SeveralMentorsError(ValueError):
    """``mentor_of`` asked of a pairing that gives some mentee more than one mentor."""


@dataclass(frozen=True, eq=False)
class Pairing:
    """``pairs``: (k, 2) int64, sorted by (mentee, mentor), no pair twice (read-only);
    ``n_mentees``: the cohort's mentees (rows of ``mentor_of``)."""

    pairs: np.ndarray
    n_mentees: int

    @classmethod
    def of(cls, mentees, mentors, n_mentees: int) -> Pairing:
        """From parallel index arrays (any order); raises ValueError if a pair repeats."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        r = np.asarray(mentors, dtype=np.int64).reshape(-1)
        order = np.lexsort((r, e))
        pairs = np.stack([e[order], r[order]], axis=1) if e.size else np.zeros((0, 2), np.int64)
        if pairs.shape[0] > 1:
            same = (pairs[1:] == pairs[:-1]).all(axis=1)
            if same.any():
                i, j = pairs[1:][same][0]
                raise ValueError(f"pair (#{i}, #{j}) chosen twice")
        pairs.setflags(write=False)
        return cls(pairs, int(n_mentees))

    @classmethod
    def from_mentor_of(cls, mentor_of) -> Pairing:
        """From ``mentor_of`` ((n_e,) mentor index, −1 unmatched)."""
        m = np.asarray(mentor_of, dtype=np.int64)
        matched = np.flatnonzero(m >= 0)
        return cls.of(matched, m[matched], m.size)

    @property
    def mentee(self) -> np.ndarray:
        """(k,) mentee of each pair."""
        return self.pairs[:, 0]

    @property
    def mentor(self) -> np.ndarray:
        """(k,) mentor of each pair."""
        return self.pairs[:, 1]

    @property
    def size(self) -> int:
        """Number of pairs."""
        return int(self.pairs.shape[0])

    @cached_property
    def count(self) -> np.ndarray:
        """(n_e,) mentors per mentee."""
        c = np.bincount(self.mentee, minlength=self.n_mentees).astype(np.int64)
        c.setflags(write=False)
        return c

    @property
    def single(self) -> bool:
        """No mentee has more than one mentor (``mentor_of`` is defined)."""
        return not (self.count > 1).any()

    @cached_property
    def mentor_of(self) -> np.ndarray:
        """(n_e,) mentor index per mentee, −1 unmatched; raises SeveralMentorsError when a
        mentee has more than one mentor (read ``pairs`` then)."""
        if not self.single:
            raise SeveralMentorsError(
                "this pairing gives some mentees several mentors: read its pairs, not mentor_of"
            )
        m = np.full(self.n_mentees, -1, dtype=np.int64)
        m[self.mentee] = self.mentor
        m.setflags(write=False)
        return m

    def mentors(self, i: int) -> np.ndarray:
        """Mentors of mentee ``i``, ascending."""
        lo, hi = np.searchsorted(self.mentee, [i, i + 1])
        return self.mentor[lo:hi]

    def load(self, n_mentors: int) -> np.ndarray:
        """(n_r,) mentees per mentor."""
        return np.bincount(self.mentor, minlength=n_mentors).astype(np.int64)

    def has(self, i: int, j: int) -> bool:
        """Pair (i, j) is chosen."""
        return bool((self.mentors(i) == j).any())

    def contains(self, ii, jj) -> np.ndarray:
        """(n,) bool: pair (ii[n], jj[n]) is chosen (vectorised)."""
        ii, jj = np.asarray(ii, np.int64), np.asarray(jj, np.int64)
        if self.size == 0 or ii.size == 0:
            return np.zeros(ii.shape, dtype=bool)
        n_r = int(max(self.mentor.max(), jj.max())) + 1
        keys = self.mentee * n_r + self.mentor  # sorted: pairs are sorted by (mentee, mentor)
        want = ii * n_r + jj
        pos = np.clip(np.searchsorted(keys, want), 0, keys.size - 1)
        return keys[pos] == want


def as_pairing(assignment, n_mentees: int | None = None) -> Pairing:
    """A :class:`Pairing` from a Pairing or a ``mentor_of`` array (what checks accept)."""
    if isinstance(assignment, Pairing):
        return assignment
    return Pairing.from_mentor_of(assignment)
