"""The codebook side panel: a scheme's codes, stages and segment ratings as a tree.

Raters keep the manual open while coding, so the panel doubles as the manual (filter
by id, name or definition; full entry below the tree). Clicking a code row *applies*
it, so one gesture emits exactly once: a click, Enter, or a double-click (whose first
click already emitted; the view's ``activated`` signal is unused as it would fire again).
The panel holds no coding logic: it only reports which id the rater picked.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QLineEdit,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coder.domain import scheme as sch
from coder.domain.scheme import Scheme, Scope, normalise_hotkey
from coder.ui.style import font

CODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # id of a code, stage or rating row; None for groups
IS_RATING_ROLE = Qt.ItemDataRole.UserRole + 2  # True for rows of the "Ratings" pseudo-group
SEARCH_TEXT_ROLE = Qt.ItemDataRole.UserRole + 3  # what the filter box matches ("" for groups)
DETAIL_HTML_ROLE = Qt.ItemDataRole.UserRole + 4  # the full entry shown below the tree

HEADERS = ("Code", "Key")
_Index = QModelIndex | QPersistentModelIndex


class EntryKind(Enum):
    CODE = "code"
    STAGE = "stage"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class CodebookEntry:
    """One leaf row, flattened from a Code, Stage or RatingDef so the model has one shape."""

    kind: EntryKind
    item_id: str
    name: str
    definition: str = ""
    examples: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # scale anchors of a rating, the pathway of a stage
    hotkey: str = ""
    colour: str | None = None


@dataclass(frozen=True, slots=True)
class CodebookGroup:
    label: str
    entries: tuple[CodebookEntry, ...]


def _key(hotkey: str | None) -> str:
    return normalise_hotkey(hotkey) if hotkey else ""


def _code_entry(c: sch.Code) -> CodebookEntry:
    return CodebookEntry(
        EntryKind.CODE, c.id, c.name, c.definition, c.examples, (), _key(c.hotkey), c.colour
    )


def _stage_entry(s: sch.Stage, pathway: sch.StagePathway) -> CodebookEntry:
    where = f"Stage {s.order} of {len(pathway.stages)}: {pathway.label}"
    return CodebookEntry(EntryKind.STAGE, s.id, s.name, s.definition, (), (where,), _key(s.hotkey))


def _rating_entry(r: sch.RatingDef) -> CodebookEntry:
    scale = r.scale
    notes = [f"Scale {scale.min}–{scale.max}" + (", N/A allowed" if scale.allow_na else "")]
    notes += [f"{value} — {text}" for value, text in sorted(scale.anchors.items())]
    return CodebookEntry(
        EntryKind.RATING, r.id, r.label, r.definition, (), tuple(notes), _key(r.hotkey)
    )


def codebook_groups(scheme: Scheme) -> tuple[CodebookGroup, ...]:
    """Code groups, then stage pathways, then the segment ratings as a "Ratings" group.

    A rating's hotkey is shown when the scheme defines one, because the scheme's
    hotkey map (``Scheme.hotkeys``) makes it live.
    """
    groups = [CodebookGroup(g.label, tuple(map(_code_entry, g.codes))) for g in scheme.groups]
    for p in scheme.pathways:
        stages = sorted(p.stages, key=lambda s: s.order)
        groups.append(CodebookGroup(p.label, tuple(_stage_entry(s, p) for s in stages)))
    ratings = tuple(map(_rating_entry, scheme.ratings_for(Scope.SEGMENT)))
    if ratings:
        groups.append(CodebookGroup("Ratings", ratings))
    return tuple(groups)


def entry_html(entry: CodebookEntry) -> str:
    """The definition pane text; everything is escaped because schemes are user files."""
    e = html.escape
    parts = [f"<h3>{e(entry.item_id)} — {e(entry.name)}</h3>"]
    if entry.definition:
        parts.append(f"<p>{e(entry.definition)}</p>")
    if entry.notes:
        parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in entry.notes) + "</ul>")
    if entry.examples:
        items = "".join(f"<li>{e(x)}</li>" for x in entry.examples)
        parts.append(f"<p><b>Examples</b></p><ul>{items}</ul>")
    parts.append(f"<p><b>Hotkey:</b> {e(entry.hotkey) if entry.hotkey else 'none'}</p>")
    return "".join(parts)


def _tooltip(entry: CodebookEntry) -> str:
    """On hover: the full ``id — name`` first (however narrow the panel), then the entry."""
    examples = ["", "Examples:", *(f"• {x}" for x in entry.examples)] if entry.examples else []
    body = "\n".join([entry.definition, *entry.notes, *examples]).strip()
    return f"{entry.item_id} — {entry.name}" + (f"\n\n{body}" if body else "")


class CodebookModel(QAbstractItemModel):
    """Two-level tree. A group index has internal id 0; an entry's is its group row + 1,
    so no Python object has to outlive the index (no internalPointer lifetimes)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: tuple[CodebookGroup, ...] = ()

    def set_scheme(self, scheme: Scheme | None) -> None:
        self.beginResetModel()
        self._groups = codebook_groups(scheme) if scheme else ()
        self.endResetModel()

    def entry(self, index: _Index) -> CodebookEntry | None:
        if index.isValid() and index.internalId():
            return self._groups[index.internalId() - 1].entries[index.row()]
        return None

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1 if parent.isValid() else 0)

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        is_group = parent.internalId() == 0 and parent.column() == 0
        return len(self._groups[parent.row()].entries) if is_group else 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemNeverHasChildren if index.internalId() else flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entry(index)
        if entry is None:
            return self._group_data(self._groups[index.row()], index.column(), role)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{entry.item_id}  {entry.name}" if index.column() == 0 else entry.hotkey
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(entry)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0 and entry.colour:
            return QColor(entry.colour)
        if role == CODE_ID_ROLE:
            return entry.item_id
        if role == IS_RATING_ROLE:
            return entry.kind is EntryKind.RATING
        if role == SEARCH_TEXT_ROLE:
            return f"{entry.item_id}\n{entry.name}\n{entry.definition}"
        if role == DETAIL_HTML_ROLE:
            return entry_html(entry)
        return None

    @staticmethod
    def _group_data(group: CodebookGroup, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return group.label if column == 0 else ""
        if role == Qt.ItemDataRole.FontRole:
            return font(bold=True)
        if role == IS_RATING_ROLE:
            return False
        if role == DETAIL_HTML_ROLE:
            return f"<h3>{html.escape(group.label)}</h3><p>{len(group.entries)} items</p>"
        return None


class WrappingDelegate(QStyledItemDelegate):
    """Row heights for names wrapped to the column's width. A tree view asks its
    delegate for a row's size without telling it the column width, so a wrapped name
    would be clipped to one line; this delegate measures against the real width."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != 0:
            return hint
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        decoration = (
            opt.decorationSize.width() + 8
            if opt.features & opt.ViewItemFeature.HasDecoration
            else 0
        )
        width = self.view.header().sectionSize(0) - self.view.indentation() * (depth + 1)
        width -= decoration + 12  # the style's text margins
        if width <= 40:
            return hint
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        text = opt.fontMetrics.boundingRect(QRect(0, 0, width, 10_000), flags, opt.text)
        return QSize(hint.width(), max(hint.height(), text.height() + 6))


class CodebookPanel(QWidget):
    """Filter box, code tree and definition pane.

    The panel does not bind Ctrl+F itself: the main window owns window shortcuts and
    calls :meth:`focus_filter`, so the same key cannot be claimed twice.
    """

    codeActivated = Signal(str)  # a code or stage id: apply it
    ratingActivated = Signal(str)  # a segment-rating id: start rating it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CodebookModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_TEXT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)  # keep the groups of matches

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter codes (Ctrl+Shift+F)...")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)

        self.view = QTreeView()
        self.view.setModel(self.proxy)
        # Long names wrap instead of being cut: "C1 Complaints/concern…" and "C3
        # Complaints/concern…" must never look the same in a narrow dock.
        self.view.setUniformRowHeights(False)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.setAllColumnsShowFocus(True)
        self.view.setItemDelegate(WrappingDelegate(self.view))
        relayout = QTimer(self, singleShot=True, interval=0)
        relayout.timeout.connect(self.view.doItemsLayout)  # row heights follow the width
        self.view.header().sectionResized.connect(lambda *_: relayout.start())
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, self.view.header().ResizeMode.Stretch)
        self.view.header().setSectionResizeMode(1, self.view.header().ResizeMode.ResizeToContents)
        self.view.clicked.connect(self._emit_for)
        self.view.installEventFilter(self)
        self.view.selectionModel().currentChanged.connect(self._show_details)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setSizes([400, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(splitter)

    def set_scheme(self, scheme: Scheme | None) -> None:
        self.model.set_scheme(scheme)
        self.view.expandAll()
        self.details.clear()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on the tree applies the current row (instead of the view's ``activated``,
        which a double-click would also fire)."""
        if (
            watched is self.view
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._emit_for(self.view.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.view.expandAll()

    def _emit_for(self, index: QModelIndex) -> None:
        item_id = index.siblingAtColumn(0).data(CODE_ID_ROLE) if index.isValid() else None
        if item_id is None:
            return  # a group row
        if index.siblingAtColumn(0).data(IS_RATING_ROLE):
            self.ratingActivated.emit(item_id)
        else:
            self.codeActivated.emit(item_id)

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        text = current.siblingAtColumn(0).data(DETAIL_HTML_ROLE) if current.isValid() else None
        self.details.setHtml(text or "")
