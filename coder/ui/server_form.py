"""The lab server's address and the form that asks for it (File ▸ Connect to lab server…).

A leaf module (Qt widgets and the URL only), so that :class:`coder.ui.prompter.Prompter`
can show the form without importing the connecting flow in :mod:`coder.ui.server_dialog`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from sqlalchemy.engine import URL


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    database: str
    user: str

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL (with ``password`` only for the connection itself)."""
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=password or None,
            host=self.host,
            port=self.port,
            database=self.database,
        ).render_as_string(hide_password=False)

    @property
    def keyring_name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


class ServerForm(QDialog):
    """Host, port, database, login: no password field (asked separately, hidden)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to lab server")
        form = QFormLayout(self)
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.user = QLineEdit()
        form.addRow("Server (host)", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.database)
        form.addRow("Your login", self.user)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.problem = QLabel()  # what is missing, after OK with an empty field
        self.problem.setWordWrap(True)
        self.problem.hide()
        form.addRow(self.problem)
        form.addRow(buttons)

    def accept(self) -> None:
        """OK with a field left empty says which one and stays open: closing would
        connect to nothing and say nothing."""
        fields = (("server", self.host), ("database", self.database), ("your login", self.user))
        missing = [(name, field) for name, field in fields if not field.text().strip()]
        if missing:
            self.problem.setText("Fill in " + ", ".join(name for name, _ in missing) + ".")
            self.problem.show()
            missing[0][1].setFocus()
            return
        super().accept()

    def address(self) -> ServerAddress | None:
        host, database, user = (f.text().strip() for f in (self.host, self.database, self.user))
        if not (host and database and user):
            return None
        return ServerAddress(host, self.port.value(), database, user)
