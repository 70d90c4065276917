"""File ▸ Connect to lab server… (against the throwaway PostgreSQL server; skips
without it) and the key of an encrypted project file, asked through the Prompter."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
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
