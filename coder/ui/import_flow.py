"""Importing from the desktop: choose files, confirm speaker roles, import with progress.

Roles the readers could not be sure of are shown for confirmation before anything is
stored (never guessed silently; no question when every role is certain); the import
itself runs in the background (coder.ui.worker) file by file, each file one transaction,
with Cancel taking effect between files; afterwards a report says per file what happened.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from coder.app import importing
from coder.domain.errors import CoderError
from coder.domain.roles import SpeakerRole
from coder.ui.error_report import report_exception
from coder.ui.host import WindowHost
from coder.ui.worker import Job, run_job

FILTERS = "Transcripts (*.docx *.txt *.vtt *.srt *.csv);;All files (*)"


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


def run_import(w: WindowHost, files: list[Path] | None = None) -> Job | None:
    """Ask for files, then in the background read them, ask for the roles only if some
    speaker's role is uncertain, and import file by file; Cancel stops between files."""
    files = (
        files
        if files is not None
        else w.prompter.open_files("Import transcripts", FILTERS, kind="transcripts")
    )
    if not files:
        return None
    db, coder = w.db, w.coder

    def work(job: Job) -> importing.ImportReport | None:
        # Reading every file for its speakers takes long for many Word files: done here,
        # in the background; the roles question, when one is needed, is asked from here.
        options = importing.ImportOptions(pattern="{patient}_S{session}")
        speakers: dict[str, tuple[SpeakerRole, str]] = {}
        for n, path in enumerate(files):
            job.step(n, len(files), f"Reading {path.name} ({n + 1} of {len(files)})")
            job.check()
            for label, guess in unconfirmed_speakers([path], options)[0].items():
                speakers.setdefault(label, guess)
        if speakers:
            pattern = options.pattern or ""
            answer = job.ask(lambda: w.prompter.confirm_roles(speakers, pattern))
            if answer is None:
                return None  # the user cancelled the roles question: nothing imported
            roles, pattern = answer
            options = importing.ImportOptions(pattern=pattern, roles=roles)

        def step(done: int, total: int, path: Path) -> bool:
            return job.step(
                done, total, f"Importing {path.name} ({min(done + 1, total)} of {total})"
            )

        return importing.import_files(db, files, options, step, actor=coder)

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
        w.import_report = ImportReportDialog(summary, import_report_text(report), w)
        w.import_report.show()
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
