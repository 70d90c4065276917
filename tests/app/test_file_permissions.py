"""Every export and report is written by the one atomic writer (coder.io.atomic): a
finished file gets the permissions a plain ``open()`` would give, 0644 under umask 022,
so a lab sharing a results folder can read what a colleague exported (a private 0600
file from ``mkstemp`` was the bug this guards against)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backend import PostgresProjects, seed_demo, sqlite_project

from coder.app import audit, codes, demo, export, identity, reports, screening
from coder.app.export import ExportFormat, ExportOptions
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[2]
PASS = "lab passphrase"


@pytest.fixture(scope="module")
def demo_db(
    tmp_path_factory: pytest.TempPathFactory, _pg_projects: PostgresProjects | None
) -> Iterator[ProjectDatabase]:
    """The demo project with a lead on the back end under test, made once: the writers
    only read it (on a server csv-long takes its own way, so both are checked)."""
    if _pg_projects is None:
        folder = tmp_path_factory.mktemp("demo")
        dropped, db = None, sqlite_project(folder, "demo", "Demo project", demo.DEMO_SCHEMES)
        seed_demo(db)
    else:
        dropped, db = _pg_projects.create("Demo project", demo.DEMO_SCHEMES, seed_demo)
    identity.add_lead(db, "Lee", "LP", PASS)
    yield db
    db.close()
    if dropped is not None and _pg_projects is not None:
        _pg_projects.retire(dropped)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


Writer = Callable[[ProjectDatabase, ActingRater, Path], list[Path]]


def _export(fmt: ExportFormat) -> Writer:
    def write(db: ProjectDatabase, lee: ActingRater, folder: Path) -> list[Path]:
        options = ExportOptions(format=fmt, with_dictionary=True)
        result = export.export(db, folder / f"{fmt.value}.csv", options, lee)
        return [result.path] + ([result.dictionary] if result.dictionary else [])

    return write


WRITERS: dict[str, Writer] = {
    **{f"export {fmt.value}": _export(fmt) for fmt in ExportFormat},
    "codes csv": lambda db, lee, folder: (
        codes.export_codes(db, folder / "codes.csv", coder=lee) and [folder / "codes.csv"]
    ),
    "audit csv": lambda db, lee, folder: (
        audit.export_csv(db, lee, folder / "audit.csv") and [folder / "audit.csv"]
    ),
    "patient report": lambda db, lee, folder: [
        reports.export_patient_report(db, lee, "P02", folder / "P02.docx", rater="Ben Okafor")
    ],
    "plots": lambda db, lee, folder: reports.export_plots(
        db, lee, "P02", folder, "png", rater="Ben Okafor"
    ),
    "reliability report": lambda db, lee, folder: [
        reports.export_reliability_report(db, lee, folder / "irr.docx", bootstrap=0)
    ],
    "screening model": lambda db, lee, folder: [
        screening.train(db, lee, "Ben Okafor", folder / "lab.model").path
    ],
}


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_export_and_report_is_0644_under_umask_022(
    demo_db: ProjectDatabase, tmp_path: Path, name: str
) -> None:
    lee = identity.sign_in(demo_db, "Lee", PASS)
    written = WRITERS[name](demo_db, lee, tmp_path)
    assert written
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# Ways of writing a file that bypass coder.io.atomic (to memory buffers is fine).
BYPASS = re.compile(
    r"\.write_text\(|\.write_bytes\(|os\.replace\(|\.rename\(|NamedTemporaryFile|mkstemp"
    r"|open\([^)]*[\"'][wax]b?[\"']|\.save\(str\(|savefig\((?!buffer)"
)


def test_no_module_writes_a_file_around_the_atomic_writer() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in sorted((REPO / "coder").rglob("*.py"))
        if path != REPO / "coder" / "io" / "atomic.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BYPASS.search(line)
    ]
    assert offenders == []
