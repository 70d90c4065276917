"""Creating, opening and summarising projects."""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from coder.app import schemes as scheme_service
from coder.app.access import IdentityRequired, visible_rater_ids
from coder.app.identity import ActingRater
from coder.domain.coding import ProjectCounts
from coder.domain.errors import CoderError, ProjectError
from coder.store import backups, cipher
from coder.store.cipher import KeyNeeded, WrongKey
from coder.store.database import (
    ProjectDatabase,
    describe_safe,
    resolve_url,
    sqlite_path,
    sqlite_url,
)
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    ProjectMeta,
    RaterRow,
    SessionRow,
    TurnRow,
)

DEFAULT_SCHEME = "3rs-2015"
__all__ = ["KeyNeeded", "WrongKey"]  # the errors of an encrypted project, for the UI


def encryption_available() -> bool:
    """Whether SQLCipher (the optional ``[encryption]`` extra) is installed."""
    return cipher.available()


def open_project(
    project: str | Path | None = None, db_url: str | None = None, *, key: str | None = None
) -> ProjectDatabase:
    """Open an existing project (upgrading an older one after a backup). An encrypted
    project needs ``key`` (or ``$CODER_KEY_FILE``): :class:`KeyNeeded` without one,
    :class:`WrongKey` with a wrong one."""
    url = checked_url(resolve_url(project, db_url))
    path = sqlite_path(url)
    if path is not None:
        check_folder_writable(path, "open the project")
    return ProjectDatabase.open(url, key=key)


def checked_url(url: str) -> str:
    """``url`` if SQLAlchemy can parse it; else a message instead of a bare ValueError
    from deep inside URL parsing (``notaurl://::`` has a port that is not a number)."""
    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:
        shown = url.split("@")[-1] if "@" in url else url  # never echo a password
        raise ProjectError(
            f"{shown!r} is not a database URL ({exc}); use e.g. "
            "postgresql+psycopg://user@host/dbname, or --project FILE"
        ) from None
    return url


def check_folder_writable(path: Path, doing: str) -> None:
    """Refuse, in words, a project whose folder cannot take new files.

    SQLite writes a journal next to the project (``-wal``, ``-shm``): in a read-only
    folder it fails with only "unable to open database file". Mode bits and ``os.access``
    are both consulted (root passes ``os.access`` but a read-only mount says EROFS later,
    which :func:`coder.domain.errors.os_error_problem` words too).
    """
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise ProjectError(
            f"cannot {doing}: the folder {folder} is read-only for you, and the project "
            "needs to write its journal files next to it; copy the project to a folder you "
            "can write to, or ask for write access",
            path=path,
        )


def create_project(
    target: str | Path,
    *,
    name: str | None = None,
    scheme_ids: Sequence[str] = (DEFAULT_SCHEME,),
    is_url: bool = False,
    key: str | None = None,
) -> ProjectDatabase:
    """Create a project with the given built-in schemes; the first is the default.
    With ``key`` a SQLite project is encrypted (SQLCipher) with that passphrase.

    Schemes are resolved before anything is written, so an unknown scheme id leaves
    no half-made project file behind.
    """
    loaded = [scheme_service.find_builtin(scheme_id) for scheme_id in scheme_ids]
    url = checked_url(str(target)) if is_url else sqlite_url(Path(target))
    if not is_url:
        check_folder_writable(Path(target).expanduser().resolve(), "create the project")
    elif key is not None:
        raise ProjectError("only a project file can be encrypted; on a server use its TLS")
    db = ProjectDatabase.open(url, create=True, key=key)
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


def describe(url: str) -> str:
    """A project's location for messages: the file, or the URL without its password."""
    return describe_safe(url)


def backup(project: Path, out: Path | None = None, key: str | None = None) -> Path:
    """A consistent copy of a SQLite project (``out``, or one in its ``backups/`` folder);
    an encrypted project's copy is encrypted with the same key."""
    return backups.backup_project(project, out, key)


def restore(project: Path, backup_file: Path, key: str | None = None) -> Path:
    """Put a backup back (refused while the project is open anywhere, or if the
    backup is not a project this version can open); returns where the replaced
    contents were kept."""
    return backups.restore_project(project, backup_file, key)


def project_name(db: ProjectDatabase) -> str:
    with db.reading() as session:
        meta = session.get(ProjectMeta, 1)
        return meta.name if meta else ""


class CodeCount(StrEnum):
    """Whose code applications ``coder info`` may count for an identity."""

    ALL = "all"  # everyone's: the identity may see every rater's codes
    OWN = "own"  # only the signed-in rater's own
    NONE = "none"  # nobody signed in, and the project has a lead who guards the codes


def counts(db: ProjectDatabase, own_only_for: ActingRater | None = None) -> ProjectCounts:
    """Counts for ``coder info``: what a lab lead checks after an import.

    With ``own_only_for``, ``codes`` counts only that rater's code applications: how
    many codes each rater made is itself information a blinded rater should not get
    (see :func:`code_count_scope`).
    """
    with db.reading() as session:

        def count(model: type) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        codes = select(func.count()).select_from(CodeApplicationRow)
        if own_only_for is not None:
            codes = codes.where(CodeApplicationRow.rater_id == own_only_for.rater_id)
        return ProjectCounts(
            patients=count(PatientRow),
            sessions=count(SessionRow),
            turns=count(TurnRow),
            raters=count(RaterRow),
            codes=int(session.scalar(codes) or 0),
        )


def code_count_scope(db: ProjectDatabase, actor: ActingRater | None) -> CodeCount:
    """Whose codes ``actor`` may count in ``coder info``: the shared visibility rule
    (:func:`coder.app.access.visible_rater_ids`) applied to a count, since how many codes
    each rater made is itself information a blinded rater should not get."""
    with db.reading() as session:
        try:
            visible = visible_rater_ids(session, actor)
        except IdentityRequired:
            return CodeCount.NONE
    return CodeCount.ALL if visible is None else CodeCount.OWN
