"""The coding controller's edge cases, as a rater meets them: keys pressed before a session
is open, nothing selected to code, someone else's code, clearing a rating never given,
a stage key with no turn, a stage into a locked round. Each gets words in the status bar
and leaves the undo stack and the database as they were."""

from __future__ import annotations

from collections.abc import Callable

from driving import rating_cell
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from coder.app import identity, raters, rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import RoundStatus, TextSpan
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_a_code_key_before_any_session_is_open_says_so(
    coded_db: ProjectDatabase, make_window: Make, qtbot: QtBot
) -> None:
    raters.add_rater(coded_db, "Cleo", "CT")
    window = make_window(coded_db, identity.sign_in(coded_db, "Cleo"))  # no last position
    assert window.ws is None
    qtbot.keyClick(window.focusWidget() or window, "1")
    assert status(window) == "Open a session first"


def test_a_codebook_item_not_in_the_scheme_is_named(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert window.controller.activate("WS1") is False  # a stage of the other scheme
    assert status(window) == "WS1 is not in this scheme"
    assert window.ws is not None and window.ws.stack.count() == 0


def test_a_rating_key_moves_to_the_ratings_cell(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.transcript.show_turn(4)  # segment 2
    assert window.controller.activate("W_SIG") is True
    grid = window.grid
    current = grid.currentIndex()
    assert grid.grid.columns[current.column()].id == "W_SIG"
    assert grid.grid.segment_index(current.row()) == 2
    qtbot.keyClick(grid, "4")
    assert [(c.code_id, c.unit_index, c.value) for c in window.ws.cs.own_codes()] == [  # type: ignore[union-attr]
        ("W_SIG", 2, 4)
    ]


def test_with_nothing_selected_a_code_key_asks_for_a_selection(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    from coder.ui.coding_controller import CodingController

    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    # The window's controller always has a current segment once a turn is shown; one
    # wired to a view where nothing is current meets the case a rater can reach by
    # clearing the transcript's selection before the first turn is shown.
    said: list[str] = []
    controller = CodingController(lambda: None, lambda: 0, lambda: None, lambda: None)
    controller.message.connect(said.append)
    controller.set_workspace(window.ws)
    assert controller.code("W1") is False
    assert said[0] == "Select text or a segment to code"
    assert window.ws is not None and window.ws.cs.own_codes() == []


def test_a_stage_key_needs_a_turn(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    from coder.ui.coding_controller import CodingController

    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    position = window.scheme_combo.findData("safran-muran-stages")
    window.scheme_combo.activated.emit(position)
    said: list[str] = []
    controller = CodingController(lambda: None, lambda: 0, lambda: None, lambda: None)
    controller.message.connect(said.append)
    controller.set_workspace(window.ws)
    assert controller.activate("WS1") is False
    assert said == ["Choose the turn where the stage happens"]
    assert window.ws is not None and window.ws.stack.count() == 0


def test_a_lead_cannot_delete_a_raters_code(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
) -> None:
    CodingSession(coded_db, ada, "P01", 1).apply_code("W2", span=TextSpan(2, 0, 5))
    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    window.transcript.show_turn(2)
    assert window.applied.applied.rowCount() == 1  # Ada's W2, visible to the lead
    window.applied.setFocus()
    window.applied.setCurrentIndex(window.applied.applied.index(0))
    qtbot.keyClick(window.applied, Qt.Key.Key_Delete)
    assert status(window) == "You can remove only your own codes"
    assert [c.code_id for c in CodingSession(coded_db, ada, "P01", 1).own_codes()] == ["W2"]
    assert window.ws is not None and window.ws.stack.count() == 0


def test_clearing_a_rating_never_given_does_nothing(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    grid = window.grid
    rating_cell(window, "W_SIG", 1)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert window.ws is not None and window.ws.stack.count() == 0  # no empty undo step
    qtbot.keyClick(grid, "2")
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert window.ws.cs.own_codes() == []
    assert window.ws.stack.count() == 1  # set and cleared: one merged step


def test_a_stage_key_into_a_locked_round_stores_nothing(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
) -> None:
    rounds.create_round(coded_db, lead, "pilot")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    position = window.scheme_combo.findData("safran-muran-stages")
    window.scheme_combo.activated.emit(position)
    window.transcript.show_turn(2)
    window.transcript.setFocus()
    qtbot.keyClick(window.focusWidget() or window, "1")  # would start an episode
    assert "Not saved" in status(window) and "locked" in status(window)
    assert window.ws is not None and window.ws.episodes == []
    assert not window.ws.stack.canUndo()  # the half-made macro left nothing to undo
