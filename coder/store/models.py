"""The project database schema (SQLAlchemy 2 typed ORM).

Design notes:
* Schemes are stored with their full source text and content hash, so a project is
  self-contained and a code always points at the exact scheme version it was made with.
* Turns reference a per-transcript speaker row, so confirming or overriding a speaker's
  role is one update, not one per turn.
* Segments belong to a *segmentation* of a transcript (one per segmentation rule), so
  two schemes with different windows can code the same session.
* Stage events are code applications on an episode (revision 0002 dropped the separate
  ``stage_events`` table before any release wrote to it).
* Code applications carry ``session_id`` redundantly: every coding query is per session
  and rater, and blinding filters on rater; the composite index serves both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from coder.store.clock import new_uid, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, dict[str, str]: JSON}


class ProjectMeta(Base):
    """Exactly one row: the project's own settings."""

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    default_scheme_id: Mapped[int | None] = mapped_column(ForeignKey("schemes.id"))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SchemeRow(Base):
    __tablename__ = "schemes"
    __table_args__ = (UniqueConstraint("key", "content_hash"), UniqueConstraint("key", "revision"))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))  # the scheme's id, e.g. "3rs-2015"
    version: Mapped[str] = mapped_column(String(40))  # as declared in the file
    revision: Mapped[int]  # 1, 2, ... per key, in order of arrival in this project
    content_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(500), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class PatientRow(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    attributes: Mapped[dict[str, str]] = mapped_column(default=dict)
    sessions: Mapped[list[SessionRow]] = relationship(
        back_populates="patient", order_by="SessionRow.number", cascade="all, delete-orphan"
    )


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("patient_id", "number"),
        CheckConstraint("number >= 0", name="number_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    number: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[date | None]
    duration_s: Mapped[int | None]
    patient: Mapped[PatientRow] = relationship(back_populates="sessions")
    transcript: Mapped[TranscriptRow | None] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class TranscriptRow(Base):
    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    source_name: Mapped[str] = mapped_column(String(500), default="")
    source_format: Mapped[str] = mapped_column(String(20), default="")
    encoding: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    warnings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    session: Mapped[SessionRow] = relationship(back_populates="transcript")
    speakers: Mapped[list[SpeakerRow]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="SpeakerRow.id"
    )
    turns: Mapped[list[TurnRow]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="TurnRow.index"
    )


class SpeakerRow(Base):
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("transcript_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    role_confirmed: Mapped[bool] = mapped_column(default=False)
    transcript: Mapped[TranscriptRow] = relationship(back_populates="speakers")


class TurnRow(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("transcript_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    index: Mapped[int]
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    start_ms: Mapped[int | None]
    end_ms: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    transcript: Mapped[TranscriptRow] = relationship(back_populates="turns")
    speaker: Mapped[SpeakerRow] = relationship()


class SegmentationRow(Base):
    """One way of cutting a transcript into units (e.g. 5-minute windows)."""

    __tablename__ = "segmentations"
    __table_args__ = (UniqueConstraint("transcript_id", "rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(100))  # e.g. "time_window:300"
    segments: Mapped[list[SegmentRow]] = relationship(
        back_populates="segmentation", cascade="all, delete-orphan", order_by="SegmentRow.index"
    )


class SegmentRow(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("segmentation_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    segmentation_id: Mapped[int] = mapped_column(ForeignKey("segmentations.id", ondelete="CASCADE"))
    index: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    first_turn: Mapped[int]
    last_turn: Mapped[int]
    start_ms: Mapped[int | None]
    end_ms: Mapped[int | None]
    estimated: Mapped[bool] = mapped_column(default=False)
    segmentation: Mapped[SegmentationRow] = relationship(back_populates="segments")


class RaterRow(Base):
    __tablename__ = "raters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    initials: Mapped[str] = mapped_column(String(4))
    role: Mapped[str] = mapped_column(String(20), default="rater")
    passphrase_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundRow(Base):
    __tablename__ = "coding_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("rater_id", "session_id", "round_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("raters.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("coding_rounds.id", ondelete="CASCADE"))


class CodeApplicationRow(Base):
    __tablename__ = "code_applications"
    __table_args__ = (
        Index("ix_code_applications_session_rater", "session_id", "rater_id"),
        Index("ix_code_applications_segment", "segment_id"),
        Index("ix_code_applications_uid", "uid", unique=True),
        CheckConstraint("unit IN ('segment','turn','session','episode')", name="unit_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identity: kept when undo re-inserts a code (row ids are reused after deletes).
    uid: Mapped[str] = mapped_column(String(32), default=new_uid)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("raters.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("coding_rounds.id"))
    code_id: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(10))
    unit_index: Mapped[int]
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    value: Mapped[int | None]
    evidence_turn: Mapped[int | None]
    evidence_start: Mapped[int | None]
    evidence_end: Mapped[int | None]
    memo: Mapped[str] = mapped_column(Text, default="")
    # The screening model's calibrated probability, for a machine rater's code (0008). On
    # a person's code: the probability of the suggestion it was accepted from (the record
    # of "accepted from a suggestion"); NULL for every code a person made unaided.
    probability: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EpisodeRow(Base):
    """A rupture-resolution episode. Its stage events are code applications with
    ``unit='episode'`` whose ``code_id`` is a stage id and whose evidence turn says where
    the stage occurred: one table for everything coded, so blinding, export and
    reliability treat stages like any code."""

    __tablename__ = "episodes"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("raters.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("coding_rounds.id"))
    index: Mapped[int]
    pathway_id: Mapped[str] = mapped_column(String(40))
    start_turn: Mapped[int]
    end_turn: Mapped[int | None]
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RaterPositionRow(Base):
    """Where each rater last was, so reopening the project resumes there."""

    __tablename__ = "rater_positions"
    rater_id: Mapped[int] = mapped_column(
        ForeignKey("raters.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    scheme_key: Mapped[str | None] = mapped_column(String(40))
    turn: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IntakeRecordRow(Base):
    """One intake instrument of one patient (IIP, SUIP-I, PD interview, notes).

    ``data`` holds the entered numbers as JSON (never item text); the domain classes in
    ``coder.domain.intake`` validate them on the way in and out.
    """

    __tablename__ = "intake_records"
    __table_args__ = (UniqueConstraint("patient_id", "instrument"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("raters.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FormulationOverrideRow(Base):
    """A clinician's decision on type and difficulty; rows are never changed, the latest
    one is in force, so the history of decisions stays visible."""

    __tablename__ = "formulation_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    type: Mapped[str | None] = mapped_column(String(2))
    difficulty: Mapped[str | None] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    rater_id: Mapped[int] = mapped_column(ForeignKey("raters.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsensusDecisionRow(Base):
    """A disagreement a lead settled: what each rater had, what was decided, and the
    consensus code it produced (``code_application_id``; NULL when the decision was
    "absent")."""

    __tablename__ = "consensus_decisions"
    __table_args__ = (UniqueConstraint("session_id", "scheme_key", "unit", "unit_index", "item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    scheme_key: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(10))
    unit_index: Mapped[int]
    item: Mapped[str] = mapped_column(String(40))
    rater_values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"value": int|None|"absent"}
    code_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("code_applications.id", ondelete="SET NULL")
    )
    decided_by: Mapped[int] = mapped_column(ForeignKey("raters.id"))
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestionDismissalRow(Base):
    """A machine suggestion a rater dismissed, so it stays dismissed after a restart
    (issue 16). Keyed by the passage (machine rater, code, segment, turn; ``turn`` 0 for
    a suggestion on a whole segment), not by the machine code's uid: running the model
    again replaces its codes, but a passage the rater already judged stays dismissed.
    ``probability`` is what the suggestion said when it was dismissed."""

    __tablename__ = "suggestion_dismissals"
    __table_args__ = (
        UniqueConstraint(
            "rater_id",
            "session_id",
            "machine_id",
            "scheme_id",
            "code_id",
            "unit_index",
            "turn",
            name="uq_suggestion_dismissals_passage",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("raters.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    machine_id: Mapped[int] = mapped_column(ForeignKey("raters.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"))
    code_id: Mapped[str] = mapped_column(String(40))
    unit_index: Mapped[int]
    turn: Mapped[int] = mapped_column(default=0)
    probability: Mapped[float | None] = mapped_column(Float)
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """One recorded change: who, when, what, before and after (append-only).

    Written in the same transaction as the change it records, so the trail and the data
    can never disagree. ``actor`` keeps the name as it was, so the trail still reads right
    after a rater is renamed or removed.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_session_id", "session_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("raters.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))  # insert | update | delete
    table: Mapped[str] = mapped_column(String(60))
    row_key: Mapped[str] = mapped_column(String(64), default="")  # uid or id of the row
    session_id: Mapped[int | None]  # the therapy session concerned, when there is one
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
