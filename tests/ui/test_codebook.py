from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QRect, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QPushButton, QVBoxLayout, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app.schemes import load_project_scheme
from coder.domain.scheme import Scheme, Scope
from coder.store.database import ProjectDatabase
from coder.ui.codebook import CODE_ID_ROLE, IS_RATING_ROLE, CodebookModel, CodebookPanel


@pytest.fixture
def panel(qtbot: QtBot, rrs: Scheme) -> CodebookPanel:
    widget = CodebookPanel()
    qtbot.addWidget(widget)
    widget.set_scheme(rrs)
    widget.resize(400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def rows(model: CodebookModel | QSortFilterProxyModel, parent: QModelIndex) -> list[str]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def find(panel: CodebookPanel, item_id: str) -> QModelIndex:
    """The proxy index of a code, stage or rating row."""
    for g in range(panel.proxy.rowCount()):
        group = panel.proxy.index(g, 0)
        for r in range(panel.proxy.rowCount(group)):
            index = panel.proxy.index(r, 0, group)
            if index.data(CODE_ID_ROLE) == item_id:
                return index
    raise AssertionError(f"{item_id} not shown")


def click(qtbot: QtBot, panel: CodebookPanel, index: QModelIndex) -> None:
    panel.view.scrollTo(index)
    centre = panel.view.visualRect(index).center()
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_model_groups_codes_and_ratings(qtmodeltester: ModelTester, rrs: Scheme) -> None:
    model = CodebookModel()
    model.set_scheme(rrs)
    qtmodeltester.check(model)
    labels = rows(model, QModelIndex())
    assert labels == [g.label for g in rrs.groups] + ["Ratings"]
    assert len(rrs.groups) == 3
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Code"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Key"

    withdrawal = model.index(0, 0)
    assert withdrawal.data(CODE_ID_ROLE) is None and withdrawal.data(IS_RATING_ROLE) is False
    w1 = model.index(0, 0, withdrawal)
    assert w1.data() == "W1  Denial"
    assert w1.data(CODE_ID_ROLE) == "W1" and w1.data(IS_RATING_ROLE) is False
    assert rrs.code("W1").definition in w1.data(Qt.ItemDataRole.ToolTipRole)
    assert rrs.code("W1").examples[0] in w1.data(Qt.ItemDataRole.ToolTipRole)
    assert w1.data(Qt.ItemDataRole.DecorationRole) == QColor(rrs.code("W1").colour)
    assert w1.siblingAtColumn(1).data() == "1"
    assert model.index(0, 1, model.index(1, 0)).data() == "Q"  # C1

    ratings = model.index(3, 0)
    segment_ratings = rrs.ratings_for(Scope.SEGMENT)
    assert rows(model, ratings) == [f"{r.id}  {r.label}" for r in segment_ratings]
    first = model.index(0, 0, ratings)
    assert first.data(IS_RATING_ROLE) is True and first.data(CODE_ID_ROLE) == "W_SIG"
    assert first.siblingAtColumn(1).data() == ""
    assert first.data(Qt.ItemDataRole.DecorationRole) is None

    model.set_scheme(None)  # the tester stays attached and checks the reset
    assert model.rowCount() == 0


def test_model_shows_stage_pathways(qtmodeltester: ModelTester, project: ProjectDatabase) -> None:
    stages = load_project_scheme(project, "safran-muran-stages")
    model = CodebookModel()
    model.set_scheme(stages)
    qtmodeltester.check(model)
    assert rows(model, QModelIndex()) == [g.label for g in stages.groups] + [
        p.label for p in stages.pathways
    ]  # no segment ratings, so no "Ratings" group
    pathway = model.index(len(stages.groups), 0)
    ws1 = model.index(0, 0, pathway)
    assert ws1.data(CODE_ID_ROLE) == "WS1" and ws1.siblingAtColumn(1).data() == "1"
    assert model.rowCount(pathway) == 5


def test_filter_keeps_groups_of_matches(
    qtbot: QtBot, qtmodeltester: ModelTester, panel: CodebookPanel
) -> None:
    qtmodeltester.check(panel.proxy)
    qtbot.keyClicks(panel.filter_edit, "DeNiAl")
    groups = rows(panel.proxy, QModelIndex())
    assert groups == ["Withdrawal markers (patient moves away)"]
    assert rows(panel.proxy, panel.proxy.index(0, 0)) == ["W1  Denial"]
    assert panel.view.isExpanded(panel.proxy.index(0, 0))

    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "closes the subject")  # definition text only
    assert find(panel, "W1").data() == "W1  Denial"

    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "zzz")
    assert panel.proxy.rowCount() == 0

    panel.filter_edit.clear()
    assert panel.proxy.rowCount() == 4


def test_click_code_row_emits_code_and_shows_definition(
    qtbot: QtBot, panel: CodebookPanel, rrs: Scheme
) -> None:
    with qtbot.waitSignal(panel.codeActivated) as blocker:
        click(qtbot, panel, find(panel, "W1"))
    assert blocker.args == ["W1"]
    text = panel.details.toPlainText()
    assert rrs.code("W1").definition in text
    assert "Examples" in text and rrs.code("W1").examples[1] in text
    assert "Hotkey: 1" in text
    assert "<li" in panel.details.toHtml()  # examples are a bullet list


def test_group_rows_do_not_emit(qtbot: QtBot, panel: CodebookPanel) -> None:
    with (
        qtbot.assertNotEmitted(panel.codeActivated),
        qtbot.assertNotEmitted(panel.ratingActivated),
    ):
        click(qtbot, panel, panel.proxy.index(1, 0))
        panel.view.setFocus()
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)


def test_enter_emits_current_code(qtbot: QtBot, panel: CodebookPanel) -> None:
    panel.view.setFocus()
    panel.view.setCurrentIndex(find(panel, "C2"))
    assert "Hotkey: W" in panel.details.toPlainText()
    with qtbot.waitSignal(panel.codeActivated) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == ["C2"]


def test_double_click_applies_once(qtbot: QtBot, panel: CodebookPanel) -> None:
    got: list[str] = []
    panel.codeActivated.connect(got.append)
    index = find(panel, "R3")
    panel.view.scrollTo(index)
    pos, left = panel.view.visualRect(index).center(), Qt.MouseButton.LeftButton
    viewport = panel.view.viewport()
    # What a real double-click delivers: press, release, press, double-click, release.
    qtbot.mouseClick(viewport, left, pos=pos)
    qtbot.mousePress(viewport, left, pos=pos)
    qtbot.mouseDClick(viewport, left, pos=pos)
    qtbot.mouseRelease(viewport, left, pos=pos)
    assert got == ["R3"]


def test_rating_rows_emit_rating_activated(qtbot: QtBot, panel: CodebookPanel) -> None:
    with (
        qtbot.assertNotEmitted(panel.codeActivated),
        qtbot.waitSignal(panel.ratingActivated) as blocker,
    ):
        click(qtbot, panel, find(panel, "C_SIG"))
    assert blocker.args == ["C_SIG"]
    assert "Scale 1–5" in panel.details.toPlainText()


def test_typing_in_filter_does_not_fire_code_hotkeys(qtbot: QtBot, rrs: Scheme) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    panel = CodebookPanel()
    panel.set_scheme(rrs)
    elsewhere = QPushButton("elsewhere")
    layout = QVBoxLayout(window)
    layout.addWidget(panel)
    layout.addWidget(elsewhere)
    fired: list[bool] = []
    QShortcut(QKeySequence("W"), window).activated.connect(lambda: fired.append(True))
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()  # window shortcuts need an active window
    qtbot.waitUntil(window.isActiveWindow)

    elsewhere.setFocus()
    qtbot.keyClick(elsewhere, Qt.Key.Key_W)
    assert fired == [True]  # the shortcut is live outside the filter box

    panel.focus_filter()
    assert panel.filter_edit.hasFocus()
    qtbot.keyClicks(panel.filter_edit, "W")
    assert panel.filter_edit.text() == "W"
    assert fired == [True]


def wrapped_height(view: QAbstractItemView, index: QModelIndex, reserved: int) -> int:
    """The height ``index``'s text needs, wrapped to its cell (less ``reserved`` pixels
    for the colour swatch and margins)."""
    width = view.visualRect(index).width() - reserved
    flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
    return view.fontMetrics().boundingRect(QRect(0, 0, width, 10_000), flags, index.data()).height()


def test_long_names_wrap_in_a_narrow_panel_never_cut_to_the_same_prefix(
    qtbot: QtBot, panel: CodebookPanel
) -> None:
    """C1, C3, C4 and C5 all begin "Complaints/concerns about …": cut at the panel's
    edge they would look the same, so every row is tall enough for its whole name."""
    panel.resize(240, 700)
    line = panel.view.fontMetrics().height()
    for item_id in ("C1", "C3", "C4", "C5", "W1"):
        index = find(panel, item_id)
        qtbot.waitUntil(
            lambda i=index: panel.view.visualRect(i).height() >= wrapped_height(panel.view, i, 36)
        )
    assert panel.view.visualRect(find(panel, "C4")).height() >= 2 * line
    assert panel.view.visualRect(find(panel, "W1")).height() < 2 * line  # short: one line
    hover = find(panel, "C4").data(Qt.ItemDataRole.ToolTipRole)
    assert hover.startswith("C4 — Complaints/concerns about the parameters of therapy\n")
