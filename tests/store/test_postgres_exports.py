"""csv-long and package merges on PostgreSQL (issue 12): the server takes the Python way
(rows through ``csv.writer``, a Core insert), SQLite the fast one (lines built by SQLite,
the driver's ``executemany``); the same project must give the same bytes and rows.

Runs when ``CODER_TEST_PG_URL`` points at a server where we may create databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from coder.app import codes, export, importing, packages, projects
from coder.app.export import ExportOptions
from coder.app.importing import ImportOptions
from coder.store.database import ProjectDatabase

ADMIN_URL = os.environ.get("CODER_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not ADMIN_URL,
    reason="no PostgreSQL server: set CODER_TEST_PG_URL "
    "(.ci/run starts one with installer/pg-test-server.sh)",
)
SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"
MEMO = 'said "fine", then\nwent quiet, é'


@pytest.fixture
def pg_url() -> Iterator[str]:
    assert ADMIN_URL is not None
    name = f"coder_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seeded(db: ProjectDatabase) -> ProjectDatabase:
    """The sample sessions and codes, one memo needing quotes, fixed timestamps."""
    files = sorted(p for p in SAMPLES.glob("P0*_S*.*"))
    assert not importing.import_files(
        db, files, ImportOptions(pattern="{patient}_S{session}")
    ).failed
    codes.import_codes(db, SAMPLES / "codes.csv", create_raters=True)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE code_applications SET memo = :m WHERE id % 17 = 3"), {"m": MEMO})
        for column, day in (("created_at", 1), ("updated_at", 2)):
            conn.execute(
                text(f"UPDATE code_applications SET {column} = :t"),
                {"t": f"2026-01-0{day} 10:00:00.250000"},
            )
    return db


# Compares a project file's export with a server's: it needs the file, so it runs in the
# SQLite pass (which has CODER_TEST_PG_URL in `make test`), not again in the server's.
@pytest.mark.sqlite_only
def test_csv_long_is_the_same_on_postgres_and_sqlite(pg_url: str, tmp_path: Path) -> None:
    schemes = ("3rs-2015", "safran-muran-stages")
    outputs = []
    for name, db in (
        ("pg", projects.create_project(pg_url, is_url=True, scheme_ids=schemes)),
        ("sqlite", projects.create_project(tmp_path / "p.sqlite", scheme_ids=schemes)),
    ):
        try:
            out = tmp_path / f"{name}.csv"
            export.export(seeded(db), out, ExportOptions())
            outputs.append(out.read_bytes())
        finally:
            db.close()
    assert outputs[0].count(b"\n") > 500 and MEMO.encode() in outputs[0].replace(b'""', b'"')
    assert outputs[0] == outputs[1]


def test_a_package_merges_into_a_project_on_postgres(pg_url: str, tmp_path: Path) -> None:
    schemes = ("3rs-2015", "safran-muran-stages")
    db = seeded(projects.create_project(pg_url, is_url=True, scheme_ids=schemes))
    try:
        package = tmp_path / "ada.rcpkg"
        made = packages.export_package(db, "Ada Lovelace", package)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM code_applications WHERE rater_id = "
                    "(SELECT id FROM raters WHERE name = 'Ada Lovelace')"
                )
            )
        before = export_bytes(db, tmp_path / "before.csv")
        result = packages.merge_packages(db, [package])
        assert result.added == made.codes > 100
        assert packages.merge_packages(db, [package]).unchanged == made.codes
        with db.engine.connect() as conn:
            (summaries,) = conn.execute(
                text(
                    'SELECT COUNT(*) FROM audit_log WHERE "table" = '
                    "'"
                    "code_applications"
                    "'"
                    " "
                    "AND row_key = 'bulk' AND after::text LIKE '%ada.rcpkg%'"
                )
            ).one()
        assert summaries >= 1
        assert export_bytes(db, tmp_path / "after.csv") != before
    finally:
        db.close()


def export_bytes(db: ProjectDatabase, out: Path) -> bytes:
    export.export(db, out, ExportOptions())
    return out.read_bytes()
