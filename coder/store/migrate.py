"""Schema versions: bring an older project up to date, refuse a newer one.

Before any upgrade of a SQLite project a consistent copy is taken next to it with
SQLite's online backup API (safe with WAL, unlike copying the file), so a failed or
unwanted upgrade can always be undone by hand.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from coder.domain.errors import ProjectError
from coder.store.clock import utcnow

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, sqlite_file: Path | None, target: str = "head") -> Path | None:
    """Upgrade to ``target``; return the backup path if one was made."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise ProjectError(
            f"was written by a newer version of Rupture Coder (schema {current}); "
            "update the program to open it. Nothing was changed.",
            path=str(sqlite_file) if sqlite_file else engine.url.render_as_string(True),
        )
    wanted = script.get_current_head() if target == "head" else target
    if current == wanted:
        return None
    backup = None
    if current is not None and sqlite_file is not None:
        backup = backup_sqlite(sqlite_file, f"before-{wanted}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
    return backup


def backup_sqlite(path: Path, tag: str) -> Path:
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.{tag}.{stamp}.bak{path.suffix}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target
