"""Opening a project database: URL resolution, SQLite hygiene, schema version checks.

A project is one SQLite file by default (``--project PATH``); ``--db URL`` or
``CODER_DB_URL`` selects any SQLAlchemy URL (PostgreSQL for a lab server) without
changing code above this module. Opening never writes to a file that is not ours, that
is marked read-only, or that a newer version of the program created: the checks read
the file as it is, and only once they pass is it switched to WAL (the one persistent
change a connection makes).

Durability: every commit on SQLite is synced to disk before it returns
(``synchronous=FULL``; WAL journal), so an acknowledged edit survives a power loss or
an OS crash, not just a crash of the program.

Concurrency: a write transaction on SQLite starts with ``BEGIN IMMEDIATE`` (it takes the
write lock first, waiting up to the busy timeout), so it can never fail half-way on a
lock; taking the lock is retried with backoff. :meth:`ProjectDatabase.run` retries a
whole transaction on a lock or serialization error (both back ends).
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from coder.domain.errors import ProjectError
from coder.store import audit, backups, cipher, migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
ENV_URL = "CODER_DB_URL"
# Retrying a transaction that met a lock or serialization error: attempts and backoff.
RETRY_ATTEMPTS = 8
RETRY_FIRST_DELAY_S = 0.02
RETRY_MAX_DELAY_S = 1.0
# SQLSTATEs of PostgreSQL errors after which the whole transaction may simply run again.
_PG_RETRYABLE = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock n/a
IMMEDIATE = "coder_immediate"
T = TypeVar("T")


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


def _check_sqlite_file(path: Path, *, create: bool, key: str | None = None) -> str | None:
    """Refuse a file we must not open; return the key to open it with (None: plain).

    A file whose header is not SQLite's may be an encrypted project (its header is
    random): it is opened only with a key, else refused asking for one."""
    if create:
        if path.exists():
            raise ProjectError("already exists; choose a new file name", path=path)
        if not path.parent.is_dir():
            raise ProjectError("folder does not exist", path=path.parent)
        if key is not None:
            cipher.driver()
        return key
    if not path.exists():
        raise ProjectError("no such project file (create one with 'coder init')", path=path)
    if path.is_dir():
        raise ProjectError("is a directory, not a project file", path=path)
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        if not cipher.might_be_encrypted(path):
            raise ProjectError("is not a Rupture Coder project (not a SQLite database)", path=path)
        key = cipher.key_for(path, key)
    else:
        key = None
    # Checked by mode bits, not os.access: root can write anything, but a lab that
    # marks a project read-only (an archived, reported data set) means it.
    if not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ProjectError(
            "the project file is read-only; copy it or make it writable to open it", path=path
        )
    return key


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    """Per-connection settings; none of them writes to the file. (``journal_mode=WAL``
    is persistent and set once by :func:`enable_wal` after the file passed its checks.)"""
    # The driver's own transaction handling is off: SQLAlchemy's "begin" event below
    # emits BEGIN, or BEGIN IMMEDIATE for a write transaction.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(IMMEDIATE)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def enable_wal(engine: Engine) -> None:
    """Switch the file to WAL (persistent; a no-op when it already is)."""
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]


def make_engine(url: str, key: str | None = None) -> Engine:
    """The engine for ``url``; with ``key``, a SQLite file through SQLCipher, each
    connection keyed before anything else runs on it."""
    # hide_parameters: a database error's message never quotes the values of the failed
    # statement (transcript text, memos) into a traceback or the error log.
    options: dict[str, Any] = {"hide_parameters": True}
    if key is not None:
        options["module"] = cipher.driver()
    try:
        engine = create_engine(url, **options)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise ProjectError(f"cannot use database URL {describe_safe(url)}: {exc}") from None
    if key is not None:

        def _key(dbapi_conn: Any, _record: Any) -> None:
            cipher.apply_key(dbapi_conn, key)

        # insert=True: before SQLAlchemy's own first-connect queries.
        event.listen(engine, "connect", _key, insert=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def is_retryable(exc: BaseException) -> bool:
    """A lock or serialization error: the transaction did not commit and may run again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError) or (
        type(orig).__name__ == "OperationalError" and type(orig).__module__.startswith("sqlcipher3")
    ):
        text_ = str(orig).lower()
        return "locked" in text_ or "busy" in text_
    return getattr(orig, "sqlstate", None) in _PG_RETRYABLE


def backoff_delays() -> Iterator[float]:
    """Delays between attempts: exponential with full jitter, capped."""
    delay = RETRY_FIRST_DELAY_S
    for _ in range(RETRY_ATTEMPTS - 1):
        yield random.uniform(0, delay)
        delay = min(delay * 2, RETRY_MAX_DELAY_S)


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
    session_factory: sessionmaker[Session]  # ORM sessions (not therapy sessions)
    backup_path: Path | None = None
    # The passphrase of an encrypted SQLite project (for its backups); never shown.
    key: str | None = field(default=None, repr=False)

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def __post_init__(self) -> None:
        audit.install(self.session_factory)  # every change through it is recorded

    @classmethod
    def open(
        cls,
        url: str,
        *,
        create: bool = False,
        auto_backup: bool = True,
        key: str | None = None,
    ) -> ProjectDatabase:
        """Open (or with ``create`` make) a project: check, upgrade, then use.

        Nothing is written to an existing file before it has passed every check (ours,
        writable, not from a newer version, the right key for an encrypted one). An
        existing SQLite project then gets its daily rotating backup
        (:mod:`coder.store.backups`) unless ``auto_backup`` is off.

        ``key`` encrypts a new SQLite project (``create``) with SQLCipher, or opens an
        encrypted one; for an existing file it may also come from ``$CODER_KEY_FILE``.
        A plain project ignores it.
        """
        path = sqlite_path(url)
        key = _check_sqlite_file(path, create=create, key=key) if path is not None else None
        engine = make_engine(url, key)
        try:
            with engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
        except (OperationalError, DBAPIError) as exc:
            engine.dispose()
            if path is not None and create:
                path.unlink(missing_ok=True)
            if key is not None and cipher.is_wrong_key(exc):
                raise cipher.WrongKey(
                    "wrong key or not a Rupture Coder project; nothing was changed", path=path
                ) from None
            raise ProjectError(
                f"cannot open database: {exc.orig or exc}", path=describe_safe(url)
            ) from None
        if create and tables:
            engine.dispose()
            what = (
                "already holds a project"
                if "alembic_version" in tables
                else ("holds tables of another program")
            )
            raise ProjectError(f"{what}; use a new, empty database", path=describe_safe(url))
        if not create and "alembic_version" not in tables:
            engine.dispose()
            what = "an empty database" if not tables else "a database of another program"
            raise ProjectError(f"is {what}, not a Rupture Coder project", path=describe_safe(url))
        try:
            migrate.check_known(engine, path)
            if path is not None:
                enable_wal(engine)
                if not create and auto_backup:
                    backups.rotate(path, key)
            backup = migrate.upgrade(engine, path, key=key)
        except Exception:
            engine.dispose()
            if path is not None and create:
                _remove_sqlite(path)
            raise
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False), backup, key)

    @contextmanager
    def transaction(
        self, actor: audit.Acting | None = None, *, source: str = ""
    ) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any exception.

        ``actor`` (anything with ``rater_id`` and ``name``; ``None``: the project's
        owner) is who the audit trail records for every change made in it, and
        ``source`` the file a bulk load came from (:mod:`coder.store.audit`); the trail
        is written in this same transaction.

        On SQLite it begins with the write lock held (``BEGIN IMMEDIATE``), waiting up
        to the busy timeout and then retrying with backoff, so other writers never make
        it fail with "database is locked". The body is not re-run: for that (and for
        PostgreSQL's serialization errors) use :meth:`run`.
        """
        with self._begun() as session:
            session.info[audit.ACTOR] = actor
            if source:
                session.info[audit.SOURCE] = source
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            session.commit()

    @contextmanager
    def _begun(self) -> Iterator[Session]:
        delays = backoff_delays()
        while True:
            session = self.session_factory()
            try:
                session.connection(execution_options={IMMEDIATE: True})
            except DBAPIError as exc:
                session.close()
                delay = next(delays, None)
                if delay is None or not is_retryable(exc):
                    raise
                time.sleep(delay)
                continue
            break
        with session:
            yield session

    def run(self, work: Callable[[Session], T], actor: audit.Acting | None = None) -> T:
        """``work(session)`` in one transaction, run again as a whole (after a backoff)
        if it meets a lock or serialization error; any other error propagates at once.
        ``actor`` as for :meth:`transaction`."""
        delays = backoff_delays()
        while True:
            try:
                with self.transaction(actor) as session:
                    return work(session)
            except DBAPIError as exc:
                delay = next(delays, None)
                if delay is None or not is_retryable(exc):
                    raise
                time.sleep(delay)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.session_factory() as session:
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
