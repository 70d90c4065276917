"""File ▸ Export, File ▸ Export codes and File ▸ Import REFI-QDA project (wiring only;
the work is :func:`coder.app.export.export`, :func:`coder.app.codes.export_codes` and
:mod:`coder.app.exchange_export`, ``exchange_codebook`` and ``exchange_import``, the same
functions ``coder export``, ``coder codes export``
and ``coder import-qdpx`` call).

Each runs in the background (:func:`coder.ui.worker.run_job`), so a large project never
freezes the window: a progress dialog counts rows, codings or sources and offers Cancel.
Cancel leaves nothing half-written: an export's progress callback raises
:class:`~coder.ui.worker.Cancelled` before the atomic writer has moved anything into
place (neither the file nor its temporary file remains), and an import's raises inside
its one transaction, which is rolled back. Only plain values (the database, the acting
rater, paths, options) cross into the worker, never a widget; the services open their
own short-lived database sessions there (see :mod:`coder.ui.worker`). Refusals (a
folder chosen as the file, a file that is not a REFI-QDA project) come back in words
naming the file; anything unexpected goes to the error report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from coder.app import export as exporting
from coder.app.export import ExportFormat, ExportOptions
from coder.domain.errors import CoderError
from coder.ui.error_report import report_exception
from coder.ui.host import WindowHost
from coder.ui.worker import Job, run_job

if TYPE_CHECKING:  # imported when used: the exchange code is not needed to start the window
    from coder.app import exchange_codebook, exchange_import

CANCELLED_EXPORT = "Export cancelled; nothing was written"
CANCELLED_IMPORT = "Import cancelled; nothing was stored"


def add_export_menu(w: WindowHost, file_menu: QMenu) -> QMenu:
    """Add File ▸ Export with one action per format and the Excel option."""
    menu = file_menu.addMenu("E&xport")
    for fmt in ExportFormat:
        action = QAction(f"{exporting.FORMAT_TITLES[fmt]}…", w)
        action.setStatusTip("Write a CSV file and its data dictionary (docs/exporting.md)")
        action.triggered.connect(lambda _checked=False, f=fmt: run_export(w, f))
        menu.addAction(action)
    menu.addSeparator()
    for title, run in (
        ("REFI-QDA project for ATLAS.ti, MAXQDA, NVivo, QualCoder (qdpx)…", run_export_qdpx),
        ("REFI-QDA codebook (qdc)…", run_export_qdc),
    ):
        action = QAction(title, w)
        action.setStatusTip("Exchange with other QDA programs (docs/exchange.md)")
        action.triggered.connect(lambda _checked=False, r=run: r(w))
        menu.addAction(action)
    menu.addSeparator()
    excel = QAction("Excel-compatible files (UTF-8 with BOM)", w)
    excel.setCheckable(True)
    menu.addAction(excel)
    w.export_excel_action = excel
    return menu


def counting(job: Job, what: str) -> Callable[[int], None]:
    """The progress callback of an export: shows the count, and stops the export (before
    anything is moved into place) once Cancel was pressed."""

    def progress(n: int) -> None:
        job.step(0, 0, f"Exporting… {n:,} {what} written")
        job.check()

    return progress


def _start(
    w: WindowHost,
    title: str,
    work: Callable[[Job], object],
    done: Callable[[object], None],
    *,
    cancelled: str = CANCELLED_EXPORT,
    failed: str = "Export failed",
    cancellable: bool = True,
) -> Job:
    """Run ``work`` under a progress dialog; ``done(result)`` on success, the
    ``cancelled`` message after Cancel, a refusal in words, anything else reported."""

    def finished(result: object) -> None:
        if result is None:  # the worker's Cancelled: nothing was written
            w.show_message(cancelled)
        else:
            done(result)

    def errored(exc: BaseException) -> None:
        if isinstance(exc, CoderError):
            w.prompter.error(failed, str(exc))
        else:
            report_exception(exc, title.lower(), w)

    job = run_job(
        w, title, work, on_done=finished, on_error=errored, label=f"{title}…",
        cancellable=cancellable,
    )  # fmt: skip
    w.exchange_job = job  # tests and the window wait on it
    return job


def run_export(w: WindowHost, fmt: ExportFormat) -> Job | None:
    target = w.prompter.save_file(
        f"Export {exporting.FORMAT_TITLES[fmt]}", "CSV files (*.csv)", f"{fmt.value}.csv"
    )
    if target is None:
        return None
    excel = getattr(w, "export_excel_action", None)
    options = ExportOptions(
        format=fmt,
        scheme=w.scheme_key if fmt in (ExportFormat.WIDE, ExportFormat.SESSIONS) else None,
        with_dictionary=True,
        excel=bool(excel is not None and excel.isChecked()),
    )
    db, coder = w.db, w.coder

    def work(job: Job) -> exporting.ExportResult:
        return exporting.export(db, target, options, coder=coder, progress=counting(job, "rows"))

    def done(result: object) -> None:
        assert isinstance(result, exporting.ExportResult)
        w.show_message(f"Wrote {result.rows} rows to {target} (dictionary: {result.dictionary})")

    return _start(w, "Export", work, done)


def export_codes(w: WindowHost) -> Job | None:
    """File ▸ Export codes to CSV… (the ``coder codes import`` layout)."""
    from coder.app import codes

    target = w.prompter.save_file("Export codes", "CSV files (*.csv)", "codes.csv")
    if target is None:
        return None
    db, coder = w.db, w.coder

    def work(job: Job) -> int:
        return codes.export_codes(db, target, coder=coder, progress=counting(job, "rows"))

    return _start(w, "Export codes", work, lambda n: w.show_message(f"Wrote {n} rows to {target}"))


def run_export_qdpx(w: WindowHost) -> Job | None:
    target = w.prompter.save_file(
        "Export a REFI-QDA project", "REFI-QDA projects (*.qdpx)", "project.qdpx"
    )
    if target is None:
        return None
    from coder.app import exchange_codebook, exchange_export

    options = ExportOptions()  # whose codes: blinding decides, as for the CSV formats
    db, coder = w.db, w.coder

    def work(job: Job) -> exchange_codebook.ExchangeResult:
        progress = counting(job, "codings")
        return exchange_export.export_qdpx(db, target, options, coder=coder, progress=progress)

    def done(result: object) -> None:
        assert isinstance(result, exchange_codebook.ExchangeResult)
        w.show_message(
            f"Wrote {result.codings} codings on {result.sources} transcripts to {target}"
        )

    return _start(w, "Export a REFI-QDA project", work, done)


def run_export_qdc(w: WindowHost) -> Job | None:
    """The codebook: a few kilobytes written at once (atomically), so there is no point
    at which Cancel could stop it; it still runs in the background like every export."""
    target = w.prompter.save_file(
        "Export a REFI-QDA codebook", "REFI-QDA codebooks (*.qdc)", "codebook.qdc"
    )
    if target is None:
        return None
    from coder.app import exchange_codebook

    db = w.db
    return _start(
        w, "Export a REFI-QDA codebook", lambda _job: exchange_codebook.export_qdc(db, target),
        lambda _result: w.show_message(f"Wrote the codebook to {target}"), cancellable=False,
    )  # fmt: skip


def import_qdpx(w: WindowHost, source: Path | None = None) -> Job | None:
    """File ▸ Import REFI-QDA project…: one transaction, in the background; Cancel rolls
    it back whole; what was left out is shown afterwards."""
    source = source or w.prompter.open_file(
        "Import a REFI-QDA project", "REFI-QDA projects (*.qdpx *.qde);;All files (*)"
    )
    if source is None:
        return None
    from coder.app import exchange_import

    db, coder, name = w.db, w.coder, source.name

    def work(job: Job) -> exchange_import.QdpxImport:
        def progress(done: int, total: int) -> None:
            text = f"Storing the codes of {name}…" if done >= total else (
                f"Importing {name}: transcript {done + 1} of {total}"
            )  # fmt: skip
            job.step(done, total, text)
            job.check()

        job.step(0, 0, f"Reading {name}…")
        return exchange_import.import_qdpx(db, source, coder, progress=progress)

    def done(result: object) -> None:
        assert isinstance(result, exchange_import.QdpxImport)
        summary = (
            f"Imported {result.codes} codes and {len(result.sessions)} transcripts from {name}"
        )
        if result.skipped:
            w.prompter.error(
                "Imported, with parts left out",
                summary + ".\n\nLeft out:\n" + "\n".join(result.skipped),
            )
        w.show_message(summary)
        w.refresh_now()  # one reload; the change poll then has nothing new

    return _start(
        w, "Import a REFI-QDA project", work, done, cancelled=CANCELLED_IMPORT,
        failed="Import failed",
    )  # fmt: skip
