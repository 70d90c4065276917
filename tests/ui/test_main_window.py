from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import browse, positions
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.stored_code import StoredCode
from coder.domain.coding import TextSpan, Unit
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import Scheme
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.models.sessions_model import SESSION_KEY_ROLE, SessionsModel
from coder.ui.models.turns_model import Column, Highlight, TurnsModel, evidence_marks
from coder.ui.style import UNLISTED_CODE_COLOUR


def test_turns_model_is_a_correct_qt_model(
    qtmodeltester: ModelTester, filled_db: ProjectDatabase
) -> None:
    model = TurnsModel()
    model.set_transcript(browse.load_transcript(filled_db, "P01", 1))
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    assert model.index(1, int(Column.SPEAKER)).data() == "P"
    assert model.index(1, int(Column.TEXT)).data() == "Fine."
    assert model.index(0, int(Column.TIME)).data() == "00:00:04"
    assert model.turn(0).role is SpeakerRole.THERAPIST
    model.set_decorations({2: [Highlight(0, 4, "#ff0000", "W2 — Ada")]}, {2: "W2 — Ada"}, {})
    qtmodeltester.check(model)
    assert model.index(1, int(Column.TEXT)).data(Qt.ItemDataRole.ToolTipRole) == "W2 — Ada"
    assert (
        model.find("fine", 0) == 1 and model.find("fine", 1) == 2 and model.find("zzz", 0) is None
    )


def test_sessions_model(qtmodeltester: ModelTester, filled_db: ProjectDatabase) -> None:
    model = SessionsModel()
    model.set_sessions(browse.session_summaries(filled_db), {("P01", 1): (1, 3)})
    qtmodeltester.check(model)
    patient = model.index(0, 0)
    assert patient.data() == "P01" and model.rowCount(patient) == 2
    assert model.index(0, 0, patient).data(SESSION_KEY_ROLE) == ("P01", 1)
    assert model.index(0, 1, patient).data() == "3"
    assert model.index(0, 2, patient).data() == "1/3"
    model.set_progress("P01", 1, 3, 3)
    assert model.index(0, 2, patient).data() == "3/3 ✓"


def test_sessions_model_updates_progress_in_place(
    qtmodeltester: ModelTester, filled_db: ProjectDatabase
) -> None:
    """Signing in and refreshing only rewrite the "Done" column when the sessions are
    the same (a lab project's 4,000 rows are not rebuilt); other sessions rebuild."""
    model = SessionsModel()
    summaries = browse.session_summaries(filled_db)
    assert model.set_sessions(summaries)
    patient = model.index(0, 0)
    first = model.index(0, 0, patient)
    assert model.index(0, 2, patient).data() == ""
    assert not model.set_sessions(list(summaries), {("P01", 1): (2, 3)})
    assert model.index(0, 0, patient) == first  # the same row, not a new one
    assert model.index_of("P01", 1) == first and not model.index_of("P09", 1).isValid()
    assert model.index(0, 2, patient).data() == "2/3"
    assert "2 of 3 segments" in model.index(0, 2, patient).data(Qt.ItemDataRole.ToolTipRole)
    assert not model.set_sessions(summaries, {})  # nobody signed in: nothing shown
    assert model.index(0, 2, patient).data() == ""
    assert not model.index(0, 2, patient).data(Qt.ItemDataRole.ToolTipRole)
    relabelled = [replace(summaries[0], label="intake"), *summaries[1:]]
    assert model.set_sessions(relabelled, {("P01", 1): (3, 3)})
    assert model.index(0, 0, model.index(0, 0)).data() == "Session 1 (intake)"
    assert model.index(0, 2, model.index(0, 0)).data() == "3/3 ✓"
    qtmodeltester.check(model)


def test_a_refresh_keeps_the_chosen_session(
    qtbot: QtBot, coded_db: ProjectDatabase, ada: ActingRater, make_window
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(coded_db, ada)
    patient = window.sessions_model.index(0, 0)
    second = window.sessions_model.index(1, 0, patient)
    window.sessions_view.setCurrentIndex(second)
    window.refresh_sessions()
    assert window.sessions_view.currentIndex().data(SESSION_KEY_ROLE) == ("P01", 2)


def test_window_without_identity_lists_sessions(
    qtbot: QtBot, filled_db: ProjectDatabase, make_window
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(filled_db, None)
    assert window.sessions_model.rowCount() == 1
    window.open_session("P01", 1)
    assert window.ws is None and "Choose who you are" in window.statusBar().currentMessage()


def test_evidence_marks_colour_each_code_and_name_it_in_the_tooltip(rrs: Scheme) -> None:
    """The transcript's highlights: a listed code in its scheme colour, a code the shown
    scheme does not list in the unlisted colour; the tooltip names code, rater, a value
    other than 1 and the memo; codes without evidence are not drawn."""
    listed = rrs.groups[0].codes[0]

    def code(code_id: str, turn: int | None, value: int | None = 1, memo: str = "") -> StoredCode:
        now = datetime(2026, 1, 1)
        span = TextSpan(turn, 0, 4) if turn is not None else None
        return StoredCode(
            1, code_id, 1, "Ada", code_id, Unit.SEGMENT, 1, value, span, memo, None, now, now
        )

    highlights, tooltips = evidence_marks(
        [code(listed.id, 2), code("ZZ", 2, value=3, memo="why"), code(listed.id, None)], rrs
    )
    assert list(highlights) == [2]
    assert [h.colour for h in highlights[2]] == [listed.colour, UNLISTED_CODE_COLOUR]
    assert tooltips == {2: f"{listed.id} — Ada\nZZ — Ada = 3\nmemo: why"}


def test_a_window_made_as_a_rater_starts_signed_in(
    qtbot: QtBot, coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    """``MainWindow(db, rater)`` (how ``coder gui --rater`` starts) is what signing in
    afterwards gives: the identity, the rater's progress and their last session."""
    cs = CodingSession(coded_db, ada, "P01", 1, "3rs-2015")
    cs.set_rating("W_SIG", 1, 2)
    cs.set_rating("C_SIG", 1, 3)
    positions.save_position(coded_db, ada, "P01", 2, "3rs-2015", 3)
    window = MainWindow(coded_db, ada)
    qtbot.addWidget(window)
    assert window.coder == ada and "Coding as Ada" in window.identity_label.text()
    first = window.sessions_model.index_of("P01", 1)
    assert first.siblingAtColumn(2).data() == "1/3"
    assert window.ws is not None and (window.ws.cs.patient, window.ws.cs.number) == ("P01", 2)
    assert window.transcript.current_turn() == 3
