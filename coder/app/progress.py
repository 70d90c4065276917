"""How far each rater has got: segments done per session, for the project browser and
the lead's progress dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Subquery, and_, distinct, func, select

from coder.app import schemes as scheme_service
from coder.app.access import visible_rater_ids
from coder.app.browse import scheme_segments
from coder.app.identity import ActingRater
from coder.app.rounds import AssignedSession, round_assignments
from coder.domain.coding import Unit
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme, Scope
from coder.domain.segmentation import rule_key
from coder.store.database import ProjectDatabase
from coder.store.models import (
    AssignmentRow,
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
)


def segment_is_done(scheme: Scheme, own_ids_in_segment: set[str]) -> bool:
    """A segment is done when the rater gave every segment rating of the scheme (3RS
    asks for significance in every segment); in a scheme without segment ratings, when
    the rater coded anything in it."""
    wanted = {r.id for r in scheme.ratings_for(Scope.SEGMENT)}
    return wanted <= own_ids_in_segment if wanted else bool(own_ids_in_segment)


def done_segments(scheme: Scheme, scheme_ids: Select[Any], rater_id: int) -> Subquery:
    """``(session_id, unit_index)`` of every segment ``rater_id`` has done, as a subquery:
    the rule of :func:`segment_is_done` in SQL (every segment rating of the scheme given
    or, in a scheme without segment ratings, any segment code at all).

    Counted by the database, because a lab project's rater has ~300,000 codes: reading
    them as rows to count them in Python took 1.4 s of the desktop's start."""
    wanted = sorted(r.id for r in scheme.ratings_for(Scope.SEGMENT))
    query = (
        select(CodeApplicationRow.session_id, CodeApplicationRow.unit_index)
        .where(
            CodeApplicationRow.rater_id == rater_id,
            CodeApplicationRow.unit == Unit.SEGMENT.value,
            CodeApplicationRow.scheme_id.in_(scheme_ids.scalar_subquery()),
        )
        .group_by(CodeApplicationRow.session_id, CodeApplicationRow.unit_index)
    )
    if wanted:  # only the ratings count: a third fewer rows to group
        query = query.where(CodeApplicationRow.code_id.in_(wanted)).having(
            func.count(distinct(CodeApplicationRow.code_id)) == len(wanted)
        )
    return query.subquery()


def coding_progress(
    db: ProjectDatabase, coder: ActingRater, scheme_key: str | None = None
) -> dict[tuple[str, int], tuple[int, int]]:
    """(patient, session) -> (segments done by ``coder``, segments in total), for every
    session with segments under the scheme's segmentation rule; one grouped query."""
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    scheme_ids = select(SchemeRow.id).where(SchemeRow.key == scheme.id)
    done = done_segments(scheme, scheme_ids, coder.rater_id)
    query = (
        select(PatientRow.code, SessionRow.number, func.count(done.c.unit_index), func.count())
        .join(SessionRow, SessionRow.patient_id == PatientRow.id)
        .join(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .join(SegmentationRow, SegmentationRow.transcript_id == TranscriptRow.id)
        .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .outerjoin(
            done,
            and_(done.c.session_id == SessionRow.id, done.c.unit_index == SegmentRow.index),
        )
        .where(SegmentationRow.rule == rule_key(scheme.segmentation))
        .group_by(PatientRow.code, SessionRow.number)
    )
    with db.reading() as session:
        rows = session.connection().execute(query)
        return {(patient, number): (n_done, total) for patient, number, n_done, total in rows}


@dataclass(frozen=True, slots=True)
class ProgressRow:
    """One rater on one session: segments done of total, when they last changed a code
    there, and the latest round the session was assigned to them in (None: coded
    without an assignment)."""

    rater: str
    patient: str
    session: int
    done: int
    total: int
    last_edit: datetime | None
    round: int | None

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total


def progress_table(
    db: ProjectDatabase, actor: ActingRater | None, scheme_key: str | None = None
) -> list[ProgressRow]:
    """Per rater × session (assigned to them, or coded by them): the progress dashboard.

    Counts of other raters' codes are information a blinded rater must not get, so the
    rows are those of :func:`coder.app.access.visible_rater_ids` (a rater: their own)."""
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    with db.reading() as session:
        allowed = visible_rater_ids(session, actor)
        raters_query = select(RaterRow.id, RaterRow.name).where(
            RaterRow.role != RaterRole.CONSENSUS.value
        )
        if allowed is not None:
            raters_query = raters_query.where(RaterRow.id.in_(allowed))
        names: dict[int, str] = {rid: name for rid, name in session.execute(raters_query)}
        totals: dict[tuple[str, int], list[int]] = {}
        for g in scheme_segments(session, scheme):
            totals.setdefault((g.patient, g.session), []).append(g.index)
        scheme_ids = list(session.scalars(select(SchemeRow.id).where(SchemeRow.key == scheme.id)))
        session_key = (PatientRow.code, SessionRow.number)
        assigned = session.execute(
            select(AssignmentRow.rater_id, *session_key, func.max(RoundRow.number))
            .join(SessionRow, AssignmentRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .join(RoundRow, AssignmentRow.round_id == RoundRow.id)
            .where(AssignmentRow.rater_id.in_(names))
            .group_by(AssignmentRow.rater_id, *session_key)
        ).all()
        edited = session.execute(
            select(
                CodeApplicationRow.rater_id, *session_key, func.max(CodeApplicationRow.updated_at)
            )
            .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .where(
                CodeApplicationRow.rater_id.in_(names),
                CodeApplicationRow.scheme_id.in_(scheme_ids),
            )
            .group_by(CodeApplicationRow.rater_id, *session_key)
        ).all()
        segment_codes = session.execute(
            select(
                CodeApplicationRow.rater_id,
                *session_key,
                CodeApplicationRow.unit_index,
                CodeApplicationRow.code_id,
            )
            .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .where(
                CodeApplicationRow.rater_id.in_(names),
                CodeApplicationRow.unit == Unit.SEGMENT.value,
                CodeApplicationRow.scheme_id.in_(scheme_ids),
            )
        ).all()
    coded: dict[tuple[int, str, int, int], set[str]] = {}
    for rater_id, patient, number, index, code_id in segment_codes:
        coded.setdefault((rater_id, patient, number, index), set()).add(code_id)
    rounds_of = {(r, p, n): rnd for r, p, n, rnd in assigned}
    last_of = {(r, p, n): when for r, p, n, when in edited}
    rows = []
    for rater_id, patient, number in sorted(
        set(rounds_of) | set(last_of), key=lambda k: (names[k[0]], k[1], k[2])
    ):
        indexes = totals.get((patient, number), [])
        done = sum(
            segment_is_done(scheme, coded.get((rater_id, patient, number, i), set()))
            for i in indexes
        )
        rows.append(
            ProgressRow(
                names[rater_id],
                patient,
                number,
                done,
                len(indexes),
                last_of.get((rater_id, patient, number)),
                rounds_of.get((rater_id, patient, number)),
            )
        )
    return rows


def unfinished_in_round(
    db: ProjectDatabase, actor: ActingRater | None, round_number: int, scheme_key: str | None = None
) -> list[ProgressRow]:
    """Assignments of round ``round_number`` whose rater has not finished the session
    (what the lead is told before locking the round)."""
    wanted = {(a.rater, a.patient, a.session) for a in round_assignments(db, round_number)}
    return [
        row
        for row in progress_table(db, actor, scheme_key)
        if (row.rater, row.patient, row.session) in wanted and not row.finished
    ]


def assignment_summary(
    assigned: Sequence[AssignedSession],
    progress: Mapping[tuple[str, int], tuple[int, int]],
    *,
    listed: int = 6,
) -> str:
    """One line per round of what ``assigned`` still asks of the rater, for the session
    list's footer: a lab project assigns hundreds of sessions, and listing them all
    buried the few still to do. ``progress`` is :func:`coding_progress`'s; a session is
    finished when every segment is done. At most ``listed`` unfinished sessions are named
    per round (Rounds ▸ Progress shows them all)."""
    rounds: dict[int, list[AssignedSession]] = {}
    for item in assigned:
        rounds.setdefault(item.round, []).append(item)
    lines = []
    for number, items in sorted(rounds.items()):
        to_do = [
            f"{a.patient}/{a.session}"
            for a in items
            if not _finished(progress.get((a.patient, a.session), (0, 0)))
        ]
        head = f"Round {number}: {len(items)} session{'s' if len(items) != 1 else ''} assigned"
        if not to_do:
            lines.append(f"{head}, all finished.")
            continue
        named = ", ".join(to_do[:listed])
        more = f" and {len(to_do) - listed} more" if len(to_do) > listed else ""
        lines.append(f"{head}, {len(to_do)} to finish: {named}{more}.")
    return "\n".join(lines)


def _finished(done_total: tuple[int, int]) -> bool:
    done, total = done_total
    return total > 0 and done >= total
