"""Raters: who codes. Identity is chosen explicitly and stamped on every write."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import RaterRow


def add_rater(
    db: ProjectDatabase, name: str, initials: str, role: RaterRole = RaterRole.RATER
) -> Rater:
    """Add a rater; names are unique within a project (case-insensitively)."""
    rater = Rater(name, initials, role)
    try:
        with db.transaction() as session:
            clash = session.scalar(
                select(RaterRow).where(func.lower(RaterRow.name) == rater.name.lower())
            )
            if clash is not None:
                raise ValidationError(f"a rater named {clash.name!r} already exists")
            session.add(RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value))
    except IntegrityError:
        raise ValidationError(f"a rater named {rater.name!r} already exists") from None
    return rater


def list_raters(db: ProjectDatabase) -> list[Rater]:
    with db.reading() as session:
        rows = session.scalars(select(RaterRow).order_by(RaterRow.name))
        return [Rater(r.name, r.initials, RaterRole(r.role)) for r in rows]


def get_rater(db: ProjectDatabase, name: str) -> Rater:
    with db.reading() as session:
        row = session.scalar(
            select(RaterRow).where(func.lower(RaterRow.name) == name.strip().lower())
        )
        if row is None:
            raise NotFoundError(f"no rater named {name!r}")
        return Rater(row.name, row.initials, RaterRole(row.role))


def rater_choices(db: ProjectDatabase) -> list[tuple[int, str]]:
    """(id, name) of every rater, consensus included, for a lead's "show codes of" list."""
    with db.reading() as session:
        return [(r.id, r.name) for r in session.scalars(select(RaterRow).order_by(RaterRow.name))]
