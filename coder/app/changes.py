"""A cheap marker of "something changed in the project", for views that refresh when
another program (the CLI, another window, another rater on a lab server) writes.

:func:`change_marker` reads a few aggregates (row counts, largest ids, latest update
times; portable SQL, so SQLite and PostgreSQL alike): any insert, delete or update of
codes, episodes, decisions, rounds, assignments, raters, sessions, segment boundaries or
project settings changes it. Equal markers mean nothing a view shows has changed. Own
edits change it too; a view that reloads then simply re-reads what it already shows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from coder.store.database import ProjectDatabase
from coder.store.models import (
    AssignmentRow,
    CodeApplicationRow,
    ConsensusDecisionRow,
    EpisodeRow,
    ProjectMeta,
    RaterRow,
    RoundRow,
    SegmentRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
)

Marker = tuple[Any, ...]


def change_marker(db: ProjectDatabase) -> Marker:
    """A value that differs whenever the stored project differs in anything shown."""
    queries = [
        select(
            func.count(),
            func.max(CodeApplicationRow.id),
            func.max(CodeApplicationRow.updated_at),
        ).select_from(CodeApplicationRow),
        select(func.count(), func.max(EpisodeRow.id), func.max(EpisodeRow.updated_at)).select_from(
            EpisodeRow
        ),
        select(func.count(), func.max(ConsensusDecisionRow.id)).select_from(ConsensusDecisionRow),
        select(func.count(), func.sum(func.length(RoundRow.status) * RoundRow.number)).select_from(
            RoundRow
        ),
        select(func.count(), func.max(AssignmentRow.id)).select_from(AssignmentRow),
        select(func.count(), func.max(RaterRow.id)).select_from(RaterRow),
        select(func.count(), func.max(SessionRow.id)).select_from(SessionRow),
        select(func.count(), func.max(TranscriptRow.id)).select_from(TranscriptRow),
        select(func.count(), func.sum(SegmentRow.first_turn)).select_from(SegmentRow),
        select(func.count(), func.sum(func.length(SpeakerRow.role))).select_from(SpeakerRow),
    ]
    with db.reading() as session:
        values: list[Any] = [tuple(session.execute(q).one()) for q in queries]
        meta = session.get(ProjectMeta, 1)
        values.append(repr(sorted(meta.settings.items())) if meta is not None else None)
    return tuple(values)
