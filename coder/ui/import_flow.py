"""Importing from the desktop: choose files, confirm speaker roles, import with progress.

Roles the readers could not be sure of are shown for confirmation before anything is
stored (never guessed silently; no question when every role is certain); the import
itself runs in the background (coder.ui.worker) file by file, each file one transaction,
with Cancel taking effect between files; afterwards a report says per file what happened.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.app import importing
from coder.domain.errors import CoderError
from coder.domain.roles import SpeakerRole
from coder.ui.error_report import report_exception
from coder.ui.worker import Job, run_job

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
        # Qt hands a str-valued enum back as a plain str: rebuild the role, or the
        # import fails on ``role.value`` after the user confirmed.
        return {label: SpeakerRole(combo.currentData()) for label, combo in self.combos.items()}


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


def import_report_text(report: importing.ImportReport) -> str:
    """What happened to each file, as ``coder transcripts import`` prints it: sessions,
    turns, segments, speakers and their roles, warnings; failures in words."""
    lines: list[str] = []
    for result in report.files:
        if not result.ok:
            lines.append(f"FAILED {result.error}")
            continue
        lines.append(f"{result.path.name}:")
        for s in result.sessions:
            unit = "estimated segments" if s.estimated else "segments"
            label = f" ({s.label})" if s.label else ""
            lines.append(
                f"  patient {s.patient} session {s.session}{label}: {s.turns} turns, "
                f"{s.segments} {unit}"
            )
            for sp in s.speakers:
                state = "" if sp.confirmed else f" (suggested: {sp.reason})"
                lines.append(f"    speaker {sp.label!r} = {sp.role.value}{state}")
            lines.extend(f"    warning: {w}" for w in s.warnings)
    if report.cancelled:
        lines.append("Cancelled: the remaining files were not imported (nothing half-stored).")
    return "\n".join(lines)


class ImportReportDialog(QDialog):
    """The per-file report, shown (not modal) after an import from the menu."""

    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import report")
        self.resize(640, 420)
        self.text = QPlainTextEdit(details)
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{escape(summary)}</b>"))
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)


def run_import(w: MainWindow, files: list[Path] | None = None) -> Job | None:
    """Ask for files (and, only if some speaker's role is uncertain, for the roles), then
    import in the background file by file; Cancel stops between files."""
    files = (
        files
        if files is not None
        else w.prompter.open_files("Import transcripts", FILTERS, kind="transcripts")
    )
    if not files:
        return None
    options = importing.ImportOptions(pattern="{patient}_S{session}")
    speakers, _ = unconfirmed_speakers(files, options)
    if speakers:
        answer = w.prompter.confirm_roles(speakers, options.pattern or "")
        if answer is None:
            return None
        roles, pattern = answer
        options = importing.ImportOptions(pattern=pattern, roles=roles)

    def work(job: Job) -> importing.ImportReport:
        def step(done: int, total: int, path: Path) -> bool:
            return job.step(
                done, total, f"Importing {path.name} ({min(done + 1, total)} of {total})"
            )

        return importing.import_files(w.db, files, options, step, actor=w.coder)

    def done(result: object) -> None:
        w.refresh_sessions()
        if not isinstance(result, importing.ImportReport):
            return
        report = result
        failed = report.failed
        n_ok = len(report.files) - len(failed)
        summary = f"Imported {report.sessions} sessions ({report.turns} turns) from {n_ok} files"
        if report.cancelled:
            summary += "; cancelled before the remaining files"
        w.import_report = ImportReportDialog(summary, import_report_text(report), w)  # type: ignore[attr-defined]
        w.import_report.show()  # type: ignore[attr-defined]
        if failed:
            w.prompter.error(
                "Some files were not imported",
                summary + ".\n\n" + "\n".join(f.error or "" for f in failed),
            )
        w.show_message(summary)

    def failed(exc: BaseException) -> None:
        # Anything but an unreadable file (which is a failed file in the report) goes
        # to the error report; the files imported before it are stored and listed.
        w.refresh_sessions()
        report_exception(exc, "importing transcripts", w)

    return run_job(w, "Importing transcripts", work, on_done=done, on_error=failed)
