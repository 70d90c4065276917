"""Lead-only menu items are disabled for anyone else, and say why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from coder.app import rounds
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
LEAD_ONLY = {
    "&Manage rounds…": "manage coding rounds",
    "&Blinding…": "change when raters are blinded",
    "Reliability and &consensus…": "open reliability and consensus",
}


def rounds_menu(window: MainWindow) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == "&Rounds"]
    assert len(menus) == 1 and isinstance(menus[0], QMenu)
    return menus[0]


def lead_only_actions(window: MainWindow) -> dict[str, QAction]:
    found = {a.text(): a for a in rounds_menu(window).actions() if a.text() in LEAD_ONLY}
    assert set(found) == set(LEAD_ONLY)
    return found


@pytest.mark.parametrize("who", ["ada", None])
def test_lead_only_actions_are_disabled_for_others_and_say_why(
    request: pytest.FixtureRequest, coded_db: ProjectDatabase, make_window: Make, who: str | None
) -> None:
    coder = request.getfixturevalue(who) if who else None
    window = make_window(coded_db, coder)
    assert rounds_menu(window).toolTipsVisible()
    for text, action in lead_only_actions(window).items():
        assert not action.isEnabled(), text
        expected = f"Only a lead can {LEAD_ONLY[text]}; sign in as a lead (File ▸ Switch rater…)"
        assert action.toolTip() == expected
        assert action.statusTip() == expected


def test_lead_only_actions_are_enabled_for_a_lead(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, lead)
    for text, action in lead_only_actions(window).items():
        assert action.isEnabled(), text
        assert "Only a lead" not in action.toolTip()
    assert "(leads)" in lead_only_actions(window)["Reliability and &consensus…"].statusTip()


def test_switching_rater_updates_the_actions(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, lead)
    window.set_coder(ada)
    assert not any(a.isEnabled() for a in lead_only_actions(window).values())
    window.set_coder(lead)
    assert all(a.isEnabled() for a in lead_only_actions(window).values())


@pytest.mark.parametrize(("who", "opened"), [("ada", 0), ("lead", 1)])
def test_the_shortcut_reaches_a_lead_only_action_only_for_a_lead(
    request: pytest.FixtureRequest,
    qtbot: QtBot,
    coded_db: ProjectDatabase,
    make_window: Make,
    who: str,
    opened: int,
) -> None:
    window = make_window(coded_db, request.getfixturevalue(who))
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_R, both)  # Reliability and consensus…
    assert len(window.child_windows) == opened
    for child in window.child_windows:
        child.close()


def test_a_lead_starts_a_round_from_the_menu(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, lead)
    window.prompter.answers.append("calibration")  # type: ignore[attr-defined]
    lead_only_actions(window)["&Manage rounds…"].trigger()
    dialog = window.child_windows[-1]
    dialog.new_button.click()  # type: ignore[attr-defined]
    assert [r.name for r in rounds.list_rounds(coded_db)] == ["calibration"]
    dialog.close()


def test_the_rounds_menu_has_one_place_for_rounds(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make
) -> None:
    """Opening, locking, reopening and unblinding live in the Rounds dialog only: the
    menu offers no second, slightly different way to do them."""
    window = make_window(coded_db, lead)
    texts = [a.text().replace("&", "") for a in rounds_menu(window).actions() if a.text()]
    assert texts == [
        "Manage rounds…",
        "Blinding…",
        "Progress…",
        "Reliability and consensus…",
        "Audit trail…",
    ]
