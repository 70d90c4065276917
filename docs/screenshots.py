"""Regenerate the user guide's pictures from the real app (``make screenshots``).

Runs offscreen on a fresh demo project in a temporary folder and drives the same
widgets a rater uses, so the pictures in docs/images always show the current UI.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from coder.app import demo, identity
from coder.domain.roles import SpeakerRole
from coder.ui.identity_dialog import IdentityDialog
from coder.ui.import_flow import RolesDialog
from coder.ui.launch import application
from coder.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent / "images"


def settle(widget: QWidget) -> None:
    app = application()
    widget.show()
    for _ in range(4):
        app.processEvents()


def save(widget: QWidget, name: str) -> None:
    settle(widget)
    path = OUT / name
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    application()
    with tempfile.TemporaryDirectory(prefix="coder-shots-") as home:
        os.environ["CODER_HOME"] = home
        db = demo.ensure_demo_project()
        try:
            dialog = IdentityDialog(db, None, "Ada Lovelace")
            dialog.resize(520, 420)
            save(dialog, "01-who-are-you.png")
            dialog.close()

            ada = identity.sign_in(db, "Ada Lovelace")
            window = MainWindow(db)
            window.resize(1500, 900)
            window.set_coder(ada)
            window.open_session("P01", 2)
            window.transcript.show_turn(20)
            save(window, "02-workspace.png")

            editor = window.transcript.editor()
            assert editor is not None
            text = editor.toPlainText()
            words = text.split()
            phrase = " ".join(words[: min(6, len(words))])
            cursor = editor.textCursor()
            cursor.setPosition(0)
            cursor.setPosition(len(phrase), QTextCursor.MoveMode.KeepAnchor)
            editor.setTextCursor(cursor)
            save(window, "03-selecting-text.png")
            window.controller.code("W3")
            save(window, "04-coded-span.png")

            window.grid.setFocus()
            save(window.tabs, "05-segment-grid.png")

            window._scheme_changed_to("safran-muran-stages")
            window.open_session("P01", 3)
            window.tabs.setCurrentIndex(1)
            save(window, "06-episodes.png")
            window.close()

            roles = RolesDialog(
                {
                    "Dr. Lee": (SpeakerRole.THERAPIST, "'Dr. Lee' starts with 'Dr'"),
                    "Sam": (SpeakerRole.PATIENT, "the only other speaker"),
                    "C": (SpeakerRole.UNKNOWN, "'C' is ambiguous: client or counsellor"),
                }
            )
            roles.resize(640, 300)
            save(roles, "07-confirm-roles.png")
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
