"""Rounds ▸ Audit trail…: a lead's non-modal window; disabled for a rater."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from coder.app import rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.audit_view import AuditView
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
ITEM = "Audit &trail…"


def audit_action(window: MainWindow) -> QAction:
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == "&Rounds"]
    (action,) = [a for a in menus[0].actions() if a.text() == ITEM]  # type: ignore[union-attr]
    return action


def test_lead_reads_and_filters_the_trail(
    coded_db: ProjectDatabase, lead: ActingRater, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    CodingSession(coded_db, ada, "P01", 1).set_rating("W_SIG", 2, 3)
    window = make_window(coded_db, lead)
    action = audit_action(window)
    assert action.isEnabled()
    action.trigger()
    (view,) = [c for c in window.child_windows if isinstance(c, AuditView)]
    assert view.isVisible() and not view.isModal()
    total = view.model.rowCount()
    assert total >= 3 and view.count.text() == f"{total} entries"
    view.filter.setText("w_sig")  # case-insensitive, any column
    assert view.proxy.rowCount() == 1
    row = [view.proxy.index(0, c).data() for c in range(8)]
    assert row[1:6] == ["Ada", "insert", "code_applications", row[4], "P01 #1"]
    assert view.count.text() == f"1 of {total}"
    view.filter.clear()
    rounds.create_round(coded_db, lead, "pilot")
    view.refresh_button.click()
    assert view.model.rowCount() == total + 1
    assert view.model.entries[-1].table == "coding_rounds"


def test_disabled_for_a_rater_and_refuses_if_opened(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    action = audit_action(window)
    assert not action.isEnabled()
    assert "Only a lead can read the audit trail" in action.toolTip()
    view = AuditView(coded_db, ada)  # even if something opened it anyway
    qtbot.addWidget(view)
    assert view.model.rowCount() == 0 and "only a lead" in view.message.text()
