"""File ▸ New project…, Open project…, Open recent, Open demo project (wiring only).

Switching project is switching identity and more: everything opened under the old
project (sessions, undo stacks, child windows) is closed with
:meth:`WindowHost.close_identity`, the old database is closed, and whoever codes the new
project signs in again through the sign-in dialog. The recent list lives in the user
data folder (:mod:`coder.app.preferences`); the demo project is one entry among them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from coder.app import demo, preferences, projects, schemes
from coder.domain.errors import CoderError
from coder.store.database import ProjectDatabase, describe, sqlite_path
from coder.ui import window_widgets
from coder.ui.host import WindowHost
from coder.ui.window_widgets import top_menu

PROJECT_FILTER = "Rupture Coder projects (*.sqlite *.db);;All files (*)"


def window_title(w: WindowHost, what: str | None = None) -> str:
    """``P01 session 1 (3rs-2015 v1) — Study A (/path/study.sqlite) — Rupture Coder``."""
    project = f"{projects.project_name(w.db)} ({describe(w.db.url)})"
    return " — ".join([*([what] if what else []), project, "Rupture Coder"])


def install(w: WindowHost) -> None:
    """Put the project actions at the top of the File menu and title the window."""
    file_menu = top_menu(w, "File")
    # Before the first item window_menus put there (an anchor if there were none).
    first = file_menu.actions()[0] if file_menu.actions() else file_menu.addSeparator()
    actions = [
        _action(w, "&New project…", lambda: new_project(w), QKeySequence.StandardKey.New),
        _action(w, "&Open project…", lambda: open_project(w), QKeySequence.StandardKey.Open),
    ]
    for action in actions:
        file_menu.insertAction(first, action)
    recent = QMenu("Open &recent", file_menu)
    recent.aboutToShow.connect(lambda: fill_recent(w, recent))
    file_menu.insertMenu(first, recent)
    file_menu.insertAction(first, _action(w, "Open &demo project", lambda: open_demo(w)))
    file_menu.insertSeparator(first)
    w.recent_menu = recent
    fill_recent(w, recent)
    w.setWindowTitle(window_title(w))
    preferences.remember_project(w.db, projects.project_name(w.db))


def _action(
    w: WindowHost,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence.StandardKey | None = None,
) -> QAction:
    action = QAction(text, w)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    return action


def fill_recent(w: WindowHost, menu: QMenu) -> None:
    menu.clear()
    here = describe(w.db.url)
    listed = preferences.recent_projects()
    for entry in listed:
        label = f"{entry.name} — {entry.location}" if entry.name else entry.location
        action = menu.addAction(label)
        action.setData(entry.location)
        action.setCheckable(True)
        action.setChecked(entry.location == here)
        action.triggered.connect(lambda _=False, where=entry.location: open_recent(w, where))
    if not listed:
        menu.addAction("(none yet)").setEnabled(False)


def new_project(w: WindowHost) -> None:
    target = w.prompter.save_file("New project", PROJECT_FILTER, "study.sqlite", kind="project")
    if target is None:
        return
    if not target.suffix:
        target = target.with_suffix(".sqlite")
    try:
        db = projects.create_project(target, name=target.stem)
    except CoderError as exc:
        w.prompter.error("New project", str(exc))
        return
    switch_project(w, db)


def open_project(w: WindowHost) -> None:
    path = w.prompter.open_file("Open project", PROJECT_FILTER, kind="project")
    if path is not None:
        _open_location(w, str(path))


def open_recent(w: WindowHost, location: str) -> None:
    if "://" not in location and not Path(location).exists():
        if w.prompter.confirm(
            "Open recent",
            f"{location} no longer exists (moved or deleted?). Remove it from the list?",
        ):
            preferences.forget_project(location)
        return
    _open_location(w, location)


def open_demo(w: WindowHost) -> None:
    try:
        db = demo.ensure_demo_project()
    except CoderError as exc:
        w.prompter.error("Open demo project", str(exc))
        return
    switch_project(w, db)


def _open_location(w: WindowHost, location: str) -> None:
    if describe(w.db.url) == location:
        w.show_message("That project is already open")
        return
    from coder.ui.server_dialog import open_with_key

    try:
        if "://" in location:
            db = projects.open_project(db_url=location)
        else:
            opened = open_with_key(
                w.prompter,
                location,
                lambda key: projects.open_project(Path(location), key=key),
            )
            if opened is None:
                return
            db = opened
    except CoderError as exc:
        w.prompter.error("Open project", str(exc))
        return
    switch_project(w, db)


def switch_project(w: WindowHost, db: ProjectDatabase) -> None:
    """Close everything of the current project and identity, show ``db`` and ask who
    codes it. The old database is closed; the window owns the new one."""
    from coder.ui import identity_dialog

    w.save_position()
    w.close_identity()
    old = w.db
    w.db = db
    if old is not db:
        old.close()
    window_widgets.fill_scheme_combo(w)
    default = next((s.key for s in schemes.project_schemes(db) if s.is_default), None)
    w.show_scheme(default, reopen=False)
    w.setWindowTitle(window_title(w))
    preferences.remember_project(db, projects.project_name(db))
    fill_recent(w, w.recent_menu)
    w.projectChanged.emit()
    if db.backup_path is not None:
        w.show_message(f"Upgraded the project; the old version is kept as {db.backup_path}")
    coder = identity_dialog.choose_coder(db, w)
    if coder is not None:
        w.set_coder(coder)
    else:
        w.show_message("Nobody signed in: choose who you are with File ▸ Switch rater…")


def project_file(w: WindowHost) -> Path | None:
    return sqlite_path(w.db.url)
