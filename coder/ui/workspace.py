"""One open transcript: its coding session(s), undo stack and cached visible codes.

The workspace is the only UI object that calls the coding services. Views read its
caches and listen to ``changed``; every edit goes through an undo command (see
``coder.ui.undo``) whose ``redo``/``undo`` call the methods here. Each call commits, so
the database always equals what is on screen.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from coder.app import episodes as episode_service
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.progress import segment_is_done
from coder.app.stored_code import StoredCode
from coder.domain.coding import Segment, TextSpan, Unit
from coder.domain.scheme import Scheme
from coder.store.database import ProjectDatabase


class Workspace(QObject):
    """State of one (patient, session, scheme) being coded by one rater."""

    changed = Signal()  # codes, ratings, episodes or segments changed
    saved = Signal(str)  # a human description of the last committed edit
    failed = Signal(str)  # an undo/redo the services refused

    def __init__(
        self,
        db: ProjectDatabase,
        coder: ActingRater,
        patient: str,
        number: int,
        scheme_key: str | None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.cs = CodingSession(db, coder, patient, number, scheme_key)
        self.stack = QUndoStack(self)
        self.shown_raters: list[int] | None = None  # lead's choice; None = all allowed
        self.codes: list[StoredCode] = []
        self.episodes: list[episode_service.EpisodeView] = []
        self._by_turn: dict[int, list[StoredCode]] = {}
        self._by_segment: dict[int, list[StoredCode]] = {}
        self.reload()

    # ---- identity -------------------------------------------------------------------
    @property
    def key(self) -> tuple[str, int, str]:
        return (self.cs.patient, self.cs.number, self.cs.scheme.id)

    @property
    def scheme(self) -> Scheme:
        return self.cs.scheme

    @property
    def coder(self) -> ActingRater:
        return self.cs.coder

    @property
    def segments(self) -> list[Segment]:
        return self.cs.segments

    # ---- caches -------------------------------------------------------------------------
    def reload(self) -> None:
        self.codes = self.cs.codes(self.shown_raters)
        self._by_turn = defaultdict(list)
        self._by_segment = defaultdict(list)
        for code in self.codes:
            if code.evidence is not None:
                self._by_turn[code.evidence.turn].append(code)
            if code.unit is Unit.SEGMENT:
                self._by_segment[code.unit_index].append(code)
        self.episodes = (
            episode_service.list_episodes(self.cs, self.shown_raters)
            if self.scheme.pathways
            else []
        )
        self.changed.emit()

    def codes_in_turn(self, turn: int) -> list[StoredCode]:
        return self._by_turn.get(turn, [])

    def codes_in_segment(self, segment: int) -> list[StoredCode]:
        return self._by_segment.get(segment, [])

    def own(self, code: StoredCode) -> bool:
        return code.rater_id == self.coder.rater_id

    def own_id(self, rater_id: int) -> bool:
        return rater_id == self.coder.rater_id

    def presence(self, segment: int, code_id: str) -> list[StoredCode]:
        return [c for c in self.codes_in_segment(segment) if c.code_id == code_id]

    def rating(self, segment: int, rating_id: str) -> StoredCode | None:
        """The acting rater's own value, never someone else's: a rater must be able to
        tell at a glance what they rated and what they have not rated yet."""
        mine = [c for c in self.presence(segment, rating_id) if self.own(c)]
        return mine[0] if mine else None

    def others_ratings(self, segment: int, rating_id: str) -> list[StoredCode]:
        """Other raters' values the acting rater may see (a lead, or without blinding)."""
        return [c for c in self.presence(segment, rating_id) if not self.own(c)]

    def session_rating(self, rating_id: str) -> StoredCode | None:
        for code in self.codes:
            if code.unit is Unit.SESSION and code.code_id == rating_id and self.own(code):
                return code
        return None

    def segment_done(self, segment: int) -> bool:
        mine = {c.code_id for c in self.codes_in_segment(segment) if self.own(c)}
        return segment_is_done(self.scheme, mine)

    def next_uncoded(self, after: int) -> Segment | None:
        ordered = self.segments
        for seg in ordered[after:] + ordered[:after]:
            if seg.index > after and not self.segment_done(seg.index):
                return seg
        for seg in ordered:
            if not self.segment_done(seg.index):
                return seg
        return None

    # ---- mutations (called by undo commands only) -----------------------------------------
    def committed(self, what: str) -> None:
        self.reload()
        self.saved.emit(what)

    def span_text(self, span: TextSpan) -> str:
        return self.cs.turn(span.turn).text[span.start : span.end]
