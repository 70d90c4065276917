"""File ▸ Connect to lab server…, and the key of an encrypted project file.

Connecting asks for host, port, database and login (one form), builds the
``postgresql+psycopg://LOGIN@HOST:PORT/DATABASE`` URL, asks for the password (hidden)
and opens the project with :class:`ProjectDatabase`. The password goes into the
connection only: it is never in the URL the window keeps, the recent-projects list or
any file of ours. With the optional ``keyring`` package and a usable OS keyring (GNOME
Keyring/KWallet through the Secret Service, macOS Keychain, Windows Credential Manager)
it is stored there and not asked again; otherwise it is asked every time
(:func:`keyring_status` says which).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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

from coder.app import projects
from coder.domain.errors import CoderError
from coder.store.database import ProjectDatabase

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow
    from coder.ui.prompter import Prompter

KEYRING_SERVICE = "rupture-coder lab server"
KEY_ATTEMPTS = 3


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


# ---- the OS keyring (optional) -----------------------------------------------------
def _keyring() -> Any | None:
    """The ``keyring`` module if it is installed and has a real backend, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        usable = float(backend.priority) > 0
    except Exception:
        return None
    # keyrings.alt's file backends write the password to a file (plain or weakly
    # obfuscated): not a keyring for our purpose.
    if isinstance(backend, fail.Keyring) or not usable:
        return None
    if type(backend).__module__.startswith("keyrings.alt"):
        return None
    return keyring


def keyring_status() -> str:
    """In words: where a lab-server password is kept on this computer."""
    if _keyring() is None:
        return "No usable OS keyring here: the password is asked every time, never stored."
    return "The password is kept in the operating system's keyring."


def stored_password(address: ServerAddress) -> str | None:
    ring = _keyring()
    if ring is None:
        return None
    try:
        value = ring.get_password(KEYRING_SERVICE, address.keyring_name)
    except Exception:
        return None
    return str(value) if value else None


def remember_password(address: ServerAddress, password: str) -> bool:
    ring = _keyring()
    if ring is None:
        return False
    try:
        ring.set_password(KEYRING_SERVICE, address.keyring_name, password)
    except Exception:
        return False
    return True


def forget_password(address: ServerAddress) -> None:
    ring = _keyring()
    if ring is not None:
        with contextlib.suppress(Exception):
            ring.delete_password(KEYRING_SERVICE, address.keyring_name)


# ---- the form ----------------------------------------------------------------------
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


def connect_to_server(w: MainWindow) -> ProjectDatabase | None:
    """Ask where and who, then the password; open the project there. None if cancelled
    or refused (the reason shown)."""
    address = w.prompter.server_address()
    if address is None:
        return None
    password = stored_password(address)
    from_keyring = password is not None
    if password is None:
        password = w.prompter.text(
            "Connect to lab server",
            f"Password of {address.user} on {address.host}\n({keyring_status()})",
            secret=True,
        )
        if password is None:
            return None
    try:
        db = projects.open_project(db_url=address.url(password))
    except CoderError as exc:
        if from_keyring:
            forget_password(address)  # a changed password: ask next time
        w.prompter.error("Connect to lab server", _without(str(exc), password))
        return None
    # The window keeps the URL without the password (titles, recent list).
    db.url = address.url()
    if not from_keyring:
        remember_password(address, password)
    return db


def _without(message: str, secret: str) -> str:
    return message.replace(secret, "***") if secret else message


# ---- encrypted project files ----------------------------------------------------------
def open_with_key(
    prompter: Prompter, where: str, opener: Callable[[str | None], ProjectDatabase]
) -> ProjectDatabase | None:
    """``opener(None)``; if the file is encrypted, ask for its key (hidden) and try again,
    up to :data:`KEY_ATTEMPTS` times. None when cancelled; other refusals propagate."""
    try:
        return opener(None)
    except projects.KeyNeeded:
        pass
    for attempt in range(KEY_ATTEMPTS):
        note = "" if attempt == 0 else "That key did not open it. "
        key = prompter.text(
            "Encrypted project",
            f"{note}Key (passphrase) of the encrypted project {where}:",
            secret=True,
        )
        if not key:
            return None
        try:
            return opener(key)
        except projects.WrongKey:
            continue
    prompter.error("Encrypted project", f"{where}: wrong key or not a Rupture Coder project")
    return None
