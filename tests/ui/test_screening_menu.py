"""Screening ▸ Train / Evaluate in the desktop app: background jobs with progress, a
refusal in words, and Cancel that leaves no model file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backend import NewProject
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coder.app import identity, importing, raters
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, PatientRow, RaterRow, SchemeRow, SessionRow
from coder.ui import screening_menu
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
PASS = "correct horse battery"
WITHDRAW = "I don't want to talk about it, can we change the subject"


@pytest.fixture
def trainable(tmp_path: Path, new_project: NewProject) -> Iterator[ProjectDatabase]:
    """Four patients x 2 sessions of 20 turns; Ada marked W1 on every withdrawal turn."""
    db = new_project("t", scheme_ids=("3rs-2015",))
    raters.add_rater(db, "Ada", "AL")
    identity.add_lead(db, "Lee", "LP", PASS)
    marked: dict[tuple[str, int], list[int]] = {}
    for p in range(1, 5):
        for s in (1, 2):
            lines, w1 = [], []
            for t in range(1, 21):
                if t % 2:
                    lines.append(f"[00:00:{t:02d}] T: How was the week {t}?")
                elif (t + p + s) % 4 == 0:
                    lines.append(f"[00:00:{t:02d}] P: the bus was late. {WITHDRAW}")
                    w1.append(t)
                else:
                    lines.append(f"[00:00:{t:02d}] P: my sister called about dinner {t}")
            path = tmp_path / f"P0{p}_S{s}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            assert importing.import_file(db, path, ImportOptions(pattern="{patient}_S{session}")).ok
            marked[(f"P0{p}", s)] = w1
    with db.transaction() as session:
        ada = session.scalar(select(RaterRow.id).where(RaterRow.name == "Ada"))
        scheme = session.scalar(select(SchemeRow.id))
        for (patient, number), turns in marked.items():
            sid = session.scalar(
                select(SessionRow.id)
                .join(PatientRow)
                .where(PatientRow.code == patient, SessionRow.number == number)
            )
            for t in turns:
                session.add(
                    CodeApplicationRow(
                        session_id=sid, rater_id=ada, scheme_id=scheme, code_id="W1",
                        unit="turn", unit_index=t, value=1,
                    )
                )  # fmt: skip
    yield db
    db.close()


def test_train_and_evaluate_in_the_background(
    trainable: ProjectDatabase, make_window: Make, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(trainable, identity.sign_in(trainable, "Lee", PASS))
    prompter: Any = window.prompter
    out = tmp_path / "lab.model"
    prompter.answers += ["Ada", out]
    job = screening_menu.train_model(window)
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert out.exists() and job.error is None
    assert "learnt W1" in window.statusBar().currentMessage()
    prompter.answers += ["Ada"]
    job = screening_menu.evaluate_model(window)
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=120_000)
    (dialog,) = [w for w in window.child_windows if w.windowTitle().startswith("Screening")]
    assert "W1" in dialog.findChild(screening_menu.QTextBrowser).toPlainText()


def test_cancel_leaves_no_file_and_a_refusal_is_shown(
    trainable: ProjectDatabase,
    make_window: Make,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(trainable, identity.sign_in(trainable, "Ada"))
    prompter: Any = window.prompter
    prompter.answers += ["consensus", tmp_path / "x.model"]  # a rater: from her own codes only
    job = screening_menu.train_model(window)
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert prompter.errors and "only a lead" in prompter.errors[-1]

    def cancel_at_first_code(job: Any) -> Any:
        def report(done: int, total: int, what: str) -> None:
            job.cancel()  # as if Cancel were pressed while the first code is learnt
            job.check()

        return report

    monkeypatch.setattr(screening_menu, "_progress", cancel_at_first_code)
    prompter.answers += ["Ada", tmp_path / "own.model"]
    job = screening_menu.train_model(window)
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert not (tmp_path / "own.model").exists()
    assert "cancelled" in window.statusBar().currentMessage()
