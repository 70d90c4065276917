"""Reading psychotherapy transcripts from the files labs actually receive.

``read_transcripts(path, options)`` accepts Word (.docx), plain text, WebVTT (generic,
Zoom, Teams), SRT and CSV, and returns a list because one CSV can hold several sessions.
Every reader produces the same :class:`ParsedTranscript`: turns numbered 1..n, times in
milliseconds (never invented: unknown ends stay ``None``), raw speaker labels kept exactly
as found, a *suggested* role per label, and warnings for anything skipped or repaired.
Problems with the file raise :class:`TranscriptFormatError` naming the file and the line or
cue. The layouts and detection rules follow ``shared/domain/transcript-formats.md``.
"""

from __future__ import annotations

from pathlib import Path

from coder.domain.errors import CoderError
from coder.io.limits import MAX_TRANSCRIPT_BYTES, read_regular_file
from coder.io.transcripts.csv_reader import read_csv
from coder.io.transcripts.decoding import check_text, decode_text
from coder.io.transcripts.detect import detect_format
from coder.io.transcripts.docx_reader import read_docx
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.model import ParsedTranscript, ReadOptions
from coder.io.transcripts.roles import RoleGuess, guess_role
from coder.io.transcripts.srt import read_srt
from coder.io.transcripts.txt import read_txt
from coder.io.transcripts.vtt import read_vtt

__all__ = [
    "ParsedTranscript",
    "ReadOptions",
    "RoleGuess",
    "TranscriptFormatError",
    "guess_role",
    "read_transcripts",
]

_TEXT_READERS = {"txt": read_txt, "vtt": read_vtt, "srt": read_srt, "csv": read_csv}


def read_transcripts(
    path: Path,
    options: ReadOptions = ReadOptions(),  # noqa: B008 - frozen, so safe to share
) -> list[ParsedTranscript]:
    """Read every transcript in ``path`` (one, or one per CSV session)."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_TRANSCRIPT_BYTES, "transcript file")
    except CoderError as exc:  # one error type from the readers (see errors.py)
        raise TranscriptFormatError(exc.problem, path=path) from exc
    if not data.strip():
        raise TranscriptFormatError("the file is empty", path=path)
    fmt = detect_format(path, data) if options.fmt == "auto" else options.fmt
    if fmt == "docx":
        return read_docx(data, path=path, options=options)
    text, encoding, warnings = decode_text(data, path)
    if not text.strip("\ufeff \t\r\n"):
        raise TranscriptFormatError("the file is empty", path=path)
    check_text(text, path)
    reader = _TEXT_READERS[fmt]
    return reader(text, path=path, encoding=encoding, warnings=warnings, options=options)
