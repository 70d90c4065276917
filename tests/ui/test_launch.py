"""`coder gui --rater NAME`: an exact name, and the rater's secret is still needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from backend import NewProject, launch_options
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from coder.app import identity, preferences, projects
from coder.app.identity import AccessDenied, ActingRater
from coder.domain.errors import CoderError, NotFoundError
from coder.store.database import ProjectDatabase
from coder.ui import launch
from coder.ui.main_window import MainWindow

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture


@pytest.fixture
def dialog_asks(monkeypatch: pytest.MonkeyPatch, ben: ActingRater) -> list[str | None]:
    """Stand-in for the modal sign-in dialog: records whom it was opened on."""
    opened_on: list[str | None] = []

    def choose(
        db: ProjectDatabase, parent: Any = None, preselect: str | None = None
    ) -> ActingRater:
        opened_on.append(preselect)
        return ben

    monkeypatch.setattr(launch, "choose_coder", choose)
    return opened_on


def build(qtbot: QtBot, db: ProjectDatabase, **options: Any) -> MainWindow:
    window = launch.build_window(db, **options)
    assert window is not None
    qtbot.addWidget(window)
    return window


def test_rater_name_must_match_exactly(qtbot: QtBot, coded_db: ProjectDatabase) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Ada'"):
        launch.build_window(coded_db, rater="ada", ask=False)
    window = build(qtbot, coded_db, rater="Ada", ask=False)
    assert window.coder is not None and window.coder.name == "Ada"


def test_a_raters_pin_is_needed(qtbot: QtBot, coded_db: ProjectDatabase, ada: ActingRater) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    with pytest.raises(AccessDenied, match="Ada signs in with a PIN"):
        launch.build_window(coded_db, rater="Ada", ask=False)  # e.g. --screenshot
    with pytest.raises(AccessDenied, match="wrong PIN for Ada"):
        launch.build_window(coded_db, rater="Ada", passphrase="1357", ask=True)
    window = build(qtbot, coded_db, rater="Ada", passphrase="2468", ask=True)
    assert window.coder == ada
    assert preferences.last_rater(coded_db) == "Ada"  # a GUI sign-in on this computer


def test_without_the_secret_the_dialog_asks_for_it(
    qtbot: QtBot, coded_db: ProjectDatabase, ada: ActingRater, dialog_asks: list[str | None]
) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    window = build(qtbot, coded_db, rater=" Ada ")
    assert dialog_asks == ["Ada"]  # opened on Ada, asking for her PIN
    assert window.coder is not None and window.coder.name == "Ben"  # whoever signed in there
    build(qtbot, coded_db, rater="Lee")
    assert dialog_asks == ["Ada", "Lee"]  # a lead without --passphrase-file too


def test_a_rater_without_a_pin_needs_no_dialog(
    qtbot: QtBot, coded_db: ProjectDatabase, dialog_asks: list[str | None]
) -> None:
    window = build(qtbot, coded_db, rater="Ben")
    assert dialog_asks == [] and window.coder is not None and window.coder.name == "Ben"
    window = build(qtbot, coded_db, rater="Lee", passphrase=PASSPHRASE)
    assert dialog_asks == [] and window.coder is not None and window.coder.is_lead


def test_consensus_is_refused(coded_db: ProjectDatabase) -> None:
    identity.consensus_coder(coded_db)
    with pytest.raises(AccessDenied, match="nobody's identity"):
        launch.build_window(coded_db, rater="Consensus")


# ---- launch(): first run, a given project, the desktop loop, refusals ------------------
def test_open_is_parsed_as_patient_and_session() -> None:
    assert launch.parse_open("P01/2") == ("P01", 2)
    assert launch.parse_open(None) is None and launch.parse_open("") is None
    with pytest.raises(CoderError, match="--open"):
        launch.parse_open("P01")


def png_size(path: Path) -> tuple[int, int]:
    from PySide6.QtGui import QImage

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    return image.width(), image.height()


@pytest.mark.sqlite_only  # the demo made on first run is a SQLite file in the data folder
def test_first_run_creates_the_demo_project_and_a_screenshot_needs_no_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coder.app import demo

    hooks: list[bool] = []
    monkeypatch.setattr(launch, "install_exception_hook", lambda: hooks.append(True))
    assert not demo.default_project_path().exists()  # a fresh computer
    shot = tmp_path / "docs" / "main.png"
    shot.parent.mkdir()
    assert launch.launch(screenshot=shot) == 0
    assert demo.default_project_path().exists()
    assert png_size(shot) == (1440, 900)  # the docs' size, whatever layout was saved
    assert hooks == []  # a screenshot run never waits on an error dialog either
    with projects.open_project(demo.default_project_path()) as db:
        assert projects.project_name(db) == "Demo project"


def test_a_screenshot_of_a_project_opens_the_rater_on_the_session(
    qtbot: QtBot, coded_db: ProjectDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[MainWindow] = []
    real_build = launch.build_window

    def build(*args: Any, **kwargs: Any) -> MainWindow | None:
        window = real_build(*args, **kwargs)
        assert window is not None
        built.append(window)
        return window

    monkeypatch.setattr(launch, "build_window", build)
    where = launch_options(coded_db)
    coded_db.close()
    shot = tmp_path / "coding.png"
    assert launch.launch(**where, screenshot=shot, rater="Ben", open_session="P01/2") == 0
    assert png_size(shot) == (1440, 900)
    [window] = built
    assert window.coder is not None and window.coder.name == "Ben"
    assert window.ws is not None and window.ws.key[:2] == ("P01", 2)
    assert "P01 session 2" in window.windowTitle()
    assert not window.isVisible()  # closed once pictured


def test_without_a_project_the_desktop_opens_coder_db_url(
    qtbot: QtBot, coded_db: ProjectDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`coder gui` with neither --project nor --db opens $CODER_DB_URL, as every other
    command does, not the demo project (which has no rater called just "Ben")."""
    built: list[MainWindow] = []
    real_build = launch.build_window
    monkeypatch.setattr(
        launch, "build_window", lambda *a, **k: built.append(real_build(*a, **k)) or built[-1]
    )
    monkeypatch.setenv("CODER_DB_URL", coded_db.url)
    coded_db.close()
    assert launch.launch(screenshot=tmp_path / "env.png", rater="Ben") == 0
    [window] = built
    assert window is not None and window.db.url == coded_db.url
    assert window.coder is not None and window.coder.name == "Ben"


class Loop:
    """Stands in for ``app.exec()``: sees what the user would see, then quits."""

    def __init__(self, app: Any, during: Any = None) -> None:
        self.app, self.during = app, during
        self.seen: list[MainWindow] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def exec(self) -> int:
        windows = [w for w in self.app.topLevelWidgets() if isinstance(w, MainWindow)]
        self.seen = [w for w in windows if w.isVisible()]
        if self.during is not None:
            self.during(self.seen[0])
        for window in self.seen:
            window.close()
        return 0


def test_the_desktop_run_signs_in_opens_and_closes_what_it_opened(
    qtbot: QtBot,
    coded_db: ProjectDatabase,
    new_project: NewProject,
    monkeypatch: pytest.MonkeyPatch,
    dialog_asks: list[str | None],
) -> None:
    from coder.ui import projects_menu

    hooks: list[bool] = []
    monkeypatch.setattr(launch, "install_exception_hook", lambda: hooks.append(True))
    where = launch_options(coded_db)
    coded_db.close()
    other = new_project("other", name="Other study")
    switched: list[ProjectDatabase] = []
    closed: list[str] = []
    monkeypatch.setattr(other, "close", lambda: closed.append("other"))

    def open_another(window: MainWindow) -> None:
        assert window.coder is not None and window.coder.name == "Ben"  # the dialog's answer
        assert window.ws is not None and window.ws.key[:2] == ("P01", 1)
        projects_menu.switch_project(window, other)  # File ▸ Open project… meanwhile
        switched.append(window.db)

    monkeypatch.setattr("coder.ui.identity_dialog.choose_coder", lambda *_a, **_k: None)
    loop = Loop(launch.application(), open_another)
    monkeypatch.setattr(launch, "application", lambda: loop)
    assert launch.launch(**where, open_session="P01/1") == 0
    assert hooks == [True]  # a desktop run reports unexpected errors in a dialog
    assert dialog_asks == [None]  # the sign-in dialog, opened on nobody in particular
    assert len(loop.seen) == 1 and switched == [other]
    assert closed == ["other"]  # the project it switched to is closed on exit too


def test_cancelling_the_sign_in_ends_the_run_without_a_window(
    qtbot: QtBot,
    coded_db: ProjectDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(launch, "install_exception_hook", lambda: None)
    monkeypatch.setattr(launch, "choose_coder", lambda *_a, **_k: None)
    where = launch_options(coded_db)
    coded_db.close()
    loop = Loop(launch.application())
    monkeypatch.setattr(launch, "application", lambda: loop)
    assert launch.launch(**where) == 0
    assert loop.seen == []  # exec never ran: no window was shown


@pytest.mark.sqlite_only  # a damaged and a missing project file
def test_a_bad_project_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launch, "install_exception_hook", lambda: None)
    bad = tmp_path / "thesis.docx.sqlite"
    bad.write_text("not a database", encoding="utf-8")
    with pytest.raises(CoderError) as raised:
        launch.launch(project=bad, screenshot=tmp_path / "x.png")
    assert str(bad) in str(raised.value) and "not a Rupture Coder project" in str(raised.value)
    missing = tmp_path / "moved.sqlite"
    with pytest.raises(CoderError, match="no such project file") as raised:
        launch.launch(project=missing, screenshot=tmp_path / "x.png")
    assert str(missing) in str(raised.value)
    assert not (tmp_path / "x.png").exists()


def test_an_encrypted_project_whose_key_is_cancelled_opens_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, modal: Any
) -> None:
    from coder.store.cipher import KeyNeeded

    monkeypatch.setattr(launch, "install_exception_hook", lambda: None)
    secret = tmp_path / "secret.sqlite"
    asked: list[str] = []

    def needs_key(path: Path, key: str | None = None) -> ProjectDatabase:
        raise KeyNeeded("encrypted", path=path)

    def cancel(dialog: Any) -> None:
        asked.append(dialog.labelText())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    monkeypatch.setattr(launch.projects, "open_project", needs_key)
    modal.then(cancel)
    assert launch.launch(project=secret) == 0
    assert asked == [f"Key (passphrase) of the encrypted project {secret}:"]
