"""Live refresh: changes written elsewhere appear without losing the user's place."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction

from coder.app import rounds
from coder.app.changes import change_marker
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def action(window: MainWindow, text: str) -> QAction:
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for item in menu.actions() if menu is not None else []:  # type: ignore[union-attr]
            if item.text().replace("&", "") == text:
                return item
    raise AssertionError(f"no menu item {text!r}")


def test_the_marker_changes_with_every_kind_of_write(
    coded_db: ProjectDatabase, lead: ActingRater, ada: ActingRater
) -> None:
    first = change_marker(coded_db)
    assert change_marker(coded_db) == first
    rounds.create_round(coded_db, lead)
    second = change_marker(coded_db)
    assert second != first
    cs = CodingSession(coded_db, ada, "P01", 1, "3rs-2015")
    code = cs.apply_code("W1", segment=1)
    third = change_marker(coded_db)
    assert third != second
    cs.set_memo(code, "a memo")
    assert change_marker(coded_db) != third


def test_an_outside_write_shows_without_losing_the_place(
    coded_db: ProjectDatabase, lead: ActingRater, ada: ActingRater, make_window: Make, qtbot: object
) -> None:
    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    assert window.ws is not None
    window.transcript.show_turn(4)
    segment = window.current_segment
    assert not window.ws.codes
    other = ProjectDatabase.open(coded_db.url)  # another program on the same project
    try:
        CodingSession(other, ada, "P01", 1, "3rs-2015").apply_code("W2", segment=2)
        rounds.create_round(other, lead, "from the CLI")
    finally:
        other.close()
    qtbot.waitUntil(lambda: window.ws is not None and len(window.ws.codes) == 1, timeout=2000)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "1" in window.round_label.text(), timeout=2000)  # type: ignore[attr-defined]
    assert window.transcript.current_turn() == 4 and window.current_segment == segment


def test_own_edits_do_not_reload_and_f5_does(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    live = window.live_refresh
    live.poll()
    assert window.ws is not None
    window.ws.cs.apply_code("W1", segment=1)  # as an undo command would, then:
    window.ws.committed("coded")
    assert not live.poll() and live.reloads == 0
    action(window, "Refresh").trigger()
    assert live.reloads == 1
    assert action(window, "Refresh").shortcut().toString() == "F5"
