"""The lead's desk: Rounds ▸ Manage rounds… and Rounds ▸ Progress…."""

from __future__ import annotations

from collections.abc import Callable

from driving import menu_item
from PySide6.QtCore import QItemSelectionModel

from coder.app import rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import RoundStatus
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.progress_view import ProgressView
from coder.ui.rounds_dialog import RoundsDialog

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def open_dialog(window: MainWindow) -> RoundsDialog:
    menu_item(window, "Manage rounds").trigger()
    dialog = window.child_windows[-1]
    assert isinstance(dialog, RoundsDialog)
    return dialog


def select(widget: object, texts: set[str]) -> None:
    for row in range(widget.count()):  # type: ignore[attr-defined]
        item = widget.item(row)  # type: ignore[attr-defined]
        item.setSelected(item.text() in texts)


def test_manage_rounds_is_lead_only(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    assert not menu_item(window, "Manage rounds").isEnabled()
    assert menu_item(window, "Progress").isEnabled()  # a rater sees their own progress


def test_a_lead_runs_a_round_from_the_dialog(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, lead)
    dialog = open_dialog(window)
    prompter = window.prompter
    prompter.answers.append("calibration")  # type: ignore[attr-defined]
    dialog.new_button.click()
    assert [(r.number, r.status) for r in rounds.list_rounds(coded_db)] == [(1, RoundStatus.OPEN)]
    assert dialog.rounds_model.rowCount() == 1 and dialog.lock_button.isEnabled()
    select(dialog.sessions, {"P01/1", "P01/2"})
    select(dialog.raters, {"Ada", "Ben"})
    dialog.assign_button.click()
    assert len(rounds.round_assignments(coded_db, 1)) == 4
    assert dialog.assignments_model.rowCount() == 4
    # take Ada's first session back
    dialog.assignments_view.selectionModel().select(
        dialog.assignments_model.index(0, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    dialog.unassign_button.click()
    assert len(rounds.round_assignments(coded_db, 1)) == 3
    # Ada finishes nothing; the lock question says who has not finished
    prompter.answers.append(True)  # type: ignore[attr-defined]
    dialog.lock_button.click()
    question = prompter.asked[-1]  # type: ignore[attr-defined]
    assert "Not finished yet" in question and "Ben: P01/1 (0/3 segments)" in question
    assert rounds.list_rounds(coded_db)[0].status is RoundStatus.LOCKED
    assert dialog.reopen_button.isEnabled() and not dialog.assign_button.isEnabled()
    dialog.reopen_button.click()  # no answer queued: the FakePrompter says no
    assert rounds.list_rounds(coded_db)[0].status is RoundStatus.LOCKED
    prompter.answers.append(True)  # type: ignore[attr-defined]
    dialog.unblind_button.click()
    assert rounds.list_rounds(coded_db)[0].status is RoundStatus.UNBLINDED
    assert "unblinded" in window.round_label.text() or window.round_label.text()


def test_a_refused_change_is_shown(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make
) -> None:
    rounds.create_round(coded_db, lead)
    window = make_window(coded_db, lead)
    dialog = open_dialog(window)
    window.prompter.answers.append("second")  # type: ignore[attr-defined]
    dialog.new_button.click()
    assert "still open" in window.prompter.errors[-1]  # type: ignore[attr-defined]


def test_progress_dashboard(
    coded_db: ProjectDatabase,
    lead: ActingRater,
    ada: ActingRater,
    ben: ActingRater,
    make_window: Make,
) -> None:
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    rounds.assign(coded_db, lead, "Ben", "P01", 2, 1)
    cs = CodingSession(coded_db, ben, "P01", 2, "3rs-2015")
    cs.set_rating("W_SIG", 1, 1)
    cs.set_rating("C_SIG", 1, 1)
    window = make_window(coded_db, lead)
    menu_item(window, "Progress").trigger()
    view = window.child_windows[-1]
    assert isinstance(view, ProgressView)
    cells = [
        [view.model.index(r, c).data() for c in range(view.model.columnCount())]
        for r in range(view.model.rowCount())
    ]
    assert [row[:3] for row in cells] == [["Ada", "P01/1", "0/3"], ["Ben", "P01/2", "1/3"]]
    assert cells[1][3] and not cells[0][3]  # Ben's last edit time; Ada has none
    window.set_coder(ada)  # closes the lead's windows
    assert window.assignments_label.text() == ("Round 1: 1 session assigned, 1 to finish: P01/1.")
    window.set_coder(ben)
    assert window.assignments_label.text() == "Round 1: 1 session assigned, 1 to finish: P01/2."
    cs.set_rating("W_SIG", 2, 1)
    cs.set_rating("C_SIG", 2, 1)
    cs.set_rating("W_SIG", 3, 1)
    cs.set_rating("C_SIG", 3, 1)
    window.refresh_sessions()  # as the live refresh does after an edit
    assert window.assignments_label.text() == "Round 1: 1 session assigned, all finished."
    window.set_coder(ada)
    menu_item(window, "Progress").trigger()
    view = window.child_windows[-1]
    assert isinstance(view, ProgressView)
    assert {view.model.index(r, 0).data() for r in range(view.model.rowCount())} == {"Ada"}
