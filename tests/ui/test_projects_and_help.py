"""File ▸ projects, Help, View and the status-bar indicator, driven through the menus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QKeySequence, QTextDocument
from PySide6.QtWidgets import QDockWidget, QMenu
from pytestqt.qtbot import QtBot

from coder import __version__
from coder.app import identity, preferences, projects
from coder.app.identity import ActingRater
from coder.store import migrate
from coder.store.database import ProjectDatabase
from coder.ui import help_menu, window_layout
from coder.ui.main_window import MainWindow

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture
MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def menu_action(window: MainWindow, *path: str) -> QAction:
    actions = window.menuBar().actions()
    found: QAction | None = None
    for name in path:
        found = next((a for a in actions if a.text().replace("&", "") == name), None)
        assert found is not None, f"no {' ▸ '.join(path)}"
        menu = found.menu()
        if isinstance(menu, QMenu):
            menu.aboutToShow.emit()  # menus fill themselves when shown
            actions = menu.actions()
    assert found is not None
    return found


def sign_in_as(
    monkeypatch: pytest.MonkeyPatch, name: str | None, secret: str | None = None
) -> None:
    """The sign-in dialog answers ``name`` (None: cancelled) for whichever project asks."""

    def choose(db: ProjectDatabase, *_: object, **__: object) -> ActingRater | None:
        return identity.sign_in(db, name, secret) if name else None

    monkeypatch.setattr("coder.ui.identity_dialog.choose_coder", choose)


# ---- projects --------------------------------------------------------------------------
@pytest.mark.sqlite_only  # File ▸ New project… makes a SQLite file
def test_new_project_closes_the_old_one_and_asks_who_codes(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert "p (" in window.windowTitle() and str(tmp_path / "p.sqlite") in window.windowTitle()
    prompter: Any = window.prompter
    prompter.answers.append(tmp_path / "study two")  # no suffix: .sqlite is added
    sign_in_as(monkeypatch, None)  # nobody signs in yet
    menu_action(window, "File", "New project…").trigger()
    target = tmp_path / "study two.sqlite"
    assert target.exists()
    assert window.db.url.endswith("study two.sqlite")
    assert window.coder is None and window.ws is None and not window.workspaces
    assert window.sessions_model.rowCount() == 0
    assert window.windowTitle() == f"study two ({target}) — Rupture Coder"
    assert [r.location for r in preferences.recent_projects()] == [
        str(target),
        str(tmp_path / "p.sqlite"),
    ]


@pytest.mark.sqlite_only  # File ▸ Open project… opens a project file
def test_open_recent_switches_back_and_signs_in(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = projects.create_project(tmp_path / "other.sqlite", name="Other study")
    other.close()
    window = make_window(coded_db, ada)
    prompter: Any = window.prompter
    prompter.answers.append(tmp_path / "other.sqlite")
    sign_in_as(monkeypatch, None)
    menu_action(window, "File", "Open project…").trigger()
    assert window.windowTitle().startswith("Other study (")
    sign_in_as(monkeypatch, "Ben")
    recent = menu_action(window, "File", "Open recent", f"p — {tmp_path / 'p.sqlite'}")
    assert not recent.isChecked()
    recent.trigger()
    assert window.coder is not None and window.coder.name == "Ben"
    assert window.identity_label.text().startswith("Coding as Ben")
    window.open_session("P01", 1)
    assert window.windowTitle().startswith("P01 session 1 (3rs-2015")
    assert f"p ({tmp_path / 'p.sqlite'})" in window.windowTitle()
    checked = [a.text() for a in window.recent_menu.actions() if a.isChecked()]  # type: ignore[attr-defined]
    assert checked == [f"p — {tmp_path / 'p.sqlite'}"]


@pytest.mark.sqlite_only  # recent project files, one deleted
def test_recent_list_keeps_ten_and_offers_to_forget_a_missing_file(
    coded_db: ProjectDatabase, make_window: MakeWindow, tmp_path: Path
) -> None:
    for i in range(12):
        db = projects.create_project(tmp_path / f"s{i}.sqlite")
        preferences.remember_project(db, f"s{i}")
        db.close()
    window = make_window(coded_db, None)
    listed = preferences.recent_projects()
    assert len(listed) == 10 and listed[0].location == str(tmp_path / "p.sqlite")
    gone = tmp_path / "s11.sqlite"
    gone.unlink()
    prompter: Any = window.prompter
    prompter.answers.append(True)  # remove it from the list
    menu_action(window, "File", "Open recent", f"s11 — {gone}").trigger()
    assert str(gone) not in [r.location for r in preferences.recent_projects()]
    assert window.db is coded_db


@pytest.mark.sqlite_only  # Open demo project opens the demo's SQLite file in the data folder
def test_demo_is_one_entry_among_the_projects(
    coded_db: ProjectDatabase, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(coded_db, None)
    sign_in_as(monkeypatch, None)
    menu_action(window, "File", "Open demo project").trigger()
    assert projects.project_name(window.db) == "Demo project"
    assert [r.name for r in preferences.recent_projects()][:2] == ["Demo project", "p"]


# ---- help ------------------------------------------------------------------------------
def test_shortcuts_table_is_the_real_bindings(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: MakeWindow
) -> None:
    window = make_window(coded_db, ada)
    menu_action(window, "Help", "Keyboard shortcuts").trigger()
    table = window.help_windows[-1]
    assert isinstance(table, help_menu.ShortcutsWindow) and table.isVisible()
    rows = {(r.key, r.action) for r in table.model.rows}
    bound = [a for a in window.findChildren(QAction) if a.shortcuts()]
    for action in bound:
        key = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
        )
        assert any(k == key for k, _ in rows), (key, action.text())
    actions = [r for r in table.model.rows if r.where != "Code key"]
    assert len(table.model.rows) == len(bound) + len(help_menu.VIEW_KEYS)
    assert ("1", "W1 — Denial") in rows  # the scheme's code keys, with their names
    assert ("Ctrl+R", "Rate current segment") in rows
    assert any(r.where == "Edit" and r.action == "Undo" for r in actions)
    table.filter.setText("undo")
    shown = {table.proxy.index(i, 1).data() for i in range(table.proxy.rowCount())}
    assert shown == {"Undo"}


def test_user_guide_and_about(coded_db: ProjectDatabase, make_window: MakeWindow) -> None:
    window = make_window(coded_db, None)
    menu_action(window, "Help", "User guide").trigger()
    guide = window.help_windows[-1]
    assert isinstance(guide, help_menu.GuideWindow) and guide.isVisible()
    assert "Keyboard reference" in guide.browser.toPlainText()
    image = guide.browser.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("images/02-workspace.png")
    )
    assert image is not None and not image.isNull()  # images resolve relative to docs/
    menu_action(window, "Help", "About Rupture Coder").trigger()
    about = window.help_windows[-1]
    assert isinstance(about, help_menu.AboutWindow)
    values = {name: label.text() for name, label in about.values.items()}
    assert values["Version"] == __version__
    assert values["Project schema revision"] == f"{migrate.head_revision()} (current)"
    assert values["Data folder"] == str(Path(__import__("os").environ["CODER_HOME"]))
    assert values["Log folder"].endswith("logs")


# ---- view ------------------------------------------------------------------------------
def test_panels_toggle_reset_and_layout_is_remembered(
    coded_db: ProjectDatabase, make_window: MakeWindow, qtbot: QtBot
) -> None:
    window = make_window(coded_db, None)
    docks = {d.windowTitle(): d for d in window.findChildren(QDockWidget)}
    assert set(docks) == {"Sessions", "Codebook", "Codes in this segment", "Suggestions"}
    menu_action(window, "View", "Panels", "Codebook").trigger()
    assert docks["Codebook"].isHidden()
    menu_action(window, "View", "Reset layout").trigger()
    assert not docks["Codebook"].isHidden()
    menu_action(window, "View", "Panels", "Sessions").trigger()
    window.close()  # saves geometry and dock layout
    assert window_layout.settings().contains(window_layout.STATE)
    again = make_window(coded_db, None)
    again_docks = {d.windowTitle(): d for d in again.findChildren(QDockWidget)}
    assert again_docks["Sessions"].isHidden()
    assert not again_docks["Codebook"].isHidden()


def test_the_episodes_panel_toggles_too_and_is_remembered(
    coded_db: ProjectDatabase, make_window: MakeWindow
) -> None:
    """The episodes panel is a tab beside the segment grid, not a dock: View ▸ Panels ▸
    Episodes hides and shows its tab, Reset layout brings it back, and a new window
    starts as the user left it."""
    window = make_window(coded_db, None)
    index = window.tabs.indexOf(window.episodes)
    toggle = menu_action(window, "View", "Panels", "Episodes")
    assert toggle.isChecked() and window.tabs.isTabVisible(index)
    toggle.trigger()
    assert not window.tabs.isTabVisible(index) and window.tabs.currentIndex() != index
    menu_action(window, "View", "Reset layout").trigger()
    assert window.tabs.isTabVisible(index) and toggle.isChecked()
    toggle.trigger()
    window.close()
    again = make_window(coded_db, None)
    assert not again.tabs.isTabVisible(again.tabs.indexOf(again.episodes))
    menu_action(again, "View", "Panels", "Episodes").trigger()
    assert again.tabs.currentWidget() is again.episodes


# ---- status bar ------------------------------------------------------------------------
def test_status_shows_round_and_blinding_and_follows_changes(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = identity.sign_in(coded_db, "Lee", PASSPHRASE)
    window = make_window(coded_db, lead)
    assert window.round_label.text() == "No coding round · not blinded"
    prompter: Any = window.prompter
    prompter.answers.append("calibration")
    menu_action(window, "Rounds", "Manage rounds…").trigger()
    window.child_windows[-1].new_button.click()  # type: ignore[attr-defined]
    assert window.round_label.text() == "Round 1 “calibration” open · not blinded"
    sign_in_as(monkeypatch, "Ada")
    menu_action(window, "File", "Switch rater…").trigger()
    assert window.identity_label.text().startswith("Coding as Ada")
    assert window.round_label.text() == "Round 1 “calibration” open · blinded: own codes only"
    sign_in_as(monkeypatch, "Lee", PASSPHRASE)
    menu_action(window, "File", "Switch rater…").trigger()
    prompter.answers.append(True)
    menu_action(window, "Rounds", "Manage rounds…").trigger()
    window.child_windows[-1].lock_button.click()  # type: ignore[attr-defined]
    assert window.round_label.text().startswith("Round 1 “calibration” locked")
    prompter.answers.append(2)  # blinding: never
    menu_action(window, "Rounds", "Blinding…").trigger()
    assert "never" in window.round_label.toolTip()
    window.close_identity()
    assert window.round_label.text() == "Round 1 “calibration” locked · blinding: never"
