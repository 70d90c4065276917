"""Screening ▸ Train / Evaluate in the desktop app: background jobs with progress, a
refusal in words, and Cancel that leaves no model file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backend import NewProject, project_args
from PySide6.QtCore import Qt
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


def test_the_evaluation_window_shows_ratings_with_their_intervals() -> None:
    """Ordinal ratings are listed under the codes, each figure with its 95% interval."""
    result = {
        "model": {"n_folds": 5, "group_by": "patient", "trained_from": "Ada", "n_sessions": 8},
        "codes": [],
        "ratings": [
            {
                "rating": "W_SIG", "n_units": 40, "n_predicted": 40,
                "weighted_kappa": 0.61, "weighted_kappa_ci": [0.42, 0.77],
                "alpha_ordinal": 0.6, "alpha_ordinal_ci": [0.41, 0.75],
                "exact_agreement": 0.5, "exact_agreement_ci": None,
                "human_weighted_kappa": 0.72,
            }
        ],
    }  # fmt: skip
    html = screening_menu.evaluation_html(result)
    assert "W_SIG" in html and "0.61 [0.42, 0.77]" in html and "0.60 [0.41, 0.75]" in html
    assert "<td>0.50</td>" in html  # no interval: the figure alone
    assert "<td>0.72</td>" in html and "human κ quadratic" in html


def _machine_codes(db: ProjectDatabase, name: str) -> set[tuple[Any, ...]]:
    with db.reading() as s:
        rows = s.execute(
            select(
                CodeApplicationRow.session_id, CodeApplicationRow.code_id,
                CodeApplicationRow.unit, CodeApplicationRow.unit_index,
                CodeApplicationRow.evidence_turn, CodeApplicationRow.value,
                CodeApplicationRow.probability,
            )
            .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
            .where(RaterRow.name == name)
        ).all()  # fmt: skip
    return {tuple(r) for r in rows}


def test_run_the_model_on_chosen_sessions_stores_what_the_cli_stores(
    trainable: ProjectDatabase, make_window: Make, qtbot: QtBot, tmp_path: Path
) -> None:
    """Screening ▸ Run: pick a model, tick sessions (filter, All/None), Run in the
    background; the machine rater's codes are exactly those `coder screen run` stores."""
    from PySide6.QtWidgets import QDialogButtonBox, QPushButton

    from coder.app import screening
    from coder.cli import main

    out = tmp_path / "lab.model"
    lee = identity.sign_in(trainable, "Lee", PASS)
    digest = screening.train(trainable, lee, "Ada", out).model_hash
    window = make_window(trainable, lee)
    prompter: Any = window.prompter
    prompter.answers += [out]
    picker = screening_menu.run_model(window)
    assert picker is not None and picker.isVisible()
    assert picker.name.placeholderText() == f"Machine · {digest[:8]}"
    run = picker.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not run.isEnabled()  # nothing ticked yet
    qtbot.keyClicks(picker.filter, "P03")
    (every,) = [b for b in picker.findChildren(QPushButton) if b.text() == "All"]
    qtbot.mouseClick(every, Qt.MouseButton.LeftButton)
    assert picker.chosen() == ["P03/1", "P03/2"] and run.isEnabled()  # All: the shown ones
    qtbot.mouseClick(run, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.screening_jobs) and window.screening_jobs[-1].done)
    job = window.screening_jobs[-1]
    assert job.error is None and "on 2 session(s)" in window.statusBar().currentMessage()
    name = f"Machine · {digest[:8]}"
    from_app = _machine_codes(trainable, name)
    assert from_app and all(0 < r[6] <= 1 for r in from_app)
    with trainable.reading() as s:
        role = s.scalar(select(RaterRow.role).where(RaterRow.name == name))
    assert role == "machine"
    # The command line, same model and sessions, replaces them with the very same codes.
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASS, encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["screen", "run", *project_args(trainable), "--model", str(out),
              "--sessions", "P03/1,P03/2", "--as", "Lee", "--passphrase-file", str(pass_file)])  # fmt: skip
    assert exited.value.code in (0, None)
    assert _machine_codes(trainable, name) == from_app


def test_running_is_cancelled_whole_and_refused_for_a_rater(
    trainable: ProjectDatabase,
    make_window: Make,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coder.app import screening

    out = tmp_path / "lab.model"
    lee = identity.sign_in(trainable, "Lee", PASS)
    screening.train(trainable, lee, "Ada", out)
    bad = tmp_path / "bad.model"
    bad.write_bytes(out.read_bytes()[:-40])  # truncated
    window = make_window(trainable, lee)
    prompter: Any = window.prompter
    prompter.answers += [bad]
    assert screening_menu.run_model(window) is None
    assert prompter.errors and "bad.model" in prompter.errors[-1]

    def cancel_at_second_session(job: Any) -> Any:
        def report(done: int, total: int, what: str) -> None:
            if done == 1:
                job.cancel()  # as if Cancel were pressed after the first session
            job.check()

        return report

    monkeypatch.setattr(screening_menu, "_progress", cancel_at_second_session)
    job = screening_menu.start_run(window, out, ["P01/1", "P02/1", "P03/1"], "Machine · cancel")
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert "cancelled" in window.statusBar().currentMessage()
    with trainable.reading() as s:
        assert s.scalar(select(RaterRow.id).where(RaterRow.name == "Machine · cancel")) is None
    monkeypatch.undo()

    ada = make_window(trainable, identity.sign_in(trainable, "Ada"))
    job = screening_menu.start_run(ada, out, ["P01/1"], None)
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert ada.prompter.errors and "lead" in ada.prompter.errors[-1]  # type: ignore[attr-defined]


def test_the_lead_lets_raters_see_suggestions_from_the_menu(
    trainable: ProjectDatabase, make_window: Make, qtbot: QtBot
) -> None:
    """Screening ▸ Let raters see suggestions: the lead's switch (off by default); a rater
    who tries is told only a lead may, and nothing changes."""
    from coder.app.access import suggestions_enabled

    def stored() -> bool:
        with trainable.reading() as s:
            return suggestions_enabled(s)

    ada = make_window(trainable, identity.sign_in(trainable, "Ada"))
    action = ada.suggestions_action
    assert not action.isChecked() and not stored()
    action.trigger()  # as a click in the menu
    assert not stored() and not action.isChecked()
    assert "only a lead" in ada.prompter.errors[-1]  # type: ignore[attr-defined]

    lee = make_window(trainable, identity.sign_in(trainable, "Lee", PASS))
    lee.suggestions_action.trigger()
    assert stored() and lee.suggestions_action.isChecked()
    assert "now see suggestions" in lee.statusBar().currentMessage()
    lee.suggestions_action.trigger()
    assert not stored()


def test_the_session_picker_skips_sessions_without_a_transcript(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QPushButton

    from coder.app.browse import SessionSummary
    from coder.ui.session_picker import SessionPicker

    picker = SessionPicker(
        [
            SessionSummary("P01", 1, "intake", 40, "a.txt"),
            SessionSummary("P01", 2, None, 0, None),  # no transcript yet
            SessionSummary("P02", 1, None, 35, "b.txt"),
        ],
        "Machine · 0123abcd",
    )
    qtbot.addWidget(picker)
    (every,) = [b for b in picker.findChildren(QPushButton) if b.text() == "All"]
    qtbot.mouseClick(every, Qt.MouseButton.LeftButton)
    assert picker.chosen() == ["P01/1", "P02/1"] and "2 session(s)" in picker.count.text()
    assert not picker.list.item(1).flags() & Qt.ItemFlag.ItemIsEnabled
    assert picker.list.item(0).text().startswith("P01/1 — intake")
    assert picker.machine_name() is None  # the default name (the placeholder) is used
    qtbot.keyClicks(picker.name, " Machine · lab ")
    assert picker.machine_name() == "Machine · lab"
