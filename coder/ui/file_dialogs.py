"""The one place the app asks for a file name: every open and save dialog goes here.

Users of MAXQDA or ATLAS.ti export dozens of reports into the same folder; a dialog that
starts in the home folder each time, or floats unparented behind the window that asked,
is the first thing they notice. So every dialog

* is parented to the window that asked (the patient view's export dialog sits on the
  patient view, not on the main window, and closes with it);
* starts in the folder last used for that *kind* of file (project, transcripts, CSV,
  report, plots...), remembered per computer in ``preferences.json``
  (:func:`coder.app.preferences.last_folder`); a save dialog proposes its default name
  inside it;
* after a save dialog, when the chosen folder does not exist (typed by hand), asks
  whether to create it and creates it, or returns nothing if the user declines.

The kind defaults to the first file pattern of the filter (``*.csv`` → ``csv``), so a
caller that does not name one still gets a sensible memory.

Widgets reach these through :class:`coder.ui.prompter.Prompter`, which tests replace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from coder.app import preferences
from coder.domain.errors import CoderError

Confirm = Callable[[str, str], bool]
ShowError = Callable[[str, str], None]


def kind_of(filters: str, kind: str | None = None) -> str:
    """The remembered-folder key: ``kind`` if given, else the filter's first suffix."""
    if kind:
        return kind
    match = re.search(r"\*\.([A-Za-z0-9]+)", filters)
    return match.group(1).lower() if match else "files"


def start_directory(kind: str) -> Path:
    """Where a dialog of ``kind`` opens: the folder last used for it, else the home
    folder (never the process's working folder, which for a desktop launch is arbitrary)."""
    return preferences.last_folder(kind) or Path.home()


def open_files(
    parent: QWidget | None, title: str, filters: str, kind: str | None = None
) -> list[Path]:
    key = kind_of(filters, kind)
    names, _ = QFileDialog.getOpenFileNames(parent, title, str(start_directory(key)), filters)
    paths = [Path(n) for n in names]
    if paths:
        preferences.remember_folder(key, paths[0].parent)
    return paths


def open_file(
    parent: QWidget | None, title: str, filters: str, kind: str | None = None
) -> Path | None:
    key = kind_of(filters, kind)
    name, _ = QFileDialog.getOpenFileName(parent, title, str(start_directory(key)), filters)
    if not name:
        return None
    path = Path(name)
    preferences.remember_folder(key, path.parent)
    return path


def save_file(
    parent: QWidget | None,
    title: str,
    filters: str,
    default: str,
    *,
    confirm: Confirm,
    show_error: ShowError,
    kind: str | None = None,
) -> Path | None:
    """Ask for a file to write. ``default`` is a proposed name (put in the remembered
    folder) or a full path (kept). A missing folder is created after ``confirm`` says
    yes; a folder that cannot be created is reported with ``show_error``."""
    key = kind_of(filters, kind)
    proposed = Path(default) if default else None
    if proposed is None:
        start = start_directory(key)
    elif proposed.is_absolute():
        start = proposed
    else:
        start = start_directory(key) / proposed
    name, _ = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    if not name:
        return None
    path = Path(name)
    folder = path.parent
    if not folder.is_dir():
        if not confirm(
            "Create folder?", f"The folder {folder} does not exist.\n\nCreate it and save there?"
        ):
            return None
        try:
            preferences.create_folder(folder)
        except CoderError as exc:
            show_error(title, str(exc))
            return None
    preferences.remember_folder(key, folder)
    return path
