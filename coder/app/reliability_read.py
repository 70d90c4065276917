"""What a reliability table reads from the project, as numpy columns (see
:mod:`coder.app.reliability`).

Why columns and the driver's cursor: at lab scale (1,000,000 codes, 960,000 turns) reading
the codes as SQLAlchemy rows into a pandas frame, and every turn's length into a dict of
lists, was more than half of a 12-second table. Here the statements are still built with
SQLAlchemy Core (so they run on SQLite and PostgreSQL alike) but executed on the DBAPI
cursor, fetched in chunks and turned into arrays chunk by chunk; strings that repeat
(code ids, units) become small integers, sessions and raters travel as row ids and are
named from two small look-ups.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coder.app.collector import collector_paused
from coder.app.raters import exact_names
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
    TurnRow,
)

CHUNK = 65_536  # rows per fetch: bounded memory for the row tuples of a million codes
ID_CHUNK = 500  # session ids per IN list (well under every driver's parameter limit)


@dataclass(frozen=True)
class CodeColumns:
    """Every compared code application, one array entry per code. ``value``, ``turn``,
    ``start`` and ``end`` are floats with NaN for NULL (the stored integers are exact in a
    float); ``code`` and ``unit`` index ``code_names`` and ``unit_names``."""

    session: np.ndarray  # session row ids
    rater: np.ndarray  # rater row ids
    code: np.ndarray
    unit: np.ndarray
    index: np.ndarray  # unit_index
    value: np.ndarray
    turn: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code_names: tuple[str, ...]
    unit_names: tuple[str, ...]
    session_keys: dict[int, tuple[str, int]]  # session id -> (patient, number)
    rater_names: dict[int, str]  # rater id -> name

    def __len__(self) -> int:
        return len(self.session)

    @staticmethod
    def ids_present(ids: np.ndarray) -> list[int]:
        """The distinct row ids in ``ids``, ascending: a count per id (row ids are small
        and dense), cheaper than sorting or hashing a million of them."""
        return np.flatnonzero(np.bincount(ids)).tolist() if len(ids) else []

    def take(self, mask: np.ndarray) -> CodeColumns:
        """The codes where ``mask`` is true, in the same order."""
        arrays = ("session", "rater", "code", "unit", "index", "value", "turn", "start", "end")
        return replace(self, **{name: getattr(self, name)[mask] for name in arrays})


@dataclass(frozen=True)
class TurnLengths:
    """Characters of each turn, for the sessions whose spans need turn offsets, and the
    whole transcript's characters for every session read (the continuum of unitizing)."""

    lengths: dict[int, np.ndarray]  # session id -> its turns' lengths in turn order
    totals: dict[int, int]  # session id -> characters of the whole transcript


def read_codes(
    session: OrmSession, scheme: Scheme, raters: Sequence[str] | None, round_number: int | None
) -> CodeColumns:
    """Every rater's (never the consensus') codes of ``scheme``: the same rows, joins and
    filters as :func:`coder.app.browse.raters_codes`, without the per-row names."""
    query = (
        select(
            CodeApplicationRow.session_id,
            CodeApplicationRow.rater_id,
            CodeApplicationRow.code_id,
            CodeApplicationRow.unit,
            CodeApplicationRow.unit_index,
            CodeApplicationRow.value,
            CodeApplicationRow.evidence_turn,
            CodeApplicationRow.evidence_start,
            CodeApplicationRow.evidence_end,
        )
        .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
        .join(SchemeRow, CodeApplicationRow.scheme_id == SchemeRow.id)
        .where(SchemeRow.key == scheme.id, RaterRow.role != RaterRole.CONSENSUS.value)
    )
    if raters:
        query = query.where(RaterRow.name.in_(exact_names(raters)))
    if round_number is not None:
        query = query.join(RoundRow, CodeApplicationRow.round_id == RoundRow.id).where(
            RoundRow.number == round_number
        )
    codes, units = _Numbering(), _Numbering()
    parts: list[list[np.ndarray]] = []
    with collector_paused:  # a million row tuples: coder.app.collector says why
        for chunk in _fetch(session, query):
            s, r, c, u, i, v, t, b, e = zip(*chunk, strict=True)
            parts.append(
                [
                    np.array(s, dtype=np.int64),
                    np.array(r, dtype=np.int64),
                    np.fromiter(map(codes.__getitem__, c), np.int64, len(c)),
                    np.fromiter(map(units.__getitem__, u), np.int64, len(u)),
                    np.array(i, dtype=np.int64),
                    *(np.array(col, dtype=float) for col in (v, t, b, e)),
                ]
            )
    columns = [
        np.concatenate([p[k] for p in parts])
        if parts
        else np.empty(0, np.int64 if k < 5 else float)
        for k in range(9)
    ]
    keys = select(SessionRow.id, PatientRow.code, SessionRow.number).join(
        PatientRow, SessionRow.patient_id == PatientRow.id
    )
    session_keys = {sid: (patient, number) for sid, patient, number in _all(session, keys)}
    rater_names = {rid: name for rid, name in _all(session, select(RaterRow.id, RaterRow.name))}
    session_ids, rater_ids, code, unit, index, value, turn, start, end = columns
    return CodeColumns(
        session_ids, rater_ids, code, unit, index, value, turn, start, end,
        code_names=tuple(codes),
        unit_names=tuple(units),
        session_keys=session_keys,
        rater_names=rater_names,
    )  # fmt: skip


class _Numbering(dict[str, int]):
    """Each new key numbered 0, 1, 2... on first look-up: ``map(numbering.__getitem__,
    column)`` factorizes a column of repeated strings at C speed (only a new key runs
    Python code)."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number


def read_segments(session: OrmSession, scheme: Scheme) -> tuple[np.ndarray, np.ndarray]:
    """(session id, segment index) of every segment under ``scheme``'s segmentation rule,
    in :func:`coder.app.browse.scheme_segments`' order (the order of the matrix rows)."""
    query = (
        select(SessionRow.id, SegmentRow.index)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .join(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .join(SegmentationRow, SegmentationRow.transcript_id == TranscriptRow.id)
        .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(SegmentationRow.rule == rule_key(scheme.segmentation))
        .order_by(PatientRow.code, SessionRow.number, SegmentRow.index)
    )
    rows = _all(session, query)
    out = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return out[:, 0], out[:, 1]


def read_turn_lengths(
    session: OrmSession, with_spans: Sequence[int], without_spans: Sequence[int]
) -> TurnLengths:
    """Each turn's characters (SQL ``length`` of its text) for the sessions ``with_spans``
    (a span's place on the continuum is the sum of the turns before its own); only each
    transcript's total for the sessions ``without_spans``, which the continuum still
    includes (their characters are all gap). Sessions without turns are absent."""
    lengths: dict[int, np.ndarray] = {}
    totals: dict[int, int] = {}
    of_session = TranscriptRow.session_id
    joined = (TurnRow, TranscriptRow, TurnRow.transcript_id == TranscriptRow.id)
    for ids in _chunks(sorted(with_spans)):
        counts = _all(
            session,
            select(of_session, func.count())
            .join_from(*joined)
            .where(of_session.in_(ids))
            .group_by(of_session)
            .order_by(of_session),
        )
        if not counts:
            continue
        query = (
            select(func.length(TurnRow.text))
            .join_from(*joined)
            .where(of_session.in_(ids))
            .order_by(of_session, TurnRow.index)
        )
        flat = np.array([n or 0 for (n,) in _all(session, query)], dtype=np.int64)
        ends = np.cumsum([n for _, n in counts])
        for (sid, _), turns in zip(counts, np.split(flat, ends[:-1]), strict=True):
            lengths[sid] = turns
            totals[sid] = int(turns.sum())
    for ids in _chunks(sorted(without_spans)):
        query = (
            select(of_session, func.sum(func.length(TurnRow.text)))
            .join_from(*joined)
            .where(of_session.in_(ids))
            .group_by(of_session)
        )
        totals.update((sid, int(total or 0)) for sid, total in _all(session, query))
    return TurnLengths(lengths, totals)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def _all(session: OrmSession, query: Any) -> list[tuple[Any, ...]]:
    return [row for chunk in _fetch(session, query) for row in chunk]


def _fetch(session: OrmSession, query: Any) -> Iterator[list[tuple[Any, ...]]]:
    """``query``'s rows as plain tuples, ``CHUNK`` at a time, from the driver's cursor in
    the session's transaction. Compiled for the connection's dialect, so the SQL and its
    parameter style are the database's own (``?`` for sqlite3, ``%(name)s`` for psycopg);
    no SQLAlchemy ``Row`` is built (that was ~2 s of 1M codes)."""
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    args: Any = (
        [params[name] for name in compiled.positiontup or []] if compiled.positional else params
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk
    finally:
        cursor.close()
