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

    def _rows(self, frame: pd.DataFrame, unit: str) -> tuple[np.ndarray, np.ndarray]:
        part = frame[frame["unit"] == unit]
        if unit == Unit.SEGMENT.value:
            keys = zip(part["patient"], part["session"], part["index"], strict=True)
            rows = [self.segment_row.get(k, -1) for k in keys]
        else:
            rows = [
                self.session_row.get((p, s), -1)
                for p, s in zip(part["patient"], part["session"], strict=True)
            ]
        cols = [self.col[r] for r in part["rater"]]
        mask = np.array(rows) >= 0
        return np.array(rows, dtype=int)[mask], np.array(cols, dtype=int)[mask]

    def presence(self, ids: set[str]) -> np.ndarray:
        matrix = self.segment_base.copy()
        rows, cols = self._rows(self.codes[self.codes["code"].isin(ids)], Unit.SEGMENT.value)
        matrix[rows, cols] = 1.0
        return matrix

    def segment_values(self, rating_id: str) -> np.ndarray:
        matrix = np.full_like(self.segment_base, np.nan)
        part = self.codes[
            (self.codes["code"] == rating_id) & (self.codes["unit"] == Unit.SEGMENT.value)
        ]
        for p, s, i, r, v in zip(
            part["patient"],
            part["session"],
            part["index"],
            part["rater"],
            part["value"],
            strict=True,
        ):
            row = self.segment_row.get((p, s, i))
            if row is not None and v is not None and not pd.isna(v):
                matrix[row, self.col[r]] = float(v)
        return matrix

    def session_values(self, rating_id: str) -> np.ndarray:
        matrix = np.full_like(self.session_base, np.nan)
        part = self.codes[
            (self.codes["code"] == rating_id) & (self.codes["unit"] == Unit.SESSION.value)
        ]
        for p, s, r, v in zip(
            part["patient"], part["session"], part["rater"], part["value"], strict=True
        ):
            matrix[self.session_row[(p, s)], self.col[r]] = np.nan if v is None else float(v)
        return matrix

    def frequency(self, ids: set[str]) -> np.ndarray:
        present = self.presence(ids)
        matrix = self.session_base.copy()
        for i, (p, s, _) in enumerate(self.segment_keys):
            row = self.session_row[(p, s)]
            matrix[row] = np.where(
                np.isnan(matrix[row]), matrix[row], matrix[row] + np.nan_to_num(present[i])
            )
        return matrix

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
