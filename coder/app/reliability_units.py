"""Units × raters matrices built from stored codes (see :mod:`coder.app.reliability`).

A rater who coded a session but did not mark a code in one of its segments gave 0 there;
a rater who did not code the session at all is missing (NaN), never 0: otherwise
sessions only one rater coded would inflate agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coder.domain.coding import Unit
from coder.domain.scheme import Scheme
from coder.stats.unitizing import Continuum


@dataclass(frozen=True)
class SpanData:
    """One code's spans as unitizing continua (one per session every rater coded)."""

    continua: list[Continuum]
    sessions_left_out: int  # coded by some but not all raters
    merged: int  # overlapping spans of one rater joined into one unit
    without_span: int  # applications of the code with no text span (not units here)


class UnitMatrices:
    """Units × raters matrices; NaN where the rater did not code that session."""

    def __init__(
        self, codes: pd.DataFrame, segments: pd.DataFrame, raters: tuple[str, ...]
    ) -> None:
        self.codes = codes
        self.raters = raters
        self.col = {r: i for i, r in enumerate(raters)}
        # Plain lists, not Series: iterating pandas' (Arrow-backed) string columns goes
        # element by element through Python and took minutes for a million codes.
        patients, numbers = codes["patient"].tolist(), codes["session"].tolist()
        coded: dict[str, set[tuple[str, int]]] = {}
        pairs = codes[["rater", "patient", "session"]].drop_duplicates()
        for rater, patient, number in zip(
            pairs["rater"].tolist(),
            pairs["patient"].tolist(),
            pairs["session"].tolist(),
            strict=True,
        ):
            coded.setdefault(rater, set()).add((patient, number))
        self.sessions = sorted({key for group in coded.values() for key in group})
        self.n_sessions = len(self.sessions)
        self.session_row = {key: i for i, key in enumerate(self.sessions)}
        self.session_base = np.full((len(self.sessions), len(raters)), np.nan)
        for rater, keys in coded.items():
            for key in keys:
                self.session_base[self.session_row[key], self.col[str(rater)]] = 0.0
        segs = segments[
            [
                (p, s) in self.session_row
                for p, s in zip(
                    segments["patient"].tolist(), segments["session"].tolist(), strict=True
                )
            ]
        ]
        self.segment_keys = list(
            zip(
                segs["patient"].tolist(),
                segs["session"].tolist(),
                segs["segment"].tolist(),
                strict=True,
            )
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
        code_keys = zip(patients, numbers, codes["index"].tolist(), strict=True)
        seg_rows = np.array([self.segment_row.get(k, -1) for k in code_keys], dtype=int)
        ses_rows = np.array(
            [self.session_row.get((p, n), -1) for p, n in zip(patients, numbers, strict=True)],
            dtype=int,
        )
        self.row_of = np.where(is_segment, seg_rows, ses_rows)
        self.col_of = np.array([self.col[r] for r in codes["rater"].tolist()], dtype=int)
        # Items are picked by integer codes: comparing a million strings (pandas' string
        # columns) per item, several times per row of the table, was ~40 % of it at 1M codes.
        code_idx, code_names = pd.factorize(codes["code"])
        unit_idx, unit_names = pd.factorize(codes["unit"])
        self.code_idx, self.unit_idx = code_idx, unit_idx
        self.code_number = {str(name): i for i, name in enumerate(code_names)}
        self.unit_number = {str(name): i for i, name in enumerate(unit_names)}
        self.has_turn = codes["turn"].notna().to_numpy()
        self._offsets: dict[tuple[str, int], np.ndarray] = {}  # span continua: turn starts
        self.values = pd.to_numeric(codes["value"], errors="coerce").to_numpy(dtype=float)

    def _rows(self, ids: set[str], unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matrix rows, columns and the positions in ``codes`` of the items ``ids``."""
        mask = self._of(ids) & (self.unit_idx == self.unit_number.get(unit, -2))
        mask &= self.row_of >= 0
        where = np.flatnonzero(mask)
        return self.row_of[where], self.col_of[where], where

    def _of(self, ids: set[str]) -> np.ndarray:
        """Which codes are one of the items ``ids`` (a boolean per row of ``codes``)."""
        wanted = [self.code_number[i] for i in ids if i in self.code_number]
        return np.isin(self.code_idx, wanted)

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
        return bool((self._of(ids) & self.has_turn).any())

    def complete_sessions(self) -> list[tuple[str, int]]:
        """Sessions every compared rater coded: the only ones where unitizing can compare
        them (a rater who did not code a session did not unitize it; that is missing, not
        an all-gap continuum)."""
        full = ~np.isnan(self.session_base).any(axis=1)
        return [key for key, ok in zip(self.sessions, full, strict=True) if ok]

    def span_continua(
        self, code_id: str, turn_lengths: Mapping[tuple[str, int], np.ndarray]
    ) -> SpanData:
        """The character continuum of every session every rater coded (its turns' texts
        end to end), with ``code_id``'s evidence spans as each rater's units. One rater's
        overlapping spans of the code are joined (the method needs non-overlapping units);
        sessions without stored turns are left out. ``turn_lengths`` is the project's, the
        same on every call (each session's turn offsets are computed once per builder)."""
        complete = [k for k in self.complete_sessions() if k in turn_lengths]
        complete_set = set(complete)
        mine = self.codes[self._of({code_id})]
        in_complete = [
            (p, s) in complete_set
            for p, s in zip(mine["patient"].tolist(), mine["session"].tolist(), strict=True)
        ]
        mine = mine[in_complete]
        with_span = mine["turn"].notna() & mine["start"].notna() & mine["end"].notna()
        # Each session's spans, gathered in one pass (filtering the frame once per session
        # took minutes at 4,000 sessions), in the frame's order as before.
        spans = mine[with_span]
        by_session: dict[tuple[str, int], list[tuple[str, float, float, float]]] = {}
        for p, s, rater, turn, start, end in zip(
            spans["patient"].tolist(), spans["session"].tolist(), spans["rater"].tolist(),
            spans["turn"].tolist(), spans["start"].tolist(), spans["end"].tolist(),
            strict=True,
        ):  # fmt: skip
            by_session.setdefault((p, s), []).append((rater, turn, start, end))
        continua: list[Continuum] = []
        merged = 0
        for key in complete:
            lengths = turn_lengths[key]
            offsets = self._offsets.get(key)
            if offsets is None:  # once per session, not once per session and code
                offsets = self._offsets[key] = np.concatenate([[0], np.cumsum(lengths)])
            per_rater: dict[int, list[tuple[int, int]]] = {}
            for rater, turn, start, end in by_session.get(key, ()):
                t = int(turn)
                if not 1 <= t <= len(lengths):
                    continue  # a span on a turn the transcript no longer has
                b = int(offsets[t - 1] + int(start))
                per_rater.setdefault(self.col[rater], []).append((b, b + int(end) - int(start)))
            units: list[tuple[int, int, int]] = []
            for col, spans in per_rater.items():
                joined, n = _union(spans)
                merged += n
                units += [(col, b, e - b) for b, e in joined]
            continua.append(Continuum(0, int(offsets[-1]), tuple(units)))
        left_out = self.n_sessions - len(self.complete_sessions())
        return SpanData(continua, left_out, merged, int((~with_span).sum()))

    def turn_overlap(self, code_id: str) -> tuple[int, int]:
        """(turns every rater marked, turns at least one rater marked) with a span of
        ``code_id``, in sessions every rater coded: a descriptive overlap, no chance model."""
        complete = set(self.complete_sessions())
        spans = self.codes[self._of({code_id}) & self.has_turn]
        marked: dict[tuple[str, int, int], set[str]] = {}
        for p, s, t, r in zip(
            spans["patient"].tolist(), spans["session"].tolist(), spans["turn"].tolist(),
            spans["rater"].tolist(), strict=True,
        ):  # fmt: skip
            if (p, s) in complete:
                marked.setdefault((p, s, int(t)), set()).add(r)
        both = sum(len(raters) == len(self.raters) for raters in marked.values())
        return both, len(marked)

    def highest_stage(self, scheme: Scheme) -> np.ndarray:
        stages = self.codes[
            (self.codes["unit"] == Unit.EPISODE.value) & self.codes["code"].map(scheme.is_stage)
        ]
        keys = sorted(
            {
                (p, s, int(i))
                for p, s, i in zip(
                    stages["patient"].tolist(),
                    stages["session"].tolist(),
                    stages["index"].tolist(),
                    strict=True,
                )
            }
        )
        row = {k: i for i, k in enumerate(keys)}
        matrix = np.full((len(keys), len(self.raters)), np.nan)
        for p, s, i, r, code in zip(
            stages["patient"].tolist(), stages["session"].tolist(), stages["index"].tolist(),
            stages["rater"].tolist(), stages["code"].tolist(), strict=True,
        ):  # fmt: skip
            order = scheme.stage(code)[1].order
            cell = matrix[row[(p, s, int(i))], self.col[r]]
            matrix[row[(p, s, int(i))], self.col[r]] = order if np.isnan(cell) else max(cell, order)
        return matrix


def _union(spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Overlapping ``[begin, end)`` spans joined; how many spans were absorbed."""
    out: list[list[int]] = []
    absorbed = 0
    for b, e in sorted(spans):
        if out and b < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
            absorbed += 1
        else:
            out.append([b, e])
    return [(b, e) for b, e in out], absorbed
