"""Opening a project database: URL resolution, SQLite hygiene, schema version checks.

A project is one SQLite file by default (``--project PATH``); ``--db URL`` or
``CODER_DB_URL`` selects any SQLAlchemy URL (PostgreSQL for a lab server) without
changing code above this module. Opening never writes to a file that is not ours, that
is marked read-only, or that a newer version of the program created.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from coder.domain.errors import ProjectError
from coder.store import migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
ENV_URL = "CODER_DB_URL"


def resolve_url(project: str | Path | None = None, db_url: str | None = None) -> str:
    """``--db`` wins, then ``--project``, then ``$CODER_DB_URL``."""
    if db_url:
        return db_url
    if project is not None:
        return sqlite_url(Path(project))
    env = os.environ.get(ENV_URL)
    if env:
        return env
    raise ProjectError("no project given: use --project PATH, --db URL or set CODER_DB_URL")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory DBs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def describe(url: str) -> str:
    """A user-facing name for the database (file path, or URL without password)."""
    path = sqlite_path(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def _check_sqlite_file(path: Path, *, create: bool) -> None:
    if create:
        if path.exists():
            raise ProjectError("already exists; choose a new file name", path=path)
        if not path.parent.is_dir():
            raise ProjectError("folder does not exist", path=path.parent)
        return
    if not path.exists():
        raise ProjectError("no such project file (create one with 'coder init')", path=path)
    if path.is_dir():
        raise ProjectError("is a directory, not a project file", path=path)
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise ProjectError("is not a Rupture Coder project (not a SQLite database)", path=path)
    # Checked by mode bits, not os.access: root can write anything, but a lab that
    # marks a project read-only (an archived, reported data set) means it.
    if not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ProjectError(
            "the project file is read-only; copy it or make it writable to open it", path=path
        )


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise ProjectError(f"cannot use database URL {describe_safe(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def describe_safe(url: str) -> str:
    try:
        return describe(url)
    except ArgumentError:
        return "(unparseable URL)"


@dataclass
class ProjectDatabase:
    """An open project: an engine plus a session factory.

    Use :meth:`transaction` for every write: it commits on success and rolls back on
    any exception, so a failed operation leaves nothing half-written.
    """

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    backup_path: Path | None = None

    @classmethod
    def open(cls, url: str, *, create: bool = False) -> ProjectDatabase:
        path = sqlite_path(url)
        if path is not None:
            _check_sqlite_file(path, create=create)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
        except (OperationalError, DBAPIError) as exc:
            engine.dispose()
            if path is not None and create:
                path.unlink(missing_ok=True)
            raise ProjectError(
                f"cannot open database: {exc.orig or exc}", path=describe_safe(url)
            ) from None
        if not create and "alembic_version" not in tables:
            engine.dispose()
            what = "an empty database" if not tables else "a database of another program"
            raise ProjectError(f"is {what}, not a Rupture Coder project", path=describe_safe(url))
        try:
            backup = migrate.upgrade(engine, path)
        except Exception:
            engine.dispose()
            if path is not None and create:
                _remove_sqlite(path)
            raise
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False), backup)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ProjectDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
