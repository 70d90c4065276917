"""Where the files that ship with the program are: schemes, sample transcripts, docs.

One rule for every way the program runs:

* from a source checkout (``pip install -e .``): the folders beside the ``coder`` package;
* from the installer bundle (PyInstaller sets ``sys.frozen`` and ``sys._MEIPASS``): the
  bundle's data folder, where ``installer/rupture-coder.spec`` puts them;
* from a wheel installed elsewhere: ``<sys.prefix>/share/rupture-coder/<name>``.

The first of these that exists wins; an environment variable (e.g. ``CODER_SCHEMES_DIR``)
overrides all of them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "rupture-coder"


def bundle_root() -> Path | None:
    """The PyInstaller bundle's data folder, or None when not running from a bundle."""
    meipass = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and meipass:
        return Path(meipass)
    return None


def source_root() -> Path:
    """The folder holding the ``coder`` package (a checkout's root)."""
    return Path(__file__).resolve().parents[2]


def candidates(name: str) -> list[Path]:
    """Where a shipped folder ``name`` may be, in the order they are tried."""
    found = []
    bundle = bundle_root()
    if bundle is not None:
        found.append(bundle / name)
    found.append(source_root() / name)
    found.append(Path(sys.prefix) / "share" / APP_NAME / name)
    return found


def resource_dir(name: str, env: str | None = None) -> Path:
    """The shipped folder ``name`` (``schemes``, ``sample_transcripts``, ``docs``):
    ``$env`` if set, else the first candidate that exists, else the first candidate
    (so an error message names where it was looked for)."""
    if env and os.environ.get(env):
        return Path(os.environ[env])
    tried = candidates(name)
    for folder in tried:
        if folder.is_dir():
            return folder
    return tried[0]
