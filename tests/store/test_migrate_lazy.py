"""Opening a project reads schema revisions without Alembic (issue 15: `coder info`
start-up); these readings must agree with Alembic's own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from backend import InitTarget
from sqlalchemy import create_engine, text

from coder.domain.errors import ProjectError
from coder.store import migrate


def test_known_revisions_and_head_match_alembic() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    assert migrate.head_revision() == script.get_current_head()
    assert all(migrate.is_known(rev) for rev in known)
    assert not migrate.is_known("9999") and not migrate.is_known("")


def test_current_revision_matches_alembic(new_target: Callable[..., InitTarget]) -> None:
    engine = create_engine(new_target("x").url)
    try:
        assert migrate.current_revision(engine) is None  # an empty database
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        assert migrate.current_revision(engine) is None
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version VALUES ('0003')"))
        with engine.connect() as conn:
            theirs = MigrationContext.configure(conn).get_current_revision()
        assert migrate.current_revision(engine) == theirs == "0003"
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version VALUES ('0004')"))
        with pytest.raises(ProjectError, match="several schema revisions"):
            migrate.current_revision(engine)
    finally:
        engine.dispose()
