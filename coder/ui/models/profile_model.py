"""The patient view's profile table: one row per session, then the trait-like means.

Reads the ``PatientReport.to_dict()`` shape (the same data the DOCX and ``coder profile
--json`` use), so the table, the report and the command line can never disagree. The
*Coded / segments* column shows each session's coverage (the trait-like row: all
sessions); a session below full coverage is shaded, because its numbers describe only
the coded part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from coder.io.profile_text import (
    METRIC_LABELS,
    SESSION_COLUMNS,
    coverage_text,
    fmt,
    session_value,
)
from coder.ui.style import CAVEAT_BACKGROUND, TRAIT_COLOUR, font

ModelIndex = QModelIndex | QPersistentModelIndex
COLUMNS: tuple[tuple[str, str, str], ...] = (
    *SESSION_COLUMNS,
    ("rupture_share", "Rupture share", ".2f"),
    ("mean_rupture_significance", "Mean rupture sig", ".2f"),
)
"""(metric, header, format): the report's columns plus two the view has room for."""
TRAIT_LABEL = "Mean"
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1  # the raw number (None = not computable)
TRAIT_BACKGROUND = QColor(TRAIT_COLOUR)
INCOMPLETE_BACKGROUND = QColor(CAVEAT_BACKGROUND)  # read these numbers with care


class ProfileTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sessions: list[Mapping[str, Any]] = []
        self._trait: Mapping[str, Any] = {}
        self._coverage: Mapping[str, Any] = {}
        self._bold = font(bold=True)

    def set_report(self, data: Mapping[str, Any] | None) -> None:
        """Show a report's sessions (``None`` empties the table)."""
        self.beginResetModel()
        self._sessions = list((data or {}).get("sessions") or [])
        self._trait = (data or {}).get("trait_like") or {}
        self._coverage = (data or {}).get("coverage") or {}
        self.endResetModel()

    def is_trait_row(self, row: int) -> bool:
        return bool(self._sessions) and row == len(self._sessions)

    # ---- Qt model API ---------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or not self._sessions:
            return 0
        return len(self._sessions) + 1

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def value(self, row: int, column: int) -> object:
        key = COLUMNS[column][0]
        if self.is_trait_row(row):
            if key == "coverage":
                return self._coverage or None
            return TRAIT_LABEL if key == "session" else self._trait.get(key)
        return session_value(self._sessions[row], key)

    def coverage(self, row: int) -> Mapping[str, Any]:
        """The row's coverage dict (the trait-like row: all sessions together)."""
        if self.is_trait_row(row):
            return self._coverage
        return self._sessions[row].get("coverage") or {}

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row, column = index.row(), index.column()
        key, _, spec = COLUMNS[column]
        value = self.value(row, column)
        trait = self.is_trait_row(row)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, str):
                return value
            return fmt(value, ".2f" if trait and spec == "d" else spec)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == 0:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and trait:
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole:
            cover = self.coverage(row)
            if key == "coverage" and cover and cover.get("share") not in (None, 1, 1.0):
                return QBrush(INCOMPLETE_BACKGROUND)
            return QBrush(TRAIT_BACKGROUND) if trait else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "coverage":
                where = "all sessions" if trait else "this session"
                return f"{coverage_text(self.coverage(row), long=True)} in {where}; " + (
                    "metrics use coded segments only (uncoded = missing, not 0)"
                )
            what = "trait-like mean over sessions" if trait else f"session {value}"
            return what if key == "session" else f"{METRIC_LABELS.get(key, key)} ({what})"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        key, header, _ = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return header
        if role == Qt.ItemDataRole.ToolTipRole:
            return METRIC_LABELS.get(key, "Session number; the last row is the patient mean")
        return None
