"""Choose sessions (and a machine rater's name) for Screening ▸ Run the model on sessions….

A checkable list of every session with a transcript, labelled ``P01/2`` as on the
command line (``--sessions P01/2``), with *All* / *None* and a filter box, because a lab
screens tens or hundreds of sessions at once. Sessions without a transcript are listed
but cannot be ticked: the model has nothing to read there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coder.app.browse import SessionSummary

KEY = Qt.ItemDataRole.UserRole


class SessionPicker(QDialog):
    """Tick sessions; :meth:`chosen` gives them as ``PATIENT/SESSION`` selectors."""

    def __init__(
        self, sessions: list[SessionSummary], model_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run the screening model")
        self.filter = QLineEdit(placeholderText="Filter (patient code or label)")
        self.filter.textChanged.connect(self._filter)
        self.list = QListWidget()
        for s in sessions:
            text = f"{s.patient}/{s.session}" + (f" — {s.label}" if s.label else "")
            item = QListWidgetItem(f"{text}  ({s.n_turns} turns)")
            item.setData(KEY, f"{s.patient}/{s.session}")
            if s.n_turns:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            else:
                off = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(item.flags() & ~off)  # checkable by default: not this one
                item.setToolTip("No transcript: nothing to screen")
            self.list.addItem(item)
        self.list.itemChanged.connect(self._update)
        self.name = QLineEdit(placeholderText=model_name)
        self.name.setToolTip("The machine rater the codes are stored as")
        every = QPushButton("All")
        every.clicked.connect(lambda: self._tick_all(True))
        none = QPushButton("None")
        none.clicked.connect(lambda: self._tick_all(False))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.count = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(every)
        row.addWidget(none)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "The model's codes are stored as a machine rater's, replacing that rater's "
                "codes in these sessions. Raters never see them as codes (blinded); a lead "
                "can turn them on as suggestions.",
                wordWrap=True,
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("Store as (machine rater):"))
        layout.addWidget(self.name)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self.resize(480, 520)
        self._update()

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def _tick_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for item in self._items():
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and not item.isHidden():
                item.setCheckState(state)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for item in self._items():
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def _update(self) -> None:
        n = len(self.chosen())
        self.count.setText(f"{n} session(s) chosen")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(n > 0)

    def chosen(self) -> list[str]:
        return [
            str(item.data(KEY))
            for item in self._items()
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable
            and item.checkState() == Qt.CheckState.Checked
        ]

    def machine_name(self) -> str | None:
        return self.name.text().strip() or None
