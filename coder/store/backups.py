"""Backups of SQLite projects: automatic, rotating, and by hand; restoring one.

Every copy is taken with SQLite's online backup API, so it is consistent even while
the project is open elsewhere and rows still sit in the WAL file (a plain file copy is
not). Copies live in a ``backups/`` folder beside the project file:

* ``backups/NAME.auto.STAMP.sqlite`` — made when the project is opened, at most once per
  :data:`AUTO_INTERVAL` (a day), the newest :data:`AUTO_KEEP` (5) kept. Copying is
  proportional to the project's size, so the daily limit keeps opening a large project
  cheap: only the first open of the day pays for it.
* ``backups/NAME.manual.STAMP.sqlite`` — ``coder backup`` without ``--out``; never deleted.
* ``backups/NAME.before-restore.STAMP.sqlite`` — the file a restore replaced; never deleted.

A failed automatic backup (read-only folder, disk full) never stops a project from
opening; it is logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from coder.domain.errors import ProjectError
from coder.store import cipher, migrate
from coder.store.clock import utcnow

BACKUP_DIR = "backups"
AUTO_KEEP = 5
AUTO_INTERVAL = timedelta(days=1)
STAMP = "%Y%m%dT%H%M%S"
log = logging.getLogger(__name__)


def backup_dir(project: Path) -> Path:
    return project.parent / BACKUP_DIR


def _stamp() -> str:
    now = utcnow()
    return now.strftime(STAMP) + f"{now.microsecond // 1000:03d}"


def _named(project: Path, kind: str) -> Path:
    return backup_dir(project) / f"{project.stem}.{kind}.{_stamp()}{project.suffix or '.sqlite'}"


def auto_backups(project: Path) -> list[Path]:
    """The finished automatic backups of ``project``, oldest first (the stamp sorts by
    time). A copy still being written by another process (``*.partial`` and its
    journal) is not a backup yet, so the pattern ends with the project's suffix."""
    folder = backup_dir(project)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{project.stem}.auto.*{project.suffix or '.sqlite'}"))


def copy_sqlite(source: Path, target: Path, key: str | None = None) -> Path:
    """A consistent copy of ``source`` at ``target`` (written beside it, then moved).
    An encrypted project (``key``) gives a copy encrypted with the same key.

    The half-written copy is named after this process, so two programs opening the
    project in the same millisecond never write (or delete) each other's copy."""
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    src = cipher.open_file(source, key, readonly=True)
    try:
        dst = cipher.open_file(partial, key)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
    return target


def rotate(project: Path, key: str | None = None) -> Path | None:
    """The automatic backup on open: at most one per day, the newest few kept.

    Returns the new copy, or None when today's exists or the copy failed (logged)."""
    failures: tuple[type[BaseException], ...] = (OSError, *cipher.db_errors())
    try:
        existing = auto_backups(project)
        if existing and utcnow().timestamp() - existing[-1].stat().st_mtime < (
            AUTO_INTERVAL.total_seconds()
        ):
            return None
        backup_dir(project).mkdir(exist_ok=True)
        made = copy_sqlite(project, _named(project, "auto"), key)
    except failures as exc:
        log.warning("automatic backup of %s failed: %s", project, exc)
        return None
    for old in auto_backups(project)[:-AUTO_KEEP]:
        old.unlink(missing_ok=True)
    return made


def backup_project(project: Path, out: Path | None = None, key: str | None = None) -> Path:
    """``coder backup``: a consistent copy at ``out`` or in ``backups/`` (encrypted
    with the project's key when the project is encrypted)."""
    check_backup(project, integrity=False, what="project", key=key)
    key = cipher.key_for(project, key)
    target = out if out is not None else _named(project, "manual")
    if target.exists():
        raise ProjectError("already exists; choose a new file name", path=target)
    target.parent.mkdir(exist_ok=True)
    try:
        copy_sqlite(project, target, key)
    except cipher.db_errors() as exc:
        raise ProjectError(f"cannot back up the project: {exc}", path=project) from None
    check_backup(target, key=key)
    return target


def check_backup(
    path: Path, *, integrity: bool = True, what: str = "backup", key: str | None = None
) -> str:
    """The schema revision of a backup that this version can open; refuse anything else
    (not SQLite, damaged, another program's database, from a newer version, encrypted
    without its key). Only reads, so a refused file is left exactly as it was."""
    if not path.is_file():
        raise ProjectError(f"no such {what} file", path=path)
    if not cipher.is_plain_sqlite(path) and not cipher.might_be_encrypted(path):
        raise ProjectError(f"is not a project {what} (not a SQLite database)", path=path)
    key = cipher.key_for(path, key)
    try:
        with _readonly(path, key) as con:
            if integrity and con.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise ProjectError("is damaged (integrity check failed)", path=path)
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables or "project" not in tables:
                raise ProjectError("is not a Rupture Coder project", path=path)
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except cipher.db_errors() as exc:
        if key is not None and cipher.is_wrong_key(exc):
            raise cipher.WrongKey("wrong key or not a Rupture Coder project", path=path) from None
        raise ProjectError(f"cannot be read as a project: {exc}", path=path) from None
    if row is None or not migrate.is_known(row[0]):
        raise ProjectError(
            f"was written by a newer version of Rupture Coder (schema {row[0] if row else '?'})"
            "; update the program to restore it",
            path=path,
        )
    return str(row[0])


@contextlib.contextmanager
def _readonly(path: Path, key: str | None = None) -> Iterator[sqlite3.Connection]:
    con = cipher.open_file(path, key, readonly=True)
    try:
        yield con
    finally:
        con.close()


def restore_project(project: Path, backup: Path, key: str | None = None) -> Path:
    """Replace the project's contents with ``backup``; returns the copy kept of what
    was replaced.

    Refused unless the backup is a project this version can open, and while any other
    program has the project open (its edits would be lost without a word): the restore
    holds the file's exclusive lock from that check until the copy is complete, and the
    copy itself is one SQLite transaction, so a crash leaves the old or the new
    contents, never a mixture.
    """
    check_backup(backup, key=key)
    check_backup(project, integrity=False, what="project", key=key)
    backup_key, key = cipher.key_for(backup, key), cipher.key_for(project, key)
    if (backup_key is None) != (key is None):
        raise ProjectError(
            "the backup is encrypted and the project is not"
            if key is None
            else "the project is encrypted and the backup is not",
            path=backup,
        )
    if not os.access(project, os.W_OK) or not os.access(project.parent, os.W_OK):
        raise ProjectError("the project file or its folder is read-only", path=project)
    try:
        dst = cipher.open_file(project, key, timeout=0, isolation_level=None)
    except cipher.db_errors() as exc:
        raise ProjectError(f"cannot open the project: {exc}", path=project) from None
    try:
        try:
            dst.execute("PRAGMA locking_mode=EXCLUSIVE")
            dst.execute("BEGIN EXCLUSIVE")
            dst.execute("COMMIT")  # the exclusive lock stays until the connection closes
        except cipher.db_errors():
            raise ProjectError(
                "is open in another window or program; close it everywhere, then restore",
                path=project,
            ) from None
        backup_dir(project).mkdir(exist_ok=True)
        kept = _named(project, "before-restore")
        keep = cipher.open_file(kept, key)
        try:
            dst.backup(keep)
            keep.execute("PRAGMA journal_mode=DELETE")
        finally:
            keep.close()
        with _readonly(backup, backup_key) as src:
            src.backup(dst)
    finally:
        dst.close()
    return kept
