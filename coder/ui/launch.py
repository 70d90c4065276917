"""Start the desktop app (or render it to a PNG for docs and checks)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from coder.app import demo, projects
from coder.ui.main_window import MainWindow


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Rupture Coder")
    app.setOrganizationName("rupture-coder")
    return app


def launch(
    project: Path | None = None,
    screenshot: Path | None = None,
    open_session: tuple[str, int] | None = None,
) -> int:
    app = application()
    db = projects.open_project(project) if project else demo.ensure_demo_project()
    window = MainWindow(db)
    if open_session is not None:
        window.open_session(*open_session)
    if screenshot is not None:
        window.show()
        app.processEvents()
        ok = window.grab().save(str(screenshot))
        window.close()
        db.close()
        return 0 if ok else 1
    window.show()
    code = app.exec()
    db.close()
    return code
