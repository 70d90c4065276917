"""Turns keys and clicks into undo commands on the active workspace.

Hotkeys follow the scheme: with text selected a code key codes that span (and so marks
the code present in the span's segment); without a selection it toggles the code for
the current segment. Stage keys add a stage to the selected (or latest) episode, and
start one when there is none. Errors the services raise become a status message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from coder.domain.coding import TextSpan, Unit
from coder.domain.errors import CoderError
from coder.domain.scheme import Scope
from coder.domain.sides import side_mismatch
from coder.ui import undo
from coder.ui.error_report import report_exception
from coder.ui.workspace import Workspace


class CodingController(QObject):
    message = Signal(str)  # status-bar text: what was saved, or why not
    # A rating's hotkey: the window moves focus to that rating's cell (the keyboard
    # module), where a digit sets the value; the controller knows no widgets.
    ratingRequested = Signal(str)

    def __init__(
        self,
        current_segment: Callable[[], int | None],
        current_turn: Callable[[], int],
        selected_span: Callable[[], TextSpan | None],
        selected_episode: Callable[[], int | None],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.ws: Workspace | None = None
        self._segment = current_segment
        self._turn = current_turn
        self._span = selected_span
        self._episode = selected_episode

    def set_workspace(self, ws: Workspace | None) -> None:
        self.ws = ws

    def run(self, command: undo._Command) -> bool:
        """Apply ``command``; a refusal or failure is reported and nothing is stacked.
        Unexpected errors are logged too: a database error must reach the user in words
        as surely as a refusal does."""
        ws = self.ws
        assert ws is not None
        return self._attempt(command, lambda: undo.perform(ws.stack, command))

    def _attempt(self, command: undo._Command, action: Callable[[], None]) -> bool:
        assert self.ws is not None
        try:
            action()
        except Exception as exc:
            self.ws.reload()
            self.message.emit(f"Not saved: {exc}")
            if not isinstance(exc, CoderError):
                report_exception(exc, f"saving: {command.text()}")
            return False
        return True

    # ---- hotkeys and code clicks --------------------------------------------------------
    def activate(self, item_id: str) -> bool:
        """A code, rating or stage key was pressed (or a codebook row clicked)."""
        ws = self.ws
        if ws is None:
            self.message.emit("Open a session first")
            return False
        scheme = ws.scheme
        if scheme.is_stage(item_id):
            return self.add_stage(item_id)
        if scheme.is_code(item_id):
            group = next(g for g in scheme.groups if g.id == scheme.code(item_id).group_id)
            if group.scope is Scope.EPISODE:
                return self._episode_code(item_id)
            return self.code(item_id)
        if any(r.id == item_id for r in scheme.ratings):
            self.ratingRequested.emit(item_id)
            return True
        self.message.emit(f"{item_id} is not in this scheme")
        return False

    def code(self, code_id: str) -> bool:
        ws = self.ws
        assert ws is not None
        span = self._span()
        if span is not None:
            segment = ws.cs.segment_for_turn(span.turn).index
            if not self.run(undo.ApplyCode(ws, code_id, segment, span)):
                return False
            warning = side_mismatch(ws.scheme, code_id, ws.cs.turn(span.turn).role, span.turn)
            if warning:
                self.message.emit(warning)  # non-blocking: the code is kept
            return True
        current = self._segment()
        if current is None:
            self.message.emit("Select text or a segment to code")
            return False
        return self.toggle(code_id, current)

    def toggle(self, code_id: str, segment: int) -> bool:
        ws = self.ws
        assert ws is not None
        mine = [c for c in ws.presence(segment, code_id) if ws.own(c)]
        if mine:
            return self.run(undo.RemoveCodes(ws, mine, f"remove {code_id} from segment {segment}"))
        return self.run(undo.ApplyCode(ws, code_id, segment, None))

    def rate(self, rating_id: str, unit: Unit, unit_index: int, value: object) -> bool:
        ws = self.ws
        assert ws is not None
        if value is undo.SetRating.CLEAR and not any(
            c.code_id == rating_id and c.unit is unit and c.unit_index == unit_index
            for c in ws.cs.own_codes()
        ):
            return False
        return self.run(undo.SetRating(ws, rating_id, unit, unit_index, value))

    def remove(self, codes: list[Any]) -> bool:
        ws = self.ws
        assert ws is not None
        own = [c for c in codes if ws.own(c)]
        if not own:
            self.message.emit("You can remove only your own codes")
            return False
        label = ", ".join(sorted({c.code_id for c in own}))
        return self.run(undo.RemoveCodes(ws, own, f"remove {label}"))

    def memo(self, code: Any, text: str) -> bool:
        assert self.ws is not None
        return self.run(undo.EditMemo(self.ws, code, text))

    def move_boundary(self, segment: int, first_turn: int) -> bool:
        assert self.ws is not None
        return self.run(undo.MoveBoundary(self.ws, segment, first_turn))

    # ---- episodes -----------------------------------------------------------------------
    def start_episode(self, pathway_id: str) -> bool:
        ws = self.ws
        assert ws is not None
        turn = self._turn() or 1
        return self.run(undo.StartEpisode(ws, pathway_id, turn))

    def add_stage(self, stage_id: str) -> bool:
        ws = self.ws
        assert ws is not None
        pathway, _ = ws.scheme.stage(stage_id)
        span = self._span()
        if span is None:
            turn = self._turn()
            if not turn:
                self.message.emit("Choose the turn where the stage happens")
                return False
            span = TextSpan(turn, 0, max(len(ws.cs.turn(turn).text), 1))
        episode = self._target_episode(pathway.id)
        if episode is not None:
            return self.run(undo.AddStage(ws, episode, stage_id, span))
        # No open episode on this pathway: start one and add the stage, one undo step.
        # The step is opened only once the episode exists, so a refused start (a locked
        # round) leaves no empty step on the stack for Ctrl+Z to "undo".
        start = undo.StartEpisode(ws, pathway.id, span.turn)
        if not self._attempt(start, start.apply):
            return False
        ws.stack.beginMacro(f"stage {stage_id}")
        try:
            undo.push_applied(ws.stack, start)
            episode = self._target_episode(pathway.id)
            assert episode is not None
            return self.run(undo.AddStage(ws, episode, stage_id, span))
        finally:
            ws.stack.endMacro()

    def _target_episode(self, pathway_id: str) -> int | None:
        ws = self.ws
        assert ws is not None
        chosen = self._episode()
        own = [e for e in ws.episodes if ws.own_id(e.rater_id)]
        if chosen is not None and any(e.index == chosen for e in own):
            return chosen
        matching = [e for e in own if e.pathway_id == pathway_id and e.end_turn is None]
        return matching[-1].index if matching else None

    def _episode_code(self, code_id: str) -> bool:
        ws = self.ws
        assert ws is not None
        episode = self._episode() or (
            max((e.index for e in ws.episodes if ws.own_id(e.rater_id)), default=None)
        )
        if episode is None:
            self.message.emit(f"{code_id} is coded per episode: start an episode first")
            return False
        return self.run(undo.ApplyEpisodeCode(ws, code_id, episode))
