"""Menus, toolbar and window-level actions of the main window (wiring only).

Lead-only actions are disabled for anyone else, with a tooltip and status tip saying
why and how to become a lead, rather than refused after the user has typed a name or
confirmed a question: :func:`update_for_identity` runs whenever the rater changes. The
services still check the role themselves; this only saves a pointless detour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from coder.ui.audit_view import audit_trail_item
from coder.ui.blinding import change_blinding
from coder.ui.export_menu import add_export_menu, export_codes, import_qdpx
from coder.ui.host import WindowHost
from coder.ui.package_menu import add_package_actions


def _action(
    window: WindowHost,
    text: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_menus(w: WindowHost) -> None:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(_action(w, "&Import transcripts…", lambda: import_transcripts(w), "Ctrl+I"))
    file_menu.addAction(_action(w, "Import REFI-&QDA project…", lambda: import_qdpx(w)))
    file_menu.addAction(_action(w, "Export &codes to CSV…", lambda: export_codes(w), "Ctrl+E"))
    file_menu.addAction(_action(w, "Connect to &lab server…", lambda: connect_lab_server(w)))
    add_package_actions(w, add_export_menu(w, file_menu))
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "Switch &rater…", lambda: switch_rater(w)))
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit))

    edit = bar.addMenu("&Edit")
    undo_action = w.undo_group.createUndoAction(w, "&Undo")
    undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    redo_action = w.undo_group.createRedoAction(w, "&Redo")
    # Ctrl+Y as well as the platform's redo key, once: where the platform's key *is*
    # Ctrl+Y (Windows, offscreen) a duplicate would make the shortcut ambiguous and dead.
    redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    if QKeySequence("Ctrl+Y") not in redo_keys:
        redo_keys.append(QKeySequence("Ctrl+Y"))
    redo_action.setShortcuts(redo_keys)
    edit.addAction(undo_action)
    edit.addAction(redo_action)
    edit.addSeparator()
    delete = _action(
        w,
        "&Delete selected code",
        lambda: w.controller.remove(w.applied.selected_codes()),
        QKeySequence.StandardKey.Delete,
    )
    delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    w.applied.addAction(delete)
    edit.addAction(delete)
    edit.addAction(
        _action(
            w,
            "Edit &memo…",
            lambda: edit_memo(w),
            "Ctrl+M",
            "Attach a memo to the selected code (or your latest code here)",
        )
    )

    nav = bar.addMenu("&Navigate")
    nav.addAction(_action(w, "&Next segment", lambda: w.go_segment(1), "Ctrl+Down"))
    nav.addAction(_action(w, "&Previous segment", lambda: w.go_segment(-1), "Ctrl+Up"))
    nav.addAction(_action(w, "Next &uncoded segment", w.go_next_uncoded, "Ctrl+Shift+Down"))
    nav.addSeparator()
    nav.addAction(
        _action(w, "Move segment start &earlier", lambda: nudge_boundary(w, -1), "Alt+Up")
    )
    nav.addAction(_action(w, "Move segment start &later", lambda: nudge_boundary(w, 1), "Alt+Down"))
    nav.addSeparator()
    nav.addAction(
        _action(
            w,
            "&Find in transcript",
            lambda: focus_find_box(w),
            QKeySequence.StandardKey.Find,
        )
    )
    nav.addAction(
        _action(w, "Find next", lambda: w.find_next(False), QKeySequence.StandardKey.FindNext)
    )
    nav.addAction(
        _action(
            w, "Find previous", lambda: w.find_next(True), QKeySequence.StandardKey.FindPrevious
        )
    )
    nav.addAction(_action(w, "Filter &codebook", w.codebook.focus_filter, "Ctrl+Shift+F"))
    nav.addAction(_action(w, "Select text in &turn", w.transcript.focus_text, "F2"))

    view = bar.addMenu("&View")
    view.addAction(
        _action(w, "Zoom &in", lambda: w.transcript.zoom(1), QKeySequence.StandardKey.ZoomIn)
    )
    view.addAction(
        _action(w, "Zoom &out", lambda: w.transcript.zoom(-1), QKeySequence.StandardKey.ZoomOut)
    )

    view.addAction(_action(w, "&Refresh", w.refresh_now, "F5"))

    round_menu = bar.addMenu("&Rounds")
    round_menu.setToolTipsVisible(True)  # the disabled lead-only items say why
    lead_only = [
        (
            _action(
                w, "&Manage rounds…", lambda: open_child(w, "rounds_dialog.open_rounds_dialog")
            ),
            "manage coding rounds",
            "Open, assign, lock, reopen and unblind coding rounds",
        ),
        (
            _action(w, "&Blinding…", lambda: change_blinding(w)),
            "change when raters are blinded",
            "Choose when raters see only their own codes",
        ),
        (
            _action(
                w,
                "Reliability and &consensus…",
                lambda: open_reliability(w),
                "Ctrl+Shift+R",
            ),
            "open reliability and consensus",
            "Inter-rater reliability and disagreements (leads)",
        ),
        audit_trail_item(w),
    ]
    *round_actions, reliability, audit_trail = (action for action, _, _ in lead_only)
    round_menu.addActions(round_actions)
    round_menu.addAction(
        _action(w, "&Progress…", lambda: open_child(w, "progress_view.open_progress_view"))
    )
    round_menu.addSeparator()
    round_menu.addActions([reliability, audit_trail])
    w.lead_only_actions = lead_only
    update_for_identity(w)
    patients = bar.addMenu("&Patients")
    patients.addAction(
        _action(
            w,
            "Patient &profile…",
            lambda: open_profile(w),
            "Ctrl+Shift+P",
            "Rupture profile, intake and type formulation of the current patient",
        )
    )
    w.round_menu = round_menu

    tools = w.addToolBar("Coding")
    tools.setObjectName("coding-toolbar")
    tools.addWidget(w.scheme_combo)
    w.rater_filter_action = tools.addWidget(w.rater_filter)
    tools.addSeparator()
    tools.addWidget(w.search_box)
    tools.addAction(undo_action)
    tools.addAction(redo_action)


def focus_find_box(w: WindowHost) -> None:
    """Navigate ▸ Find in transcript: into the find box, its text selected to retype."""
    w.search_box.setFocus()
    w.search_box.selectAll()


def lead_only_reason(what: str) -> str:
    """Why a lead-only action is disabled, and how to get at it."""
    return f"Only a lead can {what}; sign in as a lead (File ▸ Switch rater…)"


def update_for_identity(w: WindowHost) -> None:
    """Enable the lead-only actions for a lead and disable them, saying why, for
    anyone else (a rater, or nobody signed in yet)."""
    is_lead = w.coder is not None and w.coder.is_lead
    for action, what, purpose in w.lead_only_actions:
        action.setEnabled(is_lead)
        tip = purpose if is_lead else lead_only_reason(what)
        action.setToolTip(tip)
        action.setStatusTip(tip)


def connect_lab_server(w: WindowHost) -> None:
    """File ▸ Connect to lab server…: open the project on a PostgreSQL server and show it."""
    from coder.ui.projects_menu import switch_project
    from coder.ui.server_dialog import connect_to_server

    db = connect_to_server(w)
    if db is not None:
        switch_project(w, db)


def switch_rater(w: WindowHost) -> None:
    from coder.ui.identity_dialog import choose_coder

    coder = choose_coder(w.db, w, w.coder.name if w.coder else None)
    if coder is not None:
        w.save_position()
        w.set_coder(coder)


def edit_memo(w: WindowHost) -> None:
    if w.ws is None:
        return
    chosen = [c for c in w.applied.selected_codes() if w.ws.own(c)]
    if not chosen:
        own = [c for c in w.applied.applied.codes if w.ws.own(c)]
        chosen = own[-1:]
    if not chosen:
        w.show_message("Select one of your codes to attach a memo")
        return
    code = chosen[0]
    text = w.prompter.memo(memo_code_label(w, code), memo_where(code), code.memo)
    if text is not None and text != code.memo:
        w.controller.memo(code, text)


def memo_code_label(w: WindowHost, code: Any) -> str:
    """``W1 — Denial`` (the id alone for a rating or stage)."""
    scheme = w.ws.scheme if w.ws is not None else None
    if scheme is not None and scheme.is_code(code.code_id):
        return f"{code.code_id} — {scheme.code(code.code_id).name}"
    return str(code.code_id)


def memo_where(code: Any) -> str:
    """``segment 3, turn 12`` — where the code is."""
    unit = getattr(code.unit, "value", str(code.unit))
    where = f"{unit} {code.unit_index}"
    if code.evidence is not None:
        where += f", turn {code.evidence.turn}"
    return where


def nudge_boundary(w: WindowHost, step: int) -> None:
    if w.ws is None or w.current_segment is None:
        return
    seg = w.ws.cs.segment(w.current_segment)
    w.controller.move_boundary(seg.index, seg.first_turn + step)


def open_child(w: WindowHost, opener: str) -> None:
    """Open a lead's-desk window (``module.function`` in coder.ui) and keep it alive."""
    from importlib import import_module

    module, function = opener.rsplit(".", 1)
    child = getattr(import_module(f"coder.ui.{module}"), function)(w)
    if child is not None:
        w.child_windows.append(child)


def import_transcripts(w: WindowHost) -> None:
    from coder.ui.import_flow import run_import

    run_import(w)


def open_reliability(w: WindowHost) -> None:
    from coder.ui.reliability_view import open_reliability_view

    if w.coder is None:
        w.show_message("Choose who you are first (File ▸ Switch rater)")
        return
    w.child_windows.append(open_reliability_view(w.db, w.coder, w))


def current_patient(w: WindowHost) -> str | None:
    """The patient of the open session, else the one selected in the session list."""
    if w.ws is not None:
        return w.ws.cs.patient
    index = w.sessions_view.currentIndex()
    while index.isValid() and index.parent().isValid():
        index = index.parent()
    value = index.siblingAtColumn(0).data() if index.isValid() else None
    return str(value) if value else None


def open_profile(w: WindowHost) -> None:
    from coder.ui.patient_view import open_patient_view

    patient = current_patient(w)
    if w.coder is None or patient is None:
        w.show_message("Choose who you are and a patient first")
        return
    w.child_windows.append(open_patient_view(w, w.coder, patient))
