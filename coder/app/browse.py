"""Read-only views of a project's contents for browsers and listings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.lookup import no_transcript, session_or_none
from coder.app.raters import exact_names
from coder.domain.coding import Segment, SegmentKind
from coder.domain.roles import RaterRole, SpeakerRole
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.domain.transcript import Transcript, Turn
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
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


@dataclass(frozen=True, slots=True)
class SessionSummary:
    patient: str
    session: int
    label: str | None
    n_turns: int
    source_name: str | None


def session_summaries(db: ProjectDatabase) -> list[SessionSummary]:
    """Every session with its turn count, ordered by patient code and session number.

    The count is each transcript's highest turn index, one look-up in the
    ``(transcript_id, index)`` unique index per session: a stored transcript's turns are
    numbered 1, 2, 3... without gaps (``Transcript`` refuses anything else and turns are
    only ever written whole, at import), so the highest index is the count. Counting the
    rows instead read all ~1,000,000 turns of a lab project (45 ms of SQLite, 4,000
    sessions) on every refresh of the session list."""
    n_turns = (
        select(func.max(TurnRow.index))
        .where(TurnRow.transcript_id == TranscriptRow.id)
        .scalar_subquery()
    )
    query = (
        select(
            PatientRow.code,
            SessionRow.number,
            SessionRow.label,
            func.coalesce(n_turns, 0),
            TranscriptRow.source_name,
        )
        .join(SessionRow, SessionRow.patient_id == PatientRow.id)
        .outerjoin(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .order_by(PatientRow.code, SessionRow.number)
    )
    with db.reading() as session:
        # Plain rows from the Core connection: ORM result handling was a fifth of the time.
        return [SessionSummary(*row) for row in session.connection().execute(query)]


def load_transcript(db: ProjectDatabase, patient: str, number: int) -> Transcript:
    """The stored transcript of one session, as a domain object."""
    with db.reading() as session:
        found = session_or_none(session, patient, number)
        row = found.transcript if found is not None else None
        if row is None:
            raise no_transcript(patient, number)
        turns = read_turns(session, row.id)
        return Transcript(turns, row.source_name, row.source_format, row.encoding)


def segment_of_row(row: SegmentRow) -> Segment:
    """A stored segment as the domain's :class:`Segment` (one spelling for every reader)."""
    return Segment(
        row.index,
        SegmentKind(row.kind),
        row.first_turn,
        row.last_turn,
        row.start_ms,
        row.end_ms,
        row.estimated,
    )


def load_segments(
    db: ProjectDatabase, patient: str, number: int, scheme_key: str | None = None
) -> list[Segment]:
    """Segments of a session under the segmentation rule of ``scheme_key`` (or the
    project's default scheme)."""
    rule = rule_key(scheme_service.load_project_scheme(db, scheme_key).segmentation)
    with db.reading() as session:
        rows = session.scalars(
            select(SegmentRow)
            .join(SegmentationRow)
            .join(TranscriptRow)
            .join(SessionRow)
            .join(PatientRow)
            .where(
                PatientRow.code == patient,
                SessionRow.number == number,
                SegmentationRow.rule == rule,
            )
            .order_by(SegmentRow.index)
        )
        return [segment_of_row(r) for r in rows]


def read_turns(session: OrmSession, transcript_id: int) -> tuple[Turn, ...]:
    """All turns of a transcript with one Core query (no ORM objects: a 2,000-turn
    session opens in a few milliseconds instead of tens)."""
    rows = session.execute(
        select(
            TurnRow.index,
            SpeakerRow.label,
            SpeakerRow.role,
            TurnRow.text,
            TurnRow.start_ms,
            TurnRow.end_ms,
        )
        .join(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
        .where(TurnRow.transcript_id == transcript_id)
        .order_by(TurnRow.index)
    )
    roles = {role.value: role for role in SpeakerRole}
    return tuple(
        Turn(i, label, roles[role], text, start, end) for i, label, role, text, start, end in rows
    )


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    patient: str
    session: int
    index: int
    first_turn: int
    last_turn: int
    start_ms: int | None
    end_ms: int | None
    estimated: bool
    id: int = 0  # the segment's row id (codes refer to it)


def scheme_segments(
    session: OrmSession, scheme: Scheme, patient: str | None = None
) -> list[SegmentInfo]:
    """Every segment of every session (or one patient's) under ``scheme``'s segmentation
    rule: the units reliability, consensus, profiles and progress all count in."""
    query = (
        select(
            PatientRow.code,
            SessionRow.number,
            SegmentRow.index,
            SegmentRow.first_turn,
            SegmentRow.last_turn,
            SegmentRow.start_ms,
            SegmentRow.end_ms,
            SegmentRow.estimated,
            SegmentRow.id,
        )
        .join(SessionRow, SessionRow.patient_id == PatientRow.id)
        .join(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .join(SegmentationRow, SegmentationRow.transcript_id == TranscriptRow.id)
        .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(SegmentationRow.rule == rule_key(scheme.segmentation))
        .order_by(PatientRow.code, SessionRow.number, SegmentRow.index)
    )
    if patient is not None:
        query = query.where(PatientRow.code == patient)
    return [SegmentInfo(*row) for row in session.execute(query)]


def raters_codes(
    session: OrmSession,
    scheme: Scheme,
    *,
    raters: Sequence[str] | None = None,
    round_number: int | None = None,
    units: Sequence[str] | None = None,
    humans_only: bool = False,
) -> list[tuple[Any, ...]]:
    """Every rater's (never the consensus') codes of ``scheme``, as plain tuples
    ``(patient, session, rater, code, unit, unit_index, value, evidence_turn,
    evidence_start, evidence_end)``: what reliability and consensus compare.
    ``humans_only`` leaves out machine raters (screening suggestions) unless ``raters``
    names them: a consensus settles what people coded. The reliability table reads the
    same rows as numpy columns (:func:`coder.app.reliability_read.read_codes`, a million
    codes at lab scale); ``tests/app/test_reliability_read.py`` keeps the two in step."""
    query = (
        select(
            PatientRow.code,
            SessionRow.number,
            RaterRow.name,
            CodeApplicationRow.code_id,
            CodeApplicationRow.unit,
            CodeApplicationRow.unit_index,
            CodeApplicationRow.value,
            CodeApplicationRow.evidence_turn,
            CodeApplicationRow.evidence_start,
            CodeApplicationRow.evidence_end,
        )
        .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
        .join(SchemeRow, CodeApplicationRow.scheme_id == SchemeRow.id)
        .where(SchemeRow.key == scheme.id, RaterRow.role != RaterRole.CONSENSUS.value)
    )
    if raters:
        query = query.where(RaterRow.name.in_(exact_names(raters)))
    elif humans_only:
        query = query.where(RaterRow.role != RaterRole.MACHINE.value)
    if units:
        query = query.where(CodeApplicationRow.unit.in_(list(units)))
    if round_number is not None:
        query = query.join(RoundRow, CodeApplicationRow.round_id == RoundRow.id).where(
            RoundRow.number == round_number
        )
    # Plain tuples through the Core connection, fetched all at once: ORM row handling cost
    # half of a 64k-code reliability table, and iterating the result (one driver fetch
    # per row) a fifth of a 1M-code one.
    return [tuple(row) for row in session.connection().execute(query).all()]
