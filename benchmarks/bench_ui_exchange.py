"""Does the window stay responsive while File ▸ Export / Import REFI-QDA run?

    .venv/bin/python benchmarks/bench_ui_exchange.py [--quick] [--check]

The project of ``bench_project_reliability.py`` (500 sessions x 12 segments x 3 raters,
3RS-2015). Each job is started exactly as its menu item starts it (the functions of
``coder.ui.export_menu``, in a real main window whose prompter answers with the file)
while a ``QTimer`` ticks every 10 ms on the event loop; the figure is the longest gap
between two ticks minus the interval: the worst freeze of the window (issue 13 target
<= 100 ms). The wall time of each job is reported beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_import import Figure, report
from bench_project_reliability import build
from bench_ui_latency import Ticker
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from coder.app import projects
from coder.app.export import ExportFormat
from coder.store.database import ProjectDatabase
from coder.ui import export_menu
from coder.ui.main_window import MainWindow
from coder.ui.prompter import Prompter
from coder.ui.worker import Job


class Answers(Prompter):
    """Answers every file question with the next queued path; reports errors loudly."""

    def __init__(self) -> None:
        super().__init__(None)
        self.paths: list[Path] = []

    def save_file(
        self, title: str, filters: str, default: str = "", *, kind: str | None = None
    ) -> Path | None:
        return self.paths.pop(0)

    def open_file(self, title: str, filters: str, *, kind: str | None = None) -> Path | None:
        return self.paths.pop(0)

    def error(self, title: str, message: str) -> None:
        raise SystemExit(f"{title}: {message}")


def measured(start: Callable[[], Job | None]) -> tuple[float, float]:
    """(worst UI stall in ms, wall seconds) of the job ``start()`` launches."""
    ticker = Ticker()
    loop = QEventLoop()
    began = time.perf_counter()
    ticker.start()
    job = start()
    assert job is not None
    job.finished.connect(loop.quit)
    if not job.done:
        loop.exec()
    wall = time.perf_counter() - began
    stall = ticker.stall_ms()
    assert job.error is None, job.error
    return stall, wall


def window(db: ProjectDatabase) -> tuple[MainWindow, Answers]:
    answers = Answers()
    w = MainWindow(db, prompter=answers)
    w.show()
    return w, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else 3
    app = QApplication.instance() or QApplication([])
    results: dict[str, tuple[list[float], list[float]]] = {}

    def note(name: str, figures: tuple[float, float]) -> None:
        stalls, walls = results.setdefault(name, ([], []))
        stalls.append(figures[0])
        walls.append(figures[1])

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["CODER_HOME"] = str(folder / "home")
        db = build(folder / "big.sqlite")
        w, answers = window(db)
        try:
            for run in range(reps):
                out = folder / f"run{run}"
                out.mkdir()
                answers.paths = [out / "long.csv"]
                note("csv-long", measured(lambda: export_menu.run_export(w, ExportFormat.LONG)))
                answers.paths = [out / "codes.csv"]
                note("codes CSV", measured(lambda: export_menu.export_codes(w)))
                answers.paths = [out / "p.qdpx"]
                note("qdpx export", measured(lambda: export_menu.run_export_qdpx(w)))
                other = projects.create_project(out / "other.sqlite")
                w2, answers2 = window(other)
                answers2.paths = [out / "p.qdpx"]
                note("qdpx import", measured(lambda: export_menu.import_qdpx(w2)))  # noqa: B023
                w2.close()
                other.close()
        finally:
            w.close()
            db.close()
    figures = []
    for name, (stalls, walls) in results.items():
        figures.append(Figure(f"UI stall, {name} in the worker", stalls, "ms", 100))
        figures.append(Figure(f"  wall time, {name}", walls, "s"))
    report(figures)
    del app
    return 1 if args.check and any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
