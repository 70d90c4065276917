"""The look-ups every use case starts with: a patient by code, a session by patient code
and number.

Each was once written out in a dozen services, with as many wordings of "not found";
here each is one query and one message, so a user who mistypes ``P01/9`` reads the same
sentence whichever command or window they used.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.domain.errors import NotFoundError
from coder.store.models import PatientRow, SessionRow


def no_patient(patient: str) -> NotFoundError:
    """The one message for a patient code the project does not have."""
    return NotFoundError(f"no patient {patient!r}")


def no_session(patient: str, number: int) -> NotFoundError:
    """The one message for a session the project does not have."""
    return NotFoundError(f"no session {number} for patient {patient!r}")


def no_transcript(patient: str, number: int) -> NotFoundError:
    """The one message for a session without a transcript (or no such session): what
    coding and reading a session need is its text."""
    return NotFoundError(f"no transcript for patient {patient!r} session {number}")


def session_or_none(session: OrmSession, patient: str, number: int) -> SessionRow | None:
    """Session ``number`` of patient ``patient`` (its code), or None."""
    return session.scalar(
        select(SessionRow)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .where(PatientRow.code == patient, SessionRow.number == number)
    )


def find_session(session: OrmSession, patient: str, number: int) -> SessionRow:
    """Session ``number`` of patient ``patient``; NotFoundError naming both if absent."""
    row = session_or_none(session, patient, number)
    if row is None:
        raise no_session(patient, number)
    return row


def find_patient(session: OrmSession, patient: str) -> PatientRow:
    """The patient with code ``patient``; NotFoundError naming it if absent."""
    row = session.scalar(select(PatientRow).where(PatientRow.code == patient))
    if row is None:
        raise no_patient(patient)
    return row
