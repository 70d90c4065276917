"""File ▸ Connect to lab server… (against the throwaway PostgreSQL server; skips
without it) and the key of an encrypted project file, asked through the Prompter."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backend import NewProject
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QSpinBox, QWidget
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coder.app import identity, preferences, projects
from coder.app.identity import ActingRater
from coder.store import cipher
from coder.store.database import ProjectDatabase
from coder.ui import server_dialog
from coder.ui.main_window import MainWindow
from coder.ui.server_form import ServerAddress, ServerForm

ADMIN_URL = os.environ.get("CODER_TEST_PG_URL")
MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
needs_pg = pytest.mark.skipif(
    not ADMIN_URL,
    reason="no PostgreSQL server: set CODER_TEST_PG_URL "
    "(.ci/run starts one with installer/pg-test-server.sh)",
)


def trigger(window: MainWindow, text_: str) -> None:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == "File":
            menu = top.menu()
            for action in menu.actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == text_:
                    action.trigger()
                    return
    raise AssertionError(f"no File ▸ {text_}")


def no_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coder.ui.identity_dialog.choose_coder", lambda *_a, **_k: None)


@pytest.fixture
def server_project() -> Iterator[ServerAddress]:
    assert ADMIN_URL is not None
    name = f"coder_ui_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name)
    projects.create_project(
        url.render_as_string(hide_password=False), name="Lab study", is_url=True
    ).close()
    yield ServerAddress(url.host or "127.0.0.1", url.port or 5432, name, url.username or "")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_form_builds_an_address(qtbot: Any) -> None:
    form = ServerForm()
    qtbot.addWidget(form)
    assert form.address() is None  # nothing filled in
    form.host.setText(" db.lab.example.org ")
    form.database.setText("rupture_lab")
    form.user.setText("rater_ada")
    address = form.address()
    assert address == ServerAddress("db.lab.example.org", 5432, "rupture_lab", "rater_ada")
    assert address.url() == "postgresql+psycopg://rater_ada@db.lab.example.org:5432/rupture_lab"
    assert ":pw@" in address.url("pw")


def test_without_a_keyring_the_status_says_it_asks_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)
    assert "asked every time" in server_dialog.keyring_status()
    assert not server_dialog.remember_password(ServerAddress("h", 1, "d", "u"), "pw")


@needs_pg
def test_connect_to_lab_server_switches_the_window(
    db: ProjectDatabase,
    make_window: MakeWindow,
    server_project: ServerAddress,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)
    window = make_window(db, None)
    prompter: Any = window.prompter
    prompter.server_address = lambda: server_project
    prompter.answers.append("the-password")
    no_sign_in(monkeypatch)
    trigger(window, "Connect to lab server…")
    assert any("Password of" in q and "asked every time" in q for q in prompter.asked)
    assert window.db.url == server_project.url()
    assert "the-password" not in window.db.url and "the-password" not in window.windowTitle()
    assert window.windowTitle().startswith("Lab study (postgresql+psycopg://")
    assert all("the-password" not in e.location for e in preferences.recent_projects())
    assert projects.project_name(window.db) == "Lab study"


@needs_pg
def test_a_refused_connection_is_shown_without_the_password(
    db: ProjectDatabase, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)
    assert ADMIN_URL is not None
    url = make_url(ADMIN_URL)
    window = make_window(db, None)
    prompter: Any = window.prompter
    prompter.server_address = lambda: ServerAddress(
        url.host or "127.0.0.1", url.port or 5432, "no_such_database_here", "postgres"
    )
    prompter.answers.append("s3cret-pw")
    trigger(window, "Connect to lab server…")
    assert window.db is db and prompter.errors
    assert "s3cret-pw" not in prompter.errors[-1]


@pytest.mark.skipif(not cipher.available(), reason="SQLCipher is not installed")
@pytest.mark.sqlite_only  # an encrypted project file (SQLCipher)
def test_opening_an_encrypted_project_asks_for_its_key(
    db: ProjectDatabase,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cipher.ENV_KEY_FILE, raising=False)
    secret = tmp_path / "secret.sqlite"
    with projects.create_project(secret, name="Secret study", key="the right passphrase") as s:
        identity.add_lead(s, "Lee", "LP", "correct horse battery")
    window = make_window(db, None)
    prompter: Any = window.prompter
    prompter.answers += [secret, "a wrong passphrase", "the right passphrase"]
    no_sign_in(monkeypatch)
    trigger(window, "Open project…")
    keys = [q for q in prompter.asked if "Key (passphrase)" in q]
    assert len(keys) == 2 and "did not open it" in keys[1]
    assert window.windowTitle().startswith("Secret study (")
    assert window.db.encrypted
    # Cancelled: nothing opens, nothing is shown as an error.
    window2 = make_window(db, None)
    p2: Any = window2.prompter
    p2.answers += [secret, None]
    trigger(window2, "Open project…")
    assert window2.db is db and not p2.errors


# ---- the real form and password dialog, driven with keys (no server needed) -------------
def form_fields(dialog: QWidget) -> tuple[QLineEdit, QSpinBox, QLineEdit, QLineEdit]:
    assert isinstance(dialog, ServerForm)
    return dialog.host, dialog.port, dialog.database, dialog.user


def fill_form(qtbot: Any, host: str, port: str, database: str, user: str) -> Any:
    def answer(dialog: QWidget) -> None:
        host_edit, port_box, database_edit, user_edit = form_fields(dialog)
        qtbot.keyClicks(host_edit, host)
        if port:
            port_box.lineEdit().selectAll()
            qtbot.keyClicks(port_box, port)
        qtbot.keyClicks(database_edit, database)
        qtbot.keyClicks(user_edit, user)
        qtbot.keyClick(user_edit, Qt.Key.Key_Return)

    return answer


def type_password(qtbot: Any, password: str, echo: list[QLineEdit.EchoMode]) -> Any:
    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        echo.append(edit.echoMode())
        qtbot.keyClicks(edit, password)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    return answer


def test_ok_with_an_empty_field_says_which_and_stays_open(qtbot: Any) -> None:
    form = ServerForm()
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.host, "db.lab.example.org")
    qtbot.keyClick(form.host, Qt.Key.Key_Return)  # OK, with database and login empty
    assert form.isVisible() and form.result() != ServerForm.DialogCode.Accepted
    assert form.problem.isVisible()
    assert form.problem.text() == "Fill in database, your login."
    assert form.focusWidget() is form.database  # the first field left empty
    qtbot.keyClicks(form.database, "rupture_lab")
    qtbot.keyClicks(form.user, "   ")  # blanks are not a login
    qtbot.keyClick(form.user, Qt.Key.Key_Return)
    assert form.isVisible() and form.problem.text() == "Fill in your login."
    form.user.clear()
    qtbot.keyClicks(form.user, "ada")
    qtbot.keyClick(form.user, Qt.Key.Key_Return)
    assert not form.isVisible() and form.result() == ServerForm.DialogCode.Accepted
    address = form.address()
    assert address is not None
    assert address.url() == "postgresql+psycopg://ada@db.lab.example.org:5432/rupture_lab"
    assert address.keyring_name == "ada@db.lab.example.org:5432/rupture_lab"


def real_window(make_window: MakeWindow, db: ProjectDatabase) -> MainWindow:
    from coder.ui.prompter import Prompter

    window = make_window(db, None)
    window.prompter = Prompter(window)
    return window


def test_connect_asks_the_password_hidden_and_keeps_it_out_of_the_window(
    db: ProjectDatabase,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
    new_project: NewProject,
    qtbot: Any,
    modal: Any,
) -> None:
    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)
    lab = new_project("lab", name="Lab study")  # what the server's project opens as
    opened_with: list[str | None] = []

    def open_project(path: object = None, *, db_url: str | None = None, **_: object) -> object:
        opened_with.append(db_url)
        return lab

    monkeypatch.setattr(server_dialog.projects, "open_project", open_project)
    no_sign_in(monkeypatch)
    window = real_window(make_window, db)
    echo: list[QLineEdit.EchoMode] = []
    modal.then(fill_form(qtbot, "db.lab.example.org", "6543", "rupture_lab", "ada"))
    modal.then(type_password(qtbot, "pa:ss@word", echo))
    trigger(window, "Connect to lab server…")
    assert modal.titles == ["Connect to lab server", "Connect to lab server"]
    assert echo == [QLineEdit.EchoMode.Password]
    # The connection got the password (quoted in the URL); the window keeps none.
    assert opened_with == [
        "postgresql+psycopg://ada:pa%3Ass%40word@db.lab.example.org:6543/rupture_lab"
    ]
    assert window.db is lab
    assert window.db.url == "postgresql+psycopg://ada@db.lab.example.org:6543/rupture_lab"
    assert "pa:ss@word" not in window.windowTitle() and "pa%3Ass" not in window.windowTitle()
    assert all("pa%3Ass" not in e.location for e in preferences.recent_projects())


def test_a_refused_connection_names_the_problem_but_never_the_password(
    db: ProjectDatabase,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
    modal: Any,
) -> None:
    from coder.domain.errors import CoderError

    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)

    def refused(path: object = None, *, db_url: str | None = None, **_: object) -> object:
        raise CoderError(f"could not connect to {db_url}: password authentication failed")

    monkeypatch.setattr(server_dialog.projects, "open_project", refused)
    window = real_window(make_window, db)
    shown: list[str] = []

    def read_error(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        shown.append(dialog.text())
        dialog.accept()

    modal.then(fill_form(qtbot, "db.lab.example.org", "", "rupture_lab", "ada"))
    modal.then(type_password(qtbot, "hunter2", []))
    modal.then(read_error)
    trigger(window, "Connect to lab server…")
    assert window.db is db  # still on the project it had
    [message] = shown
    assert "password authentication failed" in message and "hunter2" not in message
    assert "***" in message


def test_cancelling_the_password_connects_to_nothing(
    db: ProjectDatabase,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
    modal: Any,
) -> None:
    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)
    tried: list[object] = []
    monkeypatch.setattr(server_dialog.projects, "open_project", lambda *a, **k: tried.append(k))
    window = real_window(make_window, db)
    modal.then(fill_form(qtbot, "db.lab.example.org", "", "rupture_lab", "ada"))
    modal.then(lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    trigger(window, "Connect to lab server…")
    modal.then(lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))  # the form itself
    trigger(window, "Connect to lab server…")
    assert tried == [] and window.db is db


def test_three_wrong_keys_end_with_a_message_naming_the_file(
    db: ProjectDatabase, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(db, None)
    prompter: Any = window.prompter
    where = str(tmp_path / "secret.sqlite")
    prompter.answers += ["one", "two", "three"]
    tried: list[str | None] = []

    def opener(key: str | None) -> ProjectDatabase:
        tried.append(key)
        raise (
            projects.KeyNeeded("encrypted", path=where)
            if key is None
            else projects.WrongKey("wrong key", path=where)
        )

    assert server_dialog.open_with_key(prompter, where, opener) is None
    assert tried == [None, "one", "two", "three"]
    assert prompter.errors == [f"{where}: wrong key or not a Rupture Coder project"]
