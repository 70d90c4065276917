"""Coding a session without the mouse: rating key, Tab between panels, memo dialog,
side warning and find, all by key presses on the real window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from coder.app.identity import Coder
from coder.domain.coding import Unit
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.memo_dialog import MemoDialog
from coder.ui.models.turns_model import HIGHLIGHTS_ROLE, Column

Make = Callable[[ProjectDatabase, Coder | None], MainWindow]


def key(
    qtbot: QtBot, k: Any, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, k, modifier)


def focused(window: MainWindow) -> str:
    widget = QApplication.focusWidget()
    names = {
        "transcript": window.transcript,
        "grid": window.grid,
        "session ratings": window.session_form,
        "codebook": window.codebook,
        "applied": window.applied,
    }
    for name, panel in names.items():
        if widget is panel or (widget is not None and panel.isAncestorOf(widget)):
            return name
    return repr(widget)


def test_rating_key_and_digits_rate_the_current_segment(
    coded_db: ProjectDatabase, ada: Coder, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    qtbot.waitUntil(lambda: focused(window) == "transcript")
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)  # turn 4: segment 2
    assert window.current_segment == 2
    key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert focused(window) == "grid"
    assert window.grid.grid.column(window.grid.currentIndex().column()).id == "W_SIG"
    key(qtbot, "4")
    key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # next unrated: C_SIG
    assert window.grid.grid.column(window.grid.currentIndex().column()).id == "C_SIG"
    key(qtbot, "2")
    ratings = {
        (c.code_id, c.unit_index, c.value)
        for c in window.ws.cs.own_codes()  # type: ignore[union-attr]
        if c.unit is Unit.SEGMENT
    }
    assert ratings == {("W_SIG", 2, 4), ("C_SIG", 2, 2)}


def test_tab_walks_the_panels_and_back(
    coded_db: ProjectDatabase, ada: Coder, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    first_rating = window.session_form.combo(window.session_form.rating_ids()[0])
    qtbot.waitUntil(first_rating.isVisible)  # the form's rows are shown by the event loop
    qtbot.waitUntil(lambda: focused(window) == "transcript")
    order = []
    for _ in range(5):
        key(qtbot, Qt.Key.Key_Tab)
        order.append(focused(window))
    assert order == ["grid", "session ratings", "codebook", "applied", "transcript"]
    key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused(window) == "applied"
    # From inside a turn's text (Enter), Tab still leaves for the grid.
    window.transcript.setFocus()
    key(qtbot, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.transcript.editor()
    key(qtbot, Qt.Key.Key_Tab)
    assert focused(window) == "grid"
    assert window.transcript.current_turn() == 1  # Tab did not move the turn


def test_memo_dialog_names_the_code_and_segment(
    coded_db: ProjectDatabase, ada: Coder, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    qtbot.waitUntil(lambda: focused(window) == "transcript")
    key(qtbot, Qt.Key.Key_Down)  # turn 2, a patient's
    key(qtbot, "2")  # W2 toggled on in segment 1
    prompter: Any = window.prompter
    prompter.answers.append("short answer")
    key(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert prompter.asked[-1] == "memo on W2 — Minimal response at segment 1"
    assert [c.memo for c in window.ws.cs.own_codes() if c.code_id == "W2"] == ["short answer"]  # type: ignore[union-attr]


def test_memo_dialog_ctrl_enter_saves_and_escape_cancels(qtbot: QtBot) -> None:
    dialog = MemoDialog("W2 — Minimal response", "segment 1, turn 2", "first")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "W2 — Minimal response" in dialog.heading.text()
    assert "segment 1, turn 2" in dialog.heading.text()
    qtbot.keyClicks(dialog.edit, " thought")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.text() == "first thought"
    again = MemoDialog("W2", "segment 1")
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.keyClicks(again.edit, "never mind")
    with qtbot.waitSignal(again.rejected):
        qtbot.keyClick(again.edit, Qt.Key.Key_Escape)
    assert again.result() == QDialog.DialogCode.Rejected


def test_patient_marker_on_a_therapist_turn_warns_but_saves(
    coded_db: ProjectDatabase, ada: Coder, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    qtbot.waitUntil(lambda: focused(window) == "transcript")
    key(qtbot, Qt.Key.Key_Return)  # into turn 1's text (the therapist's)
    key(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    key(qtbot, "1")  # W1, a patient withdrawal marker
    codes = [c for c in window.ws.cs.own_codes() if c.code_id == "W1"]  # type: ignore[union-attr]
    assert len(codes) == 1 and codes[0].evidence is not None
    message = window.statusBar().currentMessage()
    assert message.startswith("⚠ W1 is a patient marker, but turn 1 is the therapist's")
    # A strategy on the therapist's turn is what it should be: no warning.
    window.transcript.show_turn(3)
    window.transcript.setFocus()
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    key(qtbot, "A")  # R1, a therapist resolution strategy
    assert not window.statusBar().currentMessage().startswith("⚠")


def test_find_highlights_every_match_and_counts(
    coded_db: ProjectDatabase, ada: Coder, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search_box
    qtbot.keyClicks(window.search_box, "we")
    label = window.finder.label
    total = len(window.finder.matches)
    assert total >= 3 and label.text() == f"{total} matches"
    highlighted = sum(
        len(
            [
                h
                for h in window.transcript.turns.index(r, Column.TEXT).data(HIGHLIGHTS_ROLE)
                if h.label == "find"
            ]
        )
        for r in range(window.transcript.turns.rowCount())
    )
    assert highlighted == total
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert label.text() == f"1 of {total}"
    first_turn = window.transcript.current_turn()
    assert first_turn == window.finder.matches[0][0]
    key(qtbot, Qt.Key.Key_F3)
    assert label.text() == f"2 of {total}"
    key(qtbot, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert label.text() == f"1 of {total}"
    window.search_box.setText("zebra")
    assert label.text() == "no matches"
