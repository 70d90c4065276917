"""Every modal question the UI asks goes through a Prompter.

Widgets never call ``QMessageBox``/``QFileDialog``/``QInputDialog`` directly (file
dialogs go on to :mod:`coder.ui.file_dialogs`); tests
replace the window's prompter with one that answers at once, so no test ever blocks on
a real modal dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from coder.domain.roles import SpeakerRole
from coder.ui import file_dialogs
from coder.ui.error_dialog import ErrorDialog
from coder.ui.memo_dialog import MemoDialog
from coder.ui.roles_dialog import RolesDialog
from coder.ui.server_form import ServerAddress, ServerForm


class Prompter:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def text(
        self, title: str, label: str, default: str = "", *, secret: bool = False
    ) -> str | None:
        mode = QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal
        value, ok = QInputDialog.getText(self.parent, title, label, mode, default)
        return value if ok else None

    def server_address(self) -> ServerAddress | None:
        """Host, port, database and login of a lab server (File ▸ Connect to lab server…)."""
        form = ServerForm(self.parent)
        if form.exec() != ServerForm.DialogCode.Accepted:
            return None
        return form.address()

    def multiline(self, title: str, label: str, default: str = "") -> str | None:
        value, ok = QInputDialog.getMultiLineText(self.parent, title, label, default)
        return value if ok else None

    def memo(self, code: str, where: str, default: str = "") -> str | None:
        """The memo on ``code`` (its id and name) at ``where`` (e.g. "segment 3, turn 12"):
        Ctrl+Enter saves, Esc cancels; None when cancelled."""
        dialog = MemoDialog(code, where, default, self.parent)
        try:
            return dialog.text() if dialog.exec() == MemoDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self.parent, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def error(self, title: str, message: str) -> None:
        QMessageBox.warning(self.parent, title, message)

    def unexpected_error(self, summary: str, details: str, log_path: Path | None) -> None:
        """Show an unexpected error (a bug, not a user mistake): the summary, details to
        copy for the developer, and the log file (see :mod:`coder.ui.error_report`)."""
        ErrorDialog(summary, details, log_path, self.parent).exec()

    # File dialogs: parented to this prompter's window, starting in the folder last used
    # for the kind of file, creating a missing output folder on confirmation
    # (coder.ui.file_dialogs).
    def open_files(self, title: str, filters: str, *, kind: str | None = None) -> list[Path]:
        return file_dialogs.open_files(self.parent, title, filters, kind)

    def open_file(self, title: str, filters: str, *, kind: str | None = None) -> Path | None:
        return file_dialogs.open_file(self.parent, title, filters, kind)

    def confirm_roles(
        self, speakers: dict[str, tuple[SpeakerRole, str]], pattern: str
    ) -> tuple[dict[str, SpeakerRole], str] | None:
        """Ask the user to confirm suggested roles and the file-name pattern."""
        dialog = RolesDialog(speakers, self.parent)
        dialog.pattern.setText(pattern)
        if dialog.exec() != RolesDialog.DialogCode.Accepted:
            return None
        return dialog.roles(), dialog.pattern.text()

    def save_file(
        self, title: str, filters: str, default: str = "", *, kind: str | None = None
    ) -> Path | None:
        return file_dialogs.save_file(
            self.parent,
            title,
            filters,
            default,
            confirm=self.confirm,
            show_error=self.error,
            kind=kind,
        )

    def choose(self, title: str, label: str, options: list[str], current: int = 0) -> int | None:
        """Pick one of ``options``; returns its position, or None when cancelled."""
        value, ok = QInputDialog.getItem(self.parent, title, label, options, current, False)
        return options.index(value) if ok and value in options else None
