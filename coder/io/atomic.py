"""Atomic file writing: build the bytes, write them next to the target, move into place.

Shared by every writer of a finished file (plots, the Word reports), so a failed export
never leaves a truncated file where a good one was. This module imports nothing heavy, so
a writer that only needs it does not pull in matplotlib.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coder.domain.errors import CoderError


def _file_mode(path: Path) -> int:
    """The replaced file's permissions, or what a plain ``open()`` would give (mkstemp
    makes its file private, which would surprise a lab sharing a results folder)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` next to ``path`` and move it into place, so a failed export never
    leaves a truncated file where a good one was."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CoderError("folder does not exist", path=folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
