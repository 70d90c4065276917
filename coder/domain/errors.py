"""Errors users can act on.

Every layer raises a subclass of :class:`CoderError` for a problem caused by input
(files, options, project state). The CLI prints ``str(error)`` as one line and exits 2;
the UI shows the same text. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

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
