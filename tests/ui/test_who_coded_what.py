"""Who coded what: rater identity, blinding and edit integrity, driven as raters would.

Each scenario signs in through File ▸ Switch rater…, codes with the scheme's hotkeys and
the grid's keys, undoes with Ctrl+Z, and then checks the rows the database holds (never
only what a service returns). They are the specification of "who coded what"; one test
per defect of issue 9, and a randomised run checked step by step against a plain-Python
model of what must be stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from driving import menu_item, press, rating_cell, undo
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coder.app import rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import RoundStatus
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, RaterRow
from coder.ui.main_window import MainWindow

Make = Callable[[ProjectDatabase, ActingRater | None], MainWindow]
Row = tuple[str, int, str, int, int | None]  # rater, session number, code, segment, value


# ---- how a rater drives the window ------------------------------------------------------
def lock_in_rounds_dialog(window: MainWindow, qtbot: QtBot) -> None:
    """Lock the newest round the way a lead does: Rounds ▸ Manage rounds…, Lock…, then
    back to the main window (whose code keys fire only while it is active)."""
    menu_item(window, "Manage rounds").trigger()
    dialog: Any = window.child_windows[-1]
    dialog.lock_button.click()
    dialog.close()
    window.child_windows.remove(dialog)
    window.activateWindow()
    handle = window.windowHandle()
    if handle is not None:
        handle.requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def switch_rater(window: MainWindow, coder: ActingRater, monkeypatch: pytest.MonkeyPatch) -> None:
    """File ▸ Switch rater…, answering the who-are-you dialog with ``coder``."""
    monkeypatch.setattr("coder.ui.identity_dialog.choose_coder", lambda *a, **k: coder)
    menu_item(window, "Switch rater").trigger()


def go_to_segment(window: MainWindow, segment: int) -> None:
    assert window.ws is not None
    window.transcript.show_turn(window.ws.cs.segment(segment).first_turn)
    window.transcript.setFocus()


def rate_by_key(window: MainWindow, qtbot: QtBot, rating_id: str, segment: int, digit: str) -> None:
    rating_cell(window, rating_id, segment)
    press(window, qtbot, digit)


def stored_rows(db: ProjectDatabase) -> list[Row]:
    """Every code application in the project, as the database holds it."""
    from coder.store.models import SessionRow

    with db.reading() as session:
        rows = session.execute(
            select(
                RaterRow.name,
                SessionRow.number,
                CodeApplicationRow.code_id,
                CodeApplicationRow.unit_index,
                CodeApplicationRow.value,
            )
            .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
            .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
        )
        return sorted((name, number, code, unit, value) for name, number, code, unit, value in rows)


def shown_raters(window: MainWindow) -> set[str]:
    assert window.ws is not None
    return {c.rater for c in window.ws.codes}


# ---- defect 1: switching rater ----------------------------------------------------------
def test_switch_rater_codes_as_the_new_rater(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    ben: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 2)
    go_to_segment(window, 1)
    press(window, qtbot, "1")  # W1
    assert stored_rows(coded_db) == [("Ada", 2, "W1", 1, 1)]

    switch_rater(window, ben, monkeypatch)  # Ben has never opened a session
    assert "Coding as Ben" in window.identity_label.text()
    assert window.ws is None and window.controller.ws is None
    press(window, qtbot, "1")  # nothing open: nothing may be stored, under anyone's name
    assert stored_rows(coded_db) == [("Ada", 2, "W1", 1, 1)]
    assert "Open a session first" in window.statusBar().currentMessage()

    window.open_session("P01", 2)
    assert window.ws is not None and window.ws.codes == []  # Ada's W1 is not shown to Ben
    assert window.grid.grid.index(0, 0).data() in (None, "")
    go_to_segment(window, 1)
    press(window, qtbot, "1")
    assert stored_rows(coded_db) == [("Ada", 2, "W1", 1, 1), ("Ben", 2, "W1", 1, 1)]
    assert shown_raters(window) == {"Ben"}


# ---- defect 2: windows opened under another identity ------------------------------------
def test_switching_closes_windows_opened_under_the_old_identity(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coder.ui.patient_view import PatientView
    from coder.ui.reliability_view import ReliabilityView

    window = make_window(coded_db, lead)
    window.open_session("P01", 1)
    menu_item(window, "Patient profile").trigger()
    menu_item(window, "Reliability and consensus").trigger()
    opened = list(window.child_windows)
    assert {type(w) for w in opened} == {PatientView, ReliabilityView}
    rounds.create_round(coded_db, lead, "pilot")
    window.prompter.answers.append(True)  # type: ignore[attr-defined]
    lock_in_rounds_dialog(window, qtbot)
    assert rounds.list_rounds(coded_db)[0].status is RoundStatus.LOCKED

    switch_rater(window, ada, monkeypatch)
    assert window.child_windows == []
    assert not any(w.isVisible() for w in opened)
    assert window.undo_group.stacks() == [] or all(
        s.count() == 0 for s in window.undo_group.stacks()
    )


# ---- defect 3: outside a round, and other raters' ratings -------------------------------
def test_outside_rounds_a_rater_sees_only_own_codes_and_ratings(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    ben: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
) -> None:
    bens = CodingSession(coded_db, ben, "P01", 1)
    bens.apply_code("W2", segment=1)
    bens.set_rating("W_SIG", 1, 4)
    assert rounds.list_rounds(coded_db) == []  # no round at all

    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert window.ws is not None and window.ws.codes == []
    columns = window.grid.grid.columns
    w_sig = next(i for i, c in enumerate(columns) if c.id == "W_SIG")
    assert window.grid.grid.index(0, w_sig).data() is None

    rate_by_key(window, qtbot, "W_SIG", 1, "2")
    assert window.grid.grid.index(0, w_sig).data() == 2
    assert ("Ada", 1, "W_SIG", 1, 2) in stored_rows(coded_db)

    lead_window = make_window(coded_db, lead)
    lead_window.open_session("P01", 1)
    cell = lead_window.grid.grid.index(0, w_sig)
    assert cell.data(Qt.ItemDataRole.EditRole) is None  # the lead has not rated it
    assert cell.data() == "A:2 B:4"  # others' values, labelled with their initials
    assert cell.data(Qt.ItemDataRole.FontRole).italic()
    assert not cell.data(Qt.ItemDataRole.FontRole).bold()


# ---- defect 4: locked means locked, undo included -----------------------------------------
def test_a_locked_round_refuses_new_codes_and_undo(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
) -> None:
    rounds.create_round(coded_db, lead, "pilot")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    go_to_segment(window, 1)
    press(window, qtbot, "1")  # W1
    press(window, qtbot, "2")  # W2
    press(window, qtbot, "2")  # W2 off again
    before = stored_rows(coded_db)
    assert before == [("Ada", 1, "W1", 1, 1)]
    assert window.ws is not None
    index_before = window.ws.stack.index()

    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)  # from the lead's computer
    press(window, qtbot, "3")  # a new code
    assert "round 1 is locked" in window.statusBar().currentMessage()
    rate_by_key(window, qtbot, "W_SIG", 1, "3")  # a rating
    window.transcript.setFocus()
    undo(window, qtbot)  # would put W2 back into the locked round
    assert window.ws.stack.index() == index_before - 1  # Qt stepped back over the refused undo
    # ...and the stack re-synchronises once Qt's undo has returned (a zero-delay timer).
    qtbot.waitUntil(lambda: window.ws is not None and window.ws.stack.index() == index_before)
    assert stored_rows(coded_db) == before
    assert window.ws.stack.index() == index_before  # stack and data still in step
    assert "round 1 is locked" in window.statusBar().currentMessage()

    rounds.set_round_status(coded_db, lead, 1, RoundStatus.OPEN)  # the lead reopens it
    undo(window, qtbot)
    assert stored_rows(coded_db) == [("Ada", 1, "W1", 1, 1), ("Ada", 1, "W2", 1, 1)]


# ---- defect 5: one transaction per edit ---------------------------------------------------
def test_a_failed_rating_change_keeps_the_old_value(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    rate_by_key(window, qtbot, "W_SIG", 1, "3")
    assert stored_rows(coded_db) == [("Ada", 1, "W_SIG", 1, 3)]

    def broken_insert(*args: object, **kwargs: object) -> None:
        raise OSError("disk I/O error")  # after the old value was deleted in the transaction

    monkeypatch.setattr(CodingSession, "_insert", broken_insert)
    rate_by_key(window, qtbot, "W_SIG", 1, "4")
    assert stored_rows(coded_db) == [("Ada", 1, "W_SIG", 1, 3)]
    assert "Not saved" in window.statusBar().currentMessage()
    assert (
        window.grid.grid.index(
            0, next(i for i, c in enumerate(window.grid.grid.columns) if c.id == "W_SIG")
        ).data()
        == 3
    )


# ---- defect 7: undo acts on the code it made ----------------------------------------------
def test_undo_refers_to_the_code_it_made_not_a_reused_row_id(
    coded_db: ProjectDatabase, ada: ActingRater, make_window: Make, qtbot: QtBot
) -> None:
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    go_to_segment(window, 1)
    press(window, qtbot, "1")  # W1 in segment 1
    go_to_segment(window, 3)
    press(window, qtbot, "Q")  # C1 in segment 3
    press(window, qtbot, "Q")  # C1 off
    go_to_segment(window, 1)
    press(window, qtbot, "1")  # W1 off
    assert stored_rows(coded_db) == []
    for _ in range(3):
        undo(window, qtbot)
    # undo W1-off (W1 back), undo C1-off (C1 back), undo C1-on (C1 gone): W1 remains.
    assert stored_rows(coded_db) == [("Ada", 1, "W1", 1, 1)]
    undo(window, qtbot)
    assert stored_rows(coded_db) == []
    assert window.ws is not None and not window.ws.stack.canUndo()
    for _ in range(4):
        press(window, qtbot, "y", Qt.KeyboardModifier.ControlModifier)  # redo
    assert stored_rows(coded_db) == []  # redo all four: on, on, off, off
    assert window.ws.stack.index() == 4


# ---- the randomised scenario ------------------------------------------------------------
class Expected:
    """A plain-Python model of what must be stored and what each undo stack holds.

    ``stored`` maps (rater, session, code, segment) to the value; each open session of
    the signed-in identity has its own stack of (key, before, after) steps, cleared when
    the identity changes. Consecutive rating changes of one cell merge into one step,
    as the window's undo stack merges them.
    """

    def __init__(self) -> None:
        self.stored: dict[tuple[str, int, str, int], int] = {}
        self.stacks: dict[
            int, tuple[list[tuple[tuple[str, int, str, int], int | None, int | None, bool]], int]
        ] = {}
        self.locked = False

    def push(self, key: tuple[str, int, str, int], after: int | None, rating: bool) -> None:
        before = self.stored.get(key)
        self._set(key, after)
        steps, index = self.stacks.get(key[1], ([], 0))
        steps = steps[:index]
        if rating and steps and steps[-1][3] and steps[-1][0] == key:
            steps[-1] = (key, steps[-1][1], after, True)
        else:
            steps.append((key, before, after, rating))
        self.stacks[key[1]] = (steps, len(steps))

    def undo(self, session: int) -> None:
        steps, index = self.stacks.get(session, ([], 0))
        if index == 0 or self.locked:
            return
        key, before, _after, _ = steps[index - 1]
        self._set(key, before)
        self.stacks[session] = (steps, index - 1)

    def redo(self, session: int) -> None:
        steps, index = self.stacks.get(session, ([], 0))
        if index == len(steps) or self.locked:
            return
        key, _before, after, _ = steps[index]
        self._set(key, after)
        self.stacks[session] = (steps, index + 1)

    def _set(self, key: tuple[str, int, str, int], value: int | None) -> None:
        if value is None:
            self.stored.pop(key, None)
        else:
            self.stored[key] = value

    def rows(self) -> list[Row]:
        return sorted((r, s, c, seg, v) for (r, s, c, seg), v in self.stored.items())


def test_random_sequences_keep_who_coded_what_right(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    ben: ActingRater,
    lead: ActingRater,
    make_window: Make,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    from PySide6.QtWidgets import QApplication

    rounds.create_round(coded_db, lead, "calibration")
    for name in ("Ada", "Ben"):
        for number in (1, 2):
            rounds.assign(coded_db, lead, name, "P01", number, 1)
    people = {"Ada": ada, "Ben": ben, "Lee": lead}
    keys = {"1": "W1", "2": "W2", "Q": "C1"}
    rng = random.Random(20261204)
    expected = Expected()
    last_session: dict[str, int] = {}
    me = "Ada"
    window = make_window(coded_db, ada)
    session: int | None = None
    steps = 0

    def settle() -> None:
        QApplication.processEvents()  # let a refused undo/redo re-synchronise the stack
        QApplication.processEvents()

    while steps < 220:
        steps += 1
        move = rng.choice(
            ["switch", "open", "code", "code", "code", "rate", "undo", "undo", "redo", "lock"]
        )
        if move == "switch":
            me = rng.choice([n for n in people if n != me])
            switch_rater(window, people[me], monkeypatch)
            expected.stacks.clear()
            session = last_session.get(me)  # the window reopens where this rater left off
        elif move == "open" or session is None:
            session = rng.choice([1, 2])
            window.open_session("P01", session)
            last_session[me] = session
        elif move == "code":
            segment, key = rng.choice([1, 2, 3]), rng.choice(list(keys))
            go_to_segment(window, segment)
            press(window, qtbot, key)
            if not expected.locked:
                present = (me, session, keys[key], segment) in expected.stored
                expected.push((me, session, keys[key], segment), None if present else 1, False)
        elif move == "rate":
            segment, digit = rng.choice([1, 2, 3]), rng.choice("12345")
            rate_by_key(window, qtbot, "W_SIG", segment, digit)
            if not expected.locked:
                expected.push((me, session, "W_SIG", segment), int(digit), True)
        elif move in ("undo", "redo"):
            window.transcript.setFocus()
            if move == "undo":
                undo(window, qtbot)
                expected.undo(session)
            else:
                press(window, qtbot, "y", Qt.KeyboardModifier.ControlModifier)
                expected.redo(session)
            settle()
        elif move == "lock":
            status = RoundStatus.OPEN if expected.locked else RoundStatus.LOCKED
            if me == "Lee" and status is RoundStatus.LOCKED:
                window.prompter.answers.append(True)  # type: ignore[attr-defined]
                lock_in_rounds_dialog(window, qtbot)
            else:  # the lead, at another computer, while this window stays open
                rounds.set_round_status(coded_db, lead, 1, status)
            expected.locked = not expected.locked

        where = f"step {steps} ({move}, signed in as {me})"
        assert stored_rows(coded_db) == expected.rows(), where
        if window.ws is not None:
            assert window.ws.coder.name == me, where
            visible = shown_raters(window)
            if me == "Lee":
                assert visible == {r for r, s, *_ in expected.rows() if s == session}, where
            else:
                assert visible <= {me}, where
            _, index = expected.stacks.get(session, ([], 0))  # type: ignore[arg-type]
            assert window.ws.stack.index() == index, where


# ---- the blinding setting -----------------------------------------------------------------
def test_the_lead_sets_blinding_and_open_windows_follow(
    coded_db: ProjectDatabase,
    ada: ActingRater,
    ben: ActingRater,
    lead: ActingRater,
    make_window: Make,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coder.app import access
    from coder.domain.coding import BlindingPolicy

    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    window = make_window(coded_db, ada)
    window.open_session("P01", 1)
    assert window.ws is not None and window.ws.codes == []

    assert not menu_item(window, "Blinding").isEnabled()  # a rater may not
    with pytest.raises(access.NotAllowed, match="only a lead"):  # nor behind the menu's back
        access.set_blinding_policy(coded_db, ada, BlindingPolicy.NEVER)
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.ALWAYS

    switch_rater(window, lead, monkeypatch)
    window.prompter.answers.append(2)  # type: ignore[attr-defined]
    menu_item(window, "Blinding").trigger()
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.NEVER
    switch_rater(window, ada, monkeypatch)
    window.open_session("P01", 1)
    assert shown_raters(window) == {"Ben"}
