"""The project file: round trips, pragmas, migrations, and refusing what is not ours."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import InitTarget
from sqlalchemy import create_engine, inspect, select, text

from coder.app.projects import create_project, open_project
from coder.domain.errors import ProjectError
from coder.store import migrate
from coder.store.database import ProjectDatabase, resolve_url, sqlite_path, sqlite_url
from coder.store.models import PatientRow, RaterRow, SessionRow

FIXTURES = Path(__file__).with_name("fixtures")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read without the program (either back end)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"')))
                for table in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


def test_round_trip_write_close_reopen(db: ProjectDatabase) -> None:
    with db.transaction() as s:
        patient = PatientRow(code="P01", attributes={"arm": "CBT"})
        s.add(patient)
        s.flush()
        s.add(SessionRow(patient_id=patient.id, number=0, label="intake"))
    db.close()
    with open_project(db_url=db.url) as again, again.reading() as s:
        row = s.scalar(select(SessionRow))
        assert row is not None
        assert (row.patient.code, row.number, row.label) == ("P01", 0, "intake")
        assert row.patient.attributes == {"arm": "CBT"}


@pytest.mark.sqlite_only  # SQLite's connection settings (PRAGMA); a server has its own
def test_sqlite_pragmas(db: ProjectDatabase) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_failed_transaction_leaves_nothing(db: ProjectDatabase) -> None:
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.add(RaterRow(name="Ada", initials="AL"))
        s.flush()
        raise RuntimeError("crash in the middle")
    with db.reading() as s:
        assert s.scalar(select(RaterRow)) is None


def test_foreign_keys_are_enforced(db: ProjectDatabase) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"), db.transaction() as s:
        s.add(SessionRow(patient_id=999, number=1))


def test_new_project_is_at_head_revision(db: ProjectDatabase) -> None:
    assert migrate.current_revision(db.engine) == migrate.head_revision()


# The release-0.1 file itself; the same rows at revision 0001 are upgraded on PostgreSQL
# by test_migrations_over_time.py::test_project_at_each_revision_upgrades_on_postgres.
@pytest.mark.sqlite_only
def test_project_from_first_revision_opens_and_upgrades(tmp_path: Path) -> None:
    """A project file written by release 0.1 (revision 0001) must keep opening."""
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "project-rev0001.sqlite", path)
    with open_project(path) as db:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        with db.reading() as s:
            assert "Ada Lovelace" in [r.name for r in s.scalars(select(RaterRow))]
            assert "P01" in s.scalars(select(PatientRow.code)).all()
        if migrate.head_revision() != "0001":
            assert db.backup_path is not None and db.backup_path.exists()


@pytest.mark.sqlite_only  # SQLite's backup API and WAL file; a server is backed up by its admin
def test_backup_is_a_consistent_copy_even_with_wal(tmp_path: Path) -> None:
    """Backups taken before upgrades use SQLite's backup API, so rows still sitting in
    the WAL file are included (a plain file copy would miss them)."""
    path = tmp_path / "p.sqlite"
    db = create_project(path)
    with db.transaction() as s:
        s.add(RaterRow(name="Ada", initials="AL"))
    backup = migrate.backup_sqlite(path, "manual")
    db.close()
    assert backup.name.startswith("p.manual.") and backup.suffix == ".sqlite"
    con = sqlite3.connect(backup)
    try:
        assert con.execute("SELECT name FROM raters").fetchall() == [("Ada",)]
    finally:
        con.close()


def test_newer_project_is_refused_and_untouched(db: ProjectDatabase, tmp_path: Path) -> None:
    """A project a newer version upgraded (a lab server the lead migrated first) is
    refused by this one before anything is written: not a row, not a table, no backup."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    db.close()
    path = sqlite_path(db.url)
    before = (digest(path) if path else None, contents(db.url))
    with pytest.raises(ProjectError, match=r"newer version of Rupture Coder.*Nothing was changed"):
        open_project(db_url=db.url)
    assert (digest(path) if path else None, contents(db.url)) == before
    assert not list(tmp_path.glob("*.bak*")) and not (tmp_path / "backups").exists()


@pytest.mark.sqlite_only  # a text file where a project file should be; a server has no file
def test_not_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("just some text, long enough to have a header")
    with pytest.raises(ProjectError, match=r"notes\.sqlite: is not a Rupture Coder project"):
        open_project(path)
    assert path.read_text().startswith("just some text")


def test_a_database_of_another_program_is_refused(new_target: Callable[..., InitTarget]) -> None:
    """Tables but no revision: neither opened nor made a project, and left as it was."""
    target = new_target("other")
    engine = create_engine(target.url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE things (x integer)"))
        conn.execute(text("INSERT INTO things VALUES (1)"))
    engine.dispose()
    with pytest.raises(ProjectError, match="another program"):
        open_project(db_url=target.url)
    # a file is refused by its existence alone; a server database by its tables
    refusal = "already exists" if target.path else "holds tables of another program"
    with pytest.raises(ProjectError, match=refusal):
        create_project(target.url, is_url=True)
    assert contents(target.url) == {"things": [(1,)]}


@pytest.mark.sqlite_only  # file paths and file permissions; a server's are its login's rights
def test_missing_directory_and_readonly(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project file"):
        open_project(tmp_path / "missing.sqlite")
    with pytest.raises(ProjectError, match="is a directory"):
        open_project(tmp_path)
    path = tmp_path / "ro.sqlite"
    create_project(path).close()
    path.chmod(0o444)
    before = digest(path)
    with pytest.raises(ProjectError, match="read-only"):
        open_project(path)
    assert digest(path) == before


# Files and folders; on a server, a database already holding a project is refused by
# test_postgres_lab.py::test_init_db_creates_a_project_on_the_server.
@pytest.mark.sqlite_only
def test_init_refuses_existing_file_and_missing_folder(tmp_path: Path) -> None:
    existing = tmp_path / "x.sqlite"
    existing.write_text("keep me")
    with pytest.raises(ProjectError, match="already exists"):
        create_project(existing)
    assert existing.read_text() == "keep me"
    with pytest.raises(ProjectError, match="folder does not exist"):
        create_project(tmp_path / "no" / "such" / "p.sqlite")


def test_url_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert resolve_url(None, "postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url(tmp_path / "a.sqlite") == sqlite_url(tmp_path / "a.sqlite")
    monkeypatch.setenv("CODER_DB_URL", "sqlite:///x.sqlite")
    assert resolve_url() == "sqlite:///x.sqlite"
    monkeypatch.delenv("CODER_DB_URL")
    with pytest.raises(ProjectError, match="no project given"):
        resolve_url()


def test_every_model_table_exists_after_migration(db: ProjectDatabase) -> None:
    """The migrations and the ORM metadata describe the same tables (one schema source)."""
    from coder.store.models import Base

    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    assert set(Base.metadata.tables) <= names
