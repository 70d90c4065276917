"""The lead's reliability window on the demo project: statistics, bands with their sources,
how-computed notes, and the disagreement-to-consensus flow, driven like a lead would."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import numpy as np
import pytest
from backend import NewProject, seed_demo
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import (
    browse,
    consensus,
    demo,
    disagreements,
    identity,
    reliability,
    reliability_format,
)
from coder.app.codes import export_codes
from coder.app.disagreements import Disagreement
from coder.app.identity import ActingRater
from coder.app.reliability import ReliabilityRow, ReliabilityTable
from coder.stats.reliability import how_computed, reliability_report
from coder.store.database import ProjectDatabase
from coder.ui.models.disagreements_model import EVIDENCE_COLOUR
from coder.ui.models.reliability_model import FIXED, ReliabilityModel
from coder.ui.reliability_view import LEADS_ONLY, ReliabilityView, open_reliability_view
from coder.ui.worker import Job

PASS = "lab passphrase"
N_UNITS, N_RATERS = FIXED.index("n units"), FIXED.index("n raters")
Make = Callable[[ProjectDatabase, ActingRater | None], ReliabilityView]


def demo_with_a_lead(db: ProjectDatabase) -> None:
    seed_demo(db)
    identity.add_lead(db, "Lee", "LP", PASS)


@pytest.fixture
def db(new_project: NewProject) -> ProjectDatabase:
    """The demo project with a lead (built once, about 2 s; each test gets a copy)."""
    return new_project(
        "demo", name="Demo project", scheme_ids=demo.DEMO_SCHEMES, seed=demo_with_a_lead
    )


@pytest.fixture
def lee(db: ProjectDatabase) -> ActingRater:
    return identity.sign_in(db, "Lee", PASS)


@pytest.fixture
def make_view(qtbot: QtBot, request: pytest.FixtureRequest) -> Make:
    # tests/ui/conftest.py's FakePrompter; a conftest cannot be imported by module name
    conftest = request.config.pluginmanager.get_plugin(str(Path(__file__).with_name("conftest.py")))

    def make(db: ProjectDatabase, coder: ActingRater | None) -> ReliabilityView:
        view = ReliabilityView(db, coder, prompter=conftest.FakePrompter())
        qtbot.addWidget(view)
        view.show()
        return view

    return make


def consensus_rows(db: ProjectDatabase, coder: ActingRater, out: Path) -> list[dict[str, str]]:
    export_codes(db, out, ["Consensus"], coder)
    with out.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def select(
    view: ReliabilityView, item: str, patient: str, session: int, unit_index: int
) -> Disagreement:
    panel = view.disagreements
    view.tabs.setCurrentWidget(panel)
    for row, d in enumerate(panel.model.items):
        if (d.item, d.patient, d.session, d.unit_index) == (item, patient, session, unit_index):
            panel.view.setCurrentIndex(panel.model.index(row, 0))
            assert panel.d == d
            return d
    raise AssertionError(f"no disagreement on {item} in {patient} S{session} #{unit_index}")


def cell(
    model: ReliabilityModel, row: int, col: int, role: int = Qt.ItemDataRole.DisplayRole
) -> str:
    return str(model.data(model.index(row, col), role) or "")


# ---- access --------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["Ada Lovelace", None])
def test_a_rater_sees_the_message_not_the_data(
    db: ProjectDatabase, make_view: Make, who: str | None
) -> None:
    view = make_view(db, identity.sign_in(db, who) if who else None)
    assert view.centralWidget() is view.message
    assert view.message.text() == LEADS_ONLY and "lead" in view.message.text()
    assert view.findChildren(QTableView) == []


def test_open_reliability_view_shows_a_non_modal_window(
    db: ProjectDatabase, lee: ActingRater, qtbot: QtBot
) -> None:
    view = open_reliability_view(db, lee)
    qtbot.addWidget(view)
    assert view.isVisible() and not view.isModal()
    assert view.selected_raters() == ["Ada Lovelace", "Ben Okafor"]  # the raters with codes


def test_each_rater_name_has_a_full_line_in_the_picker(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, qtbot: QtBot
) -> None:
    view = make_view(db, lee)
    qtbot.waitExposed(view)
    picker = view.raters_list
    # The style sizes left-to-right items to the check box, which clipped the names'
    # tops (seen in docs/images/09-reliability.png): a line plus a margin each.
    line = picker.fontMetrics().height() + 4
    for index in range(picker.count()):
        rect = picker.visualItemRect(picker.item(index))
        assert rect.height() >= line, picker.item(index).text()
        assert picker.viewport().rect().contains(rect), picker.item(index).text()


# ---- statistics ----------------------------------------------------------------------------
def test_models_pass_the_qt_model_tester(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, qtmodeltester: ModelTester
) -> None:
    view = make_view(db, lee)
    qtmodeltester.check(view.stats_model)  # empty, before computing
    view.bootstrap_spin.setValue(0)
    assert view.compute() is not None
    qtmodeltester.check(view.stats_model)
    qtmodeltester.check(view.disagreements.model)
    view.disagreements.filter.setText("W_SIG")
    qtmodeltester.check(view.disagreements.model)


def test_compute_fills_one_line_per_row_with_n_and_the_band_source(
    db: ProjectDatabase, lee: ActingRater, make_view: Make
) -> None:
    view = make_view(db, lee)
    table = view.compute()
    expected = reliability.compute(db, lee, raters=["Ada Lovelace", "Ben Okafor"])
    assert table is not None and table.rows == expected.rows  # same seed, same CIs
    model = view.stats_model
    assert model.rowCount() == len(expected.rows)
    band = model.columnCount() - 1
    for i, row in enumerate(expected.rows):
        assert cell(model, i, 1) == row.item
        assert cell(model, i, N_UNITS) == str(row.report.n_units)
        assert cell(model, i, N_RATERS) == "2"
        name, _ = reliability_format.band_statistic(row)
        source = {"ICC2": "Koo & Li (2016)", "u_alpha": "Krippendorff (2004)"}.get(
            name, "no band" if name == "turn_overlap" else "Landis & Koch (1977)"
        )
        assert source in cell(model, i, band)
    w_sig = [r.item for r in expected.rows].index("W_SIG")
    icc = model.headers().index("ICC(2,1)")
    value = expected.rows[w_sig].report.icc["ICC2"]
    assert value.value is not None and value.ci95 is not None
    assert (
        cell(model, w_sig, icc) == f"{value.value:.2f} [{value.ci95[0]:.2f}, {value.ci95[1]:.2f}]"
    )
    assert "6 sessions" in view.summary.text()


def test_row_details_and_tooltips_say_how_each_statistic_is_computed(
    db: ProjectDatabase, lee: ActingRater, make_view: Make
) -> None:
    view = make_view(db, lee)
    table = view.compute()
    assert table is not None
    row = [r.item for r in table.rows].index("W_SIG")
    view.stats_view.selectRow(row)
    details = view.details.toPlainText()
    for fragment in (
        "n units 34",
        "n raters 2",
        "McGraw & Wong ICC(A,1)",
        "Koo & Li (2016)",
        "Cicchetti (1994)",
    ):
        assert fragment in details
    assert how_computed("ICC2").split(":")[0] in details
    assert how_computed("krippendorff_alpha_ordinal")[:40] in details
    kappa = view.stats_model.headers().index("Cohen's κ")
    assert how_computed("cohen_kappa")[:40] in cell(
        view.stats_model, row, kappa, Qt.ItemDataRole.ToolTipRole
    )


def test_an_undefined_statistic_shows_a_dash_with_its_reason() -> None:
    same = np.ones((5, 2))  # one category only: kappa is 0/0
    report = reliability_report(same, "nominal", None, 0)
    model = ReliabilityModel()
    model.set_table(
        ReliabilityTable(
            "s", ("A", "B"), 1, (ReliabilityRow("code", "W1", "Denial", "segment", report),)
        )
    )
    kappa = model.headers().index("Cohen's κ")
    note = report.stats["cohen_kappa"].note
    assert cell(model, 0, kappa) == "—" and note
    assert note.split(";")[0][:30] in cell(model, 0, kappa, Qt.ItemDataRole.ToolTipRole)
    assert cell(model, 0, model.columnCount() - 1) == "—"


def test_fewer_than_two_raters_is_said_inline(
    db: ProjectDatabase, lee: ActingRater, make_view: Make
) -> None:
    view = make_view(db, lee)
    view.set_raters(["Ada Lovelace"])
    assert view.compute() is None
    assert not view.message.isHidden() and "two raters" in view.message.text()
    assert view.disagreements.model.rowCount() == 0
    assert "two raters" in view.disagreements.status.text()


def test_csv_export_writes_the_table(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path
) -> None:
    view = make_view(db, lee)
    view.bootstrap_spin.setValue(0)
    table = view.compute()
    assert table is not None
    out = tmp_path / "reliability.csv"
    prompter: Any = view.prompter  # conftest's FakePrompter
    prompter.answers.append(out)
    view.export_button.click()
    assert prompter.asked == ["Export reliability table"]
    assert out.read_text(encoding="utf-8") == reliability_format.as_csv(table)


def test_csv_export_problems_show_inline_in_words(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path
) -> None:
    view = make_view(db, lee)
    prompter: Any = view.prompter  # conftest's FakePrompter
    view.bootstrap_spin.setValue(0)
    folder = tmp_path / "tables"
    folder.mkdir()
    prompter.answers.append(folder)
    assert view.export_csv() is None
    assert view.message.text() == f"{folder}: is a folder; choose a file name"
    assert list(folder.iterdir()) == [] and not view.message.isHidden()
    prompter.answers.append(folder / "irr.csv")
    assert view.export_csv() == folder / "irr.csv" and view.message.isHidden()


def test_export_report_writes_the_docx_for_the_current_choices(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path, qtbot: QtBot
) -> None:
    view = make_view(db, lee)
    view.bootstrap_spin.setValue(0)
    view.sessions_edit.setText("P01")
    prompter: Any = view.prompter  # conftest's FakePrompter
    prompter.answers.append(tmp_path / "reliability")  # no suffix: .docx is added
    assert view.report_button.text() == "Export report…"
    view.report_button.click()
    assert prompter.asked == ["Export reliability report"]
    finish(qtbot, view.report_job)
    out = tmp_path / "reliability.docx"
    assert out.is_file() and view.summary.text() == f"Wrote {out}"
    assert view.message.isHidden()
    doc = docx.Document(str(out))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Sessions: 3 (only P01)" in paragraphs
    assert "Bootstrap: none (no bootstrap CIs)" in paragraphs
    expected = reliability.compute(
        db, lee, raters=["Ada Lovelace", "Ben Okafor"], sessions=["P01"], bootstrap=0
    )
    icc = next(r for r in expected.rows if r.item == "W_SIG").report.icc["ICC2"]
    assert icc.value is not None and icc.ci95 is not None
    rows = next(
        [[c.text for c in row.cells] for row in t.rows]
        for t in doc.tables
        if t.rows[1].cells[0].text == "W_SIG"
    )
    assert rows[1][rows[0].index("ICC(2,1)")] == (
        f"{icc.value:.2f} [{icc.ci95[0]:.2f}, {icc.ci95[1]:.2f}]"
    )


def finish(qtbot: QtBot, job: Job | None) -> Job:
    """Wait for a background job of the window (coder.ui.worker)."""
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=30000)
    return job


def test_export_report_errors_show_inline(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path, qtbot: QtBot
) -> None:
    view = make_view(db, lee)
    prompter: Any = view.prompter  # conftest's FakePrompter
    prompter.answers.append(None)  # cancelled: nothing happens
    assert view.export_report() is None and view.message.isHidden()
    prompter.answers.append(tmp_path / "missing" / "r.docx")
    view.bootstrap_spin.setValue(0)
    assert finish(qtbot, view.export_report()).error is not None
    assert not view.message.isHidden() and "folder does not exist" in view.message.text()
    view.sessions_edit.setText("P01/x")
    prompter.answers.append(tmp_path / "r.docx")
    assert finish(qtbot, view.export_report()).error is not None
    assert "P01 or P01/2" in view.message.text() and not (tmp_path / "r.docx").exists()
    view.set_raters(["Ada Lovelace"])
    assert view.export_report() is None and "two raters" in view.message.text()
    assert len(prompter.asked) == 3  # not asked for a file with one rater ticked


# ---- disagreements and consensus ------------------------------------------------------------
def test_the_disagreements_tab_lists_what_the_service_finds(
    db: ProjectDatabase, lee: ActingRater, make_view: Make
) -> None:
    view = make_view(db, lee)
    found = disagreements.find_disagreements(db, lee, raters=["Ada Lovelace", "Ben Okafor"])
    model = view.disagreements.model
    assert found and [d.key for d in model.items] == [d.key for d in found]
    assert model.raters == ["Ada Lovelace", "Ben Okafor"]
    view.disagreements.filter.setText("w_sig")
    assert model.items == [d for d in found if d.item == "W_SIG"]
    assert view.disagreements.count.text().startswith(f"{len(model.items)} of {len(found)}")


def test_selecting_a_disagreement_shows_the_passage_and_each_raters_value(
    db: ProjectDatabase, lee: ActingRater, make_view: Make
) -> None:
    view = make_view(db, lee)
    d = select(view, "R5", "P01", 1, 5)
    panel = view.disagreements
    turns = {t.index: t for t in browse.load_transcript(db, "P01", 1).turns}
    assert d.first_turn and d.last_turn
    for browser in panel.browsers:
        text = browser.toPlainText()
        assert turns[d.first_turn].text[:40] in text and turns[d.last_turn].text[:40] in text
        assert turns[d.last_turn + 1].text[:40] not in text
    assert [t.text() for t in panel.titles] == ["<b>Ada Lovelace</b>: ✓", "<b>Ben Okafor</b>: —"]
    assert EVIDENCE_COLOUR in panel.browsers[0].toHtml()  # Ada marked evidence
    assert EVIDENCE_COLOUR not in panel.browsers[1].toHtml()
    assert [b.text() for b in panel.take_buttons] == ["Take Ada's: ✓  [1]", "Take Ben's: —  [2]"]
    assert "turns 78–101" in panel.header.text()


def test_take_a_raters_value_and_settle_by_keyboard(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, qtbot: QtBot, tmp_path: Path
) -> None:
    view = make_view(db, lee)
    d = select(view, "W1", "P01", 1, 3)
    panel = view.disagreements
    assert d.values == {"Ada Lovelace": 1, "Ben Okafor": disagreements.ABSENT}
    assert not panel.settle_button.isEnabled()  # nothing picked yet
    qtbot.keyClick(panel.view, Qt.Key.Key_1)
    assert panel.value() == 1 and panel.settle_button.isEnabled()
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    rows = consensus_rows(db, lee, tmp_path / "c.csv")
    assert [
        (r["patient"], r["session"], r["code"], r["unit"], r["unit_index"], r["value"])
        for r in rows
    ] == [("P01", "1", "W1", "segment", "3", "1")]
    # Enter moved on to the next open disagreement; revisiting shows the decision
    assert panel.d is not None and panel.d.key != d.key and not panel.d.settled
    row = panel.model.row_of(d.key)
    assert row is not None
    panel.view.setCurrentIndex(panel.model.index(row, 0))
    settled = panel.d
    assert settled is not None and settled.key == d.key and settled.settled and settled.decided == 1
    assert row is not None
    status = panel.model.index(row, panel.model.columnCount() - 1).data()
    assert status == "settled: ✓"
    assert "Settled W1 in P01 S1 segment 3" in panel.status.text()
    assert panel.model.items == disagreements.find_disagreements(
        db, lee, raters=["Ada Lovelace", "Ben Okafor"]
    )


def test_take_button_other_value_memo_and_withdraw(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path
) -> None:
    view = make_view(db, lee)
    d = select(view, "W_SIG", "P01", 1, 1)
    panel = view.disagreements
    assert d.values == {"Ada Lovelace": 3, "Ben Okafor": 4}
    panel.take_buttons[1].click()  # Ben's
    assert panel.value() == 4
    assert panel.rating_editor.isVisible() and not panel.code_editor.isVisible()
    panel.rating_editor.setValue(2)  # or another value within the scale
    panel.memo.setText("discussed in the lab meeting")
    panel.settle_button.click()
    rows = consensus_rows(db, lee, tmp_path / "c.csv")
    assert [(r["code"], r["value"], r["memo"]) for r in rows] == [
        ("W_SIG", "2", "discussed in the lab meeting")
    ]
    assert panel.d is not None and panel.d.decided == 2 and panel.withdraw_button.isEnabled()
    assert panel.memo.text() == "discussed in the lab meeting"  # shown when revisited
    assert "memo: <i>discussed in the lab meeting</i>" in panel.header.text()
    panel.withdraw_button.click()
    assert consensus_rows(db, lee, tmp_path / "c.csv") == []
    assert panel.d is not None and panel.d.key == d.key and not panel.d.settled
    assert not panel.withdraw_button.isEnabled()


def test_hiding_settled_disagreements_moves_on_to_the_next(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, qtbot: QtBot
) -> None:
    view = make_view(db, lee)
    panel = view.disagreements
    panel.show_settled.setChecked(False)
    first, second = panel.model.items[:2]
    assert panel.d == first
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert panel.d == second
    qtbot.keyClick(panel.view, Qt.Key.Key_Up)
    qtbot.keyClick(panel.view, Qt.Key.Key_2)
    qtbot.keyClick(panel.view, Qt.Key.Key_Enter)
    assert first.key not in [d.key for d in panel.model.items]
    assert panel.d is not None and panel.d.key == second.key


def test_adopt_agreements_asks_first_and_reports_the_count(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path, qtbot: QtBot
) -> None:
    view = make_view(db, lee)
    prompter: Any = view.prompter  # conftest's FakePrompter
    prompter.answers.append(False)
    assert view.adopt() is None
    assert consensus_rows(db, lee, tmp_path / "c.csv") == []
    prompter.answers.append(True)
    view.adopt_button.click()
    job = view.adopt_job  # in the background: the window stays usable meanwhile
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=30000)
    assert len(prompter.asked) == 2 and "agree" in prompter.asked[0]
    added = len(consensus_rows(db, lee, tmp_path / "c.csv"))
    assert added > 0
    assert f"Adopted {added} agreed" in view.disagreements.status.text()


def test_text_spans_show_unitizing_alpha_and_an_uncoloured_overlap_line(
    db: ProjectDatabase, lee: ActingRater, make_view: Make
) -> None:
    """Issue 10: the turn-span kappa rows are replaced by uα per code (Krippendorff's
    bands) and a descriptive "turns marked by all" share that is never coloured."""
    view = make_view(db, lee)
    table = view.compute()
    assert table is not None
    model = view.stats_model
    kinds = [r.kind for r in table.rows]
    assert "turn span" not in kinds and "span" in kinds and "turn overlap" in kinds
    headers = model.headers()
    u_col, share_col, band = (
        headers.index("uα (unitizing)"),
        headers.index("turns marked by all"),
        model.columnCount() - 1,
    )
    span = kinds.index("span")
    stat = table.rows[span].report.stats["u_alpha"]
    assert stat.value is not None and cell(model, span, u_col).startswith(f"{stat.value:.2f}")
    assert cell(model, span, 0) == "span"
    overlap = kinds.index("turn overlap")
    assert cell(model, overlap, share_col) != ""
    assert cell(model, overlap, band).startswith("no band")
    index = model.index(overlap, band)
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(span, band), Qt.ItemDataRole.BackgroundRole) is not None
    unit_tip = model.data(model.index(span, 3), Qt.ItemDataRole.ToolTipRole)
    assert "characters" in unit_tip and "Missing:" in unit_tip
    view.stats_view.selectRow(span)
    details = view.details.toPlainText()
    assert "bootstrap over sessions" in details and "gaps count" in details


# ---- computing in the background --------------------------------------------------------------
def test_the_compute_button_works_off_the_ui_thread(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, qtbot: QtBot
) -> None:
    view = make_view(db, lee)
    view.bootstrap_spin.setValue(200)
    view.compute_button.click()
    job = view.compute_job
    assert job is not None and not view.compute_button.isEnabled()
    qtbot.waitUntil(lambda: job.done, timeout=30000)
    assert view.compute_button.isEnabled()
    assert view.table is not None and view.stats_model.rowCount() == len(view.table.rows)
    assert "CIs from 200 bootstrap resamples" in view.summary.text()


def test_cancel_keeps_the_table_shown_before(
    db: ProjectDatabase,
    lee: ActingRater,
    make_view: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from PySide6.QtWidgets import QPushButton

    view = make_view(db, lee)
    view.bootstrap_spin.setValue(0)
    before = view.compute()
    gate, started = threading.Event(), threading.Event()
    real = reliability.compute

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(reliability, "compute", slow)
    view.bootstrap_spin.setValue(50)
    job = view.compute_in_background()
    assert job is not None and started.wait(10)
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    gate.set()
    qtbot.waitUntil(lambda: job.done, timeout=30000)
    assert view.table is before and "cancelled" in view.summary.text()


def test_cancelling_the_reliability_report_writes_nothing(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, tmp_path: Path, qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import threading

    from PySide6.QtWidgets import QPushButton

    view = make_view(db, lee)
    view.bootstrap_spin.setValue(0)
    gate, started = threading.Event(), threading.Event()
    real = reliability.compute

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(reliability, "compute", slow)
    prompter: Any = view.prompter
    prompter.answers.append(tmp_path / "r.docx")
    job = view.export_report()
    assert job is not None and started.wait(10)
    job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # Cancel
    gate.set()
    finish(qtbot, job)
    assert not (tmp_path / "r.docx").exists() and "nothing written" in view.summary.text()


def test_adopting_a_machine_code_into_the_consensus_by_keyboard(
    db: ProjectDatabase, lee: ActingRater, make_view: Make, qtbot: QtBot
) -> None:
    """A machine rater is compared only when ticked; taking its value (key N) and
    settling records the decision as adopted from the machine, with its probability."""
    from sqlalchemy import select as sql_select

    from coder.domain.roles import RaterRole
    from coder.store.models import (
        CodeApplicationRow,
        ConsensusDecisionRow,
        PatientRow,
        RaterRow,
        SchemeRow,
        SessionRow,
    )

    machine = "Machine · 0123abcd"
    with db.transaction() as s:
        row = RaterRow(name=machine, initials="MC", role=RaterRole.MACHINE.value)
        s.add(row)
        s.flush()
        sid = s.scalar(
            sql_select(SessionRow.id)
            .join(PatientRow)
            .where(PatientRow.code == "P01", SessionRow.number == 1)
        )
        s.add(
            CodeApplicationRow(
                session_id=sid, rater_id=row.id, code_id="W1", unit="segment", unit_index=3,
                scheme_id=s.scalar(sql_select(SchemeRow.id).where(SchemeRow.key == "3rs-2015")),
                value=1, probability=0.8,
            )
        )  # fmt: skip
    view = make_view(db, lee)
    view.set_raters(["Ada Lovelace", "Ben Okafor", machine])
    d = select(view, "W1", "P01", 1, 3)
    panel = view.disagreements
    assert d.values == {"Ada Lovelace": 1, "Ben Okafor": disagreements.ABSENT, machine: 1}
    qtbot.keyClick(panel.view, Qt.Key.Key_3)  # the machine's column
    assert panel.taken_from == machine
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    with db.reading() as s:
        decided = s.scalars(sql_select(ConsensusDecisionRow.decided)).all()
    assert decided == [
        {"value": 1, "how": consensus.ADOPTED_MACHINE, "from": machine, "probability": 0.8}
    ]


def test_adopting_agreements_runs_off_the_ui_thread(
    db: ProjectDatabase,
    lee: ActingRater,
    make_view: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight seconds on a 500-session project: never on the window's thread."""
    import threading

    threads: list[threading.Thread] = []
    real = consensus.adopt_agreements

    def recorded(*args: Any, **kwargs: Any) -> int:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(consensus, "adopt_agreements", recorded)
    view = make_view(db, lee)
    view.prompter.answers.append(True)  # type: ignore[attr-defined]
    job = view.adopt()
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=30000)
    assert threads and threads[0] is not threading.main_thread()
    assert "Adopted" in view.disagreements.status.text()
