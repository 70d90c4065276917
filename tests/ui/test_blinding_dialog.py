"""Rounds ▸ Blinding… as the lead uses it: the real choice dialog, the refusal while a
round is open (in words), and open sessions following the new setting at once.

Tests coder/ui/blinding.py; named apart from tests/app/test_blinding.py because test
modules share one namespace (no __init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from coder.app import access, rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import BlindingPolicy
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.prompter import Prompter

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def blinding_action(window: MainWindow) -> Any:
    for top in window.menuBar().actions():
        menu = top.menu()
        for action in menu.actions() if menu is not None else []:  # type: ignore[attr-defined]
            if action.text().replace("&", "") == "Blinding…":
                return action
    raise AssertionError("no Rounds ▸ Blinding…")


def pick(qtbot: QtBot, starts_with: str, seen: list[list[str]]) -> Callable[[QWidget], None]:
    def answer(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox)
        assert combo is not None
        options = [combo.itemText(i) for i in range(combo.count())]
        seen.append([options[combo.currentIndex()], *options])
        target = next(i for i, o in enumerate(options) if o.startswith(starts_with))
        while combo.currentIndex() != target:
            qtbot.keyClick(
                combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
            )
        qtbot.keyClick(combo, Qt.Key.Key_Return)

    return answer


def lead_window(make_window: Make, db: ProjectDatabase, lead: ActingRater) -> MainWindow:
    window = make_window(db, lead)
    window.prompter = Prompter(window)
    window.open_session("P01", 1)
    return window


def test_the_lead_relaxes_blinding_and_open_sessions_follow(
    coded_db: ProjectDatabase,
    ben: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    modal: Any,
) -> None:
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    window = lead_window(make_window, coded_db, lead)
    seen: list[list[str]] = []
    modal.then(pick(qtbot, "Never", seen))
    blinding_action(window).trigger()
    assert seen[0][0].startswith("Always")  # the dialog opens on the current setting
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.NEVER
    assert window.statusBar().currentMessage().startswith("Blinding is now: Never")
    assert "Ben" in {c.rater for c in window.ws.codes}  # type: ignore[union-attr]

    modal.then(pick(qtbot, "Never", seen))  # the same again: nothing to change
    modal.then(lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    window.statusBar().clearMessage()
    blinding_action(window).trigger()
    blinding_action(window).trigger()
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.NEVER
    assert window.statusBar().currentMessage() == ""


def test_relaxing_blinding_during_an_open_round_is_refused_in_words(
    coded_db: ProjectDatabase,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    modal: Any,
) -> None:
    rounds.create_round(coded_db, lead, "pilot")
    window = lead_window(make_window, coded_db, lead)
    shown: list[str] = []

    def read(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        shown.append(dialog.text())
        qtbot.mouseClick(dialog.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    modal.then(pick(qtbot, "During rounds", []))
    modal.then(read)
    blinding_action(window).trigger()
    assert shown == ["round 1 is open: lock it before relaxing blinding"]
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.ALWAYS
