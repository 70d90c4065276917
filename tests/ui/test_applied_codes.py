"""The "Codes in this segment" panel: every line, the rater's full name included, is
shown whole however narrow the dock (issue 13: rater names in full)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from coder.app import codes, raters
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
LONG = "Maria-Fernanda Okonkwo-Lindqvist"


def test_rater_names_are_shown_in_full_in_a_narrow_panel(
    coded_db: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    source = tmp_path / "codes.csv"
    source.write_text(
        "patient,session,rater,code,unit,unit_index,value\n"
        f"P01,1,{LONG},C4,segment,1,1\nP01,1,Ada,W1,segment,1,1\n",
        encoding="utf-8",
    )
    raters.add_rater(coded_db, LONG, "MO")
    codes.import_codes(coded_db, source, lead)
    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    view = window.applied
    view.resize(200, 400)
    view.applied.show(window.ws, 1)
    texts = [view.applied.index(r).data() for r in range(view.applied.rowCount())]
    assert any(t.endswith(f"— {LONG}") for t in texts)
    flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
    metrics = view.fontMetrics()
    for row in range(view.applied.rowCount()):
        index = view.applied.index(row)

        def whole(i: object = index) -> bool:
            rect = view.visualRect(i)  # type: ignore[arg-type]
            width = rect.width() - 36  # the colour swatch and margins
            needed = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, i.data())  # type: ignore[attr-defined]
            return rect.right() <= view.viewport().width() and rect.height() >= needed.height()

        qtbot.waitUntil(whole, timeout=3000)
    assert not view.horizontalScrollBar().isVisible()  # nothing hidden to the right
