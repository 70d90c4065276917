"""Rupture-resolution episodes coded with a stage model (Safran & Muran pathways).

An episode belongs to one rater and runs from a marker turn; its stages are code
applications (unit ``episode``) whose evidence says where each stage happened. Stages
may oscillate, so an out-of-order stage is stored and *flagged*, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as OrmSession

from coder.app.access import NotAllowed, check_editable, visible_rater_ids
from coder.app.coding import CodingSession
from coder.app.rounds import open_round
from coder.app.stored_code import StoredCode
from coder.domain.coding import StageEvent, StageProgress, TextSpan, Unit, stage_progress
from coder.domain.errors import NotFoundError, ValidationError
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, EpisodeRow, RaterRow, RoundRow


@dataclass(frozen=True, slots=True)
class EpisodeView:
    id: int
    index: int
    rater_id: int
    rater: str
    pathway_id: str
    start_turn: int
    end_turn: int | None
    memo: str
    stages: tuple[StoredCode, ...]
    other_codes: tuple[StoredCode, ...]
    progress: StageProgress | None
    flagged: frozenset[int]  # ids of stage codes that step backwards

    def rating(self, rating_id: str) -> int | None:
        for code in self.other_codes:
            if code.code_id == rating_id:
                return code.value
        return None


@dataclass(frozen=True, slots=True)
class EpisodeSnapshot:
    """Everything needed to bring a deleted episode back (undo)."""

    index: int
    pathway_id: str
    start_turn: int
    end_turn: int | None
    memo: str
    created_at: datetime
    codes: tuple[StoredCode, ...]
    round_number: int | None = None


def list_episodes(cs: CodingSession, raters: list[int] | None = None) -> list[EpisodeView]:
    """Episodes the acting rater may see (same blinding rule as codes)."""
    with cs.db.reading() as session:
        allowed = visible_rater_ids(session, cs.coder, raters)
        query = (
            select(EpisodeRow, RaterRow.name)
            .join(RaterRow, EpisodeRow.rater_id == RaterRow.id)
            .where(EpisodeRow.session_id == cs.session_id, EpisodeRow.scheme_id.in_(cs.scheme_ids))
            .order_by(RaterRow.name, EpisodeRow.index)
        )
        if allowed is not None:
            query = query.where(EpisodeRow.rater_id.in_(allowed))
        rows = list(session.execute(query))
    codes = [c for c in cs.codes(raters) if c.unit is Unit.EPISODE]
    stage_ids = {s.id for p in cs.scheme.pathways for s in p.stages}
    views = []
    for row, name in rows:
        mine = [c for c in codes if c.episode_id == row.id]
        stages = sorted(
            (c for c in mine if c.code_id in stage_ids),
            key=lambda c: ((c.evidence.turn if c.evidence else 0), c.id),
        )
        progress, flagged = None, frozenset[int]()
        if row.pathway_id:
            pathway = cs.scheme.pathway(row.pathway_id)
            events = tuple(
                StageEvent(c.code_id, c.evidence.turn if c.evidence else 0, i)
                for i, c in enumerate(stages)
            )
            progress = stage_progress(pathway, events)
            flagged = frozenset(stages[i].id for i in progress.out_of_order)
        views.append(
            EpisodeView(
                row.id,
                row.index,
                row.rater_id,
                name,
                row.pathway_id,
                row.start_turn,
                row.end_turn,
                row.memo,
                tuple(stages),
                tuple(c for c in mine if c.code_id not in stage_ids),
                progress,
                flagged,
            )
        )
    return views


def start_episode(cs: CodingSession, pathway_id: str, start_turn: int, memo: str = "") -> int:
    """Open a new episode of the acting rater at ``start_turn``; returns its index."""
    cs.scheme.pathway(pathway_id)
    if not 1 <= start_turn <= len(cs.transcript.turns):
        raise NotFoundError(f"no turn {start_turn}")
    with cs.db.transaction(cs.coder) as session:
        check_editable(session, cs.coder, cs.session_id, owner_id=cs.coder.rater_id)
        last = session.scalar(
            select(func.max(EpisodeRow.index)).where(
                EpisodeRow.session_id == cs.session_id, EpisodeRow.rater_id == cs.coder.rater_id
            )
        )
        index = (last or 0) + 1
        current = open_round(session)
        session.add(
            EpisodeRow(
                session_id=cs.session_id,
                rater_id=cs.coder.rater_id,
                scheme_id=cs.scheme_row_id,
                round_id=current.id if current else None,
                index=index,
                pathway_id=pathway_id,
                start_turn=start_turn,
                memo=memo,
            )
        )
    return index


def add_stage(cs: CodingSession, episode_index: int, stage_id: str, span: TextSpan) -> StoredCode:
    """Record that stage ``stage_id`` happened at ``span`` within the episode."""
    pathway, _stage = cs.scheme.stage(stage_id)
    with cs.db.reading() as session:
        episode = _own(cs, episode_index, session)
    if episode.pathway_id and episode.pathway_id != pathway.id:
        raise ValidationError(
            f"{stage_id} belongs to the {pathway.id} pathway, not to "
            f"episode {episode_index}'s {episode.pathway_id} pathway"
        )
    span.check_within(cs.turn(span.turn).text)
    return cs.insert_code(stage_id, Unit.EPISODE, episode_index, 1, span, "", episode.id)


def whole_turn(cs: CodingSession, turn: int) -> TextSpan:
    """A span covering a whole turn (stage coding without a text selection)."""
    if not 1 <= turn <= len(cs.transcript.turns):
        raise NotFoundError(f"no turn {turn}")
    return TextSpan(turn, 0, max(len(cs.transcript.turns[turn - 1].text), 1))


def set_end(cs: CodingSession, episode_index: int, end_turn: int | None) -> int | None:
    """Close (or reopen) an episode; returns the previous end for undo."""
    with cs.db.transaction(cs.coder) as session:
        row = _own(cs, episode_index, session)
        check_editable(
            session, cs.coder, cs.session_id, owner_id=row.rater_id, round_id=row.round_id
        )
        if end_turn is not None and end_turn < row.start_turn:
            raise ValidationError(
                f"an episode cannot end (turn {end_turn}) before it starts (turn {row.start_turn})"
            )
        old, row.end_turn = row.end_turn, end_turn
        return old


def delete_episode(cs: CodingSession, episode_index: int) -> EpisodeSnapshot:
    """Delete one of the acting rater's episodes with its stages and codes (one
    transaction); the snapshot brings all of it back."""
    with cs.db.transaction(cs.coder) as session:
        row = _own(cs, episode_index, session)
        check_editable(
            session, cs.coder, cs.session_id, owner_id=row.rater_id, round_id=row.round_id
        )
        round_number = (
            session.scalar(select(RoundRow.number).where(RoundRow.id == row.round_id))
            if row.round_id is not None
            else None
        )
        removed = cs.delete_rows(
            session,
            list(
                session.execute(
                    cs.select_rows().where(
                        CodeApplicationRow.episode_id == row.id,
                        CodeApplicationRow.rater_id == cs.coder.rater_id,
                    )
                )
            ),
        )
        snapshot = EpisodeSnapshot(
            row.index,
            row.pathway_id,
            row.start_turn,
            row.end_turn,
            row.memo,
            row.created_at,
            tuple(removed),
            round_number,
        )
        session.execute(delete(EpisodeRow).where(EpisodeRow.id == row.id))
    return snapshot


def restore_episode(cs: CodingSession, snap: EpisodeSnapshot) -> None:
    """Bring a deleted episode back into the round it was made in (one transaction)."""
    with cs.db.transaction(cs.coder) as session:
        round_id = (
            session.scalar(select(RoundRow.id).where(RoundRow.number == snap.round_number))
            if snap.round_number is not None
            else None
        )
        check_editable(
            session, cs.coder, cs.session_id, owner_id=cs.coder.rater_id, round_id=round_id
        )
        row = EpisodeRow(
            session_id=cs.session_id,
            rater_id=cs.coder.rater_id,
            scheme_id=cs.scheme_row_id,
            round_id=round_id,
            index=snap.index,
            pathway_id=snap.pathway_id,
            start_turn=snap.start_turn,
            end_turn=snap.end_turn,
            memo=snap.memo,
            created_at=snap.created_at,
        )
        session.add(row)
        session.flush()
        cs.restore_rows(session, [replace(c, episode_id=row.id) for c in snap.codes])


def _own(cs: CodingSession, index: int, session: OrmSession) -> EpisodeRow:
    row = session.scalar(
        select(EpisodeRow).where(
            EpisodeRow.session_id == cs.session_id,
            EpisodeRow.index == index,
            EpisodeRow.rater_id == cs.coder.rater_id,
        )
    )
    if row is None:
        raise (
            NotAllowed(f"episode {index} is not one of yours")
            if _exists(cs.db, cs.session_id, index)
            else NotFoundError(f"no episode {index}")
        )
    return row


def _exists(db: ProjectDatabase, session_id: int, index: int) -> bool:
    with db.reading() as session:
        return (
            session.scalar(
                select(EpisodeRow.id).where(
                    EpisodeRow.session_id == session_id, EpisodeRow.index == index
                )
            )
            is not None
        )
