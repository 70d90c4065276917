"""Does the window stay responsive while reliability with bootstrap CIs is computed?

    .venv/bin/python benchmarks/bench_ui_latency.py [--quick] [--check]

The project of ``bench_project_reliability.py`` (500 sessions x 12 segments x 3 raters,
3RS-2015); the table with 1,000 bootstrap resamples per item is computed through
``coder.ui.worker.run_job`` (as the reliability window's Compute button does) while a
``QTimer`` ticks every 10 ms on the event loop. The figure is the longest gap between two
ticks minus the 10 ms interval: how long the UI was frozen at worst (issue target
<= 100 ms). For contrast, the same computation on the UI thread (as before) is reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_import import Figure, report
from bench_project_reliability import build
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from coder.app import reliability
from coder.ui.worker import run_job

TICK_MS = 10


class Ticker:
    """Records the longest gap between timer ticks while running."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.last = 0.0
        self.worst = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def stall_ms(self) -> float:
        self.timer.stop()
        self.tick()
        return max(0.0, self.worst * 1000 - TICK_MS)


def in_background(db: object, parent: QWidget, bootstrap: int) -> float:
    ticker = Ticker()
    loop = QEventLoop()
    ticker.start()
    job = run_job(
        parent,
        "Reliability",
        lambda job: reliability.compute(db, None, bootstrap=bootstrap),  # type: ignore[arg-type]
        show_after_ms=0,
    )
    job.finished.connect(loop.quit)
    loop.exec()
    stall = ticker.stall_ms()
    assert job.error is None, job.error
    return stall


def on_ui_thread(db: object, bootstrap: int) -> float:
    ticker = Ticker()
    ticker.start()
    QTimer.singleShot(0, lambda: reliability.compute(db, None, bootstrap=bootstrap))  # type: ignore[arg-type]
    loop = QEventLoop()
    QTimer.singleShot(50, loop.quit)  # after the computation has run, let ticks resume
    loop.exec()
    return ticker.stall_ms()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5
    app = QApplication.instance() or QApplication([])
    parent = QWidget()
    parent.show()
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp) / "big.sqlite")
        try:
            reliability.compute(db, None, bootstrap=0)  # warm caches and imports
            background = [in_background(db, parent, 1000) for _ in range(reps)]
            blocking = [on_ui_thread(db, 1000) for _ in range(2 if args.quick else 3)]
        finally:
            db.close()
    figures = [
        Figure("UI stall, reliability+bootstrap in worker", background, "ms", 100),
        Figure("UI stall, same on the UI thread (before)", blocking, "ms"),
    ]
    report(figures)
    del app
    return 1 if args.check and any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
