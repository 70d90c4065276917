"""Importing from the desktop: choose files, confirm speaker roles, import with progress.

Roles the readers could not be sure of are shown for confirmation before anything is
stored (never guessed silently); the import itself runs file by file, each file one
transaction, with a cancel button between files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.app import importing
from coder.domain.errors import CoderError
from coder.domain.roles import SpeakerRole

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

FILTERS = "Transcripts (*.docx *.txt *.vtt *.srt *.csv);;All files (*)"


class RolesDialog(QDialog):
    """One row per speaker label that needs a decision; a small table, not per-turn."""

    def __init__(
        self, speakers: dict[str, tuple[SpeakerRole, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm speaker roles")
        self.pattern = QLineEdit("{patient}_S{session}")
        self.pattern.setToolTip("How patient and session are read from file names")
        self.table = QTableWidget(len(speakers), 3)
        self.table.setHorizontalHeaderLabels(["Speaker label", "Role", "Why suggested"])
        self.combos: dict[str, QComboBox] = {}
        for row, (label, (role, reason)) in enumerate(sorted(speakers.items())):
            self.table.setItem(row, 0, QTableWidgetItem(label))
            combo = QComboBox()
            for option in SpeakerRole:
                combo.addItem(option.value, option)
            combo.setCurrentIndex(combo.findData(role))
            self.table.setCellWidget(row, 1, combo)
            self.table.setItem(row, 2, QTableWidgetItem(reason))
            self.combos[label] = combo
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("File-name pattern:"))
        layout.addWidget(self.pattern)
        layout.addWidget(
            QLabel("These speakers' roles were suggested, not certain. Confirm or correct them:")
        )
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def roles(self) -> dict[str, SpeakerRole]:
        return {label: combo.currentData() for label, combo in self.combos.items()}


def unconfirmed_speakers(
    files: list[Path], options: importing.ImportOptions
) -> tuple[dict[str, tuple[SpeakerRole, str]], list[str]]:
    """Labels needing confirmation across the files, and files that cannot be read."""
    found: dict[str, tuple[SpeakerRole, str]] = {}
    problems: list[str] = []
    for path in files:
        try:
            parsed = importing.read_file(path, options)
        except CoderError as exc:
            problems.append(str(exc))
            continue
        for item in parsed:
            for label, guess in item.role_guesses.items():
                if not guess.certain:
                    found.setdefault(label, (guess.role, guess.reason))
    return found, problems


def run_import(w: MainWindow, files: list[Path] | None = None) -> importing.ImportReport | None:
    files = files if files is not None else w.prompter.open_files("Import transcripts", FILTERS)
    if not files:
        return None
    options = importing.ImportOptions(pattern="{patient}_S{session}")
    speakers, _ = unconfirmed_speakers(files, options)
    answer = w.prompter.confirm_roles(speakers, options.pattern or "")
    if answer is None:
        return None
    roles, pattern = answer
    options = importing.ImportOptions(pattern=pattern, roles=roles)
    progress = QProgressDialog("Importing…", "Cancel", 0, len(files), w)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)

    def step(done: int, total: int, path: Path) -> bool:
        progress.setValue(done)
        progress.setLabelText(f"Importing {path.name} ({done + 1} of {total})")
        return not progress.wasCanceled()

    # A file that cannot be read is a failed file in the report, said in words. Anything
    # else goes on to the exception hook, but never with the progress dialog left over the
    # window; the files imported before it are stored and listed.
    try:
        report = importing.import_files(w.db, files, options, step)
    finally:
        progress.close()
        w.refresh_sessions()
    failed = report.failed
    n_ok = len(report.files) - len(failed)
    summary = f"Imported {report.sessions} sessions ({report.turns} turns) from {n_ok} files"
    if report.cancelled:
        summary += "; cancelled before the remaining files"
    if failed:
        w.prompter.error(
            "Some files were not imported",
            summary + ".\n\n" + "\n".join(f.error or "" for f in failed),
        )
    w.show_message(summary)
    return report
