"""The segments grid with the mouse and the spin box: a double-click on a code's cell
toggles it, a double-click on a rating cell opens a spin box limited to the scale, a read-only grid
(someone else's codes) changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox
from pytestqt.qtbot import QtBot

from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def column_of(window: MainWindow, item_id: str) -> int:
    return next(i for i, c in enumerate(window.grid.grid.columns) if c.id == item_id)


def own(window: MainWindow) -> list[tuple[str, int, int | None]]:
    assert window.ws is not None
    return [(c.code_id, c.unit_index, c.value) for c in window.ws.cs.own_codes()]


def double_click(window: MainWindow, qtbot: QtBot, row: int, column: int) -> None:
    grid = window.grid
    index = grid.grid.index(row, column)
    point = grid.visualRect(index).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_double_click_on_a_code_cell_toggles_it(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    w3 = column_of(window, "W3")
    double_click(window, qtbot, 1, w3)
    assert own(window) == [("W3", 2, 1)]
    assert window.grid.grid.index(1, w3).data() == "●"
    assert window.current_segment == 2  # clicking the row moved to its segment
    double_click(window, qtbot, 1, w3)
    assert own(window) == []


def test_double_click_on_a_rating_opens_a_spin_box_limited_to_the_scale(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    grid = window.grid
    w_sig = column_of(window, "W_SIG")
    # (F2 is the window's "select text in turn" key, so the mouse opens the editor)
    double_click(window, qtbot, 0, w_sig)
    box = grid.findChild(QSpinBox)
    assert box is not None and box.isVisible()
    column = grid.grid.column(w_sig)
    assert (box.minimum(), box.maximum()) == (column.minimum, column.maximum)
    assert box.value() == column.minimum  # nothing rated yet
    qtbot.keyClick(box, Qt.Key.Key_Up)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # the view commits it from the event loop
    qtbot.waitUntil(lambda: own(window) == [("W_SIG", 1, column.minimum + 2)])
    double_click(window, qtbot, 0, w_sig)  # opens on the stored value
    box = next(b for b in grid.findChildren(QSpinBox) if b.isVisible())
    assert box.value() == column.minimum + 2
    qtbot.keyClick(box, Qt.Key.Key_Up)
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # cancelled: the stored value stays
    qtbot.waitUntil(lambda: not shiboken6.isValid(box) or not box.isVisible())
    assert own(window) == [("W_SIG", 1, column.minimum + 2)]


def test_others_codes_shown_read_only_cannot_be_toggled(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.grid.grid.read_only = True  # as for a consensus or another rater's view
    double_click(window, qtbot, 0, column_of(window, "W1"))
    assert own(window) == []
