"""File ▸ Export ▸ one item per format: the same app function as ``coder export``, with
blinding, the data dictionary, a cancellable progress dialog and errors in words."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QProgressDialog

from coder.app import codes
from coder.app.export import FORMAT_TITLES, ExportFormat
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

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


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_item_per_format_each_writing_file_and_dictionary(
    coded: ProjectDatabase, lead: ActingRater, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    actions = export_actions(window)
    for fmt in ExportFormat:
        out = tmp_path / f"{fmt.value}.csv"
        prompter.answers.append(out)
        actions[f"{FORMAT_TITLES[fmt]}…"].trigger()
        assert out.exists() and (tmp_path / f"{fmt.value}.dictionary.csv").exists()
        assert f"to {out}" in window.statusBar().currentMessage()
    assert {r["rater"] for r in rows(tmp_path / "csv-long.csv")} == {"Ada", "Ben"}
    assert prompter.errors == []


def test_a_blinded_rater_exports_their_own_codes_and_excel_adds_a_bom(
    coded: ProjectDatabase, ada: ActingRater, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(coded, ada)
    prompter: Any = window.prompter
    actions = export_actions(window)
    actions["Excel-compatible files (UTF-8 with BOM)"].setChecked(True)
    out = tmp_path / "mine.csv"
    prompter.answers.append(out)
    actions[f"{FORMAT_TITLES[ExportFormat.LONG]}…"].trigger()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [r["rater"] for r in rows(out)] == ["Ada", "Ada"]


def test_cancel_leaves_no_file(
    coded: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    folder = tmp_path / "exports"
    folder.mkdir()
    prompter.answers.append(folder / "long.csv")
    export_actions(window)[f"{FORMAT_TITLES[ExportFormat.LONG]}…"].trigger()
    assert list(folder.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()
    assert prompter.errors == []


def test_a_folder_is_refused_in_words(
    coded: ProjectDatabase, lead: ActingRater, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    folder = tmp_path / "exports"
    folder.mkdir()
    prompter.answers.append(folder)
    export_actions(window)[f"{FORMAT_TITLES[ExportFormat.WIDE]}…"].trigger()
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
) -> None:
    import sqlite3
    import zipfile

    from coder.app import projects

    window = make_window(coded, lead)
    prompter: Any = window.prompter
    actions = export_actions(window)
    qdpx, qdc = tmp_path / "p.qdpx", tmp_path / "c.qdc"
    prompter.answers += [qdpx, qdc]
    actions[QDPX_ITEM].trigger()
    assert "Wrote 3 codings on 2 transcripts" in window.statusBar().currentMessage()
    actions["REFI-QDA codebook (qdc)…"].trigger()
    assert prompter.errors == []
    assert zipfile.is_zipfile(qdpx) and qdc.read_bytes().startswith(b"<?xml")

    other = projects.create_project(tmp_path / "other.sqlite", scheme_ids=("3rs-2015",))
    second = make_window(other, None)
    second_prompter: Any = second.prompter
    second_prompter.answers.append(qdpx)
    file_action(second, "Import REFI-QDA project…").trigger()
    assert second_prompter.errors == []
    assert "Imported 3 codes and 2 transcripts" in second.statusBar().currentMessage()
    with sqlite3.connect(tmp_path / "other.sqlite") as con:
        assert con.execute("SELECT count(*) FROM code_applications").fetchone() == (3,)
    # a bad file: the error in words, nothing written
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip", encoding="utf-8")
    second_prompter.answers.append(bad)
    file_action(second, "Import REFI-QDA project…").trigger()
    assert second_prompter.errors == [f"{bad}: not a .qdpx file (not a zip archive)"]
    other.close()


def test_cancelling_the_qdpx_export_leaves_no_file(
    coded: ProjectDatabase,
    lead: ActingRater,
    make_window: MakeWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded, lead)
    prompter: Any = window.prompter
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    folder = tmp_path / "exports"
    folder.mkdir()
    prompter.answers.append(folder / "p.qdpx")
    export_actions(window)[QDPX_ITEM].trigger()
    assert list(folder.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()
    assert prompter.errors == []
