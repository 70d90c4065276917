"""File ▸ Export ▸ one item per format: the same app function as ``coder export``, with
blinding, the data dictionary, a cancellable progress dialog and errors in words."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backend import NewProject, query
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from coder.app import codes
from coder.app.export import FORMAT_TITLES, ExportFormat
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui import export_menu
from coder.ui.main_window import MainWindow
from coder.ui.worker import Job

MakeWindow = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
CODES = """\
patient,session,rater,code,unit,unit_index,value
P01,1,Ada,W2,segment,1,1
P01,1,Ada,W_SIG,segment,1,3
P01,1,Ben,C1,segment,2,1
"""


@pytest.fixture
def coded(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    source = tmp_path / "in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)  # the lead imports everyone's codes
    return coded_db


def export_actions(window: MainWindow) -> dict[str, QAction]:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == "File" and top.menu() is not None:
            for action in top.menu().actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == "Export" and action.menu() is not None:
                    items = action.menu().actions()  # type: ignore[union-attr]
                    return {a.text().replace("&", ""): a for a in items if a.text()}
    raise AssertionError("no File ▸ Export")


def finish(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the job the menu started in the background."""
    job = window.exchange_job  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: job.done, timeout=10000)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_item_per_format_each_writing_file_and_dictionary(
    coded: ProjectDatabase, lead: ActingRater, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    actions = export_actions(window)
    for fmt in ExportFormat:
        out = tmp_path / f"{fmt.value}.csv"
        prompter.answers.append(out)
        actions[f"{FORMAT_TITLES[fmt]}…"].trigger()
        finish(qtbot, window)
        assert out.exists() and (tmp_path / f"{fmt.value}.dictionary.csv").exists()
        assert f"to {out}" in window.statusBar().currentMessage()
    assert {r["rater"] for r in rows(tmp_path / "csv-long.csv")} == {"Ada", "Ben"}
    assert prompter.errors == []


def test_a_blinded_rater_exports_their_own_codes_and_excel_adds_a_bom(
    coded: ProjectDatabase, ada: ActingRater, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(coded, ada)
    prompter: Any = window.prompter
    actions = export_actions(window)
    actions["Excel-compatible files (UTF-8 with BOM)"].setChecked(True)
    out = tmp_path / "mine.csv"
    prompter.answers.append(out)
    actions[f"{FORMAT_TITLES[ExportFormat.LONG]}…"].trigger()
    finish(qtbot, window)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [r["rater"] for r in rows(out)] == ["Ada", "Ada"]


def test_a_folder_is_refused_in_words(
    coded: ProjectDatabase, lead: ActingRater, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    folder = tmp_path / "exports"
    folder.mkdir()
    prompter.answers.append(folder)
    export_actions(window)[f"{FORMAT_TITLES[ExportFormat.WIDE]}…"].trigger()
    finish(qtbot, window)
    assert prompter.errors == [f"{folder}: is a folder; choose a file name"]
    assert list(folder.iterdir()) == []


# ---- REFI-QDA (issue 12 item 2) --------------------------------------------------------------
QDPX_ITEM = "REFI-QDA project for ATLAS.ti, MAXQDA, NVivo, QualCoder (qdpx)…"


def file_action(window: MainWindow, text: str) -> QAction:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == "File" and top.menu() is not None:
            for action in top.menu().actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no File ▸ {text}")


def test_qdpx_and_qdc_from_the_menu_and_import_back_into_another_project(
    coded: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    new_project: NewProject,
) -> None:
    import zipfile

    window = make_window(coded, lead)
    prompter: Any = window.prompter
    actions = export_actions(window)
    qdpx, qdc = tmp_path / "p.qdpx", tmp_path / "c.qdc"
    prompter.answers += [qdpx, qdc]
    actions[QDPX_ITEM].trigger()
    finish(qtbot, window)
    assert "Wrote 3 codings on 2 transcripts" in window.statusBar().currentMessage()
    actions["REFI-QDA codebook (qdc)…"].trigger()
    finish(qtbot, window)
    assert prompter.errors == []
    assert zipfile.is_zipfile(qdpx) and qdc.read_bytes().startswith(b"<?xml")

    other = new_project("other", scheme_ids=("3rs-2015",))
    second = make_window(other, None)
    second_prompter: Any = second.prompter
    second_prompter.answers.append(qdpx)
    file_action(second, "Import REFI-QDA project…").trigger()
    finish(qtbot, second)
    assert second_prompter.errors == []
    assert "Imported 3 codes and 2 transcripts" in second.statusBar().currentMessage()
    assert query(other, "SELECT count(*) FROM code_applications") == [(3,)]
    # a bad file: the error in words, nothing written
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip", encoding="utf-8")
    second_prompter.answers.append(bad)
    file_action(second, "Import REFI-QDA project…").trigger()
    finish(qtbot, second)
    assert second_prompter.errors == [f"{bad}: not a .qdpx file (not a zip archive)"]


# ---- in the background (issue 13: long work off the UI thread) -------------------------------
class Gate:
    """Holds the worker at one point until the test lets it go, and records which thread
    it ran on: the test meanwhile checks the window still runs its event loop."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()
        self.threads: set[int] = set()

    def hold(self) -> None:
        self.threads.add(threading.get_ident())
        if not self.started.is_set():
            self.started.set()
            assert self.release.wait(10)


def gate_progress(monkeypatch: pytest.MonkeyPatch, gate: Gate) -> None:
    real = export_menu.counting

    def gated(job: Job, what: str) -> Callable[[int], None]:
        progress = real(job, what)

        def held(n: int) -> None:
            gate.hold()
            progress(n)

        return held

    monkeypatch.setattr(export_menu, "counting", gated)


def event_loop_runs(qtbot: QtBot) -> None:
    """A timer on the UI thread fires: the window is not frozen."""
    timer = QTimer()
    timer.setSingleShot(True)
    with qtbot.waitSignal(timer.timeout, timeout=2000):
        timer.start(10)


def click_cancel(job: Job) -> None:
    dialog: QProgressDialog = job.dialog  # type: ignore[attr-defined]
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()


@pytest.mark.parametrize(
    ("item", "name"),
    [(f"{FORMAT_TITLES[ExportFormat.LONG]}…", "long.csv"), (QDPX_ITEM, "p.qdpx")],
)
def test_an_export_runs_off_the_ui_thread_and_cancel_leaves_no_file(
    item: str,
    name: str,
    coded: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    gate = Gate()
    gate_progress(monkeypatch, gate)
    folder = tmp_path / "exports"
    folder.mkdir()
    prompter.answers.append(folder / name)
    export_actions(window)[item].trigger()
    job: Job = window.exchange_job  # type: ignore[attr-defined]
    assert gate.started.wait(10)
    # The export is under way (held mid-way) and the window still runs: timers fire and
    # the progress dialog, shown by its own timer, appears.
    event_loop_runs(qtbot)
    qtbot.waitUntil(job.dialog.isVisible, timeout=5000)  # type: ignore[attr-defined]
    assert not job.done
    click_cancel(job)
    gate.release.set()
    finish(qtbot, window)
    assert threading.get_ident() not in gate.threads  # the work ran in the worker
    assert list(folder.iterdir()) == []  # neither the file nor a temporary file
    assert window.statusBar().currentMessage() == "Export cancelled; nothing was written"
    assert prompter.errors == [] and prompter.unexpected == []


def test_a_qdpx_export_into_a_missing_folder_says_so_naming_the_file(
    coded: ProjectDatabase, lead: ActingRater, make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    target = tmp_path / "gone" / "p.qdpx"
    prompter.answers.append(target)
    export_actions(window)[QDPX_ITEM].trigger()
    finish(qtbot, window)
    assert prompter.errors == [f"{target}: the folder does not exist; choose an existing folder"]


def test_ctrl_e_exports_codes_in_the_background(
    coded: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    threads: set[int] = set()
    real = codes.export_codes

    def recorded(*args: Any, **kwargs: Any) -> int:
        threads.add(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(codes, "export_codes", recorded)
    out = tmp_path / "codes.csv"
    prompter.answers.append(out)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    finish(qtbot, window)
    assert threads and threading.get_ident() not in threads
    assert len(rows(out)) == 3
    assert window.statusBar().currentMessage() == f"Wrote 3 rows to {out}"


def test_a_cancelled_qdpx_import_stores_nothing(
    coded: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    new_project: NewProject,
) -> None:
    from coder.app import exchange_export, importing
    from coder.app.export import ExportOptions

    qdpx = tmp_path / "p.qdpx"
    exchange_export.export_qdpx(coded, qdpx, ExportOptions(), coder=lead)  # two transcripts
    other = new_project("other", scheme_ids=("3rs-2015",))
    window = make_window(other, None)
    prompter: Any = window.prompter
    gate, calls = Gate(), []
    real = importing.store_parsed

    def second_held(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:  # the first transcript is stored in the open transaction
            gate.hold()
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "store_parsed", second_held)
    prompter.answers.append(qdpx)
    file_action(window, "Import REFI-QDA project…").trigger()
    job: Job = window.exchange_job  # type: ignore[attr-defined]
    assert gate.started.wait(10)
    event_loop_runs(qtbot)
    assert not job.done
    click_cancel(job)
    gate.release.set()
    finish(qtbot, window)
    assert threading.get_ident() not in gate.threads
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was stored"
    for table in ("patients", "sessions", "transcripts", "turns", "code_applications"):
        assert query(other, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert prompter.errors == [] and prompter.unexpected == []
