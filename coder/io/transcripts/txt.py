"""Plain-text transcripts: labelled lines as typed by transcribers or exported by services.

Covers ``T: ...``/``Name: ...`` lines with continuation lines, Rev-style ``Name (01:23):``
headers, Otter-style ``Name  0:04`` headers and leading or own-line timestamps; the
line-level rules live in :mod:`lines` because Word documents share them. Wrapped lines of
one paragraph are joined with a space; a blank line starts a new paragraph (a newline).
"""

from __future__ import annotations

import re
from pathlib import Path

from coder.io.transcripts.chunks import build_parsed
from coder.io.transcripts.lines import Line, chunks_from_lines
from coder.io.transcripts.model import ParsedTranscript, ReadOptions

_NEWLINE = re.compile(r"\r\n|\r|\n")  # not str.splitlines: it also splits on \f, \x1c...
_OTTER_FOOTER = re.compile(r"^transcribed by https?://otter\.ai\s*$", re.IGNORECASE)


def read_txt(
    text: str, *, path: Path, encoding: str, warnings: list[str], options: ReadOptions
) -> list[ParsedTranscript]:
    """One transcript from decoded text."""
    notes = list(warnings)
    lines: list[Line] = []
    after_blank = True
    for number, raw in enumerate(_NEWLINE.split(text), start=1):
        stripped = raw.strip()
        if not stripped:
            after_blank = True
            continue
        if _OTTER_FOOTER.match(stripped):
            notes.append(f"line {number}: dropped the Otter.ai footer")
            continue
        lines.append(Line(stripped, f"line {number}", paragraph=after_blank))
        after_blank = False
    chunks, found = chunks_from_lines(lines)
    return [
        build_parsed(
            chunks,
            path=path,
            fmt="txt",
            options=options,
            encoding=encoding,
            warnings=notes + found,
        )
    ]
