"""What a rater's hands do in the main window, for the GUI tests: keys to the focused
widget, menu items found by their visible text, a phrase selected in a turn, a rating
cell picked in the grid.

One place, so every test that claims "as a rater would" drives the window the same way
(a key press goes where Qt's focus is, never straight to a service), and a change in how
the window takes keys is mended here once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from coder.ui.main_window import MainWindow


def press(
    window: MainWindow,
    qtbot: QtBot,
    key: str | Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """``key`` to the widget that has the focus (the window itself if none has)."""
    qtbot.keyClick(window.focusWidget() or window, key, modifier)


def undo(window: MainWindow, qtbot: QtBot) -> None:
    press(window, qtbot, "z", Qt.KeyboardModifier.ControlModifier)


def redo(window: MainWindow, qtbot: QtBot) -> None:
    press(window, qtbot, "y", Qt.KeyboardModifier.ControlModifier)


def select_in_turn(window: MainWindow, turn: int, phrase: str) -> None:
    """Go to ``turn`` and select the first ``phrase`` in its text, focus in the text."""
    window.transcript.show_turn(turn)
    editor = window.transcript.editor()
    assert editor is not None
    start = editor.toPlainText().index(phrase)
    cursor = editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(phrase), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.setFocus()


def code_phrase(window: MainWindow, qtbot: QtBot, turn: int, phrase: str, hotkey: str) -> None:
    """Select ``phrase`` in ``turn`` and press the code's key."""
    select_in_turn(window, turn, phrase)
    press(window, qtbot, hotkey)


def rating_cell(window: MainWindow, rating_id: str, segment: int) -> None:
    """Focus the grid on ``rating_id``'s cell of ``segment``, ready for digit keys."""
    grid = window.grid
    column = next(i for i, c in enumerate(grid.grid.columns) if c.id == rating_id)
    row = grid.grid.row_of_segment(segment)
    assert row is not None, f"no segment {segment} in the grid"
    grid.setFocus()
    grid.setCurrentIndex(grid.grid.index(row, column))


def menu_item(window: MainWindow, text: str, *, exact: bool = False) -> QAction:
    """The item of any top-level menu whose text (without the ``&``) is or starts with
    ``text``."""
    for top in window.menuBar().actions():
        menu = top.menu()
        for item in menu.actions() if isinstance(menu, QMenu) else []:
            shown = item.text().replace("&", "")
            if shown == text or (not exact and shown.startswith(text)):
                return item
    raise AssertionError(f"no menu item {text!r}")
