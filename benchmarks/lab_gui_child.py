"""The lab-scale benchmark's cold start (``bench_lab_scale.py --parts gui``), in a script
of its own: the child imports only what ``coder gui`` imports, in the same way (the
command line, then :func:`coder.cli.desktop`); the benchmark's other modules bring
python-docx and the importers, which the app loads only when used.

    lab_gui_child.py --child gui SPAWNED_AT PROJECT REPS   # prints one JSON line

Everything from the parent's clock ``SPAWNED_AT`` (taken just before starting this
process) to the shown window counts: interpreter start, imports, the QApplication and
opening the project, building the window (sign-in, the session list with progress, the
last position's session), showing it and its first paint; then a few sessions are opened
in it.
"""

from __future__ import annotations

import itertools
import json
import resource
import sys
import time
from typing import Any

PATIENTS = ("P007", "P042", "P088", "P131", "P176", "P199")  # of the default 200
RATER = "Ada Lovelace"
PHASES = (
    "interpreter start",
    "imports",
    "QApplication + open project",
    "build window",
    "show + first paint",
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def gui_child(target: str, spawned_at: float, reps: int) -> dict[str, Any]:
    marks = [(0.0, 0.0), (time.time() - spawned_at, time.process_time())]
    from coder.cli import desktop  # as the `coder` entry point: the CLI, then the desktop

    launch = desktop()
    marks.append((time.time() - spawned_at, time.process_time()))
    app = launch.application()
    db = launch.projects.open_project(target)
    marks.append((time.time() - spawned_at, time.process_time()))
    window = launch.build_window(db, RATER, None, None, ask=False)
    assert window is not None
    marks.append((time.time() - spawned_at, time.process_time()))
    window.resize(1440, 900)
    window.show()
    for _ in range(3):
        app.processEvents()
    usable, cpu = time.time() - spawned_at, time.process_time()
    marks.append((usable, cpu))
    phases = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(marks)]
    opens = []
    for k in range(reps):
        start = time.perf_counter()
        window.open_session(PATIENTS[k % len(PATIENTS)], 2 + k % 18)
        app.processEvents()
        opens.append((time.perf_counter() - start) * 1000)
    window.close()
    db.close()
    return {
        "cold_s": usable,
        "cold_cpu_s": cpu,
        "phases": phases,
        "gui_open_ms": opens,
        "peak_mb": peak_mb(),
    }


if __name__ == "__main__":
    _flag, _kind, spawned, project, reps = sys.argv[1:6]
    print(json.dumps(gui_child(project, float(spawned), int(reps))))
