"""The window step of ``coder --selftest``: open the main window offscreen on the
self-test project, as the first rater, on a coded session; then close it."""

from __future__ import annotations

import os

from coder.app import selftest
from coder.app.selftest import Context


def _window(ctx: Context) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from coder.ui.launch import application, build_window

    app = application()
    patient, number = selftest.CODED_SESSIONS[0]
    window = build_window(ctx.project, selftest.RATERS[0][0], None, (patient, number), ask=False)
    if window is None:
        raise RuntimeError("the main window was not built")
    window.resize(1200, 800)
    window.show()
    for _ in range(3):
        app.processEvents()
    title = window.windowTitle()
    if not window.close():
        raise RuntimeError("the main window refused to close")
    app.processEvents()
    return f"{app.platformName()}, {title!r}"


def run(debug: bool = False) -> int:
    """Every step of :func:`coder.app.selftest.run`, then the window."""
    return selftest.run([("open and close main window", _window)], debug=debug)
