"""Coding rounds and assignments.

A round collects the codes made while it is open; locking it freezes its sessions
(see :mod:`coder.app.access`, which decides who may see and change what); unblinding
marks it as discussed. Only one round is open at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coder.app.access import require_lead
from coder.app.identity import ActingRater
from coder.app.lookup import find_session
from coder.app.raters import rater_row
from coder.domain.coding import CodingRound, RoundStatus
from coder.domain.errors import NotFoundError, ValidationError
from coder.store.database import ProjectDatabase
from coder.store.models import (
    AssignmentRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SessionRow,
)


def list_rounds(db: ProjectDatabase) -> list[CodingRound]:
    with db.reading() as session:
        return [
            CodingRound(r.number, r.name, RoundStatus(r.status))
            for r in session.scalars(select(RoundRow).order_by(RoundRow.number))
        ]


def open_round(session: OrmSession) -> RoundRow | None:
    return session.scalar(select(RoundRow).where(RoundRow.status == RoundStatus.OPEN.value))


def create_round(db: ProjectDatabase, coder: ActingRater, name: str = "") -> CodingRound:
    """Open a new round; only one round can be open at a time."""
    require_lead(coder, "open a coding round")
    with db.transaction(coder) as session:
        current = open_round(session)
        if current is not None:
            raise ValidationError(f"round {current.number} is still open; lock it first")
        number = (session.scalar(select(func.max(RoundRow.number))) or 0) + 1
        session.add(RoundRow(number=number, name=name, status=RoundStatus.OPEN.value))
    return CodingRound(number, name, RoundStatus.OPEN)


_ALLOWED = {
    RoundStatus.OPEN: {RoundStatus.LOCKED},
    RoundStatus.LOCKED: {RoundStatus.OPEN, RoundStatus.UNBLINDED},
    RoundStatus.UNBLINDED: set[RoundStatus](),
}


def set_round_status(
    db: ProjectDatabase, coder: ActingRater, number: int, status: RoundStatus
) -> None:
    """open -> locked -> unblinded (locked may reopen); unblinding cannot be undone."""
    require_lead(coder, "change a round's status")
    with db.transaction(coder) as session:
        row = session.scalar(select(RoundRow).where(RoundRow.number == number))
        if row is None:
            raise NotFoundError(f"no coding round {number}")
        current = RoundStatus(row.status)
        if status not in _ALLOWED[current]:
            raise ValidationError(
                f"round {number} is {current.value}; it cannot become {status.value}"
            )
        if status is RoundStatus.OPEN and open_round(session) is not None:
            raise ValidationError("another round is open")
        row.status = status.value


def assign(
    db: ProjectDatabase,
    coder: ActingRater,
    rater: str,
    patient: str,
    number: int,
    round_number: int,
) -> None:
    require_lead(coder, "assign sessions")
    with db.transaction(coder) as session:
        rater_id = rater_row(session, rater).id  # exact name: never assign the wrong person
        session_id = find_session(session, patient, number).id
        round_id = session.scalar(select(RoundRow.id).where(RoundRow.number == round_number))
        if round_id is None:
            raise NotFoundError(f"no coding round {round_number}")
        exists = session.scalar(
            select(AssignmentRow.id).where(
                AssignmentRow.rater_id == rater_id,
                AssignmentRow.session_id == session_id,
                AssignmentRow.round_id == round_id,
            )
        )
        if exists is None:
            session.add(AssignmentRow(rater_id=rater_id, session_id=session_id, round_id=round_id))


@dataclass(frozen=True, slots=True)
class AssignedSession:
    patient: str
    session: int
    round: int


def assignments_for(db: ProjectDatabase, coder: ActingRater) -> list[AssignedSession]:
    with db.reading() as session:
        rows = session.execute(
            select(PatientRow.code, SessionRow.number, RoundRow.number)
            .select_from(AssignmentRow)
            .join(SessionRow, AssignmentRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .join(RoundRow, AssignmentRow.round_id == RoundRow.id)
            .where(AssignmentRow.rater_id == coder.rater_id)
            .order_by(RoundRow.number, PatientRow.code, SessionRow.number)
        )
        return [AssignedSession(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class RoundAssignment:
    """One rater × session in one round (assignments are not codes: anyone may see them)."""

    round: int
    rater: str
    patient: str
    session: int


def round_assignments(db: ProjectDatabase, number: int | None = None) -> list[RoundAssignment]:
    """Every assignment (of round ``number`` only, when given), by round, rater, session."""
    with db.reading() as session:
        query = (
            select(RoundRow.number, RaterRow.name, PatientRow.code, SessionRow.number)
            .select_from(AssignmentRow)
            .join(RoundRow, AssignmentRow.round_id == RoundRow.id)
            .join(RaterRow, AssignmentRow.rater_id == RaterRow.id)
            .join(SessionRow, AssignmentRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .order_by(RoundRow.number, RaterRow.name, PatientRow.code, SessionRow.number)
        )
        if number is not None:
            query = query.where(RoundRow.number == number)
        return [RoundAssignment(*row) for row in session.execute(query)]


def unassign(
    db: ProjectDatabase,
    coder: ActingRater,
    rater: str,
    patient: str,
    number: int,
    round_number: int,
) -> bool:
    """Take a session back from a rater in a round; False when it was not assigned.
    Codes already made stay (they are the rater's); only the assignment goes."""
    require_lead(coder, "change assignments")
    with db.transaction() as session:
        rater_id = rater_row(session, rater).id
        row = session.scalar(
            select(AssignmentRow)
            .join(SessionRow, AssignmentRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .join(RoundRow, AssignmentRow.round_id == RoundRow.id)
            .where(
                AssignmentRow.rater_id == rater_id,
                PatientRow.code == patient,
                SessionRow.number == number,
                RoundRow.number == round_number,
            )
        )
        if row is None:
            return False
        session.delete(row)
        return True
