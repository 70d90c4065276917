"""Migrations over time: a project saved at every schema revision opens in this version.

tests/store/fixtures/project-revNNNN.sqlite is a small project saved at revision NNNN
(written by fixtures/make_fixtures.py from the rows in revision_data.py). Each is opened
with ProjectDatabase.open (upgrade to head, with a backup) and must keep its data. On
PostgreSQL (CODER_TEST_PG_URL) the same rows are written into a database taken to each
revision and then upgraded. A migration without a fixture fails here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import revision_data
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.cli import cli
from coder.domain.coding import TextSpan, Unit
from coder.domain.roles import RaterRole
from coder.store import migrate
from coder.store.database import ProjectDatabase, sqlite_url
from coder.store.models import CodeApplicationRow, EpisodeRow

FIXTURES = Path(__file__).with_name("fixtures")
REVISIONS = revision_data.revisions()
ADMIN_URL = os.environ.get("CODER_TEST_PG_URL")
needs_pg = pytest.mark.skipif(
    not ADMIN_URL,
    reason="no PostgreSQL server: set CODER_TEST_PG_URL "
    "(.ci/run starts one with installer/pg-test-server.sh)",
)


def _make_fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- the fixtures themselves --------------------------------------------------------


def test_every_revision_has_a_fixture_and_rows() -> None:
    assert REVISIONS[0] == "0001" and REVISIONS[-1] == migrate.head_revision()
    missing = [r for r in REVISIONS if not (FIXTURES / f"project-rev{r}.sqlite").exists()]
    assert not missing, (
        f"no fixture for revision(s) {missing}: add their rows to tests/store/revision_data.py "
        "and run tests/store/fixtures/make_fixtures.py"
    )
    assert sorted(revision_data.ROWS) == REVISIONS


def _table_counts(path: Path) -> tuple[str, dict[str, int]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        version = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
    return version, counts


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixtures")
    _make_fixtures().make_fixtures(out)
    return out


@pytest.mark.sqlite_only  # the committed .sqlite fixture files, rewritten and compared
@pytest.mark.parametrize("rev", REVISIONS)
def test_committed_fixture_is_what_make_fixtures_writes(rev: str, regenerated: Path) -> None:
    name = f"project-rev{rev}.sqlite"
    committed = _table_counts(FIXTURES / name)
    assert committed[0] == rev
    assert committed == _table_counts(regenerated / name)
    assert (FIXTURES / name).stat().st_size < 150_000


# ---- what an upgraded project must hold ---------------------------------------------


def check_upgraded(db: ProjectDatabase, rev: str) -> None:
    """The data of a project saved at ``rev`` survived the upgrade to head."""
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    expected = revision_data.rows_up_to(rev)
    with db.engine.connect() as conn:
        for table, count in expected.items():
            got = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            assert got == count, f"{table}: {got} rows, expected {count} (fixture at {rev})"
        uids = conn.execute(text("SELECT uid FROM code_applications")).scalars().all()
    # From 0006 every code has its own stable uid, including codes older than 0006.
    assert len(set(uids)) == len(uids) == expected["code_applications"]
    assert all(isinstance(u, str) and len(u) == 32 for u in uids)

    with db.reading() as s:
        span = revision_data.SPAN_CODE
        w2 = s.scalars(
            select(CodeApplicationRow).where(
                CodeApplicationRow.code_id == span["code_id"],
                CodeApplicationRow.rater_id == 1,
            )
        ).one()
        assert (w2.evidence_turn, w2.evidence_start, w2.evidence_end) == (
            span["turn"],
            span["start"],
            span["end"],
        )
        assert w2.memo == span["memo"] and w2.unit == "segment" and w2.probability is None
        rating = s.scalars(
            select(CodeApplicationRow).where(
                CodeApplicationRow.code_id == revision_data.RATING["code_id"],
                CodeApplicationRow.rater_id == 1,
            )
        ).one()
        assert rating.value == revision_data.RATING["value"]
        episode = s.get(EpisodeRow, 1)
        assert episode is not None and episode.pathway_id == "withdrawal"
        stages = s.execute(
            select(CodeApplicationRow.code_id, CodeApplicationRow.evidence_turn)
            .where(
                CodeApplicationRow.episode_id == 1,
                CodeApplicationRow.code_id.like("WS%"),
            )
            .order_by(CodeApplicationRow.evidence_turn)
        ).all()
        assert [tuple(r) for r in stages] == revision_data.EPISODE_STAGES
        if rev >= "0005":
            memo = s.execute(text("SELECT memo FROM consensus_decisions")).scalar()
            assert memo == revision_data.CONSENSUS_MEMO
        if rev >= "0006":
            ben = s.scalars(
                select(CodeApplicationRow).where(CodeApplicationRow.uid == revision_data.BEN_UID)
            ).one()
            assert ben.value == 4
        if rev >= "0008":
            machine = s.scalars(
                select(CodeApplicationRow).where(
                    CodeApplicationRow.uid == revision_data.MACHINE_UID
                )
            ).one()
            assert machine.probability == pytest.approx(revision_data.MACHINE_PROBABILITY)
        if rev >= "0009":
            from coder.app.suggestions import dismissed_passages

            assert dismissed_passages(s, 1, 1) == {(5, 1, "W2", 2, 0)}

    # The coding service reads it: Ada's codes of session 1 with their evidence.
    ada = ActingRater(1, "Ada Lovelace", "AL", RaterRole.RATER)
    cs = CodingSession(db, ada, "P01", 1, "3rs-2015")
    assert [seg.index for seg in cs.segments] == [1, 2]
    assert cs.transcript.turns[1].text.startswith("Fine.")
    own = {c.code_id: c for c in cs.own_codes()}
    assert own["W2"].evidence == TextSpan(span["turn"], span["start"], span["end"])
    assert own["W_SIG"].value == revision_data.RATING["value"]
    assert own["G_W"].unit is Unit.SESSION


def check_cli_info(where: list[str], rev: str) -> None:
    """``coder info`` reads the upgraded project: counts, and Ada's own codes."""
    counts = revision_data.rows_up_to(rev)
    ada_codes = sum(
        1
        for r in revision_data.ROWS
        if r <= rev
        for table, rows in revision_data.ROWS[r]()
        if table == "code_applications"
        for row in rows
        if row["rater_id"] == 1
    ) + len(revision_data.EPISODE_STAGES)  # episode 1's stage events are Ada's codes
    result = CliRunner().invoke(cli, ["info", *where, "--as", "Ada Lovelace", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info == {
        "patients": counts["patients"],
        "sessions": counts["sessions"],
        "turns": counts["turns"],
        "raters": counts["raters"],
        "own_codes": ada_codes,
        "own_codes_of": "Ada Lovelace",
    }


# ---- SQLite: the committed fixtures -------------------------------------------------


# The committed .sqlite files themselves (and their backup before the upgrade); the same
# rows at each revision are upgraded on PostgreSQL below.
@pytest.mark.sqlite_only
@pytest.mark.parametrize("rev", REVISIONS)
def test_fixture_opens_and_upgrades_on_sqlite(rev: str, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / f"project-rev{rev}.sqlite", path)
    with ProjectDatabase.open(sqlite_url(path)) as db:
        if rev != migrate.head_revision():
            assert db.backup_path is not None
            assert _table_counts(db.backup_path)[0] == rev  # the untouched old project
        check_upgraded(db, rev)
    check_cli_info(["--project", str(path)], rev)


# ---- PostgreSQL: the same rows at each revision -------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    assert ADMIN_URL is not None
    name = f"coder_revs_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@needs_pg
@pytest.mark.parametrize("rev", REVISIONS)
def test_project_at_each_revision_upgrades_on_postgres(rev: str, pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        revision_data.build(engine, rev)
        assert migrate.current_revision(engine) == rev
    finally:
        engine.dispose()
    with ProjectDatabase.open(pg_url) as db:
        check_upgraded(db, rev)
    check_cli_info(["--db", pg_url], rev)
