"""File ▸ Export codes… driven through the menu: file problems are said in words through
the prompter; anything unexpected reaches the exception hook, never nothing."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from coder.app import codes
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui import error_report
from coder.ui.main_window import MainWindow

MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def menu_action(window: MainWindow, menu: str, text: str) -> QAction:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu and top.menu() is not None:
            for action in top.menu().actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu} ▸ {text}")


@pytest.fixture
def hook() -> Iterator[None]:
    saved = sys.excepthook, threading.excepthook
    error_report.install_exception_hook()
    yield
    error_report.uninstall_exception_hook()
    sys.excepthook, threading.excepthook = saved


def finish(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the export the menu started in the background."""
    job = window.exchange_job  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: job.done, timeout=10000)


def test_export_codes_to_a_folder_says_so_and_leaves_nothing(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter  # conftest's FakePrompter
    folder = tmp_path / "exports"
    folder.mkdir()
    prompter.answers.append(folder)  # the user picked the folder itself
    menu_action(window, "File", "Export codes to CSV…").trigger()
    finish(qtbot, window)
    assert prompter.errors == [f"{folder}: is a folder; choose a file name"]
    assert list(folder.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_export_codes_into_a_missing_folder_says_so(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter
    prompter.answers.append(tmp_path / "gone" / "codes.csv")
    menu_action(window, "File", "Export codes to CSV…").trigger()
    finish(qtbot, window)
    assert prompter.errors == [
        f"{tmp_path / 'gone' / 'codes.csv'}: the folder does not exist; choose an existing folder"
    ]


def test_an_unexpected_export_error_reaches_the_exception_hook(
    hook: None,
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter

    def broken(*_: object, **__: object) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(codes, "export_codes", broken)
    prompter.answers.append(tmp_path / "codes.csv")
    menu_action(window, "File", "Export codes to CSV…").trigger()
    finish(qtbot, window)
    assert prompter.errors == []
    [(summary, details, _)] = prompter.unexpected
    assert "RuntimeError: database went away" in summary and "export_codes" in details
