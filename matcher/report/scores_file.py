"""The ``scores`` export: every pair, written as it is scored (CSV or Parquet), memory flat.

Takes a loaded cohort and config; returns a :class:`~matcher.report.files.Streamed` output
that scores blocks of mentee rows (:func:`matcher.solve.encode.scored_blocks`: the five Cs,
the pair score and every hard rule's bits, on threads) and writes each block before
scoring the next, so 10 million pairs never sit in memory. Columns (``SCORES_HEADER``):
``mentee_id, mentor_id, feasible, reason_infeasible, score, the five Cs, readiness,
objective``, mentee then mentor order.

**CSV** (UTF-8 with BOM, CRLF, Excel-safe cells) is formatted without a Python call per
cell: numbers come from lookup tables (a score in hundredths, a C in thousandths — a float32
C times 1000 is exact in float64, so rounding half to even there is exactly what
``f"{x:.3f}"`` prints), the objective from numpy's integer formatting, ids and reasons are
quoted and neutralised once per person or rule set; a block's fields fill a structured
array whose bytes, with the padding dropped, are the block's lines. Any cell the tables
cannot represent exactly (a NaN aside, a negative or oversized value) is printed by Python.
The bytes are identical to writing each row with :func:`~matcher.report.files.csv_bytes`.

**Parquet** (pyarrow) holds the same columns typed: ids and reasons dictionary-encoded
strings, ``feasible`` bool, scores and Cs floats (a C not in use is null), ``objective``
int64 (null when infeasible) — one row group per block; pandas, DuckDB and Polars read it.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from matcher.report.files import Streamed, safe_cell
from matcher.report.tables import SCORES_HEADER, fmt_unit
from matcher.solve.problem import MAX_S, READY_UNITS, SCORE_UNITS
from matcher.solve.rules import reasons

FORMATS = ("csv", "parquet")
LINES_PER_PIECE = 200_000  # CSV lines formatted at once (the structured array's rows)


def scores_output(cohort, config, fmt: str = "csv") -> Streamed:
    """Every pair of ``cohort`` under ``config`` as a streamed ``fmt`` file ("csv" | "parquet")."""
    if fmt not in FORMATS:  # the CLI offers only these
        raise ValueError(f"unknown scores format {fmt!r}")
    write = _write_csv if fmt == "csv" else _write_parquet
    return Streamed(lambda fh: write(cohort, config, fh))


class _Blocks:
    """The scored blocks and what every block shares (per-person cells, A and B)."""

    def __init__(self, cohort, config):
        from matcher.solve.bonus import bonus_pairs, choice_pairs, shortlist_points
        from matcher.solve.eligibility import eligible_mentees
        from matcher.solve.encode import scored_blocks
        from matcher.solve.problem import multipliers_for
        from scoring.combine import prepare_scoring

        self.cohort = cohort
        ctx = prepare_scoring(cohort, config.scoring)
        self.readiness = ctx.readiness
        self.eligible = eligible_mentees(ctx.readiness, config)
        # [preferences] count in the objective as in the solve (matcher.solve.encode): score +
        # bonus, with M raised to 100 x (100 + the largest bonus), and the shortlist tier on
        # mentees' choices; the score column stays the five Cs. Bonuses are added block by
        # block (no dense matrix: this command streams cohorts of any size).
        prefs, settings = cohort.preferences, config.preferences
        self.prefs, self.settings = prefs, settings
        self.triples = bonus_pairs(prefs, settings) if settings.scored and prefs.stated else None
        self.bonused = bool(self.triples is not None and self.triples[2].any())
        top = MAX_S if not self.bonused else round((100.0 + settings.max_bonus) * SCORE_UNITS)
        n = min(int(self.eligible.sum()), int(cohort.capacity.sum()))
        self.tier = 0
        if settings.shortlist and any(prefs.mentee_choices):
            self.tier = round(shortlist_points(n, top / SCORE_UNITS) * SCORE_UNITS)
            self.chosen = choice_pairs(prefs, settings)[:2]
            top += self.tier
        self.a, self.b = multipliers_for(n, top)
        if self.a + READY_UNITS * self.b + top >= 2**63:  # shortlist at a huge size: no int64 column
            from matcher.errors import config_error

            raise config_error(
                config,
                "preferences",
                f"shortlist = true makes the objective column exceed 64-bit integers when {n:,} "
                "mentees can be matched",
                "remove shortlist to write scores at this size",
            )
        self.ready_units = np.rint(np.asarray(self.readiness, np.float64) * READY_UNITS).astype(np.int64)
        self.blocks = scored_blocks(cohort, config, ctx)

    def reason_table(self, bits: np.ndarray, eligible: np.ndarray):
        """(codes (k, n_r) into ``names``, names: the reason text of each distinct (bits,
        eligible)) — rule names in registry order, then min_readiness."""
        key = bits.astype(np.int64) * 2 + (~eligible)[:, None]
        uniq, codes = np.unique(key, return_inverse=True)
        names = []
        for k in uniq.tolist():
            why = reasons(k >> 1) + (["min_readiness"] if k & 1 else [])
            names.append(";".join(why))
        return codes.reshape(key.shape), names

    def objective_units(self, rows: np.ndarray, score: np.ndarray, units: np.ndarray) -> np.ndarray:
        """(k, n_r) int64 score units of each pair in the objective: ``units`` (the five
        Cs' score) unless preference bonuses or the shortlist tier add to it."""
        from matcher.solve.bonus import block_bonus

        if self.bonused:
            bonus = block_bonus(self.triples, rows, score.shape[1])
            if bonus is not None:
                units = np.rint(np.round(score + bonus, 2) * SCORE_UNITS).astype(np.int64)
        if self.tier:
            ii, jj = self.chosen
            inside = (ii >= rows[0]) & (ii <= rows[-1])
            units = units.copy()
            units[ii[inside] - rows[0], jj[inside]] += self.tier
        return units


def _csv_cell(text: str) -> str:
    """``text`` as the csv module writes it inside a row (quoted only when it must be)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([text, ""])
    return buf.getvalue()[: -len(",\r\n")]


def _cells(values, text_column: bool = False) -> list[bytes]:
    """Each value as a guarded CSV cell (``text_column``: ids, guarded even when numeric)."""
    return [_csv_cell(safe_cell(v, text_column)).encode("utf-8") for v in values]


def _write_csv(cohort, config, fh) -> None:
    from matcher.report.files import csv_bytes

    fh.write(csv_bytes(SCORES_HEADER, []))
    src = _Blocks(cohort, config)
    e_ids = np.array([c + b"," for c in _cells(cohort.mentee_ids, True)], dtype=object)
    r_ids = np.array([c + b"," for c in _cells(cohort.mentor_ids, True)], dtype=object)
    if any(b"\x00" in c for c in (*e_ids, *r_ids)):  # the padding trick needs NUL-free cells
        return _write_csv_rows(src, fh)
    e_ids, r_ids = e_ids.astype(bytes), r_ids.astype(bytes)
    ready = np.array([fmt_unit(float(r)).encode() + b"," for r in src.readiness], dtype=bytes)
    score_tab = np.array([f"{k / SCORE_UNITS:.2f},".encode() for k in range(MAX_S + 1)], dtype=bytes)
    unit_tab = np.array([f"{k / 1000:.3f},".encode() for k in range(1001)] + [b","], dtype=bytes)
    n_r = cohort.n_mentors
    for rows, comps, score, bits in src.blocks:
        elig = src.eligible[rows]
        codes, names = src.reason_table(bits, elig)
        reason_tab = np.array([c + b"," for c in _cells(names)], dtype=bytes)
        feasible = (bits == 0) & elig[:, None]
        units = np.rint(score * SCORE_UNITS).astype(np.int64)
        exact_score = (np.abs(score * SCORE_UNITS - units) < 1e-6) & (units >= 0) & (units <= MAX_S)
        weight = np.int64(src.a) + np.int64(src.b) * src.ready_units[rows][:, None]
        weight = weight + src.objective_units(rows, score, units)
        comp_idx = []
        exact = exact_score
        for k in range(5):
            c = comps[k].astype(np.float64)
            idx = np.rint(c * 1000)
            nan = np.isnan(c)
            ok = nan | ((c >= 0) & ~np.signbit(c) & (idx <= 1000) & (comps[k].dtype == np.float32))
            exact = exact & ok
            comp_idx.append(np.where(nan, 1001, np.where(ok, idx, 0)).astype(np.int64))
        if not exact.all():  # a value the tables cannot print exactly: this block row by row
            _rows_to(fh, src, rows, comps, score, bits)
            continue
        k_rows = rows.size
        for start in range(0, k_rows, max(1, LINES_PER_PIECE // max(n_r, 1))):
            part = slice(start, min(k_rows, start + max(1, LINES_PER_PIECE // max(n_r, 1))))
            m = (part.stop - part.start) * n_r
            ii = np.repeat(rows[part], n_r)
            jj = np.tile(np.arange(n_r), part.stop - part.start)
            feas = feasible[part].ravel()
            obj = np.where(feas, weight[part].ravel(), 0).astype(f"S{len(str(int(weight.max(initial=0))))}")
            obj[~feas] = b""
            fields = [
                ("e", e_ids[ii]),
                ("r", r_ids[jj]),
                ("f", np.where(feas, b"yes,", b"no,")),
                ("why", reason_tab[codes[part].ravel()]),
                ("s", score_tab[units[part].ravel()]),
                *((f"c{k}", unit_tab[comp_idx[k][part].ravel()]) for k in range(5)),
                ("rd", ready[ii]),
                ("o", obj),
                ("end", np.full(m, b"\r\n", dtype="S2")),
            ]
            table = np.empty(m, dtype=[(name, values.dtype) for name, values in fields])
            for name, values in fields:
                table[name] = values
            fh.write(table.tobytes().replace(b"\x00", b""))


def _rows_to(fh, src, rows, comps, score, bits) -> None:
    """One block row by row with the csv module (the exact reference the tables match)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    c = src.cohort
    obj_units = src.objective_units(rows, score, np.rint(score * SCORE_UNITS).astype(np.int64))
    for r, i in enumerate(rows.tolist()):
        elig = bool(src.eligible[i])
        for j in range(c.n_mentors):
            why = reasons(int(bits[r, j])) + ([] if elig else ["min_readiness"])
            feasible = not why
            weight = src.a + src.b * int(src.ready_units[i]) + int(obj_units[r, j])
            writer.writerow(
                [
                    safe_cell(v, n < 2)  # the two ids are text columns
                    for n, v in enumerate(
                        (
                            c.mentee_ids[i],
                            c.mentor_ids[j],
                            "yes" if feasible else "no",
                            ";".join(why),
                            f"{score[r, j]:.2f}",
                            *(fmt_unit(float(comps[k, r, j])) for k in range(5)),
                            fmt_unit(float(src.readiness[i])),
                            weight if feasible else "",
                        )
                    )
                ]
            )
    fh.write(buf.getvalue().encode("utf-8"))


def _write_csv_rows(src, fh) -> None:
    for rows, comps, score, bits in src.blocks:
        _rows_to(fh, src, rows, comps, score, bits)


def _write_parquet(cohort, config, fh) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from matcher.io.config import FIVE_CS

    src = _Blocks(cohort, config)
    e_ids = pa.array(list(cohort.mentee_ids), pa.string())
    r_ids = pa.array(list(cohort.mentor_ids), pa.string())
    n_r = cohort.n_mentors
    schema = pa.schema(
        [
            ("mentee_id", pa.dictionary(pa.int32(), pa.string())),
            ("mentor_id", pa.dictionary(pa.int32(), pa.string())),
            ("feasible", pa.bool_()),
            ("reason_infeasible", pa.dictionary(pa.int32(), pa.string())),
            ("score", pa.float64()),
            *((c, pa.float32()) for c in FIVE_CS),
            ("readiness", pa.float64()),
            ("objective", pa.int64()),
        ]
    )
    with pq.ParquetWriter(fh, schema) as writer:
        for rows, comps, score, bits in src.blocks:
            k = rows.size
            elig = src.eligible[rows]
            codes, names = src.reason_table(bits, elig)
            feasible = ((bits == 0) & elig[:, None]).ravel()
            units = np.rint(score * SCORE_UNITS).astype(np.int64)
            weight = np.int64(src.a) + np.int64(src.b) * src.ready_units[rows][:, None]
            weight = (weight + src.objective_units(rows, score, units)).ravel()
            ii = np.repeat(rows, n_r).astype(np.int32)
            jj = np.tile(np.arange(n_r, dtype=np.int32), k)
            columns = [
                pa.DictionaryArray.from_arrays(pa.array(ii), e_ids),
                pa.DictionaryArray.from_arrays(pa.array(jj), r_ids),
                pa.array(feasible),
                pa.DictionaryArray.from_arrays(
                    pa.array(codes.ravel().astype(np.int32)), pa.array(names, pa.string())
                ),
                pa.array(units.ravel() / SCORE_UNITS),
                *(pa.array(comps[c].ravel(), from_pandas=True) for c in range(5)),
                pa.array(np.repeat(np.asarray(src.readiness, np.float64)[rows], n_r)),
                pa.array(weight, mask=~feasible),
            ]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
