"""Every file of the hostile-input corpus, through the command line, is refused cleanly.

For each case: exit status 2, one line on stderr naming the file and the problem (never
"internal error", never a traceback), the project unchanged (a dump of every table before
and after), within 5 s and 500 MB. Each command runs in a forked child of this process
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
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from coder.app import importing, projects
from coder.app.importing import ImportOptions
from coder.cli import main as cli_main
from coder.io.transcripts import read_transcripts

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


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with patient P01, session 1 (the corpus's codes tables refer to it)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "project.sqlite"
    db = projects.create_project(path)
    source = folder / "P01_S1.txt"
    source.write_text(corpus.TEMPLATE_TRANSCRIPT, encoding="utf-8")
    report = importing.import_files(db, [source], ImportOptions(patient="P01", session=1))
    assert not report.failed, report.failed
    db.close()
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists()
    return path


def _argv(case: corpus.Case, file: Path, project: Path) -> list[str]:
    p = ["--project", str(project)]
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


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c.name)
def test_refused_cleanly(case: corpus.Case, template: Path, tmp_path: Path) -> None:
    project = tmp_path / "project.sqlite"
    shutil.copyfile(template, project)
    file = _file_for(case, tmp_path)
    watched = file if case.command == "open" else project
    before = dump(watched)

    run = run_cli(_argv(case, file, project), tmp_path)

    message = run.stderr.strip()
    assert run.code == 2, f"exit {run.code}: {message}\n{run.stdout}"
    assert "internal error" not in message
    assert "Traceback" not in message
    assert case.name in message, message
    for words in case.expect:
        assert words in message.lower(), message
    assert dump(watched) == before, "the project changed"
    if case.command != "open":
        assert dump(project) == dump(template)
    assert run.seconds < TIME_LIMIT_S
    assert run.peak_mb < MEMORY_LIMIT_MB, f"{run.peak_mb:.0f} MB"


@pytest.mark.parametrize("good", corpus.GOOD, ids=lambda g: g.name)
def test_awkward_but_valid_files_are_read_exactly(good: corpus.Good) -> None:
    path = corpus.FILES / good.name
    (parsed,) = read_transcripts(path)
    turns = tuple((t.speaker, t.text) for t in parsed.transcript.turns)
    assert turns == good.turns
