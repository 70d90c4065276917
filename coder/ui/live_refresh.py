"""Live refresh: the window notices changes made elsewhere (the CLI, another window,
another rater on the lab server) and re-reads its views within about a second and a
half, keeping the user's place (see ``WindowHost.reload_views``).

A ``QTimer`` asks for :func:`coder.app.changes.change_marker` (a few aggregate reads),
computed on a pool thread so that a large project or a slow server never stalls the
window; when it differs from the last one seen, the views reload. The window's own edits
change the marker too: after one, the next new marker is taken without reloading (the
views already show the edit). View ▸ Refresh (F5) reloads at once.
"""

from __future__ import annotations

import contextlib
import threading

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, SignalInstance

from coder.app.changes import Marker, change_marker
from coder.store.database import ProjectDatabase
from coder.ui.host import WindowHost

POLL_MS = 750


def _marker_or_none(db: ProjectDatabase) -> Marker | None:
    try:
        return change_marker(db)
    except Exception:  # a server gone for a moment, a project being swapped: next tick
        return None


class Baseline:
    """The marker of what a window is about to show, read on a thread while the window
    is built (SQLite and psycopg let other Python threads run while a query does).

    Reading it is a full scan of the codes' update times (~0.13 s at 1,000,000 codes);
    started before the views read the project, any change made meanwhile only causes one
    needless reload, never a missed one."""

    def __init__(self, db: ProjectDatabase) -> None:
        self._marker: Marker | None = None
        self._thread = threading.Thread(
            target=self._read, args=(db,), name="change-marker", daemon=True
        )
        self._thread.start()

    def _read(self, db: ProjectDatabase) -> None:
        self._marker = _marker_or_none(db)

    def result(self) -> Marker | None:
        self._thread.join()
        return self._marker


class _Poll(QRunnable):
    def __init__(self, db: ProjectDatabase, done: SignalInstance) -> None:
        super().__init__()
        self.db, self.done = db, done

    def run(self) -> None:
        marker = _marker_or_none(self.db)
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self.done.emit(marker)


class LiveRefresh(QObject):
    arrived = Signal(object)  # a marker computed on a pool thread

    def __init__(
        self, window: WindowHost, interval_ms: int = POLL_MS, baseline: Baseline | None = None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.reloads = 0
        self.busy = False
        self.own_edit = False
        # what the window shows
        self.last: Marker | None = (baseline or Baseline(window.db)).result()
        self.arrived.connect(self._arrived, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.poll_in_background)
        self.timer.start()

    def poll_in_background(self) -> None:
        if not self.busy:
            self.busy = True
            QThreadPool.globalInstance().start(_Poll(self.window.db, self.arrived))

    def _arrived(self, marker: object) -> None:
        self.busy = False
        self.take(marker)

    def poll(self) -> bool:
        """Check now, on this thread; True if the views were reloaded."""
        return self.take(_marker_or_none(self.window.db))

    def take(self, marker: object) -> bool:
        if not isinstance(marker, tuple):  # None: no marker this time (see _marker_or_none)
            return False
        changed = self.last is not None and marker != self.last
        self.last = marker
        if changed and self.own_edit:
            self.own_edit = False  # the window's own edit: already on screen
            return False
        if changed:
            self.reload()
        return changed

    def reload(self) -> None:
        self.reloads += 1
        self.window.reload_views()

    def note_own_change(self, *_: object) -> None:
        """This window's own edit: its views already show it, so the next new marker is
        taken without reloading (a change made elsewhere in the same instant shows with
        the next change, or with View ▸ Refresh)."""
        self.own_edit = True

    def refresh_now(self) -> None:
        """View ▸ Refresh: re-read everything now."""
        self.own_edit = False
        self.reload()
        self.last = _marker_or_none(self.window.db)


def install(window: WindowHost, baseline: Baseline | None = None) -> LiveRefresh:
    """The window's live refresh, polling from now on (the window keeps it); ``baseline``
    started before the window read the project (see :class:`Baseline`)."""
    return LiveRefresh(window, baseline=baseline)
