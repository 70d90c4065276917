"""Per-computer preferences: small conveniences remembered in the user data folder.

Nothing here decides who someone *is*. The last rater who signed in on this computer for
a project is only *preselected* in the sign-in dialog (so a shared lab computer offers
the person who used it last rather than whoever sorts first), and the dialog still asks
for their PIN or passphrase. Because it is only a convenience, a preferences file that
cannot be read or written never blocks work: a missing or damaged file reads as
"nothing remembered" and a failed write is reported by the return value, not raised.

The file (``preferences.json`` in :func:`coder.app.demo.data_dir`, which ``$CODER_HOME``
overrides) is keyed by the project's database: the file path for SQLite, the URL without
its password for a server, so a password never lands in it. The same file lists the
projects recently opened here (*File ▸ Open recent*), most recent first, and the folder
each kind of file dialog was last used in (:func:`last_folder`), so that exporting the
tenth report does not start from the home folder again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.app.demo import data_dir
from coder.domain.errors import CoderError, file_error
from coder.io.atomic import write_atomically
from coder.store.database import ProjectDatabase, describe

PREFERENCES_FILE = "preferences.json"
LAST_RATER = "last_rater"
RECENT_PROJECTS = "recent_projects"
MAX_RECENT = 10
LAST_FOLDERS = "last_folders"


def preferences_path() -> Path:
    return data_dir() / PREFERENCES_FILE


def project_key(db: ProjectDatabase) -> str:
    """Which project a remembered value belongs to (never containing a password)."""
    return describe(db.url)


def last_rater(db: ProjectDatabase) -> str | None:
    """The name of the last rater who signed in on this computer for this project."""
    value = _read().get(LAST_RATER, {})
    name = value.get(project_key(db)) if isinstance(value, dict) else None
    return name if isinstance(name, str) and name else None


def remember_rater(db: ProjectDatabase, name: str) -> bool:
    """Remember ``name`` as this project's last rater here; False if it could not be
    written (a read-only home folder must not stop anyone from coding)."""
    data = _read()
    remembered = data.get(LAST_RATER)
    if not isinstance(remembered, dict):
        remembered = {}
    data[LAST_RATER] = {**remembered, project_key(db): name}
    return _write(data)


@dataclass(frozen=True)
class RecentProject:
    """A project opened on this computer: where it is (a file path, or a server URL
    without its password) and the name it had then."""

    location: str
    name: str

    @property
    def is_file(self) -> bool:
        return "://" not in self.location


def recent_projects() -> list[RecentProject]:
    """The projects opened here, most recent first (at most :data:`MAX_RECENT`)."""
    listed = _read().get(RECENT_PROJECTS, [])
    if not isinstance(listed, list):
        return []
    recent = []
    for item in listed:
        if isinstance(item, dict) and isinstance(item.get("location"), str):
            name = item.get("name")
            recent.append(RecentProject(item["location"], name if isinstance(name, str) else ""))
    return recent[:MAX_RECENT]


def remember_project(db: ProjectDatabase, name: str) -> bool:
    """Put ``db`` first in the recent projects (once; the oldest beyond ten drop off).
    False if it could not be written."""
    entry = RecentProject(project_key(db), name)
    listed = [entry] + [r for r in recent_projects() if r.location != entry.location]
    data = _read()
    data[RECENT_PROJECTS] = [{"location": r.location, "name": r.name} for r in listed[:MAX_RECENT]]
    return _write(data)


def forget_project(location: str) -> bool:
    """Drop a recent project (e.g. one whose file is gone)."""
    data = _read()
    data[RECENT_PROJECTS] = [
        {"location": r.location, "name": r.name}
        for r in recent_projects()
        if r.location != location
    ]
    return _write(data)


def last_folder(kind: str) -> Path | None:
    """The folder a file dialog of ``kind`` (e.g. "project", "csv", "report") last
    chose a file in; None if none is remembered or that folder has gone since (a dialog
    opened on a missing folder would silently fall back to somewhere surprising)."""
    folders = _read().get(LAST_FOLDERS, {})
    value = folders.get(kind) if isinstance(folders, dict) else None
    if not isinstance(value, str) or not value:
        return None
    folder = Path(value)
    return folder if folder.is_dir() else None


def remember_folder(kind: str, folder: Path) -> bool:
    """Remember ``folder`` as where dialogs of ``kind`` start next time (absolute, so a
    later change of working folder does not move it). False if it could not be written."""
    data = _read()
    folders = data.get(LAST_FOLDERS)
    if not isinstance(folders, dict):
        folders = {}
    data[LAST_FOLDERS] = {**folders, kind: str(folder.expanduser().absolute())}
    return _write(data)


def create_folder(folder: Path) -> None:
    """Create ``folder`` (and its missing parents) for a file the user is about to
    write; a refusal becomes a :class:`~coder.domain.errors.FileAccessError` naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_error(exc, folder, writing=True, what="folder") from exc


def _write(data: dict[str, Any]) -> bool:
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        write_atomically(preferences_path(), text.encode("utf-8"))
    except (OSError, CoderError):
        return False
    return True


def _read() -> dict[str, Any]:
    try:
        data = json.loads(preferences_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
