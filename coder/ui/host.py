"""The main window as its collaborators see it: :class:`WindowHost`.

Menu builders (``window_menus``, ``export_menu``, ``projects_menu``…), flows
(``import_flow``, ``server_dialog``…) and installers (``keyboard``, ``find_bar``,
``live_refresh``…) are typed against this class, never against
:class:`coder.ui.main_window.MainWindow`, which imports them. That keeps the modules of
``coder.ui`` acyclic (import-linter contract *"coder.ui modules are acyclic"*).

It is a ``QMainWindow`` subclass that only *declares* (a typing interface, not a
``typing.Protocol``): the collaborators use the window as a Qt parent and call
``QMainWindow`` methods on it (``menuBar``, ``saveState``…), which a Protocol cannot
express without an intersection type. The attributes are annotations only — the window
and the installers assign them — and the methods are abstract: mypy refuses a window
that leaves one out. It imports only leaf modules (widgets, models, the prompter), so any
module but ``main_window`` may import it.
"""

from __future__ import annotations

from abc import abstractmethod

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QUndoGroup
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTabWidget,
    QTreeView,
    QWidget,
)

from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase
from coder.ui.applied_codes import AppliedCodesView
from coder.ui.codebook import CodebookPanel
from coder.ui.coding_controller import CodingController
from coder.ui.episodes_panel import EpisodesPanel
from coder.ui.grid_view import GridView
from coder.ui.models.sessions_model import SessionsModel
from coder.ui.prompter import Prompter
from coder.ui.session_form import SessionRatingsForm
from coder.ui.transcript_view import TranscriptView
from coder.ui.worker import Job
from coder.ui.workspace import Workspace

WorkspaceKey = tuple[str, int, str]  # patient, session number, scheme key


class WindowHost(QMainWindow):
    """What the main window offers the modules that build its menus and flows."""

    projectChanged = Signal()  # another project is now open (File ▸ Open project…)

    # ---- state --------------------------------------------------------------------------
    db: ProjectDatabase
    coder: ActingRater | None  # who is signed in; None: nobody yet
    prompter: Prompter  # every modal question (tests replace it)
    undo_group: QUndoGroup
    workspaces: dict[WorkspaceKey, Workspace]  # every session opened by this identity
    ws: Workspace | None  # the session shown
    current_segment: int | None
    scheme_key: str | None
    hotkey_actions: list[QAction]  # the scheme's code keys
    child_windows: list[QWidget]  # closed with the identity that opened them
    help_windows: list[QWidget]  # user guide, shortcuts, about (any identity)

    # ---- panels (coder.ui.window_widgets) -----------------------------------------------
    sessions_model: SessionsModel
    sessions_view: QTreeView
    assignments_label: QLabel
    transcript: TranscriptView
    grid: GridView
    session_form: SessionRatingsForm
    episodes: EpisodesPanel
    tabs: QTabWidget
    codebook: CodebookPanel
    applied: AppliedCodesView
    scheme_combo: QComboBox
    rater_filter: QComboBox
    search_box: QLineEdit
    identity_label: QLabel
    saved_label: QLabel
    round_label: QLabel
    controller: CodingController  # keys and panels → undo commands

    # ---- set by the installers ------------------------------------------------------------
    rater_filter_action: QAction  # window_menus: the toolbar's rater filter (leads)
    lead_only_actions: list[tuple[QAction, str, str]]  # window_menus: (action, what, purpose)
    round_menu: QMenu  # window_menus
    export_excel_action: QAction  # export_menu: Excel-compatible files
    recent_menu: QMenu  # projects_menu: Open recent
    default_layout: tuple[QByteArray, QByteArray]  # window_layout: geometry, state
    episodes_toggle: QAction  # window_layout: View ▸ Panels ▸ Episodes
    import_report: QWidget  # import_flow: the last import's report
    package_job: Job | None  # package_menu: the export or merge running
    exchange_job: Job  # export_menu: the last export or REFI-QDA import started
    package_preview: QWidget  # package_menu: the merge preview shown
    screening_jobs: list[Job]  # screening_menu: training, evaluation and run jobs
    suggestions_action: QAction  # screening_menu: Let raters see suggestions (leads)

    # ---- what the window does for them --------------------------------------------------
    @abstractmethod
    def show_message(self, text: str) -> None:
        """A transient line in the status bar."""

    @abstractmethod
    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """Dock ``widget`` under ``title`` in ``area``."""

    @abstractmethod
    def set_coder(self, coder: ActingRater) -> None:
        """Become ``coder``, closing everything of the previous identity."""

    @abstractmethod
    def close_identity(self) -> None:
        """Forget every session, undo stack and child window of the signed-in identity."""

    @abstractmethod
    def show_scheme(self, key: str | None, *, reopen: bool = True) -> None:
        """Code with the project's scheme ``key`` (reopening the shown session)."""

    @abstractmethod
    def redraw_workspace(self) -> None:
        """Show the open session's codes again (after its codes or suggestions changed)."""

    @abstractmethod
    def refresh_suggestions(self) -> None:
        """The Suggestions panel asks again (suggestions were turned on or off)."""

    @abstractmethod
    def refresh_status(self) -> None:
        """The status bar's round and blinding indicator, read again."""

    @abstractmethod
    def refresh_sessions(self) -> None:
        """The session list and its progress, read again."""

    @abstractmethod
    def reload_views(self) -> None:
        """Everything shown, read again from the database, keeping the user's place."""

    @abstractmethod
    def refresh_now(self) -> None:
        """View ▸ Refresh: reload now and take the current change marker."""

    @abstractmethod
    def save_position(self) -> None:
        """Remember the signed-in rater's session and turn."""

    @abstractmethod
    def go_segment(self, step: int) -> None:
        """Move ``step`` segments on (back when negative)."""

    @abstractmethod
    def go_next_uncoded(self) -> None:
        """Go to the next segment without a code or rating."""

    @abstractmethod
    def find_next(self, backwards: bool = False) -> None:
        """Go to the next (previous) match of the find box."""
