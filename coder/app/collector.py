"""One pause of Python's cyclic garbage collector, shared by everything that makes
millions of short-lived objects: a job on the desktop's worker thread (an export, a
REFI-QDA import) and the reliability table's column read.

Why one, counted: the collector is process-wide. Two separate pauses that each saved and
restored ``gc.isenabled()`` undid each other when they overlapped on different threads
(the first to finish switched it back on under the other). Counted here, it is back on
when the last pause ends, and only if it was on before the first began.

Why pause at all: every few hundred new objects trigger a pass, and the older passes walk
every object still alive; with a million row tuples that was about half of reading them,
and on the worker thread the passes held the GIL for 0.3–0.6 s and froze the window
(benchmarks/bench_ui_exchange.py). Row tuples, strings and numbers hold no cycles, so
reference counting frees them as before; the few cycles wait until the pause ends.
"""

from __future__ import annotations

import gc
import threading
from types import TracebackType


class _CollectorPause:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = True

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0 and self._was_enabled:
                gc.enable()


collector_paused = _CollectorPause()
"""``with collector_paused:`` around work that makes many objects (re-entrant, any thread)."""
