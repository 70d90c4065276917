"""``csv-long``: one row per code application, in patient, session order.

What each row says about its rater, round, scheme revision, code, segment, episode and
consensus decision comes from small tables read once into :class:`LongContext`; the
code applications themselves are read one therapy session at a time. Two ways write the
rows, with the same bytes (``tests/app/test_output_pinned.py`` pins them):

* on SQLite, :mod:`coder.app.export_long_sql` has SQLite build each whole CSV line (a
  million rows glued and quoted in Python were three quarters of the export's time);
* elsewhere (PostgreSQL), :func:`long_rows` gives each row's values to ``csv.writer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased

from coder.app import schemes as scheme_service
from coder.app.export_common import filtered as _filtered
from coder.app.export_common import hms
from coder.app.export_common import iso as _iso
from coder.domain.coding import Unit
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.io.csv_export import CHUNK
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    ConsensusDecisionRow,
    EpisodeRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)

NO_SEGMENT = (None, None, None, None)
NO_EPISODE = (None, None, None)
NO_DECISION = (None, None, None)
UNKNOWN = ("", "", "")


@dataclass
class LongContext:
    """The small tables a ``csv-long`` row refers to, each as the values it writes."""

    db: ProjectDatabase
    raters: dict[int, tuple[str, str, bool]]  # id → (name, role, is consensus)
    schemes: dict[int, tuple[str, str, int]]  # id → (key, version, revision)
    rounds: dict[int | None, int]  # id → number
    decisions: dict[int, tuple[str, str, str]]  # code id → ("decision", values, decided by)
    # (patient code, session number, ISO date, session id, transcript id), in export order
    sessions: list[tuple[str, int, str | None, int, int | None]]
    _described: dict[int, dict[str, tuple[str, str, str]]]

    def names(self, scheme_id: int) -> dict[str, tuple[str, str, str]]:
        """Item id → (name, group, kind) in a scheme revision (parsed when first asked)."""
        names = self._described.get(scheme_id)
        if names is None:
            key, _version, revision = self.schemes[scheme_id]
            scheme = scheme_service.load_project_scheme_revision(self.db, key, revision)
            names = self._described[scheme_id] = describe(scheme)
        return names

    def item(self, scheme_id: int, code_id: str) -> tuple[str, str, str]:
        """(name, group, kind) of a code, rating or stage as its scheme revision names it."""
        return self.names(scheme_id).get(code_id, UNKNOWN)


def long_context(db: ProjectDatabase, session: OrmSession) -> LongContext:
    raters = {
        rid: (name, role, role == RaterRole.CONSENSUS.value)
        for rid, name, role in session.execute(select(RaterRow.id, RaterRow.name, RaterRow.role))
    }
    schemes: dict[int, tuple[str, str, int]] = {
        sid: (key, version, revision)
        for sid, key, version, revision in session.execute(
            select(SchemeRow.id, SchemeRow.key, SchemeRow.version, SchemeRow.revision)
        )
    }
    rounds: dict[int | None, int] = {
        rid: number for rid, number in session.execute(select(RoundRow.id, RoundRow.number))
    }
    decider = aliased(RaterRow)
    decisions = {
        code_id: ("decision", "; ".join(f"{r}={v}" for r, v in sorted(values.items())), name)
        for code_id, values, name in session.execute(
            select(
                ConsensusDecisionRow.code_application_id,
                ConsensusDecisionRow.rater_values,
                decider.name,
            )
            .join(decider, ConsensusDecisionRow.decided_by == decider.id)
            .where(ConsensusDecisionRow.code_application_id.is_not(None))
        )
    }
    sessions: list[tuple[str, int, str | None, int, int | None]] = [
        (patient, number, _iso(day) if day is not None else None, sid, tid)
        for sid, patient, number, day, tid in session.execute(
            select(
                SessionRow.id,
                PatientRow.code,
                SessionRow.number,
                type_coerce(SessionRow.date, String),
                TranscriptRow.id,
            )
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .outerjoin(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
            .order_by(PatientRow.code, SessionRow.number)
        )
    ]
    return LongContext(db, raters, schemes, rounds, decisions, sessions, {})


def describe(scheme: Scheme) -> dict[str, tuple[str, str, str]]:
    """Item id → (name, group, kind) for every item of a scheme (one spelling per group:
    the group id; ratings by scope; stages by pathway)."""
    found: dict[str, tuple[str, str, str]] = {}
    for pathway in scheme.pathways:
        for stage in pathway.stages:
            found[stage.id] = (stage.name, f"{pathway.id} pathway", "stage")
    for rating in scheme.ratings:
        found[rating.id] = (rating.label, f"{rating.scope.value} rating", "rating")
    for code in scheme.codes():
        found[code.id] = (code.name, code.group_id, "code")
    return found


def _stamp(session: OrmSession, column: Any) -> Any:
    """A timestamp column as ISO 8601 text made by SQLite itself; other databases give
    ``datetime`` objects, converted by :func:`coder.app.export_common.iso`."""
    if session.get_bind().dialect.name != "sqlite":
        return column
    text = type_coerce(column, String)
    time = case(
        (func.substr(text, 20) == ".000000", func.substr(text, 12, 8)),
        else_=func.substr(text, 12),
    )
    return func.substr(text, 1, 10).concat("T").concat(time)


def long_rows(
    ctx: LongContext,
    session: OrmSession,
    rater_ids: list[int] | None,
    round_id: int | None,
    scheme_key: str | None = None,
) -> Iterator[Sequence[object]]:
    """The rows' values for ``csv.writer``: one query per therapy session over
    ``code_applications`` joined only to the quoted turn and its speaker; the rest is
    looked up in ``ctx``. Each row is glued from cached tuples (what the rater, round,
    scheme and code say; what the segment and the episode say) and slices of the
    database row, which comes back in export order."""
    app = CodeApplicationRow
    turn_no = case((app.unit == Unit.TURN.value, app.unit_index), else_=app.evidence_turn)
    evidence = case(
        (
            app.evidence_start.is_not(None),
            func.substr(
                TurnRow.text, app.evidence_start + 1, app.evidence_end - app.evidence_start
            ),
        ),
        else_=None,
    )

    def position(column: Any) -> Any:
        return (
            type_coerce(app.evidence_turn, String).concat(":").concat(type_coerce(column, String))
        )

    transcript = bindparam("transcript_id", None, type_=Integer)  # (a value: compiles once)
    query = (
        select(
            # keys of the cached parts (0-5)
            app.rater_id,
            app.round_id,
            app.scheme_id,
            app.code_id,
            app.segment_id,
            app.episode_id,
            app.id,
            # 7-8: unit, unit_index; 9-14: turn .. evidence_text
            app.unit,
            app.unit_index,
            turn_no,
            SpeakerRow.label,
            SpeakerRow.role,
            position(app.evidence_start),
            position(app.evidence_end),
            evidence,
            # 15-16: value, memo; 17-18: created, updated
            func.coalesce(cast(app.value, String), "NA"),
            app.memo,
            _stamp(session, app.created_at),
            _stamp(session, app.updated_at),
        )
        .outerjoin(TurnRow, (TurnRow.transcript_id == transcript) & (TurnRow.index == turn_no))
        .outerjoin(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
        .where(app.session_id == bindparam("session_id", None, type_=Integer))
        .order_by(*LONG_ORDER)
    )
    query = _filtered(query, rater_ids, round_id)
    if scheme_key is not None:
        query = query.where(
            app.scheme_id.in_(select(SchemeRow.id).where(SchemeRow.key == scheme_key))
        )

    def who(
        rater_id: int, round_row: int | None, scheme_id: int, code_id: str
    ) -> tuple[object, ...]:
        """(rater .. item_kind) for one rater, round, scheme revision and code."""
        rater, role, is_consensus = ctx.raters[rater_id]
        key, version, revision = ctx.schemes[scheme_id]
        name, group, kind = ctx.item(scheme_id, code_id)
        return (
            rater, role, 1 if is_consensus else 0, ctx.rounds.get(round_row), key, version,
            revision, code_id, name, group, kind,
        )  # fmt: skip

    agreement = ("agreement", None, None)
    parts: dict[tuple[int, int | None, int, str], tuple[object, ...]] = {}
    run = _raw_runner(session, query)
    sqlite = session.get_bind().dialect.name == "sqlite"
    for patient, number, day, session_id, transcript_id in ctx.sessions:
        rows = run({"session_id": session_id, "transcript_id": transcript_id})
        chunk = rows.fetchmany(CHUNK)
        if not chunk:
            continue
        head = (patient, number, day)
        segments: dict[int | None, tuple[object, ...]] = {None: NO_SEGMENT}
        for seg_id, start, end in session.execute(
            select(SegmentRow.id, SegmentRow.start_ms, SegmentRow.end_ms)
            .join(SegmentationRow)
            .where(SegmentationRow.transcript_id == transcript_id)
        ):
            segments[seg_id] = (start, end, hms(start), hms(end))
        episodes: dict[int | None, tuple[object, ...]] = {None: NO_EPISODE}
        for eid, index, start, end in session.execute(
            select(
                EpisodeRow.id, EpisodeRow.index, EpisodeRow.start_turn, EpisodeRow.end_turn
            ).where(EpisodeRow.session_id == session_id)
        ):
            episodes[eid] = (index, start, end)
        while chunk:
            for r in chunk:
                part_key = (r[0], r[1], r[2], r[3])
                part = parts.get(part_key)
                if part is None:
                    part = parts[part_key] = who(*part_key)
                stamps = r[17:19] if sqlite else (_iso(r[17]), _iso(r[18]))
                how = ctx.decisions.get(r[6], agreement) if part[2] else NO_DECISION
                yield (
                    head + part + r[7:9] + segments.get(r[4], NO_SEGMENT) + r[9:15]
                    + episodes.get(r[5], NO_EPISODE) + r[15:17] + how + stamps
                )  # fmt: skip
            chunk = rows.fetchmany(CHUNK)


# Rows of one session: by rater, unit, code, evidence; the row id last, so equal codes
# (another round or scheme revision) always come in the same order.
LONG_ORDER = (
    CodeApplicationRow.rater_id,
    CodeApplicationRow.unit,
    CodeApplicationRow.unit_index,
    CodeApplicationRow.code_id,
    CodeApplicationRow.evidence_turn,
    CodeApplicationRow.evidence_start,
    CodeApplicationRow.id,
)


def _raw_runner(session: OrmSession, query: Any) -> Callable[[dict[str, object]], Any]:
    """``run(params)`` → something with ``fetchmany``. On SQLite the statement is compiled
    once and run on the driver's cursor in the session's transaction (no SQLAlchemy
    ``Row`` objects). Elsewhere the ordinary (typed) execution."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return lambda params: connection.execute(query, params)
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    sql, names = str(compiled), compiled.positiontup or []
    fixed = dict(compiled.params)  # the filters' values; the per-session ones come per run
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def run(params: dict[str, object]) -> Any:
        values = {**fixed, **params}
        return cursor.execute(sql, [values[name] for name in names])

    return run
