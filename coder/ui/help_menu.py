"""Help ▸ User guide, Keyboard shortcuts, About (wiring and read-only windows).

The shortcuts table is generated from the window's own ``QAction`` objects (menu items
with their shortcuts, and the scheme's code keys, which are actions too), so it shows
what the keys really do and cannot drift from them. Keys that the views handle
themselves (arrows, digits on a rating cell…) are listed from :data:`VIEW_KEYS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QUrl,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coder.app import desktop_status, resources, schemes
from coder.ui.host import WindowHost

DOCS = resources.resource_dir("docs")
USER_GUIDE = DOCS / "user-guide.md"

# Keys handled inside views (not actions): (key, what it does, where).
VIEW_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Up / Down", "previous / next turn", "Transcript"),
    ("Enter, F2", "select text in the current turn (Esc leaves it)", "Transcript"),
    (
        "Tab / Shift+Tab",
        "next / previous panel: transcript, grid, session ratings, codebook, codes in this segment",
        "Window",
    ),
    ("Space, Enter", "toggle the code cell", "Segment grid"),
    ("1–9", "set the rating on a rating cell (within the scale)", "Segment grid"),
    ("Delete", "clear the rating cell", "Segment grid"),
    ("Enter", "apply the code", "Codebook"),
    ("Ctrl+Enter / Esc", "save / cancel the memo", "Memo dialog"),
)


@dataclass(frozen=True)
class ShortcutRow:
    key: str  # native text, e.g. "Ctrl+Shift+R"
    action: str
    where: str


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_paths(w: QWidget) -> dict[QAction, str]:
    """Each menu action -> ``Edit ▸ Undo``-style path (the action's own text last)."""
    paths: dict[QAction, str] = {}

    def walk(menu: QMenu, prefix: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{prefix} ▸ {_plain(action.text())}")
            elif not action.isSeparator():
                paths.setdefault(action, prefix)

    bar = getattr(w, "menuBar", None)
    if bar is not None:
        for top in bar().actions():
            if isinstance(top.menu(), QMenu):
                walk(top.menu(), _plain(top.text()))
    return paths


def shortcut_rows(w: WindowHost) -> list[ShortcutRow]:
    """Every bound key of the window, from its actions and the current scheme."""
    rows: list[ShortcutRow] = []
    paths = menu_paths(w)
    hotkeys = set(w.hotkey_actions)
    scheme = schemes.load_project_scheme(w.db, w.scheme_key) if w.scheme_key else None
    seen: set[int] = set()
    for action in w.findChildren(QAction):
        if id(action) in seen or not action.shortcuts():
            continue
        seen.add(id(action))
        keys = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
        )
        if action in hotkeys:
            rating = scheme is not None and scheme.is_rating(action.text())
            where = "Rating key" if rating else "Code key"
            rows.append(ShortcutRow(keys, hotkey_label(scheme, action.text()), where))
        else:
            where = paths.get(action, "Window")
            rows.append(ShortcutRow(keys, _plain(action.text()), where))
    rows += [ShortcutRow(k, what, where) for k, what, where in VIEW_KEYS]
    return rows


def hotkey_label(scheme: Any, item_id: str) -> str:
    if scheme is None:
        return item_id
    if scheme.is_code(item_id):
        return f"{item_id} — {scheme.code(item_id).name}"
    if scheme.is_stage(item_id):
        return f"{item_id} — {scheme.stage(item_id)[1].name}"
    if scheme.is_rating(item_id):
        return f"{item_id} — {scheme.rating(item_id).label}: go to it, then type the value"
    return item_id


class ShortcutsModel(QAbstractTableModel):
    HEADERS = ("Key", "Does", "Where")

    def __init__(self, rows: list[ShortcutRow], parent: Any = None) -> None:
        super().__init__(parent)
        self.rows = rows

    def set_rows(self, rows: list[ShortcutRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.rows[index.row()]
        return (row.key, row.action, row.where)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class ShortcutsWindow(QDialog):
    """A searchable table of every key; the filter matches key, action and place."""

    def __init__(self, w: WindowHost) -> None:
        super().__init__(w)
        self.setWindowTitle("Keyboard shortcuts — Rupture Coder")
        self.model = ShortcutsModel(shortcut_rows(w), self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Search keys and actions…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        self.resize(720, 560)
        self.filter.setFocus()


class GuideWindow(QWidget):
    """docs/user-guide.md rendered; images and links resolve relative to docs/."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("User guide — Rupture Coder")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(DOCS)])
        if USER_GUIDE.exists():
            self.browser.setSource(QUrl.fromLocalFile(str(USER_GUIDE)))
        else:
            self.browser.setMarkdown(f"The user guide is not installed (looked for {USER_GUIDE}).")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.resize(900, 800)


class AboutWindow(QDialog):
    def __init__(self, w: WindowHost) -> None:
        super().__init__(w)
        self.setWindowTitle("About Rupture Coder")
        self.info = desktop_status.about(w.db)
        form = QFormLayout(self)
        heading = QLabel("<h3>Rupture Coder</h3>Coding alliance ruptures and their resolution.")
        form.addRow(heading)
        self.values: dict[str, QLabel] = {}
        for name, value in self.info.lines():
            label = QLabel(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{name}:", label)
            self.values[name] = label


def install(w: WindowHost) -> None:
    """Add the Help menu (last in the menu bar)."""
    menu = w.menuBar().addMenu("&Help")
    guide = QAction("&User guide", w)
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    guide.triggered.connect(lambda: _show(w, GuideWindow(w)))
    keys = QAction("&Keyboard shortcuts", w)
    keys.setShortcut(QKeySequence("Ctrl+/"))
    keys.triggered.connect(lambda: _show(w, ShortcutsWindow(w)))
    about = QAction("&About Rupture Coder", w)
    about.triggered.connect(lambda: _show(w, AboutWindow(w)))
    menu.addActions([guide, keys, about])


def _show(w: WindowHost, window: QWidget) -> None:
    """Non-modal: the rater keeps coding beside it. One of each kind at a time."""
    for old in [h for h in w.help_windows if type(h) is type(window)]:
        old.close()
        old.deleteLater()
        w.help_windows.remove(old)
    w.help_windows.append(window)
    window.show()
    window.raise_()
    window.activateWindow()
