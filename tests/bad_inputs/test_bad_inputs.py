"""Every file of the hostile-input corpus, through the command line, is refused cleanly.

For each case: exit status 2, one line on stderr naming the file and the problem (never
"internal error", never a traceback), the project unchanged (a dump of every table before
and after), within 5 s and 500 MB. On PostgreSQL the project is a database (``--db URL``)
and the dump is every table's rows; the cases about project files run on SQLite only. Each command runs in a forked child of this process
(the modules are already imported, so a case costs its own work, not Python's start-up),
whose peak memory comes from ``wait4``'s resource usage; the child also gets an
address-space limit, so a regression fails this test instead of exhausting the shared
machine.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from backend import ON_POSTGRES, NewProject, project_args, query

from coder.app import importing, projects
from coder.app.importing import ImportOptions
from coder.cli import main as cli_main
from coder.io.transcripts import read_transcripts
from coder.store.database import ProjectDatabase

_spec = importlib.util.spec_from_file_location(
    "make_corpus", Path(__file__).with_name("make_corpus.py")
)
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
sys.modules["make_corpus"] = corpus
_spec.loader.exec_module(corpus)

TIME_LIMIT_S = 5.0
MEMORY_LIMIT_MB = 500
AS_HEADROOM = 1_500 * 2**20  # the child's address space may grow this much, then fails


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    # What the input cost: the child's peak resident size minus the resident size it
    # inherited from this (forked) pytest process, which grows with the suite around it.
    peak_mb: float


def _status(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def _vm_size() -> int:
    return _status("VmSize")


def run_cli(argv: list[str], tmp: Path, timeout: float = 6 * TIME_LIMIT_S) -> Run:
    """``coder ARGV`` in a forked child; killed after ``timeout`` wall-clock seconds.

    ``Run.seconds`` is the child's CPU time (user + system), which is what the 5 s budget
    is about: on a loaded shared machine wall-clock time would measure the neighbours.
    """
    out, err = tmp / "stdout.txt", tmp / "stderr.txt"
    limit = _vm_size() + AS_HEADROOM
    inherited_mb = _status("VmRSS") / 2**20
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            sys.stdout = open(out, "w", encoding="utf-8")  # noqa: SIM115 - closed by _exit
            sys.stderr = open(err, "w", encoding="utf-8")  # noqa: SIM115
            try:
                cli_main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > timeout:
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            pytest.fail(f"coder {' '.join(argv)} still running after {timeout} s")
        time.sleep(0.01)  # poll interval while the child runs (bounded by timeout), not a wait
    seconds = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    return Run(
        code,
        out.read_text(encoding="utf-8", errors="replace"),
        err.read_text(encoding="utf-8", errors="replace"),
        seconds,
        usage.ru_maxrss / 1024 - inherited_mb,
    )


def dump(path: Path) -> list[str]:
    """Every table's rows (and the schema) as SQL text, for before/after comparison."""
    if not path.is_file():
        return ["<not a file>"]
    if path.read_bytes()[:16] != b"SQLite format 3\x00":
        return [path.read_bytes().hex()]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    except sqlite3.DatabaseError as exc:
        return [f"<unreadable: {exc}>", path.read_bytes().hex()]
    finally:
        conn.close()


def rows(db: ProjectDatabase) -> list[str]:
    """Every table's columns and rows (sorted) on PostgreSQL, for before/after comparison
    (what ``dump`` is for a SQLite file): one query for the schema, one per table."""
    columns: dict[str, list[str]] = {}
    for table, column in query(
        db,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    ):
        columns.setdefault(str(table), []).append(str(column))
    out = []
    for table, names in columns.items():
        out.append(f"{table}({', '.join(names)})")
        out += sorted(f"{table}: {row!r}" for row in query(db, f'SELECT * FROM "{table}"'))
    return out


def seed_template(db: ProjectDatabase) -> None:
    """Patient P01, session 1 (the corpus's codes tables refer to it)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "P01_S1.txt"
        source.write_text(corpus.TEMPLATE_TRANSCRIPT, encoding="utf-8")
        report = importing.import_files(db, [source], ImportOptions(patient="P01", session=1))
    assert not report.failed, report.failed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template project file of the SQLite pass (each case runs on a copy of it)."""
    path = tmp_path_factory.mktemp("template") / "project.sqlite"
    db = projects.create_project(path)
    seed_template(db)
    db.close()
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists()
    return path


@dataclass(frozen=True)
class Project:
    """The project a case runs on: how the CLI names it, and how to dump it."""

    args: list[str]
    dump: Callable[[], list[str]]
    template: list[str]  # the dump of the template it was copied from


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path, new_project: NewProject) -> Project:
    """A copy of the template: a file on SQLite, a database cloned on PostgreSQL."""
    if ON_POSTGRES:
        db = new_project("project", seed=seed_template)
        copied = rows(db)
        return Project(project_args(db), lambda: rows(db), copied)
    template: Path = request.getfixturevalue("template")
    path = tmp_path / "project.sqlite"
    shutil.copyfile(template, path)
    return Project(["--project", str(path)], lambda: dump(path), dump(template))


def _argv(case: corpus.Case, file: Path, p: list[str]) -> list[str]:
    if case.command == "import":
        return ["import", *p, "--patient", "P02", "--session", "1", *case.args, str(file)]
    if case.command == "codes":
        return ["codes", "import", *p, str(file)]
    if case.command == "scheme":
        return ["schemes", "validate", str(file)]
    if case.command == "rules":
        return ["profile", *p, "--patient", "P01", "--rater", "Ada", "--rules", str(file)]
    if case.command == "open":
        return ["info", "--project", str(file)]
    raise AssertionError(case.command)


def _file_for(case: corpus.Case, tmp: Path) -> Path:
    if case.large:
        target = tmp / case.name
        case.make(target)
        return target
    committed = corpus.FILES / case.name
    assert committed.exists(), f"run python tests/bad_inputs/make_corpus.py ({case.name})"
    return committed


def test_the_corpus_is_large_enough() -> None:
    files = len(corpus.CASES) + len(corpus.GOOD)
    assert files >= 60
    readers = {case.command for case in corpus.CASES}
    assert readers == {"import", "codes", "scheme", "rules", "open"}
    formats = {Path(case.name).suffix for case in corpus.CASES if case.command == "import"}
    assert {".txt", ".vtt", ".srt", ".csv", ".docx", ".doc"} <= formats


def test_committed_files_match_the_script(tmp_path: Path) -> None:
    corpus.write_small(tmp_path)
    for made in tmp_path.iterdir():
        committed = corpus.FILES / made.name
        if made.suffix == ".sqlite":  # SQLite stamps its own header fields; compare rows
            assert dump(made) == dump(committed), made.name
        else:
            assert made.read_bytes() == committed.read_bytes(), made.name


# Damaged or foreign project *files* are a SQLite matter: on PostgreSQL there is no file.
CASES = [
    pytest.param(case, marks=pytest.mark.sqlite_only) if case.command == "open" else case
    for case in corpus.CASES
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_refused_cleanly(case: corpus.Case, project: Project, tmp_path: Path) -> None:
    file = _file_for(case, tmp_path)
    watched: Callable[[], list[str]] = (
        (lambda: dump(file)) if case.command == "open" else project.dump
    )
    before = watched()

    run = run_cli(_argv(case, file, project.args), tmp_path)

    message = run.stderr.strip()
    assert run.code == 2, f"exit {run.code}: {message}\n{run.stdout}"
    assert "internal error" not in message
    assert "Traceback" not in message
    assert case.name in message, message
    for words in case.expect:
        assert words in message.lower(), message
    after = watched()
    assert after == before, "the project changed"
    if case.command != "open":  # then ``after`` is the project's dump
        assert after == project.template
    assert run.seconds < TIME_LIMIT_S
    assert run.peak_mb < MEMORY_LIMIT_MB, f"{run.peak_mb:.0f} MB"


@pytest.mark.parametrize("good", corpus.GOOD, ids=lambda g: g.name)
def test_awkward_but_valid_files_are_read_exactly(good: corpus.Good) -> None:
    path = corpus.FILES / good.name
    (parsed,) = read_transcripts(path)
    turns = tuple((t.speaker, t.text) for t in parsed.transcript.turns)
    assert turns == good.turns
