"""Where File ▸ Connect to lab server… keeps the password (issue 11, item 1).

With a usable OS keyring the password goes there and nowhere else: not into the URL the
window keeps, the recent-projects list, ``preferences.json``, the window layout's
QSettings file, or any other file under the user's home and data folders; the next
connect takes it from the keyring without asking. Without a keyring (none installed, the
"fail" backend, or keyrings.alt's file backends, which write the password to a file) it
is asked every time and stored nowhere.

The keyring is an in-memory backend set with ``keyring.set_keyring`` (the real package's
API); the server is replaced by a project of the back end under test, so no PostgreSQL
server is needed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from coder.app import preferences, projects
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui import server_dialog
from coder.ui.main_window import MainWindow
from coder.ui.server_dialog import KEYRING_SERVICE, ServerAddress

PASSWORD = "Sx7-unique-lab-password-91"
ADDRESS = ServerAddress("db.lab.example.org", 5432, "rupture_lab", "rater_ada")
MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


class Server:
    """Stands in for the lab server: records each connection URL it was given."""

    def __init__(self, make: Callable[[], ProjectDatabase], accept: str = PASSWORD) -> None:
        self.make = make
        self.accept = accept
        self.urls: list[str] = []

    def open_project(self, project: Any = None, db_url: str | None = None, **_: Any) -> Any:
        assert db_url is not None and db_url.startswith("postgresql+psycopg://")
        self.urls.append(db_url)
        if f":{self.accept}@" not in db_url:
            raise projects.ProjectError(f"cannot open database: password refused ({db_url})")
        return self.make()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private $HOME and XDG folders: every file the app could write lands under it."""
    folder = tmp_path / "home"
    for sub in ("", ".config", ".local/share", ".cache"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / ".local/share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / ".cache"))
    return folder


@pytest.fixture
def connect(
    db: ProjectDatabase,
    make_window: MakeWindow,
    new_project: Callable[..., ProjectDatabase],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[MainWindow, Server]]:
    monkeypatch.setattr("coder.ui.identity_dialog.choose_coder", lambda *_a, **_k: None)
    server = Server(lambda: new_project("lab", name="Lab study"))
    monkeypatch.setattr(server_dialog.projects, "open_project", server.open_project)
    window = make_window(db, None)
    window.prompter.server_address = lambda: ADDRESS  # type: ignore[method-assign]
    yield window, server


def trigger_connect(window: MainWindow) -> None:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == "File":
            for action in top.menu().actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == "Connect to lab server…":
                    action.trigger()
                    return
    raise AssertionError("no File ▸ Connect to lab server…")


def files_holding(secret: str, *folders: Path) -> list[Path]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and secret.encode() in path.read_bytes():
                found.append(path)
    return found


def password_questions(window: MainWindow) -> list[str]:
    prompter: Any = window.prompter
    return [q for q in prompter.asked if q.startswith("Password of")]


@pytest.fixture
def use_keyring() -> Iterator[Callable[[Any], None]]:
    """``use_keyring(backend)`` installs ``backend`` with ``keyring.set_keyring`` (the
    real package's API); the previous backend is put back afterwards."""
    keyring = pytest.importorskip("keyring", reason="the optional keyring package")
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(use_keyring: Callable[[Any], None]) -> dict[tuple[str, str], str]:
    """An in-memory OS keyring: what it holds is the returned dict."""
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    store: dict[tuple[str, str], str] = {}

    class MemoryKeyring(KeyringBackend):
        priority = 10  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if store.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    use_keyring(MemoryKeyring())
    return store


def test_the_password_goes_to_the_keyring_and_nowhere_else(
    connect: tuple[MainWindow, Server],
    memory_keyring: dict[tuple[str, str], str],
    home: Path,
    tmp_path: Path,
) -> None:
    window, server = connect
    assert "operating system's keyring" in server_dialog.keyring_status()
    prompter: Any = window.prompter
    prompter.answers.append(PASSWORD)
    trigger_connect(window)
    assert len(password_questions(window)) == 1
    assert server.urls == [ADDRESS.url(PASSWORD)]
    assert memory_keyring == {(KEYRING_SERVICE, ADDRESS.keyring_name): PASSWORD}
    # The window, its title and the recent list know the server without the password.
    assert window.db.url == ADDRESS.url() and PASSWORD not in window.windowTitle()
    recent = [e.location for e in preferences.recent_projects()]
    assert ADDRESS.url() in recent and all(PASSWORD not in r for r in recent)
    window.save_position()  # the layout's QSettings file is written too
    assert preferences.preferences_path().is_file()
    assert files_holding(PASSWORD, home, preferences.preferences_path().parent, tmp_path) == []
    # Connecting again takes the password from the keyring: not asked.
    trigger_connect(window)
    assert len(password_questions(window)) == 1 and server.urls[-1] == ADDRESS.url(PASSWORD)


def test_a_refused_keyring_password_is_forgotten_and_asked_next_time(
    connect: tuple[MainWindow, Server], memory_keyring: dict[tuple[str, str], str]
) -> None:
    window, server = connect
    memory_keyring[(KEYRING_SERVICE, ADDRESS.keyring_name)] = "an old password"
    prompter: Any = window.prompter
    trigger_connect(window)  # the server refuses the stored one
    assert password_questions(window) == [] and prompter.errors
    assert "an old password" not in prompter.errors[-1]
    assert memory_keyring == {}
    prompter.answers.append(PASSWORD)
    trigger_connect(window)
    assert len(password_questions(window)) == 1 and window.db.url == ADDRESS.url()
    assert memory_keyring == {(KEYRING_SERVICE, ADDRESS.keyring_name): PASSWORD}
    assert server.urls == [ADDRESS.url("an old password"), ADDRESS.url(PASSWORD)]


def _no_keyring_package(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("monkeypatch").setitem(sys.modules, "keyring", None)


def _fail_backend(request: pytest.FixtureRequest) -> None:
    """The backend keyring falls back to when the OS offers none."""
    use_keyring = request.getfixturevalue("use_keyring")
    from keyring.backends import fail

    use_keyring(fail.Keyring())


FILE_WRITES: list[str] = []


def _file_backend(request: pytest.FixtureRequest) -> None:
    """keyrings.alt's plaintext file backend (by module name: that package is optional)."""
    use_keyring = request.getfixturevalue("use_keyring")
    from keyring.backend import KeyringBackend

    class PlaintextKeyring(KeyringBackend):
        priority = 0.5  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            FILE_WRITES.append(password)  # what keyrings.alt would write to a file

        def delete_password(self, service: str, username: str) -> None:
            pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    use_keyring(PlaintextKeyring())


@pytest.mark.parametrize("no_keyring", [_no_keyring_package, _fail_backend, _file_backend])
def test_without_a_keyring_the_password_is_asked_every_time_and_kept_nowhere(
    no_keyring: Callable[[pytest.FixtureRequest], None],
    request: pytest.FixtureRequest,
    connect: tuple[MainWindow, Server],
    home: Path,
    tmp_path: Path,
) -> None:
    no_keyring(request)
    window, server = connect
    assert "asked every time" in server_dialog.keyring_status()
    prompter: Any = window.prompter
    prompter.answers += [PASSWORD, PASSWORD]
    trigger_connect(window)
    trigger_connect(window)
    questions = password_questions(window)
    assert len(questions) == 2 and all("asked every time" in q for q in questions)
    assert server.urls == [ADDRESS.url(PASSWORD)] * 2 and window.db.url == ADDRESS.url()
    window.save_position()
    assert files_holding(PASSWORD, home, preferences.preferences_path().parent, tmp_path) == []
    assert FILE_WRITES == []
    # Cancelling the question connects to nothing.
    before = window.db
    trigger_connect(window)
    assert window.db is before and len(server.urls) == 2
