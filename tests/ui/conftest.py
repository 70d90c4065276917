from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from coder.app.identity import ActingRater
from coder.app.schemes import load_project_scheme
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import Scheme
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.prompter import Prompter


class FakePrompter(Prompter):
    """Answers at once, records what was asked: no test ever opens a modal dialog."""

    def __init__(self) -> None:
        super().__init__(None)
        self.answers: list[object] = []
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.unexpected: list[tuple[str, str, Path | None]] = []

    def _next(self, question: str) -> object:
        self.asked.append(question)
        return self.answers.pop(0) if self.answers else None

    def text(
        self, title: str, label: str, default: str = "", *, secret: bool = False
    ) -> str | None:
        return self._next(label)  # type: ignore[return-value]

    def multiline(self, title: str, label: str, default: str = "") -> str | None:
        return self._next(label)  # type: ignore[return-value]

    def memo(self, code: str, where: str, default: str = "") -> str | None:
        return self._next(f"memo on {code} at {where}")  # type: ignore[return-value]

    def open_file(self, title: str, filters: str, *, kind: str | None = None) -> Path | None:
        return self._next(title)  # type: ignore[return-value]

    def confirm(self, title: str, question: str) -> bool:
        return bool(self._next(question))

    def error(self, title: str, message: str) -> None:
        self.errors.append(message)

    def unexpected_error(self, summary: str, details: str, log_path: Path | None) -> None:
        self.unexpected.append((summary, details, log_path))

    def open_files(self, title: str, filters: str, *, kind: str | None = None) -> list[Path]:
        return self._next(title) or []  # type: ignore[return-value]

    def save_file(
        self, title: str, filters: str, default: str = "", *, kind: str | None = None
    ) -> Path | None:
        return self._next(title)  # type: ignore[return-value]

    def choose(self, title: str, label: str, options: list[str], current: int = 0) -> int | None:
        self.asked.append(label + " " + " | ".join(options))
        return self.answers.pop(0) if self.answers else None  # type: ignore[return-value]

    def confirm_roles(
        self, speakers: dict[str, tuple[SpeakerRole, str]], pattern: str
    ) -> tuple[dict[str, SpeakerRole], str] | None:
        self.asked.append("roles: " + ",".join(sorted(speakers)))
        answer = self.answers.pop(0) if self.answers else ({}, pattern)
        return answer  # type: ignore[return-value]


@pytest.fixture
def make_window(
    qtbot: QtBot, new_project: Callable[..., ProjectDatabase]
) -> Iterator[Callable[[ProjectDatabase, ActingRater | None], MainWindow]]:
    """``make(db, rater)``: a shown main window, closed after the test. (It depends on
    ``new_project`` so that its windows close, saving their position, before the test's
    projects are closed and, on PostgreSQL, dropped.)"""
    windows: list[MainWindow] = []

    def make(db: ProjectDatabase, coder: ActingRater | None) -> MainWindow:
        window = MainWindow(db, prompter=FakePrompter())
        qtbot.addWidget(window)
        if coder is not None:
            window.set_coder(coder)
        window.show()
        # Window shortcuts (the code hotkeys) fire only in the active window; offscreen
        # needs an explicit activation request.
        window.activateWindow()
        handle = window.windowHandle()
        if handle is not None:
            handle.requestActivate()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def project(new_project: Callable[..., ProjectDatabase]) -> ProjectDatabase:
    """A new project with the 3RS-2015 and stage schemes (widget tests build on it)."""
    return new_project("p", scheme_ids=("3rs-2015", "safran-muran-stages"))


@pytest.fixture
def rrs(project: ProjectDatabase) -> Scheme:
    return load_project_scheme(project, "3rs-2015")


@pytest.fixture
def filled_db(db: ProjectDatabase) -> ProjectDatabase:
    """A project with one patient, two sessions, the first with a 3-turn transcript."""
    from coder.store.models import PatientRow, SessionRow, SpeakerRow, TranscriptRow, TurnRow

    with db.transaction() as s:
        patient = PatientRow(code="P01")
        s.add(patient)
        s.flush()
        first = SessionRow(patient_id=patient.id, number=1)
        s.add_all([first, SessionRow(patient_id=patient.id, number=2)])
        s.flush()
        transcript = TranscriptRow(
            session_id=first.id,
            source_name="P01_S1.txt",
            source_format="txt",
            content_hash="x" * 64,
        )
        s.add(transcript)
        s.flush()
        therapist = SpeakerRow(transcript_id=transcript.id, label="T", role="therapist")
        patient_speaker = SpeakerRow(transcript_id=transcript.id, label="P", role="patient")
        s.add_all([therapist, patient_speaker])
        s.flush()
        for i, (speaker, text) in enumerate(
            [
                (therapist, "How was your week?"),
                (patient_speaker, "Fine."),
                (therapist, "Just fine?"),
            ],
            start=1,
        ):
            s.add(
                TurnRow(
                    transcript_id=transcript.id,
                    index=i,
                    speaker_id=speaker.id,
                    start_ms=i * 4000,
                    end_ms=None,
                    text=text,
                )
            )
    return db


Handler = Callable[[QWidget], None]


class ModalAnswers:
    """Answers real modal dialogs as a user would, one handler per dialog in order.

    A modal dialog runs its own event loop, so the test cannot act after ``exec()``:
    each handler is run from that loop once the next modal dialog is up, and it types
    and clicks in it. Polling is event-driven and bounded (no fixed sleep); a handler
    that fails rejects its dialog, so a broken test fails instead of hanging.
    """

    def __init__(self) -> None:
        self.pending: list[Handler] = []
        self.seen: list[QWidget] = []  # kept alive, so ids are never reused
        self.errors: list[BaseException] = []
        self.titles: list[str] = []

    def then(self, handler: Handler) -> ModalAnswers:
        self.pending.append(handler)
        if len(self.pending) == 1:
            self._poll(2000)
        return self

    def _poll(self, tries_left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if (
            dialog is None
            or not dialog.isVisible()
            or isinstance(dialog, QProgressDialog)  # a background job's, not a question
            or any(d is dialog for d in self.seen)
        ):
            if tries_left > 0:
                QTimer.singleShot(5, lambda: self._poll(tries_left - 1))
            return
        self.seen.append(dialog)
        self.titles.append(dialog.windowTitle())
        handler = self.pending.pop(0)
        try:
            handler(dialog)
        except BaseException as exc:  # reported by check(); the dialog must not hang
            self.errors.append(exc)
            if isinstance(dialog, QDialog):
                dialog.reject()
        if self.pending:
            QTimer.singleShot(0, lambda: self._poll(2000))

    def check(self) -> None:
        if self.errors:
            raise self.errors[0]
        assert not self.pending, f"{len(self.pending)} dialog(s) never opened"


@pytest.fixture
def modal() -> Iterator[ModalAnswers]:
    answers = ModalAnswers()
    yield answers
    answers.check()
