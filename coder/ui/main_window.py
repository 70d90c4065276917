"""Main window: composition only; every piece of data comes from coder.app services."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QTreeView,
)

from coder.app import browse, projects
from coder.store.database import ProjectDatabase, describe
from coder.ui.models.sessions_model import SESSION_KEY_ROLE, SessionsModel
from coder.ui.models.turns_model import Column, TurnsModel


class MainWindow(QMainWindow):
    def __init__(self, db: ProjectDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(f"Rupture Coder — {projects.project_name(db)}")
        self.resize(1280, 800)

        self.sessions_model = SessionsModel(self)
        self.sessions_view = QTreeView()
        self.sessions_view.setModel(self.sessions_model)
        self.sessions_view.setUniformRowHeights(True)
        self.sessions_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sessions_view.clicked.connect(self._session_clicked)
        self.sessions_view.activated.connect(self._session_clicked)

        self.turns_model = TurnsModel(self)
        self.turns_view = QTableView()
        self.turns_view.setModel(self.turns_model)
        self.turns_view.setWordWrap(True)
        self.turns_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.turns_view.verticalHeader().setVisible(False)
        header = self.turns_view.horizontalHeader()
        header.setSectionResizeMode(int(Column.TEXT), QHeaderView.ResizeMode.Stretch)
        for column in (Column.INDEX, Column.TIME, Column.SPEAKER):
            header.setSectionResizeMode(int(column), QHeaderView.ResizeMode.ResizeToContents)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sessions_view)
        splitter.addWidget(self.turns_view)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([280, 1000])
        self.setCentralWidget(splitter)

        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.refresh()

    def refresh(self) -> None:
        self.sessions_model.set_sessions(browse.session_summaries(self.db))
        self.sessions_view.expandAll()
        self.sessions_view.resizeColumnToContents(0)
        c = projects.counts(self.db)
        self.status_label.setText(
            f"{describe(self.db.url)} — {c.patients} patients, {c.sessions} sessions, "
            f"{c.turns} turns, {c.raters} raters"
        )

    def open_session(self, patient: str, number: int) -> None:
        transcript = browse.load_transcript(self.db, patient, number)
        self.turns_model.set_transcript(transcript)
        self.turns_view.resizeRowsToContents()
        self.statusBar().showMessage(
            f"{patient} session {number}: {len(transcript.turns)} turns "
            f"from {transcript.source_name or 'unknown source'}"
        )

    def _session_clicked(self, index: QModelIndex) -> None:
        key = index.siblingAtColumn(0).data(SESSION_KEY_ROLE)
        if key is not None:
            self.open_session(*key)
