"""The transcript: a virtualised table of turns with coded spans highlighted.

Text selection inside a turn comes from one read-only editor that follows the current
row (a persistent editor on that cell only), so there is never a widget per turn. Qt
positions text in UTF-16 units; :func:`utf16_to_index` converts to Python indexes so a
span stays right even after an emoji.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextLayout,
    QTextLine,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextEdit,
    QWidget,
)

from coder.domain.coding import Segment, TextSpan
from coder.ui.models.turns_model import (
    HIGHLIGHTS_ROLE,
    SEGMENT_START_ROLE,
    TURN_ROLE,
    Column,
    Highlight,
    TurnsModel,
    format_ms,
)
from coder.ui.style import BOUNDARY_COLOUR

BOUNDARY = QColor(BOUNDARY_COLOUR)
PADDING = 4


def utf16_to_index(text: str, position: int) -> int:
    """Python string index of a Qt (UTF-16) position in ``text``."""
    units = 0
    for i, ch in enumerate(text):
        if units >= position:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def index_to_utf16(text: str, index: int) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text[:index])


class TurnEditor(QTextEdit):
    """Read-only text of the current turn, for selecting spans with mouse or keyboard."""

    escaped = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFrameShape(QTextEdit.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().setDocumentMargin(PADDING)
        self.turn = 0
        self.hint = QSize(200, 24)

    def sizeHint(self) -> QSize:
        """The row's height comes from the delegate, not from QTextEdit's large default."""
        return self.hint

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)

    def show_turn(self, turn: int, text: str, highlights: list[Highlight]) -> None:
        if self.turn != turn or self.toPlainText() != text:
            self.setPlainText(text)
            self.turn = turn
        selections = []
        for h in highlights:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(index_to_utf16(text, h.start))
            cursor.setPosition(index_to_utf16(text, h.end), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(h.colour))
            fmt.setToolTip(h.label)
            sel.cursor, sel.format = cursor, fmt
            selections.append(sel)
        self.setExtraSelections(selections)

    def selected_span(self) -> TextSpan | None:
        cursor = self.textCursor()
        if not cursor.hasSelection() or not self.turn:
            return None
        text = self.toPlainText()
        start = utf16_to_index(text, cursor.selectionStart())
        end = utf16_to_index(text, cursor.selectionEnd())
        return TextSpan(self.turn, start, end) if end > start else None


class TurnDelegate(QStyledItemDelegate):
    """Paints highlighted text and segment boundaries; row heights from font metrics
    (cheap), so opening a long transcript stays fast."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        segment: Segment | None = index.data(SEGMENT_START_ROLE)
        if index.column() == Column.TEXT:
            self._paint_text(painter, option, index)
        else:
            super().paint(painter, option, index)
        if segment is not None:
            painter.save()
            painter.setPen(BOUNDARY)
            rect: QRect = option.rect
            painter.drawLine(rect.topLeft(), rect.topRight())
            if index.column() == Column.INDEX:
                font = QFont(option.font)
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 0.8)
                painter.setFont(font)
                label = f"{'~' if segment.estimated else ''}S{segment.index}"
                painter.drawText(
                    rect.adjusted(2, 1, -2, 0),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                    label,
                )
            painter.restore()

    def _paint_text(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect: QRect = opt.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        painter.save()
        highlights: list[Highlight] = index.data(HIGHLIGHTS_ROLE) or []
        metrics = painter.fontMetrics()
        if highlights:
            self._paint_highlights(painter, rect, text, highlights, metrics)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = (
            QPalette.ColorRole.HighlightedText
            if selected and not highlights
            else QPalette.ColorRole.Text
        )
        painter.setPen(opt.palette.color(role))
        painter.drawText(rect, int(Qt.TextFlag.TextWordWrap), text)
        painter.restore()

    @staticmethod
    def _paint_highlights(
        painter: QPainter, rect: QRect, text: str, highlights: list[Highlight], metrics: Any
    ) -> None:
        """Colour the lines a highlighted range occupies (word-wrapped layout)."""
        layout = QTextLayout(text, painter.font())
        layout.beginLayout()
        y = 0.0
        lines = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            line.setPosition(QPointF(rect.left(), rect.top() + y))
            y += line.height()
            lines.append(line)
        layout.endLayout()
        for h in highlights:
            start, end = index_to_utf16(text, h.start), index_to_utf16(text, h.end)
            for line in lines:
                a, b = max(start, line.textStart()), min(end, line.textStart() + line.textLength())
                if a >= b:
                    continue
                x1, x2 = _x_at(line, a), _x_at(line, b)
                top = line.position().y()
                colour = QColor(h.colour)
                # cursorToX already includes the line's x position (set to rect.left()).
                painter.fillRect(
                    QRect(int(x1), int(top), int(x2 - x1) + 1, int(line.height())), colour
                )

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        if index.column() != Column.TEXT:
            return super().sizeHint(option, index)
        view = option.widget
        width = view.columnWidth(Column.TEXT) if isinstance(view, QTableView) else 600
        metrics = option.fontMetrics
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bound = metrics.boundingRect(
            QRect(0, 0, max(width - 2 * PADDING - 2, 50), 100000),
            int(Qt.TextFlag.TextWordWrap),
            text,
        )
        return QSize(width, bound.height() + 2 * PADDING + 2)

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = TurnEditor(parent)
        editor.setFont(option.font)
        editor.hint = self.sizeHint(option, index)
        view = self.parent()
        if isinstance(view, TranscriptView):
            editor.escaped.connect(view.setFocus)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, TurnEditor):
            editor.show_turn(
                index.data(TURN_ROLE),
                index.data(Qt.ItemDataRole.DisplayRole) or "",
                index.data(HIGHLIGHTS_ROLE) or [],
            )

    def setModelData(
        self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Read-only: nothing goes back to the model."""

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, TurnEditor):
            editor.hint = self.sizeHint(option, index)
        editor.setGeometry(option.rect)


def _x_at(line: QTextLine, position: int) -> float:
    """The x of a cursor at ``position`` in ``line``. PySide6 returns the C++ out-parameter
    too, as ``(x, position)``; its stub says ``object``."""
    x, _ = cast(tuple[float, int], line.cursorToX(position))
    return x


class TranscriptView(QTableView):
    """Turns table; Enter/F2 puts the caret into the current turn to select text."""

    currentTurnChanged = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.turns = TurnsModel(self)
        self.setModel(self.turns)
        self.delegate = TurnDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setWordWrap(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setVisible(False)
        # Row heights are computed in one pass from font metrics (see _layout_rows);
        # ResizeToContents would ask the delegate for every cell of every row, which
        # made a 2,000-turn session take seconds to open.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._relayout = QTimer(self, singleShot=True, interval=60)
        self._relayout.timeout.connect(self._layout_rows)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(int(Column.TEXT), QHeaderView.ResizeMode.Stretch)
        for column in (Column.INDEX, Column.TIME, Column.SPEAKER):
            header.setSectionResizeMode(int(column), QHeaderView.ResizeMode.Interactive)
        self._editor_index: QPersistentModelIndex | None = None
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self.turns.modelReset.connect(self._reset)
        header.sectionResized.connect(self._column_resized)
        self.turns.dataChanged.connect(self._data_changed)

    # ---- navigation ---------------------------------------------------------------------
    def current_turn(self) -> int:
        index = self.currentIndex()
        return index.row() + 1 if index.isValid() else 0

    def show_turn(self, turn: int, *, focus_text: bool = False) -> None:
        if not 1 <= turn <= self.turns.rowCount():
            return
        index = self.turns.index(turn - 1, int(Column.TEXT))
        self.setCurrentIndex(index)
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        if focus_text:
            self.focus_text()

    def focus_text(self) -> None:
        editor = self.editor()
        if editor is not None:
            editor.setFocus()

    def editor(self) -> TurnEditor | None:
        if self._editor_index is None or not self._editor_index.isValid():
            return None
        widget = self.indexWidget(self.turns.index(self._editor_index.row(), int(Column.TEXT)))
        return widget if isinstance(widget, TurnEditor) else None

    def selected_span(self) -> TextSpan | None:
        editor = self.editor()
        return editor.selected_span() if editor is not None else None

    def zoom(self, steps: int) -> None:
        font = self.font()
        font.setPointSizeF(max(6.0, min(32.0, font.pointSizeF() + steps)))
        self.setFont(font)
        self._fit_columns()
        self._layout_rows()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.focus_text()
            return
        super().keyPressEvent(event)

    # ---- the one editor -----------------------------------------------------------------
    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._reopen_editor()
        if current.isValid():
            self.currentTurnChanged.emit(current.row() + 1)

    def _reopen_editor(self) -> None:
        if self._editor_index is not None and self._editor_index.isValid():
            self.closePersistentEditor(self.turns.index(self._editor_index.row(), int(Column.TEXT)))
        self._editor_index = None
        current = self.currentIndex()
        if current.isValid():
            text_index = self.turns.index(current.row(), int(Column.TEXT))
            self.openPersistentEditor(text_index)
            self._editor_index = QPersistentModelIndex(text_index)

    def _reset(self) -> None:
        self._editor_index = None
        self._fit_columns()
        self._layout_rows()

    def _column_resized(self, column: int, _old: int, _new: int) -> None:
        if column == Column.TEXT:
            self._relayout.start()

    def _fit_columns(self) -> None:
        """Narrow columns sized from the widest label (a handful of distinct speakers),
        not by sampling every row's size hint."""
        metrics = self.fontMetrics()
        n = self.turns.rowCount()
        speakers = {self.turns.turn(r).speaker for r in range(n)} or {"Speaker"}
        pad = 3 * PADDING + 4
        self.setColumnWidth(
            int(Column.INDEX), metrics.horizontalAdvance(str(max(n, 100)) + " S9") + pad
        )
        self.setColumnWidth(int(Column.TIME), metrics.horizontalAdvance("00:00:00") + pad)
        widest = max(metrics.horizontalAdvance(s) for s in speakers | {"Speaker"})
        self.setColumnWidth(int(Column.SPEAKER), min(widest, 220) + pad)

    def _layout_rows(self) -> None:
        """Give every row the height of its word-wrapped text at the current width."""
        metrics = self.fontMetrics()
        width = max(self.columnWidth(int(Column.TEXT)) - 2 * PADDING - 2, 50)
        line = metrics.lineSpacing() + 2 * PADDING + 2
        header = self.verticalHeader()
        box = QRect(0, 0, width, 1_000_000)
        flags = int(Qt.TextFlag.TextWordWrap)
        for row in range(self.turns.rowCount()):
            text = self.turns.turn(row).text
            if metrics.horizontalAdvance(text) < width and "\n" not in text:
                height = line
            else:
                height = metrics.boundingRect(box, flags, text).height() + 2 * PADDING + 2
            header.resizeSection(row, height)
        # Move the open editor, never recreate it: that would drop the rater's selection.
        editor = self.editor()
        if editor is not None and self._editor_index is not None:
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            index = self.turns.index(self._editor_index.row(), int(Column.TEXT))
            option.rect = self.visualRect(index)
            self.delegate.updateEditorGeometry(editor, option, index)

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex) -> None:
        editor = self.editor()
        if (
            editor is not None
            and self._editor_index is not None
            and top.row() <= self._editor_index.row() <= bottom.row()
        ):
            self.delegate.setEditorData(
                editor, self.turns.index(self._editor_index.row(), int(Column.TEXT))
            )


__all__ = ["TranscriptView", "TurnEditor", "format_ms", "utf16_to_index"]
