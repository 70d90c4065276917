"""Patients' free attributes (diagnosis group, site, arm, therapist…).

``therapist`` is the attribute the per-therapist summaries group by (one therapist per
patient is the common design); ``therapist_S3`` names a different therapist for session 3
when a patient changed therapist.
"""

from __future__ import annotations

from sqlalchemy import select

from coder.app.lookup import find_patient
from coder.domain.errors import ValidationError
from coder.store.database import ProjectDatabase
from coder.store.models import PatientRow, SessionRow

THERAPIST = "therapist"


def set_attribute(db: ProjectDatabase, patient: str, key: str, value: str | None) -> None:
    """Set (or with ``None`` remove) one attribute of a patient."""
    key = key.strip()
    if not key or len(key) > 64:
        raise ValidationError("an attribute name is 1-64 characters")
    with db.transaction() as session:
        row = find_patient(session, patient)
        attributes = dict(row.attributes)
        if value is None:
            attributes.pop(key, None)
        else:
            attributes[key] = value.strip()
        row.attributes = attributes  # a new dict, so the JSON change is persisted


def attributes(db: ProjectDatabase) -> dict[str, dict[str, str]]:
    with db.reading() as session:
        return {
            p.code: dict(p.attributes)
            for p in session.scalars(select(PatientRow).order_by(PatientRow.code))
        }


def therapist_of_sessions(db: ProjectDatabase) -> dict[tuple[str, int], str]:
    """(patient, session) -> therapist: ``therapist_S<n>`` if set, else ``therapist``."""
    with db.reading() as session:
        rows = session.execute(
            select(PatientRow.code, PatientRow.attributes, SessionRow.number).join(
                SessionRow, SessionRow.patient_id == PatientRow.id
            )
        ).all()
    out: dict[tuple[str, int], str] = {}
    for code, attrs, number in rows:
        name = attrs.get(f"{THERAPIST}_S{number}") or attrs.get(THERAPIST)
        if name:
            out[(code, number)] = name
    return out
