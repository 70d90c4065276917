"""The window step of ``coder --selftest`` (coder.ui.selftest), run in this process: the
main window opens offscreen on the self-test project as the first rater, on a coded
session, and closes; a window that cannot be built or closed fails the step by name.

The whole self-test runs in a subprocess in tests/test_selftest.py; here the steps
before the window are cut to the few it needs, so the window step is measured and fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from coder.app import selftest as app_selftest
from coder.ui import selftest

# The self-test checks an installation on a temporary SQLite project file of its own.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def few_steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Create the project, import P01's sample, add the raters: what the window needs.
    The window is deleted after the test (the real self-test's process ends instead; a
    window left alive would save its position into the removed project later)."""
    from coder.ui import launch

    built: list[QWidget] = []
    real_build = launch.build_window

    def build(*args: Any, **kwargs: Any) -> Any:
        window = real_build(*args, **kwargs)
        if window is not None:
            built.append(window)
        return window

    monkeypatch.setattr(launch, "build_window", build)
    everything = app_selftest.steps()
    wanted = [s for s in everything if s[0] in ("create project", "add raters")]
    sample = next(s for s in everything if s[0].startswith("import P01_S1."))
    monkeypatch.setattr(app_selftest, "steps", lambda: [wanted[0], sample, wanted[1]])
    yield
    for window in built:
        if shiboken6.isValid(window):
            shiboken6.delete(window)


def test_the_window_step_opens_the_coded_session_and_closes(
    few_steps: None,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert selftest.run() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("ok open and close main window (offscreen, ")
    assert "P01 session 1" in lines[-2]  # the first coded session, opened as Selftest Ada
    assert lines[-1] == "selftest passed: 4 steps"


def test_a_window_that_refuses_to_close_fails_the_step_by_name(
    few_steps: None,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from coder.ui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "closeEvent", lambda self, event: event.ignore())
    assert selftest.run() == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == (
        "FAILED open and close main window: RuntimeError: the main window refused to close"
    )


def test_a_window_that_is_not_built_fails_the_step(
    few_steps: None,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from coder.ui import launch

    monkeypatch.setattr(launch, "build_window", lambda *_a, **_k: None)
    assert selftest.run(debug=True) == 1
    out = capsys.readouterr().out
    assert "FAILED open and close main window: RuntimeError: the main window was not built" in out
    assert "Traceback" in out  # --debug adds it
