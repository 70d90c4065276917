"""Schema versions: bring an older project up to date, refuse a newer one.

Before any upgrade of a SQLite project a consistent copy is taken next to it with
SQLite's online backup API (safe with WAL, unlike copying the file), so a failed or
unwanted upgrade can always be undone by hand.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from coder.domain.errors import ProjectError
from coder.store import cipher
from coder.store.clock import utcnow

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"
_DECLARED = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako and every dialect's DDL module) costs ~0.5 s of CPU to import, and
# opening an up-to-date project needs none of it: the revisions are read from the
# migration files and the project's from its alembic_version table. Alembic is imported
# only to migrate (tests/store/test_migrate_lazy.py checks both readings agree).


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def _revisions() -> tuple[frozenset[str], str]:
    """Every revision this version knows, and the head (the one nothing revises)."""
    known: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        declared = dict((k, v) for k, v in _DECLARED.findall(path.read_text(encoding="utf-8")))
        if "revision" in declared:
            known.add(declared["revision"])
            if "down_revision" in declared:
                parents.add(declared["down_revision"])
    heads = known - parents
    assert len(heads) == 1, f"the migrations folder must have one head, not {sorted(heads)}"
    return frozenset(known), heads.pop()


def head_revision() -> str:
    return _revisions()[1]


def current_revision(engine: Engine) -> str | None:
    """The project's schema revision (None for an empty database); reads only."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if len(versions) > 1:
        raise ProjectError(f"the database has several schema revisions: {sorted(versions)}")
    return versions[0] if versions else None


def check_known(engine: Engine, sqlite_file: Path | None) -> None:
    """Refuse a schema revision this version does not know (made by a newer one).
    Only reads: called before anything is written to the database."""
    current = current_revision(engine)
    if current is not None and not is_known(current):
        raise ProjectError(
            f"was written by a newer version of Rupture Coder (schema {current}); "
            "update the program to open it. Nothing was changed.",
            path=str(sqlite_file) if sqlite_file else engine.url.render_as_string(True),
        )


def is_known(revision: str) -> bool:
    return revision in _revisions()[0]


def upgrade(
    engine: Engine, sqlite_file: Path | None, target: str = "head", *, key: str | None = None
) -> Path | None:
    """Upgrade to ``target``; return the backup path if one was made (encrypted with
    ``key`` when the project is).

    The whole upgrade is one transaction. On SQLite it holds the write lock from the
    start and runs with foreign keys off (SQLite's procedure for schema changes: a
    table rebuilt by a batch migration must not cascade into the tables pointing at
    it), then checks every foreign key before committing.
    """
    check_known(engine, sqlite_file)
    current = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    from alembic import command

    backup = None
    if current is not None and sqlite_file is not None:
        backup = backup_sqlite(sqlite_file, f"before-{wanted}", key)
    config = alembic_config()
    if engine.dialect.name != "sqlite":
        try:
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, target)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                raise _not_the_owner(engine, current, wanted) from None
            raise
        return backup
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            conn = conn.execution_options(coder_immediate=True)
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, target)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise ProjectError(
                        f"upgrading would break {len(broken)} references "
                        f"(first: {tuple(broken[0])}); nothing was changed",
                        path=str(sqlite_file) if sqlite_file else None,
                    )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    return backup


def backup_sqlite(path: Path, tag: str, key: str | None = None) -> Path:
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.{tag}.{stamp}.bak{path.suffix}")
    src = cipher.open_file(path, key)
    try:
        dst = cipher.open_file(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _not_the_owner(engine: Engine, current: str | None, wanted: str | None) -> ProjectError:
    """A server login without the right to change tables (a rater's, docs/lab-server.md)
    tried to create or upgrade the project; the transaction was rolled back."""
    login = engine.url.username or "this login"
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        return ProjectError(
            f"only the lead's login can create the project on the server: the login "
            f"'{login}' may not create tables. Nothing was changed.",
            path=where,
        )
    return ProjectError(
        f"the project is at schema {current} and this version of Rupture Coder needs "
        f"{wanted}: only the lead's login can upgrade the project on the server (the "
        f"login '{login}' may not change tables). Ask the lead to open it once with this "
        "version. Nothing was changed.",
        path=where,
    )
