"""View ▸ panels and Reset layout; the window's geometry and dock layout remembered.

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


def restore(w: WindowHost) -> bool:
    stored = settings()
    geometry, state = stored.value(GEOMETRY), stored.value(STATE)
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
    stored.sync()


def reset_layout(w: WindowHost) -> None:
    geometry, state = w.default_layout
    for dock in w.findChildren(QDockWidget):
        dock.setFloating(False)
        dock.show()
    w.restoreState(state, LAYOUT_VERSION)
    if not w.isMaximized() and not w.isFullScreen():
        w.restoreGeometry(geometry)
    save(w)
    w.show_message("Layout reset")
