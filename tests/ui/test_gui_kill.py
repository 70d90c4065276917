"""The desktop app killed with SIGKILL while a rater codes by keyboard (issue #11).

The real window runs in a subprocess (offscreen) and is driven by QTest key presses; it
acknowledges each key press with the codes it then shows, and is killed right after a
random line, between edits or with one in flight. After each kill the file must pass
``integrity_check``, open cleanly and hold every acknowledged code (plus, at most, the
edit in flight, whole). The negative control proves the harness notices lost edits: the
same run with edits held in one uncommitted transaction must report them.
Driver and checks: ``benchmarks/gui_kill_harness.py`` (which also gives the figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import gui_kill_harness as harness

# SIGKILL during SQLite commits of a project file, then the file's integrity_check: a
# SQLite matter (a server's crash safety is PostgreSQL's own).
pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]


def test_sigkill_of_the_window_loses_no_confirmed_code(tmp_path: Path) -> None:
    path = tmp_path / "gui.sqlite"
    harness.make_project(path)
    result = harness.run_gui_kills(path, kills=3, seed=5, lines=(3, 12))
    assert result.problems == []
    assert result.kills == 3 and result.acked >= 3
    assert harness.stored_state(path)  # codes were made and survived
    assert harness.integrity_ok(path)


def test_the_harness_fails_when_edits_are_not_committed(tmp_path: Path) -> None:
    path = tmp_path / "held.sqlite"
    harness.make_project(path)
    result = harness.run_gui_kills(path, kills=1, seed=5, lines=(9, 9), hold_commits=True)
    assert result.acked >= 3
    assert result.problems and "acknowledged" in result.problems[0]
