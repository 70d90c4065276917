"""Reading the audit trail (what :mod:`coder.store.audit` recorded).

Only a lead reads it, or the project's owner (no ``--as``) in a project without a lead:
the trail shows every rater's codes, so it is as revealing as unblinding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from coder.app.access import require_identity, require_lead
from coder.app.identity import ActingRater
from coder.io.codes_csv import write_rows_atomically
from coder.store.database import ProjectDatabase
from coder.store.models import AuditRow, PatientRow, RaterRow, SessionRow

COLUMNS = ("when", "who", "action", "table", "row", "session", "before", "after")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str  # "" is the project's owner (a project without a lead, no --as)
    action: str  # insert | update | delete
    table: str
    row_key: str
    session: str  # "P01 #2", or "" when the change concerns no therapy session
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def cells(self) -> tuple[str, ...]:
        """The entry as text, in :data:`COLUMNS` order (table, CSV, viewer)."""
        return (
            self.at.isoformat(sep=" ", timespec="seconds"),
            self.actor or "(owner)",
            self.action,
            self.table,
            self.row_key,
            self.session,
            _json(self.before),
            _json(self.after),
        )


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def require_reader(db: ProjectDatabase, actor: ActingRater | None) -> None:
    """A lead, or the owner of a project without a lead; anyone else is refused."""
    with db.reading() as session:
        if actor is None:
            require_identity(session, actor, "read the audit trail")
        else:
            require_lead(actor, "read the audit trail")


def list_entries(
    db: ProjectDatabase,
    actor: ActingRater | None,
    since: date | datetime | None = None,
    rater: str | None = None,
) -> list[AuditEntry]:
    """Entries oldest first; ``since`` a day (from its start) or a moment (UTC), ``rater``
    the exact name of whoever acted."""
    require_reader(db, actor)
    query = (
        select(AuditRow, PatientRow.code, SessionRow.number)
        .outerjoin(SessionRow, AuditRow.session_id == SessionRow.id)
        .outerjoin(PatientRow, SessionRow.patient_id == PatientRow.id)
        .order_by(AuditRow.id)
    )
    if since is not None:
        start = since if isinstance(since, datetime) else datetime.combine(since, time())
        query = query.where(AuditRow.at >= start)
    with db.reading() as session:
        if rater is not None:
            rid = session.scalar(select(RaterRow.id).where(RaterRow.name == rater))
            query = query.where(
                or_(AuditRow.actor == rater, AuditRow.rater_id == rid)
                if rid is not None
                else AuditRow.actor == rater
            )
        return [
            AuditEntry(
                row.id,
                row.at,
                row.actor,
                row.action,
                row.table,
                row.row_key,
                f"{patient} #{number}" if patient is not None else "",
                row.before,
                row.after,
            )
            for row, patient, number in session.execute(query)
        ]


def export_csv(
    db: ProjectDatabase,
    actor: ActingRater | None,
    out: Path,
    since: date | datetime | None = None,
    rater: str | None = None,
) -> int:
    """Write the (filtered) trail to ``out`` as CSV, atomically; returns the entry count."""
    entries = list_entries(db, actor, since, rater)
    return write_rows_atomically(out, COLUMNS, (e.cells() for e in entries))
