"""GUI kill harness: the real desktop window, driven by key presses, killed with SIGKILL.

The store harness (``store_harness.py``) proves that :class:`coder.app.coding.CodingSession`
loses no acknowledged edit. This one proves the same for the *desktop app as a whole*: a
widget that buffered edits, an undo command that wrote later, or a view that showed a code
before it was committed would all pass the store harness and fail here.

* ``drive PROJECT SEED`` (the child): opens the project offscreen with the app's own
  :func:`coder.ui.launch.build_window` as rater "Ada" on P01/1, prints ``START <state>``,
  then forever: prints ``BEGIN <keys>``, presses the keys on the focused widget with
  ``QTest`` (code keys, Ctrl+R + digit ratings, Ctrl+Z undo, Ctrl+↓/↑), and prints
  ``ACK <state>``, where the state is Ada's codes in the session as the window's workspace
  holds them after the key press returned. A key press is a confirmed edit once its ACK
  line is out.
* :func:`run_gui_kills` (the parent): starts the child, reads its lines, and SIGKILLs it
  right after a randomly chosen line — after an ACK (between edits) or after a BEGIN (an
  edit in flight). Then, with the child dead: ``PRAGMA integrity_check`` must say ok, the
  project must open with :func:`coder.app.projects.open_project`, and Ada's stored codes
  must equal the last acknowledged state, or differ from it by the one edit in flight
  (whole). The next child's START must equal what is stored.

``python benchmarks/gui_kill_harness.py bench --kills 30`` prints the figures;
``tests/ui/test_gui_kill.py`` runs a few kills, and a negative control: with
``GUI_KILL_HOLD_COMMITS=1`` the child keeps every edit in one open transaction (the
window shows it, as an app that saves later would) and the harness must report losses.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

RATER = "Ada"
PATIENT, SESSION = "P01", 1
SEGMENTS = 6
CODE_KEYS = ("1", "2", "q", "a")  # W1, W2, C1, A-strategy in 3RS-2015

State = dict[str, Any]  # "CODE/unit/index" -> value


def transcript_text() -> str:
    """30 minutes, a turn every 2.5 min: six five-minute segments under 3RS-2015."""
    lines = []
    for i in range(12):
        seconds = 5 + i * 150
        who = "T" if i % 2 == 0 else "P"
        stamp = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        lines.append(f"[{stamp}] {who}: turn {i + 1} of the session, some words here.")
    return "\n".join(lines) + "\n"


def make_project(path: Path) -> None:
    """A project with one six-segment session and one rater, Ada."""
    from coder.app import importing, projects, raters
    from coder.app.importing import ImportOptions

    db = projects.create_project(path)
    try:
        source = path.parent / f"{PATIENT}_S{SESSION}.txt"
        source.write_text(transcript_text(), encoding="utf-8")
        options = ImportOptions(pattern="{patient}_S{session}")
        assert importing.import_file(db, source, options).ok
        raters.add_rater(db, RATER, "AL")
    finally:
        db.close()


def _state(codes: Any) -> State:
    return {f"{c.code_id}/{c.unit.value}/{c.unit_index}": c.value for c in codes}


def stored_state(path: Path) -> State:
    """Ada's codes in P01/1 as a freshly opened project holds them (raises if the project
    does not open cleanly)."""
    from coder.app import identity, projects
    from coder.app.coding import CodingSession

    db = projects.open_project(path)
    try:
        coder = identity.sign_in(db, RATER)
        return _state(CodingSession(db, coder, PATIENT, SESSION).own_codes())
    finally:
        db.close()


def integrity_ok(path: Path) -> bool:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---- the child: the real window, key presses ---------------------------------------------
HOLD_COMMITS = "GUI_KILL_HOLD_COMMITS"


def _hold_commits() -> None:
    """Negative control only: every write and read of the child goes through one session
    that is flushed but never committed, so the window shows edits the file does not hold."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    from sqlalchemy.orm import Session

    from coder.store.database import ProjectDatabase

    held: dict[int, Session] = {}

    def session_of(db: ProjectDatabase) -> Session:
        if id(db) not in held:
            held[id(db)] = db.session_factory()
        return held[id(db)]

    @contextmanager
    def transaction(db: ProjectDatabase, actor: Any = None, *, source: str = "") -> Iterator[Any]:
        session = session_of(db)
        yield session
        session.flush()

    @contextmanager
    def reading(db: ProjectDatabase) -> Iterator[Any]:
        yield session_of(db)

    ProjectDatabase.transaction = transaction  # type: ignore[method-assign,assignment]
    ProjectDatabase.reading = reading  # type: ignore[method-assign,assignment]


def drive(path: Path, seed: int) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if os.environ.get(HOLD_COMMITS) == "1":
        _hold_commits()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from coder.app import projects
    from coder.ui.launch import application, build_window

    app = application()
    db = projects.open_project(path)
    window = build_window(db, RATER, None, (PATIENT, SESSION), ask=False)
    assert window is not None and window.ws is not None
    window.show()
    window.activateWindow()
    handle = window.windowHandle()
    if handle is not None:
        handle.requestActivate()
    deadline = time.monotonic() + 10
    while not window.isActiveWindow() and time.monotonic() < deadline:
        app.processEvents()  # window shortcuts (code keys) fire only in the active window
    rng = random.Random(seed)
    ctrl = Qt.KeyboardModifier.ControlModifier
    none = Qt.KeyboardModifier.NoModifier

    def state() -> str:
        assert window.ws is not None
        return json.dumps(_state(window.ws.cs.own_codes()), sort_keys=True)

    print("START " + state(), flush=True)
    while True:
        roll = rng.random()
        if roll < 0.45:
            presses = [(rng.choice(CODE_KEYS), none)]
            window.transcript.setFocus()
        elif roll < 0.75:
            presses = [("r", ctrl), (str(rng.randint(1, 5)), none)]
            window.transcript.setFocus()
        elif roll < 0.85:
            presses = [("z", ctrl)]
            window.transcript.setFocus()
        else:
            presses = [(rng.choice(("down", "up")), ctrl)]
            window.transcript.setFocus()
        print("BEGIN " + " ".join(k for k, _ in presses), flush=True)
        for key, modifier in presses:
            target = QApplication.focusWidget() or window
            code = {"down": Qt.Key.Key_Down, "up": Qt.Key.Key_Up}.get(key)
            if code is not None:
                QTest.keyClick(target, code, modifier)
            elif modifier == ctrl:
                QTest.keyClick(target, getattr(Qt.Key, f"Key_{key.upper()}"), modifier)
            else:
                QTest.keyClick(target, key, modifier)
        print("ACK " + state(), flush=True)


# ---- the parent: kill, reopen, compare ------------------------------------------------------
@dataclass
class KillResult:
    kills: int = 0
    acked: int = 0  # confirmed key presses (edits and moves) before the kills
    in_flight_applied: int = 0  # kills after BEGIN whose edit had committed, whole
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def _changed_keys(a: State, b: State) -> int:
    return sum(1 for k in set(a) | set(b) if a.get(k, "absent") != b.get(k, "absent"))


def run_gui_kills(
    path: Path,
    kills: int,
    seed: int = 1,
    lines: tuple[int, int] = (2, 14),
    hold_commits: bool = False,
) -> KillResult:
    """Start the driven window on ``path``, SIGKILL it after a random number of output
    lines (within ``lines``), check, repeat. ``hold_commits``: the negative control."""
    rng = random.Random(seed)
    result = KillResult()
    expected = stored_state(path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", HOLD_COMMITS: "1" if hold_commits else ""}
    started = time.perf_counter()
    for round_ in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "drive", str(path),
             str(rng.randrange(1 << 30))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert child.stdout is not None
        out: list[str] = []
        kill_after = rng.randint(*lines)  # START counts: sometimes before any edit
        for line in child.stdout:
            out.append(line.rstrip("\n"))
            if len(out) >= kill_after:
                break
        child.send_signal(signal.SIGKILL)
        rest, errors = child.communicate()
        out += rest.splitlines()  # printed (flushed) before the kill: acknowledged too
        result.kills += 1
        if not out or not out[0].startswith("START "):
            result.problems.append(f"kill {round_}: the window did not start: {errors[-2000:]}")
            break
        start = json.loads(out[0][6:])
        if start != expected:
            result.problems.append(f"kill {round_}: opened on {start}, stored was {expected}")
        acked, pending = start, False
        for line in out[1:]:
            if line.startswith("BEGIN "):
                pending = True
            elif line.startswith("ACK "):
                acked, pending = json.loads(line[4:]), False
                result.acked += 1
        if not integrity_ok(path):
            result.problems.append(f"kill {round_}: integrity_check failed")
            break
        try:
            stored = stored_state(path)
        except Exception as exc:  # the project must open cleanly after any kill
            result.problems.append(f"kill {round_}: the project does not open: {exc}")
            break
        if stored != acked:
            if pending and _changed_keys(stored, acked) == 1:
                result.in_flight_applied += 1
            else:
                result.problems.append(
                    f"kill {round_}: acknowledged {acked}, stored {stored} "
                    f"(edit in flight: {pending})"
                )
        expected = stored
    result.seconds = time.perf_counter() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("drive")
    d.add_argument("project", type=Path)
    d.add_argument("seed", type=int)
    b = sub.add_parser("bench")
    b.add_argument("--kills", type=int, default=30)
    b.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "drive":
        return drive(args.project, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CODER_HOME"] = folder  # no preferences or logs in the real data folder
        path = Path(folder) / "gui-kill.sqlite"
        make_project(path)
        result = run_gui_kills(path, args.kills, args.seed)
        print(
            f"GUI kill harness: {result.kills} SIGKILLs of the desktop app, "
            f"{result.acked} acknowledged key presses, {result.in_flight_applied} edits in "
            f"flight found whole, {len(result.problems)} problems, {result.seconds:.1f} s"
        )
        for problem in result.problems:
            print("  " + problem)
        return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
