from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import browse
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase
from coder.ui.models.sessions_model import SESSION_KEY_ROLE, SessionsModel
from coder.ui.models.turns_model import Column, Highlight, TurnsModel


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


def test_window_without_identity_lists_sessions(
    qtbot: QtBot, filled_db: ProjectDatabase, make_window
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(filled_db, None)
    assert window.sessions_model.rowCount() == 1
    window.open_session("P01", 1)
    assert window.ws is None and "Choose who you are" in window.statusBar().currentMessage()
