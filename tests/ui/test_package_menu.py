"""File ▸ Export ▸ Export rater package… / Merge rater packages…: the same app functions
as ``coder package``, run in the background, with a preview (per session: added,
unchanged, conflicts) before anything is committed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backend import query
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from coder.app import codes, identity, package_export, package_plan, packages
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.package_menu import MergePreview
from coder.ui.worker import Job

PASSPHRASE = "correct horse battery"  # the lead of the coded_db fixture
MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
CopyProject = Callable[[ProjectDatabase, str], ProjectDatabase]  # the copy_project fixture
CODES = """\
patient,session,rater,code,unit,unit_index,value,memo
P01,1,Ada,W2,segment,1,1,quiet
P01,1,Ada,W_SIG,segment,1,3,
P01,2,Ada,C1,segment,2,1,
P01,1,Ben,C1,segment,2,1,
"""


def export_actions(window: MainWindow) -> dict[str, QAction]:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == "File" and top.menu() is not None:
            for action in top.menu().actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == "Export" and action.menu() is not None:
                    items = action.menu().actions()  # type: ignore[union-attr]
                    return {a.text().replace("&", ""): a for a in items if a.text()}
    raise AssertionError("no File ▸ Export")


def count(db: ProjectDatabase, rater: str) -> int:
    assert "'" not in rater
    [(n,)] = query(
        db,
        "SELECT COUNT(*) FROM code_applications a JOIN raters r ON r.id = a.rater_id "
        f"WHERE r.name = '{rater}'",
    )
    return int(n)  # type: ignore[call-overload]


def test_export_then_preview_and_merge_into_a_lab_copy(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: MakeWindow,
    qtbot: QtBot,
    tmp_path: Path,
    copy_project: CopyProject,
) -> None:
    lab = copy_project(coded_db, "lab")  # the lab's copy, made before Ada coded
    source = tmp_path / "in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)

    # Ada, on her laptop copy, exports her own package (no question whose).
    window = make_window(coded_db, ada)
    prompter: Any = window.prompter
    package = tmp_path / "ada.rcpkg"
    prompter.answers.append(package)
    export_actions(window)["Export rater package…"].trigger()
    qtbot.waitUntil(lambda: window.package_job.done, timeout=10000)  # type: ignore[attr-defined]
    assert package.exists() and "3 codes" in window.statusBar().currentMessage()
    assert prompter.errors == []

    # The lead, in the lab project, previews and merges.
    try:
        lab_window = make_window(lab, identity.sign_in(lab, "Lee", PASSPHRASE))
        lab_prompter: Any = lab_window.prompter
        lab_prompter.answers.append([package])
        export_actions(lab_window)["Merge rater packages…"].trigger()
        qtbot.waitUntil(lambda: hasattr(lab_window, "package_preview"), timeout=10000)
        preview: MergePreview = lab_window.package_preview  # type: ignore[attr-defined]
        assert count(lab, "Ada") == 0  # the preview wrote nothing
        top = preview.tree.topLevelItem(0)
        assert top is not None and top.text(1) == "3" and top.text(3) == "0"
        sessions = {top.child(i).text(0): top.child(i).text(1) for i in range(top.childCount())}
        assert sessions == {"P01/1": "2", "P01/2": "1"}
        assert preview.merge_button.isEnabled()
        qtbot.mouseClick(preview.merge_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: count(lab, "Ada") == 3, timeout=10000)
        qtbot.waitUntil(lambda: "Merged 3 codes" in lab_window.statusBar().currentMessage())

        # Merging again: nothing to add, so nothing to press.
        lab_prompter.answers.append([package])
        del lab_window.package_preview  # type: ignore[attr-defined]
        export_actions(lab_window)["Merge rater packages…"].trigger()
        qtbot.waitUntil(lambda: hasattr(lab_window, "package_preview"), timeout=10000)
        again: MergePreview = lab_window.package_preview  # type: ignore[attr-defined]
        assert "0 codes to add, 3 already" in again.summary.text()
        assert not again.merge_button.isEnabled()
        again.reject()
        assert lab_prompter.errors == []
    finally:
        lab.close()


def test_conflicts_are_listed_and_block_the_merge(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: MakeWindow,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)
    package = tmp_path / "ada.rcpkg"
    from coder.app import packages

    packages.export_package(coded_db, "Ada", package, ada)
    with coded_db.engine.begin() as con:  # behind the app's back: no audit, no checks
        con.execute(text("UPDATE code_applications SET memo = 'lab memo' WHERE memo = 'quiet'"))
    window = make_window(coded_db, lead)
    prompter: Any = window.prompter
    prompter.answers.append([package])
    export_actions(window)["Merge rater packages…"].trigger()
    qtbot.waitUntil(lambda: hasattr(window, "package_preview"), timeout=10000)
    preview: MergePreview = window.package_preview  # type: ignore[attr-defined]
    assert not preview.merge_button.isEnabled()
    assert "lab memo" in preview.problems.toPlainText()
    assert "P01/1" in preview.problems.toPlainText()
    preview.reject()


def test_a_damaged_package_is_an_error_in_words(
    coded_db: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.rcpkg"
    bad.write_text("not a package", encoding="utf-8")
    window = make_window(coded_db, lead)
    prompter: Any = window.prompter
    prompter.answers.append([bad])
    export_actions(window)["Merge rater packages…"].trigger()
    qtbot.waitUntil(lambda: bool(prompter.errors), timeout=10000)
    assert str(bad) in prompter.errors[0] and "not a zip file" in prompter.errors[0]


# ---- Cancel (issue 13): nothing half-written, nothing half-merged ---------------------------
def held_at_first_call(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str
) -> tuple[threading.Event, threading.Event]:
    """Replace ``owner.name`` so its first call waits (on the worker) for ``release``."""
    started, release = threading.Event(), threading.Event()
    real = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        if not started.is_set():
            assert threading.current_thread() is not threading.main_thread()
            started.set()
            assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return started, release


def cancel_while_held(
    qtbot: QtBot, job: Job, started: threading.Event, release: threading.Event
) -> None:
    assert started.wait(10)
    qtbot.waitUntil(job.dialog.isVisible, timeout=5000)  # type: ignore[attr-defined]  # UI runs
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    release.set()
    qtbot.waitUntil(lambda: job.done, timeout=10000)


def test_cancelling_a_package_export_writes_no_file(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    make_window: MakeWindow,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded_db, ada)
    prompter: Any = window.prompter
    started, release = held_at_first_call(monkeypatch, package_export, "_payload")
    folder = tmp_path / "out"
    folder.mkdir()
    prompter.answers.append(folder / "ada.rcpkg")
    export_actions(window)["Export rater package…"].trigger()
    cancel_while_held(qtbot, window.package_job, started, release)  # type: ignore[attr-defined]
    assert list(folder.iterdir()) == []
    assert window.statusBar().currentMessage() == "Export cancelled; nothing was written"
    assert prompter.errors == []


def test_cancelling_a_merge_rolls_back_every_package(
    coded_db: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    copy_project: CopyProject,
) -> None:
    lab = copy_project(coded_db, "lab")
    source = tmp_path / "in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)
    files = [tmp_path / "ada.rcpkg", tmp_path / "ben.rcpkg"]
    packages.export_package(coded_db, "Ada", files[0], lead)
    packages.export_package(coded_db, "Ben", files[1], lead)
    try:
        window = make_window(lab, identity.sign_in(lab, "Lee", PASSPHRASE))
        prompter: Any = window.prompter
        prompter.answers.append(files)
        export_actions(window)["Merge rater packages…"].trigger()
        qtbot.waitUntil(lambda: hasattr(window, "package_preview"), timeout=10000)
        preview: MergePreview = window.package_preview  # type: ignore[attr-defined]
        # Held while the first package is written inside the transaction; after Cancel
        # the second is never written and the first is rolled back with it.
        started, release = held_at_first_call(monkeypatch, package_plan.MergePlan, "write")
        qtbot.mouseClick(preview.merge_button, Qt.MouseButton.LeftButton)
        cancel_while_held(qtbot, window.package_job, started, release)  # type: ignore[attr-defined]
        assert count(lab, "Ada") == 0 and count(lab, "Ben") == 0
        assert window.statusBar().currentMessage() == "Merge cancelled; nothing was stored"
        assert prompter.errors == []
    finally:
        lab.close()
