"""View ▸ panels and Reset layout; the window's geometry and dock layout remembered.

Every panel can be hidden and shown again: the docks (sessions, codebook, codes in this
segment, suggestions) by their own toggles, and the Episodes panel, a tab beside the
segment grid, by an *Episodes* toggle that hides or shows its tab.

The layout is stored with ``QSettings`` in an INI file in the user data folder
(``window.ini`` next to ``preferences.json``; ``$CODER_HOME`` moves it), so it belongs
to the computer's user and tests, which each get their own data folder, never share it.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QToolBar

from coder.app.demo import data_dir
from coder.ui.host import WindowHost
from coder.ui.window_widgets import top_menu

SETTINGS_FILE = "window.ini"
GEOMETRY = "main/geometry"
STATE = "main/state"
EPISODES = "main/episodes"  # whether the Episodes tab is shown
LAYOUT_VERSION = 2  # bump when the docks change so an old saved state is ignored


def settings() -> QSettings:
    return QSettings(str(data_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def install(w: WindowHost) -> None:
    """Add the panel toggles and Reset layout to the View menu, then restore the layout
    this user left (the built-in layout is kept for Reset)."""
    menu = top_menu(w, "View")
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
    w.episodes_toggle = episodes
    for bar in w.findChildren(QToolBar):
        toggle = bar.toggleViewAction()
        toggle.setText(f"{bar.windowTitle()} toolbar")
        panels.addAction(toggle)
    reset = QAction("&Reset layout", w)
    reset.setStatusTip("Show every panel where it was when the app was installed")
    reset.triggered.connect(lambda: reset_layout(w))
    menu.addAction(reset)
    w.default_layout = (w.saveGeometry(), w.saveState(LAYOUT_VERSION))
    restore(w)


def show_episodes(w: WindowHost, shown: bool) -> None:
    """Show (and bring forward) or hide the Episodes tab."""
    index = w.tabs.indexOf(w.episodes)
    w.tabs.setTabVisible(index, shown)
    if shown:
        w.tabs.setCurrentIndex(index)


def restore(w: WindowHost) -> bool:
    stored = settings()
    geometry, state = stored.value(GEOMETRY), stored.value(STATE)
    if stored.contains(EPISODES):
        w.episodes_toggle.setChecked(stored.value(EPISODES) in (True, "true"))
    restored = False
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        restored = w.restoreGeometry(geometry)
    if isinstance(state, QByteArray) and not state.isEmpty():
        restored = w.restoreState(state, LAYOUT_VERSION) or restored
    return restored


def save(w: WindowHost) -> None:
    stored = settings()
    stored.setValue(GEOMETRY, w.saveGeometry())
    stored.setValue(STATE, w.saveState(LAYOUT_VERSION))
    stored.setValue(EPISODES, w.episodes_toggle.isChecked())
    stored.sync()


def reset_layout(w: WindowHost) -> None:
    geometry, state = w.default_layout
    for dock in w.findChildren(QDockWidget):
        dock.setFloating(False)
        dock.show()
    w.restoreState(state, LAYOUT_VERSION)
    w.episodes_toggle.setChecked(True)
    if not w.isMaximized() and not w.isFullScreen():
        w.restoreGeometry(geometry)
    save(w)
    w.show_message("Layout reset")
