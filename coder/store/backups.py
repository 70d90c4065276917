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
from coder.store import migrate
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
    """The automatic backups of ``project``, oldest first (the stamp sorts by time)."""
    folder = backup_dir(project)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{project.stem}.auto.*"))


def copy_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of ``source`` at ``target`` (written beside it, then moved)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
    return target


def rotate(project: Path) -> Path | None:
    """The automatic backup on open: at most one per day, the newest few kept.

    Returns the new copy, or None when today's exists or the copy failed (logged)."""
    existing = auto_backups(project)
    if existing and utcnow().timestamp() - existing[-1].stat().st_mtime < (
        AUTO_INTERVAL.total_seconds()
    ):
        return None
    try:
        backup_dir(project).mkdir(exist_ok=True)
        made = copy_sqlite(project, _named(project, "auto"))
    except (OSError, sqlite3.Error) as exc:
        log.warning("automatic backup of %s failed: %s", project, exc)
        return None
    for old in auto_backups(project)[:-AUTO_KEEP]:
        old.unlink(missing_ok=True)
    return made


def backup_project(project: Path, out: Path | None = None) -> Path:
    """``coder backup``: a consistent copy at ``out`` or in ``backups/``."""
    check_backup(project, integrity=False, what="project")
    target = out if out is not None else _named(project, "manual")
    if target.exists():
        raise ProjectError("already exists; choose a new file name", path=target)
    target.parent.mkdir(exist_ok=True)
    try:
        copy_sqlite(project, target)
    except sqlite3.Error as exc:
        raise ProjectError(f"cannot back up the project: {exc}", path=project) from None
    check_backup(target)
    return target


def check_backup(path: Path, *, integrity: bool = True, what: str = "backup") -> str:
    """The schema revision of a backup that this version can open; refuse anything else
    (not SQLite, damaged, another program's database, from a newer version). Only
    reads, so a refused file is left exactly as it was."""
    if not path.is_file():
        raise ProjectError(f"no such {what} file", path=path)
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise ProjectError(f"is not a project {what} (not a SQLite database)", path=path)
    try:
        with _readonly(path) as con:
            if integrity and con.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise ProjectError("is damaged (integrity check failed)", path=path)
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables or "project" not in tables:
                raise ProjectError("is not a Rupture Coder project", path=path)
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise ProjectError(f"cannot be read as a project: {exc}", path=path) from None
    if row is None or not migrate.is_known(row[0]):
        raise ProjectError(
            f"was written by a newer version of Rupture Coder (schema {row[0] if row else '?'})"
            "; update the program to restore it",
            path=path,
        )
    return str(row[0])


@contextlib.contextmanager
def _readonly(path: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield con
    finally:
        con.close()


def restore_project(project: Path, backup: Path) -> Path:
    """Replace the project's contents with ``backup``; returns the copy kept of what
    was replaced.

    Refused unless the backup is a project this version can open, and while any other
    program has the project open (its edits would be lost without a word): the restore
    holds the file's exclusive lock from that check until the copy is complete, and the
    copy itself is one SQLite transaction, so a crash leaves the old or the new
    contents, never a mixture.
    """
    check_backup(backup)
    check_backup(project, integrity=False, what="project")
    if not os.access(project, os.W_OK) or not os.access(project.parent, os.W_OK):
        raise ProjectError("the project file or its folder is read-only", path=project)
    try:
        dst = sqlite3.connect(project, timeout=0, isolation_level=None)
    except sqlite3.Error as exc:
        raise ProjectError(f"cannot open the project: {exc}", path=project) from None
    try:
        try:
            dst.execute("PRAGMA locking_mode=EXCLUSIVE")
            dst.execute("BEGIN EXCLUSIVE")
            dst.execute("COMMIT")  # the exclusive lock stays until the connection closes
        except sqlite3.OperationalError:
            raise ProjectError(
                "is open in another window or program; close it everywhere, then restore",
                path=project,
            ) from None
        backup_dir(project).mkdir(exist_ok=True)
        kept = _named(project, "before-restore")
        keep = sqlite3.connect(kept)
        try:
            dst.backup(keep)
            keep.execute("PRAGMA journal_mode=DELETE")
        finally:
            keep.close()
        with _readonly(backup) as src:
            src.backup(dst)
    finally:
        dst.close()
    return kept
