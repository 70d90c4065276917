"""Rounds ▸ Manage rounds… (leads): rounds and their status, assignments, and the moves
open → lock → (reopen) → unblind.

Every change goes through :mod:`coder.app.rounds`, which checks the role itself; every
question goes through the window's :class:`~coder.ui.prompter.Prompter`. Locking first
lists who has not finished their assigned sessions (:func:`coder.app.progress.unfinished_in_round`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.app import browse, progress, raters, rounds
from coder.domain.coding import CodingRound, RoundStatus
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole
from coder.ui.host import WindowHost
from coder.ui.models.rounds_model import AssignmentsModel, RoundsModel

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def unfinished_text(rows: list[progress.ProgressRow]) -> str:
    """The lock question's list of who has not finished."""
    if not rows:
        return "Every rater has finished every assigned session."
    lines = [f"  • {r.rater}: {r.patient}/{r.session} ({r.done}/{r.total} segments)" for r in rows]
    return "Not finished yet:\n" + "\n".join(lines)


class RoundsDialog(QDialog):
    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Coding rounds")
        self.resize(820, 520)
        self.rounds_model = RoundsModel(self)
        self.rounds_view = QTableView()
        self.rounds_view.setModel(self.rounds_model)
        self.rounds_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rounds_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rounds_view.horizontalHeader().setStretchLastSection(True)
        self.rounds_view.verticalHeader().hide()
        self.new_button = QPushButton("&Open new round…")
        self.lock_button = QPushButton("&Lock…")
        self.reopen_button = QPushButton("&Reopen")
        self.unblind_button = QPushButton("&Unblind…")
        self.new_button.clicked.connect(self.open_new)
        self.lock_button.clicked.connect(lambda: self.change(RoundStatus.LOCKED))
        self.reopen_button.clicked.connect(lambda: self.change(RoundStatus.OPEN))
        self.unblind_button.clicked.connect(lambda: self.change(RoundStatus.UNBLINDED))
        buttons = QHBoxLayout()
        for button in (self.new_button, self.lock_button, self.reopen_button, self.unblind_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.sessions = QListWidget()
        self.sessions.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.raters = QListWidget()
        self.raters.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.assignments_model = AssignmentsModel(self)
        self.assignments_view = QTableView()
        self.assignments_view.setModel(self.assignments_model)
        self.assignments_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.assignments_view.horizontalHeader().setStretchLastSection(True)
        self.assignments_view.verticalHeader().hide()
        self.assign_button = QPushButton("&Assign selected sessions to selected raters")
        self.unassign_button = QPushButton("Re&move selected assignments")
        self.assign_button.clicked.connect(self.assign_selected)
        self.unassign_button.clicked.connect(self.unassign_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)

        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Sessions</b> (Ctrl/Shift-click for several)"), 0, 0)
        grid.addWidget(QLabel("<b>Raters</b>"), 0, 1)
        self.assigned_label = QLabel("<b>Assigned in this round</b>")
        grid.addWidget(self.assigned_label, 0, 2)
        grid.addWidget(self.sessions, 1, 0)
        grid.addWidget(self.raters, 1, 1)
        grid.addWidget(self.assignments_view, 1, 2)
        grid.addWidget(self.assign_button, 2, 0, 1, 2)
        grid.addWidget(self.unassign_button, 2, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Rounds</b>"))
        layout.addWidget(self.rounds_view, 1)
        layout.addLayout(buttons)
        layout.addLayout(grid, 2)
        layout.addWidget(self.message)
        self.rounds_view.selectionModel().currentRowChanged.connect(lambda *_: self._round_chosen())
        self.refresh()

    # ---- reading ------------------------------------------------------------------------
    def refresh(self, select: int | None = None) -> None:
        """Reload rounds, sessions and raters, keeping the chosen round if it still exists."""
        keep = select if select is not None else self._selected_number()
        listed = rounds.list_rounds(self.window_.db)
        self.rounds_model.set_rows(listed)
        numbers = [r.number for r in listed]
        row = numbers.index(keep) if keep in numbers else len(listed) - 1
        if row >= 0:
            self.rounds_view.selectRow(row)
        self._fill(
            self.sessions,
            [
                (f"{s.patient}/{s.session}", (s.patient, s.session))
                for s in browse.session_summaries(self.window_.db)
            ],
        )
        self._fill(
            self.raters,
            [
                (r.name, r.name)
                for r in raters.list_raters(self.window_.db)
                if r.role is RaterRole.RATER
            ],
        )
        self._round_chosen()

    @staticmethod
    def _fill(widget: QListWidget, items: list[tuple[str, object]]) -> None:
        chosen = {i.data(KEY_ROLE) for i in widget.selectedItems()}
        widget.clear()
        for text, key in items:
            item = QListWidgetItem(text)
            item.setData(KEY_ROLE, key)
            widget.addItem(item)
            item.setSelected(key in chosen)

    def selected_round(self) -> CodingRound | None:
        index = self.rounds_view.currentIndex()
        return self.rounds_model.rows[index.row()] if index.isValid() else None

    def _selected_number(self) -> int | None:
        chosen = self.selected_round()
        return chosen.number if chosen else None

    def _round_chosen(self) -> None:
        chosen = self.selected_round()
        status = chosen.status if chosen else None
        self.lock_button.setEnabled(status is RoundStatus.OPEN)
        self.reopen_button.setEnabled(status is RoundStatus.LOCKED)
        self.unblind_button.setEnabled(status is RoundStatus.LOCKED)
        self.assign_button.setEnabled(status is RoundStatus.OPEN)
        self.unassign_button.setEnabled(status is RoundStatus.OPEN)
        self.assignments_model.set_rows(
            rounds.round_assignments(self.window_.db, chosen.number) if chosen else []
        )
        self.assigned_label.setText(
            f"<b>Assigned in round {chosen.number}</b>" if chosen else "<b>Assigned</b>"
        )

    # ---- changing -----------------------------------------------------------------------
    def _do(self, work: Callable[[], str]) -> bool:
        try:
            said = work()
        except CoderError as exc:
            self.window_.prompter.error("Coding rounds", str(exc))
            return False
        self.message.setText(said)
        self.window_.show_message(said)
        self.window_.reload_views()
        return True

    def open_new(self) -> None:
        coder = self.window_.coder
        name = self.window_.prompter.text(
            "New coding round", "Name of the round (e.g. calibration 1):"
        )
        if name is None or coder is None:
            return
        created: list[CodingRound] = []

        def work() -> str:
            created.append(rounds.create_round(self.window_.db, coder, name))
            return f"Round {created[0].number} is open: raters now see only their own codes"

        if self._do(work):
            self.refresh(created[0].number)

    def change(self, status: RoundStatus) -> None:
        chosen, coder = self.selected_round(), self.window_.coder
        if chosen is None or coder is None:
            return
        if status is RoundStatus.LOCKED:
            unfinished = progress.unfinished_in_round(
                self.window_.db, coder, chosen.number, self.window_.scheme_key
            )
            question = (
                f"Lock round {chosen.number}? Its codes can no longer change.\n\n"
                + unfinished_text(unfinished)
            )
        elif status is RoundStatus.UNBLINDED:
            question = (
                f"Unblind round {chosen.number}? Every rater will see everyone's codes. "
                "This cannot be undone."
            )
        else:
            question = f"Reopen round {chosen.number}? Its raters can change their codes again."
        if not self.window_.prompter.confirm("Coding round", question):
            return

        def work() -> str:
            rounds.set_round_status(self.window_.db, coder, chosen.number, status)
            return f"Round {chosen.number} is {status.value}"

        if self._do(work):
            self.refresh(chosen.number)

    def _chosen_keys(self, widget: QListWidget) -> list[Any]:
        return [i.data(KEY_ROLE) for i in widget.selectedItems()]

    def assign_selected(self) -> None:
        chosen, coder = self.selected_round(), self.window_.coder
        sessions = [(str(p), int(n)) for p, n in self._chosen_keys(self.sessions)]
        names = self._chosen_keys(self.raters)
        if chosen is None or coder is None or not sessions or not names:
            self.message.setText("Choose one or more sessions and one or more raters first")
            return

        def work() -> str:
            for name in names:
                for patient, number in sessions:
                    rounds.assign(self.window_.db, coder, str(name), patient, number, chosen.number)
            return (
                f"Assigned {len(sessions)} session(s) to {', '.join(map(str, names))} "
                f"in round {chosen.number}"
            )

        if self._do(work):
            self._round_chosen()

    def unassign_selected(self) -> None:
        chosen, coder = self.selected_round(), self.window_.coder
        rows = sorted({i.row() for i in self.assignments_view.selectionModel().selectedRows()})
        picked = [self.assignments_model.rows[r] for r in rows]
        if chosen is None or coder is None or not picked:
            self.message.setText("Choose assignments to remove first")
            return

        def work() -> str:
            for a in picked:
                rounds.unassign(self.window_.db, coder, a.rater, a.patient, a.session, a.round)
            return f"Removed {len(picked)} assignment(s) from round {chosen.number}"

        if self._do(work):
            self._round_chosen()


def open_rounds_dialog(window: WindowHost) -> QWidget | None:
    if window.coder is None or not window.coder.is_lead:
        window.show_message("Only a lead can manage coding rounds")
        return None
    dialog = RoundsDialog(window)
    dialog.show()
    return dialog
