"""Keyboard-first view of the segment grid.

Space/Enter toggles a presence cell; a digit sets a rating cell (the digit wins over the
same key's code hotkey while a rating cell is current); Delete clears a rating.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from coder.ui.models.grid_model import CellKind, SegmentGridModel

CLEAR = "clear"


class RatingDelegate(QStyledItemDelegate):
    """A spin box limited to the scale (e.g. 1-5) for rating cells."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        model = index.model()
        assert isinstance(model, SegmentGridModel)
        col = model.column(index.column())
        box = QSpinBox(parent)
        box.setRange(col.minimum, col.maximum)
        box.setFrame(False)
        return box

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QSpinBox):
            editor.setValue(value if isinstance(value, int) else editor.minimum())

    def setModelData(
        self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QSpinBox):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class GridView(QTableView):
    segmentChosen = Signal(int)  # the user moved to a segment row

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.grid = SegmentGridModel(self)
        self.setModel(self.grid)
        self.setItemDelegate(RatingDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        # Sized once per session (not ResizeToContents, which re-measures every cell on
        # every change and cost ~100 ms a keystroke on long sessions).
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setMinimumSectionSize(28)
        self.horizontalHeader().setDefaultSectionSize(40)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.modelReset.connect(self._fit)
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self.doubleClicked.connect(self._double_clicked)

    def _fit(self) -> None:
        self.resizeColumnsToContents()
        self.verticalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)

    def current_segment(self) -> int | None:
        index = self.currentIndex()
        return self.grid.segment_index(index.row()) if index.isValid() else None

    def select_segment(self, segment: int) -> None:
        row = self.grid.row_of_segment(segment)
        if row is None:
            return
        column = max(self.currentIndex().column(), 0)
        blocked = self.selectionModel().blockSignals(True)
        self.setCurrentIndex(self.grid.index(row, column))
        self.selectionModel().blockSignals(blocked)
        self.scrollTo(self.grid.index(row, column))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.segmentChosen.emit(self.grid.segment_index(current.row()))

    def _double_clicked(self, index: QModelIndex) -> None:
        if self.grid.column(index.column()).kind is CellKind.PRESENCE:
            self._toggle(index)

    def _toggle(self, index: QModelIndex) -> None:
        if self.grid.read_only:
            return
        col = self.grid.column(index.column())
        self.grid.editRequested.emit(
            col.kind.value, col.id, self.grid.segment_index(index.row()), None
        )

    def _rating_cell(self) -> QModelIndex | None:
        index = self.currentIndex()
        if index.isValid() and self.grid.column(index.column()).kind is CellKind.RATING:
            return index
        return None

    def event(self, event: QEvent) -> bool:
        """Digits on a rating cell are ratings, not code hotkeys."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._rating_cell() is not None
            and event.text().isdigit()
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if not index.isValid() or self.state() == QAbstractItemView.State.EditingState:
            super().keyPressEvent(event)
            return
        col = self.grid.column(index.column())
        if col.kind is CellKind.PRESENCE and event.key() in (
            Qt.Key.Key_Space,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self._toggle(index)
            return
        if col.kind is CellKind.RATING and not self.grid.read_only:
            if event.text().isdigit() and col.minimum <= int(event.text()) <= col.maximum:
                self.grid.setData(index, int(event.text()))
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.grid.editRequested.emit(
                    col.kind.value, col.id, self.grid.segment_index(index.row()), CLEAR
                )
                return
        super().keyPressEvent(event)
