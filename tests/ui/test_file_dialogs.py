"""File dialogs: parented to the window that asked, starting in the folder last used for
the kind of file, creating a missing output folder when the user confirms.

The static ``QFileDialog`` functions are replaced by recorders (a real modal dialog
would block the test); everything between the menu action and them is the real code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from coder.app import preferences
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui import projects_menu, window_menus
from coder.ui.file_dialogs import kind_of
from coder.ui.main_window import MainWindow
from coder.ui.patient_view import open_patient_view
from coder.ui.worker import Job


class Recorder:
    """Stands in for QFileDialog's static functions: records (parent, directory) and
    answers with the next queued file name ("" = Cancel)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[QWidget | None, str, str]] = []
        self.answers: list[str] = []
        for name in ("getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self._one(name)))
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(self._many))

    def _answer(self, name: str, parent: Any, directory: str) -> str:
        self.calls.append((parent, name, directory))
        return self.answers.pop(0) if self.answers else ""

    def _one(self, name: str) -> Callable[..., tuple[str, str]]:
        def ask(parent: Any, title: str, directory: str, filters: str) -> tuple[str, str]:
            return self._answer(name, parent, directory), ""

        return ask

    def _many(self, parent: Any, title: str, directory: str, filters: str) -> tuple[list[str], str]:
        answer = self._answer("getOpenFileNames", parent, directory)
        return ([answer] if answer else []), ""


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return Recorder(monkeypatch)


@pytest.fixture
def window(coded_db: ProjectDatabase, ada: ActingRater, qtbot: QtBot) -> MainWindow:
    """A main window with the real prompter (only QFileDialog/QMessageBox are stubbed)."""
    w = MainWindow(coded_db)
    qtbot.addWidget(w)
    w.set_coder(ada)
    return w


def answer_questions(monkeypatch: pytest.MonkeyPatch, yes: bool) -> list[str]:
    asked: list[str] = []

    def question(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_kind_defaults_to_the_filters_first_suffix() -> None:
    assert kind_of("CSV files (*.csv)") == "csv"
    assert kind_of("Word documents (*.docx)", "report") == "report"
    assert kind_of("All files") == "files"


def finish(qtbot: QtBot, job: Job | None) -> None:
    """Wait for an export started from the menu (it runs in the background)."""
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=10000)


def test_dialogs_start_home_then_in_the_last_folder_of_their_kind(
    window: MainWindow, dialogs: Recorder, tmp_path: Path, qtbot: QtBot
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    dialogs.answers = [str(out / "mine.csv")]
    finish(qtbot, window_menus.export_codes(window))
    parent, _, directory = dialogs.calls[-1]
    assert parent is window
    assert Path(directory) == Path.home() / "codes.csv"  # nothing remembered yet
    assert (out / "mine.csv").exists()

    window_menus.export_codes(window)  # Cancel this time
    assert Path(dialogs.calls[-1][2]) == out / "codes.csv"
    # Another kind keeps its own folder: opening a project does not start in exports/.
    projects_menu.open_project(window)
    assert dialogs.calls[-1][1] == "getOpenFileName"
    assert Path(dialogs.calls[-1][2]) == Path.home()


def test_a_remembered_folder_that_has_gone_is_not_offered(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    assert preferences.remember_folder("csv", gone)
    assert preferences.last_folder("csv") == gone
    gone.rmdir()
    assert preferences.last_folder("csv") is None


def test_a_missing_output_folder_is_created_when_the_user_confirms(
    window: MainWindow,
    dialogs: Recorder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    asked = answer_questions(monkeypatch, yes=True)
    target = tmp_path / "new" / "deeper" / "codes.csv"
    dialogs.answers = [str(target)]
    finish(qtbot, window_menus.export_codes(window))
    assert len(asked) == 1 and str(target.parent) in asked[0]
    assert target.exists()
    assert preferences.last_folder("csv") == target.parent


def test_declining_creates_nothing_and_writes_nothing(
    window: MainWindow, dialogs: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_questions(monkeypatch, yes=False)
    target = tmp_path / "new" / "codes.csv"
    dialogs.answers = [str(target)]
    window_menus.export_codes(window)
    assert not target.parent.exists()
    assert preferences.last_folder("csv") is None


def test_a_child_window_parents_its_own_dialogs(
    window: MainWindow, coded_db: ProjectDatabase, ada: ActingRater, dialogs: Recorder, qtbot: QtBot
) -> None:
    view = open_patient_view(coded_db, ada, "P01")
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.report is not None)
    view.export_report()  # Cancel
    parent, name, directory = dialogs.calls[-1]
    assert name == "getSaveFileName"
    assert parent is view and parent is not window
    assert Path(directory).name == "P01-report.docx"


def test_import_remembers_the_transcripts_folder(
    window: MainWindow, dialogs: Recorder, tmp_path: Path
) -> None:
    from coder.ui import import_flow

    folder = tmp_path / "transcripts"
    folder.mkdir()
    assert preferences.remember_folder("transcripts", folder)
    import_flow.run_import(window)  # Cancel in the dialog: nothing imported
    parent, name, directory = dialogs.calls[-1]
    assert (parent, name, Path(directory)) == (window, "getOpenFileNames", folder)
