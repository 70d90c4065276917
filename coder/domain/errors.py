"""Errors users can act on.

Every layer raises a subclass of :class:`CoderError` for a problem caused by input
(files, options, project state). The CLI prints ``str(error)`` as one line and exits 2;
the UI shows the same text. Anything else is a bug and keeps its traceback.

An ``OSError`` on a file the user chose is such a problem too: :func:`file_error` turns it
into words naming the file (no permission, a folder, a full disk, ...).
"""

from __future__ import annotations

import errno as _errno
from pathlib import Path


class CoderError(Exception):
    """A problem the user can fix; the message names the file and the problem."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.problem = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class ValidationError(CoderError):
    """Input data breaks a domain rule (bad value, bad span, duplicate id)."""


class NotFoundError(CoderError):
    """A named thing (patient, session, rater, scheme, code) does not exist."""


class ProjectError(CoderError):
    """The project file or database cannot be used as asked."""


class FileAccessError(CoderError):
    """The operating system refused to read or write a file the user chose.

    ``errno`` keeps the reason for code that wants to react to it (tests, retries); the
    message is the reason in words, from :func:`os_error_problem`.
    """

    def __init__(self, message: str, *, path: str | Path, errno: int | None = None) -> None:
        self.errno = errno
        super().__init__(message, path=path)


# One place turns operating-system errors into words a researcher can act on, so the
# CLI, the desktop app and every reader and writer say the same thing for the same
# problem. errno is a stdlib table of numbers: this stays pure. EDQUOT is missing on
# Windows, hence getattr.
_EDQUOT = getattr(_errno, "EDQUOT", None)
_FULL = {_errno.ENOSPC} | ({_EDQUOT} if _EDQUOT is not None else set())


def os_error_problem(exc: OSError, *, writing: bool, what: str = "file") -> str:
    """What went wrong with a file, in words, without the file name (the caller names it).

    ``writing`` picks the verb; ``what`` names the kind of file for reading ("scheme
    file", "transcript file") so a message can say "no such scheme file".
    """
    code = exc.errno
    if code in (_errno.EACCES, _errno.EPERM):
        if writing:
            return (
                "you don't have permission to write this file or its folder "
                "(if the file is open in another program, close it there); "
                "choose another folder or ask for access"
            )
        return f"you don't have permission to read this {what}; ask for access or copy it"
    if code == _errno.EISDIR:
        return "is a folder; choose a file name" if writing else f"is a folder, not a {what}"
    if code == _errno.ENOENT:
        if writing:
            return "the folder does not exist; choose an existing folder"
        return f"no such {what}"
    if code == _errno.ENOTDIR:
        return "part of the path is a file, not a folder; choose an existing folder"
    if code in _FULL:
        return (
            "the disk is full (or your storage quota is used up); nothing was written: "
            "free some space or choose another disk"
        )
    if code == _errno.EROFS:
        return (
            "the disk is read-only (e.g. a locked USB stick or a read-only network share); "
            "choose another folder"
        )
    if code == _errno.ENAMETOOLONG:
        return "the file name is too long; choose a shorter name or a folder nearer the top"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot {'write' if writing else 'read'} the {what}: {reason}"


def file_error(
    exc: OSError, path: str | Path, *, writing: bool, what: str = "file"
) -> FileAccessError:
    """``exc`` as a :class:`FileAccessError` naming ``path``: the file the user chose, not
    a temporary file next to it (raise it ``from exc`` to keep the original)."""
    problem = os_error_problem(exc, writing=writing, what=what)
    return FileAccessError(problem, path=path, errno=exc.errno)
