"""Table models of the lead's desk: rounds, a round's assignments, the progress table.

Each is a read-only ``QAbstractTableModel`` over plain rows from :mod:`coder.app.rounds`
and :mod:`coder.app.progress`; ``set_rows`` resets it (the tables are small)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from coder.app.progress import ProgressRow
from coder.app.rounds import RoundAssignment
from coder.domain.coding import CodingRound

Row = TypeVar("Row")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the plain row object
AnyIndex = QModelIndex | QPersistentModelIndex


def local_time(when: datetime | None) -> str:
    """A stored UTC time as the computer's local time, to the minute."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return f"{when.astimezone():%Y-%m-%d %H:%M}"


class RowsModel(QAbstractTableModel, Generic[Row]):
    columns: Sequence[tuple[str, Callable[[Any], object]]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.columns[index.column()][1](row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row)
        return None

    def tooltip(self, row: Row) -> str | None:
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None


class RoundsModel(RowsModel[CodingRound]):
    columns = (
        ("Round", lambda r: r.number),
        ("Name", lambda r: r.name),
        ("Status", lambda r: r.status.value),
    )


class AssignmentsModel(RowsModel[RoundAssignment]):
    columns = (
        ("Rater", lambda a: a.rater),
        ("Session", lambda a: f"{a.patient}/{a.session}"),
    )


def _done(row: ProgressRow) -> str:
    if not row.total:
        return "no segments"
    return f"{row.done}/{row.total}" + (" ✓" if row.finished else "")


class ProgressModel(RowsModel[ProgressRow]):
    columns = (
        ("Rater", lambda r: r.rater),
        ("Session", lambda r: f"{r.patient}/{r.session}"),
        ("Segments done", _done),
        ("Last edit", lambda r: local_time(r.last_edit)),
        ("Assigned in", lambda r: f"round {r.round}" if r.round is not None else "not assigned"),
    )

    def tooltip(self, row: ProgressRow) -> str:
        return (
            f"{row.rater}: {row.done} of {row.total} segments of {row.patient}/{row.session} "
            "have every segment rating (or, without ratings, a code)"
        )
