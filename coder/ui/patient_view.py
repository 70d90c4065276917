"""One patient's window: profile across sessions, intake forms, formulation and override.

Composition only. Everything shown comes from :func:`coder.app.profiles.build_report`
(blinding applies there: a hidden rater's profile raises ``NotAllowed``, shown as a
message); every write goes through ``coder.app.intake`` / ``coder.app.profiles``; files
are written by ``coder.app.reports``. Modal questions go through the Prompter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from coder.app import intake, profiles, reports
from coder.app.identity import ActingRater
from coder.app.profiles import PatientReport
from coder.app.reports import ProfileSource
from coder.domain.errors import CoderError
from coder.io.plots import format_of
from coder.store.database import ProjectDatabase
from coder.ui.error_report import report_exception
from coder.ui.formulation_panel import FormulationPanel
from coder.ui.intake_forms import IIPForm, IntakeForm, SUIPForm
from coder.ui.intake_pd_notes import IIPNormsForm, NotesForm, PDForm
from coder.ui.profile_page import ProfilePage
from coder.ui.prompter import Prompter
from coder.ui.worker import Job, run_job

PLOT_FILTERS = "PNG images (*.png);;SVG images (*.svg)"
REPORT_FILTERS = "Word documents (*.docx)"


class IntakePanel(QTabWidget):
    """The intake forms and the IIP norms, each storing through a ``coder.app.intake`` service."""

    def __init__(self, db: ProjectDatabase, coder: ActingRater | None, patient: str) -> None:
        super().__init__()
        self.db, self.patient = db, patient
        self.iip = IIPForm(lambda v: intake.save_iip(db, coder, patient, v))
        self.suip = SUIPForm(lambda v: intake.save_suip(db, coder, patient, v))
        self.pd = PDForm(lambda v: intake.save_pd(db, coder, patient, v))
        self.notes = NotesForm(lambda v: intake.save_notes(db, coder, patient, v))
        self.norms = IIPNormsForm(lambda v: intake.save_norms(db, coder, patient, v))
        for form, title in ((self.iip, "IIP"), (self.suip, "SUIP-I"), (self.pd, "PD interview"),
                            (self.notes, "Relational episodes"),
                            (self.norms, "IIP norms")):  # fmt: skip
            self.addTab(form, title)

    def forms(self) -> tuple[IntakeForm, ...]:
        return (self.iip, self.suip, self.pd, self.notes, self.norms)

    def load(self) -> None:
        """Fill the forms from the stored intake (errors shown on the IIP form)."""
        try:
            stored, norms = intake.load_intake(self.db, self.patient)
        except CoderError as exc:
            self.iip.show_error(str(exc))
            return
        self.iip.set_value(stored.iip, reports.intake_ssm(stored, norms))
        self.suip.set_value(stored.suip)
        self.pd.set_value(stored.pd)
        self.notes.set_value(stored.notes)
        self.norms.set_value(norms)

    def refresh_summary(self) -> None:
        """Recompute the IIP structural summary shown under the IIP form."""
        try:
            stored, norms = intake.load_intake(self.db, self.patient)
        except CoderError as exc:
            self.iip.show_error(str(exc))
            return
        self.iip.set_summary(reports.intake_ssm(stored, norms))


class PatientView(QMainWindow):
    def __init__(
        self,
        db: ProjectDatabase,
        coder: ActingRater | None,
        patient: str,
        prompter: Prompter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.coder, self.patient = db, coder, patient
        self.prompter = prompter or Prompter(self)
        self.report: PatientReport | None = None
        self.report_job: Job | None = None  # the report being written in the background
        self.setWindowTitle(f"Patient {patient} — Rupture Coder")
        self.resize(1240, 920)
        self.source = QComboBox()
        self.source.setToolTip("Whose codes the profile is computed from")
        self.source.setMinimumContentsLength(18)
        self.sources: list[ProfileSource] = []
        toolbar = self.addToolBar("Patient")
        toolbar.setObjectName("patient_toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(f"  <b>Patient {patient}</b>   Codes of: "))
        toolbar.addWidget(self.source)
        toolbar.addSeparator()
        self.export_plots_action = QAction("Export plots…", self)
        self.export_report_action = QAction("Export report…", self)
        self.refresh_action = QAction("Refresh", self)
        for action in (self.export_plots_action, self.export_report_action, self.refresh_action):
            toolbar.addAction(action)
        self.export_plots_action.triggered.connect(self.export_plots)
        self.export_report_action.triggered.connect(self.export_report)
        self.refresh_action.triggered.connect(self.reload)
        self.profile = ProfilePage()
        self.intake = IntakePanel(db, coder, patient)
        self.formulation = FormulationPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.profile, "Profile")
        self.tabs.addTab(self.intake, "Intake")
        self.tabs.addTab(self.formulation, "Formulation")
        central = QWidget()
        QVBoxLayout(central).addWidget(self.tabs)
        self.setCentralWidget(central)
        for form in self.intake.forms():
            form.saved.connect(self._intake_saved)
        self.formulation.overrideRequested.connect(self.save_override)
        self.formulation.provisionalToggled.connect(lambda _: self.reload())
        self.source.currentIndexChanged.connect(lambda _: self.reload())
        self.intake.load()
        self.refresh_sources()

    # ---- loading ---------------------------------------------------------------------------
    def refresh_sources(self) -> None:
        """Fill the chooser with the codes this coder may see; reloads the profile."""
        try:
            self.sources = reports.profile_sources(self.db, self.coder, self.patient)
        except CoderError as exc:
            self.sources = []
            self.profile.show_message(str(exc))
        self.source.blockSignals(True)
        self.source.clear()
        for source in self.sources:
            self.source.addItem(source.label)
        self.source.blockSignals(False)
        self.reload()

    def current_source(self) -> ProfileSource | None:
        row = self.source.currentIndex()
        return self.sources[row] if 0 <= row < len(self.sources) else None

    def choose_source(self, label: str) -> None:
        """Select the chooser entry whose label starts with ``label`` (tests, menus)."""
        for row, source in enumerate(self.sources):
            if source.label.startswith(label):
                self.source.setCurrentIndex(row)
                return
        raise CoderError(f"no codes of {label!r} to show")

    def reload(self) -> None:
        source = self.current_source()
        self.report = None
        message = ""
        if source is None:
            message = "No codes for this patient that you may see yet."
        else:
            try:
                self.report = profiles.build_report(
                    self.db, self.patient, rater=source.rater, consensus=source.consensus,
                    coder=self.coder, provisional=self.formulation.provisional.isChecked(),
                )  # fmt: skip
            except CoderError as exc:  # NotAllowed (blinding) included
                message = str(exc)
        self.profile.show_message(message)
        self.profile.set_report(self.report)
        history = self._history()
        self.formulation.set_report(self.report.to_dict() if self.report else None, history)
        for action in (self.export_plots_action, self.export_report_action):
            action.setEnabled(self.report is not None)
        if message:
            self.statusBar().showMessage(message, 8000)

    def _history(self) -> list[Any]:
        try:
            return profiles.override_history(self.db, self.patient)
        except CoderError:
            return []

    # ---- edits -----------------------------------------------------------------------------
    def _intake_saved(self, title: str) -> None:
        self.intake.refresh_summary()  # not load(): unsaved typing in other forms stays
        self.reload()
        self.statusBar().showMessage(f"{title}: saved; the formulation is updated", 8000)

    def save_override(self, type_: str | None, difficulty: str | None, rationale: str) -> None:
        if self.coder is None:
            self.formulation.show_status("Choose who you are first: a decision is signed.",
                                         error=True)  # fmt: skip
            return
        try:
            saved = profiles.set_override(
                self.db, self.coder, self.patient, type_, difficulty, rationale
            )
        except CoderError as exc:
            self.formulation.show_status(f"Not saved: {exc}", error=True)
            return
        self.reload()
        self.formulation.clear_form()
        self.formulation.show_status(f"Saved by {saved.who} at {saved.when:%H:%M}.", error=False)

    # ---- files -----------------------------------------------------------------------------
    def export_plots(self) -> None:
        """Export plots…: drawn and written in the background (coder.ui.worker)."""
        if self.report is None:
            return
        default = f"{self.patient}-{self.report.rater}.png".replace(" ", "_")
        path = self.prompter.save_file("Export plots (four files)", PLOT_FILTERS, default)
        if path is None:
            return
        report = self.report

        def work(job: Job) -> list[Path]:
            # Rendering is the slow part; Cancel during it writes none of the four files.
            job.step(0, 0, f"Drawing the plots of {report.patient}…")
            return reports.save_report_plots(
                report, path.parent, format_of(path), prefix=path.stem, before_write=job.check
            )

        def done(written: object) -> None:
            if not isinstance(written, list):
                self.statusBar().showMessage("Plots cancelled: nothing written", 10000)
                return
            names = ", ".join(p.name for p in written)
            self.statusBar().showMessage(
                f"Wrote {len(written)} plots to {path.parent}: {names}", 10000
            )

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CoderError):  # file problems too, in words (coder.io.atomic)
                self.prompter.error("Export plots", str(exc))
            else:
                report_exception(exc, "writing the patient plots", self)

        self.report_job = run_job(self, "Export plots", work, on_done=done, on_error=failed)

    def export_report(self) -> None:
        source = self.current_source()
        if self.report is None or source is None:
            return
        path = self.prompter.save_file(
            "Export patient report", REPORT_FILTERS, f"{self.patient}-report.docx"
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(reports.REPORT_SUFFIX)
        db, coder, patient = self.db, self.coder, self.patient
        provisional = self.formulation.provisional.isChecked()

        def work(job: Job) -> Path | None:
            # Built, then written atomically (next to the target, then moved): a Cancel
            # before the write leaves no file; one during it leaves the old file or the
            # whole new one, never a part.
            job.step(0, 2, f"Building the report of {patient}…")
            report = profiles.build_report(
                db, patient, rater=source.rater, consensus=source.consensus, coder=coder,
                provisional=provisional,
            )  # fmt: skip
            if not job.step(1, 2, f"Writing {path.name}…"):
                return None
            return reports.write_report(db, report, path, consensus=source.consensus)

        def done(written: object) -> None:
            if written is None:
                self.statusBar().showMessage("Report cancelled: nothing written", 10000)
            else:
                self.statusBar().showMessage(f"Report written to {path}", 10000)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CoderError):  # file problems too, in words (coder.io.atomic)
                self.prompter.error("Export report", str(exc))
            else:
                report_exception(exc, "writing the patient report", self)

        self.report_job = run_job(
            self, "Patient report", work, on_done=done, on_error=failed, discard_on_cancel=True
        )


def open_patient_view(
    source: ProjectDatabase | Any,
    coder: ActingRater | None,
    patient: str,
    parent: QWidget | None = None,
    prompter: Prompter | None = None,
) -> PatientView:
    """Open (non-modal) and return the patient view.

    ``source`` is the project database, or a main window (anything with ``db`` and
    ``prompter``): then the view uses that window's prompter and is owned by it.
    """
    if isinstance(source, ProjectDatabase):
        db = source
    else:
        db = source.db
        prompter = prompter or getattr(source, "prompter", None)
        if parent is None and isinstance(source, QWidget):
            parent = source
    view = PatientView(db, coder, patient, prompter=prompter, parent=parent)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    view.raise_()
    return view
