"""Intake forms, continued: the PD interview grid and relational-episode notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
)

from coder.domain.errors import ValidationError
from coder.domain.intake import PDInterview, RelationalNote
from coder.ui.intake_forms import IntakeForm
from coder.ui.models.intake_model import MAX_CRITERIA, PDRatingsModel

INSTRUMENTS = ("SIDP-IV", "SCID-5-PD")
NOTE_ROLE = Qt.ItemDataRole.UserRole + 1


class PDForm(IntakeForm):
    """Criterion ratings 0–3 per disorder; a disorder left empty was not assessed."""

    def __init__(self, store: Callable[[PDInterview], None], parent: Any = None) -> None:
        super().__init__("Personality disorder interview", store, parent)
        self.instrument = QComboBox()
        self.instrument.setEditable(True)
        self.instrument.addItems(INSTRUMENTS)
        top = QHBoxLayout()
        top.addWidget(QLabel("Instrument"))
        top.addWidget(self.instrument)
        top.addStretch(1)
        self.body.addLayout(top)
        self.body.addWidget(
            QLabel(
                "Ratings: 0 absent · 1 subthreshold · 2 present · 3 strongly present. "
                "Leave a disorder empty if it was not assessed."
            )
        )
        self.model = PDRatingsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, MAX_CRITERIA + 1):  # wide enough to hit with the mouse
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.body.addWidget(self.view, 1)

    def collect(self) -> PDInterview:
        name = self.instrument.currentText().strip()
        return PDInterview(self.model.ratings(name or "PD interview"), name)

    def set_value(self, pd: PDInterview | None) -> None:
        if pd is None:
            return
        self.instrument.setCurrentText(pd.instrument)
        self.model.set_ratings(pd.ratings)


class NotesForm(IntakeForm):
    """Dated free-text notes on relational episodes told at intake."""

    def __init__(
        self, store: Callable[[tuple[RelationalNote, ...]], None], parent: Any = None
    ) -> None:
        super().__init__("Relational episodes", store, parent)
        self.when = QDateEdit(QDate.currentDate())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd")
        self.text = QLineEdit()
        self.text.setPlaceholderText("What the patient told about the episode")
        self.text.returnPressed.connect(self.add_note)
        add = QPushButton("Add")
        add.clicked.connect(self.add_note)
        row = QHBoxLayout()
        row.addWidget(self.when)
        row.addWidget(self.text, 1)
        row.addWidget(add)
        self.body.addLayout(row)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.body.addWidget(self.list, 1)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_selected)
        self.body.addWidget(remove, 0, Qt.AlignmentFlag.AlignLeft)

    def add_note(self) -> None:
        try:
            when = date.fromisoformat(self.when.date().toString("yyyy-MM-dd"))
            note = RelationalNote(when, self.text.text())
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self._append(note)
        self.text.clear()
        self.show_ok("Added; press Save to store the notes.")

    def _append(self, note: RelationalNote) -> None:
        item = QListWidgetItem(f"{note.when.isoformat()} — {note.text}")
        item.setData(NOTE_ROLE, (note.when.isoformat(), note.text))
        self.list.addItem(item)

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def notes(self) -> tuple[RelationalNote, ...]:
        found = []
        for row in range(self.list.count()):
            when, text = self.list.item(row).data(NOTE_ROLE)
            found.append(RelationalNote(date.fromisoformat(when), text))
        return tuple(found)

    def collect(self) -> tuple[RelationalNote, ...]:
        return self.notes()

    def set_value(self, notes: tuple[RelationalNote, ...]) -> None:
        self.list.clear()
        for note in notes:
            self._append(note)
