"""A transcript's turns as a Qt table: one row per turn, never one widget per turn.

Qt asks only for visible rows, so a 2,000-turn session costs no more to show than a
20-turn one.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from coder.domain.roles import SpeakerRole
from coder.domain.transcript import Transcript, Turn

ROLE_COLOURS = {
    SpeakerRole.THERAPIST: QColor("#1f5f8b"),
    SpeakerRole.PATIENT: QColor("#8b3a1f"),
    SpeakerRole.OTHER: QColor("#555555"),
    SpeakerRole.UNKNOWN: QColor("#7a7a7a"),
}


class Column(IntEnum):
    INDEX = 0
    TIME = 1
    SPEAKER = 2
    TEXT = 3


HEADERS = {Column.INDEX: "#", Column.TIME: "Time", Column.SPEAKER: "Speaker", Column.TEXT: "Text"}


def format_ms(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class TurnsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._turns: tuple[Turn, ...] = ()

    def set_transcript(self, transcript: Transcript | None) -> None:
        self.beginResetModel()
        self._turns = transcript.turns if transcript else ()
        self.endResetModel()

    def turn(self, row: int) -> Turn:
        return self._turns[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._turns)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
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
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.SPEAKER:
            return ROLE_COLOURS[turn.role]
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.SPEAKER:
            return f"{turn.speaker} — {turn.role.value}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not Column.TEXT:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None
