"""The one error type transcript readers raise.

A subclass of :class:`CoderError` so the CLI and UI show it as a one-line, actionable
message ("<file>: line 12: ...") rather than a traceback; a separate class so callers
that import many files can tell "this file is unreadable" from other project errors.
"""

from __future__ import annotations

from coder.domain.errors import CoderError


class TranscriptFormatError(CoderError):
    """A transcript file cannot be read: wrong format, damaged, or holds no turns."""
