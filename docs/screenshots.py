"""Regenerate the user guide's pictures from the real app (``make screenshots``).

Runs offscreen on a fresh demo project in a temporary folder and drives the same
widgets a rater uses, so the pictures in docs/images always show the current UI.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel, QPoint
from PySide6.QtGui import QPainter, QPixmap, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

from coder.app import demo, identity, rounds
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase
from coder.ui.help_menu import ShortcutsWindow
from coder.ui.identity_dialog import IdentityDialog
from coder.ui.launch import application
from coder.ui.main_window import MainWindow
from coder.ui.patient_view import PatientView
from coder.ui.progress_view import ProgressView
from coder.ui.reliability_view import ReliabilityView
from coder.ui.roles_dialog import RolesDialog
from coder.ui.rounds_dialog import RoundsDialog

OUT = Path(__file__).resolve().parent / "images"


def settle(widget: QWidget) -> None:
    app = application()
    widget.show()
    # Long enough for the deferred work a user never sees half-done: the transcript's
    # row heights follow a resize after 60 ms (TranscriptView._relayout).
    deadline = time.monotonic() + 0.25
    while time.monotonic() < deadline:
        app.processEvents()


def save(widget: QWidget, name: str) -> None:
    settle(widget)
    path = OUT / name
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def reliability_pictures(db: ProjectDatabase) -> None:
    """09 and 10: the lead's reliability window and the disagreement browser."""
    identity.add_lead(db, "Lee Park", "LP", "lab passphrase")
    lee = identity.sign_in(db, "Lee Park", "lab passphrase")
    view = ReliabilityView(db, lee)
    view.resize(1600, 900)
    settle(view)
    table = view.compute()
    assert table is not None
    row = [r.item for r in table.rows].index("W_SIG")
    view.stats_view.selectRow(row)
    view.stats_view.scrollTo(
        view.stats_model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter
    )
    save(view, "09-reliability.png")
    panel = view.disagreements
    view.tabs.setCurrentWidget(panel)
    for position, d in enumerate(panel.model.items):
        if (d.item, d.patient, d.session, d.unit_index) == ("R5", "P01", 1, 5):
            panel.view.setCurrentIndex(panel.model.index(position, 0))
    panel.take(1)
    panel.memo.setText("Ada's evidence in turn 95 fits R5")
    panel.view.setFocus()
    save(view, "10-disagreements.png")
    view.close()


def menu_picture(window: MainWindow, title: str, name: str, submenu: str | None = None) -> None:
    """The window's top with one menu open (and, given ``submenu``, that item's submenu
    beside it): a popup is its own top-level window, so it is painted onto the grab of
    the window where it would appear."""
    settle(window)
    [menu] = [
        a.menu()
        for a in window.menuBar().actions()
        if a.text().replace("&", "") == title and isinstance(a.menu(), QMenu)
    ]
    assert isinstance(menu, QMenu)
    geometry = window.menuBar().actionGeometry(menu.menuAction())
    at = window.menuBar().mapTo(window, geometry.bottomLeft())
    menu.popup(window.mapToGlobal(at))
    settle(menu)
    picture = menu.grab()
    pieces = [(QPoint(at.x(), at.y()), picture)]
    opened = [menu]
    if submenu is not None:
        [item] = [a for a in menu.actions() if a.text().replace("&", "") == submenu]
        child = item.menu()
        assert isinstance(child, QMenu)
        top = at.y() + menu.actionGeometry(item).top()
        child.popup(window.mapToGlobal(QPoint(at.x() + picture.width(), top)))
        settle(child)
        pieces.append((QPoint(at.x() + picture.width() - 2, top), child.grab()))
        opened.append(child)
    right = max(p.x() + pic.width() for p, pic in pieces)
    bottom = max(p.y() + pic.height() for p, pic in pieces)
    canvas = QPixmap(
        window.grab().copy(0, 0, max(720, right + 24), min(window.height(), bottom + 24))
    )
    painter = QPainter(canvas)
    for point, pic in pieces:
        painter.drawPixmap(point, pic)
    painter.end()
    for popup in reversed(opened):
        popup.hide()
    path = OUT / name
    if not canvas.save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path}")


def lead_desk_pictures(db: ProjectDatabase) -> None:
    """11–17: the menus, the Rounds dialog, the progress dashboard and the keyboard
    shortcuts, as the lead sees them during a calibration round with two raters
    assigned."""
    lee = identity.sign_in(db, "Lee Park", "lab passphrase")
    window = MainWindow(db)
    window.resize(1300, 820)
    window.set_coder(lee)
    window.open_session("P01", 1)
    created = rounds.create_round(db, lee, "calibration 1")
    for rater in ("Ada Lovelace", "Ben Okafor"):
        for patient, number in (("P01", 1), ("P01", 2), ("P02", 1)):
            rounds.assign(db, lee, rater, patient, number, created.number)
    window.reload_views()
    menu_picture(window, "Rounds", "11-rounds-menu.png")
    menu_picture(window, "File", "12-file-menu.png")
    menu_picture(window, "View", "15-view-menu.png", submenu="Panels")
    menu_picture(window, "Help", "16-help-menu.png")
    shortcuts = ShortcutsWindow(window)
    shortcuts.filter.setText("segment")
    save(shortcuts, "17-shortcuts.png")
    shortcuts.close()

    dialog = RoundsDialog(window)
    dialog.resize(900, 520)
    dialog.refresh(created.number)
    for row in (3, 4):  # P02/1, P02/2 chosen for the next assignment
        item = dialog.sessions.item(row)
        dialog.sessions.setCurrentItem(item, QItemSelectionModel.SelectionFlag.Select)
    dialog.raters.item(1).setSelected(True)
    save(dialog, "13-rounds-dialog.png")
    dialog.close()

    progress = ProgressView(window)
    progress.resize(820, 400)
    save(progress, "14-progress.png")
    progress.close()
    window.close()


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

            window.show_scheme("safran-muran-stages")
            window.open_session("P01", 3)
            window.tabs.setCurrentIndex(1)
            save(window, "06-episodes.png")
            window.close()

            view = PatientView(db, ada, "P02")
            view.resize(1240, 940)
            save(view, "08-patient-view.png")
            view.close()

            roles = RolesDialog(
                {
                    "Dr. Lee": (SpeakerRole.THERAPIST, "'Dr. Lee' starts with 'Dr'"),
                    "Sam": (SpeakerRole.PATIENT, "the only other speaker"),
                    "C": (SpeakerRole.UNKNOWN, "'C' is ambiguous: client or counsellor"),
                }
            )
            roles.resize(640, 300)
            save(roles, "07-confirm-roles.png")
            reliability_pictures(db)
            lead_desk_pictures(db)
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
