"""Patients and their sessions as a two-level tree model."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel

from coder.app.browse import SessionSummary

SESSION_KEY_ROLE = 0x0101  # Qt.UserRole + 1: (patient, session number) of a session row


class SessionsModel(QStandardItemModel):
    """Rebuilt from summaries; small (hundreds of rows), so a standard model is enough."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Patient / session", "Turns"])

    def set_sessions(self, summaries: list[SessionSummary]) -> None:
        self.removeRows(0, self.rowCount())
        patients: dict[str, QStandardItem] = {}
        for s in summaries:
            parent = patients.get(s.patient)
            if parent is None:
                parent = QStandardItem(s.patient)
                parent.setEditable(False)
                count = QStandardItem("")
                count.setEditable(False)
                self.appendRow([parent, count])
                patients[s.patient] = parent
            title = f"Session {s.session}" + (f" ({s.label})" if s.label else "")
            item = QStandardItem(title)
            item.setEditable(False)
            item.setData((s.patient, s.session), SESSION_KEY_ROLE)
            if s.source_name:
                item.setToolTip(f"Imported from {s.source_name}")
            turns = QStandardItem(str(s.n_turns))
            turns.setEditable(False)
            parent.appendRow([item, turns])
