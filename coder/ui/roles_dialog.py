"""The speaker roles dialog of a desktop import: one row per speaker label whose role
was suggested, not certain, and the file-name pattern.

A leaf module, asked through :meth:`coder.ui.prompter.Prompter.confirm_roles` (so tests
answer it with a fake prompter); the import flow itself is :mod:`coder.ui.import_flow`.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.domain.roles import SpeakerRole


class RolesDialog(QDialog):
    """One row per speaker label that needs a decision; a small table, not per-turn."""

    def __init__(
        self, speakers: dict[str, tuple[SpeakerRole, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm speaker roles")
        self.pattern = QLineEdit("{patient}_S{session}")
        self.pattern.setToolTip("How patient and session are read from file names")
        self.table = QTableWidget(len(speakers), 3)
        self.table.setHorizontalHeaderLabels(["Speaker label", "Role", "Why suggested"])
        self.combos: dict[str, QComboBox] = {}
        for row, (label, (role, reason)) in enumerate(sorted(speakers.items())):
            self.table.setItem(row, 0, QTableWidgetItem(label))
            combo = QComboBox()
            for option in SpeakerRole:
                combo.addItem(option.value, option)
            combo.setCurrentIndex(combo.findData(role))
            self.table.setCellWidget(row, 1, combo)
            self.table.setItem(row, 2, QTableWidgetItem(reason))
            self.combos[label] = combo
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("File-name pattern:"))
        layout.addWidget(self.pattern)
        layout.addWidget(
            QLabel("These speakers' roles were suggested, not certain. Confirm or correct them:")
        )
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def roles(self) -> dict[str, SpeakerRole]:
        # Qt hands a str-valued enum back as a plain str: rebuild the role, or the
        # import fails on ``role.value`` after the user confirmed.
        return {label: SpeakerRole(combo.currentData()) for label, combo in self.combos.items()}
