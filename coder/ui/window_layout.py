"""View ▸ panels and Reset layout; the window's geometry and dock layout remembered.

Every panel can be hidden and shown again: the docks (sessions, codebook, codes in this
segment, suggestions) by their own toggles, and the Episodes panel, a tab beside the
segment grid, by an *Episodes* toggle that hides or shows its tab.

The layout is stored with ``QSettings`` in an INI file in the user data folder
(``window.ini`` next to ``preferences.json``; ``$CODER_HOME`` moves it), so it belongs
to the computer's user and tests, which each get their own data folder, never share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

from coder.app.demo import data_dir

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

SETTINGS_FILE = "window.ini"
GEOMETRY = "main/geometry"
STATE = "main/state"
EPISODES = "main/episodes"  # whether the Episodes tab is shown
LAYOUT_VERSION = 2  # bump when the docks change so an old saved state is ignored


def settings() -> QSettings:
    return QSettings(str(data_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def install(w: MainWindow) -> None:
    """Add the panel toggles and Reset layout to the View menu, then restore the layout
    this user left (the built-in layout is kept for Reset)."""
    menu = _view_menu(w)
    menu.addSeparator()
    panels = menu.addMenu("&Panels")
    for dock in w.findChildren(QDockWidget):
        panels.addAction(dock.toggleViewAction())
    episodes = QAction("Episodes", w)
    episodes.setCheckable(True)
    episodes.setChecked(True)
    episodes.setStatusTip("Show or hide the Episodes tab beside the segment grid")
    episodes.toggled.connect(lambda shown: show_episodes(w, shown))
    panels.addAction(episodes)
    w.episodes_toggle = episodes  # type: ignore[attr-defined]
    for bar in w.findChildren(QToolBar):
        toggle = bar.toggleViewAction()
        toggle.setText(f"{bar.windowTitle()} toolbar")
        panels.addAction(toggle)
    reset = QAction("&Reset layout", w)
    reset.setStatusTip("Show every panel where it was when the app was installed")
    reset.triggered.connect(lambda: reset_layout(w))
    menu.addAction(reset)
    w.default_layout = (w.saveGeometry(), w.saveState(LAYOUT_VERSION))  # type: ignore[attr-defined]
    restore(w)


def _view_menu(w: MainWindow) -> QMenu:
    for top in w.menuBar().actions():
        if top.text().replace("&", "") == "View" and isinstance(top.menu(), QMenu):
            return top.menu()  # type: ignore[return-value]
    return w.menuBar().addMenu("&View")


def show_episodes(w: MainWindow, shown: bool) -> None:
    """Show (and bring forward) or hide the Episodes tab."""
    index = w.tabs.indexOf(w.episodes)
    w.tabs.setTabVisible(index, shown)
    if shown:
        w.tabs.setCurrentIndex(index)


def restore(w: MainWindow) -> bool:
    stored = settings()
    geometry, state = stored.value(GEOMETRY), stored.value(STATE)
    if stored.contains(EPISODES):
        w.episodes_toggle.setChecked(stored.value(EPISODES) in (True, "true"))  # type: ignore[attr-defined]
    restored = False
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        restored = w.restoreGeometry(geometry)
    if isinstance(state, QByteArray) and not state.isEmpty():
        restored = w.restoreState(state, LAYOUT_VERSION) or restored
    return restored


def save(w: MainWindow) -> None:
    stored = settings()
    stored.setValue(GEOMETRY, w.saveGeometry())
    stored.setValue(STATE, w.saveState(LAYOUT_VERSION))
    stored.setValue(EPISODES, w.episodes_toggle.isChecked())  # type: ignore[attr-defined]
    stored.sync()


def reset_layout(w: MainWindow) -> None:
    geometry, state = w.default_layout  # type: ignore[attr-defined]
    for dock in w.findChildren(QDockWidget):
        dock.setFloating(False)
        dock.show()
    w.restoreState(state, LAYOUT_VERSION)
    w.episodes_toggle.setChecked(True)  # type: ignore[attr-defined]
    if not w.isMaximized() and not w.isFullScreen():
        w.restoreGeometry(geometry)
    save(w)
    w.show_message("Layout reset")
