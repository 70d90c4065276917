"""Main window: composition and wiring only; data comes from coder.app services via the
workspace, edits go through the coding controller as undo commands."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QDockWidget,
    QWidget,
)

from coder.app import browse, desktop_status, positions, raters, schemes
from coder.app.identity import ActingRater
from coder.app.progress import assignment_summary, coding_progress
from coder.app.rounds import assignments_for
from coder.domain.coding import Unit
from coder.domain.errors import CoderError
from coder.domain.scheme import normalise_hotkey
from coder.store.database import ProjectDatabase, describe
from coder.ui import (
    help_menu,
    hotkey_clashes,
    keyboard,
    live_refresh,
    projects_menu,
    screening_menu,
    suggestions_panel,
    undo,
    window_layout,
    window_widgets,
)
from coder.ui.coding_controller import CodingController
from coder.ui.find_bar import FindController
from coder.ui.grid_view import CLEAR
from coder.ui.host import WindowHost
from coder.ui.models.sessions_model import SESSION_KEY_ROLE
from coder.ui.models.turns_model import evidence_marks
from coder.ui.prompter import Prompter
from coder.ui.session_form import NOT_RATED
from coder.ui.window_menus import build_menus, update_for_identity
from coder.ui.workspace import Workspace


class MainWindow(WindowHost):
    """The coding window: one project, one signed-in identity, one open session. Made
    with ``coder``, it is that identity from the start (its session list built once)."""

    def __init__(
        self,
        db: ProjectDatabase,
        coder: ActingRater | None = None,
        prompter: Prompter | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        baseline = live_refresh.Baseline(db)  # read meanwhile, before the views read
        self.db = db
        self.coder = None
        self.prompter = prompter or Prompter(self)
        self.undo_group = QUndoGroup(self)
        self.workspaces = {}
        self.ws = None
        self.current_segment = None
        self.scheme_key = next((s.key for s in schemes.project_schemes(db) if s.is_default), None)
        self.hotkey_actions = []
        self.child_windows = []  # reliability and patient windows kept alive
        self.help_windows = []
        self.resize(1440, 900)
        window_widgets.build_widgets(self)
        self.controller = CodingController(
            lambda: self.current_segment,
            self.transcript.current_turn,
            self.transcript.selected_span,
            self.episodes.selected_episode,
            self,
        )
        self.controller.message.connect(self.show_message)
        self._wire()
        self.suggestions = suggestions_panel.install(self)
        build_menus(self)
        screening_menu.install(self)
        self.rater_filter_action.setVisible(False)
        self._position_timer = QTimer(self, singleShot=True, interval=1500)
        self._position_timer.timeout.connect(self.save_position)
        self.show_scheme(self.scheme_key, refresh=False)  # the list is filled once, below
        projects_menu.install(self)
        keyboard.install(self)
        help_menu.install(self)
        self.finder = FindController(self)
        window_layout.install(self)
        self.live_refresh = live_refresh.install(self, baseline)
        if coder is not None:
            self.set_coder(coder)
        else:
            self.refresh_sessions()
            self.refresh_status()

    # ---- wiring ------------------------------------------------------------------------
    def _wire(self) -> None:
        """What the panels do (they are made in coder.ui.window_widgets)."""
        self.sessions_view.activated.connect(self._session_activated)
        self.sessions_view.clicked.connect(self._session_activated)
        self.transcript.currentTurnChanged.connect(self._turn_changed)
        self.grid.segmentChosen.connect(self._segment_chosen)
        self.grid.grid.editRequested.connect(self._grid_edit)
        self.session_form.ratingEdited.connect(self._session_rating)
        self.episodes.startRequested.connect(lambda p: self.controller.start_episode(p))
        self.episodes.endRequested.connect(self._end_episode)
        self.episodes.deleteRequested.connect(
            lambda i: self.ws and self.controller.run(undo.DeleteEpisode(self.ws, i))
        )
        self.episodes.ratingRequested.connect(
            lambda ep, rid, v: self.controller.rate(rid, Unit.EPISODE, ep, v)
        )
        self.codebook.codeActivated.connect(lambda cid: self.controller.activate(cid))
        self.codebook.ratingActivated.connect(self._focus_rating_column)
        self.scheme_combo.activated.connect(
            lambda i: self.show_scheme(self.scheme_combo.itemData(i))
        )
        self.rater_filter.activated.connect(self._rater_filter_changed)
        self.search_box.returnPressed.connect(lambda: self.find_next(backwards=False))

    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        return window_widgets.dock(self, title, widget, area)

    # ---- identity and sessions ----------------------------------------------------------
    def set_coder(self, coder: ActingRater) -> None:
        """Become ``coder``: one identity per window tree.

        Everything opened under the previous identity goes: its workspaces and undo
        stacks (an undo must never act as someone else), and its child windows (a
        patient view or reliability window keeps the rights of whoever opened it).
        Only then is the new identity's position reopened.
        """
        self.close_identity()
        self.coder = coder
        role = "lead" if coder.is_lead else "rater"
        update_for_identity(self)
        self.identity_label.setText(f"Coding as {coder.name} ({coder.initials}, {role})")
        self.rater_filter_action.setVisible(coder.is_lead)
        self.rater_filter.clear()
        if coder.is_lead:
            self.rater_filter.addItem("All raters", None)
            for rater_id, name in raters.rater_choices(self.db):
                self.rater_filter.addItem(f"Only {name}", [rater_id])
        last = positions.last_position(self.db, coder)
        if last is not None and last.scheme_key and last.scheme_key != self.scheme_key:
            self.show_scheme(last.scheme_key, reopen=False, refresh=False)
        self.refresh_sessions()  # once, under the scheme the rater was last in
        if last is not None:
            self.open_session(last.patient, last.session, turn=last.turn)
        self.refresh_status()

    def close_identity(self) -> None:
        """Forget every session, undo stack and child window of the current identity."""
        for window in self.child_windows:
            window.close()
            window.deleteLater()
        self.child_windows.clear()
        self.controller.set_workspace(None)
        self.ws = None
        for ws in self.workspaces.values():
            self.undo_group.removeStack(ws.stack)
            ws.stack.clear()
            ws.deleteLater()
        self.workspaces.clear()
        self.current_segment = None
        self.transcript.turns.set_transcript(None)
        self.grid.grid.set_workspace(None)
        self.episodes.set_workspace(None)
        self.suggestions.set_workspace(None)
        self.applied.applied.show(None, None)
        self.session_form.set_values({})
        self.coder = None
        self.identity_label.setText("Nobody signed in")
        self.setWindowTitle(projects_menu.window_title(self))
        self.refresh_status()

    def refresh_suggestions(self) -> None:
        self.suggestions.refresh()

    def refresh_status(self) -> None:
        """The permanent status-bar indicator: the round and whether one is blinded
        (decided by coder.app.access); on identity, round and blinding changes."""
        try:
            status = desktop_status.window_status(self.db, self.coder)
        except CoderError as exc:
            self.round_label.setText("")
            self.round_label.setToolTip(str(exc))
            return
        self.round_label.setText(status.text())
        self.round_label.setToolTip(
            f"Blinding setting: {status.policy.value.replace('_', ' ')} (Rounds ▸ Blinding…)"
        )

    def refresh_now(self) -> None:
        self.live_refresh.refresh_now()

    def reload_views(self) -> None:
        """Re-read everything shown from the database (after a round change, or a change
        made elsewhere: see coder.ui.live_refresh), keeping the user's place."""
        turn = self.transcript.current_turn() if self.ws is not None else None
        segment = self.current_segment
        for ws in self.workspaces.values():
            ws.reload()
        self.refresh_sessions()
        self.refresh_status()
        if self.ws is not None:
            self.applied.applied.show(self.ws, segment)
            if turn is not None and self.transcript.current_turn() != turn:
                self.transcript.show_turn(turn)
            self._update_progress(self.ws)
        for child in self.child_windows:
            refresh = getattr(child, "refresh", None)
            if child.isVisible() and callable(refresh):
                refresh()

    def refresh_sessions(self) -> None:
        progress = coding_progress(self.db, self.coder, self.scheme_key) if self.coder else {}
        current = self.sessions_view.currentIndex().siblingAtColumn(0).data(SESSION_KEY_ROLE)
        rebuilt = self.sessions_model.set_sessions(browse.session_summaries(self.db), progress)
        if rebuilt:  # otherwise the rows, their selection and expansion are as they were
            self.sessions_view.expandAll()
            if current is not None and (found := self.sessions_model.index_of(*current)).isValid():
                self.sessions_view.setCurrentIndex(found)
        for column in range(self.sessions_model.columnCount()):
            self.sessions_view.resizeColumnToContents(column)
        if self.coder is not None:
            self.assignments_label.setText(
                assignment_summary(assignments_for(self.db, self.coder), progress)
            )

    def open_session(self, patient: str, number: int, *, turn: int | None = None) -> None:
        """Show a session; its workspace (and undo stack) is kept while the window lives."""
        if self.coder is None:
            self.show_message("Choose who you are first (File ▸ Switch rater)")
            return
        key = (patient, number, self.scheme_key or "")
        try:
            ws = self.workspaces.get(key) or Workspace(
                self.db, self.coder, patient, number, self.scheme_key, self
            )
        except CoderError as exc:
            self.show_message(str(exc))
            return
        if key not in self.workspaces:
            self.workspaces[key] = ws
            self.undo_group.addStack(ws.stack)
            ws.changed.connect(self.redraw_workspace)
            ws.saved.connect(self._saved)
            ws.saved.connect(self.live_refresh.note_own_change)
            ws.failed.connect(self.show_message)
        self.ws = ws
        self.undo_group.setActiveStack(ws.stack)
        self.controller.set_workspace(ws)
        self.transcript.turns.set_transcript(ws.cs.transcript)
        self.grid.grid.set_workspace(ws)
        self.episodes.set_workspace(ws)
        self.suggestions.set_workspace(ws)
        self.session_form.set_scheme(ws.scheme)
        self.redraw_workspace()
        self.setWindowTitle(
            projects_menu.window_title(self, f"{patient} session {number} ({ws.scheme.label})")
        )
        self.transcript.show_turn(turn or 1)
        self.transcript.setFocus()
        self.save_position()

    def _session_activated(self, index: QModelIndex) -> None:
        key = index.siblingAtColumn(0).data(SESSION_KEY_ROLE)
        if key is not None:
            self.open_session(*key)

    def show_scheme(self, key: str | None, *, reopen: bool = True, refresh: bool = True) -> None:
        """Code with scheme ``key``; ``refresh``: the session list's progress follows."""
        self.scheme_key = key
        position = self.scheme_combo.findData(key)
        if position >= 0:
            self.scheme_combo.setCurrentIndex(position)
        scheme = schemes.load_project_scheme(self.db, key)
        self.codebook.set_scheme(scheme)
        self._install_hotkeys(scheme)
        self.tabs.setCurrentIndex(1 if scheme.pathways else 0)
        if refresh:
            self.refresh_sessions()
        if reopen and self.ws is not None:
            self.open_session(
                self.ws.cs.patient, self.ws.cs.number, turn=self.transcript.current_turn()
            )

    def _install_hotkeys(self, scheme: Any) -> None:
        for action in self.hotkey_actions:
            self.removeAction(action)
            action.setParent(None)  # gone, not a hidden child still holding its key
        self.hotkey_actions = []
        for key, item_id in scheme.hotkeys().items():
            action = QAction(item_id, self)
            action.setShortcut(QKeySequence(normalise_hotkey(key)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, i=item_id: self.controller.activate(i))
            self.addAction(action)
            self.hotkey_actions.append(action)
        hotkey_clashes.check_soon(self)  # the app's own keys win (F8: next suggestion)

    # ---- reacting to the workspace ------------------------------------------------------
    def redraw_workspace(self) -> None:
        ws = self.ws
        if ws is None:
            return
        highlights, tooltips = evidence_marks(ws.codes, ws.scheme)
        for turn, marks in self.suggestions.marks().items():  # faint, under the codes
            highlights[turn] = marks + highlights.get(turn, [])
        starts = {seg.first_turn: seg for seg in reversed(ws.segments)}
        self.transcript.turns.set_decorations(highlights, tooltips, starts)
        values: dict[str, Any] = {}
        for rating_id in self.session_form.rating_ids():
            rated = ws.session_rating(rating_id)
            values[rating_id] = NOT_RATED if rated is None else rated.value
        self.session_form.set_values(values)
        self.episodes.refresh()
        self.applied.applied.show(ws, self.current_segment)

    def _saved(self, what: str) -> None:
        from datetime import datetime

        self.saved_label.setText(f"✓ Saved {datetime.now():%H:%M:%S}")
        self.show_message(what)
        if self.ws is not None:
            self._update_progress(self.ws)

    def _update_progress(self, ws: Workspace) -> None:
        done = sum(ws.segment_done(s.index) for s in ws.segments)
        self.sessions_model.set_progress(ws.cs.patient, ws.cs.number, done, len(ws.segments))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # ---- navigation ---------------------------------------------------------------------
    def _turn_changed(self, turn: int) -> None:
        if self.ws is None or not self.ws.segments:
            return
        try:
            segment = self.ws.cs.segment_for_turn(turn).index
        except CoderError:
            return
        if segment != self.current_segment:
            self.current_segment = segment
            self.grid.select_segment(segment)
            self.applied.applied.show(self.ws, segment)
        self._position_timer.start()

    def _segment_chosen(self, segment: int) -> None:
        if self.ws is None or segment == self.current_segment:
            return
        self.current_segment = segment
        self.applied.applied.show(self.ws, segment)
        self.transcript.show_turn(self.ws.cs.segment(segment).first_turn)

    def go_segment(self, step: int) -> None:
        if self.ws is None or not self.ws.segments:
            return
        indexes = [s.index for s in self.ws.segments]
        here = indexes.index(self.current_segment) if self.current_segment in indexes else 0
        target = indexes[max(0, min(len(indexes) - 1, here + step))]
        self.transcript.show_turn(self.ws.cs.segment(target).first_turn)

    def go_next_uncoded(self) -> None:
        if self.ws is None:
            return
        seg = self.ws.next_uncoded(self.current_segment or 0)
        if seg is None:
            self.show_message("Every segment of this session is done")
            return
        self.transcript.show_turn(seg.first_turn)

    def find_next(self, backwards: bool = False) -> None:
        self.finder.step(backwards)

    def save_position(self) -> None:
        if self.ws is not None and self.coder is not None:
            positions.save_position(
                self.db,
                self.coder,
                self.ws.cs.patient,
                self.ws.cs.number,
                self.scheme_key,
                self.transcript.current_turn(),
            )

    # ---- edits from panels --------------------------------------------------------------
    def _grid_edit(self, kind: str, item_id: str, segment: int, value: object) -> None:
        if kind == "presence":
            self.controller.toggle(item_id, segment)
        else:
            self.controller.rate(
                item_id, Unit.SEGMENT, segment, undo.SetRating.CLEAR if value == CLEAR else value
            )

    def _session_rating(self, rating_id: str, value: object) -> None:
        self.controller.rate(
            rating_id, Unit.SESSION, 1, undo.SetRating.CLEAR if value is NOT_RATED else value
        )

    def _end_episode(self, episode: int) -> None:
        if self.ws is not None:
            self.controller.run(undo.EndEpisode(self.ws, episode, self.transcript.current_turn()))

    def _focus_rating_column(self, rating_id: str) -> None:
        for col, column in enumerate(self.grid.grid.columns):
            if column.id == rating_id:
                row = max(self.grid.currentIndex().row(), 0)
                self.grid.setCurrentIndex(self.grid.grid.index(row, col))
                self.grid.setFocus()

    def _rater_filter_changed(self, position: int) -> None:
        if self.ws is None:
            return
        value = self.rater_filter.itemData(position)
        for ws in self.workspaces.values():
            ws.shown_raters = value
            ws.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Saved now: a pending delayed save must not write to the project after the
        # window is gone (by then the project may be closed, or the server away).
        self._position_timer.stop()
        self.save_position()
        window_layout.save(self)
        for window in self.help_windows:
            window.close()
        super().closeEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab / Shift+Tab move between panels (see coder.ui.keyboard)."""
        return keyboard.focus_next_panel(self, next) or super().focusNextPrevChild(next)

    def describe_project(self) -> str:
        return describe(self.db.url)
