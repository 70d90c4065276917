"""A transcript's turns as a Qt table: one row per turn, never one widget per turn.

Qt asks only for visible rows, so a 2,000-turn session costs little more to show than a
20-turn one. Coding decorations (highlight ranges, segment starts, code tooltips) are
pushed in by the window from the workspace caches; the model only presents them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from coder.app.stored_code import StoredCode
from coder.domain.coding import Segment
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import Scheme
from coder.domain.transcript import Transcript, Turn
from coder.ui.style import UNLISTED_CODE_COLOUR

ROLE_COLOURS = {
    SpeakerRole.THERAPIST: QColor("#1f5f8b"),
    SpeakerRole.PATIENT: QColor("#8b3a1f"),
    SpeakerRole.OTHER: QColor("#555555"),
    SpeakerRole.UNKNOWN: QColor("#7a7a7a"),
}
HIGHLIGHTS_ROLE = Qt.ItemDataRole.UserRole + 10
SEGMENT_START_ROLE = Qt.ItemDataRole.UserRole + 11
TURN_ROLE = Qt.ItemDataRole.UserRole + 12

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    INDEX = 0
    TIME = 1
    SPEAKER = 2
    TEXT = 3


HEADERS = {Column.INDEX: "#", Column.TIME: "Time", Column.SPEAKER: "Speaker", Column.TEXT: "Text"}


@dataclass(frozen=True, slots=True)
class Highlight:
    """A coloured range of a turn's text (Python string indexes, end exclusive)."""

    start: int
    end: int
    colour: str
    label: str


def format_ms(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class TurnsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._turns: tuple[Turn, ...] = ()
        self._highlights: dict[int, list[Highlight]] = {}
        self._tooltips: dict[int, str] = {}
        self._segment_starts: dict[int, Segment] = {}
        self._found: dict[int, list[Highlight]] = {}

    def set_transcript(self, transcript: Transcript | None) -> None:
        self.beginResetModel()
        self._turns = transcript.turns if transcript else ()
        self._highlights, self._tooltips, self._segment_starts = {}, {}, {}
        self._found = {}
        self.endResetModel()

    def set_decorations(
        self,
        highlights: dict[int, list[Highlight]],
        tooltips: dict[int, str],
        segment_starts: dict[int, Segment],
    ) -> None:
        """Replace highlights/tooltips/segment marks; repaint only rows that changed."""
        changed = (
            set(self._highlights)
            | set(highlights)
            | set(self._segment_starts)
            | set(segment_starts)
            | set(self._tooltips)
            | set(tooltips)
        )
        changed = {
            t
            for t in changed
            if self._highlights.get(t) != highlights.get(t)
            or self._segment_starts.get(t) != segment_starts.get(t)
            or self._tooltips.get(t) != tooltips.get(t)
        }
        self._highlights, self._tooltips = highlights, tooltips
        self._segment_starts = segment_starts
        if changed and self._turns:
            rows = sorted(t - 1 for t in changed if 1 <= t <= len(self._turns))
            if rows:
                self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(Column) - 1))

    def matches(self, needle: str) -> list[tuple[int, int, int]]:
        """Every occurrence of ``needle`` in the turns' text (case-insensitive), in
        order: (turn, start, end), Python string indexes."""
        found: list[tuple[int, int, int]] = []
        if not needle:
            return found
        folded = needle.casefold()
        for turn in self._turns:
            text = turn.text.casefold()
            if len(text) != len(turn.text):  # casefold changed lengths (ß): use lower()
                text, folded_here = turn.text.lower(), needle.lower()
            else:
                folded_here = folded
            start = text.find(folded_here)
            while start >= 0 and folded_here:
                found.append((turn.index, start, start + len(folded_here)))
                start = text.find(folded_here, start + len(folded_here))
        return found

    def set_found(self, found: dict[int, list[Highlight]]) -> None:
        """Highlight find matches (painted over the codes' colours)."""
        changed = {t for t in set(self._found) | set(found) if self._found.get(t) != found.get(t)}
        self._found = found
        rows = sorted(t - 1 for t in changed if 1 <= t <= len(self._turns))
        if rows:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(Column) - 1))

    def turn(self, row: int) -> Turn:
        return self._turns[row]

    def find(self, needle: str, start_row: int, backwards: bool = False) -> int | None:
        """Next row (wrapping) whose text or speaker contains ``needle``."""
        n = len(self._turns)
        if not needle or not n:
            return None
        needle = needle.casefold()
        for step in range(1, n + 1):
            row = (start_row - step) % n if backwards else (start_row + step) % n
            turn = self._turns[row]
            if needle in turn.text.casefold() or needle in turn.speaker.casefold():
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._turns)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        turn = self._turns[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is Column.INDEX:
                return turn.index
            if column is Column.TIME:
                return format_ms(turn.start_ms)
            if column is Column.SPEAKER:
                return turn.speaker
            return turn.text
        if role == HIGHLIGHTS_ROLE:
            found = self._found.get(turn.index)
            codes = self._highlights.get(turn.index, [])
            return codes + found if found else codes
        if role == SEGMENT_START_ROLE:
            return self._segment_starts.get(turn.index)
        if role == TURN_ROLE:
            return turn.index
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.SPEAKER:
            return ROLE_COLOURS[turn.role]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.SPEAKER:
                return f"{turn.speaker} — {turn.role.value}"
            if column is Column.TEXT:
                return self._tooltips.get(turn.index)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not Column.TEXT:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None


def evidence_marks(
    codes: Iterable[StoredCode], scheme: Scheme
) -> tuple[dict[int, list[Highlight]], dict[int, str]]:
    """Per turn, the evidence of every code there as a highlight in the code's scheme
    colour (a code the scheme does not list: a colour of its own), and the tooltip
    naming each code, its rater, a value other than 1 and the memo, one per line."""
    highlights: dict[int, list[Highlight]] = {}
    tooltips: dict[int, list[str]] = {}
    for code in codes:
        if code.evidence is None:
            continue
        listed = scheme.is_code(code.code_id)
        colour = scheme.code(code.code_id).colour if listed else UNLISTED_CODE_COLOUR
        label = (
            f"{code.code_id} — {code.rater}"
            + ("" if code.value in (1, None) else f" = {code.value}")
            + (f"\nmemo: {code.memo}" if code.memo else "")
        )
        turn = code.evidence.turn
        highlights.setdefault(turn, []).append(
            Highlight(code.evidence.start, code.evidence.end, colour, label)
        )
        tooltips.setdefault(turn, []).append(label)
    return highlights, {turn: "\n".join(labels) for turn, labels in tooltips.items()}
