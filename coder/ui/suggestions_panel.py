"""The Suggestions panel: a screening model's codes for the open session, ranked by
probability and marked faintly in the transcript, for the rater to check one by one
(issue 16; docs/screening.md).

Off by default (the "Show suggestions" box), and shown only where
:func:`coder.app.access.suggestions_refusal` allows it (a lead turned suggestions on, and
no open round covers the session); otherwise the panel says why. Keys, with the list
focused: ↑/↓ move and jump the transcript to the suggestion, Enter accepts it as the
rater's own code (through the same undo stack as a hotkey: Ctrl+Z takes it back), Delete
dismisses it: stored per rater, so it stays dismissed after a restart (Ctrl+Z, or Delete
on it with "dismissed too" ticked, takes it back). F8 / Shift+F8 jump to the next /
previous suggestion from anywhere in the window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coder.app.suggestions import Suggestion, list_suggestions
from coder.domain.errors import CoderError
from coder.ui import undo
from coder.ui.host import WindowHost
from coder.ui.models.turns_model import Highlight
from coder.ui.style import SUGGESTION_COLOUR
from coder.ui.workspace import Workspace

UID = Qt.ItemDataRole.UserRole
DEFAULT_THRESHOLD = 0.5


class SuggestionsPanel(QWidget):
    """Lists :func:`coder.app.suggestions.list_suggestions` for the open workspace."""

    jumpRequested = Signal(int)  # a turn to show in the transcript
    message = Signal(str)
    marksChanged = Signal()  # the faint marks in the transcript must be redrawn

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        """``controller`` runs undo commands (:class:`coder.ui.coding_controller.
        CodingController`), so an accepted suggestion is stored like any code."""
        super().__init__(parent)
        self.controller = controller
        self.ws: Workspace | None = None
        self.items: list[Suggestion] = []
        self._marks: dict[int, list[Highlight]] = {}
        self.enabled = QCheckBox("Show suggestions")
        self.enabled.setToolTip("A screening model's codes for this session (off by default)")
        self.enabled.toggled.connect(self.refresh)
        self.threshold = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.05)
        self.threshold.setValue(DEFAULT_THRESHOLD)
        self.threshold.setToolTip("Show suggestions at least this probable")
        self.threshold.valueChanged.connect(self.refresh)
        self.show_dismissed = QCheckBox("dismissed too")
        self.show_dismissed.setToolTip("List the suggestions you dismissed, to take one back")
        self.show_dismissed.toggled.connect(self.refresh)
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._current_changed)
        self.list.installEventFilter(self)
        self.accept_button = QPushButton("Accept (Enter)")
        self.accept_button.clicked.connect(self.accept_current)
        self.dismiss_button = QPushButton("Dismiss (Del)")
        self.dismiss_button.clicked.connect(self.dismiss_current)
        self.note = QLabel(wordWrap=True)
        top = QHBoxLayout()
        top.addWidget(self.enabled, 1)
        top.addWidget(QLabel("at least p ="))
        top.addWidget(self.threshold)
        top.addWidget(self.show_dismissed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.next_action = QAction("Next suggestion", self)
        self.next_action.setShortcut(QKeySequence(Qt.Key.Key_F8))
        self.next_action.triggered.connect(lambda: self.step(1))
        self.previous_action = QAction("Previous suggestion", self)
        self.previous_action.setShortcut(QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_F8))
        self.previous_action.triggered.connect(lambda: self.step(-1))
        self._show([], "Tick the box to see a screening model's suggestions.")

    # ---- workspace ----------------------------------------------------------------------
    def set_workspace(self, ws: Workspace | None) -> None:
        if self.ws is not None:
            self.ws.changed.disconnect(self.refresh)
        self.ws = ws
        if ws is not None:
            ws.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Ask the service again: after every edit (an accepted suggestion leaves the
        list), a change of threshold, or the box being ticked."""
        ws = self.ws
        if ws is None:
            self._show([], "Open a session to see suggestions.")
            return
        if not self.enabled.isChecked():
            self._show([], "Tick the box to see a screening model's suggestions.")
            return
        try:
            found = list_suggestions(
                ws.cs, self.threshold.value(), include_dismissed=self.show_dismissed.isChecked()
            )
        except CoderError as exc:
            self._show([], str(exc))
            return
        if found.refusal:
            self._show([], found.refusal.capitalize() + ".")
        else:
            listed = sum(1 for s in found.items if not s.dismissed)
            note = f"{listed} suggestion(s) at p ≥ {self.threshold.value():.2f}"
            note += f" ({found.dismissed} dismissed)." if found.dismissed else "."
            self._show(found.items, note + " Check each against the transcript.")

    def _show(self, items: list[Suggestion], note: str) -> None:
        row = self.list.currentRow()
        self.items = items
        with QSignalBlocker(self.list):
            self.list.clear()
            for s in items:
                where = f"turn {s.turn}" if s.turn else f"segment {s.segment}"
                name = self._code_name(s.code_id)
                gone = "  (dismissed)" if s.dismissed else ""
                item = QListWidgetItem(f"{s.probability:.2f}  {s.code_id}  {where}  {name}{gone}")
                if s.dismissed:
                    item.setForeground(Qt.GlobalColor.gray)
                item.setData(UID, s.uid)
                item.setToolTip(f"{s.machine}: {s.code_id} with probability {s.probability:.3f}")
                self.list.addItem(item)
            if items and row >= 0:  # none current until the rater moves: F8 goes to the first
                self.list.setCurrentRow(min(row, len(items) - 1))
        self.note.setText(note)
        for button in (self.accept_button, self.dismiss_button):
            button.setEnabled(bool(items))
        self._label_dismiss()
        marks: dict[int, list[Highlight]] = {}
        for s in items:
            if s.span is not None and not s.dismissed:
                label = f"suggestion {s.code_id} (p {s.probability:.2f}, {s.machine})"
                marks.setdefault(s.span.turn, []).append(
                    Highlight(s.span.start, s.span.end, SUGGESTION_COLOUR, label)
                )
        if marks != self._marks:  # redraw only when they change: not on every hotkey
            self._marks = marks
            self.marksChanged.emit()

    def marks(self) -> dict[int, list[Highlight]]:
        """Faint marks for the listed suggestions, by turn (the window draws them)."""
        return self._marks

    def _code_name(self, code_id: str) -> str:
        scheme = self.ws.scheme if self.ws else None
        return scheme.code(code_id).name if scheme and scheme.is_code(code_id) else ""

    # ---- moving, accepting, dismissing --------------------------------------------------
    def current(self) -> Suggestion | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _current_changed(self, _row: int) -> None:
        s = self.current()
        self._label_dismiss()
        if s is not None:
            self.jump(s)

    def _label_dismiss(self) -> None:
        s = self.current()
        self.dismiss_button.setText("Restore (Del)" if s and s.dismissed else "Dismiss (Del)")

    def jump(self, s: Suggestion) -> None:
        turn = s.turn
        if turn is None and self.ws is not None:
            turn = self.ws.cs.segment(s.segment).first_turn
        if turn is not None:
            self.jumpRequested.emit(turn)

    def step(self, direction: int) -> bool:
        """F8 / Shift+F8: select (and jump to) the next / previous suggestion."""
        if not self.items:
            self.message.emit(self.note.text())
            return False
        current = self.list.currentRow()
        row = (current + direction) % len(self.items) if current >= 0 else 0
        if row == current:  # one suggestion: jump to it again
            self._current_changed(row)
        self.list.setCurrentRow(row)
        return True

    def accept_current(self) -> bool:
        s, ws = self.current(), self.ws
        if s is None or ws is None:
            return False
        return bool(self.controller.run(undo.AcceptSuggestion(ws, s)))

    def dismiss_current(self) -> bool:
        """Dismiss the current suggestion (stored, undoable); on a dismissed one (listed
        with "dismissed too"), take the dismissal back."""
        s, ws = self.current(), self.ws
        if s is None or ws is None:
            return False
        return bool(self.controller.run(undo.DismissSuggestion(ws, s, restore=s.dismissed)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        key_press = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
        if watched is self.list and key_press:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                return self.accept_current() or True
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                return self.dismiss_current() or True
        return super().eventFilter(watched, event)


def install(window: WindowHost) -> SuggestionsPanel:
    """Dock the panel in the main window (right side, under the codebook) and give the
    window F8 / Shift+F8. The window keeps the panel and calls its ``set_workspace``."""
    panel = SuggestionsPanel(window.controller, window)
    window.add_dock("Suggestions", panel, Qt.DockWidgetArea.RightDockWidgetArea)
    panel.jumpRequested.connect(lambda turn: window.transcript.show_turn(turn))
    panel.message.connect(window.show_message)
    panel.marksChanged.connect(window.redraw_workspace)
    window.addAction(panel.next_action)
    window.addAction(panel.previous_action)
    return panel
