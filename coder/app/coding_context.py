"""What one rater coding one session reads: the transcript, the scheme's stored revisions,
the segments, the codes the rater may see, and where a code or rating may go.

:class:`CodingContext` is the reading half of :class:`coder.app.coding.CodingSession`,
which adds the writes (one transaction each). Kept apart so that the rules of where a
code belongs (a presence code per segment, a rating per its scope) and the blinding of
what is read (:func:`coder.app.access.visible_rater_ids`) sit in one short module, away
from the transaction steps.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import visible_rater_ids
from coder.app.browse import read_turns, segment_of_row
from coder.app.identity import ActingRater
from coder.app.lookup import no_transcript, session_or_none
from coder.app.stored_code import StoredCode
from coder.app.stored_code import stored as _stored
from coder.domain.coding import Segment, TextSpan, Unit
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.scheme import Scheme, Scope
from coder.domain.segmentation import rule_key, segment_of_turn
from coder.domain.transcript import Transcript, Turn
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
)


class CodingContext:
    """One session as one rater codes it with one scheme (the latest stored revision)."""

    def __init__(
        self,
        db: ProjectDatabase,
        coder: ActingRater,
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
            row = session_or_none(session, patient, number)
            if row is None or row.transcript is None:
                raise no_transcript(patient, number)
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
        self.load_segments()

    def load_segments(self) -> None:
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
                self.segments.append(segment_of_row(r))
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
                self.select_rows()
                .where(CodeApplicationRow.scheme_id.in_(self.scheme_ids))
                .order_by(CodeApplicationRow.id)
            )
            if allowed is not None:
                query = query.where(CodeApplicationRow.rater_id.in_(allowed))
            return [_stored(row, name, rnd) for row, name, rnd in session.execute(query)]

    def own_codes(self) -> list[StoredCode]:
        return self.codes([self.coder.rater_id])

    @property
    def actor_id(self) -> int:
        return self.coder.rater_id

    def select_rows(self) -> Select[CodeApplicationRow, str, int]:
        """Code applications of this session with rater name and round number (the
        shape :func:`coder.app.stored_code.stored` snapshots); callers narrow it."""
        return (
            select(CodeApplicationRow, RaterRow.name, RoundRow.number)
            .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
            .outerjoin(RoundRow, CodeApplicationRow.round_id == RoundRow.id)
            .where(CodeApplicationRow.session_id == self.session_id)
        )

    def presence_target(self, code_id: str, segment: int | None, span: TextSpan | None) -> int:
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
        return segment

    def rating_unit(self, rating_id: str, unit: Unit | None, unit_index: int) -> Unit:
        rating = self.scheme.rating(rating_id)
        unit = (
            unit
            or {
                Scope.SEGMENT: Unit.SEGMENT,
                Scope.SESSION: Unit.SESSION,
                Scope.EPISODE: Unit.EPISODE,
            }[rating.scope]
        )
        if unit is Unit.SEGMENT:
            self.segment(unit_index)
        if unit is Unit.SESSION and unit_index != 1:
            raise ValidationError("a session rating has unit index 1")
        return unit

    # ---- helpers ------------------------------------------------------------------------
    def turn(self, index: int) -> Turn:
        if not 1 <= index <= len(self.transcript.turns):
            raise NotFoundError(f"no turn {index}")
        return self.transcript.turns[index - 1]

    def round_ids(self, session: OrmSession) -> dict[int, int]:
        return {
            number: rid for rid, number in session.execute(select(RoundRow.id, RoundRow.number))
        }

    def episode_id(self, index: int, session: OrmSession | None = None) -> int:
        """Row id of the acting rater's episode ``index`` in this session."""
        query = select(EpisodeRow.id).where(
            EpisodeRow.session_id == self.session_id,
            EpisodeRow.rater_id == self.coder.rater_id,
            EpisodeRow.index == index,
        )
        if session is not None:
            found = session.scalar(query)
        else:
            with self.db.reading() as reading:
                found = reading.scalar(query)
        if found is None:
            raise NotFoundError(f"you have no episode {index} in this session")
        return found
