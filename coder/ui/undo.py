"""Undo commands: thin QUndoCommand wrappers whose redo/undo call coding services.

Each command remembers the snapshots the services return, so undo restores exactly what
was there (including timestamps) and redo re-applies it. A command belongs to one
workspace's stack, so undo can never reach another transcript.

Use :func:`perform`, never ``stack.push`` directly: the first application runs *before*
the push, so an edit the services refuse (a locked round, a bad span) raises a
``CoderError`` for the caller to show and never lands on the stack. Qt's own ``redo``
call during the push is then skipped.

Commands refer to codes by their stable ``uid`` (never the row id, which the database
reuses), so undo can only ever touch the code it made. When an undo or redo fails (a
round was locked meanwhile, the database is unreachable), the data are unchanged, and
the stack is stepped back to match them: the stack never claims a change the database
does not hold.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack

from coder.app import episodes as episode_service
from coder.app import suggestions as suggestion_service
from coder.app.stored_code import StoredCode
from coder.app.suggestions import Suggestion
from coder.domain.coding import TextSpan, Unit
from coder.domain.errors import CoderError
from coder.ui.error_report import report_exception
from coder.ui.subclassing import require_methods
from coder.ui.workspace import Workspace


class _Command(QUndoCommand):
    def __init__(self, ws: Workspace, text: str) -> None:
        super().__init__(text)
        self.ws = ws
        self._applied_by_perform = False
        self._skip_next = False  # set while the stack is re-synchronised after a failure

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        require_methods(cls, _Command, ("apply", "revert"))

    # Each command defines both (checked when the subclass is made, above): ``apply``
    # makes the change through the services, ``revert`` takes it back.
    apply: Callable[[], None]
    revert: Callable[[], None]

    def redo(self) -> None:
        if self._applied_by_perform or self._skip_next:
            self._applied_by_perform = self._skip_next = False
            return
        if not self._guard(self.apply, "redo"):
            self._resync(lambda stack: stack.undo())

    def undo(self) -> None:
        if self._skip_next:
            self._skip_next = False
            return
        if not self._guard(self.revert, "undo"):
            self._resync(lambda stack: stack.redo())

    def _guard(self, action: Callable[[], None], verb: str) -> bool:
        """Qt cannot take an exception from redo/undo: report it and keep the data as the
        services left it (each service call is one transaction, so nothing is half-done).
        Any exception counts, not only the project's own: a database error must not
        leave the stack and the data out of step either."""
        try:
            action()
        except Exception as exc:
            self.ws.reload()
            self.ws.failed.emit(f"Could not {verb} {self.text()}: {exc}")
            if not isinstance(exc, CoderError):  # a refusal is news; anything else a fault
                report_exception(exc, f"trying to {verb} {self.text()}")
            return False
        return True

    def _resync(self, step: Callable[[QUndoStack], None]) -> None:
        """Move the stack's index back over this command without running it again, once
        Qt has finished the current undo/redo (the stack cannot be moved from inside)."""
        stack = self.ws.stack

        def back() -> None:
            self._skip_next = True
            step(stack)
            self._skip_next = False

        QTimer.singleShot(0, back)


def perform(stack: QUndoStack, command: _Command) -> None:
    """Apply ``command`` now (raising on refusal) and put it on the undo stack."""
    command.apply()
    push_applied(stack, command)


def push_applied(stack: QUndoStack, command: _Command) -> None:
    """Put ``command``, already applied, on the stack (Qt's redo during the push is
    skipped): for a caller that must know an edit was accepted before opening a macro."""
    command._applied_by_perform = True
    stack.push(command)


class ApplyCode(_Command):
    """Mark a code in a segment (with an evidence span when text was selected)."""

    def __init__(self, ws: Workspace, code_id: str, segment: int, span: TextSpan | None) -> None:
        super().__init__(ws, f"code {code_id} in segment {segment}")
        self.code_id, self.segment, self.span = code_id, segment, span
        self.added: StoredCode | None = None

    def apply(self) -> None:
        if self.added is None:
            self.added = self.ws.cs.apply_code(self.code_id, segment=self.segment, span=self.span)
        else:
            (self.added,) = self.ws.cs.restore([self.added])
        self.ws.committed(f"Coded {self.code_id} in segment {self.segment}")

    def revert(self) -> None:
        assert self.added is not None
        self.ws.cs.remove([self.added.uid])
        self.ws.committed(f"Undid {self.code_id} in segment {self.segment}")


class RemoveCodes(_Command):
    def __init__(self, ws: Workspace, codes: list[StoredCode], text: str) -> None:
        super().__init__(ws, text)
        self.snapshots = codes

    def apply(self) -> None:
        self.snapshots = self.ws.cs.remove([c.uid for c in self.snapshots])
        text = self.text()  # "remove W2": capitalize() would lower-case the code id
        self.ws.committed(text[:1].upper() + text[1:])

    def revert(self) -> None:
        self.snapshots = self.ws.cs.restore(self.snapshots)
        self.ws.committed(f"Undid: {self.text()}")


class SetRating(_Command):
    """Give, change or clear (value ``CLEAR``) a rating; merges repeated edits of the
    same cell into one undo step (e.g. holding an arrow key on a rating)."""

    CLEAR = object()
    ID = 0x5E7

    def __init__(
        self, ws: Workspace, rating_id: str, unit: Unit, unit_index: int, value: int | object | None
    ) -> None:
        super().__init__(ws, f"rate {rating_id} = {_show(value)}")
        self.rating_id, self.unit, self.unit_index, self.value = rating_id, unit, unit_index, value
        self.before: StoredCode | None = None
        self.after: StoredCode | None = None
        self.first = True

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetRating) or (other.rating_id, other.unit, other.unit_index) != (
            self.rating_id,
            self.unit,
            self.unit_index,
        ):
            return False
        self.after, self.value = other.after, other.value
        self.setText(f"rate {self.rating_id} = {_show(self.value)}")
        return True

    def apply(self) -> None:
        if self.value is self.CLEAR:
            removed = self.ws.cs.clear_rating(self.rating_id, self.unit, self.unit_index)
            self.after = None
        else:
            assert self.value is None or isinstance(self.value, int)
            previous, self.after = self.ws.cs.set_rating(
                self.rating_id, self.unit_index, self.value, unit=self.unit
            )
            removed = [previous] if previous is not None else []
        if self.first:
            self.before = removed[0] if removed else None
            self.first = False
        self.ws.committed(f"Rated {self.rating_id} = {_show(self.value)}")

    def revert(self) -> None:
        restored = self.ws.cs.replace_rating(
            self.rating_id, self.unit, self.unit_index, self.before
        )
        if restored is not None:
            self.before = restored
        self.ws.committed(f"Undid rating {self.rating_id}")


class EditMemo(_Command):
    def __init__(self, ws: Workspace, code: StoredCode, memo: str) -> None:
        super().__init__(ws, f"memo on {code.code_id}")
        self.code, self.memo = code, memo
        self.old = code.memo

    def apply(self) -> None:
        _, self.code = self.ws.cs.set_memo(self.code, self.memo)
        self.ws.committed(f"Memo saved on {self.code.code_id}")

    def revert(self) -> None:
        _, self.code = self.ws.cs.set_memo(self.code, self.old)
        self.ws.committed(f"Memo restored on {self.code.code_id}")


class MoveBoundary(_Command):
    ID = 0xB0D

    def __init__(self, ws: Workspace, segment: int, first_turn: int) -> None:
        super().__init__(ws, f"move start of segment {segment} to turn {first_turn}")
        self.segment, self.first_turn = segment, first_turn
        self.old: int | None = None

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveBoundary) or other.segment != self.segment:
            return False
        self.first_turn = other.first_turn
        return True

    def apply(self) -> None:
        old = self.ws.cs.move_boundary(self.segment, self.first_turn)
        if self.old is None:
            self.old = old
        self.ws.committed(f"Segment {self.segment} now starts at turn {self.first_turn}")

    def revert(self) -> None:
        assert self.old is not None
        self.ws.cs.move_boundary(self.segment, self.old)
        self.ws.committed(f"Segment {self.segment} starts at turn {self.old} again")


class StartEpisode(_Command):
    def __init__(self, ws: Workspace, pathway_id: str, turn: int) -> None:
        super().__init__(ws, f"start {pathway_id} episode at turn {turn}")
        self.pathway_id, self.turn = pathway_id, turn
        self.index: int | None = None
        self.snapshot: episode_service.EpisodeSnapshot | None = None

    def apply(self) -> None:
        if self.snapshot is None:
            self.index = episode_service.start_episode(self.ws.cs, self.pathway_id, self.turn)
        else:
            episode_service.restore_episode(self.ws.cs, self.snapshot)
        self.ws.committed(f"Started episode {self.index} ({self.pathway_id})")

    def revert(self) -> None:
        assert self.index is not None
        self.snapshot = episode_service.delete_episode(self.ws.cs, self.index)
        self.ws.committed(f"Removed episode {self.index}")


class DeleteEpisode(_Command):
    def __init__(self, ws: Workspace, index: int) -> None:
        super().__init__(ws, f"delete episode {index}")
        self.index = index
        self.snapshot: episode_service.EpisodeSnapshot | None = None

    def apply(self) -> None:
        self.snapshot = episode_service.delete_episode(self.ws.cs, self.index)
        self.ws.committed(f"Deleted episode {self.index}")

    def revert(self) -> None:
        assert self.snapshot is not None
        episode_service.restore_episode(self.ws.cs, self.snapshot)
        self.ws.committed(f"Restored episode {self.index}")


class AddStage(_Command):
    def __init__(self, ws: Workspace, episode: int, stage_id: str, span: TextSpan) -> None:
        super().__init__(ws, f"stage {stage_id} in episode {episode}")
        self.episode, self.stage_id, self.span = episode, stage_id, span
        self.added: StoredCode | None = None

    def apply(self) -> None:
        if self.added is None:
            self.added = episode_service.add_stage(
                self.ws.cs, self.episode, self.stage_id, self.span
            )
        else:
            (self.added,) = self.ws.cs.restore([self.added])
        self.ws.committed(f"Stage {self.stage_id} added to episode {self.episode}")

    def revert(self) -> None:
        assert self.added is not None
        self.ws.cs.remove([self.added.uid])
        self.ws.committed(f"Undid stage {self.stage_id}")


def _show(value: int | object | None) -> str:
    if value is SetRating.CLEAR:
        return "(cleared)"
    return "N/A" if value is None else str(value)


class ApplyEpisodeCode(_Command):
    """Mark an episode-level code (e.g. therapist metacommunication present)."""

    def __init__(self, ws: Workspace, code_id: str, episode: int) -> None:
        super().__init__(ws, f"{code_id} in episode {episode}")
        self.code_id, self.episode = code_id, episode
        self.added: StoredCode | None = None

    def apply(self) -> None:
        if self.added is None:
            self.added = self.ws.cs.insert_code(
                self.code_id, Unit.EPISODE, self.episode, 1, None, ""
            )
        else:
            (self.added,) = self.ws.cs.restore([self.added])
        self.ws.committed(f"{self.code_id} marked in episode {self.episode}")

    def revert(self) -> None:
        assert self.added is not None
        self.ws.cs.remove([self.added.uid])
        self.ws.committed(f"Undid {self.code_id} in episode {self.episode}")


class EndEpisode(_Command):
    def __init__(self, ws: Workspace, episode: int, end_turn: int | None) -> None:
        super().__init__(ws, f"end episode {episode} at turn {end_turn}")
        self.episode, self.end_turn = episode, end_turn
        self.old: int | None = None

    def apply(self) -> None:
        self.old = episode_service.set_end(self.ws.cs, self.episode, self.end_turn)
        self.ws.committed(f"Episode {self.episode} ends at turn {self.end_turn}")

    def revert(self) -> None:
        episode_service.set_end(self.ws.cs, self.episode, self.old)
        self.ws.committed(f"Episode {self.episode} end undone")


class AcceptSuggestion(_Command):
    """Make a machine suggestion the rater's own code; undo removes that code again
    (the suggestion itself, the machine's code, is never touched)."""

    def __init__(self, ws: Workspace, suggestion: Suggestion) -> None:
        where = f"turn {suggestion.turn}" if suggestion.turn else f"segment {suggestion.segment}"
        super().__init__(ws, f"accept suggestion {suggestion.code_id} in {where}")
        self.suggestion = suggestion
        self.added: StoredCode | None = None

    def apply(self) -> None:
        if self.added is None:
            self.added = self.ws.cs.accept_suggestion(self.suggestion)
        else:
            (self.added,) = self.ws.cs.restore([self.added])
        self.ws.committed(f"Accepted {self.suggestion.code_id} as your code")

    def revert(self) -> None:
        assert self.added is not None
        self.ws.cs.remove([self.added.uid])
        self.ws.committed(f"Undid: {self.text()}")


class DismissSuggestion(_Command):
    """Dismiss a suggestion (stored: it stays dismissed after a restart), or take a
    dismissal back (``restore``); undo does the opposite. Codes are never touched."""

    def __init__(self, ws: Workspace, suggestion: Suggestion, *, restore: bool = False) -> None:
        where = f"turn {suggestion.turn}" if suggestion.turn else f"segment {suggestion.segment}"
        verb = "restore" if restore else "dismiss"
        super().__init__(ws, f"{verb} suggestion {suggestion.code_id} in {where}")
        self.suggestion, self.restore = suggestion, restore

    def _set(self, dismissed: bool) -> None:
        if dismissed:
            suggestion_service.dismiss_suggestion(self.ws.cs, self.suggestion)
        else:
            suggestion_service.restore_suggestion(self.ws.cs, self.suggestion)
        state = "dismissed" if dismissed else "restored"
        self.ws.committed(f"Suggestion {self.suggestion.code_id} {state}")

    def apply(self) -> None:
        self._set(not self.restore)

    def revert(self) -> None:
        self._set(self.restore)
