"""Raters: who codes. Identity is chosen explicitly and stamped on every write.

Names are unique within a project *case-insensitively* (so "Ada" and "ADA" can never
both exist), but a name a user gives to act as someone or to pick someone's codes must
match *exactly*: a near miss is refused with the exact spelling to use, never silently
taken as someone else.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import RaterRow

CONSENSUS_NAME = "Consensus"


def add_rater(
    db: ProjectDatabase, name: str, initials: str, role: RaterRole = RaterRole.RATER
) -> Rater:
    """Add a rater; names are unique within a project (case-insensitively)."""
    rater = Rater(name, initials, role)
    try:
        with db.transaction() as session:
            check_new_name(session, rater.name)
            session.add(RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value))
    except IntegrityError:
        raise ValidationError(f"a rater named {rater.name!r} already exists") from None
    return rater


def check_new_name(session: OrmSession, name: str) -> None:
    """Refuse a name that differs only in case from an existing one, or the reserved
    consensus name: either would make "who coded what" ambiguous."""
    if name.lower() == CONSENSUS_NAME.lower():
        raise ValidationError(
            f"{CONSENSUS_NAME!r} is reserved for the codes agreed in consensus meetings"
        )
    clash = session.scalar(select(RaterRow).where(func.lower(RaterRow.name) == name.lower()))
    if clash is not None:
        raise ValidationError(f"a rater named {clash.name!r} already exists")


def rater_row(session: OrmSession, name: str) -> RaterRow:
    """The rater named exactly ``name`` (surrounding spaces ignored).

    A name that matches only when case is ignored is refused with the exact spelling,
    so a typo can never act as, or show the codes of, the wrong person.
    """
    wanted = name.strip()
    row = session.scalar(select(RaterRow).where(RaterRow.name == wanted))
    if row is not None:
        return row
    check_spelling(session, [wanted])
    raise NotFoundError(f"no rater named {wanted!r}")


def check_spelling(session: OrmSession, names: Sequence[str]) -> None:
    """Refuse a name that matches a rater only when case is ignored, naming the exact
    spelling: as a filter it would otherwise silently select nobody's codes."""
    for name in exact_names(names):
        if session.scalar(select(RaterRow.id).where(RaterRow.name == name)) is not None:
            continue
        near = session.scalar(select(RaterRow).where(func.lower(RaterRow.name) == name.lower()))
        if near is not None:
            raise NotFoundError(
                f"no rater named {name!r}; did you mean {near.name!r}? (names must match exactly)"
            )


def exact_names(names: Sequence[str]) -> list[str]:
    """Rater names given by a user, trimmed, for an exact ``IN`` filter."""
    return [name.strip() for name in names]


def list_raters(db: ProjectDatabase) -> list[Rater]:
    with db.reading() as session:
        rows = session.scalars(select(RaterRow).order_by(RaterRow.name))
        return [Rater(r.name, r.initials, RaterRole(r.role)) for r in rows]


def get_rater(db: ProjectDatabase, name: str) -> Rater:
    """The rater named exactly ``name``."""
    with db.reading() as session:
        row = rater_row(session, name)
        return Rater(row.name, row.initials, RaterRole(row.role))


def rater_choices(db: ProjectDatabase) -> list[tuple[int, str]]:
    """(id, name) of every rater, consensus included, for a lead's "show codes of" list."""
    with db.reading() as session:
        return [(r.id, r.name) for r in session.scalars(select(RaterRow).order_by(RaterRow.name))]
