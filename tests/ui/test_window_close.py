"""Closing the main window saves the reading position at once and leaves nothing pending
that would write to the project afterwards (issue 11: on a lab server a closed window's
late write met a closed connection or a dropped database)."""

from __future__ import annotations

from collections.abc import Callable

from coder.app import identity, positions
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def test_closing_saves_the_position_and_cancels_the_delayed_save(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 2)
    window.transcript.show_turn(5)
    assert window._position_timer.isActive()  # the delayed save is pending
    window.close()
    assert not window._position_timer.isActive()
    saved = positions.last_position(coded_db, identity.sign_in(coded_db, "Ada"))
    assert saved is not None and (saved.patient, saved.session, saved.turn) == ("P01", 2, 5)
