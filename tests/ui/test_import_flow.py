"""Importing from the desktop: in the background with Cancel, a report per file, a file
that cannot be read reported in words naming it while the other files are imported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from coder.app import browse, importing
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.import_flow import run_import
from coder.ui.main_window import MainWindow
from coder.ui.worker import Job

TRANSCRIPT = "[00:00:05] T: How have things been?\n[00:00:12] P: Fine. I guess.\n"
CONFIRMED = "[00:00:05] Therapist: How have things been?\n[00:00:12] Patient: Fine. I guess.\n"

MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def finished(qtbot: QtBot, job: Job | None) -> Job:
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    return job


def test_unreadable_files_are_named_in_words(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter
    good = tmp_path / "P01_S1.txt"
    good.write_text(TRANSCRIPT, encoding="utf-8")
    folder = tmp_path / "P01_S2.txt"  # a folder named like a transcript
    folder.mkdir()
    report = finished(qtbot, run_import(window, [good, folder, tmp_path / "P01_S3.txt"])).result
    assert report is not None and report.sessions == 1
    [message] = prompter.errors
    assert f"{folder}: is a folder, not a transcript file" in message
    assert f"{tmp_path / 'P01_S3.txt'}: no such transcript file" in message
    assert "Imported 1 sessions" in message


def test_the_report_says_per_file_what_happened(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter
    path = tmp_path / "P01_S1.txt"
    path.write_text(CONFIRMED, encoding="utf-8")
    job = finished(qtbot, run_import(window, [path]))
    assert not any(q.startswith("roles:") for q in prompter.asked)  # every role certain
    text = window.import_report.text.toPlainText()  # type: ignore[attr-defined]
    assert "P01_S1.txt:" in text and "patient P01 session 1: 2 turns" in text
    assert "speaker 'Therapist' = therapist" in text
    assert job.result.sessions == 1


def test_the_audit_trail_names_the_signed_in_importer(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    from sqlalchemy import select

    from coder.app import identity, raters
    from coder.store.models import AuditRow

    raters.add_rater(project, "Ada", "AL")
    window = make_window(project, identity.sign_in(project, "Ada"))
    path = tmp_path / "P01_S1.txt"
    path.write_text(CONFIRMED, encoding="utf-8")
    assert finished(qtbot, run_import(window, [path])).result.sessions == 1
    with project.reading() as session:
        actors = list(
            session.scalars(select(AuditRow.actor).where(AuditRow.table == "transcripts"))
        )
    assert actors == ["Ada"]


def test_uncertain_roles_are_asked(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter
    path = tmp_path / "P01_S1.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    finished(qtbot, run_import(window, [path]))
    assert any(q.startswith("roles:") for q in prompter.asked)


def test_cancel_stops_between_files_and_leaves_nothing_half_written(
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(project, None)
    paths = []
    for n in (1, 2, 3):
        path = tmp_path / f"P01_S{n}.txt"
        path.write_text(CONFIRMED, encoding="utf-8")
        paths.append(path)
    gate, started = threading.Event(), threading.Event()
    real = importing.import_file
    worker_threads = set()

    def slow_first(*args: Any, **kwargs: Any) -> Any:
        worker_threads.add(threading.get_ident())
        started.set()
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "import_file", slow_first)
    job = run_import(window, paths)
    assert job is not None
    assert started.wait(10)
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    gate.set()
    finished(qtbot, job)
    assert threading.get_ident() not in worker_threads  # the work ran off the UI thread
    assert job.result.cancelled and len(job.result.files) == 1
    stored = browse.session_summaries(project)
    assert [(s.patient, s.session, s.n_turns) for s in stored] == [("P01", 1, 2)]
    assert "cancelled" in window.statusBar().currentMessage()


def test_an_unexpected_error_closes_the_progress_and_goes_on(
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter
    refreshed: list[bool] = []
    monkeypatch.setattr(window, "refresh_sessions", lambda: refreshed.append(True))

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(importing, "import_files", broken)
    path = tmp_path / "P01_S1.txt"
    path.write_text(CONFIRMED, encoding="utf-8")
    job = finished(qtbot, run_import(window, [path]))
    assert isinstance(job.error, RuntimeError)
    assert refreshed == [True]
    assert prompter.unexpected and "bug" in prompter.unexpected[0][1]
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))


def test_files_are_read_in_the_background_and_cancel_while_reading_imports_nothing(
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading every file for its speakers (before the roles question) is slow for many
    Word files: it runs in the worker too, and Cancel then stores nothing."""
    from coder.ui import import_flow

    window = make_window(project, None)
    paths = []
    for n in (1, 2):
        path = tmp_path / f"P01_S{n}.txt"
        path.write_text(TRANSCRIPT, encoding="utf-8")
        paths.append(path)
    started, gate, threads = threading.Event(), threading.Event(), set()
    real = import_flow.unconfirmed_speakers

    def slow(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        started.set()
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(import_flow, "unconfirmed_speakers", slow)
    job = run_import(window, paths)
    assert job is not None and started.wait(10)
    qtbot.waitUntil(job.dialog.isVisible, timeout=5000)  # type: ignore[attr-defined]
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    gate.set()
    finished(qtbot, job)
    assert threading.get_ident() not in threads
    assert browse.session_summaries(project) == []
    assert not any(q.startswith("roles:") for q in window.prompter.asked)  # type: ignore[attr-defined]
