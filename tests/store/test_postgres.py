"""The same project on PostgreSQL (a lab server): migrations and the main flows.

Runs when ``CODER_TEST_PG_URL`` points at a server where we may create databases
(``.ci/run`` starts a throwaway one with installer/pg-test-server.sh); skips otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coder.app import (
    codes,
    consensus,
    disagreements,
    identity,
    importing,
    profiles,
    projects,
    reliability,
    rounds,
)
from coder.app.coding import CodingSession
from coder.app.importing import ImportOptions
from coder.domain.errors import ProjectError
from coder.store import migrate

ADMIN_URL = os.environ.get("CODER_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not ADMIN_URL,
    reason="no PostgreSQL server: set CODER_TEST_PG_URL "
    "(.ci/run starts one with installer/pg-test-server.sh)",
)
SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"


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


def test_every_migration_runs_on_postgres(pg_url: str) -> None:
    engine = create_engine(pg_url)
    migrate.upgrade(engine, None, target="0001")
    with engine.begin() as conn:  # a stage event under the old schema must survive 0002
        conn.execute(
            text(
                "INSERT INTO project (id, name, created_at, settings) VALUES (1, 'old', now(), '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO schemes (id, key, version, revision, content_hash, name, source_text, "
                "source_name, added_at) VALUES (1, 's', '1', 1, 'h', 'S', 'x', 'x', now())"
            )
        )
        conn.execute(text("INSERT INTO patients (id, code, attributes) VALUES (1, 'P01', '{}')"))
        conn.execute(text("INSERT INTO sessions (id, patient_id, number) VALUES (1, 1, 1)"))
        conn.execute(
            text(
                "INSERT INTO raters (id, name, initials, role, created_at) VALUES (1, 'A', 'A', 'rater', now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO episodes (id, session_id, rater_id, scheme_id, index, pathway_id, "
                "start_turn, memo, created_at, updated_at) VALUES (1, 1, 1, 1, 1, 'w', 1, '', now(), now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO stage_events (episode_id, stage_id, turn, seq, created_at) "
                "VALUES (1, 'WS1', 1, 1, now())"
            )
        )
    migrate.upgrade(engine, None)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code_id, unit FROM code_applications")).all() == [
            ("WS1", "episode")
        ]
    engine.dispose()


def test_project_flows_on_postgres(pg_url: str, tmp_path: Path) -> None:
    db = projects.create_project(
        pg_url, is_url=True, scheme_ids=("3rs-2015", "safran-muran-stages")
    )
    try:
        files = sorted(p for p in SAMPLES.glob("P0*_S*.*"))
        report = importing.import_files(db, files, ImportOptions(pattern="{patient}_S{session}"))
        assert not report.failed and report.sessions == 6
        assert codes.import_codes(db, SAMPLES / "codes.csv", create_raters=True).rows == 553
        out = tmp_path / "codes.csv"
        assert codes.export_codes(db, out) == 553
        identity.add_lead(db, "Lee", "LP", "lab passphrase")
        lead = identity.sign_in(db, "Lee", "lab passphrase")
        table = reliability.compute(db, lead, bootstrap=0)
        assert {r.item for r in table.rows} >= {"W1", "W_SIG", "G_RESOLVED"}
        assert (
            profiles.build_report(db, "P01", rater="Ada Lovelace", coder=lead).profile.balance_index
            == 1.0
        )
        found = disagreements.find_disagreements(db, lead)
        consensus.settle(db, lead, next(d for d in found if d.item == "W_SIG"), 3)
        rounds.create_round(db, lead)
        ada = identity.sign_in(db, "Ada Lovelace")
        cs = CodingSession(db, ada, "P01", 1)
        assert {c.rater for c in cs.codes()} == {"Ada Lovelace"}  # blinded on the server too
        code = cs.apply_code("W1", segment=2)
        (snapshot,) = cs.remove([code.uid])
        cs.restore([snapshot])
    finally:
        db.close()
    again = projects.open_project(db_url=pg_url)
    try:
        assert projects.counts(again).patients == 2
    finally:
        again.close()


def test_empty_server_database_is_not_a_project(pg_url: str) -> None:
    with pytest.raises(ProjectError, match="empty database"):
        projects.open_project(db_url=pg_url)
