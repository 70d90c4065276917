"""Size limits and the one safe way to read a file the user chose.

Why limits at all: every reader holds its file in memory (decoding, the CSV reader, the
docx container checks all need the bytes), so a file the size of a disk, an endless device
(``/dev/zero``) or a pipe with no writer (a FIFO: ``open`` blocks forever) would exhaust
memory or hang the import instead of failing with a message. Each limit is far above any
real input of its kind, so it only ever stops damaged or hostile files:

* transcripts: 50 MB. A three-hour session is about 200 kB of text (≈30,000 words) or a
  1-2 MB Word file; 50 MB of text is several hundred hours of talk, and a Word file that
  big is mostly pictures, which a transcript does not need.
* codes tables: 100 MB, over a million code rows (a study's codes are tens of thousands).
* scheme and formulation-rules files: their own, smaller limits in their modules.

The file is checked with ``stat`` *before* it is opened (a FIFO or device is refused
without blocking), and reading stops one byte past the limit, so a file that grows while
being read (or lies about its size, as ``/proc`` files do) cannot get past it either.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from coder.domain.errors import CoderError, file_error

MB = 1_000_000
MAX_TRANSCRIPT_BYTES = 50 * MB
MAX_CODES_CSV_BYTES = 100 * MB


class FileTooLarge(CoderError):
    """A file is over the size limit for its kind (see module docstring)."""


def describe_size(n: int) -> str:
    """``"1.2 MB"``-style size for messages (decimal megabytes, as file managers show)."""
    if n >= MB:
        return f"{n / MB:,.1f} MB"
    if n >= 1000:
        return f"{n / 1000:,.1f} kB"
    return f"{n} bytes"


def read_regular_file(path: Path, max_bytes: int, what: str, *, kind: str | None = None) -> bytes:
    """The bytes of ``path`` if it is an ordinary file of at most ``max_bytes``.

    ``what`` names the file in OS-error words ("no such {what}"); ``kind`` in the
    size-limit message, when that should be more specific (default: ``what``).

    Refuses folders, pipes (FIFOs), sockets and devices with words saying which, before
    opening them; OS errors become :func:`file_error` messages naming the file.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise file_error(exc, path, writing=False, what=what) from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise CoderError(f"is a folder, not a {what}", path=path)
    if not stat.S_ISREG(mode):
        kind = (
            "a pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not an ordinary file"
        )
        raise CoderError(
            f"is {kind}, not an ordinary file; only saved files can be read as a {what}",
            path=path,
        )
    if info.st_size > max_bytes:
        raise FileTooLarge(_too_large(info.st_size, max_bytes, kind or what), path=path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise file_error(exc, path, writing=False, what=what) from None
    if len(data) > max_bytes:
        raise FileTooLarge(_too_large(len(data), max_bytes, kind or what, grew=True), path=path)
    return data


def _too_large(size: int, limit: int, what: str, *, grew: bool = False) -> str:
    how = "grew past" if grew else f"is {describe_size(size)}, over"
    return (
        f"refused: the file {how} the limit of {describe_size(limit)} for a {what} "
        "(a damaged or wrong file? split a genuinely larger one)"
    )
