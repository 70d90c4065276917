"""The real Prompter: every modal question a user answers, answered with keys and clicks.

The rest of the UI suite replaces the prompter with one that answers at once; these
tests open the real dialogs (driven through the ``modal`` fixture) so that what the
window asks, and what it makes of the answer, is checked on the dialogs users see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from coder.app import preferences
from coder.domain.roles import SpeakerRole
from coder.ui.prompter import Prompter
from coder.ui.server_dialog import ServerAddress

ModalAnswers = Any  # tests/ui/conftest.py (a conftest cannot be imported by name)


@pytest.fixture
def prompter(qtbot: QtBot) -> Any:
    """The prompter of a real main window's kind, parented to a shown widget."""
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    return Prompter(parent)


def type_and_enter(qtbot: QtBot, text: str) -> Any:
    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        edit.clear()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    return answer


def press_escape(qtbot: QtBot) -> Any:
    return lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def click(qtbot: QtBot, which: QMessageBox.StandardButton) -> Any:
    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        qtbot.mouseClick(dialog.button(which), Qt.MouseButton.LeftButton)

    return answer


def test_text_returns_what_was_typed_and_none_on_escape(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot
) -> None:
    modal.then(type_and_enter(qtbot, "Pilot round"))
    assert prompter.text("New round", "Name of the round:") == "Pilot round"
    modal.then(press_escape(qtbot))
    assert prompter.text("New round", "Name of the round:", "old") is None
    assert modal.titles == ["New round", "New round"]


def test_a_secret_is_typed_hidden(prompter: Any, modal: ModalAnswers, qtbot: QtBot) -> None:
    modes: list[QLineEdit.EchoMode] = []

    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        modes.append(edit.echoMode())
        qtbot.keyClicks(edit, "s3cret")
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    modal.then(answer)
    assert prompter.text("Sign in", "Passphrase:", secret=True) == "s3cret"
    assert modes == [QLineEdit.EchoMode.Password]


def test_multiline_keeps_the_lines(prompter: Any, modal: ModalAnswers, qtbot: QtBot) -> None:
    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QPlainTextEdit)
        assert edit is not None and edit.toPlainText() == "first"
        qtbot.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        qtbot.keyClicks(edit, "second")
        assert isinstance(dialog, QInputDialog)
        dialog.findChild(QDialogButtonBox).button(  # type: ignore[union-attr]
            QDialogButtonBox.StandardButton.Ok
        ).click()

    modal.then(answer)
    assert prompter.multiline("Note", "Formulation:", "first") == "first\nsecond"
    modal.then(press_escape(qtbot))
    assert prompter.multiline("Note", "Formulation:") is None


def test_memo_saves_with_ctrl_enter_and_cancels_with_escape(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot
) -> None:
    seen: list[str] = []

    def answer(dialog: QWidget) -> None:
        edit = dialog.findChild(QPlainTextEdit)
        assert edit is not None
        seen.append(dialog.windowTitle())
        qtbot.keyClicks(edit, " - client withdrew")
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    modal.then(answer)
    assert prompter.memo("W1", "segment 3, turn 12", "Denial") == "Denial - client withdrew"
    assert seen == ["Memo on W1"]
    modal.then(press_escape(qtbot))
    assert prompter.memo("W1", "segment 3, turn 12", "Denial") is None


def test_confirm_is_yes_only_when_yes_is_clicked(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot
) -> None:
    modal.then(click(qtbot, QMessageBox.StandardButton.Yes))
    assert prompter.confirm("Delete", "Delete round 2?") is True
    modal.then(click(qtbot, QMessageBox.StandardButton.No))
    assert prompter.confirm("Delete", "Delete round 2?") is False


def test_error_shows_the_message(prompter: Any, modal: ModalAnswers, qtbot: QtBot) -> None:
    shown: list[str] = []

    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        shown.append(dialog.text())
        qtbot.mouseClick(dialog.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    modal.then(answer)
    prompter.error("Import", "P01_S1.txt: not a transcript")
    assert shown == ["P01_S1.txt: not a transcript"]


def test_unexpected_error_names_the_log_and_copies_details(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtGui import QGuiApplication

    texts: list[str] = []

    def answer(dialog: QWidget) -> None:
        buttons = {b.text().replace("&", ""): b for b in dialog.findChildren(QPushButton)}
        qtbot.mouseClick(buttons["Copy details"], Qt.MouseButton.LeftButton)
        texts.extend(label.text() for label in dialog.findChildren(QLabel))
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    modal.then(answer)
    prompter.unexpected_error("Saving failed", "Traceback: boom", tmp_path / "coder.log")
    assert QGuiApplication.clipboard().text() == "Traceback: boom"
    assert "Saving failed" in texts
    assert any(str(tmp_path / "coder.log") in text for text in texts)


def test_server_address_reads_the_form_and_cancel_gives_none(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot
) -> None:
    def fill(dialog: QWidget) -> None:
        # the form's own fields (the port spin box has a line edit inside it too)
        host, database, user = (e for e in dialog.findChildren(QLineEdit) if e.parent() is dialog)
        qtbot.keyClicks(host, "db.lab.example.org")
        port = dialog.findChild(QSpinBox)
        assert port is not None and port.value() == 5432  # PostgreSQL's default
        port.lineEdit().selectAll()
        qtbot.keyClicks(port, "6543")
        qtbot.keyClicks(database, "rupture_lab")
        qtbot.keyClicks(user, "ada")
        qtbot.keyClick(user, Qt.Key.Key_Return)

    modal.then(fill)
    assert prompter.server_address() == ServerAddress(
        "db.lab.example.org", 6543, "rupture_lab", "ada"
    )
    modal.then(press_escape(qtbot))
    assert prompter.server_address() is None
    assert modal.titles == ["Connect to lab server"] * 2


def test_choose_returns_the_position_picked(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot
) -> None:
    def pick_second(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox)
        assert combo is not None and combo.currentText() == "Ada"
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        qtbot.keyClick(combo, Qt.Key.Key_Return)

    modal.then(pick_second)
    assert prompter.choose("Rater", "Whose codes?", ["Ada", "Ben", "Lee"]) == 1
    modal.then(press_escape(qtbot))
    assert prompter.choose("Rater", "Whose codes?", ["Ada", "Ben"], current=1) is None


def test_confirm_roles_lets_the_user_correct_a_role_and_the_pattern(
    prompter: Any, modal: ModalAnswers, qtbot: QtBot
) -> None:
    suggested = {
        "Dr K": (SpeakerRole.THERAPIST, "title Dr"),
        "Sam": (SpeakerRole.PATIENT, "speaks second"),
    }

    def correct(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget)
        assert table is not None
        rows = [(table.item(r, 0).text(), table.item(r, 2).text()) for r in range(2)]
        assert rows == [("Dr K", "title Dr"), ("Sam", "speaks second")]
        combo = table.cellWidget(1, 1)
        assert isinstance(combo, QComboBox) and combo.currentText() == "patient"
        combo.setCurrentIndex(combo.findText(SpeakerRole.OTHER.value))
        pattern = dialog.findChild(QLineEdit)
        assert pattern is not None and pattern.text() == "{patient}-{session}"
        pattern.selectAll()
        qtbot.keyClicks(pattern, "{patient}_S{session}")
        qtbot.keyClick(pattern, Qt.Key.Key_Return)

    modal.then(correct)
    roles, pattern = prompter.confirm_roles(suggested, "{patient}-{session}")
    assert roles == {"Dr K": SpeakerRole.THERAPIST, "Sam": SpeakerRole.OTHER}
    # real roles, not their strings (a str compares equal to its StrEnum member)
    assert all(type(role) is SpeakerRole for role in roles.values())
    assert pattern == "{patient}_S{session}"
    modal.then(press_escape(qtbot))
    assert prompter.confirm_roles(suggested, "x") is None


def test_file_dialogs_start_where_the_kind_was_last_used(
    prompter: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[tuple[str, str]] = []
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    chosen = [str(transcripts / "P01_S1.txt"), str(transcripts / "P01_S2.txt")]

    def names(parent: QWidget, title: str, start: str, filters: str) -> tuple[list[str], str]:
        assert parent is prompter.parent
        asked.append((title, start))
        return chosen, filters

    def name(parent: QWidget, title: str, start: str, filters: str) -> tuple[str, str]:
        asked.append((title, start))
        return chosen[0], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(names))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(name))
    assert prompter.open_files("Import", "Transcripts (*.txt)", kind="transcripts") == [
        Path(p) for p in chosen
    ]
    assert preferences.last_folder("transcripts") == transcripts
    assert prompter.open_file("Open one", "Transcripts (*.txt)", kind="transcripts") == Path(
        chosen[0]
    )
    assert asked[1] == ("Open one", str(transcripts))  # remembered from the first dialog


def test_save_file_asks_before_creating_a_missing_folder(
    prompter: Any,
    modal: ModalAnswers,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    target = tmp_path / "new folder" / "codes.csv"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *_a: (str(target), "CSV (*.csv)")),
    )
    modal.then(click(qtbot, QMessageBox.StandardButton.No))
    assert prompter.save_file("Export codes", "CSV (*.csv)", "codes.csv") is None
    assert not target.parent.exists()
    modal.then(click(qtbot, QMessageBox.StandardButton.Yes))
    assert prompter.save_file("Export codes", "CSV (*.csv)", "codes.csv") == target
    assert target.parent.is_dir()
    assert preferences.last_folder("csv") == target.parent
