"""The lab lead's reliability window: statistics per code, family and rating, and the
disagreement browser that turns disagreements into consensus codes.

Everything shown comes from :mod:`coder.app.reliability` and :mod:`coder.app.consensus`;
both refuse a rater who is not a lead (comparing raters means seeing everyone's codes),
so the window shows a message instead of content to anyone else. The Compute button
computes in the background (coder.ui.worker) with a progress dialog and Cancel: bootstrap
CIs take seconds on a study, and the window must not freeze meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSignalBlocker, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coder.app import consensus, projects, reliability, reliability_format, reports, rounds, schemes
from coder.app import raters as rater_service
from coder.app.identity import ActingRater
from coder.app.reliability import ReliabilityTable
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole
from coder.io.atomic import write_atomically
from coder.store.database import ProjectDatabase
from coder.ui.consensus_panel import NO_EDITS, ONE, ROWS, ConsensusPanel, hbox
from coder.ui.error_report import report_exception
from coder.ui.models.reliability_model import ROW_ROLE, ReliabilityModel, details_html
from coder.ui.prompter import Prompter
from coder.ui.style import ERROR_STYLE
from coder.ui.worker import Job, run_job

LEADS_ONLY = (
    "Reliability and consensus are for leads: comparing raters shows everyone's codes. "
    "Sign in as a lead (with the lab passphrase) to compute agreement and settle "
    "disagreements."
)
HINT = "Choose raters and a coding round, then press Compute."
REPORT_FILTERS = "Word documents (*.docx)"
CHECKED = {True: Qt.CheckState.Checked, False: Qt.CheckState.Unchecked}


class ReliabilityView(QMainWindow):
    def __init__(
        self,
        db: ProjectDatabase,
        coder: ActingRater | None,
        prompter: Prompter | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.coder = db, coder
        self.prompter = prompter or Prompter(self)
        self.table: ReliabilityTable | None = None
        self.setWindowTitle(f"Reliability and consensus — {projects.project_name(db)}")
        self.resize(1600, 900)
        self.message = QLabel(wordWrap=True)
        if coder is None or not coder.is_lead:
            self.message.setText(LEADS_ONLY)
            self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.message.setMargin(40)
            self.setCentralWidget(self.message)
            return
        self.message.setStyleSheet(ERROR_STYLE)
        self.lead = coder
        self._build(coder)
        self._scheme_changed()

    def _build(self, coder: ActingRater) -> None:
        self.scheme_combo = QComboBox()
        for s in schemes.project_schemes(self.db):
            if self.scheme_combo.findData(s.key) < 0:
                self.scheme_combo.addItem(f"{s.key} — {s.name}", s.key)
                if s.is_default:
                    self.scheme_combo.setCurrentIndex(self.scheme_combo.count() - 1)
        self.scheme_combo.currentIndexChanged.connect(self._scheme_changed)
        self.raters_list = QListWidget()
        self.raters_list.setFlow(QListView.Flow.LeftToRight)
        self.raters_list.setWrapping(True)
        self.raters_list.setToolTip("Raters to compare (the consensus rater is never compared)")
        for r in rater_service.list_raters(self.db):
            if r.role is not RaterRole.CONSENSUS:
                item = QListWidgetItem(r.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.raters_list.addItem(item)
        # Left-to-right items are sized to the check box, a pixel or two shorter than the
        # name's line: give each item a full line so no name is clipped.
        row = max(self.raters_list.fontMetrics().height() + 6, 20)
        for index in range(self.raters_list.count()):
            item = self.raters_list.item(index)
            width = self.raters_list.sizeHintForIndex(self.raters_list.indexFromItem(item)).width()
            item.setSizeHint(QSize(width + 8, row))
        self.raters_list.setFixedHeight(row + 2 * self.raters_list.frameWidth() + 4)  # more wrap
        self.raters_list.itemChanged.connect(self._raters_changed)
        self.adopt_button = QPushButton("Adopt all agreements into the consensus…")
        self.adopt_button.clicked.connect(self.adopt)
        top = hbox("Scheme:", self.scheme_combo, "Raters:", self.raters_list, self.adopt_button)
        top.setStretch(3, 1)

        self.round_combo = QComboBox()
        self.round_combo.addItem("All codes", None)
        for rnd in rounds.list_rounds(self.db):
            label = f"Round {rnd.number}" + (f" — {rnd.name}" if rnd.name else "")
            self.round_combo.addItem(f"{label} ({rnd.status.value})", rnd.number)
        self.bootstrap_spin = QSpinBox(minimum=0, maximum=20000, singleStep=500, value=1000)
        self.bootstrap_spin.setSpecialValueText("none")
        self.bootstrap_spin.setToolTip("Bootstrap resamples for the 95% CIs (0 = no CIs)")
        self.sessions_edit = QLineEdit()
        self.sessions_edit.setPlaceholderText("all sessions (or e.g. P01, P02/3)")
        self.sessions_edit.setToolTip("Only these patients (all their sessions) or sessions")
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute_in_background)
        self.compute_job: Job | None = None
        self.report_job: Job | None = None
        self.adopt_job: Job | None = None
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self.export_csv)
        self.report_button = QPushButton("Export report…")
        self.report_button.setToolTip(
            "A Word report of the statistics for the chosen scheme, raters, sessions, round "
            "and bootstrap: methods, one table per kind of unit, notes, how computed"
        )
        self.report_button.clicked.connect(self.export_report)
        self.summary = QLabel(HINT, wordWrap=True)
        controls = (
            "Sessions:",
            self.sessions_edit,
            "Coding round:",
            self.round_combo,
            "Bootstrap:",
            self.bootstrap_spin,
        )
        buttons = (self.compute_button, self.export_button, self.report_button, self.summary)
        self.stats_model = ReliabilityModel(self)
        self.stats_view = QTableView()
        self.stats_view.setSelectionBehavior(ROWS)
        self.stats_view.setSelectionMode(ONE)
        self.stats_view.setEditTriggers(NO_EDITS)
        self.stats_view.setModel(self.stats_model)
        self.stats_view.verticalHeader().setDefaultSectionSize(22)
        self.stats_view.setWordWrap(False)
        self.stats_view.verticalHeader().hide()
        self.stats_view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.details = QTextBrowser()
        self.details.setPlaceholderText("Select a line to see all its statistics.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.stats_view)
        split.addWidget(self.details)
        split.setSizes([520, 300])
        stats_page = QWidget()
        stats_layout = QVBoxLayout(stats_page)
        stats_layout.addLayout(hbox(*controls, *buttons, stretch=self.summary))
        stats_layout.addWidget(split, 1)

        self.disagreements = ConsensusPanel(self.db, coder, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(stats_page, "Statistics")
        self.tabs.addTab(self.disagreements, "Disagreements")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    # ---- choices ------------------------------------------------------------------------
    def scheme_key(self) -> str | None:
        key = self.scheme_combo.currentData()
        return str(key) if key else None

    def chosen_sessions(self) -> list[str] | None:
        """The sessions field as a list (``P01``, ``P02/3``); None means every session."""
        return [p for p in self.sessions_edit.text().split(",") if p.strip()] or None

    def selected_raters(self) -> list[str]:
        items = [self.raters_list.item(i) for i in range(self.raters_list.count())]
        return [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]

    def set_raters(self, names: list[str]) -> None:
        wanted = {n.lower() for n in names}
        with QSignalBlocker(self.raters_list):
            for i in range(self.raters_list.count()):
                item = self.raters_list.item(i)
                item.setCheckState(CHECKED[item.text().lower() in wanted])
        self._raters_changed()

    def _scheme_changed(self) -> None:
        """Tick the raters who coded with this scheme (a quick pass without bootstrap
        tells who they are), then list the scheme's disagreements."""
        try:
            key = self.scheme_key()
            coded = list(
                reliability.compute(self.db, self.coder, scheme_key=key, bootstrap=0).raters
            )
        except CoderError:
            coded = []  # fewer than two raters with codes: the lead ticks by hand
        self.set_raters(coded)

    def _raters_changed(self, *_: object) -> None:
        self.table = None
        self.stats_model.set_table(None)
        self.details.clear()
        self.summary.setText(HINT)
        self.say("")
        self.disagreements.refresh()

    def say(self, error: str) -> None:
        """Show (or, given "", hide) an error above the tabs."""
        self.message.setText(error)
        self.message.setVisible(bool(error))

    def adopt(self) -> Job | None:
        """Copy what all compared raters agree on into the consensus, after confirming,
        in the background (8 s on a 500-session project). The service stores it in one
        transaction with no point to stop at, so the progress dialog has no Cancel."""
        question = (
            "Copy every code and rating that all compared raters agree on into the "
            "consensus rater's codes? Existing consensus codes are kept."
        )
        key, raters = self.scheme_key(), self.selected_raters()
        if len(raters) < 2:  # none ticked would mean everyone to the service
            self.say("Tick at least two raters.")
            return None
        if not self.prompter.confirm("Adopt agreements", question):
            return None
        db, lead = self.db, self.lead

        def work(_job: Job) -> int:
            return consensus.adopt_agreements(db, lead, scheme_key=key, raters=raters)

        def done(added: object) -> None:
            self.disagreements.refresh()
            self.tabs.setCurrentWidget(self.disagreements)
            self.disagreements.say(f"Adopted {added} agreed codes and ratings into the consensus.")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CoderError):
                self.say(str(exc))
            else:
                report_exception(exc, "adopting agreements", self)

        self.adopt_job = run_job(
            self, "Adopt agreements", work, on_done=done, on_error=failed,
            label="Adopting agreements…", cancellable=False,
        )  # fmt: skip
        return self.adopt_job

    # ---- statistics ---------------------------------------------------------------------
    def _arguments(self) -> dict[str, Any]:
        return {
            "scheme_key": self.scheme_key(),
            "raters": self.selected_raters(),
            "round_number": self.round_combo.currentData(),
            "sessions": self.chosen_sessions(),
            "bootstrap": self.bootstrap_spin.value(),
        }

    def compute(self) -> ReliabilityTable | None:
        """Compute the table for the chosen scheme, raters and round, here and now (for
        the CSV export and scripts; the Compute button uses :meth:`compute_in_background`)."""
        self.say("" if len(self.selected_raters()) >= 2 else "Tick at least two raters.")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        table = None
        try:
            if len(self.selected_raters()) >= 2:
                table = reliability.compute(self.db, self.coder, **self._arguments())
        except CoderError as exc:
            self.say(str(exc))
        finally:
            QGuiApplication.restoreOverrideCursor()
        return self.show_table(table)

    def compute_in_background(self) -> Job | None:
        """Compute off the UI thread (bootstrap CIs take seconds on a study) under a
        progress dialog; Cancel drops the result and keeps the table shown before."""
        if len(self.selected_raters()) < 2:
            self.say("Tick at least two raters.")
            self.show_table(None)
            return None
        self.say("")
        db, coder, arguments = self.db, self.coder, self._arguments()
        self.compute_button.setEnabled(False)

        def done(result: object) -> None:
            self.compute_button.setEnabled(True)
            if isinstance(result, ReliabilityTable):
                self.show_table(result)
            else:
                self.summary.setText("Computing cancelled; the table is as it was")

        def failed(exc: BaseException) -> None:
            self.compute_button.setEnabled(True)
            if isinstance(exc, CoderError):
                self.say(str(exc))
                self.show_table(None)
            else:
                report_exception(exc, "computing reliability", self)

        boot = arguments["bootstrap"]
        self.compute_job = run_job(
            self,
            "Reliability",
            lambda job: reliability.compute(db, coder, **arguments),
            on_done=done,
            on_error=failed,
            label=f"Computing agreement{f' with {boot} bootstrap resamples' if boot else ''}…",
            discard_on_cancel=True,
        )
        return self.compute_job

    def show_table(self, table: ReliabilityTable | None) -> ReliabilityTable | None:
        self.table = table
        self.stats_model.set_table(self.table)
        self.details.clear()
        t, boot = self.table, self.bootstrap_spin.value()
        if t is None:
            self.summary.setText(HINT)
            return None
        cis = f"CIs from {boot} bootstrap resamples" if boot else "no bootstrap CIs"
        self.summary.setText(
            f"{t.scheme} — raters: {', '.join(t.raters)} — {t.sessions} sessions — "
            f"{len(t.rows)} lines — {cis}"
        )
        view, header = self.stats_view, self.stats_view.horizontalHeader()
        view.resizeColumnsToContents()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        last, full = header.count() - 1, header.sectionSize(2)
        needed = sum(header.sectionSize(i) for i in range(last)) + view.sizeHintForColumn(last)
        room = view.viewport().width() - view.verticalScrollBar().sizeHint().width()
        spare = room - needed if self.isVisible() else 0
        header.resizeSection(2, max(full + min(spare, 0), 90))  # the band must show; a cut
        # label is in its tooltip and in the details
        if t.rows:
            self.stats_view.selectRow(0)
        return t

    def _row_changed(self, index: QModelIndex, *_: object) -> None:
        row = self.stats_model.data(index, ROW_ROLE) if index.isValid() else None
        self.details.setHtml(details_html(row) if row is not None else "")

    def export_csv(self) -> Path | None:
        """Ask for a file and write the table's CSV (computing it first if needed)."""
        if self.table is None and self.compute() is None:
            return None
        assert self.table is not None
        default = f"reliability-{self.scheme_key() or 'project'}.csv"
        path = self.prompter.save_file("Export reliability table", "CSV files (*.csv)", default)
        if path is None:
            return None
        try:  # the shared writer: next to the target, then moved; refusals in words
            write_atomically(path, reliability_format.as_csv(self.table).encode("utf-8"))
        except CoderError as exc:
            self.say(str(exc))
            return None
        self.say("")
        self.summary.setText(f"Wrote {path}")
        return path

    def export_report(self) -> Job | None:
        """Ask for a .docx file and write the reliability report for the current choices
        (scheme, raters, sessions, round, bootstrap) in the background; it is computed
        afresh, so it always matches what the controls say. Problems show in the error
        line; Cancel (honoured between computing and writing) leaves no file."""
        raters = self.selected_raters()
        if len(raters) < 2:
            self.say("Tick at least two raters.")
            return None
        default = f"reliability-{self.scheme_key() or 'project'}{reports.REPORT_SUFFIX}"
        path = self.prompter.save_file("Export reliability report", REPORT_FILTERS, default)
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(reports.REPORT_SUFFIX)
        db, coder, arguments = self.db, self.coder, self._arguments()
        self.report_button.setEnabled(False)

        def work(job: Job) -> Path | None:
            return reports.export_reliability_report(
                db, coder, path, proceed=lambda: not job.cancelled.is_set(), **arguments
            )

        def done(written: object) -> None:
            self.report_button.setEnabled(True)
            self.say("")
            self.summary.setText(
                f"Wrote {written}" if written is not None else "Report cancelled: nothing written"
            )

        def failed(exc: BaseException) -> None:
            self.report_button.setEnabled(True)
            if isinstance(exc, CoderError):  # a file refusal too (coder.io.atomic)
                self.say(str(exc))
            else:
                report_exception(exc, "writing the reliability report", self)

        self.report_job = run_job(
            self, "Reliability report", work, on_done=done, on_error=failed,
            label="Computing and writing the reliability report…",
        )  # fmt: skip
        return self.report_job


def open_reliability_view(
    db: ProjectDatabase, coder: ActingRater | None, parent: Any = None
) -> ReliabilityView:
    """Show the reliability window (non-modal); uses the parent's prompter if it has one."""
    view = ReliabilityView(db, coder, getattr(parent, "prompter", None), parent)
    view.show()
    view.raise_()
    return view
