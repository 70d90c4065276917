"""Undo and redo as a rater uses them (Ctrl+Z, Ctrl+Y): a deletion comes back exactly as
it was, repeated edits of one thing are one step, and when the services refuse an undo
or redo (or the database fails) the stack, the grid and the database stay in step and the
rater is told in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from driving import code_phrase, press, redo, undo
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from coder.app import rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.stored_code import StoredCode
from coder.domain.coding import RoundStatus
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def own(db: ProjectDatabase, coder: ActingRater) -> list[StoredCode]:
    return CodingSession(db, coder, "P01", 1).own_codes()


def grid_cell(window: MainWindow, code_id: str, segment: int) -> object:
    grid = window.grid.grid
    column = next(i for i, c in enumerate(grid.columns) if c.id == code_id)
    row = grid.row_of_segment(segment)
    assert row is not None
    return grid.index(row, column).data()


def delete_selected_code(window: MainWindow, qtbot: QtBot) -> None:
    window.applied.setFocus()
    window.applied.setCurrentIndex(window.applied.applied.index(0))
    qtbot.keyClick(window.applied, Qt.Key.Key_Delete)


def test_undo_of_a_deletion_brings_the_code_back_exactly(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    code_phrase(window, qtbot, 2, "Fine. I guess.", "2")  # W2 with its evidence
    prompter: Any = window.prompter
    prompter.answers.append("flat voice")
    window.applied.setCurrentIndex(window.applied.applied.index(0))
    window.applied.setFocus()
    from coder.ui.window_menus import edit_memo

    edit_memo(window)
    [before] = own(coded_db, ada)
    assert before.memo == "flat voice" and before.evidence is not None

    delete_selected_code(window, qtbot)
    assert own(coded_db, ada) == []
    assert grid_cell(window, "W2", 1) in (None, "")
    assert window.statusBar().currentMessage() == "Remove W2"

    window.transcript.setFocus()
    undo(window, qtbot)
    [back] = own(coded_db, ada)
    assert (back.uid, back.code_id, back.evidence, back.memo, back.created_at) == (
        before.uid,
        before.code_id,
        before.evidence,
        before.memo,
        before.created_at,
    )
    assert grid_cell(window, "W2", 1) == "●"
    assert window.statusBar().currentMessage() == "Undid: remove W2"
    redo(window, qtbot)
    assert own(coded_db, ada) == []


def test_repeated_boundary_moves_are_one_undo_step(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    assert window.ws is not None
    original = [(s.first_turn, s.last_turn) for s in window.ws.segments]
    window.transcript.show_turn(4)  # segment 2 starts here
    window.transcript.setFocus()
    press(window, qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # start later: turn 5
    assert window.ws.segments[1].first_turn == 5
    window.transcript.show_turn(5)
    window.transcript.setFocus()
    press(window, qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # and back: turn 4
    press(window, qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # earlier still: turn 3
    assert window.ws.segments[1].first_turn == 3
    assert window.ws.stack.count() == 1  # merged: one step for the whole adjustment
    undo(window, qtbot)
    assert [(s.first_turn, s.last_turn) for s in window.ws.segments] == original
    assert [
        (s.first_turn, s.last_turn) for s in CodingSession(coded_db, lead, "P01", 1).segments
    ] == original


def test_ratings_of_different_segments_are_separate_steps(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    grid = window.grid
    column = next(i for i, c in enumerate(grid.grid.columns) if c.id == "W_SIG")
    grid.setFocus()
    for segment, digits in ((1, "23"), (2, "4")):
        grid.setCurrentIndex(grid.grid.index(grid.grid.row_of_segment(segment), column))
        for digit in digits:
            qtbot.keyClick(grid, digit)
    values = {c.unit_index: c.value for c in own(coded_db, ada)}
    assert values == {1: 3, 2: 4}
    undo(window, qtbot)  # segment 2's rating
    assert {c.unit_index: c.value for c in own(coded_db, ada)} == {1: 3}
    undo(window, qtbot)  # segment 1's 2 then 3: one step
    assert own(coded_db, ada) == []
    assert grid_cell(window, "W_SIG", 1) is None


def test_a_refused_redo_leaves_stack_grid_and_data_in_step(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
) -> None:
    rounds.create_round(coded_db, lead, "pilot")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert window.ws is not None
    code_phrase(window, qtbot, 2, "Fine.", "2")
    undo(window, qtbot)
    assert own(coded_db, ada) == [] and window.ws.stack.index() == 0

    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    redo(window, qtbot)  # would code into the locked round
    assert "Could not redo code W2 in segment 1" in window.statusBar().currentMessage()
    assert "locked" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.ws is not None and window.ws.stack.index() == 0)
    assert own(coded_db, ada) == []
    assert grid_cell(window, "W2", 1) in (None, "")
    assert window.ws.stack.canRedo()  # still there, for when the round is reopened

    rounds.set_round_status(coded_db, lead, 1, RoundStatus.OPEN)
    redo(window, qtbot)
    assert [c.code_id for c in own(coded_db, ada)] == ["W2"]
    assert window.ws.stack.index() == 1


def test_a_database_failure_during_undo_is_reported_in_words(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert window.ws is not None
    code_phrase(window, qtbot, 2, "Fine.", "2")
    before = own(coded_db, ada)

    def unreachable(*_: object, **__: object) -> None:
        raise OSError("database is unreachable")

    monkeypatch.setattr(CodingSession, "remove", unreachable)
    undo(window, qtbot)
    message = window.statusBar().currentMessage()
    assert message == "Could not undo code W2 in segment 1: database is unreachable"
    prompter: Any = window.prompter
    [(summary, details, _log)] = prompter.unexpected  # a fault, not a refusal: the dialog
    assert "trying to undo code W2 in segment 1" in summary
    assert "OSError: database is unreachable" in summary and "Traceback" in details
    qtbot.waitUntil(lambda: window.ws is not None and window.ws.stack.index() == 1)
    assert own(coded_db, ada) == before  # nothing changed...
    assert grid_cell(window, "W2", 1) == "●"  # ...and the grid says so

    monkeypatch.undo()
    undo(window, qtbot)  # the database is back: the same undo now works
    assert own(coded_db, ada) == [] and window.ws.stack.index() == 0
