"""The Episodes tab under the Safran & Muran stages scheme, driven as a rater would: the
New episode buttons, the stage keys, End/Delete on the selected episode, the resolution
rating, and Ctrl+Z / Ctrl+Y over all of it."""

from __future__ import annotations

from collections.abc import Callable

from driving import press, redo, undo
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from coder.app import episodes as episode_service
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
STAGES = "safran-muran-stages"
WITHDRAWAL = "Withdrawal pathway (towards self-assertion)"
Tree = list[tuple[str, str, str, list[tuple[str, str, str]]]]


def on_stages(make_window: Make, db: ProjectDatabase, coder: ActingRater) -> MainWindow:
    """A window on P01 session 1, the stages scheme chosen in the toolbar's combo."""
    window = make_window(db, coder)
    window.open_session("P01", 1)
    combo = window.scheme_combo
    position = combo.findData(STAGES)
    assert position >= 0
    combo.setCurrentIndex(position)
    combo.activated.emit(position)
    assert window.ws is not None and window.ws.scheme.id == STAGES
    assert window.tabs.currentWidget() is window.episodes  # the stages scheme's page
    return window


def tree(window: MainWindow) -> Tree:
    """The Episodes tab as the rater reads it: each episode and its stages."""
    model = window.episodes.model

    def row(parent: QModelIndex, r: int) -> tuple[str, str, str]:
        return tuple(model.index(r, c, parent).data() for c in range(3))  # type: ignore[return-value]

    shown: Tree = []
    for r in range(model.rowCount()):
        head = model.index(r, 0)
        children = [row(head, c) for c in range(model.rowCount(head))]
        shown.append((*row(QModelIndex(), r), children))
    return shown


def button(window: MainWindow, text: str) -> QPushButton:
    found = [b for b in window.episodes.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, [b.text() for b in window.episodes.findChildren(QPushButton)]
    return found[0]


def at_turn(window: MainWindow, turn: int) -> None:
    window.transcript.show_turn(turn)
    window.transcript.setFocus()


def select_episode(window: MainWindow, qtbot: QtBot, row: int) -> None:
    view = window.episodes.view
    index = window.episodes.model.index(row, 0)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    assert view.currentIndex().row() == row


def stored_episodes(
    db: ProjectDatabase, coder: ActingRater
) -> list[tuple[int, str, int, int | None]]:
    cs = CodingSession(db, coder, "P01", 1, STAGES)
    return [
        (e.index, e.pathway_id, e.start_turn, e.end_turn)
        for e in episode_service.list_episodes(cs)
        if e.rater == coder.name
    ]


def test_the_tab_offers_one_button_per_pathway_and_the_resolution_scale(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = on_stages(make_window, coded_db, ada)
    assert button(window, "New withdrawal episode").toolTip().startswith("Start a Withdrawal")
    button(window, "New confrontation episode")
    combo = window.episodes.resolution
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items[0] == "—" and len(items) == 4 and items[1].startswith("0")
    assert tree(window) == []


def test_new_episode_starts_at_the_current_turn_and_undo_removes_it(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = on_stages(make_window, coded_db, ada)
    at_turn(window, 2)
    qtbot.mouseClick(button(window, "New withdrawal episode"), Qt.MouseButton.LeftButton)
    assert tree(window) == [(f"Episode 1 — {WITHDRAWAL}", "2–…", "", [])]
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, None)]
    at_turn(window, 3)
    undo(window, qtbot)
    assert tree(window) == [] and stored_episodes(coded_db, ada) == []
    assert window.statusBar().currentMessage() == "Removed episode 1"
    redo(window, qtbot)
    assert tree(window) == [(f"Episode 1 — {WITHDRAWAL}", "2–…", "", [])]
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, None)]


def test_stage_keys_build_the_episode_and_flag_a_step_backwards(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = on_stages(make_window, coded_db, ada)
    at_turn(window, 2)
    press(window, qtbot, "1")  # withdrawal marker: no episode yet, so one is started
    assert tree(window) == [
        (f"Episode 1 — {WITHDRAWAL}", "2–…", "highest: 1. Withdrawal marker", [
            ("1. Withdrawal marker", "2", ""),
        ])
    ]  # fmt: skip
    at_turn(window, 4)
    press(window, qtbot, "3")  # qualified assertion
    at_turn(window, 5)
    press(window, qtbot, "2")  # disembedding after qualified assertion: a step back
    [(_, _, note, stages)] = tree(window)
    assert stages == [
        ("1. Withdrawal marker", "2", ""),
        ("3. Qualified assertion", "4", ""),
        ("2. Disembedding/attending", "5", "⚑ out of order"),
    ]
    assert note == "highest: 3. Qualified assertion; 1 out of order"
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, None)]

    undo(window, qtbot)  # only the last stage goes, and its flag with it
    [(_, _, note, stages)] = tree(window)
    assert [s[0] for s in stages] == ["1. Withdrawal marker", "3. Qualified assertion"]
    assert note == "highest: 3. Qualified assertion"
    undo(window, qtbot)
    undo(window, qtbot)  # the first key's stage and the episode it started: one step
    assert tree(window) == [] and stored_episodes(coded_db, ada) == []
    assert not window.ws.stack.canUndo()  # type: ignore[union-attr]


def test_a_stage_key_after_the_end_starts_a_new_episode(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = on_stages(make_window, coded_db, ada)
    at_turn(window, 1)
    press(window, qtbot, "q")  # confrontation marker
    select_episode(window, qtbot, 0)
    at_turn(window, 3)
    qtbot.mouseClick(window.episodes.end_button, Qt.MouseButton.LeftButton)
    window.episodes.view.setCurrentIndex(QModelIndex())  # nothing selected any more
    at_turn(window, 5)
    press(window, qtbot, "q")
    assert stored_episodes(coded_db, ada) == [
        (1, "confrontation", 1, 3),
        (2, "confrontation", 5, None),
    ]


def test_end_rate_and_delete_the_selected_episode_then_undo_brings_it_all_back(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = on_stages(make_window, coded_db, ada)
    at_turn(window, 2)
    qtbot.mouseClick(button(window, "New withdrawal episode"), Qt.MouseButton.LeftButton)
    panel = window.episodes

    at_turn(window, 5)
    qtbot.mouseClick(panel.end_button, Qt.MouseButton.LeftButton)  # nothing selected
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, None)]

    select_episode(window, qtbot, 0)
    qtbot.mouseClick(panel.end_button, Qt.MouseButton.LeftButton)
    assert tree(window)[0][1] == "2–5"
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, 5)]

    select_episode(window, qtbot, 0)
    panel.resolution.setFocus()
    qtbot.keyClick(panel.resolution, Qt.Key.Key_Down)  # "—" → 0, saved at once
    qtbot.keyClick(panel.resolution, Qt.Key.Key_Down)  # → 1, the same episode still
    anchor = panel.resolution.currentText().split(" ", 1)[1]
    assert tree(window)[0][2] == f"resolution: {anchor}"
    own = CodingSession(coded_db, ada, "P01", 1, STAGES).own_codes()
    assert [(c.code_id, c.value) for c in own] == [("EP_RESOLVED", 1)]

    select_episode(window, qtbot, 0)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert tree(window) == [] and stored_episodes(coded_db, ada) == []
    assert CodingSession(coded_db, ada, "P01", 1, STAGES).own_codes() == []
    window.transcript.setFocus()
    undo(window, qtbot)
    assert tree(window) == [(f"Episode 1 — {WITHDRAWAL}", "2–5", f"resolution: {anchor}", [])]
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, 5)]
    undo(window, qtbot)  # the rating: merged into one step by SetRating
    undo(window, qtbot)  # the end
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, None)]
    assert tree(window)[0][2] == ""


def test_episode_codes_need_an_episode(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = on_stages(make_window, coded_db, ada)
    at_turn(window, 3)
    press(window, qtbot, "m")  # therapist metacommunicates: coded per episode
    assert "start an episode first" in window.statusBar().currentMessage()
    qtbot.mouseClick(button(window, "New confrontation episode"), Qt.MouseButton.LeftButton)
    window.transcript.setFocus()
    press(window, qtbot, "m")
    own = CodingSession(coded_db, ada, "P01", 1, STAGES).own_codes()
    assert [(c.code_id, c.unit.value, c.unit_index) for c in own] == [("EP_TX_META", "episode", 1)]
    assert window.statusBar().currentMessage() == "EP_TX_META marked in episode 1"
    undo(window, qtbot)
    assert CodingSession(coded_db, ada, "P01", 1, STAGES).own_codes() == []
    redo(window, qtbot)
    assert [c.code_id for c in CodingSession(coded_db, ada, "P01", 1, STAGES).own_codes()] == [
        "EP_TX_META"
    ]


def test_a_lead_sees_others_episodes_by_name_and_cannot_change_them(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
) -> None:
    ada_window = on_stages(make_window, coded_db, ada)
    at_turn(ada_window, 2)
    qtbot.mouseClick(button(ada_window, "New withdrawal episode"), Qt.MouseButton.LeftButton)
    ada_window.close()
    window = on_stages(make_window, coded_db, lead)
    assert [row[0] for row in tree(window)] == [f"Episode 1 — {WITHDRAWAL} (Ada)"]
    select_episode(window, qtbot, 0)
    assert window.episodes.selected_episode() is None  # not the lead's own
    qtbot.mouseClick(window.episodes.delete_button, Qt.MouseButton.LeftButton)
    assert stored_episodes(coded_db, ada) == [(1, "withdrawal", 2, None)]


def test_back_on_a_scheme_without_pathways_the_episode_buttons_go(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make
) -> None:
    window = on_stages(make_window, coded_db, ada)
    combo = window.scheme_combo
    position = combo.findData("3rs-2015")
    combo.setCurrentIndex(position)
    combo.activated.emit(position)
    assert window.ws is not None and window.ws.scheme.id == "3rs-2015"
    assert [b.text() for b in window.episodes.findChildren(QPushButton)] == [
        "End at current turn",
        "Delete episode",
    ]
    assert window.episodes.resolution.count() == 0
    assert window.tabs.currentIndex() == 0  # the segments grid
