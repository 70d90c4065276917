"""The codes in the current segment: where a rater selects one to delete or annotate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QListView

from coder.app.stored_code import StoredCode
from coder.ui.style import OTHERS_COLOUR
from coder.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex


class AppliedCodesModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.codes: list[StoredCode] = []
        self.ws: Workspace | None = None

    def show(self, ws: Workspace | None, segment: int | None) -> None:
        self.beginResetModel()
        self.ws = ws
        self.codes = []
        if ws is not None and segment is not None:
            self.codes = sorted(
                ws.codes_in_segment(segment),
                key=lambda c: (not ws.own(c), c.rater, c.code_id, c.id),
            )
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.codes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.ws is None:
            return None
        code = self.codes[index.row()]
        scheme = self.ws.scheme
        name = (
            scheme.code(code.code_id).name
            if scheme.is_code(code.code_id)
            else (
                scheme.rating(code.code_id).label
                if scheme.is_rating(code.code_id)
                else code.code_id
            )
        )
        if role == Qt.ItemDataRole.DisplayRole:
            value = (
                ""
                if scheme.is_code(code.code_id)
                else f" = {'N/A' if code.value is None else code.value}"
            )
            where = f" (turn {code.evidence.turn})" if code.evidence else ""
            memo = " ✎" if code.memo else ""
            return f"{code.code_id}{value}  {name}{where} — {code.rater}{memo}"
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [f"{code.code_id}: {name}", f"rater: {code.rater}"]
            if code.evidence:
                parts.append(f"«{self.ws.span_text(code.evidence)}»")
            if code.memo:
                parts.append(f"memo: {code.memo}")
            return "\n".join(parts)
        if role == Qt.ItemDataRole.DecorationRole and scheme.is_code(code.code_id):
            return QColor(scheme.code(code.code_id).colour)
        if role == Qt.ItemDataRole.ForegroundRole and not self.ws.own(code):
            return QColor(OTHERS_COLOUR)
        return None


class AppliedCodesView(QListView):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.applied = AppliedCodesModel(self)
        self.setModel(self.applied)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        # Each line wraps to the panel's width, so the rater's name (at the end) is
        # always shown in full, however narrow the dock.
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def selected_codes(self) -> list[StoredCode]:
        rows = sorted({i.row() for i in self.selectedIndexes()})
        return [self.applied.codes[r] for r in rows]
