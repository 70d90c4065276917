"""Units × raters matrices built from stored codes (see :mod:`coder.app.reliability`).

A rater who coded a session but did not mark a code in one of its segments gave 0 there;
a rater who did not code the session at all is missing (NaN), never 0: otherwise
sessions only one rater coded would inflate agreement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coder.domain.coding import Unit
from coder.domain.scheme import Scheme


class UnitMatrices:
    """Units × raters matrices; NaN where the rater did not code that session."""

    def __init__(
        self, codes: pd.DataFrame, segments: pd.DataFrame, raters: tuple[str, ...]
    ) -> None:
        self.codes = codes
        self.raters = raters
        self.col = {r: i for i, r in enumerate(raters)}
        coded = codes.groupby("rater")[["patient", "session"]].apply(
            lambda f: set(zip(f["patient"], f["session"], strict=True))
        )
        self.sessions = sorted({(p, s) for group in coded for p, s in group})
        self.n_sessions = len(self.sessions)
        self.session_row = {key: i for i, key in enumerate(self.sessions)}
        self.session_base = np.full((len(self.sessions), len(raters)), np.nan)
        for rater, keys in coded.items():
            for key in keys:
                self.session_base[self.session_row[key], self.col[str(rater)]] = 0.0
        segs = segments[
            [
                (p, s) in self.session_row
                for p, s in zip(segments["patient"], segments["session"], strict=True)
            ]
        ]
        self.segment_keys = list(
            zip(segs["patient"], segs["session"], segs["segment"], strict=True)
        )
        self.segment_row = {key: i for i, key in enumerate(self.segment_keys)}
        session_of_segment = np.array(
            [self.session_row[(p, s)] for p, s, _ in self.segment_keys], dtype=int
        )
        self.segment_base = (
            self.session_base[session_of_segment]
            if len(self.segment_keys)
            else np.empty((0, len(raters)))
        )
        self.session_of_segment = session_of_segment
        # Where each code lands, computed once for all items (it was per item before).
        is_segment = (codes["unit"] == Unit.SEGMENT.value).to_numpy()
        keys = zip(codes["patient"], codes["session"], codes["index"], strict=True)
        seg_rows = np.array([self.segment_row.get(k, -1) for k in keys], dtype=int)
        ses_rows = np.array(
            [
                self.session_row.get((p, n), -1)
                for p, n in zip(codes["patient"], codes["session"], strict=True)
            ],
            dtype=int,
        )
        self.row_of = np.where(is_segment, seg_rows, ses_rows)
        self.col_of = np.array([self.col[r] for r in codes["rater"]], dtype=int)
        self.code_of = codes["code"].to_numpy()
        self.unit_of = codes["unit"].to_numpy()
        self.values = pd.to_numeric(codes["value"], errors="coerce").to_numpy(dtype=float)

    def _rows(self, ids: set[str], unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matrix rows, columns and the positions in ``codes`` of the items ``ids``."""
        mask = np.isin(self.code_of, list(ids)) & (self.unit_of == unit) & (self.row_of >= 0)
        where = np.flatnonzero(mask)
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
        return bool(self.codes[self.codes["code"].isin(ids)]["turn"].notna().any())

    def turn_spans(self, ids: set[str]) -> np.ndarray:
        spans = self.codes[self.codes["code"].isin(ids) & self.codes["turn"].notna()]
        keys = sorted(
            {
                (p, s, int(t))
                for p, s, t in zip(spans["patient"], spans["session"], spans["turn"], strict=True)
            }
        )
        # Units are the turns any rater marked, plus none else: turns nobody marked carry no
        # information about span agreement and would inflate agreement.
        row = {k: i for i, k in enumerate(keys)}
        matrix = np.array(
            [self.session_base[self.session_row[(p, s)]] for p, s, _ in keys]
        ).reshape(len(keys), len(self.raters))
        for p, s, t, r in zip(
            spans["patient"], spans["session"], spans["turn"], spans["rater"], strict=True
        ):
            matrix[row[(p, s, int(t))], self.col[r]] = 1.0
        return matrix

    def highest_stage(self, scheme: Scheme) -> np.ndarray:
        stages = self.codes[
            (self.codes["unit"] == Unit.EPISODE.value) & self.codes["code"].map(scheme.is_stage)
        ]
        keys = sorted(
            {
                (p, s, int(i))
                for p, s, i in zip(
                    stages["patient"], stages["session"], stages["index"], strict=True
                )
            }
        )
        row = {k: i for i, k in enumerate(keys)}
        matrix = np.full((len(keys), len(self.raters)), np.nan)
        for p, s, i, r, code in zip(
            stages["patient"],
            stages["session"],
            stages["index"],
            stages["rater"],
            stages["code"],
            strict=True,
        ):
            order = scheme.stage(code)[1].order
            cell = matrix[row[(p, s, int(i))], self.col[r]]
            matrix[row[(p, s, int(i))], self.col[r]] = order if np.isnan(cell) else max(cell, order)
        return matrix
