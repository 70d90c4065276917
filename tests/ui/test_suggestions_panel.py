"""The Suggestions panel on the real window, driven by keys: faint marks in the
transcript, F8 jumps to a suggestion,
Enter accepts it as the rater's own code (Ctrl+Z takes it back), Delete dismisses it,
and an open round hides them all."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coder.app import access, rounds
from coder.app.identity import ActingRater
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SessionRow,
    TranscriptRow,
    TurnRow,
)
from coder.ui.main_window import MainWindow
from coder.ui.models.turns_model import HIGHLIGHTS_ROLE, Column

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
MACHINE = "Machine · 0123abcd"


def store_machine_codes(db: ProjectDatabase, codes: list[tuple[str, int, int, float]]) -> None:
    """(code, segment, turn, probability) on P01/1, stored as ``coder screen run`` does."""
    with db.transaction() as s:
        machine = RaterRow(name=MACHINE, initials="MC", role=RaterRole.MACHINE.value)
        s.add(machine)
        s.flush()
        sid = s.scalar(
            select(SessionRow.id)
            .join(PatientRow)
            .where(PatientRow.code == "P01", SessionRow.number == 1)
        )
        scheme_id = s.scalar(select(SchemeRow.id).where(SchemeRow.key == "3rs-2015"))
        texts = dict(
            s.execute(
                select(TurnRow.index, TurnRow.text)
                .join(TranscriptRow)
                .where(TranscriptRow.session_id == sid)
            ).all()
        )
        for code, segment, turn, p in codes:
            s.add(
                CodeApplicationRow(
                    session_id=sid, rater_id=machine.id, scheme_id=scheme_id, code_id=code,
                    unit="segment", unit_index=segment, evidence_turn=turn, evidence_start=0,
                    evidence_end=len(texts[turn]), value=1, probability=p,
                )
            )  # fmt: skip


def press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


def marks(window: MainWindow, turn: int) -> list[str]:
    """Labels of the suggestion marks the transcript draws on ``turn``."""
    index = window.transcript.turns.index(turn - 1, Column.TEXT)
    return [h.label for h in index.data(HIGHLIGHTS_ROLE) or [] if h.label.startswith("sugg")]


def test_jump_accept_undo_dismiss_by_keys(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    store_machine_codes(coded_db, [("W1", 2, 4, 0.9), ("C1", 3, 6, 0.7), ("W2", 1, 2, 0.3)])
    access.set_suggestions_enabled(coded_db, lead, True)
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    panel = window.suggestions
    assert not panel.enabled.isChecked() and panel.list.count() == 0  # off by default
    qtbot.keyClick(panel.enabled, Qt.Key.Key_Space)
    assert panel.enabled.isChecked()
    assert [panel.list.item(i).text()[:10] for i in range(panel.list.count())] == [
        "0.90  W1  ",
        "0.70  C1  ",
    ]  # ranked; W2 (0.3) is under the 0.5 threshold
    assert window.ws is not None and all(c.rater_id == ada.rater_id for c in window.ws.codes)
    assert marks(window, 4) == ["suggestion W1 (p 0.90, Machine · 0123abcd)"]  # faint mark
    assert marks(window, 2) == []  # under the threshold: no mark either

    window.transcript.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    press(qtbot, Qt.Key.Key_F8)  # from anywhere in the window: the first suggestion
    qtbot.waitUntil(lambda: window.transcript.current_turn() == 4)
    press(qtbot, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: window.transcript.current_turn() == 6)
    press(qtbot, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.transcript.current_turn() == 4)

    panel.list.setFocus()
    qtbot.waitUntil(panel.list.hasFocus)
    press(qtbot, Qt.Key.Key_Return)  # accept W1 on turn 4
    mine = [c for c in window.ws.codes if c.rater_id == ada.rater_id]
    assert [
        (c.code_id, c.unit_index, c.evidence and c.evidence.turn, c.probability) for c in mine
    ] == [("W1", 2, 4, 0.9)]
    assert panel.list.count() == 1 and "C1" in panel.list.item(0).text()
    assert marks(window, 4) == [] and marks(window, 6)  # accepted: Ada's own code now
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the usual undo
    qtbot.waitUntil(lambda: panel.list.count() == 2)
    assert not [c for c in window.ws.codes if c.rater_id == ada.rater_id]

    panel.list.setCurrentRow(1)
    press(qtbot, Qt.Key.Key_Delete)  # dismiss C1 (stored: see the next test)
    assert panel.list.count() == 1 and "W1" in panel.list.item(0).text()

    rounds.create_round(coded_db, lead, "reliability 1")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    panel.refresh()
    assert panel.list.count() == 0 and "Round 1 is open" in panel.note.text()


def test_a_dismissed_suggestion_stays_dismissed_after_a_restart(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    """Delete dismisses for good (stored per rater): a new window leaves it out and counts
    it; "dismissed too" lists it greyed, and Delete on it (or Ctrl+Z) takes it back."""
    store_machine_codes(coded_db, [("W1", 2, 4, 0.9), ("C1", 3, 6, 0.7)])
    access.set_suggestions_enabled(coded_db, lead, True)
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    panel = window.suggestions
    qtbot.keyClick(panel.enabled, Qt.Key.Key_Space)
    panel.list.setFocus()
    qtbot.waitUntil(panel.list.hasFocus)
    panel.list.setCurrentRow(1)
    press(qtbot, Qt.Key.Key_Delete)  # dismiss C1
    assert panel.list.count() == 1 and "(1 dismissed)" in panel.note.text()
    assert marks(window, 6) == []
    window.close()

    again = make_window(coded_db, ada)  # as after a restart: nothing kept in memory
    again.open_session("P01", 1)
    panel = again.suggestions
    qtbot.keyClick(panel.enabled, Qt.Key.Key_Space)
    assert [panel.list.item(i).text()[:8] for i in range(panel.list.count())] == ["0.90  W1"]
    assert "1 suggestion(s)" in panel.note.text() and "(1 dismissed)" in panel.note.text()
    qtbot.keyClick(panel.show_dismissed, Qt.Key.Key_Space)
    assert panel.list.count() == 2 and panel.list.item(1).text().endswith("(dismissed)")
    assert marks(again, 6) == []  # a dismissed suggestion is never marked in the transcript
    panel.list.setFocus()
    qtbot.waitUntil(panel.list.hasFocus)
    panel.list.setCurrentRow(1)
    assert panel.dismiss_button.text() == "Restore (Del)"
    press(qtbot, Qt.Key.Key_Delete)  # on a dismissed one: take the dismissal back
    assert panel.dismiss_button.text() == "Dismiss (Del)"
    assert not panel.list.item(1).text().endswith("(dismissed)")
    assert "dismissed)" not in panel.note.text()
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: dismissed again
    qtbot.waitUntil(lambda: panel.list.item(1).text().endswith("(dismissed)"))
    qtbot.keyClick(panel.show_dismissed, Qt.Key.Key_Space)
    assert panel.list.count() == 1
