"""The coding workspace driven like a rater would: keys, grid, undo, blinding, resume."""

from __future__ import annotations

from collections.abc import Callable

from driving import press, select_in_turn
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import identity, rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import TextSpan, Unit
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.models.grid_model import CellKind
from coder.ui.models.turns_model import Column
from coder.ui.transcript_view import utf16_to_index

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]


def stored(
    db: ProjectDatabase, coder: ActingRater, number: int = 1
) -> list[tuple[str, Unit, int, TextSpan | None, str]]:
    return [
        (c.code_id, c.unit, c.unit_index, c.evidence, c.rater)
        for c in CodingSession(db, coder, "P01", number).own_codes()
    ]


def test_models_pass_the_qt_model_tester(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtmodeltester: ModelTester
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.controller.code("W1")
    for model in (
        window.transcript.turns,
        window.sessions_model,
        window.grid.grid,
        window.applied.applied,
        window.episodes.model,
        window.codebook.model,
    ):
        qtmodeltester.check(model)


def test_hotkey_on_selection_stores_one_span_code(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    select_in_turn(window, 4, "Can we talk about work instead?")
    press(window, qtbot, "4")  # W4, avoidant storytelling / shifting topic
    text = window.ws.cs.turn(4).text
    start = text.index("Can we talk")
    assert stored(coded_db, ada) == [("W4", Unit.SEGMENT, 2, TextSpan(4, start, start + 31), "Ada")]
    assert window.grid.grid.index(1, 3).data() == "●"  # W4 column of segment 2 filled
    assert "Saved" in window.saved_label.text()
    highlights = window.transcript.turns.index(3, 3).data(Qt.ItemDataRole.UserRole + 10)
    assert [(h.start, h.end) for h in highlights] == [(start, start + 31)]


def test_hotkey_without_selection_toggles_current_segment(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.transcript.show_turn(6)
    window.transcript.setFocus()
    press(window, qtbot, "T")  # C5, complaints about progress
    assert stored(coded_db, ada) == [("C5", Unit.SEGMENT, 3, None, "Ada")]
    press(window, qtbot, "T")
    assert stored(coded_db, ada) == []


def test_undo_and_redo_reach_the_database(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    select_in_turn(window, 2, "Fine. I guess.")
    press(window, qtbot, "2")
    first = stored(coded_db, ada)
    assert len(first) == 1
    window.undo_group.undo()
    assert stored(coded_db, ada) == []
    window.undo_group.redo()
    assert stored(coded_db, ada) == first


def test_undo_never_reaches_another_transcript(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.controller.code("W1")
    window.open_session("P01", 2)
    window.controller.code("W2")
    window.undo_group.undo()  # undoes W2 in session 2 only
    window.undo_group.undo()  # nothing left on session 2's stack
    assert stored(coded_db, ada, 2) == []
    assert [c[0] for c in stored(coded_db, ada, 1)] == ["W1"]
    window.open_session("P01", 1)
    window.undo_group.undo()
    assert stored(coded_db, ada, 1) == []


def test_grid_keyboard_navigation_and_ratings(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    grid = window.grid
    columns = grid.grid.columns
    w_sig = next(i for i, c in enumerate(columns) if c.id == "W_SIG")
    w2 = next(i for i, c in enumerate(columns) if c.id == "W2")
    grid.setFocus()
    grid.setCurrentIndex(grid.grid.index(0, w2))
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    assert ("W2", Unit.SEGMENT, 1, None, "Ada") in stored(coded_db, ada)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.current_segment() == 2 and window.current_segment == 2
    assert window.transcript.current_turn() == 4  # the transcript follows the grid
    grid.setCurrentIndex(grid.grid.index(1, w_sig))
    qtbot.keyClick(grid, "4")  # a digit on a rating cell is a rating, not the W4 hotkey
    qtbot.keyClick(grid, "3")  # changing it merges into one undo step
    ratings = [
        (c.code_id, c.unit_index, c.value) for c in window.ws.cs.own_codes() if c.code_id == "W_SIG"
    ]
    assert ratings == [("W_SIG", 2, 3)]
    assert not any(c.code_id == "W4" for c in window.ws.cs.own_codes())
    assert grid.grid.index(1, w_sig).data() == 3
    window.undo_group.undo()
    assert not any(c.code_id == "W_SIG" for c in window.ws.cs.own_codes())
    qtbot.keyClick(grid, "9")  # outside the 1-5 scale: ignored
    assert not any(c.code_id == "W_SIG" for c in window.ws.cs.own_codes())
    assert grid.grid.column(w_sig).kind is CellKind.RATING


def test_session_form_and_memo(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.session_form.ratingEdited.emit("G_TCONTRIB", 2)
    assert [(c.code_id, c.value) for c in window.ws.cs.own_codes()] == [("G_TCONTRIB", 2)]
    assert window.session_form.value("G_TCONTRIB") == 2
    window.transcript.show_turn(2)
    window.controller.code("W2")
    window.prompter.answers.append("terse, looks away")  # type: ignore[attr-defined]
    from coder.ui.window_menus import edit_memo

    edit_memo(window)
    assert [c.memo for c in window.ws.cs.own_codes() if c.code_id == "W2"] == ["terse, looks away"]
    window.undo_group.undo()
    assert [c.memo for c in window.ws.cs.own_codes() if c.code_id == "W2"] == [""]


def test_delete_key_removes_the_selected_code(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    window.transcript.show_turn(2)
    window.controller.code("W2")
    window.applied.setFocus()
    window.applied.setCurrentIndex(window.applied.applied.index(0))
    qtbot.keyClick(window.applied, Qt.Key.Key_Delete)
    assert stored(coded_db, ada) == []


def test_boundary_move_and_undo(
    coded_db: ProjectDatabase, lead: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    window.transcript.show_turn(4)
    from coder.ui.window_menus import nudge_boundary

    nudge_boundary(window, 1)  # segment 2 now starts at turn 5
    assert [(s.first_turn, s.last_turn) for s in window.ws.segments[:2]] == [(1, 4), (5, 5)]
    assert [
        (s.first_turn, s.last_turn) for s in CodingSession(coded_db, lead, "P01", 1).segments[:2]
    ] == [(1, 4), (5, 5)]
    window.undo_group.undo()
    assert [
        (s.first_turn, s.last_turn) for s in CodingSession(coded_db, lead, "P01", 1).segments[:2]
    ] == [(1, 3), (4, 5)]


def test_blinding_holds_in_every_view(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    ben: ActingRater,
    lead: ActingRater,
    make_window: Make,
) -> None:
    rounds.create_round(coded_db, lead, "calibration")
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", span=TextSpan(2, 0, 5))
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert window.ws.codes == []
    assert window.transcript.turns.index(1, 3).data(Qt.ItemDataRole.UserRole + 10) == []
    assert all(
        window.grid.grid.index(0, c).data() in (None, "")
        for c in range(window.grid.grid.columnCount())
    )
    assert window.applied.applied.rowCount() == 0
    assert not window.rater_filter_action.isVisible()
    lead_window = make_window(coded_db, lead)
    lead_window.open_session("P01", 1)
    assert [c.rater for c in lead_window.ws.codes] == ["Ben"]
    assert lead_window.rater_filter.count() >= 4 and lead_window.rater_filter_action.isVisible()


def test_reopening_restores_session_and_turn(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 2)
    window.transcript.show_turn(5)
    window.controller.code("W3")
    window.close()
    again = make_window(coded_db, identity.sign_in(coded_db, "Ada"))
    assert again.ws is not None and again.ws.key[:2] == ("P01", 2)
    assert again.transcript.current_turn() == 5
    assert [c.code_id for c in again.ws.codes] == ["W3"]


def test_refused_edit_is_reported_not_stacked(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, make_window: Make
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    rounds.create_round(coded_db, lead)
    window.transcript.show_turn(2)
    window.controller.code("W2")
    from coder.domain.coding import RoundStatus

    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    before = window.ws.stack.count()
    window.controller.code("W2")  # toggling off would edit a locked round's code
    assert window.ws.stack.count() == before
    assert "locked" in window.statusBar().currentMessage()


def test_utf16_positions_map_to_python_indexes() -> None:
    text = "ok 😀 then"
    assert utf16_to_index(text, 3) == 3
    assert utf16_to_index(text, 5) == 4  # the emoji is two UTF-16 units
    assert utf16_to_index(text, 100) == len(text)


def test_selection_survives_a_relayout(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    """Resizing the transcript re-measures rows; the text the rater selected must stay."""
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    select_in_turn(window, 4, "Can we talk")
    header = window.transcript.horizontalHeader()
    before = header.sectionSize(int(Column.TEXT))
    relaid: list[bool] = []
    window.transcript._relayout.timeout.connect(lambda: relaid.append(True))
    header.sectionResized.connect(lambda *_: relaid.clear())  # only a relayout after it counts
    window.resize(window.width() + 300, window.height())  # more room for the transcript
    # The wider text column re-measures rows on a deferred timer: wait until the column
    # is wider and the timer has fired (not a fixed time: CI machines are loaded).
    qtbot.waitUntil(lambda: header.sectionSize(int(Column.TEXT)) > before, timeout=5000)
    qtbot.waitUntil(
        lambda: bool(relaid) and not window.transcript._relayout.isActive(), timeout=5000
    )
    span = window.transcript.selected_span()
    assert span is not None and span.turn == 4
    assert window.ws is not None and window.ws.span_text(span) == "Can we talk"


def test_menus_open_the_reliability_and_patient_windows(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, make_window: Make
) -> None:
    from coder.ui.patient_view import PatientView
    from coder.ui.reliability_view import ReliabilityView
    from coder.ui.window_menus import open_profile, open_reliability

    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    open_reliability(window)
    open_profile(window)
    kinds = {type(child) for child in window.child_windows}
    assert {ReliabilityView, PatientView} <= kinds
    for child in window.child_windows:
        child.close()
