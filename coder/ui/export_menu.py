"""File ▸ Export: one item per analysis format (wiring only; the work is
:func:`coder.app.export.export`, the same function ``coder export`` calls).

The file is asked for through the window's prompter. A progress dialog, fed every few
thousand rows, offers Cancel: cancelling raises inside the export, and the atomic writer
then leaves nothing behind (neither the file nor its temporary file). The data dictionary
is always written next to the file; *Excel-compatible files* adds a byte-order mark.
The REFI-QDA items (a ``.qdpx`` project for other QDA programs, a ``.qdc`` codebook) call
:mod:`coder.app.exchange_export` and :mod:`coder.app.exchange_codebook`, as ``coder export
--format qdpx|qdc`` does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QProgressDialog

from coder.app import exchange_codebook, exchange_export, exchange_import
from coder.app import export as exporting
from coder.app.export import ExportCancelled, ExportFormat, ExportOptions
from coder.domain.errors import CoderError
from coder.ui.host import WindowHost


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


def run_export(w: WindowHost, fmt: ExportFormat) -> None:
    target = w.prompter.save_file(
        f"Export {exporting.FORMAT_TITLES[fmt]}", "CSV files (*.csv)", f"{fmt.value}.csv"
    )
    if target is None:
        return
    excel = getattr(w, "export_excel_action", None)
    options = ExportOptions(
        format=fmt,
        scheme=w.scheme_key if fmt in (ExportFormat.WIDE, ExportFormat.SESSIONS) else None,
        with_dictionary=True,
        excel=bool(excel is not None and excel.isChecked()),
    )
    dialog, progress = _progress_dialog(w, "rows")
    try:
        result = exporting.export(w.db, target, options, coder=w.coder, progress=progress)
    except ExportCancelled:
        w.show_message("Export cancelled; nothing was written")
        return
    except CoderError as exc:
        w.prompter.error("Export failed", str(exc))
        return
    finally:
        dialog.close()
        dialog.deleteLater()
    w.show_message(f"Wrote {result.rows} rows to {target} (dictionary: {result.dictionary})")


def _progress_dialog(w: WindowHost, what: str) -> tuple[QProgressDialog, Callable[[int], None]]:
    """A window-modal progress dialog (shown only after half a second) and the callback
    the export calls: it updates the count and raises :class:`ExportCancelled` once
    Cancel was pressed, before anything is written."""
    dialog = QProgressDialog("Exporting…", "Cancel", 0, 0, w)
    dialog.setWindowTitle("Export")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)  # small exports finish before it shows

    def progress(n: int) -> None:
        dialog.setLabelText(f"Exporting… {n:,} {what} written")
        QCoreApplication.processEvents()
        if dialog.wasCanceled():
            raise ExportCancelled("export cancelled; nothing was written")

    return dialog, progress


def run_export_qdpx(w: WindowHost) -> None:
    target = w.prompter.save_file(
        "Export a REFI-QDA project", "REFI-QDA projects (*.qdpx)", "project.qdpx"
    )
    if target is None:
        return
    options = ExportOptions()  # whose codes: blinding decides, as for the CSV formats
    dialog, progress = _progress_dialog(w, "codings")
    try:
        result = exchange_export.export_qdpx(
            w.db, target, options, coder=w.coder, progress=progress
        )
    except ExportCancelled:
        w.show_message("Export cancelled; nothing was written")
        return
    except CoderError as exc:
        w.prompter.error("Export failed", str(exc))
        return
    finally:
        dialog.close()
        dialog.deleteLater()
    w.show_message(f"Wrote {result.codings} codings on {result.sources} transcripts to {target}")


def run_export_qdc(w: WindowHost) -> None:
    target = w.prompter.save_file(
        "Export a REFI-QDA codebook", "REFI-QDA codebooks (*.qdc)", "codebook.qdc"
    )
    if target is None:
        return
    try:
        exchange_codebook.export_qdc(w.db, target)
    except CoderError as exc:
        w.prompter.error("Export failed", str(exc))
        return
    w.show_message(f"Wrote the codebook to {target}")


def import_qdpx(w: WindowHost) -> None:
    """File ▸ Import REFI-QDA project…: one transaction; what was left out is shown."""
    source = w.prompter.open_file(
        "Import a REFI-QDA project", "REFI-QDA projects (*.qdpx *.qde);;All files (*)"
    )
    if source is None:
        return
    try:
        report = exchange_import.import_qdpx(w.db, source, w.coder)
    except CoderError as exc:
        w.prompter.error("Import failed", str(exc))
        return
    summary = (
        f"Imported {report.codes} codes and {len(report.sessions)} transcripts from {source.name}"
    )
    if report.skipped:
        w.prompter.error(
            "Imported, with parts left out",
            summary + ".\n\nLeft out:\n" + "\n".join(report.skipped),
        )
    w.show_message(summary)
    w.reload_views()
