"""Atomic file writing: write next to the target, flush it to the disk, then move it
into place.

The one writer of every finished file (exports, CSVs, plots, the Word reports, screening
models, preferences), so a failed export never leaves a truncated file where a good one
was, never leaves its temporary file behind, a power cut after "Wrote FILE" never leaves
an empty one (the data is synced before the rename, the rename after it), every new file
gets the permissions a plain ``open()`` would give (so a lab sharing a results folder
reads them), and it always reports an operating-system refusal (no permission, a
folder chosen as the file, a full disk) as a :class:`~coder.domain.errors.CoderError` in
words that name the file the user chose. This module imports nothing heavy, so a writer
that only needs it does not pull in matplotlib.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from coder.domain.errors import file_error


def _file_mode(path: Path) -> int:
    """The replaced file's permissions, or what a plain ``open()`` would give (mkstemp
    makes its file private, which would surprise a lab sharing a results folder)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a platform whose folders cannot be opened
    (Windows) syncs renames on its own."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the data itself is synced
    finally:
        os.close(fd)


def _os_error(code: int) -> OSError:
    """The error the OS would give, raised before anything is created."""
    return OSError(code, os.strerror(code))


@contextmanager
def atomic_file(path: Path, *, encoding: str | None = None) -> Iterator[IO[Any]]:
    """Yield a file opened next to ``path``; when the block ends cleanly it replaces
    ``path``, otherwise it is removed.

    Binary unless ``encoding`` is given (then text with ``newline=""``, as the csv module
    wants). Any ``OSError`` while creating, writing or moving the file becomes a
    :class:`~coder.domain.errors.FileAccessError` naming ``path``.
    """
    folder = path.parent if str(path.parent) else Path(".")
    # Checked first so the common mistakes cost nothing and are worded exactly; the
    # same errors raised later by the OS are translated by the same mapping.
    try:  # (is_dir() itself raises for a name too long)
        if path.is_dir():
            raise _os_error(errno.EISDIR)
        if not folder.is_dir():
            raise _os_error(errno.ENOTDIR if folder.exists() else errno.ENOENT)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise file_error(exc, path, writing=True) from exc
    try:
        if encoding is None:
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline="")
        with fh:
            yield fh
            # On the disk before the rename: otherwise a power cut shortly after the
            # rename can leave the new name pointing at an empty or partial file.
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
        _sync_folder(folder)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise file_error(exc, path, writing=True) from exc
        raise


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` next to ``path`` and move it into place, so a failed export never
    leaves a truncated file where a good one was."""
    with atomic_file(path) as fh:
        fh.write(data)
    return path
