"""Intake forms, continued: the PD interview grid, relational-episode notes and the
lab's IIP norms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
)

from coder.domain.errors import CoderError, ValidationError
from coder.domain.intake import OCTANTS, IIPNorms, PDInterview, RelationalNote
from coder.ui.intake_forms import OCTANT_NAMES, IntakeForm
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


def parse_norm(text: str, field: str) -> float:
    """A typed norm value as a number; the range is IIPNorms' to check."""
    text = text.strip().replace(",", ".")
    if not text:
        raise ValidationError(f"{field}: enter a number")
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not a number") from None


class IIPNormsForm(IntakeForm):
    """The lab's octant norm means and SDs (0–4 metric); none is shipped (licensed)."""

    def __init__(self, store: Callable[[IIPNorms | None], None], parent: Any = None) -> None:
        super().__init__("IIP norms", store, parent, compact=True)
        explain = QLabel(
            "Norm tables are licensed, so none is shipped: the lab enters the octant means "
            "and SDs (0–4 item-mean metric) from tables it may use. With norms set, the IIP "
            "structural summary is computed on z scores, so the amplitude thresholds in the "
            "formulation rules then refer to z units. <i>Clear norms</i> goes back to raw "
            "scores."
        )
        explain.setWordWrap(True)
        self.body.addWidget(explain)
        self.label = QLineEdit()
        self.label.setObjectName("norms_label")
        self.label.setPlaceholderText("Norm sample, e.g. the table and population used")
        top = QHBoxLayout()
        top.addWidget(QLabel("Sample"))
        top.addWidget(self.label, 1)
        self.body.addLayout(top)
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Octant</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Mean</b>"), 0, 1)
        grid.addWidget(QLabel("<b>SD</b>"), 0, 2)
        self.means: dict[str, QLineEdit] = {}
        self.sds: dict[str, QLineEdit] = {}
        for row, octant in enumerate(OCTANTS, start=1):
            grid.addWidget(QLabel(f"<b>{octant}</b> {OCTANT_NAMES[octant]}"), row, 0)
            for column, (kind, edits) in enumerate((("mean", self.means), ("sd", self.sds)), 1):
                edit = QLineEdit()
                edit.setObjectName(f"norm_{kind}_{octant}")
                edit.setPlaceholderText("0–4")
                edit.setMaximumWidth(80)
                edits[octant] = edit
                grid.addWidget(edit, row, column)
        grid.setColumnStretch(3, 1)
        self.body.addLayout(grid)
        self.clear_button = QPushButton("Clear norms")
        self.clear_button.setToolTip("Remove the norms: the structural summary uses raw scores")
        self.clear_button.clicked.connect(self.clear_norms)
        self.body.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignLeft)

    def collect(self) -> IIPNorms:
        means = {o: parse_norm(e.text(), f"IIP norm mean {o}") for o, e in self.means.items()}
        sds = {o: parse_norm(e.text(), f"IIP norm SD {o}") for o, e in self.sds.items()}
        return IIPNorms(means, sds, self.label.text().strip())

    def clear_norms(self) -> bool:
        """Store no norms (raw scores are used) and empty the fields."""
        try:
            self.store(None)
        except CoderError as exc:
            self.show_error(str(exc))
            return False
        self.set_value(None)
        self.show_ok("Norms cleared: the structural summary uses raw scores.")
        self.saved.emit(self.title())
        return True

    def set_value(self, norms: IIPNorms | None) -> None:
        self.label.setText(norms.label if norms else "")
        for octant in OCTANTS:
            self.means[octant].setText(f"{norms.means[octant]:g}" if norms else "")
            self.sds[octant].setText(f"{norms.sds[octant]:g}" if norms else "")
