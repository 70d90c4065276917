"""Trusting the store: refused files stay untouched, edits are synced, backups rotate
and restore, concurrent raters lose nothing, SIGKILLs lose no acknowledged edit."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import InitTarget
from click.testing import CliRunner

from coder.app import projects
from coder.cli import cli
from coder.domain.errors import ProjectError
from coder.store import backups
from coder.store.database import ProjectDatabase, is_retryable, sqlite_url

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import store_harness as harness  # noqa: E402


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- a refused open writes nothing --------------------------------------------------
# The bytes of a SQLite file (no journal conversion); on a server, another program's
# database is refused by test_database.py::test_a_database_of_another_program_is_refused.
@pytest.mark.sqlite_only
def test_another_programs_database_is_refused_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE things (x)")
    con.execute("INSERT INTO things VALUES (1)")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(ProjectError, match="another program"):
        projects.open_project(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]


# A SQLite file's journal mode and bytes; on a server: test_database.py's
# test_newer_project_is_refused_and_untouched.
@pytest.mark.sqlite_only
def test_newer_project_in_rollback_mode_is_refused_byte_for_byte(project_path: Path) -> None:
    projects.create_project(project_path).close()
    con = sqlite3.connect(project_path)
    con.execute("PRAGMA journal_mode=DELETE")  # as a newer version might leave it
    con.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    con.commit()
    con.close()
    before = digest(project_path)
    with pytest.raises(ProjectError, match="newer version"):
        projects.open_project(project_path)
    assert digest(project_path) == before
    assert not (project_path.parent / "backups").exists()


# ---- durability ---------------------------------------------------------------------
@pytest.mark.sqlite_only  # SQLite's PRAGMA synchronous; a server's durability is its own
def test_every_commit_is_synced(db: ProjectDatabase) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_lock_errors_are_the_retryable_ones() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    locked = OperationalError("x", {}, sqlite3.OperationalError("database is locked"))
    assert is_retryable(locked)
    assert not is_retryable(IntegrityError("x", {}, sqlite3.IntegrityError("UNIQUE")))
    assert not is_retryable(ValueError("database is locked"))


# ---- backups ------------------------------------------------------------------------
# Automatic backups are copies of a project file (SQLite's backup API), made next to it;
# a server is backed up by its administrator (docs/lab-server.md).
@pytest.mark.sqlite_only
def test_opening_makes_one_backup_a_day_and_keeps_five(project_path: Path) -> None:
    projects.create_project(project_path).close()
    assert backups.auto_backups(project_path) == []  # a new project needs none
    projects.open_project(project_path).close()
    projects.open_project(project_path).close()
    (first,) = backups.auto_backups(project_path)
    assert first.parent == project_path.parent / "backups"
    assert backups.check_backup(first)
    for _ in range(6):  # pretend each newest one is two days old
        newest = backups.auto_backups(project_path)[-1]
        old = time.time() - 2 * 86400
        os.utime(newest, (old, old))
        projects.open_project(project_path).close()
        time.sleep(0.002)  # a real time difference: the next backup's stamp is in ms
    assert len(backups.auto_backups(project_path)) == backups.AUTO_KEEP


@pytest.mark.sqlite_only  # backup files next to a project file (see above)
def test_another_process_half_written_backup_is_not_a_backup(project_path: Path) -> None:
    """Four raters opening one project at once once crashed a worker: its rotation saw
    another process's ``.partial-journal`` as the newest backup, and the file vanished
    before it could be read."""
    projects.create_project(project_path).close()
    folder = backups.backup_dir(project_path)
    folder.mkdir()
    stray = folder / f"{project_path.stem}.auto.20260101T000000000.sqlite.999.partial-journal"
    stray.write_bytes(b"half")
    assert backups.auto_backups(project_path) == []
    made = backups.rotate(project_path)
    assert made is not None and backups.auto_backups(project_path) == [made]
    assert not list(folder.glob("*.partial")), "the copy in progress is renamed when done"


@pytest.mark.sqlite_only  # coder backup/restore copy project files (see above)
def test_backup_and_restore_commands(coded_db: ProjectDatabase, tmp_path: Path) -> None:
    from coder.app import raters

    path = Path(str(coded_db.url).removeprefix("sqlite:///"))
    coded_db.close()
    runner = CliRunner()
    out = tmp_path / "copy.sqlite"
    result = runner.invoke(cli, ["backup", "--project", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with projects.open_project(path) as db:
        raters.add_rater(db, "Cleo", "CL")
        # refused while the project is open elsewhere: that program's edits would be lost
        result = runner.invoke(cli, ["restore", "--project", str(path), str(out)])
        assert result.exit_code != 0
        assert "open in another window" in str(result.exception)
    result = runner.invoke(cli, ["restore", "--project", str(path), str(out)])
    assert result.exit_code == 0, result.output
    with projects.open_project(path) as db:
        assert [r.name for r in raters.list_raters(db)] == ["Ada", "Ben", "Lee"]
    kept = list((path.parent / "backups").glob("p.before-restore.*"))
    assert len(kept) == 1
    with projects.open_project(kept[0]) as db:
        assert "Cleo" in [r.name for r in raters.list_raters(db)]


@pytest.mark.sqlite_only  # coder restore replaces a project file with a backup file
def test_restore_refuses_what_is_not_a_project(project_path: Path, tmp_path: Path) -> None:
    projects.create_project(project_path).close()
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE things (x)")
    con.close()
    before = digest(project_path)
    with pytest.raises(ProjectError, match="not a Rupture Coder project"):
        projects.restore(project_path, other)
    (tmp_path / "text.sqlite").write_text("not a database at all")
    with pytest.raises(ProjectError, match="not a SQLite database"):
        projects.restore(project_path, tmp_path / "text.sqlite")
    assert digest(project_path) == before


# ---- concurrency and crashes (the harness in benchmarks/, with small numbers) -------
# Locking of one SQLite file by several processes; 20 raters on a server:
# test_postgres_lab.py::test_concurrent_raters_on_the_server_lose_nothing.
@pytest.mark.sqlite_only
def test_four_processes_on_one_sqlite_file_lose_nothing(tmp_path: Path) -> None:
    target = str(tmp_path / "p.sqlite")
    harness.make_project(target, 4, tmp_path, is_url=False)
    result = harness.run_concurrent(target, writers=4, ops=25)
    assert result.errors == []  # in particular, never "database is locked"
    assert result.lost == []


def test_sigkill_during_coding_loses_no_acknowledged_edit(
    new_target: Callable[..., InitTarget], tmp_path: Path
) -> None:
    """A rater's program killed mid-edit: a file stays whole, a server rolls the killed
    client's transaction back; either way every acknowledged edit is there."""
    target = new_target("p")
    harness.make_project(target.url, 1, tmp_path, is_url=True)
    result = harness.run_crashes(target.url, kills=10, seed=7)
    assert result.problems == []
    assert result.kills == 10 and result.acked > 0
    if target.path is not None:
        assert harness.integrity_ok(target.path)


def test_url_of_a_file_project_is_a_sqlite_url(project_path: Path) -> None:
    assert harness.db_url(str(project_path)) == sqlite_url(project_path)
