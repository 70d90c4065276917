"""Patients and their sessions as a two-level tree, with the acting rater's progress."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QStandardItem, QStandardItemModel

from coder.app.browse import SessionSummary

SESSION_KEY_ROLE = 0x0101  # Qt.UserRole + 1: (patient, session number) of a session row

Progress = dict[tuple[str, int], tuple[int, int]]  # (patient, session) -> (done, total)


def _item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


class SessionsModel(QStandardItemModel):
    """Rebuilt from summaries when the sessions change; when only the progress does (a
    rater signs in, a refresh after someone else's codes), just the "Done" cells are
    rewritten: rebuilding a lab project's 4,000 sessions (12,600 items) took ~70 ms."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Patient / session", "Turns", "Done"])
        self._rows: dict[tuple[str, int], QStandardItem] = {}
        self._summaries: list[SessionSummary] | None = None
        self._shown: Progress = {}

    def set_sessions(
        self, summaries: list[SessionSummary], progress: Progress | None = None
    ) -> bool:
        """Show ``summaries`` with ``progress``; True if the rows were rebuilt (False:
        the same sessions as shown, only their progress was updated in place)."""
        if summaries == self._summaries:
            self._show_progress(progress or {})
            return False
        self.removeRows(0, self.rowCount())
        self._rows = {}
        self._shown = {}
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
        self._summaries = list(summaries)
        self._show_progress(progress or {})
        return True

    def _show_progress(self, progress: Progress) -> None:
        """Rewrite the "Done" cells whose value differs from ``progress`` (a session
        missing from it shows nothing)."""
        for key, value in progress.items():
            if self._shown.get(key) != value:
                self.set_progress(*key, *value)
        for key in [k for k in self._shown if k not in progress]:
            item = self._rows.get(key)
            if item is not None:
                item.setText("")
                item.setToolTip("")
            del self._shown[key]

    def index_of(self, patient: str, session: int) -> QModelIndex:
        """The session's row (first column); invalid if it is not listed."""
        item = self._rows.get((patient, session))
        return item.index().siblingAtColumn(0) if item is not None else QModelIndex()

    def set_progress(self, patient: str, session: int, done: int, total: int) -> None:
        item = self._rows.get((patient, session))
        if item is not None:
            item.setText(f"{done}/{total}" + (" ✓" if total and done == total else ""))
            item.setToolTip(f"{done} of {total} segments have all their ratings from you")
            self._shown[(patient, session)] = (done, total)
