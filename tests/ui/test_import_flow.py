"""Importing from the desktop: a file that cannot be read is reported in words naming it,
and the other files are imported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QProgressDialog

from coder.app import importing
from coder.app.identity import Coder
from coder.store.database import ProjectDatabase
from coder.ui.import_flow import run_import
from coder.ui.main_window import MainWindow

TRANSCRIPT = "[00:00:05] T: How have things been?\n[00:00:12] P: Fine. I guess.\n"

MakeWindow = Callable[[ProjectDatabase, Coder | None], MainWindow]


def test_unreadable_files_are_named_in_words(
    project: ProjectDatabase, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(project, None)
    prompter: Any = window.prompter
    good = tmp_path / "P01_S1.txt"
    good.write_text(TRANSCRIPT, encoding="utf-8")
    folder = tmp_path / "P01_S2.txt"  # a folder named like a transcript
    folder.mkdir()
    report = run_import(window, [good, folder, tmp_path / "P01_S3.txt"])
    assert report is not None and report.sessions == 1
    [message] = prompter.errors
    assert f"{folder}: is a folder, not a transcript file" in message
    assert f"{tmp_path / 'P01_S3.txt'}: no such transcript file" in message
    assert "Imported 1 sessions" in message


def test_an_unexpected_error_closes_the_progress_and_goes_on(
    project: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(project, None)
    refreshed: list[bool] = []
    monkeypatch.setattr(window, "refresh_sessions", lambda: refreshed.append(True))

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(importing, "import_files", broken)
    with pytest.raises(RuntimeError):  # a direct call: the hook is the caller's business
        run_import(window, [tmp_path / "P01_S1.txt"])
    assert refreshed == [True]
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))
