"""The application-wide exception hook: an error escaping a slot is logged to the user's
data folder and shown through the window's prompter; the dialog's details can be copied."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest
from backend import launch_options
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import coder
from coder.app import logs
from coder.app.identity import ActingRater
from coder.domain.errors import CoderError
from coder.store.database import ProjectDatabase
from coder.ui import error_report, launch
from coder.ui.error_dialog import ErrorDialog
from coder.ui.error_report import install_exception_hook, report_exception
from coder.ui.main_window import MainWindow

MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


class Emitter(QObject):
    fired = Signal()


@pytest.fixture
def hook() -> Iterator[None]:
    """The hook for one test; pytest-qt's own capture hook is back afterwards."""
    saved = sys.excepthook, threading.excepthook
    install_exception_hook()
    yield
    error_report.uninstall_exception_hook()
    sys.excepthook, threading.excepthook = saved


@pytest.fixture
def prompter(project: ProjectDatabase, make_window: MakeWindow) -> Any:
    """The FakePrompter of an active main window (conftest)."""
    return make_window(project, None).prompter


def log_file() -> Path:
    return Path(os.environ["CODER_HOME"]) / "logs" / "errors.log"


def fire(slot: Callable[[], None]) -> None:
    emitter = Emitter()
    emitter.fired.connect(slot)
    emitter.fired.emit()


def test_an_exception_in_a_slot_is_shown_and_logged(hook: None, prompter: Any) -> None:
    def broken_slot() -> None:
        raise RuntimeError("boom in a slot")

    fire(broken_slot)
    [(summary, details, path)] = prompter.unexpected
    assert summary.startswith("Something went wrong while carrying out your last action.")
    assert "RuntimeError: boom in a slot" in summary
    assert f"Rupture Coder {coder.__version__}" in details and "Qt " in details
    assert "Traceback (most recent call last)" in details and "broken_slot" in details
    assert path == log_file()
    text = log_file().read_text(encoding="utf-8")
    assert "Unexpected error while carrying out your last action" in text
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom in a slot" in text
    assert "broken_slot" in text
    assert prompter.errors == []


def test_a_coder_error_reaching_the_hook_is_a_plain_message(hook: None, prompter: Any) -> None:
    def slot() -> None:
        raise CoderError("no such folder", path="exports")

    fire(slot)
    assert prompter.errors == ["exports: no such folder"]
    assert prompter.unexpected == []


def test_a_failure_repeating_at_once_is_logged_not_shown_again(hook: None, prompter: Any) -> None:
    """An error in a paint event would otherwise reopen the dialog for ever."""

    def broken_slot() -> None:
        raise RuntimeError("again and again")

    fire(broken_slot)
    fire(broken_slot)
    assert len(prompter.unexpected) == 1
    assert log_file().read_text(encoding="utf-8").count("RuntimeError: again and again") == 2
    for _ in range(2):  # a caller reporting a failed action is always heard
        try:
            raise RuntimeError("each time")
        except RuntimeError as exc:
            report_exception(exc, "exporting")
    assert len(prompter.unexpected) == 3


def test_report_exception_shows_a_coder_error_as_its_message(hook: None, prompter: Any) -> None:
    report_exception(CoderError("is a folder; choose a file name", path="out"), "exporting")
    assert prompter.errors == ["out: is a folder; choose a file name"]
    assert prompter.unexpected == []


def test_report_exception_uses_the_parents_prompter_and_its_context(
    hook: None, prompter: Any, project: ProjectDatabase, make_window: MakeWindow
) -> None:
    other = make_window(project, None)
    try:
        {}["missing"]
    except KeyError as exc:
        report_exception(exc, "undoing the last code", parent=other.codebook)
    assert prompter.unexpected == []
    [(summary, _, _)] = other.prompter.unexpected  # type: ignore[attr-defined]
    assert summary.startswith("Something went wrong while undoing the last code.")
    assert "KeyError: 'missing'" in summary
    assert "undoing the last code" in log_file().read_text(encoding="utf-8")


def test_an_exception_in_a_worker_thread_is_shown_from_the_gui_thread(
    hook: None, prompter: Any, qtbot: QtBot
) -> None:
    def work() -> None:
        raise ValueError("lost in a thread")

    worker = threading.Thread(target=work, name="the exporter")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(prompter.unexpected), timeout=2000)
    [(summary, _, _)] = prompter.unexpected
    assert "while running the exporter in the background" in summary
    assert "ValueError: lost in a thread" in summary
    assert "ValueError: lost in a thread" in log_file().read_text(encoding="utf-8")


def test_install_is_idempotent_and_module_loggers_land_in_the_log(hook: None) -> None:
    install_exception_hook()
    install_exception_hook()
    assert sys.excepthook is error_report._sys_hook
    assert threading.excepthook is error_report._thread_hook
    handlers = [
        h for h in logging.getLogger("coder").handlers if isinstance(h, RotatingFileHandler)
    ]
    assert len(handlers) == 1 and Path(handlers[0].baseFilename) == log_file().resolve()
    try:
        raise OSError("somewhere deep")
    except OSError:
        logging.getLogger("coder.app.somewhere").exception("while saving")
    text = log_file().read_text(encoding="utf-8")
    assert "coder.app.somewhere: while saving" in text and "OSError: somewhere deep" in text


def test_the_log_folder_follows_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODER_HOME", str(tmp_path / "home"))
    assert logs.log_dir() == tmp_path / "home" / "logs" and logs.log_dir().is_dir()
    assert logs.log_path() == tmp_path / "home" / "logs" / "errors.log"


def test_copy_details_puts_them_on_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    try:
        raise RuntimeError("for the clipboard")
    except RuntimeError as exc:
        details = error_report.details_text(exc, "testing")
    dialog = ErrorDialog("Something went wrong.", details, tmp_path / "errors.log")
    qtbot.addWidget(dialog)
    dialog.show()  # not exec(): the test drives it
    assert str(tmp_path / "errors.log") in dialog.log_label.text()
    assert not dialog.details.isVisible()
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert dialog.details.isVisible() and "for the clipboard" in dialog.details.toPlainText()
    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied == details
    assert copied.startswith(f"Rupture Coder {coder.__version__}\nPython ")
    assert "RuntimeError: for the clipboard" in copied


def test_launch_installs_the_hook(
    hook: None, project: ProjectDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    error_report.uninstall_exception_hook()
    assert sys.excepthook is not error_report._sys_hook
    monkeypatch.setattr(launch, "build_window", lambda *a, **k: None)  # sign-in cancelled
    assert launch.launch(**launch_options(project)) == 0
    assert sys.excepthook is error_report._sys_hook
