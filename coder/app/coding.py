"""Coding one session: the use cases behind hotkeys, the segment grid and undo.

A :class:`CodingSession` is one rater working on one session under one scheme. Every
method is one committed transaction and returns what an undo command needs to reverse
it (removed rows come back as :class:`StoredCode` snapshots that :meth:`restore`
re-inserts with their original identity and timestamps). What the rater may see and
change is decided in :mod:`coder.app.access` (blinding in :meth:`codes`, editability in
every write).

The reading half (transcript, segments, visible codes, where a code may go) is
:class:`coder.app.coding_context.CodingContext`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as OrmSession

from coder.app.access import (
    NotAllowed,
    check_boundaries_movable,
    check_editable,
    suggestions_refusal,
)
from coder.app.coding_context import CodingContext
from coder.app.rounds import open_round
from coder.app.stored_code import StoredCode
from coder.app.stored_code import stored as _stored
from coder.app.suggestions import Suggestion
from coder.domain.coding import TextSpan, Unit, check_value
from coder.domain.errors import NotFoundError, ValidationError
from coder.store.clock import utcnow
from coder.store.models import CodeApplicationRow, SegmentRow


class CodingSession(CodingContext):
    """One rater coding one session with one scheme (the latest stored revision): the
    reads of :class:`CodingContext` plus every write, each one transaction."""

    # ---- writing ------------------------------------------------------------------------
    # Every public method below is exactly one transaction: it checks what the acting
    # rater may change (coder.app.access.check_editable) and writes inside the same
    # transaction, so a failure half-way leaves the stored codes as they were.
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
        target = self.presence_target(code_id, segment, span)
        evidence = (span.turn, span.start, span.end) if span else (None, None, None)

        def insert_once(session: OrmSession) -> StoredCode:
            if any(
                (row.evidence_turn, row.evidence_start, row.evidence_end) == evidence
                for row, _, _ in self._own_rows(session, code_id, Unit.SEGMENT, target)
            ):  # a second identical row would count twice and could not be re-imported
                where = f"on this text in turn {span.turn}" if span else f"in segment {target}"
                raise ValidationError(f"{code_id} is already marked {where}")
            return self._insert(session, code_id, Unit.SEGMENT, target, 1, span, memo)

        return self.db.run(insert_once, self.coder)

    def accept_suggestion(self, suggestion: Suggestion) -> StoredCode:
        """Make a machine suggestion the acting rater's own code (one transaction).

        Checked like any code (:func:`access.check_editable`) and, again at the moment
        of writing, against :func:`access.suggestions_refusal` (a round may have opened
        since the list was shown). The code keeps the suggestion's probability: that is
        the record that it was accepted from a suggestion.
        """
        target = self.presence_target(suggestion.code_id, suggestion.segment, suggestion.span)
        evidence = (
            (suggestion.span.turn, suggestion.span.start, suggestion.span.end)
            if suggestion.span
            else (None, None, None)
        )

        def work(session: OrmSession) -> StoredCode:
            refusal = suggestions_refusal(session, self.coder, self.session_id)
            if refusal is not None:
                raise NotAllowed(refusal)
            still = session.scalar(
                select(CodeApplicationRow.id).where(
                    CodeApplicationRow.uid == suggestion.uid,
                    CodeApplicationRow.session_id == self.session_id,
                )
            )
            if still is None:
                raise NotFoundError("this suggestion is gone (the model was run again)")
            if any(
                (row.evidence_turn, row.evidence_start, row.evidence_end) == evidence
                for row, _, _ in self._own_rows(session, suggestion.code_id, Unit.SEGMENT, target)
            ):
                raise ValidationError(f"{suggestion.code_id} is already marked there")
            return self._insert(
                session,
                suggestion.code_id,
                Unit.SEGMENT,
                target,
                1,
                suggestion.span,
                "",
                probability=suggestion.probability,
            )

        return self.db.run(work, self.coder)

    def toggle_code(self, code_id: str, segment: int) -> tuple[list[StoredCode], StoredCode | None]:
        """Present -> absent (removing all of the rater's applications of the code in
        the segment) or absent -> present. Returns (removed, added)."""
        self.presence_target(code_id, segment, None)

        def work(session: OrmSession) -> tuple[list[StoredCode], StoredCode | None]:
            mine = self._own_rows(session, code_id, Unit.SEGMENT, segment)
            if mine:
                return self.delete_rows(session, mine), None
            return [], self._insert(session, code_id, Unit.SEGMENT, segment, 1, None, "")

        return self.db.run(work, self.coder)

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
        unit = self.rating_unit(rating_id, unit, unit_index)
        check_value(self.scheme, rating_id, value)
        cell = unit

        def work(session: OrmSession) -> tuple[StoredCode | None, StoredCode]:
            removed = self.delete_rows(
                session, self._own_rows(session, rating_id, cell, unit_index)
            )
            new = self._insert(session, rating_id, cell, unit_index, value, span, "")
            return (removed[0] if removed else None), new

        return self.db.run(work, self.coder)

    def clear_rating(self, rating_id: str, unit: Unit, unit_index: int) -> list[StoredCode]:
        return self.db.run(
            lambda session: self.delete_rows(
                session, self._own_rows(session, rating_id, unit, unit_index)
            ),
            self.coder,
        )

    def replace_rating(
        self, rating_id: str, unit: Unit, unit_index: int, previous: StoredCode | None
    ) -> StoredCode | None:
        """Put back exactly ``previous`` (or nothing) in a rating cell: the undo of a
        rating change, in one transaction."""

        def work(session: OrmSession) -> StoredCode | None:
            self.delete_rows(session, self._own_rows(session, rating_id, unit, unit_index))
            if previous is None:
                return None
            (restored,) = self.restore_rows(session, [previous])
            return restored

        return self.db.run(work, self.coder)

    def remove(self, uids: Sequence[str]) -> list[StoredCode]:
        """Delete the rater's own code applications; returns snapshots for undo."""
        if not uids:
            return []

        def work(session: OrmSession) -> list[StoredCode]:
            rows = list(session.execute(self.select_rows().where(CodeApplicationRow.uid.in_(uids))))
            if len(rows) != len(set(uids)):
                raise NotFoundError("some of these codes no longer exist")
            return self.delete_rows(session, rows)

        return self.db.run(work, self.coder)

    def restore(self, snapshots: Sequence[StoredCode]) -> list[StoredCode]:
        """Re-insert removed codes exactly, with their identity (``uid``), round and
        timestamps: the undo of a removal, the redo of an addition."""
        return self.db.run(lambda session: self.restore_rows(session, snapshots), self.coder)

    def set_memo(self, code: StoredCode, memo: str) -> tuple[StoredCode, StoredCode]:
        """Attach or change a memo; returns (before, after)."""

        def work(session: OrmSession) -> tuple[StoredCode, StoredCode]:
            row = session.scalar(
                select(CodeApplicationRow).where(CodeApplicationRow.uid == code.uid)
            )
            if row is None:
                raise NotFoundError("this code no longer exists")
            check_editable(
                session, self.coder, self.session_id, owner_id=row.rater_id, round_id=row.round_id
            )
            before = replace(code, id=row.id, memo=row.memo, updated_at=row.updated_at)
            row.memo = memo
            row.updated_at = utcnow()
            session.flush()
            return before, replace(code, id=row.id, memo=memo, updated_at=row.updated_at)

        return self.db.run(work, self.coder)

    def move_boundary(self, segment_index: int, first_turn: int) -> int:
        """Move the start of segment ``segment_index`` (and the end of the one before)
        to ``first_turn``; returns the old first turn for undo.

        Boundaries are shared by every rater of the session. A lead may always move
        them; a rater only when not blinded and no one else has coded the session. A
        blinded rater is refused without being told whether anyone else has coded it
        (that would itself be a glimpse of another rater's work).
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
        old = seg.first_turn
        with self.db.transaction(self.coder) as session:
            check_editable(session, self.coder, self.session_id, owner_id=self.actor_id)
            check_boundaries_movable(session, self.coder, self.session_id)
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
        self.load_segments()
        return old

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
        """Store one new code application of the acting rater (one transaction)."""
        return self.db.run(
            lambda session: self._insert(
                session, code_id, unit, unit_index, value, span, memo, episode_id
            ),
            self.coder,
        )

    # ---- steps inside a transaction -----------------------------------------------------
    def _own_rows(
        self, session: OrmSession, code_id: str, unit: Unit, unit_index: int
    ) -> list[Any]:
        return list(
            session.execute(
                self.select_rows()
                .where(
                    CodeApplicationRow.rater_id == self.actor_id,
                    CodeApplicationRow.scheme_id.in_(self.scheme_ids),
                    CodeApplicationRow.code_id == code_id,
                    CodeApplicationRow.unit == unit.value,
                    CodeApplicationRow.unit_index == unit_index,
                )
                .order_by(CodeApplicationRow.id)
            )
        )

    def delete_rows(self, session: OrmSession, rows: Sequence[Any]) -> list[StoredCode]:
        """Inside the caller's transaction: check, snapshot and delete ``rows``."""
        for row, _name, _number in rows:
            check_editable(
                session, self.coder, self.session_id, owner_id=row.rater_id, round_id=row.round_id
            )
        snapshots = [_stored(row, name, number) for row, name, number in rows]
        if rows:
            session.execute(
                delete(CodeApplicationRow).where(
                    CodeApplicationRow.id.in_([row.id for row, _, _ in rows])
                )
            )
        return snapshots

    def _insert(
        self,
        session: OrmSession,
        code_id: str,
        unit: Unit,
        unit_index: int,
        value: int | None,
        span: TextSpan | None,
        memo: str,
        episode_id: int | None = None,
        *,
        probability: float | None = None,
    ) -> StoredCode:
        check_editable(session, self.coder, self.session_id, owner_id=self.actor_id)
        current = open_round(session)
        row = self._row(session, code_id, unit, unit_index, value, span, memo, episode_id)
        row.probability = probability
        row.round_id = current.id if current else None
        session.add(row)
        session.flush()
        return _stored(row, self.coder.name, current.number if current else None)

    def restore_rows(
        self, session: OrmSession, snapshots: Sequence[StoredCode]
    ) -> list[StoredCode]:
        """Inside the caller's transaction: re-insert snapshots with their identity."""
        round_ids = self.round_ids(session)
        restored = []
        for snap in snapshots:
            if snap.rater_id != self.actor_id:
                raise NotAllowed("only your own codes can be restored")
            round_id = round_ids.get(snap.round_number) if snap.round_number else None
            check_editable(
                session, self.coder, self.session_id, owner_id=snap.rater_id, round_id=round_id
            )
            if session.scalar(
                select(CodeApplicationRow.id).where(CodeApplicationRow.uid == snap.uid)
            ):
                raise ValidationError(f"{snap.code_id} is already there; nothing to restore")
            row = self._row(
                session,
                snap.code_id,
                snap.unit,
                snap.unit_index,
                snap.value,
                snap.evidence,
                snap.memo,
                snap.episode_id,
            )
            row.uid = snap.uid
            row.round_id = round_id
            row.probability = snap.probability
            row.created_at, row.updated_at = snap.created_at, snap.updated_at
            session.add(row)
            session.flush()
            restored.append(replace(snap, id=row.id))
        return restored

    def _row(
        self,
        session: OrmSession,
        code_id: str,
        unit: Unit,
        unit_index: int,
        value: int | None,
        span: TextSpan | None,
        memo: str,
        episode_id: int | None,
    ) -> CodeApplicationRow:
        if episode_id is None and unit is Unit.EPISODE:
            episode_id = self.episode_id(unit_index, session)
        return CodeApplicationRow(
            session_id=self.session_id,
            rater_id=self.coder.rater_id,
            scheme_id=self.scheme_row_id,
            code_id=code_id,
            unit=unit.value,
            unit_index=unit_index,
            segment_id=self._segment_ids.get(unit_index) if unit is Unit.SEGMENT else None,
            episode_id=episode_id,
            value=value,
            memo=memo,
            evidence_turn=span.turn if span else None,
            evidence_start=span.start if span else None,
            evidence_end=span.end if span else None,
        )
