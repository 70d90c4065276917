"""Live refresh: the window notices changes made elsewhere (the CLI, another window,
another rater on the lab server) and re-reads its views within about a second and a
half, keeping the user's place (see ``MainWindow.reload_views``).

A ``QTimer`` polls :func:`coder.app.changes.change_marker` (a few aggregate reads); when
it differs from the last one seen, the views reload. View ▸ Refresh (F5) reloads at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from coder.app.changes import Marker, change_marker
from coder.domain.errors import CoderError

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

POLL_MS = 750


class LiveRefresh(QObject):
    def __init__(self, window: MainWindow, interval_ms: int = POLL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.last: Marker | None = None
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.reloads = 0
        self.note_own_change()  # what the window is about to show

    def poll(self) -> bool:
        """Reload the views if the project changed since the last poll; True if it did."""
        try:
            marker = change_marker(self.window.db)
        except CoderError:
            return False
        except Exception:  # a server gone for a moment: try again at the next tick
            return False
        changed = self.last is not None and marker != self.last
        self.last = marker
        if changed:
            self.reload()
        return changed

    def reload(self) -> None:
        self.reloads += 1
        self.window.reload_views()

    def note_own_change(self, *_: object) -> None:
        """This window's own edit: its views already show it, so take the new marker
        without reloading (a change made elsewhere in the same instant shows with the
        next change, or with View ▸ Refresh)."""
        try:
            self.last = change_marker(self.window.db)
        except Exception:
            self.last = None

    def refresh_now(self) -> None:
        """View ▸ Refresh: re-read everything now."""
        self.last = None
        self.reload()
        self.poll()


def install(window: MainWindow) -> LiveRefresh:
    live = LiveRefresh(window)
    window.live_refresh = live  # type: ignore[attr-defined]
    return live
