"""Start the desktop app (or render it to a PNG for docs and checks)."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QApplication

from coder.app import demo, identity, preferences, projects
from coder.app.identity import ActingRater, SignInNeed
from coder.domain.errors import CoderError
from coder.domain.selectors import parse_session_ref
from coder.io.atomic import write_atomically
from coder.store.database import ENV_URL, ProjectDatabase
from coder.ui import window_layout
from coder.ui.error_report import install_exception_hook
from coder.ui.identity_dialog import choose_coder
from coder.ui.main_window import MainWindow


def application() -> QApplication:
    """The process's one QApplication (made on first use).

    Made after every module the window needs was imported (this module imports them),
    so the objects those imports created, which live as long as the process, are frozen
    out of the garbage collector first: its full passes then never walk them again
    (~35 ms of a lab project's start, and shorter pauses later)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    gc.freeze()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Rupture Coder")
    app.setOrganizationName("rupture-coder")
    return app


def parse_open(value: str | None) -> tuple[str, int] | None:
    """``"P01/2"`` -> ("P01", 2)."""
    if not value:
        return None
    ref = parse_session_ref(value, what="--open")
    return ref.patient, ref.number


def build_window(
    db: ProjectDatabase,
    rater: str | None = None,
    passphrase: str | None = None,
    open_session: tuple[str, int] | None = None,
    ask: bool = True,
) -> MainWindow | None:
    """The main window, signed in (None if the user cancelled the sign-in dialog).

    When no dialog is needed (``--rater`` with its secret, or one that needs none, or
    nobody to ask), the identity comes first, so the window is made as that rater and
    its session list is built once; otherwise the dialog opens over the window."""
    coder: ActingRater | None = None
    if rater and (
        passphrase is not None or not ask or identity.sign_in_need(db, rater) is SignInNeed.NOTHING
    ):
        coder = sign_in_named(db, None, rater, passphrase, ask)
    window = MainWindow(db, coder)
    if coder is None:
        if rater:
            coder = sign_in_named(db, window, rater, passphrase, ask)
        else:
            coder = choose_coder(db, window) if ask else None
        if coder is None and ask:
            return None
        if coder is not None:
            window.set_coder(coder)
    if open_session is not None:
        window.open_session(*open_session)
    return window


def sign_in_named(
    db: ProjectDatabase,
    window: MainWindow | None,
    rater: str,
    secret: str | None,
    ask: bool,
) -> ActingRater | None:
    """``coder gui --rater NAME``: the name must match exactly and its secret is still
    needed. Without ``--passphrase-file`` the sign-in dialog opens on that rater and
    asks for it (None if cancelled); with nobody to ask (a screenshot) it is an error.
    """
    need = identity.sign_in_need(db, rater)  # unknown names and Consensus fail here
    if secret is None and need is not SignInNeed.NOTHING and ask:
        return choose_coder(db, window, rater.strip())
    coder = identity.sign_in(db, rater, secret)
    if ask:
        preferences.remember_rater(db, coder.name)
    return coder


SCREENSHOT_SETTLE_S = 0.25  # seconds of events before a --screenshot is taken


def launch(
    project: Path | None = None,
    screenshot: Path | None = None,
    rater: str | None = None,
    open_session: str | None = None,
    passphrase: str | None = None,
    db_url: str | None = None,
) -> int:
    app = application()
    if screenshot is None:  # a screenshot run (docs, CI) must never wait on a dialog
        install_exception_hook()
    target = parse_open(open_session)
    if db_url is None and project is None:  # as every command: --db, --project, $CODER_DB_URL
        db_url = os.environ.get(ENV_URL) or None
    if db_url:  # a lab server (`coder gui --db URL`): no key to ask (files are encrypted)
        db = projects.open_project(db_url=db_url)
    elif project is None:
        db = demo.ensure_demo_project()
    else:
        from coder.ui.prompter import Prompter
        from coder.ui.server_dialog import open_with_key

        chosen = project
        keyed = open_with_key(
            Prompter(None), str(chosen), lambda key: projects.open_project(chosen, key=key)
        )
        if keyed is None:
            return 0
        db = keyed
    window: MainWindow | None = None
    try:
        window = build_window(db, rater, passphrase, target, ask=screenshot is None)
        if window is None:
            return 0
        if screenshot is not None:
            # Pictures for the docs are the same whatever layout this user left.
            _geometry, state = window.default_layout
            window.restoreState(state, window_layout.LAYOUT_VERSION)
            window.resize(1440, 900)
            window.show()
            # Deferred layout (the transcript's row heights follow the first resize after
            # 60 ms) must have run, or the picture shows rows cut mid-line.
            settled = time.monotonic() + SCREENSHOT_SETTLE_S
            while time.monotonic() < settled:
                app.processEvents()
            buffer = QBuffer()
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            fmt = screenshot.suffix.lstrip(".").upper() or "PNG"
            ok = window.grab().save(buffer, fmt)
            window.close()
            if not ok:
                raise CoderError("could not write the screenshot", path=screenshot)
            write_atomically(screenshot, bytes(buffer.data().data()))
            return 0
        window.show()
        return app.exec()
    finally:
        db.close()
        if window is not None and window.db is not db:  # File ▸ Open project… switched
            window.db.close()
