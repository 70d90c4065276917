"""Text spans as unitizing continua (see :mod:`coder.app.reliability`): one continuum per
session every rater coded (its turns' texts end to end), each rater's evidence spans of
a code as that rater's units.

Built with array operations over all sessions and spans of a code at once, from the turn
lengths read as arrays: a Python tuple per span and a loop per session cost about a
second per code at lab scale (4,000 sessions, ~40,000 spans per code).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coder.app.reliability_read import TurnLengths
from coder.app.reliability_units import UnitMatrices
from coder.stats.unitizing import Continua


@dataclass(frozen=True)
class SpanData:
    """One code's spans as unitizing continua (one per session every rater coded)."""

    continua: Continua
    sessions_left_out: int  # coded by some but not all raters
    merged: int  # overlapping spans of one rater joined into one unit
    without_span: int  # applications of the code with no text span (not units here)


def span_sessions(builder: UnitMatrices) -> tuple[list[int], list[int]]:
    """Session ids every rater coded, (with a text span of some code, without one): the
    first need each turn's length, the second only their transcript's total."""
    codes = builder.codes
    spanned = ~np.isnan(codes.turn) & ~np.isnan(codes.start) & ~np.isnan(codes.end)
    complete = builder.complete()
    rows = np.zeros(builder.n_sessions, dtype=bool)
    rows[builder.sess_of[spanned]] = True
    ids = builder.session_ids
    return ids[complete & rows].tolist(), ids[complete & ~rows].tolist()


class SpanContinua:
    """Every code's spans as continua over one project's sessions: what does not depend on
    the code (which sessions, their lengths, each turn's offset) is worked out once."""

    def __init__(self, builder: UnitMatrices, turns: TurnLengths) -> None:
        self.builder = builder
        ids = builder.session_ids
        has_turns = np.array([sid in turns.totals for sid in ids.tolist()], dtype=bool)
        in_continua = builder.complete() & has_turns
        self.continuum_of_row = np.where(in_continua, np.cumsum(in_continua) - 1, -1)
        kept = ids[in_continua].tolist()
        self.ends = np.array([turns.totals[sid] for sid in kept], dtype=np.int64)
        # Each turn's offset in its session, all sessions' turns in one flat array.
        self.counts = np.array([len(turns.lengths.get(sid, ())) for sid in kept], np.int64)
        self.first = np.concatenate([[0], np.cumsum(self.counts)]).astype(np.int64)
        flat = [turns.lengths[sid] for sid in kept if sid in turns.lengths]
        lengths = np.concatenate(flat) if flat else np.empty(0, dtype=np.int64)
        running = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.before = running[:-1] - np.repeat(running[self.first[:-1]], self.counts)
        self.left_out = builder.n_sessions - int(builder.complete().sum())

    def of(self, code_id: str) -> SpanData:
        """The character continuum of every session every rater coded, with ``code_id``'s
        evidence spans as each rater's units. One rater's overlapping spans of the code
        are joined (the method needs non-overlapping units); sessions without stored turns
        are left out, and so are spans on a turn the transcript no longer has."""
        builder = self.builder
        codes, m = builder.codes, len(builder.raters)
        where = builder.positions({code_id})
        where = where[self.continuum_of_row[builder.sess_of[where]] >= 0]
        with_span = ~(np.isnan(codes.turn[where]) | np.isnan(codes.start[where]))
        with_span &= ~np.isnan(codes.end[where])
        without_span = int((~with_span).sum())
        where = where[with_span]
        cont = self.continuum_of_row[builder.sess_of[where]]
        turn = codes.turn[where].astype(np.int64)
        valid = (turn >= 1) & (turn <= self.counts[cont])
        cont, turn, where = cont[valid], turn[valid], where[valid]
        start = codes.start[where].astype(np.int64)
        begin = self.before[self.first[cont] + turn - 1] + start
        end = begin + codes.end[where].astype(np.int64) - start
        units, absorbed = _union(cont * m + builder.col_of[where], begin, end, m)
        begins = np.zeros(len(self.ends), dtype=np.int64)
        continua = Continua(begins, self.ends, *units)
        return SpanData(continua, self.left_out, absorbed, without_span)


def _union(
    group: np.ndarray, begin: np.ndarray, end: np.ndarray, m: int
) -> tuple[tuple[np.ndarray, ...], int]:
    """Each group's (continuum × m + rater) overlapping ``[begin, end)`` spans joined, as
    unit columns (continuum, rater, begin, length) sorted by them; and how many spans were
    absorbed. Spans are taken in (begin, end) order; one starts a new unit unless it
    begins before the furthest end so far in its group (as joining them one by one)."""
    order = np.lexsort((end, begin, group))
    g, b, e = group[order], begin[order], end[order]
    n = len(g)
    first = np.ones(n, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    if n:  # furthest end so far, per group: shift groups apart so maxima never carry over
        low = int(min(b.min(), e.min()))
        width = int(max(b.max(), e.max())) - low + 1
        reach = np.maximum.accumulate((e - low) + g * width)
        new = first.copy()
        new[1:] |= (b[1:] - low) + g[1:] * width >= reach[:-1]
    else:
        new = first
    starts = np.flatnonzero(new)
    unit_end = np.maximum.reduceat(e, starts) if n else e
    g, b = g[starts], b[starts]
    return (g // m, g % m, b, unit_end - b), n - len(starts)
