"""Span continua built with array operations (``SpanContinua``) against the per-span
Python loop they replaced, on random projects: sessions some raters did not code,
sessions without turns, sessions with no spans, codes with none, overlapping and
touching spans of one rater, spans on a turn the transcript no longer has, applications
without a span. Also the turn overlap against a plain loop."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.app.reliability_read import CodeColumns, TurnLengths
from coder.app.reliability_spans import SpanContinua
from coder.app.reliability_units import UnitMatrices

RATERS = ("Ada", "Ben", "Cy")
CODES = ("W1", "W2", "C1")
SESSIONS = 5


@st.composite
def projects(draw: st.DrawFn) -> tuple[CodeColumns, TurnLengths]:
    """5 sessions (ids 11..15), the first coded by every rater and with turns, the
    others maybe not; codes with random spans."""
    turns = {
        11 + s: np.array(draw(st.lists(st.integers(0, 30), min_size=1, max_size=5)), np.int64)
        for s in range(SESSIONS)
        if draw(st.booleans()) or s == 0
    }
    rows = []
    for s in range(SESSIONS):
        for r in range(len(RATERS)):
            if s > 0 and draw(st.integers(0, 4)) == 0:
                continue  # this rater did not code this session
            rows.append((11 + s, r + 1, 0, 1, np.nan, np.nan, np.nan))  # a marker code
            for _ in range(draw(st.integers(0, 4))):
                code = draw(st.integers(0, len(CODES) - 1))
                if draw(st.integers(0, 5)) == 0:
                    rows.append((11 + s, r + 1, code, 1, np.nan, np.nan, np.nan))
                    continue
                turn = draw(st.integers(1, 6))  # beyond the last turn sometimes
                start = draw(st.sampled_from((0, 3, 6, 9, 20)))  # often touching or overlapping
                end = start + draw(st.sampled_from((3, 6, 9)))
                rows.append((11 + s, r + 1, code, 1, turn, start, end))
    sid, rid, cid, i, t, b, e = (np.array(col) for col in zip(*rows, strict=True))
    columns = CodeColumns(
        sid.astype(np.int64), rid.astype(np.int64), cid.astype(np.int64),
        np.zeros(len(sid), np.int64), i.astype(np.int64), np.full(len(sid), np.nan),
        t.astype(float), b.astype(float), e.astype(float),
        code_names=CODES, unit_names=("segment",),
        session_keys={11 + k: ("P01", k + 1) for k in range(SESSIONS)},
        rater_names={k + 1: name for k, name in enumerate(RATERS)},
    )  # fmt: skip
    totals = {sid: int(lengths.sum()) for sid, lengths in turns.items()}
    return columns, TurnLengths(turns, totals)


def loop_continua(
    codes: CodeColumns, turns: TurnLengths, code: int
) -> tuple[list[tuple[int, tuple[tuple[int, int, int], ...]]], int, int, int]:
    """The replaced loop: sessions every rater coded that have turns, in session order;
    each span placed after the turns before its own, one rater's spans joined."""
    coded: dict[int, set[int]] = {}
    for sid, rater in zip(codes.session.tolist(), codes.rater.tolist(), strict=True):
        coded.setdefault(sid, set()).add(rater)
    raters = sorted({r for group in coded.values() for r in group})
    complete = [sid for sid in sorted(coded) if set(raters) <= coded[sid]]
    out, merged, without = [], 0, 0
    for sid in complete:
        if sid not in turns.totals:
            continue
        offsets = np.concatenate([[0], np.cumsum(turns.lengths[sid])])
        per_rater: dict[int, list[tuple[int, int]]] = {}
        for k in range(len(codes)):
            if codes.session[k] != sid or codes.code[k] != code:
                continue
            if np.isnan(codes.turn[k]):
                without += 1
                continue
            t, start, end = int(codes.turn[k]), int(codes.start[k]), int(codes.end[k])
            if 1 <= t <= len(turns.lengths[sid]):
                b = int(offsets[t - 1]) + start
                per_rater.setdefault(raters.index(int(codes.rater[k])), []).append(
                    (b, b + end - start)
                )
        units: list[tuple[int, int, int]] = []
        for col, spans in sorted(per_rater.items()):
            joined: list[list[int]] = []
            for b, e in sorted(spans):
                if joined and b < joined[-1][1]:
                    joined[-1][1] = max(joined[-1][1], e)
                    merged += 1
                else:
                    joined.append([b, e])
            units += [(col, b, e - b) for b, e in joined]
        out.append((turns.totals[sid], tuple(units)))
    return out, len(coded) - len(complete), merged, without


@settings(max_examples=150, deadline=None)
@given(projects())
def test_array_continua_are_the_loops(project: tuple[CodeColumns, TurnLengths]) -> None:
    codes, turns = project
    names = tuple(sorted(codes.rater_names[r] for r in set(codes.rater.tolist())))
    builder = UnitMatrices(codes, (np.empty(0, np.int64), np.empty(0, np.int64)), names)
    spans = SpanContinua(builder, turns)
    for number, code in enumerate(CODES):
        data = spans.of(code)
        expected, left_out, merged, without = loop_continua(codes, turns, number)
        got = [(c.end, tuple(sorted(c.units))) for c in data.continua.as_list()]
        assert got == [(end, tuple(sorted(units))) for end, units in expected]
        assert (data.sessions_left_out, data.merged, data.without_span) == (
            left_out, merged, without,
        )  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(projects())
def test_turn_overlap_is_the_loops(project: tuple[CodeColumns, TurnLengths]) -> None:
    codes, _ = project
    names = tuple(sorted(codes.rater_names[r] for r in set(codes.rater.tolist())))
    builder = UnitMatrices(codes, (np.empty(0, np.int64), np.empty(0, np.int64)), names)
    complete = {
        sid for sid, ok in zip(builder.session_ids.tolist(), builder.complete(), strict=True) if ok
    }
    for number, code in enumerate(CODES):
        marked: dict[tuple[int, int], set[int]] = {}
        for k in range(len(codes)):
            sid = int(codes.session[k])
            if codes.code[k] == number and not np.isnan(codes.turn[k]) and sid in complete:
                marked.setdefault((sid, int(codes.turn[k])), set()).add(int(codes.rater[k]))
        both = sum(len(r) == len(names) for r in marked.values())
        assert builder.turn_overlap(code) == (both, len(marked))
