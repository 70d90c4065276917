from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import browse
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.models.sessions_model import SESSION_KEY_ROLE, SessionsModel
from coder.ui.models.turns_model import Column, TurnsModel


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


def test_sessions_model(qtmodeltester: ModelTester, filled_db: ProjectDatabase) -> None:
    model = SessionsModel()
    model.set_sessions(browse.session_summaries(filled_db))
    qtmodeltester.check(model)
    patient = model.index(0, 0)
    assert patient.data() == "P01" and model.rowCount(patient) == 2
    assert model.index(0, 0, patient).data(SESSION_KEY_ROLE) == ("P01", 1)
    assert model.index(0, 1, patient).data() == "3"
    assert model.index(1, 1, patient).data() == "0"


def test_main_window_opens_session_on_click(
    qtbot: QtBot, filled_db: ProjectDatabase, tmp_path: Path
) -> None:
    window = MainWindow(filled_db)
    qtbot.addWidget(window)
    window.show()
    assert "1 patients, 2 sessions, 3 turns" in window.status_label.text()
    patient = window.sessions_model.index(0, 0)
    session_index = window.sessions_model.index(0, 0, patient)
    rect = window.sessions_view.visualRect(session_index)
    qtbot.mouseClick(window.sessions_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.turns_model.rowCount() == 3
    assert "P01 session 1: 3 turns" in window.statusBar().currentMessage()
    shot = tmp_path / "window.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 1000
