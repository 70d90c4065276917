"""Rounds ▸ Progress…: per rater × session, segments done of total and the last edit.

A lead sees every rater; a rater sees only their own rows (how many codes others made is
information blinding withholds), as :func:`coder.app.progress.progress_table` decides.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.app import progress
from coder.domain.errors import CoderError
from coder.ui.host import WindowHost
from coder.ui.models.rounds_model import ProgressModel


class ProgressView(QDialog):
    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Coding progress")
        self.resize(720, 440)
        self.model = ProgressModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSortingEnabled(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.refresh)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(bottom)
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = progress.progress_table(
                self.window_.db, self.window_.coder, self.window_.scheme_key
            )
        except CoderError as exc:
            self.model.set_rows([])
            self.summary.setText(str(exc))
            return
        current = self.table.currentIndex()
        self.model.set_rows(rows)
        if current.isValid() and current.row() < len(rows):
            self.table.setCurrentIndex(self.model.index(current.row(), current.column()))
        self.table.resizeColumnsToContents()
        finished = sum(r.finished for r in rows)
        who = "" if self.window_.coder is None or self.window_.coder.is_lead else " (yours only)"
        self.summary.setText(f"{finished} of {len(rows)} rater × session pairs finished{who}")


def open_progress_view(window: WindowHost) -> QWidget | None:
    if window.coder is None:
        window.show_message("Choose who you are first (File ▸ Switch rater)")
        return None
    view = ProgressView(window)
    view.show()
    return view
