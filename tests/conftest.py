"""Shared fixtures. Qt runs offscreen; nothing touches the user's real data folder."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backend import (
    ON_POSTGRES,
    SQLITE_ONLY_REASON,
    InitTarget,
    NewProject,
    PostgresProjects,
    Seed,
    SqliteTemplates,
    close_windows,
    seed_demo,
    sqlite_project,
)
from sqlalchemy.engine import make_url

from coder.app import demo, identity, importing, projects, raters
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase, sqlite_path, sqlite_url

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
TIMED = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:02:40] T: You said fine, but you sound tired.
[00:05:10] P: I don't want to talk about it. Can we talk about work instead?
[00:06:00] T: We can. I notice we moved away from how you feel, though.
[00:11:00] P: Honestly, these sessions are not helping me at all.
"""
PASSPHRASE = "correct horse battery"
# Tests of pure code (no project, no database: the layering contract keeps store out of
# them); the PostgreSQL pass leaves them to the SQLite pass, where they ran already.
PURE_TEST_FOLDERS = frozenset({"domain", "stats"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"sqlite_only: {SQLITE_ONLY_REASON}; skipped when CODER_TEST_BACKEND=postgres"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL run every test but those of the pure packages (tests/domain,
    tests/stats: no project, no database), which ran in the SQLite pass and would run
    identically again. A test marked ``sqlite_only`` (about a SQLite file itself) is
    skipped, saying why; any other test that opens a SQLite project file fails
    (``_no_sqlite_project_on_postgres``)."""
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason=SQLITE_ONLY_REASON)
    selected, deselected = [], []
    for item in items:
        pure = any(part in PURE_TEST_FOLDERS for part in item.path.relative_to(REPO).parts[1:2])
        (deselected if pure else selected).append(item)
        if not pure and item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _no_sqlite_project_on_postgres(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the PostgreSQL pass a test that opens a SQLite project file fails, naming the
    fix: it would pass on SQLite again while claiming PostgreSQL coverage."""
    if not ON_POSTGRES or request.node.get_closest_marker("sqlite_only"):
        return
    opened = ProjectDatabase.open.__func__  # type: ignore[attr-defined]

    def open_guarded(cls: type[ProjectDatabase], url: str, **options: object) -> ProjectDatabase:
        if sqlite_path(url) is not None:
            pytest.fail(
                f"opens the SQLite file {url} on the PostgreSQL pass: make the project "
                "with new_project (tests/backend.py) or mark the test sqlite_only, saying why",
                pytrace=True,
            )
        return opened(cls, url, **options)  # type: ignore[no-any-return]

    monkeypatch.setattr(ProjectDatabase, "open", classmethod(open_guarded))


@pytest.fixture(scope="session")
def _pg_projects() -> Iterator[PostgresProjects | None]:
    if not ON_POSTGRES:
        yield None
        return
    server = PostgresProjects(os.environ["CODER_TEST_PG_URL"])
    yield server
    close_windows()  # a window still open saves its place on close: before the drop
    server.close()


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates | None:
    return None if ON_POSTGRES else SqliteTemplates(tmp_path_factory.mktemp("templates"))


def _close_all(
    made: list[tuple[str | None, ProjectDatabase]], server: PostgresProjects | None
) -> None:
    """Close a fixture's projects after the test; on PostgreSQL retire their databases
    (dropped a few tests later: ``PostgresProjects.retire``)."""
    for dropped, database in made:
        database.close()
        if dropped is not None and server is not None:
            server.retire(dropped)


@pytest.fixture
def new_project(
    tmp_path: Path,
    _pg_projects: PostgresProjects | None,
    _sqlite_templates: SqliteTemplates | None,
) -> Iterator[NewProject]:
    """``new_project(stem="project", name=None, scheme_ids=("3rs-2015",), seed=None)``: a
    new, empty project on the back end under test (a file ``tmp_path/STEM.sqlite``, or a
    fresh PostgreSQL database; tests/backend.py), filled by ``seed`` if given (once: later
    projects of that shape are copies), closed after the test (and on PostgreSQL dropped a few tests later: see ``PostgresProjects.retire``)."""
    made: list[tuple[str | None, ProjectDatabase]] = []

    def make(
        stem: str = "project",
        *,
        name: str | None = None,
        scheme_ids: tuple[str, ...] = (projects.DEFAULT_SCHEME,),
        seed: Seed | None = None,
    ) -> ProjectDatabase:
        if _sqlite_templates is not None and seed is not None:
            database = _sqlite_templates.create(tmp_path, stem, name, scheme_ids, seed)
            made.append((None, database))
        elif _pg_projects is None:
            database = sqlite_project(tmp_path, stem, name, scheme_ids)
            made.append((None, database))
        else:
            dropped, database = _pg_projects.create(name or stem, scheme_ids, seed)
            made.append((dropped, database))
        return database

    yield make
    _close_all(made, _pg_projects)


@pytest.fixture
def new_target(
    tmp_path: Path, _pg_projects: PostgresProjects | None
) -> Iterator[Callable[..., InitTarget]]:
    """``new_target(stem="p")``: where ``coder init`` is to make a project on the back end
    under test (``tmp_path/STEM.sqlite``, not yet made, or an empty PostgreSQL database,
    dropped a few tests later)."""
    made: list[str] = []

    def make(stem: str = "p") -> InitTarget:
        if _pg_projects is None:
            path = tmp_path / f"{stem}.sqlite"
            return InitTarget(sqlite_url(path), path)
        database, url = _pg_projects.empty()
        made.append(database)
        return InitTarget(url, None)

    yield make
    for database in made:
        assert _pg_projects is not None
        _pg_projects.retire(database)


@pytest.fixture
def copy_project(
    tmp_path: Path, _pg_projects: PostgresProjects | None
) -> Iterator[Callable[[ProjectDatabase, str], ProjectDatabase]]:
    """``copy_project(db, stem)``: another project that is a copy of ``db`` as it is now,
    the same project (a lab's copy a rater's package merges into): a file written with
    SQLite's backup API, or a PostgreSQL database cloned from ``db``'s."""
    made: list[tuple[str | None, ProjectDatabase]] = []

    def copy(db: ProjectDatabase, stem: str) -> ProjectDatabase:
        source = sqlite_path(db.url)
        if _pg_projects is None:
            assert source is not None
            path = tmp_path / f"{stem}.sqlite"
            src, dst = sqlite3.connect(source), sqlite3.connect(path)
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
            made.append((None, ProjectDatabase.open(sqlite_url(path))))
        else:
            db.engine.dispose()  # a template database must have no connection
            database = make_url(db.url).database
            assert database is not None
            made.append(_pg_projects.clone(database))
        return made[-1][1]

    yield copy
    _close_all(made, _pg_projects)


@pytest.fixture
def demo_db(new_project: NewProject) -> ProjectDatabase:
    """The demo project (the sample sessions, Ada Lovelace's and Ben Okafor's codes) on
    the back end under test: what ``coder`` makes on first run (coder.app.demo)."""
    return new_project("demo", name="Demo project", scheme_ids=demo.DEMO_SCHEMES, seed=seed_demo)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODER_HOME", str(tmp_path_factory.mktemp("coder-home")))
    monkeypatch.delenv("CODER_DB_URL", raising=False)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "project.sqlite"


@pytest.fixture
def db(new_project: NewProject) -> ProjectDatabase:
    """A new, empty project (3RS-2015) on the back end under test; on SQLite the file is
    ``project_path``."""
    return new_project("project")


@pytest.fixture
def coded_db(tmp_path: Path, new_project: NewProject) -> ProjectDatabase:
    """Two sessions (3 segments each under 3RS-2015), raters Ada and Ben, lead Lee."""
    db = new_project("p", scheme_ids=("3rs-2015", "safran-muran-stages"))
    for number in (1, 2):
        path = tmp_path / f"P01_S{number}.txt"
        path.write_text(TIMED.replace("week", f"week {number}"), encoding="utf-8")
        assert importing.import_file(db, path, ImportOptions(pattern="{patient}_S{session}")).ok
    raters.add_rater(db, "Ada", "AL")
    raters.add_rater(db, "Ben", "BO")
    identity.add_lead(db, "Lee", "LP", PASSPHRASE)
    return db


@pytest.fixture
def ada(coded_db: ProjectDatabase) -> ActingRater:
    return identity.sign_in(coded_db, "Ada")


@pytest.fixture
def ben(coded_db: ProjectDatabase) -> ActingRater:
    return identity.sign_in(coded_db, "Ben")


@pytest.fixture
def lead(coded_db: ProjectDatabase) -> ActingRater:
    coder = identity.sign_in(coded_db, "Lee", PASSPHRASE)
    assert coder.role is RaterRole.LEAD
    return coder


def _uncode(db: ProjectDatabase, rater: str, patient: str, session: int, segments: range) -> None:
    """Remove a rater's segment codes from some segments of a session, as if never coded."""
    from sqlalchemy import delete, select

    from coder.store.models import CodeApplicationRow, PatientRow, RaterRow, SessionRow

    with db.transaction() as s:
        session_id = s.scalar(
            select(SessionRow.id)
            .join(PatientRow)
            .where(PatientRow.code == patient, SessionRow.number == session)
        )
        rater_id = s.scalar(select(RaterRow.id).where(RaterRow.name == rater))
        s.execute(
            delete(CodeApplicationRow).where(
                CodeApplicationRow.session_id == session_id,
                CodeApplicationRow.rater_id == rater_id,
                CodeApplicationRow.unit == "segment",
                CodeApplicationRow.unit_index.in_(list(segments)),
            )
        )


@pytest.fixture
def uncode() -> Callable[[ProjectDatabase, str, str, int, range], None]:
    """Leave segments uncoded (profile coverage tests, issue 10)."""
    return _uncode
