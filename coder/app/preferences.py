"""Per-computer preferences: small conveniences remembered in the user data folder.

Nothing here decides who someone *is*. The last rater who signed in on this computer for
a project is only *preselected* in the sign-in dialog (so a shared lab computer offers
the person who used it last rather than whoever sorts first), and the dialog still asks
for their PIN or passphrase. Because it is only a convenience, a preferences file that
cannot be read or written never blocks work: a missing or damaged file reads as
"nothing remembered" and a failed write is reported by the return value, not raised.

The file (``preferences.json`` in :func:`coder.app.demo.data_dir`, which ``$CODER_HOME``
overrides) is keyed by the project's database: the file path for SQLite, the URL without
its password for a server, so a password never lands in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coder.app.demo import data_dir
from coder.domain.errors import CoderError
from coder.io.atomic import write_atomically
from coder.store.database import ProjectDatabase, describe

PREFERENCES_FILE = "preferences.json"
LAST_RATER = "last_rater"


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
