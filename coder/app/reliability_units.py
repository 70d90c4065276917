"""Units × raters matrices built from stored codes (see :mod:`coder.app.reliability`).

A rater who coded a session but did not mark a code in one of its segments gave 0 there;
a rater who did not code the session at all is missing (NaN), never 0: otherwise
sessions only one rater coded would inflate agreement.

Everything here works on the integer columns of :class:`CodeColumns`: sessions are rows
of the sorted session list, raters columns, codes small integers, and each item's codes
are found through one sort of the code column. Why: at 1,000,000 codes, comparing
strings or looking up tuple keys in dicts for every code, once per row of the table,
was most of the table's time.
"""

from __future__ import annotations

import itertools

import numpy as np

from coder.app.reliability_read import CodeColumns
from coder.domain.coding import Unit
from coder.domain.scheme import Scheme


class UnitMatrices:
    """Units × raters matrices; NaN where the rater did not code that session."""

    def __init__(
        self,
        codes: CodeColumns,
        segments: tuple[np.ndarray, np.ndarray],
        raters: tuple[str, ...],
    ) -> None:
        self.codes = codes
        self.raters = raters
        self.col = {r: i for i, r in enumerate(raters)}
        column_of_id = {rid: self.col.get(name, -1) for rid, name in codes.rater_names.items()}
        self.col_of = _lookup(codes.rater, column_of_id)
        # Sessions in (patient, number) order: the rows of every per-session matrix.
        keyed = sorted((codes.session_keys[i], i) for i in codes.ids_present(codes.session))
        self.sessions = [key for key, _ in keyed]
        self.session_ids = np.array([sid for _, sid in keyed], dtype=np.int64)
        self.n_sessions = len(self.sessions)
        self.session_row = {key: i for i, key in enumerate(self.sessions)}
        self.sess_of = _lookup(codes.session, {sid: i for i, sid in enumerate(self.session_ids)})
        self.session_base = np.full((self.n_sessions, len(raters)), np.nan)
        self.session_base[self.sess_of, self.col_of] = 0.0  # coded the session
        self._complete: np.ndarray = ~np.isnan(self.session_base).any(axis=1)
        # Segments in the stored order, of the sessions that have codes.
        seg_session, seg_index = segments
        seg_row = _lookup(seg_session, {sid: i for i, sid in enumerate(self.session_ids)})
        keep = seg_row >= 0
        self.session_of_segment = seg_row[keep]
        self.segment_index = seg_index[keep]
        self.segment_base = (
            self.session_base[self.session_of_segment]
            if len(self.session_of_segment)
            else np.empty((0, len(raters)))
        )
        # Where each code lands: its segment's row for segment codes, else its session's.
        is_segment = codes.unit == _number(codes.unit_names, Unit.SEGMENT.value)
        seg_of = _segment_rows(
            self.session_of_segment, self.segment_index, self.sess_of, codes.index
        )
        self.row_of = np.where(is_segment, seg_of, self.sess_of)
        self.code_number = {name: i for i, name in enumerate(codes.code_names)}
        # Each code's positions in ``codes``, ascending: one stable sort instead of a
        # comparison over every code per item.
        small = codes.code.astype(np.int16) if len(codes.code_names) < 2**15 else codes.code
        order = np.argsort(small, kind="stable")  # a radix sort for 16-bit keys
        bounds = np.searchsorted(codes.code[order], np.arange(len(codes.code_names) + 1))
        self._positions = [order[a:b] for a, b in itertools.pairwise(bounds.tolist())]
        self.has_turn = ~np.isnan(codes.turn)
        self.values = codes.value

    def positions(self, ids: set[str]) -> np.ndarray:
        """Positions in ``codes`` of the items ``ids``, ascending (the stored order, which
        decides which of two codes of one cell is written last)."""
        found = [self._positions[self.code_number[i]] for i in ids if i in self.code_number]
        if not found:
            return np.empty(0, dtype=np.int64)
        return found[0] if len(found) == 1 else np.sort(np.concatenate(found))

    def _rows(self, ids: set[str], unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matrix rows, columns and the positions in ``codes`` of the items ``ids``."""
        where = self.positions(ids)
        unit_number = _number(self.codes.unit_names, unit)
        where = where[(self.codes.unit[where] == unit_number) & (self.row_of[where] >= 0)]
        return self.row_of[where], self.col_of[where], where

    def presence(self, ids: set[str]) -> np.ndarray:
        matrix = self.segment_base.copy()
        rows, cols, _ = self._rows(ids, Unit.SEGMENT.value)
        matrix[rows, cols] = 1.0
        return matrix

    def _values(self, rating_id: str, unit: str, base: np.ndarray) -> np.ndarray:
        matrix = np.full_like(base, np.nan)
        rows, cols, where = self._rows({rating_id}, unit)
        matrix[rows, cols] = self.values[where]  # NaN stays NaN (N/A is missing)
        return matrix

    def segment_values(self, rating_id: str) -> np.ndarray:
        return self._values(rating_id, Unit.SEGMENT.value, self.segment_base)

    def session_values(self, rating_id: str) -> np.ndarray:
        return self._values(rating_id, Unit.SESSION.value, self.session_base)

    def frequency(self, ids: set[str]) -> np.ndarray:
        """Segments per session with any of ``ids``; missing where the rater did not code
        the session."""
        present = np.nan_to_num(self.presence(ids))
        counts = np.zeros_like(self.session_base)
        np.add.at(counts, self.session_of_segment, present)
        return np.where(np.isnan(self.session_base), np.nan, counts)

    def has_spans(self, ids: set[str]) -> bool:
        return bool(self.has_turn[self.positions(ids)].any())

    def complete(self) -> np.ndarray:
        """Per session row: did every compared rater code it? Only those sessions let
        unitizing compare them (a rater who did not code a session did not unitize it;
        that is missing, not an all-gap continuum)."""
        return self._complete

    def turn_overlap(self, code_id: str) -> tuple[int, int]:
        """(turns every rater marked, turns at least one rater marked) with a span of
        ``code_id``, in sessions every rater coded: a descriptive overlap, no chance model."""
        where = self.positions({code_id})
        where = where[self.has_turn[where]]
        where = where[self._complete[self.sess_of[where]]]
        turn = _pair_keys(self.sess_of[where], self.codes.turn[where].astype(np.int64))
        marks = np.unique(turn * len(self.raters) + self.col_of[where])
        _, raters_per_turn = np.unique(marks // len(self.raters), return_counts=True)
        return int((raters_per_turn == len(self.raters)).sum()), len(raters_per_turn)

    def highest_stage(self, scheme: Scheme) -> np.ndarray:
        """Per (session, episode number), sorted, the highest stage order each rater
        reached; NaN where the rater coded no stage of it."""
        names = self.codes.code_names
        order = np.array(
            [scheme.stage(c)[1].order if scheme.is_stage(c) else -1 for c in names], dtype=float
        )
        episode = self.codes.unit == _number(self.codes.unit_names, Unit.EPISODE.value)
        where = np.flatnonzero(episode & (order[self.codes.code] >= 0))
        keys = _pair_keys(self.sess_of[where], self.codes.index[where])
        unique, row = np.unique(keys, return_inverse=True)
        matrix = np.full((len(unique), len(self.raters)), np.nan)
        np.fmax.at(matrix, (row.reshape(-1), self.col_of[where]), order[self.codes.code[where]])
        return matrix


def _pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One integer per (first, second) pair that sorts as the pairs do (first >= 0)."""
    if not len(second):
        return np.empty(0, dtype=np.int64)
    low = int(second.min())
    keys: np.ndarray = first * (int(second.max()) - low + 1) + (second - low)
    return keys


def _number(names: tuple[str, ...], name: str) -> int:
    """``name``'s integer in ``names``; -1 (matching nothing) when no code has it."""
    return names.index(name) if name in names else -1


def _lookup(ids: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """``mapping[id]`` for every entry of ``ids`` (-1 where absent), through a dense table
    over the (small) range of ids rather than a dict look-up per code."""
    if not len(ids):
        return np.empty(0, dtype=np.int64)
    table = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    for key, value in mapping.items():
        if 0 <= key < len(table):
            table[key] = value
    out: np.ndarray = table[ids]
    return out


def _segment_rows(
    seg_session: np.ndarray, seg_index: np.ndarray, sess_of: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """Per code, the row of the segment (session row, unit index) among the segments, or
    -1 when that segment is not stored (or the code's session has no row)."""
    if not len(seg_session) or not len(index):
        return np.full(len(index), -1, dtype=np.int64)
    low = min(int(seg_index.min()), int(index.min()))
    width = max(int(seg_index.max()), int(index.max())) - low + 1
    seg_key = seg_session * width + (seg_index - low)
    code_key = np.where(sess_of >= 0, sess_of * width + (index - low), -1)
    order = np.argsort(seg_key, kind="stable")
    at = np.clip(np.searchsorted(seg_key[order], code_key), 0, len(order) - 1)
    found = seg_key[order][at] == code_key
    return np.where(found & (code_key >= 0), order[at], -1)
