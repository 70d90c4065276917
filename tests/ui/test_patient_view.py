"""The patient view driven like a clinician-researcher would: profile, intake, override,
export. Modal questions are answered by the FakePrompter."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import identity, intake, profiles, rounds
from coder.app.identity import ActingRater
from coder.io.profile_text import SESSION_COLUMNS
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow
from coder.ui.models.profile_model import COLUMNS
from coder.ui.patient_view import PatientView, open_patient_view

MakeView = Callable[..., PatientView]


@pytest.fixture
def sample_db(demo_db: ProjectDatabase) -> ProjectDatabase:
    return demo_db


@pytest.fixture
def ada(sample_db: ProjectDatabase) -> ActingRater:
    return identity.sign_in(sample_db, "Ada Lovelace")


def export_report_and_wait(view: PatientView) -> None:
    """Export ▸ report runs in the background (coder.ui.worker): wait for it."""
    view.report_job = None
    view.export_report_action.trigger()
    job = view.report_job
    if job is not None:
        qtbot: QtBot = view._qtbot  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: job.done, timeout=20000)


def export_plots_and_wait(view: PatientView) -> None:
    """Export plots… draws and writes in the background too: wait for it."""
    view.report_job = None
    view.export_plots_action.trigger()
    job = view.report_job
    if job is not None:
        qtbot: QtBot = view._qtbot  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: job.done, timeout=20000)


@pytest.fixture
def make_view(
    qtbot: QtBot,
    sample_db: ProjectDatabase,
    make_window: Callable[[ProjectDatabase, ActingRater | None], MainWindow],
) -> MakeView:
    prompter = make_window(sample_db, None).prompter  # conftest's FakePrompter

    def make(coder: ActingRater | None, patient: str = "P01") -> PatientView:
        view = PatientView(sample_db, coder, patient, prompter=prompter)
        view._qtbot = qtbot  # type: ignore[attr-defined]
        qtbot.addWidget(view)
        view.show()
        return view

    return make


def column(key: str) -> int:
    return [k for k, _, _ in COLUMNS].index(key)


def table_values(view: PatientView, key: str) -> list[object]:
    model = view.profile.model
    return [model.value(row, column(key)) for row in range(model.rowCount())]


def test_models_pass_the_qt_model_tester(
    make_view: MakeView, ada: ActingRater, qtmodeltester: ModelTester
) -> None:
    view = make_view(ada)
    view.intake.pd.model.setData(view.intake.pd.model.index(4, 1), "2")
    for model in (view.profile.model, view.intake.iip.items, view.intake.pd.model):
        qtmodeltester.check(model)


def test_profile_table_and_plots_show_the_report(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase
) -> None:
    view = make_view(ada)
    data = profiles.build_report(sample_db, "P01", rater="Ada Lovelace").to_dict()
    model = view.profile.model
    assert model.rowCount() == len(data["sessions"]) + 1  # sessions, then the trait-like row
    assert (
        model.columnCount() == len(COLUMNS) and COLUMNS[: len(SESSION_COLUMNS)] == SESSION_COLUMNS
    )
    assert table_values(view, "session") == [1, 2, 3, "Mean"]
    assert table_values(view, "withdrawal_segments")[:3] == [5, 5, 3]
    assert (
        model.index(3, column("resolution_rate")).data()
        == f"{data['trait_like']['resolution_rate']:.2f}"
    )
    assert model.index(3, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "Balance index</b> +1.00" in view.profile.summary.text()
    for name, label in view.profile.plot_labels.items():
        assert not label.pixmap().isNull(), name
        assert label.pixmap().width() > 300
    assert view.source.currentText() == "Ada Lovelace (you)"
    assert not view.profile.message.isVisibleTo(view)


def test_switching_rater_updates_table_and_formulation(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase
) -> None:
    view = make_view(ada, "P02")
    assert table_values(view, "withdrawal_segments") == [0, 0, 0, 0.0]  # Ada's codes
    view.choose_source("Ben Okafor")
    ben = profiles.build_report(sample_db, "P02", rater="Ben Okafor").to_dict()
    assert table_values(view, "withdrawal_segments")[:-1] == [2, 1, 0]
    rates = table_values(view, "resolution_rate")
    assert rates == [s["resolution_rate"] for s in ben["sessions"]] + [
        ben["trait_like"]["resolution_rate"]
    ]
    assert view.report is not None and view.report.rater == "Ben Okafor"
    assert view.formulation.reasons.toPlainText().count("Evidence:") == len(ben["reasons"])


def test_blinded_rater_sees_only_own_codes_and_a_message(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase
) -> None:
    view = make_view(ada)
    assert [s.rater for s in view.sources] == ["Ada Lovelace", "Ben Okafor"]
    identity.add_lead(sample_db, "Lee", "LP", "lab passphrase")
    rounds.create_round(sample_db, identity.sign_in(sample_db, "Lee", "lab passphrase"))
    view.choose_source("Ben Okafor")  # the list predates the round: the service refuses
    assert view.profile.message.isVisibleTo(view)
    assert "blinded" in view.profile.message.text()
    assert view.profile.model.rowCount() == 0 and view.report is None
    assert not view.export_report_action.isEnabled()
    view.refresh_sources()
    assert [s.rater for s in view.sources] == ["Ada Lovelace"]
    assert view.profile.model.rowCount() == 4


def test_out_of_range_iip_octant_is_refused_inline_and_nothing_is_stored(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase, qtbot: QtBot
) -> None:
    view = make_view(ada)
    form = view.intake.iip
    for i, edit in enumerate(form.octants.values()):
        edit.setText(str(1 + i * 0.25))
    form.octants["HI"].setText("5")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "IIP octant HI: 5.0 is outside the allowed range 0–4" in form.status.text()
    assert "b00020" in form.status.styleSheet()  # red
    assert intake.load_intake(sample_db, "P01")[0].iip is None
    form.octants["HI"].setText("two")
    assert not form.save()
    assert "'two' is not a number" in form.status.text()
    form.mode.setCurrentIndex(1)  # item responses
    assert form.items_view.isVisibleTo(form) and not form.octant_page.isVisibleTo(form)
    items = form.items
    for row in range(items.rowCount()):
        items.setData(items.index(row, 2), "2")
    items.setData(items.index(6, 2), "7")
    assert not form.save()
    assert "IIP-32 item 7: 7 is outside the allowed range 0–4" in form.status.text()
    assert intake.load_intake(sample_db, "P01")[0].iip is None


def test_valid_iip_is_stored_and_summarised(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase
) -> None:
    view = make_view(ada)
    form = view.intake.iip
    form.version.setCurrentIndex(form.version.findData("IIP-64"))
    for i, edit in enumerate(form.octants.values()):
        edit.setText(str(1 + (i % 3) * 0.5))
    assert form.save(), form.status.text()
    stored = intake.load_intake(sample_db, "P01")[0].iip
    assert stored is not None and stored.version.value == "IIP-64" and stored.octants["PA"] == 1.0
    assert "elevation" in form.summary.text() and form.status.text() == "Saved."
    assert "d_iip_agency" not in view.formulation.reasons.toPlainText().split("Not evaluated")[-1]


def test_saving_suip_stores_it_and_updates_the_formulation(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase, qtbot: QtBot
) -> None:
    view = make_view(ada)
    view.intake.iip.octants["PA"].setText("1.5")  # typed, not saved yet
    form = view.intake.suip
    form.labels[0].setText("Symptom awareness")
    for level, value in enumerate((4, 4, 3, None, 5, 4), start=1):
        form.set_rating(level, value)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.status.text() == "Saved."
    stored = intake.load_intake(sample_db, "P01")[0].suip
    assert stored is not None
    assert stored.ratings == (4, 4, 3, None, 5, 4) and stored.labels[0] == "Symptom awareness"
    assert "intake.suip.mean" not in view.formulation.reasons.toPlainText()
    assert view.intake.iip.octants["PA"].text() == "1.5"  # other forms keep unsaved typing
    form.maximum.setValue(3)  # 4 and 5 no longer fit: those levels become "not rated"
    assert [c.currentText() for c in form.ratings] == ["—", "—", "3", "—", "—", "—"]
    form.minimum.setValue(3)
    assert not form.save() and "minimum must be below the maximum" in form.status.text()


def test_pd_interview_and_notes(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase
) -> None:
    view = make_view(ada)
    pd = view.intake.pd
    model = pd.model
    borderline = 4
    for c in range(1, 6):
        model.setData(model.index(borderline, c), "2")
    assert not pd.save()
    assert "borderline: criteria 6, 7, 8, 9 are not rated" in pd.status.text()
    for c in range(6, 10):
        model.setData(model.index(borderline, c), "0")
    model.setData(model.index(borderline, 9), "4")
    assert not pd.save() and "criterion 9: 4 is outside the allowed range 0–3" in pd.status.text()
    model.setData(model.index(borderline, 9), "1")
    assert model.index(borderline, 10).data() == "11" and model.index(borderline, 11).data() == "5"
    assert not model.setData(model.index(0, 9), "2")  # paranoid has 7 criteria
    assert pd.save(), pd.status.text()
    stored = intake.load_intake(sample_db, "P01")[0].pd
    assert stored is not None and stored.ratings == {"borderline": (2, 2, 2, 2, 2, 0, 0, 0, 1)}
    assert "a_pd_threshold" in [r.rule_id for r in view.report.formulation.fired]  # type: ignore[union-attr]
    notes = view.intake.notes
    notes.add_note()
    assert "text is empty" in notes.status.text() and notes.list.count() == 0
    notes.text.setText("Told of a quarrel with her manager")
    notes.add_note()
    assert notes.save()
    assert [n.text for n in intake.load_intake(sample_db, "P01")[0].notes] == [
        "Told of a quarrel with her manager"
    ]


def test_override_needs_a_rationale_and_stays_beside_the_suggestion(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase, qtbot: QtBot
) -> None:
    view = make_view(ada)
    panel = view.formulation
    assert panel.suggested_type.text() == "No type suggested"
    assert "agency / self-definition" in panel.suggested_difficulty.text()
    assert "not yet been empirically validated" in panel.caveat.text()
    panel.type_combo.setCurrentIndex(panel.type_combo.findData("B"))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert "needs a rationale" in panel.status.text()
    assert profiles.override_history(sample_db, "P01") == []
    panel.rationale.setPlainText("Repair work around setbacks looks enough")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    [saved] = profiles.override_history(sample_db, "P01")
    assert (saved.type, saved.who) == ("B", "Ada Lovelace")
    assert (
        panel.decided_type.text() == "Type B — functioning well, but with interpersonal struggles"
    )
    assert "Follows the clinician's decision: type B" in panel.reasons.toPlainText()
    assert "Repair work around setbacks" in panel.decided_why.text()
    assert "Ada Lovelace" in panel.decided_who.text()
    assert panel.suggested_type.text() == "No type suggested"  # the suggestion stays visible
    assert panel.history.topLevelItemCount() == 1
    assert panel.history.topLevelItem(0).text(1) == "Ada Lovelace"
    assert panel.rationale.toPlainText() == "" and "Saved by Ada Lovelace" in panel.status.text()


def test_override_without_identity_is_refused(
    make_view: MakeView, sample_db: ProjectDatabase
) -> None:
    view = make_view(None)  # nothing is blinded: every rater's profile may be shown
    assert [s.rater for s in view.sources] == ["Ada Lovelace", "Ben Okafor"]
    view.save_override("A", None, "because")
    assert "Choose who you are" in view.formulation.status.text()
    assert profiles.override_history(sample_db, "P01") == []


def test_export_report_and_plots_through_the_prompter(
    make_view: MakeView, ada: ActingRater, tmp_path: Path
) -> None:
    view = make_view(ada)
    prompter: Any = view.prompter  # conftest's FakePrompter
    prompter.answers = [tmp_path / "P01-report"]  # no suffix: .docx is added
    export_report_and_wait(view)
    path = tmp_path / "P01-report.docx"
    doc = docx.Document(str(path))
    header = [h for _, h, _ in SESSION_COLUMNS]
    assert any([c.text for c in t.rows[0].cells] == header and len(t.rows) == 4 for t in doc.tables)
    assert len(doc.inline_shapes) == 4
    assert "Report written" in view.statusBar().currentMessage()
    prompter.answers = [tmp_path / "fig.svg"]
    export_plots_and_wait(view)
    assert sorted(p.name for p in tmp_path.glob("fig-*.svg")) == [
        "fig-balance.svg", "fig-resolution.svg", "fig-sessions.svg", "fig-significance.svg",
    ]  # fmt: skip
    prompter.answers = [tmp_path / "fig.gif"]
    export_plots_and_wait(view)
    assert prompter.errors and ".png or .svg" in prompter.errors[-1]
    prompter.answers = []  # cancelled dialog: nothing happens
    export_report_and_wait(view)
    assert len(prompter.errors) == 1


def test_export_file_problems_are_said_in_words_through_the_prompter(
    make_view: MakeView, ada: ActingRater, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = make_view(ada)
    prompter: Any = view.prompter  # conftest's FakePrompter
    out = tmp_path / "out"
    folder = out / "P01-report.docx"  # a folder with a report's name
    folder.mkdir(parents=True)
    prompter.answers = [folder]
    export_report_and_wait(view)
    assert prompter.errors == [f"{folder}: is a folder; choose a file name"]

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("coder.io.atomic.os.replace", full)
    prompter.answers = [out / "fig.png"]
    export_plots_and_wait(view)
    assert prompter.errors[-1].startswith(f"{out / 'fig-sessions.png'}: the disk is full")
    assert [p.name for p in out.iterdir()] == ["P01-report.docx"]  # no temporary file left
    assert list(folder.iterdir()) == []


def test_open_patient_view_from_the_main_window(
    sample_db: ProjectDatabase,
    ada: ActingRater,
    make_window: Callable[[ProjectDatabase, ActingRater | None], MainWindow],
) -> None:
    window = make_window(sample_db, ada)
    view = open_patient_view(window, ada, "P02")
    assert view.isVisible() and view.parent() is window and view.prompter is window.prompter
    assert view.windowTitle() == "Patient P02 — Rupture Coder"
    assert view.profile.model.rowCount() == 4
    other = open_patient_view(sample_db, ada, "P01")
    assert other.parent() is None and other.db is sample_db
    other.close()


def fill_norms(view: PatientView, mean: str = "1.5", sd: str = "0.5") -> None:
    form = view.intake.norms
    form.label.setText("Lab sample")
    for octant in form.means:
        form.means[octant].setText(mean)
        form.sds[octant].setText(sd)


def test_valid_iip_norms_are_stored_and_the_summary_uses_z_scores(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase, qtbot: QtBot
) -> None:
    view = make_view(ada)
    for i, edit in enumerate(view.intake.iip.octants.values()):
        edit.setText(str(1 + (i % 3) * 0.5))
    assert view.intake.iip.save()
    assert "norm z scores" not in view.intake.iip.summary.text()
    form = view.intake.norms
    fill_norms(view)
    form.sds["DE"].setText("0,75")  # a decimal comma is accepted
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.status.text() == "Saved."
    norms = intake.load_intake(sample_db, "P01")[1]
    assert norms is not None and norms.label == "Lab sample"
    assert norms.means["PA"] == 1.5 and norms.sds["DE"] == 0.75
    assert "norm z scores" in view.intake.iip.summary.text()
    view.intake.load()  # filled back from the store
    assert form.sds["DE"].text() == "0.75" and form.label.text() == "Lab sample"


def test_bad_iip_norms_are_refused_inline_and_nothing_is_stored(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase
) -> None:
    view = make_view(ada)
    form = view.intake.norms
    fill_norms(view)
    form.sds["HI"].setText("0")
    assert not form.save()
    assert "IIP norm SD HI: must be greater than 0" in form.status.text()
    assert "b00020" in form.status.styleSheet()
    form.sds["HI"].setText("0.5")
    form.means["LM"].setText("abc")
    assert not form.save()
    assert "IIP norm mean LM: 'abc' is not a number" in form.status.text()
    form.means["LM"].setText("")
    assert not form.save() and "IIP norm mean LM: enter a number" in form.status.text()
    assert intake.load_intake(sample_db, "P01")[1] is None
    assert form.means["PA"].text() == "1.5"  # nothing typed is cleared


def test_clear_norms_removes_them(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase, qtbot: QtBot
) -> None:
    view = make_view(ada)
    form = view.intake.norms
    fill_norms(view)
    assert form.save()
    assert intake.load_intake(sample_db, "P01")[1] is not None
    qtbot.mouseClick(form.clear_button, Qt.MouseButton.LeftButton)
    assert intake.load_intake(sample_db, "P01")[1] is None
    assert "raw scores" in form.status.text()
    assert form.means["PA"].text() == "" and form.label.text() == ""


def test_profile_table_shows_coverage_and_shades_incomplete_sessions(
    make_view: MakeView, ada: ActingRater, sample_db: ProjectDatabase, uncode: Callable[..., None]
) -> None:
    uncode(sample_db, "Ada Lovelace", "P01", 3, range(1, 5))  # S3: nothing coded
    view = make_view(ada)
    model = view.profile.model
    cov = column("coverage")
    assert [model.index(r, cov).data() for r in range(4)] == ["6/6", "6/6", "0/4", "12/16"]
    assert table_values(view, "withdrawal_segments") == [5, 5, None, 5.0]  # S3 missing, not 0
    assert model.index(3, column("rupture_share")).data() == f"{5 / 6:.2f}"
    assert model.index(2, cov).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, cov).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "0 of 4 segments coded" in model.index(2, cov).data(Qt.ItemDataRole.ToolTipRole)
    assert "Not fully coded: P01/3: 0 of 4 segments coded." in view.profile.summary.text()


def test_formulation_withheld_on_incomplete_coding_until_provisional_is_ticked(
    make_view: MakeView,
    ada: ActingRater,
    sample_db: ProjectDatabase,
    uncode: Callable[..., None],
    tmp_path: Path,
) -> None:
    uncode(sample_db, "Ada Lovelace", "P02", 3, range(2, 7))
    view = make_view(ada, "P02")
    panel = view.formulation
    assert panel.suggested_type.text() == "No suggestion: coding incomplete"
    assert panel.notice.isVisibleTo(panel) and "P02/3: 1 of 6 segments coded" in panel.notice.text()
    assert "Why nothing is suggested" in panel.reasons.toHtml()
    assert panel.provisional.isVisibleTo(panel) and not panel.provisional.isChecked()
    panel.provisional.setChecked(True)  # the view rebuilds the report
    assert view.report is not None and view.report.formulation.provisional
    assert panel.suggested_type.text().endswith("(provisional)")
    assert "Provisional — computed on incomplete coding" in panel.type_reason.text()
    assert "Provisional — computed on incomplete coding" in panel.notice.text()
    prompter: Any = view.prompter
    prompter.answers = [tmp_path / "P02.docx"]
    export_report_and_wait(view)
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "P02.docx")).paragraphs)
    assert "Provisional — computed on incomplete coding" in text
    panel.provisional.setChecked(False)
    assert view.report is not None and view.report.formulation.withheld


def test_consensus_with_open_disagreements_says_so(
    make_view: MakeView, sample_db: ProjectDatabase
) -> None:
    from coder.app import consensus, disagreements

    identity.add_lead(sample_db, "Lee", "LP", "lab passphrase")
    lead = identity.sign_in(sample_db, "Lee", "lab passphrase")
    consensus.adopt_agreements(sample_db, lead)
    n = disagreements.open_disagreement_count(sample_db, lead, "P01")
    view = make_view(lead)
    view.choose_source("Consensus")
    assert view.report is not None and view.report.open_disagreements == n > 0
    assert f"Consensus not final: {n} disagreements open." in view.formulation.notice.text()
    assert view.formulation.notice.isVisibleTo(view.formulation)
    assert f"{n} disagreements open" in view.profile.summary.text()
    view.choose_source("Ada Lovelace")
    assert "disagreements open" not in view.formulation.notice.text()


def test_cancelling_the_report_writes_nothing(
    make_view: MakeView,
    ada: ActingRater,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    import threading

    from PySide6.QtWidgets import QPushButton

    view = make_view(ada)
    gate, started = threading.Event(), threading.Event()
    real = profiles.build_report

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(profiles, "build_report", slow)
    prompter: Any = view.prompter
    prompter.answers = [tmp_path / "P01.docx"]
    view.export_report_action.trigger()
    job = view.report_job
    assert job is not None and started.wait(10)
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    gate.set()
    qtbot.waitUntil(lambda: job.done, timeout=20000)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("P01")]
    assert "nothing written" in view.statusBar().currentMessage()


def test_export_plots_runs_in_the_background_and_cancel_writes_no_plot(
    make_view: MakeView,
    ada: ActingRater,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from PySide6.QtWidgets import QPushButton

    from coder.io import plots

    view = make_view(ada)
    prompter: Any = view.prompter
    started, release, threads = threading.Event(), threading.Event(), set()
    real = plots.render_all

    def held(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        started.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(plots, "render_all", held)
    out = tmp_path / "plots"
    out.mkdir()
    prompter.answers = [out / "fig.png"]
    view.export_plots_action.trigger()
    job = view.report_job
    assert job is not None and started.wait(10)
    qtbot.waitUntil(job.dialog.isVisible, timeout=5000)  # type: ignore[attr-defined]  # UI runs
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    release.set()
    qtbot.waitUntil(lambda: job.done, timeout=20000)
    assert threading.get_ident() not in threads
    assert list(out.iterdir()) == []  # none of the four plots, no temporary file
    assert view.statusBar().currentMessage() == "Plots cancelled: nothing written"
    assert prompter.errors == []
