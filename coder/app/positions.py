"""Resume where you left off: each rater's last session, scheme and turn."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from coder.app.identity import ActingRater
from coder.app.lookup import session_or_none
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import PatientRow, RaterPositionRow, SessionRow


@dataclass(frozen=True, slots=True)
class Position:
    patient: str
    session: int
    scheme_key: str | None
    turn: int


def save_position(
    db: ProjectDatabase,
    coder: ActingRater,
    patient: str,
    number: int,
    scheme_key: str | None,
    turn: int,
) -> None:
    with db.transaction() as session:
        found = session_or_none(session, patient, number)
        session_id = found.id if found is not None else None
        row = session.get(RaterPositionRow, coder.rater_id)
        if row is None:
            row = RaterPositionRow(rater_id=coder.rater_id)
            session.add(row)
        row.session_id, row.scheme_key, row.turn = session_id, scheme_key, max(turn, 1)
        row.updated_at = utcnow()


def last_position(db: ProjectDatabase, coder: ActingRater) -> Position | None:
    with db.reading() as session:
        found = session.execute(
            select(
                PatientRow.code,
                SessionRow.number,
                RaterPositionRow.scheme_key,
                RaterPositionRow.turn,
            )
            .join(SessionRow, RaterPositionRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .where(RaterPositionRow.rater_id == coder.rater_id)
        ).first()
    return Position(*found) if found else None
