"""Importing from the desktop: in the background with Cancel, a report per file, a file
that cannot be read reported in words naming it while the other files are imported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from coder.app import browse, importing
from coder.app.identity import ActingRater
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase
from coder.ui.import_flow import run_import
from coder.ui.main_window import MainWindow
from coder.ui.prompter import Prompter
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


# ---- the whole desktop path: File ▸ Import transcripts… (Ctrl+I) → file dialog → roles ----
def real_prompter_window(make_window: MakeWindow, project: ProjectDatabase) -> MainWindow:
    """A main window asking through the real Prompter: its dialogs are the users'."""
    window = make_window(project, None)
    window.prompter = Prompter(window)
    return window


def choose_files(monkeypatch: pytest.MonkeyPatch, paths: list[Path]) -> list[str]:
    """The system file dialog, answered with ``paths``; returns the titles it was opened with."""
    titles: list[str] = []

    def get_open_file_names(
        parent: object, title: str, start: str, filters: str
    ) -> tuple[list[str], str]:
        titles.append(title)
        assert "*.docx" in filters and "*.txt" in filters
        return [str(p) for p in paths], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(get_open_file_names))
    return titles


def test_ctrl_i_imports_with_the_roles_the_user_confirmed(
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    modal: Any,
) -> None:
    window = real_prompter_window(make_window, project)
    path = tmp_path / "P07_S3.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    titles = choose_files(monkeypatch, [path])
    shown: list[list[str]] = []

    def confirm(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget)
        assert table is not None
        shown.append([table.item(r, 0).text() for r in range(table.rowCount())])
        for row in range(table.rowCount()):
            label = table.item(row, 0).text()
            combo = table.cellWidget(row, 1)
            assert isinstance(combo, QComboBox)
            wanted = SpeakerRole.THERAPIST if label == "T" else SpeakerRole.PATIENT
            combo.setCurrentIndex(combo.findData(wanted))
        ok = dialog.findChild(QDialogButtonBox).button(  # type: ignore[union-attr]
            QDialogButtonBox.StandardButton.Ok
        )
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    modal.then(confirm)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert titles == ["Import transcripts"]
    # the files are read in the background first; then the roles question comes up
    qtbot.waitUntil(lambda: modal.titles == ["Confirm speaker roles"], timeout=10000)
    assert shown and "T" in shown[0]
    qtbot.waitUntil(lambda: window.sessions_model.rowCount() == 1, timeout=10000)
    turns = browse.load_transcript(project, "P07", 3).turns
    assert [(t.speaker, t.role) for t in turns] == [
        ("T", SpeakerRole.THERAPIST),
        ("P", SpeakerRole.PATIENT),
    ]
    report = window.import_report  # type: ignore[attr-defined]
    assert report.isVisible() and "P07_S3.txt:" in report.text.toPlainText()
    assert "speaker 'P' = patient" in report.text.toPlainText()
    assert "Imported 1 sessions (2 turns) from 1 files" in window.statusBar().currentMessage()


def test_cancelling_the_roles_dialog_imports_nothing(
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    modal: Any,
) -> None:
    window = real_prompter_window(make_window, project)
    path = tmp_path / "P01_S1.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    choose_files(monkeypatch, [path])
    modal.then(lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    trigger_import(window)
    qtbot.waitUntil(lambda: modal.titles == ["Confirm speaker roles"], timeout=10000)
    qtbot.waitUntil(lambda: not window.findChildren(QProgressDialog), timeout=10000)
    assert browse.session_summaries(project) == []


def test_cancelling_the_file_dialog_asks_nothing_more(
    project: ProjectDatabase,
    make_window: MakeWindow,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = real_prompter_window(make_window, project)
    titles = choose_files(monkeypatch, [])
    trigger_import(window)
    assert titles == ["Import transcripts"]
    assert browse.session_summaries(project) == []
    assert not window.findChildren(QProgressDialog)


def trigger_import(window: MainWindow) -> None:
    """File ▸ Import transcripts…, as clicked in the menu."""
    for top in window.menuBar().actions():
        menu = top.menu()
        for action in menu.actions() if menu is not None else []:  # type: ignore[attr-defined]
            if action.text().replace("&", "") == "Import transcripts…":
                action.trigger()
                return
    raise AssertionError("no File ▸ Import transcripts…")
