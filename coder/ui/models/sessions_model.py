"""Patients and their sessions as a two-level tree, with the acting rater's progress."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel

from coder.app.browse import SessionSummary

SESSION_KEY_ROLE = 0x0101  # Qt.UserRole + 1: (patient, session number) of a session row


def _item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


class SessionsModel(QStandardItemModel):
    """Rebuilt from summaries; small (hundreds of rows), so a standard model is enough."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Patient / session", "Turns", "Done"])
        self._rows: dict[tuple[str, int], QStandardItem] = {}

    def set_sessions(
        self,
        summaries: list[SessionSummary],
        progress: dict[tuple[str, int], tuple[int, int]] | None = None,
    ) -> None:
        self.removeRows(0, self.rowCount())
        self._rows = {}
        patients: dict[str, QStandardItem] = {}
        for s in summaries:
            parent = patients.get(s.patient)
            if parent is None:
                parent = _item(s.patient)
                self.appendRow([parent, _item(""), _item("")])
                patients[s.patient] = parent
            title = f"Session {s.session}" + (f" ({s.label})" if s.label else "")
            item = _item(title)
            item.setData((s.patient, s.session), SESSION_KEY_ROLE)
            if s.source_name:
                item.setToolTip(f"Imported from {s.source_name}")
            done = _item("")
            parent.appendRow([item, _item(str(s.n_turns)), done])
            self._rows[(s.patient, s.session)] = done
            if progress and (s.patient, s.session) in progress:
                self.set_progress(s.patient, s.session, *progress[(s.patient, s.session)])

    def set_progress(self, patient: str, session: int, done: int, total: int) -> None:
        item = self._rows.get((patient, session))
        if item is not None:
            item.setText(f"{done}/{total}" + (" ✓" if total and done == total else ""))
            item.setToolTip(f"{done} of {total} segments have all their ratings from you")
