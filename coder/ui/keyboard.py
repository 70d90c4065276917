"""Coding without the mouse: the panel focus chain and the rating key.

Tab / Shift+Tab move between the window's panels in a fixed order — transcript, segment
grid, session ratings, codebook, codes in this segment — instead of walking every cell
and turn editor (the views' own Tab navigation is switched off). **Ctrl+R** (*Navigate ▸
Rate current segment*) puts the cursor on the current segment's first unrated rating
cell in the grid, where a digit sets the value. A rating that declares a ``hotkey`` in the
scheme goes straight to its own cell: a segment rating's cell in the current segment, a
session rating's drop-down (:func:`rate_item`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from coder.ui.host import WindowHost
from coder.ui.models.grid_model import CellKind
from coder.ui.window_widgets import top_menu

RATE_KEY = "Ctrl+R"


def install(w: WindowHost) -> None:
    w.transcript.setTabKeyNavigation(False)
    w.grid.setTabKeyNavigation(False)
    rate = QAction("&Rate current segment", w)
    rate.setShortcut(QKeySequence(RATE_KEY))
    rate.setStatusTip("Move to the current segment's rating cells; type the digit")
    rate.triggered.connect(lambda: rate_current_segment(w))
    w.controller.ratingRequested.connect(lambda rating_id: rate_item(w, rating_id))
    nav = top_menu(w, "Navigate")
    if len(nav.actions()) > 3:  # after the segment moves
        nav.insertAction(nav.actions()[3], rate)
    else:
        nav.addAction(rate)


def stops(w: WindowHost) -> list[tuple[QWidget, Callable[[], QWidget | None]]]:
    """The panels Tab visits, in order: (the panel, the widget that takes focus)."""

    def first_session_rating() -> QWidget | None:
        ids = w.session_form.rating_ids()
        return w.session_form.combo(ids[0]) if ids else None

    def episodes_or_grid() -> QWidget | None:
        return w.grid if w.tabs.currentIndex() == 0 else w.episodes

    return [
        (w.transcript, lambda: w.transcript),
        (w.tabs, episodes_or_grid),
        (w.session_form, first_session_rating),
        (w.codebook, lambda: w.codebook.view),
        (w.applied, lambda: w.applied),
    ]


def focus_next_panel(w: WindowHost, forward: bool) -> bool:
    """Move focus to the next (previous) visible panel; False if focus is elsewhere
    (the toolbar, a dialog), where Qt's own order applies."""
    focused = QApplication.focusWidget()
    if focused is None:
        return False
    chain = stops(w)
    here = next(
        (
            i
            for i, (panel, _) in enumerate(chain)
            if panel is focused or panel.isAncestorOf(focused)
        ),
        None,
    )
    # The session ratings sit inside the tabs: the innermost panel wins.
    if here == 1 and w.session_form.isAncestorOf(focused):
        here = 2
    if here is None:
        return False
    n = len(chain)
    for step in range(1, n):
        _, target = chain[(here + step) % n if forward else (here - step) % n]
        widget = target()
        if widget is not None and widget.isVisible() and widget.isEnabled():
            widget.setFocus(
                Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
            )
            return True
    return True


def rate_item(w: WindowHost, rating_id: str) -> None:
    """A rating's scheme hotkey: focus that rating where the next digit sets it."""
    if w.ws is None:
        w.show_message("Open a session first")
        return
    rating = next((r for r in w.ws.scheme.ratings if r.id == rating_id), None)
    if rating is None:
        return
    if rating_id in w.session_form.rating_ids():
        combo = w.session_form.combo(rating_id)
        w.tabs.setCurrentIndex(0)
        combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        w.show_message(f"{rating.label}: pick the value with the arrow keys; Tab moves on")
        return
    rate_current_segment(w, rating_id)


def rate_current_segment(w: WindowHost, rating_id: str | None = None) -> None:
    """Focus the current segment's first unrated rating cell (else its first rating),
    or the cell of ``rating_id``."""
    if w.ws is None:
        w.show_message("Open a session first")
        return
    model = w.grid.grid
    ratings = [c for c, column in enumerate(model.columns) if column.kind is CellKind.RATING]
    if not ratings:
        w.show_message("This scheme has no segment ratings")
        return
    segment = w.current_segment or (w.ws.segments[0].index if w.ws.segments else None)
    row = model.row_of_segment(segment) if segment is not None else None
    if row is None:
        w.show_message("This session has no segments")
        return
    w.tabs.setCurrentIndex(0)
    unrated = [c for c in ratings if model.index(row, c).data(Qt.ItemDataRole.EditRole) is None]
    chosen = [c for c in ratings if model.column(c).id == rating_id] if rating_id else []
    if rating_id and not chosen:
        w.show_message(f"{rating_id} is not rated per segment in this view")
        return
    column = (chosen or unrated or ratings)[0]
    w.grid.setCurrentIndex(model.index(row, column))
    w.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)
    label = model.column(column).label
    w.show_message(f"Rating {label} for segment {segment}: type the digit; Tab leaves the grid")
