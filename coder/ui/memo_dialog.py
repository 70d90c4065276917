"""The memo dialog: names the code and where it is, Ctrl+Enter saves, Esc cancels.

It is asked through :meth:`coder.ui.prompter.Prompter.memo`, so tests replace it; the
dialog itself is tested shown non-modally.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class MemoDialog(QDialog):
    def __init__(
        self, code: str, where: str, default: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Memo on {code}")
        self.heading = QLabel(f"Memo on <b>{code}</b><br>{where}")
        self.heading.setWordWrap(True)
        self.edit = QPlainTextEdit(default)
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText("Why this code here? (Ctrl+Enter saves, Esc cancels)")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setToolTip("Save the memo (Ctrl+Enter)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.edit)
        layout.addWidget(QLabel("Ctrl+Enter saves · Esc cancels"))
        layout.addWidget(self.buttons)
        self.resize(460, 260)
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)
        self.edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the text saves (the text box would take it as a new line)."""
        if (
            watched is self.edit
            and event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            event.accept()
            if event.type() == QEvent.Type.KeyPress:
                self.accept()
            return True
        return super().eventFilter(watched, event)

    def text(self) -> str:
        return self.edit.toPlainText()
