"""Creating, opening and summarising projects."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from coder.app import schemes as scheme_service
from coder.domain.coding import ProjectCounts
from coder.domain.errors import CoderError
from coder.store.database import ProjectDatabase, resolve_url, sqlite_path, sqlite_url
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    ProjectMeta,
    RaterRow,
    SessionRow,
    TurnRow,
)

DEFAULT_SCHEME = "3rs-2015"


def open_project(project: str | Path | None = None, db_url: str | None = None) -> ProjectDatabase:
    """Open an existing project (upgrading an older one after a backup)."""
    return ProjectDatabase.open(resolve_url(project, db_url))


def create_project(
    target: str | Path,
    *,
    name: str | None = None,
    scheme_ids: Sequence[str] = (DEFAULT_SCHEME,),
    is_url: bool = False,
) -> ProjectDatabase:
    """Create a project with the given built-in schemes; the first is the default.

    Schemes are resolved before anything is written, so an unknown scheme id leaves
    no half-made project file behind.
    """
    loaded = [scheme_service.find_builtin(scheme_id) for scheme_id in scheme_ids]
    url = str(target) if is_url else sqlite_url(Path(target))
    db = ProjectDatabase.open(url, create=True)
    try:
        with db.transaction() as session:
            if session.scalar(select(func.count()).select_from(ProjectMeta)):
                raise CoderError("the database already holds a project", path=str(target))
            path = sqlite_path(url)
            meta = ProjectMeta(id=1, name=name or (path.stem if path else "Rupture Coder project"))
            session.add(meta)
            for i, (scheme, text, source) in enumerate(loaded):
                row = scheme_service.store_scheme(session, scheme, text, source)
                if i == 0:
                    session.flush()
                    meta.default_scheme_id = row.id
    except BaseException:
        db.close()
        path = sqlite_path(url)
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    return db


def project_name(db: ProjectDatabase) -> str:
    with db.reading() as session:
        meta = session.get(ProjectMeta, 1)
        return meta.name if meta else ""


def counts(db: ProjectDatabase) -> ProjectCounts:
    """Counts for ``coder info``: what a lab lead checks after an import."""
    with db.reading() as session:

        def count(model: type) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        return ProjectCounts(
            patients=count(PatientRow),
            sessions=count(SessionRow),
            turns=count(TurnRow),
            raters=count(RaterRow),
            codes=count(CodeApplicationRow),
        )
