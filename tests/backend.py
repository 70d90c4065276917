"""Which database back end the suite's projects live on: SQLite files, or PostgreSQL.

``CODER_TEST_BACKEND=postgres`` (with ``CODER_TEST_PG_URL``, the admin URL that
installer/pg-test-server.sh prints) puts every project a test makes through the
``new_project`` fixture (and so ``db``, ``coded_db``, ``screen_db``, the UI ``project``)
in a fresh PostgreSQL database, dropped after the test. ``make test`` runs the suite
once per back end, so a query that only works on SQLite fails in CI.

Why a template per (name, schemes): migrating a new database and storing the built-in
schemes takes ~0.5 s on PostgreSQL; ``CREATE DATABASE … TEMPLATE`` copies a finished
project in a few tens of milliseconds (docs/lab-server.md, "The suite on PostgreSQL").
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from coder.app import demo, projects
from coder.store.database import ProjectDatabase

ENV_BACKEND = "CODER_TEST_BACKEND"
ENV_PG_URL = "CODER_TEST_PG_URL"
BACKEND = os.environ.get(ENV_BACKEND, "sqlite").strip().lower() or "sqlite"
if BACKEND not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"{ENV_BACKEND}={BACKEND!r}: use 'sqlite' or 'postgres'")
ON_POSTGRES = BACKEND == "postgres"
if ON_POSTGRES and not os.environ.get(ENV_PG_URL):
    raise pytest.UsageError(
        f'{ENV_BACKEND}=postgres needs {ENV_PG_URL} (eval "$(bash installer/pg-test-server.sh start)")'
    )
# The marker of a test that is about SQLite files themselves (backups, locking, WAL,
# encryption, file permissions): skipped on PostgreSQL with this reason.
SQLITE_ONLY_REASON = "tests a SQLite project file (no file on PostgreSQL)"

# Fills a new project (the demo's sessions, a corpus's template), once per template on
# PostgreSQL: the fixture's ``new_project(..., seed=F)``; a module-level function, so the
# template is found again by identity.
Seed = Callable[[ProjectDatabase], None]
Key = tuple[str | None, tuple[str, ...], Seed | None]
NewProject = Callable[..., ProjectDatabase]  # the new_project fixture (tests/conftest.py)
RETIRED_KEPT = 4  # databases of the last tests, not yet dropped (see PostgresProjects.retire)


class PostgresProjects:
    """Fresh PostgreSQL databases cloned from one finished template per project shape."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.run_id = uuid.uuid4().hex[:8]
        self._admin: Engine | None = None
        self._templates: dict[Key, str] = {}
        self._retired: list[str] = []

    @property
    def admin(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        return self._admin

    def url(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _template(self, name: str | None, scheme_ids: tuple[str, ...], seed: Seed | None) -> str:
        key = (name, scheme_ids, seed)
        if key not in self._templates:
            template = f"coder_tpl_{self.run_id}_{len(self._templates)}"
            self._execute(f'CREATE DATABASE "{template}"')
            db = projects.create_project(
                self.url(template), name=name, scheme_ids=scheme_ids, is_url=True
            )
            try:
                if seed is not None:
                    seed(db)
            finally:
                db.close()
            self._templates[key] = template
        return self._templates[key]

    def create(
        self, name: str | None, scheme_ids: Sequence[str], seed: Seed | None = None
    ) -> tuple[str, ProjectDatabase]:
        """A new database holding a new project; returns its name (to drop) and the project."""
        return self.clone(self._template(name, tuple(scheme_ids), seed))

    def clone(self, source: str) -> tuple[str, ProjectDatabase]:
        """A new database copied from ``source`` (nobody may be connected to it)."""
        database = f"coder_t_{self.run_id}_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
        return database, ProjectDatabase.open(self.url(database))

    def empty(self) -> tuple[str, str]:
        """A new, empty database (for ``coder init --db URL``): its name and URL."""
        database = f"coder_e_{self.run_id}_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{database}"')
        return database, self.url(database)

    def drop(self, database: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def retire(self, database: str) -> None:
        """Drop ``database`` a few tests later: a window's last save or a background job
        of the test that just ended may still reach its project (on SQLite the file
        stays until pytest cleans up too)."""
        self._retired.append(database)
        while len(self._retired) > RETIRED_KEPT:
            self.drop(self._retired.pop(0))

    def close(self) -> None:
        for database in self._retired:
            self.drop(database)
        for template in self._templates.values():
            self.drop(template)
        if self._admin is not None:
            self._admin.dispose()


class SqliteTemplates:
    """Seeded SQLite projects, made once per shape and copied for each test: a seed such
    as the demo's import takes seconds (on PostgreSQL ``PostgresProjects`` clones)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[tuple[str, str | None, tuple[str, ...], Seed], Path] = {}

    def create(
        self, folder: Path, stem: str, name: str | None, scheme_ids: Sequence[str], seed: Seed
    ) -> ProjectDatabase:
        key = (stem, name, tuple(scheme_ids), seed)
        if key not in self._made:
            where = self.folder / str(len(self._made))
            where.mkdir()
            db = sqlite_project(where, stem, name, scheme_ids)
            try:
                seed(db)
            finally:
                db.close()
            self._made[key] = where / f"{stem}.sqlite"
        target = folder / f"{stem}.sqlite"
        shutil.copyfile(self._made[key], target)  # closed: no -wal file holds a part of it
        return projects.open_project(target)


def seed_demo(db: ProjectDatabase) -> None:
    """Fill ``db`` as the demo project is filled on first run (the ``demo_db`` fixture)."""
    demo.seed_demo(db, demo.sample_dir())


def close_windows() -> None:
    """Close every window the UI tests left open (none when Qt was never loaded)."""
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.closeAllWindows()
        app.processEvents()


def sqlite_project(
    folder: Path, stem: str, name: str | None, scheme_ids: Sequence[str]
) -> ProjectDatabase:
    return projects.create_project(folder / f"{stem}.sqlite", name=name, scheme_ids=scheme_ids)


@dataclass(frozen=True)
class InitTarget:
    """Where ``coder init`` is to make a project (the ``new_target`` fixture): a file not
    yet made on SQLite, an empty database on PostgreSQL."""

    url: str
    path: Path | None  # the file on SQLite

    @property
    def init_args(self) -> list[str]:
        """``coder init`` ARGS: the file PATH, or ``--db URL``."""
        return [str(self.path)] if self.path is not None else ["--db", self.url]

    @property
    def args(self) -> list[str]:
        """The other commands' arguments naming the project (as :func:`project_args`)."""
        return ["--project", str(self.path)] if self.path is not None else ["--db", self.url]


def project_args(db: ProjectDatabase) -> list[str]:
    """The CLI arguments naming ``db``: ``--project FILE`` on SQLite, ``--db URL`` else."""
    from coder.store.database import sqlite_path

    path = sqlite_path(db.url)
    return ["--project", str(path)] if path is not None else ["--db", db.url]


def query(db: ProjectDatabase, sql: str) -> list[tuple[object, ...]]:
    """Plain SQL on either back end (what a test would otherwise run with ``sqlite3``)."""
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql)).fetchall()]
