"""A lab server: creating a project on PostgreSQL from the CLI, concurrent raters.

Skips without ``CODER_TEST_PG_URL`` (see tests/store/test_postgres.py)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coder.app import projects, schemes
from coder.cli import cli
from coder.store import migrate

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import store_harness as harness  # noqa: E402

ADMIN_URL = os.environ.get("CODER_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not ADMIN_URL,
    reason="no PostgreSQL server: set CODER_TEST_PG_URL "
    "(.ci/run starts one with installer/pg-test-server.sh)",
)


@pytest.fixture
def empty_db() -> Iterator[str]:
    assert ADMIN_URL is not None
    name = f"coder_lab_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_init_db_creates_a_project_on_the_server(empty_db: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "--db", empty_db, "--scheme", "3rs-2022"])
    assert result.exit_code == 0, result.output
    assert "Created project postgresql" in result.output and "3rs-2022" in result.output
    with projects.open_project(db_url=empty_db) as db:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        assert [s.key for s in schemes.project_schemes(db)] == ["3rs-2022"]
    again = runner.invoke(cli, ["init", "--db", empty_db])
    assert again.exit_code != 0
    assert "already holds a project" in str(again.exception)


def test_init_reads_coder_db_url(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODER_DB_URL", empty_db)
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    with projects.open_project() as db:
        assert projects.project_name(db) == "Rupture Coder project"


def test_concurrent_raters_on_the_server_lose_nothing(empty_db: str, tmp_path: Path) -> None:
    """20 clients, as issue 11 asks of the server (few operations each: the benchmark
    runs 20 × 50)."""
    harness.make_project(empty_db, 20, tmp_path, is_url=True)
    result = harness.run_concurrent(empty_db, writers=20, ops=5)
    assert result.errors == []
    assert result.lost == []
