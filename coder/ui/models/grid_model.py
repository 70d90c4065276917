"""The 3RS segment grid: segments (rows) × presence codes and segment ratings (columns).

The model never writes: edits become ``editRequested`` signals that the window turns
into undo commands; the model refreshes when the workspace reports a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from coder.domain.scheme import Scope
from coder.ui.models.turns_model import format_ms
from coder.ui.style import OTHERS_COLOUR, RATING_COLOUR, font
from coder.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex
PRESENT = "●"


class CellKind(StrEnum):
    PRESENCE = "presence"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class GridColumn:
    kind: CellKind
    id: str
    label: str
    colour: str
    minimum: int = 0
    maximum: int = 1


def grid_columns(ws: Workspace) -> list[GridColumn]:
    columns = [
        GridColumn(CellKind.PRESENCE, code.id, code.name, code.colour)
        for group in ws.scheme.groups
        if group.scope is Scope.SEGMENT
        for code in group.codes
    ]
    columns += [
        GridColumn(CellKind.RATING, r.id, r.label, RATING_COLOUR, r.scale.min, r.scale.max)
        for r in ws.scheme.ratings_for(Scope.SEGMENT)
    ]
    return columns


class SegmentGridModel(QAbstractTableModel):
    editRequested = Signal(str, str, int, object)  # kind, item id, segment index, value

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.ws: Workspace | None = None
        self.columns: list[GridColumn] = []
        self.read_only = False
        self._signatures: list[tuple[tuple[object, ...], ...]] = []

    def set_workspace(self, ws: Workspace | None) -> None:
        self.beginResetModel()
        if self.ws is not None:
            self.ws.changed.disconnect(self.refresh)
        self.ws = ws
        self.columns = grid_columns(ws) if ws else []
        self._signatures = [self._signature(seg.index) for seg in ws.segments] if ws else []
        if ws is not None:
            ws.changed.connect(self.refresh)
        self.endResetModel()

    def refresh(self) -> None:
        """Repaint only the segments whose codes changed: a full-grid dataChanged made
        Qt re-query every cell (and re-measure) after each keystroke."""
        if self.ws is None:
            return
        signatures = [self._signature(seg.index) for seg in self.ws.segments]
        if len(signatures) != len(self._signatures):
            self._signatures = signatures
            self.layoutChanged.emit()
            return
        last = self.columnCount() - 1
        for row, (old, new) in enumerate(zip(self._signatures, signatures, strict=True)):
            if old != new:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
                self.headerDataChanged.emit(Qt.Orientation.Vertical, row, row)
        self._signatures = signatures

    def _signature(self, segment: int) -> tuple[tuple[object, ...], ...]:
        assert self.ws is not None
        return tuple(
            sorted(
                (c.code_id, c.rater_id, c.value, c.memo) for c in self.ws.codes_in_segment(segment)
            )
        )

    def column(self, col: int) -> GridColumn:
        return self.columns[col]

    def segment_index(self, row: int) -> int:
        assert self.ws is not None
        return self.ws.segments[row].index

    def row_of_segment(self, segment: int) -> int | None:
        if self.ws is None:
            return None
        for row, seg in enumerate(self.ws.segments):
            if seg.index == segment:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.ws is None else len(self.ws.segments)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.ws is None:
            return None
        col = self.columns[index.column()]
        segment = self.ws.segments[index.row()].index
        found = self.ws.presence(segment, col.id)
        if col.kind is CellKind.PRESENCE:
            if role == Qt.ItemDataRole.DisplayRole and found:
                others = sorted({c.rater for c in found if not self.ws.own(c)})
                mine = any(self.ws.own(c) for c in found)
                return " ".join(([PRESENT] if mine else []) + [self._initials(r) for r in others])
            if role == Qt.ItemDataRole.BackgroundRole and found:
                return QColor(col.colour)
            if role == Qt.ItemDataRole.EditRole:
                return bool(found)
        else:
            rating = self.ws.rating(segment, col.id)
            if role == Qt.ItemDataRole.EditRole:
                return None if rating is None else rating.value
            if role == Qt.ItemDataRole.DisplayRole:
                if rating is not None:
                    return "N/A" if rating.value is None else rating.value
                # Others' values (a lead, or no blinding): initials and a different style.
                return (
                    " ".join(
                        f"{self._initials(c.rater)}:{_value(c.value)}"
                        for c in sorted(
                            self.ws.others_ratings(segment, col.id), key=lambda c: c.rater
                        )
                    )
                    or None
                )
            if role == Qt.ItemDataRole.FontRole:
                return font(bold=rating is not None, italic=rating is None)
            if role == Qt.ItemDataRole.ForegroundRole and rating is None:
                return QColor(OTHERS_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{col.id}: {col.label}"]
            lines += [
                f"{c.rater}: {_value(c.value)}"
                + (f" — {c.memo}" if c.memo else "")
                + (f" «{self.ws.span_text(c.evidence)}»" if c.evidence else "")
                for c in found
            ]
            return "\n".join(lines)
        return None

    def _initials(self, rater: str) -> str:
        return "".join(w[0] for w in rater.split())[:3].upper()

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if (
            index.isValid()
            and not self.read_only
            and self.columns[index.column()].kind is CellKind.RATING
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.read_only:
            return False
        col = self.columns[index.column()]
        self.editRequested.emit(col.kind.value, col.id, self.segment_index(index.row()), value)
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(self.columns):
                return None
            col = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.id
            if role == Qt.ItemDataRole.ToolTipRole:
                return col.label
            return None
        if self.ws is None or section >= len(self.ws.segments):
            return None
        seg = self.ws.segments[section]
        if role == Qt.ItemDataRole.DisplayRole:
            approx = "~" if seg.estimated else ""
            done = " ✓" if self.ws.segment_done(seg.index) else ""
            start = f" {approx}{format_ms(seg.start_ms)[3:]}" if seg.start_ms is not None else ""
            return f"S{seg.index}{start}{done}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Segment {seg.index}: turns {seg.first_turn}–{seg.last_turn}" + (
                " (times estimated from word counts)" if seg.estimated else ""
            )
        return None


def _value(value: int | None) -> str:
    return "N/A" if value is None else str(value)
