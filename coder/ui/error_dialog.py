"""The dialog that shows an unexpected error: what happened in plain words, the details
to copy for the lab's developer, and where the log is.

A leaf module, shown through :meth:`coder.ui.prompter.Prompter.unexpected_error` (so
tests answer it with a fake prompter); logging and the exception hooks are
:mod:`coder.ui.error_report`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

ERROR_TITLE = "Rupture Coder"


class ErrorDialog(QDialog):
    """The crash dialog: summary, expandable details, Copy details, the log's path."""

    def __init__(
        self, summary: str, details: str, log_path: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{ERROR_TITLE}: something went wrong")
        self.setMinimumWidth(480)
        self.details_text = details
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48)
        )
        self.summary = QLabel(summary, wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where = (
            f"A full report was written to the log file:\n{log_path}"
            if log_path is not None
            else "The log file could not be written (is the data folder read-only?)."
        )
        self.log_label = QLabel(
            f"{where}\n\nTo help fix it, press Copy details and send the text to the lab's "
            "developer with a line on what you were doing.",
            wordWrap=True,
        )
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(details, readOnly=True)
        self.details.setVisible(False)
        self.details.setMinimumHeight(220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy details")
        self.toggle_button = QPushButton("Show &details")
        self.toggle_button.setCheckable(True)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.toggle_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        self.toggle_button.toggled.connect(self._toggle)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.log_label)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        """Put the details on the clipboard, to paste into an e-mail."""
        QGuiApplication.clipboard().setText(self.details_text)
        self.copy_button.setText("Copied")

    def _toggle(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.toggle_button.setText("Hide &details" if shown else "Show &details")
        self.adjustSize()
