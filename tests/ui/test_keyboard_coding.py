"""Coding a session without the mouse: rating key, Tab between panels, memo dialog,
side warning and find, all by key presses on the real window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from backend import NewProject
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from coder.app import identity, importing, raters, schemes
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.domain.coding import Unit
from coder.store.database import ProjectDatabase
from coder.ui.help_menu import shortcut_rows
from coder.ui.main_window import MainWindow
from coder.ui.memo_dialog import MemoDialog
from coder.ui.models.turns_model import HIGHLIGHTS_ROLE, Column

REPO = Path(__file__).resolve().parents[2]
TIMED = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:05:40] T: You said fine, but you sound tired.
[00:06:10] P: I don't want to talk about it. Can we talk about work instead?
[00:11:00] T: We can. I notice we moved away from how you feel, though.
[00:12:00] P: Honestly, these sessions are not helping me at all.
"""
Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


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
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
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
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
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
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
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
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
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
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
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


# ---- a whole session by keyboard, with rating hotkeys from the scheme ---------------------
RATING_KEYS = {"W_SIG": "F6", "C_SIG": "F7", "G_W": "F9"}  # F8 jumps to suggestions


def scheme_with_rating_keys(tmp_path: Path) -> Path:
    """3RS-2015 under another id, with hotkeys on two segment ratings and one session
    rating (the built-in scheme declares none)."""
    text = (REPO / "schemes" / "3rs-2015.yaml").read_text(encoding="utf-8")
    text = text.replace('id: "3rs-2015"', 'id: "3rs-keys"', 1)
    for rating_id, hotkey in RATING_KEYS.items():
        text = text.replace(
            f"  - id: {rating_id}\n", f'  - id: {rating_id}\n    hotkey: "{hotkey}"\n', 1
        )
    path = tmp_path / "3rs-keys.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class MouseCounter(QObject):
    """Counts mouse presses anywhere in the application: the test must make none."""

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self.presses += 1
        return False


def test_a_rater_codes_a_whole_session_ratings_included_without_the_mouse(
    tmp_path: Path, make_window: Make, qtbot: QtBot, new_project: NewProject
) -> None:
    db = new_project("keys")
    try:
        schemes.add_scheme_file(db, scheme_with_rating_keys(tmp_path))
        source = tmp_path / "P01_S1.txt"
        source.write_text(TIMED, encoding="utf-8")
        assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
        raters.add_rater(db, "Ada", "AL")
        window = make_window(db, identity.sign_in(db, "Ada"))
        position = window.scheme_combo.findData("3rs-keys")
        window.scheme_combo.setCurrentIndex(position)
        window.scheme_combo.activated.emit(position)  # as when picked in the toolbar
        window.open_session("P01", 1)
        assert window.ws is not None and window.ws.scheme.id == "3rs-keys"
        segments = [s.index for s in window.ws.segments]
        assert len(segments) >= 2
        rows = {(r.key, r.where): r.action for r in shortcut_rows(window)}
        assert rows[("F6", "Rating key")] == (
            "W_SIG — Withdrawal significance: go to it, then type the value"
        )  # the shortcuts table lists the scheme's rating keys
        mouse = MouseCounter()
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(mouse)
        qtbot.waitUntil(lambda: focused(window) == "transcript")

        for n, segment in enumerate(segments):
            assert window.current_segment == segment
            key(qtbot, "1")  # W1 — present in this segment
            key(qtbot, Qt.Key.Key_F6)  # W_SIG's own key: straight to its cell
            assert focused(window) == "grid"
            assert window.grid.grid.column(window.grid.currentIndex().column()).id == "W_SIG"
            key(qtbot, "3")
            key(qtbot, Qt.Key.Key_F7)
            assert window.grid.grid.column(window.grid.currentIndex().column()).id == "C_SIG"
            key(qtbot, "1")
            key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # back to text
            assert focused(window) == "transcript"
            if n + 1 < len(segments):
                key(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)

        qtbot.waitUntil(window.session_form.combo("G_W").isVisible)  # shown by the event loop
        key(qtbot, Qt.Key.Key_F9)  # the session rating G_W: its drop-down
        assert QApplication.focusWidget() is window.session_form.combo("G_W")
        key(qtbot, Qt.Key.Key_Down)
        key(qtbot, Qt.Key.Key_Down)  # not rated → 1 → 2

        app.removeEventFilter(mouse)
        stored = {
            (c.code_id, c.unit, c.unit_index, c.value)
            for c in CodingSession(
                db, identity.sign_in(db, "Ada"), "P01", 1, "3rs-keys"
            ).own_codes()
        }
        expected = {("G_W", Unit.SESSION, 1, 2)}
        for segment in segments:
            expected |= {
                ("W1", Unit.SEGMENT, segment, None),
                ("W_SIG", Unit.SEGMENT, segment, 3),
                ("C_SIG", Unit.SEGMENT, segment, 1),
            }
        assert {(i, u, x, v if i != "W1" else None) for i, u, x, v in stored} == expected
        assert mouse.presses == 0
    finally:
        db.close()
