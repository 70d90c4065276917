"""Coding one session: the use cases behind hotkeys, the segment grid and undo.

A :class:`CodingSession` is one rater working on one session under one scheme. Every
method is one committed transaction and returns what an undo command needs to reverse
it (removed rows come back as :class:`StoredCode` snapshots that :meth:`restore`
re-inserts with their original timestamps). Blinding is enforced in :meth:`codes`
through :func:`coder.app.rounds.visible_rater_ids`; edits are allowed only on one's own
codes in an open round (or outside rounds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.browse import read_turns
from coder.app.identity import Coder
from coder.app.rounds import NotAllowed, open_round, visible_rater_ids
from coder.app.stored_code import StoredCode
from coder.app.stored_code import stored as _stored
from coder.domain.coding import Segment, SegmentKind, TextSpan, Unit, check_value
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.scheme import Scheme, Scope
from coder.domain.segmentation import rule_key, segment_of_turn
from coder.domain.transcript import Transcript, Turn
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
)


class CodingSession:
    """One rater coding one session with one scheme (the latest stored revision)."""

    def __init__(
        self,
        db: ProjectDatabase,
        coder: Coder,
        patient: str,
        number: int,
        scheme_key: str | None = None,
    ) -> None:
        self.db = db
        self.coder = coder
        self.patient = patient
        self.number = number
        self.scheme: Scheme = scheme_service.load_project_scheme(db, scheme_key)
        with db.reading() as session:
            row = session.scalar(
                select(SessionRow)
                .join(PatientRow)
                .where(PatientRow.code == patient, SessionRow.number == number)
            )
            if row is None or row.transcript is None:
                raise NotFoundError(f"no transcript for patient {patient!r} session {number}")
            self.session_id = row.id
            stored = row.transcript
            self.transcript = Transcript(
                read_turns(session, stored.id),
                stored.source_name,
                stored.source_format,
                stored.encoding,
            )
            self.scheme_ids = list(
                session.scalars(select(SchemeRow.id).where(SchemeRow.key == self.scheme.id))
            )
            self.scheme_row_id = (
                session.scalar(
                    select(SchemeRow.id)
                    .where(SchemeRow.key == self.scheme.id)
                    .order_by(SchemeRow.revision.desc())
                    .limit(1)
                )
                or 0
            )
            self.segmentation_id = session.scalar(
                select(SegmentationRow.id).where(
                    SegmentationRow.transcript_id == stored.id,
                    SegmentationRow.rule == rule_key(self.scheme.segmentation),
                )
            )
        self._load_segments()

    # ---- reading ------------------------------------------------------------------------
    def _load_segments(self) -> None:
        self.segments: list[Segment] = []
        self._segment_ids: dict[int, int] = {}
        if self.segmentation_id is None:
            return
        with self.db.reading() as session:
            for r in session.scalars(
                select(SegmentRow)
                .where(SegmentRow.segmentation_id == self.segmentation_id)
                .order_by(SegmentRow.index)
            ):
                self.segments.append(
                    Segment(
                        r.index,
                        SegmentKind(r.kind),
                        r.first_turn,
                        r.last_turn,
                        r.start_ms,
                        r.end_ms,
                        r.estimated,
                    )
                )
                self._segment_ids[r.index] = r.id

    def segment(self, index: int) -> Segment:
        for seg in self.segments:
            if seg.index == index:
                return seg
        raise NotFoundError(f"session {self.number} of {self.patient} has no segment {index}")

    def segment_for_turn(self, turn: int) -> Segment:
        seg = segment_of_turn(self.segments, turn)
        if seg is None:
            raise NotFoundError(f"turn {turn} is in no segment")
        return seg

    def codes(self, raters: Sequence[int] | None = None) -> list[StoredCode]:
        """Codes of this session and scheme the acting rater may see (blinding applied)."""
        with self.db.reading() as session:
            allowed = visible_rater_ids(session, self.coder, list(raters) if raters else None)
            query = (
                select(CodeApplicationRow, RaterRow.name, RoundRow.number)
                .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
                .outerjoin(RoundRow, CodeApplicationRow.round_id == RoundRow.id)
                .where(
                    CodeApplicationRow.session_id == self.session_id,
                    CodeApplicationRow.scheme_id.in_(self.scheme_ids),
                )
                .order_by(CodeApplicationRow.id)
            )
            if allowed is not None:
                query = query.where(CodeApplicationRow.rater_id.in_(allowed))
            return [_stored(row, name, rnd) for row, name, rnd in session.execute(query)]

    def own_codes(self) -> list[StoredCode]:
        return self.codes([self.coder.rater_id])

    # ---- writing ------------------------------------------------------------------------
    def apply_code(
        self,
        code_id: str,
        *,
        segment: int | None = None,
        span: TextSpan | None = None,
        memo: str = "",
    ) -> StoredCode:
        """Mark a presence code in a segment, optionally with the evidence span.

        With a span and no segment, the segment is the one the span's turn starts in.
        """
        code = self.scheme.code(code_id)
        group = next(g for g in self.scheme.groups if g.id == code.group_id)
        if group.scope is not Scope.SEGMENT:
            raise ValidationError(f"{code_id} is coded per {group.scope.value}, not per segment")
        if span is not None:
            span.check_within(self.turn(span.turn).text)
            if segment is None:
                segment = self.segment_for_turn(span.turn).index
        if segment is None:
            raise ValidationError("say which segment to code (or select text)")
        self.segment(segment)
        return self.insert_code(code_id, Unit.SEGMENT, segment, 1, span, memo)

    def toggle_code(self, code_id: str, segment: int) -> tuple[list[StoredCode], StoredCode | None]:
        """Present -> absent (removing all of the rater's applications of the code in
        the segment) or absent -> present. Returns (removed, added)."""
        mine = [
            c
            for c in self.own_codes()
            if c.code_id == code_id and c.unit is Unit.SEGMENT and c.unit_index == segment
        ]
        if mine:
            return self.remove([c.id for c in mine]), None
        return [], self.apply_code(code_id, segment=segment)

    def set_rating(
        self,
        rating_id: str,
        unit_index: int,
        value: int | None,
        *,
        unit: Unit | None = None,
        span: TextSpan | None = None,
    ) -> tuple[StoredCode | None, StoredCode]:
        """Give (or change) a rating; returns (previous, new) for undo."""
        rating = self.scheme.rating(rating_id)
        unit = (
            unit
            or {
                Scope.SEGMENT: Unit.SEGMENT,
                Scope.SESSION: Unit.SESSION,
                Scope.EPISODE: Unit.EPISODE,
            }[rating.scope]
        )
        check_value(self.scheme, rating_id, value)
        if unit is Unit.SEGMENT:
            self.segment(unit_index)
        if unit is Unit.SESSION and unit_index != 1:
            raise ValidationError("a session rating has unit index 1")
        previous = [
            c
            for c in self.own_codes()
            if c.code_id == rating_id and c.unit is unit and c.unit_index == unit_index
        ]
        removed = self.remove([c.id for c in previous]) if previous else []
        new = self.insert_code(rating_id, unit, unit_index, value, span, "")
        return (removed[0] if removed else None), new

    def clear_rating(self, rating_id: str, unit: Unit, unit_index: int) -> list[StoredCode]:
        mine = [
            c
            for c in self.own_codes()
            if c.code_id == rating_id and c.unit is unit and c.unit_index == unit_index
        ]
        return self.remove([c.id for c in mine])

    def remove(self, ids: Sequence[int]) -> list[StoredCode]:
        """Delete the rater's own code applications; returns snapshots for undo."""
        if not ids:
            return []
        with self.db.transaction() as session:
            rows = list(
                session.execute(
                    select(CodeApplicationRow, RaterRow.name, RoundRow.number, RoundRow.status)
                    .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
                    .outerjoin(RoundRow, CodeApplicationRow.round_id == RoundRow.id)
                    .where(CodeApplicationRow.id.in_(list(ids)))
                )
            )
            if len(rows) != len(set(ids)):
                raise NotFoundError("some of these codes no longer exist")
            for row, _name, number, status in rows:
                self._check_editable(row.rater_id, number, status)
            session.execute(delete(CodeApplicationRow).where(CodeApplicationRow.id.in_(list(ids))))
            return [_stored(row, name, number) for row, name, number, _ in rows]

    def restore(self, snapshots: Sequence[StoredCode]) -> list[StoredCode]:
        """Re-insert removed codes exactly (undo of a removal, redo of an addition)."""
        restored = []
        with self.db.transaction() as session:
            round_ids = self._round_ids(session)
            for snap in snapshots:
                if snap.rater_id != self.coder.rater_id:
                    raise NotAllowed("only your own codes can be restored")
                row = self._row(
                    snap.code_id,
                    snap.unit,
                    snap.unit_index,
                    snap.value,
                    snap.evidence,
                    snap.memo,
                    snap.episode_id,
                )
                row.round_id = round_ids.get(snap.round_number) if snap.round_number else None
                row.created_at, row.updated_at = snap.created_at, snap.updated_at
                session.add(row)
                session.flush()
                restored.append(replace(snap, id=row.id))
        return restored

    def set_memo(self, code: StoredCode, memo: str) -> tuple[StoredCode, StoredCode]:
        """Attach or change a memo; returns (before, after)."""
        with self.db.transaction() as session:
            row = session.get(CodeApplicationRow, code.id)
            if row is None:
                raise NotFoundError("this code no longer exists")
            status = (
                session.scalar(select(RoundRow.status).where(RoundRow.id == row.round_id))
                if row.round_id
                else None
            )
            self._check_editable(row.rater_id, code.round_number, status)
            before = replace(code, memo=row.memo, updated_at=row.updated_at)
            row.memo = memo
            row.updated_at = utcnow()
            session.flush()
            return before, replace(code, memo=memo, updated_at=row.updated_at)

    def move_boundary(self, segment_index: int, first_turn: int) -> int:
        """Move the start of segment ``segment_index`` (and the end of the one before)
        to ``first_turn``; returns the old first turn for undo.

        Boundaries are shared by every rater of the session, so a rater may move them
        only while no one else has coded this session; a lead always may.
        """
        seg = self.segment(segment_index)
        before = self.segment(segment_index - 1) if segment_index > self.segments[0].index else None
        if before is None:
            raise ValidationError("the first segment's start cannot move")
        if not before.first_turn < first_turn <= seg.last_turn:
            raise ValidationError(
                f"segment {segment_index} must start after turn {before.first_turn} "
                f"and by turn {seg.last_turn}"
            )
        if not self.coder.is_lead and any(
            c.rater_id != self.coder.rater_id for c in self._all_codes()
        ):
            raise NotAllowed("other raters have coded this session; ask a lead to move boundaries")
        old = seg.first_turn
        with self.db.transaction() as session:
            for index, first, last in (
                (before.index, None, first_turn - 1),
                (seg.index, first_turn, None),
            ):
                row = session.get(SegmentRow, self._segment_ids[index])
                assert row is not None
                if first is not None:
                    row.first_turn = first
                if last is not None:
                    row.last_turn = last
        self._load_segments()
        return old

    # ---- helpers ------------------------------------------------------------------------
    def turn(self, index: int) -> Turn:
        if not 1 <= index <= len(self.transcript.turns):
            raise NotFoundError(f"no turn {index}")
        return self.transcript.turns[index - 1]

    def _all_codes(self) -> list[StoredCode]:
        with self.db.reading() as session:
            rows = session.execute(
                select(CodeApplicationRow, RaterRow.name)
                .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
                .where(CodeApplicationRow.session_id == self.session_id)
            )
            return [_stored(row, name, None) for row, name in rows]

    def _check_editable(self, rater_id: int, round_number: int | None, status: str | None) -> None:
        if rater_id != self.coder.rater_id:
            raise NotAllowed("you can change only your own codes")
        if round_number is not None and status not in (None, "open"):
            raise NotAllowed(f"round {round_number} is {status}; its codes can no longer change")

    def _round_ids(self, session: OrmSession) -> dict[int, int]:
        return {
            number: rid for rid, number in session.execute(select(RoundRow.id, RoundRow.number))
        }

    def episode_id(self, index: int) -> int:
        """Row id of the acting rater's episode ``index`` in this session."""
        with self.db.reading() as session:
            found = session.scalar(
                select(EpisodeRow.id).where(
                    EpisodeRow.session_id == self.session_id,
                    EpisodeRow.rater_id == self.coder.rater_id,
                    EpisodeRow.index == index,
                )
            )
        if found is None:
            raise NotFoundError(f"you have no episode {index} in this session")
        return found

    def _row(
        self,
        code_id: str,
        unit: Unit,
        unit_index: int,
        value: int | None,
        span: TextSpan | None,
        memo: str,
        episode_id: int | None,
    ) -> CodeApplicationRow:
        return CodeApplicationRow(
            session_id=self.session_id,
            rater_id=self.coder.rater_id,
            scheme_id=self.scheme_row_id,
            code_id=code_id,
            unit=unit.value,
            unit_index=unit_index,
            segment_id=self._segment_ids.get(unit_index) if unit is Unit.SEGMENT else None,
            episode_id=episode_id
            if episode_id is not None or unit is not Unit.EPISODE
            else self.episode_id(unit_index),
            value=value,
            memo=memo,
            evidence_turn=span.turn if span else None,
            evidence_start=span.start if span else None,
            evidence_end=span.end if span else None,
        )

    def insert_code(
        self,
        code_id: str,
        unit: Unit,
        unit_index: int,
        value: int | None,
        span: TextSpan | None,
        memo: str,
        episode_id: int | None = None,
    ) -> StoredCode:
        with self.db.transaction() as session:
            current = open_round(session)
            row = self._row(code_id, unit, unit_index, value, span, memo, episode_id)
            row.round_id = current.id if current else None
            session.add(row)
            session.flush()
            return _stored(row, self.coder.name, current.number if current else None)
