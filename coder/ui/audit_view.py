"""Rounds ▸ Audit trail…: the lead reads who changed what, when, before and after.

A non-modal window over :func:`coder.app.audit.list_entries` (which refuses anyone but a
lead, or the owner of a project without one): a table model, a filter box matching any
column, and a Refresh button. Nothing here changes the trail; nothing can.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.app import audit
from coder.app.identity import ActingRater
from coder.domain.errors import CoderError
from coder.store.database import ProjectDatabase
from coder.ui.host import WindowHost

TITLE = "Audit trail"
HEADERS = ("When (UTC)", "Who", "Action", "Table", "Row", "Session", "Before", "After")
Index = QModelIndex | QPersistentModelIndex


class AuditModel(QAbstractTableModel):
    """Audit entries as rows, in :data:`coder.app.audit.COLUMNS` order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[audit.AuditEntry] = []
        self._cells: list[tuple[str, ...]] = []

    def set_entries(self, entries: list[audit.AuditEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self._cells = [e.cells() for e in entries]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell if len(cell) <= 120 else cell[:119] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() >= 6:
            return cell
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


class AuditView(QMainWindow):
    def __init__(self, db: ProjectDatabase, coder: ActingRater | None, parent: Any = None) -> None:
        super().__init__(parent)
        self.db, self.coder = db, coder
        self.setWindowTitle(TITLE)
        self.resize(1300, 700)
        self.model = AuditModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(placeholderText="Filter: a rater, table, session, value…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.count = QLabel()
        self.message = QLabel(wordWrap=True)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(False)  # the trail reads in the order it happened
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        top.addWidget(self.refresh_button)
        body = QVBoxLayout()
        body.addLayout(top)
        body.addWidget(self.message)
        body.addWidget(self.table, 1)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)
        self.proxy.rowsInserted.connect(self._count)
        self.proxy.modelReset.connect(self._count)
        self.filter.textChanged.connect(self._count)
        self.refresh()

    def refresh(self) -> None:
        try:
            entries = audit.list_entries(self.db, self.coder)
        except CoderError as exc:
            self.model.set_entries([])
            self.message.setText(str(exc))
            self.message.show()
            self.table.setEnabled(False)
            self.filter.setEnabled(False)
            return
        self.message.hide()
        self.model.set_entries(entries)
        self.table.resizeColumnsToContents()
        self.table.scrollToBottom()  # the newest changes first in view

    def _count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{shown} of {total}" if shown != total else f"{total} entries")


def open_audit_view(
    db: ProjectDatabase, coder: ActingRater | None, parent: Any = None
) -> AuditView:
    view = AuditView(db, coder, parent)
    view.setWindowFlag(Qt.WindowType.Window)
    view.show()
    return view


def audit_trail_item(w: WindowHost) -> tuple[QAction, str, str]:
    """The lead-only menu entry (action, what it is, what it does)."""
    action = QAction("Audit &trail…", w)
    action.triggered.connect(lambda: _open(w))
    return action, "read the audit trail", "Who changed what, when, before and after (leads)"


def _open(w: WindowHost) -> None:
    if w.coder is None:
        w.show_message("Choose who you are first (File ▸ Switch rater)")
        return
    w.child_windows.append(open_audit_view(w.db, w.coder, w))
