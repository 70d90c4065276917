"""docs/lab-server.md, run for real: the SQL on that page sets up a lead login and a
rater login; the rater codes through the app layer with only the rights it grants, cannot
change tables, and is refused in words when the project needs upgrading.

Skips without ``CODER_TEST_PG_URL`` (see tests/store/test_postgres.py)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from coder.app import identity, importing, projects, raters
from coder.app.coding import CodingSession
from coder.app.importing import ImportOptions
from coder.domain.errors import ProjectError
from coder.store import migrate
from coder.store.database import ProjectDatabase

ADMIN_URL = os.environ.get("CODER_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not ADMIN_URL,
    reason="no PostgreSQL server: set CODER_TEST_PG_URL "
    "(.ci/run starts one with installer/pg-test-server.sh)",
)
DOC = Path(__file__).resolve().parents[2] / "docs" / "lab-server.md"
TRANSCRIPT = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:05:10] P: I don't want to talk about it.
[00:11:00] P: Honestly, these sessions are not helping me at all.
"""


def doc_sql(marker: str) -> str:
    """The ```sql block after ``<!-- sql: MARKER -->`` in docs/lab-server.md."""
    found = re.search(
        rf"<!-- sql: {re.escape(marker)} -->\s*```sql\n(.*?)```", DOC.read_text(), re.S
    )
    assert found, f"docs/lab-server.md has no SQL block marked {marker}"
    return found.group(1)


@dataclass
class Lab:
    names: dict[str, str]

    def url(self, login: str) -> str:
        assert ADMIN_URL is not None
        return (
            make_url(ADMIN_URL)
            .set(username=self.names[login], password=None, database=self.names["rupture_lab"])
            .render_as_string(hide_password=False)
        )

    def sql(self, marker: str) -> list[str]:
        block = doc_sql(marker)
        for placeholder, name in self.names.items():
            block = re.sub(rf"\b{placeholder}\b", name, block)
        return [s.strip() for s in block.split(";") if s.strip()]

    def run(self, marker: str, url: str) -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in self.sql(marker):
                    conn.execute(text(statement))
        finally:
            engine.dispose()


@pytest.fixture
def lab() -> Iterator[Lab]:
    """Steps 1 and 2 of the page: the database, the lead, the raters' group, the rights."""
    assert ADMIN_URL is not None
    tag = uuid.uuid4().hex[:8]
    names = {
        name: f"{name}_{tag}"
        for name in ("rupture_lab", "rupture_lead", "rupture_raters", "rater_ada")
    }
    lab = Lab(names)
    lab.run("superuser", ADMIN_URL)
    in_db = make_url(ADMIN_URL).set(database=names["rupture_lab"])
    lab.run("superuser-in-database", in_db.render_as_string(hide_password=False))
    lab.run("rater", ADMIN_URL)
    yield lab
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{names["rupture_lab"]}" WITH (FORCE)'))
        for role in ("rater_ada", "rupture_raters", "rupture_lead"):
            conn.execute(text(f'DROP ROLE IF EXISTS "{names[role]}"'))
    admin.dispose()


def make_project(lab: Lab, tmp_path: Path) -> None:
    """Step 3, as the lead: the project, a lead and a rater, one imported session."""
    db = projects.create_project(lab.url("rupture_lead"), is_url=True)
    try:
        identity.add_lead(db, "Lee", "LP", "correct horse battery")
        raters.add_rater(db, "Ada", "AL")
        source = tmp_path / "P01_S1.txt"
        source.write_text(TRANSCRIPT, encoding="utf-8")
        assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
    finally:
        db.close()
    lab.run("lead", lab.url("rupture_lead"))


def test_a_rater_login_codes_with_only_the_documented_rights(lab: Lab, tmp_path: Path) -> None:
    make_project(lab, tmp_path)
    with projects.open_project(db_url=lab.url("rater_ada")) as db:
        ada = identity.sign_in(db, "Ada")
        cs = CodingSession(db, ada, "P01", 1)
        code = cs.apply_code("W1", segment=1)
        cs.set_memo(code, "a memo")
        cs.apply_code("W2", segment=1)
        cs.remove([code.uid])
        assert [c.code_id for c in CodingSession(db, ada, "P01", 1).own_codes()] == ["W2"]
        assert projects.counts(db, own_only_for=ada).codes == 1
        # No DDL, and the schema version is read-only for raters.
        with db.engine.connect() as conn:
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text("CREATE TABLE stolen (x int)"))
            conn.rollback()
            with pytest.raises(ProgrammingError, match="must be owner"):
                conn.execute(text("DROP TABLE code_applications"))
            conn.rollback()
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text("UPDATE alembic_version SET version_num = 'x'"))
            conn.rollback()


def test_only_the_leads_login_upgrades_the_project(lab: Lab) -> None:
    lead_engine = create_engine(lab.url("rupture_lead"))
    migrate.upgrade(lead_engine, None, target="0005")  # a project of an older version
    lead_engine.dispose()
    with pytest.raises(ProjectError) as refused:
        ProjectDatabase.open(lab.url("rater_ada"))
    message = str(refused.value)
    assert "only the lead's login can upgrade the project on the server" in message
    assert lab.names["rater_ada"] in message and "nothing was changed" in message.lower()
    check = create_engine(lab.url("rupture_lead"))
    assert migrate.current_revision(check) == "0005"
    check.dispose()
    with ProjectDatabase.open(lab.url("rupture_lead")) as db:  # the lead upgrades
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    with ProjectDatabase.open(lab.url("rater_ada")) as db:  # tables added later: granted
        assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_a_rater_login_cannot_create_the_project(lab: Lab) -> None:
    with pytest.raises(ProjectError, match="only the lead's login can create the project"):
        projects.create_project(lab.url("rater_ada"), is_url=True)
