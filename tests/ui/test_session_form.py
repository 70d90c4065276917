from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app.schemes import load_project_scheme
from coder.domain.scheme import Scheme, Scope
from coder.store.database import ProjectDatabase
from coder.ui.session_form import (
    MAX_SHOWN_CHARS,
    NA_TEXT,
    NOT_RATED,
    NOT_RATED_TEXT,
    SessionRatingsForm,
)


@pytest.fixture
def form(qtbot: QtBot, rrs: Scheme) -> SessionRatingsForm:
    widget = SessionRatingsForm()
    qtbot.addWidget(widget)
    widget.set_scheme(rrs)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def items(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_rows_match_session_ratings(
    qtmodeltester: ModelTester, form: SessionRatingsForm, rrs: Scheme
) -> None:
    session_ratings = rrs.ratings_for(Scope.SESSION)
    assert form.rating_ids() == tuple(r.id for r in session_ratings)
    assert form.rating_ids() == ("G_W", "G_C", "G_TCONTRIB", "G_RESOLVED")
    layout = form.layout()
    assert isinstance(layout, QFormLayout) and layout.rowCount() == 4
    for row, rating in enumerate(session_ratings):
        label = layout.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        assert isinstance(label, QLabel) and label.text() == rating.label
        assert rating.definition in label.toolTip()
        assert "3 — To a moderate degree" in label.toolTip()
        assert layout.itemAt(row, QFormLayout.ItemRole.FieldRole).widget() is form.combo(rating.id)
    for rating_id in form.rating_ids():
        qtmodeltester.check(form.combo(rating_id).model())
    assert form.values() == dict.fromkeys(form.rating_ids(), NOT_RATED)


def test_na_offered_only_where_allowed(form: SessionRatingsForm) -> None:
    assert items(form.combo("G_W")) == [
        NOT_RATED_TEXT,
        "1 — Not at all, or hardly",
        "2",
        "3 — To a moderate degree",
        "4",
        "5 — To a great degree",
    ]
    assert items(form.combo("G_RESOLVED"))[-1] == NA_TEXT
    for rating_id in ("G_W", "G_C", "G_TCONTRIB"):
        assert NA_TEXT not in items(form.combo(rating_id))


def test_set_values_updates_without_emitting(qtbot: QtBot, form: SessionRatingsForm) -> None:
    with qtbot.assertNotEmitted(form.ratingEdited):
        form.set_values({"G_W": 3, "G_RESOLVED": None, "W_SIG": 2})  # W_SIG: not a session rating
    assert form.combo("G_W").currentText() == "3 — To a moderate degree"
    assert form.combo("G_RESOLVED").currentText() == NA_TEXT
    assert form.combo("G_C").currentText() == NOT_RATED_TEXT  # absent = not rated
    assert form.value("G_W") == 3 and form.value("G_RESOLVED") is None
    assert form.value("G_C") is NOT_RATED

    with qtbot.assertNotEmitted(form.ratingEdited):
        form.set_values({"G_W": NOT_RATED, "G_C": 9})
    assert form.combo("G_W").currentText() == NOT_RATED_TEXT
    assert form.combo("G_RESOLVED").currentText() == NOT_RATED_TEXT
    assert form.combo("G_C").currentText() == "9 (not on this scale)"  # shown, not hidden


def test_user_edits_emit_id_and_value(qtbot: QtBot, form: SessionRatingsForm) -> None:
    form.set_values({"G_C": 2})
    combo = form.combo("G_C")
    combo.setFocus()
    with qtbot.waitSignal(form.ratingEdited) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert blocker.args == ["G_C", 3]
    assert form.value("G_C") == 3

    with qtbot.waitSignal(form.ratingEdited) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_Home)
    assert blocker.args == ["G_C", NOT_RATED]

    resolved = form.combo("G_RESOLVED")
    resolved.setFocus()
    with qtbot.waitSignal(form.ratingEdited) as blocker:
        qtbot.keyClick(resolved, Qt.Key.Key_End)
    assert blocker.args == ["G_RESOLVED", None]  # N/A

    with qtbot.assertNotEmitted(form.ratingEdited):
        resolved.activated.emit(resolved.currentIndex())  # re-picking the shown item


def test_read_only_blocks_edits(qtbot: QtBot, form: SessionRatingsForm, rrs: Scheme) -> None:
    form.setReadOnly(True)
    assert form.isReadOnly()
    assert not any(form.combo(r).isEnabled() for r in form.rating_ids())
    with qtbot.assertNotEmitted(form.ratingEdited):
        qtbot.keyClick(form.combo("G_W"), Qt.Key.Key_Down)
    assert form.value("G_W") is NOT_RATED
    form.set_scheme(rrs)  # rebuilt rows stay read-only
    assert not form.combo("G_W").isEnabled()
    form.setReadOnly(False)
    assert form.combo("G_W").isEnabled()


def test_scheme_without_session_ratings(form: SessionRatingsForm, project: ProjectDatabase) -> None:
    form.set_scheme(load_project_scheme(project, "safran-muran-stages"))
    assert form.rating_ids() == ()
    assert form.values() == {}
    assert [w.text() for w in form.findChildren(QLabel)] == ["This scheme has no session ratings."]
    assert not form.findChildren(QComboBox)  # old rows are gone, not just hidden


def test_a_narrow_panel_shows_each_picked_anchor_whole(
    qtbot: QtBot, form: SessionRatingsForm
) -> None:
    """The panel beside the grid is ~360 px wide: the combo goes under its label rather
    than cutting "3 — To a moderate degree" to "3 — To a moderate deg"."""
    form.resize(360, 400)
    form.show()
    qtbot.waitExposed(form)
    for rating_id in form.rating_ids():
        combo = form.combo(rating_id)
        for row in range(combo.count()):
            text = combo.itemText(row)
            if len(text) > MAX_SHOWN_CHARS:
                continue  # shown whole in the popup and the tooltip only
            combo.setCurrentIndex(row)
            shown = combo.fontMetrics().horizontalAdvance(text)
            assert shown < combo.width() - 20, f"{rating_id}: {text!r} is cut"
