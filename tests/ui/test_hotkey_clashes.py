"""A scheme hotkey on one of the app's own keys (F8: next suggestion; Ctrl+Z: undo): the
app's key wins, the clash is reported once in words, and the app's key still works."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from backend import NewProject
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from coder.app import identity, importing, raters, schemes
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.store.database import ProjectDatabase
from coder.ui import hotkey_clashes
from coder.ui.help_menu import shortcut_rows
from coder.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
TRANSCRIPT = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:05:40] T: You said fine, but you sound tired.
[00:06:10] P: I don't want to talk about it. Can we talk about work instead?
"""


def clashing_scheme(tmp_path: Path) -> Path:
    """3RS-2015 as "3rs-f8": W1 on F8 (the Suggestions panel's key), W2 on Ctrl+Z."""
    text = (REPO / "schemes" / "3rs-2015.yaml").read_text(encoding="utf-8")
    text = text.replace('id: "3rs-2015"', 'id: "3rs-f8"', 1)
    text = text.replace('id: W1\n        name: "Denial"\n        hotkey: "1"',
                        'id: W1\n        name: "Denial"\n        hotkey: "F8"', 1)  # fmt: skip
    assert 'hotkey: "F8"' in text
    text = text.replace('hotkey: "2"', 'hotkey: "Ctrl+Z"', 1)
    path = tmp_path / "3rs-f8.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scheme_hotkey_on_the_apps_own_key_is_reported_and_the_app_key_wins(
    tmp_path: Path, make_window: Make, qtbot: QtBot, new_project: NewProject
) -> None:
    db = new_project("f8")
    schemes.add_scheme_file(db, clashing_scheme(tmp_path))
    source = tmp_path / "P01_S1.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
    raters.add_rater(db, "Ada", "AL")
    window = make_window(db, identity.sign_in(db, "Ada"))
    prompter: Any = window.prompter
    assert not prompter.errors  # the built-in scheme has no clash
    position = window.scheme_combo.findData("3rs-f8")
    window.scheme_combo.setCurrentIndex(position)
    window.scheme_combo.activated.emit(position)
    qtbot.waitUntil(lambda: bool(prompter.errors))
    (report,) = prompter.errors
    assert "Hotkey F8 of W1 in the scheme 3rs-f8" in report
    assert "“Next suggestion”" in report and "Hotkey Ctrl+Z of W" in report
    assert "The app's key wins" in report
    assert {(c.key, c.command) for c in window.hotkey_clashes} == {
        ("F8", "Next suggestion"),
        ("Ctrl+Z", "Undo"),
    }
    rows = {(r.key, r.where) for r in shortcut_rows(window)}
    assert ("F8", "Code key") not in rows  # the shortcuts table tells no lie

    window.open_session("P01", 1)
    window.transcript.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    window.transcript.show_turn(2)
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, Qt.Key.Key_F8)  # the panel's key, not W1
    qtbot.waitUntil(lambda: "Tick the box" in window.statusBar().currentMessage())
    assert window.ws is not None and not window.ws.codes  # W1 was not given
    qtbot.keyClick(widget, Qt.Key.Key_3)  # the scheme's other keys still work
    qtbot.waitUntil(lambda: window.ws is not None and bool(window.ws.codes))

    window.open_session("P01", 1)  # reopening does not nag again
    position = window.scheme_combo.findData("3rs-2015")
    window.scheme_combo.setCurrentIndex(position)
    window.scheme_combo.activated.emit(position)
    position = window.scheme_combo.findData("3rs-f8")
    window.scheme_combo.setCurrentIndex(position)
    window.scheme_combo.activated.emit(position)
    qtbot.waitUntil(lambda: len(window.hotkey_clashes) == 2)
    assert len(prompter.errors) == 1, prompter.errors


def test_the_message_names_key_code_command_and_the_fix() -> None:
    text = hotkey_clashes.message("lab", [hotkey_clashes.Clash("F8", "W1", "Next suggestion")])
    assert text.startswith("Hotkey F8 of W1 in the scheme lab is also the app's key")
    assert "give it another hotkey in the scheme" in text
