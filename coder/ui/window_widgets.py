"""The main window's panels and where they sit: made and laid out here, wired in
:mod:`coder.ui.main_window`.

Only widgets: no signal reaches the window's behaviour from here, so what the panels
*do* is read in one place (``MainWindow._wire``) and what they *are* in this one. The
docks' object names are their titles, which :mod:`coder.ui.window_layout` saves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coder.app import schemes
from coder.ui.applied_codes import AppliedCodesView
from coder.ui.codebook import CodebookPanel
from coder.ui.episodes_panel import EpisodesPanel
from coder.ui.grid_view import GridView
from coder.ui.host import WindowHost
from coder.ui.models.sessions_model import SessionsModel
from coder.ui.session_form import SessionRatingsForm
from coder.ui.transcript_view import TranscriptView


def build_widgets(w: WindowHost) -> None:
    """Sessions on the left; transcript and the grid/episodes tabs in the middle; the
    codebook and this segment's codes on the right; the status bar's permanent labels."""
    w.sessions_model = SessionsModel(w)
    w.sessions_view = QTreeView()
    w.sessions_view.setModel(w.sessions_model)
    w.sessions_view.setUniformRowHeights(True)
    w.sessions_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    w.assignments_label = QLabel()
    w.assignments_label.setWordWrap(True)
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.addWidget(w.sessions_view)
    left_layout.addWidget(w.assignments_label)
    w.add_dock("Sessions", left, Qt.DockWidgetArea.LeftDockWidgetArea)

    w.transcript = TranscriptView()
    w.grid = GridView()
    w.session_form = SessionRatingsForm()
    w.episodes = EpisodesPanel()
    grid_page = QWidget()
    grid_layout = QVBoxLayout(grid_page)
    grid_layout.setContentsMargins(0, 0, 0, 0)
    grid_layout.addWidget(w.grid, 3)
    grid_layout.addWidget(QLabel("<b>Session ratings</b>"))
    grid_layout.addWidget(w.session_form, 1)
    w.tabs = QTabWidget()
    w.tabs.addTab(grid_page, "Segments")
    w.tabs.addTab(w.episodes, "Episodes")
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(w.transcript)
    splitter.addWidget(w.tabs)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([760, 520])
    w.transcript.setMinimumWidth(420)
    w.setCentralWidget(splitter)

    w.codebook = CodebookPanel()
    w.add_dock("Codebook", w.codebook, Qt.DockWidgetArea.RightDockWidgetArea)
    w.applied = AppliedCodesView()
    w.add_dock("Codes in this segment", w.applied, Qt.DockWidgetArea.RightDockWidgetArea)

    w.scheme_combo = QComboBox()
    fill_scheme_combo(w)
    w.rater_filter = QComboBox()
    w.rater_filter.setToolTip("Whose codes to show (leads only)")
    w.search_box = QLineEdit()
    w.search_box.setPlaceholderText("Find in transcript (Ctrl+F)")
    w.search_box.setClearButtonEnabled(True)
    w.identity_label = QLabel()
    w.saved_label = QLabel()
    w.round_label = QLabel()  # the round and blinding, see MainWindow.refresh_status
    w.round_label.setObjectName("round-status")
    w.statusBar().addPermanentWidget(w.saved_label)
    w.statusBar().addPermanentWidget(w.identity_label)
    w.statusBar().addPermanentWidget(w.round_label)


def fill_scheme_combo(w: WindowHost) -> None:
    """One entry per scheme key of the open project (its latest revision)."""
    w.scheme_combo.clear()
    for stored in schemes.project_schemes(w.db):
        if w.scheme_combo.findData(stored.key) < 0:
            w.scheme_combo.addItem(f"{stored.key} (v{stored.version})", stored.key)


def top_menu(w: QMainWindow, name: str) -> QMenu:
    """The menu bar's menu called ``name`` (``"View"`` finds ``&View``), added if missing:
    installers put their items into the menus ``window_menus`` built."""
    for top in w.menuBar().actions():
        menu = top.menu()
        if top.text().replace("&", "") == name and isinstance(menu, QMenu):
            return menu
    return w.menuBar().addMenu(f"&{name}")


def dock(w: WindowHost, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    """Dock ``widget`` in ``area``; the title is its object name (the saved layout)."""
    dock_widget = QDockWidget(title, w)
    dock_widget.setObjectName(title)
    dock_widget.setWidget(widget)
    w.addDockWidget(area, dock_widget)
    return dock_widget
