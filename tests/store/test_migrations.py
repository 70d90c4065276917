"""Migrations: the revisions and the ORM models agree, and data survives upgrades."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from backend import InitTarget
from sqlalchemy import create_engine, inspect, text

from coder.store import migrate
from coder.store.database import ProjectDatabase, sqlite_url
from coder.store.models import Base


def test_models_and_migrations_describe_the_same_schema(
    new_target: Callable[..., InitTarget],
) -> None:
    engine = create_engine(new_target("m").url)
    migrate.upgrade(engine, None)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_0001_to_head_keeps_stage_events_as_episode_codes(
    new_target: Callable[..., InitTarget],
) -> None:
    target = new_target("old")
    engine = create_engine(target.url)
    migrate.upgrade(engine, None, target="0001")
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO project (id, name, created_at, settings) VALUES (1, 'old', '2026-01-01', '{}')",
            "INSERT INTO schemes (id, key, version, revision, content_hash, name, source_text, source_name, added_at)"
            " VALUES (1, 'safran-muran-stages', '1', 1, 'h', 'S', 'x', 'x', '2026-01-01')",
            "INSERT INTO patients (id, code, attributes) VALUES (1, 'P01', '{}')",
            "INSERT INTO sessions (id, patient_id, number) VALUES (1, 1, 3)",
            "INSERT INTO transcripts (id, session_id, source_name, source_format, content_hash, imported_at, warnings)"
            " VALUES (1, 1, 'x.txt', 'txt', 'h', '2026-01-01', '{}')",
            "INSERT INTO speakers (id, transcript_id, label, role, role_confirmed) VALUES (1, 1, 'P', 'patient', TRUE)",
            "INSERT INTO turns (transcript_id, \"index\", speaker_id, text) VALUES (1, 4, 1, 'I am fine.'),"
            " (1, 9, 1, 'Well, maybe I did mind.')",
            "INSERT INTO raters (id, name, initials, role, created_at) VALUES (1, 'Ada', 'AL', 'rater', '2026-01-01')",
            'INSERT INTO episodes (id, session_id, rater_id, scheme_id, "index", pathway_id, start_turn, memo,'
            " created_at, updated_at) VALUES (1, 1, 1, 1, 1, 'withdrawal', 4, '', '2026-01-01', '2026-01-01')",
            "INSERT INTO stage_events (episode_id, stage_id, turn, seq, created_at)"
            " VALUES (1, 'WS1', 4, 1, '2026-01-02'), (1, 'WS3', 9, 2, '2026-01-03')",
        ):
            conn.execute(text(sql))
    engine.dispose()

    db = ProjectDatabase.open(target.url)
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT code_id, unit, unit_index, episode_id, value, evidence_turn, evidence_start, evidence_end"
                    " FROM code_applications ORDER BY evidence_turn"
                )
            ).all()
            tables = set(inspect(conn).get_table_names())
            uids = conn.execute(text("SELECT uid FROM code_applications")).scalars().all()
    finally:
        db.close()
    # Revision 0006 gives every existing code a stable identity of its own.
    assert len(set(uids)) == 2 and all(len(u) == 32 for u in uids)
    # Each event becomes a code whose evidence spans the whole turn it was coded at.
    assert rows == [("WS1", "episode", 1, 1, 1, 4, 0, 10), ("WS3", "episode", 1, 1, 1, 9, 0, 23)]
    assert "stage_events" not in tables
    if target.path is None:
        return  # a server is backed up by its administrator before an upgrade
    # The backup of a file is the untouched old project.
    assert db.backup_path is not None and db.backup_path.exists()
    old = create_engine(sqlite_url(db.backup_path))
    with old.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        assert conn.execute(text("SELECT count(*) FROM stage_events")).scalar() == 2
    old.dispose()
