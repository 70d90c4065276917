"""Which reader a file needs: its content first where content is unambiguous, else its name.

Content wins over the extension for the cases that are cheap and certain to sniff: a zip
or OLE container is a Word file whatever it is called; a ``WEBVTT`` first line is WebVTT;
an SRT first cue (number line, then ``00:00:01,000 --> ...``) is SRT. Files saved with the
wrong extension are common (captions saved as .txt). Otherwise the extension decides, and
unknown extensions fall back to a CSV-header check and finally to plain text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from coder.io.transcripts.errors import TranscriptFormatError

_BY_EXTENSION = {".docx": "docx", ".txt": "txt", ".vtt": "vtt", ".srt": "srt", ".csv": "csv",
                 ".tsv": "csv"}  # fmt: skip
_SRT_TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->")
_CSV_HEADER = re.compile(r"[,;\t]")
_CSV_NAMES = {"speaker", "interlocutor", "role", "text", "utterance", "utterance_text"}
_HEAD_BYTES = 4096


def detect_format(path: Path, data: bytes) -> str:
    """``docx``, ``vtt``, ``srt``, ``csv`` or ``txt`` for ``fmt="auto"``."""
    suffix = path.suffix.lower()
    if data.lstrip().startswith(b"{\\rtf"):
        raise TranscriptFormatError(
            "an RTF file; save it as .docx or plain text (.txt) and import that", path=path
        )
    if data.startswith((b"PK", b"\xd0\xcf\x11\xe0")) or suffix in (".docx", ".doc"):
        return "docx"  # the docx reader explains what is wrong with a non-docx container
    lines = [line.strip() for line in _head_text(data).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if first.startswith("WEBVTT"):
        return "vtt"
    srt_like = len(lines) >= 2 and first.isdigit() and _SRT_TIMING.match(lines[1]) is not None
    # A headerless .vtt with dot times stays vtt, so its reader can say the header is missing.
    if srt_like and (suffix != ".vtt" or "," in lines[1].split("-->")[0]):
        return "srt"
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    names = {cell.strip().strip('"').lower() for cell in _CSV_HEADER.split(first)}
    if len(names) >= 2 and names & _CSV_NAMES:
        return "csv"
    return "txt"


def _head_text(data: bytes) -> str:
    """The start of the file as text, good enough to sniff (never used for reading)."""
    head = data[:_HEAD_BYTES]
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return head[: len(head) // 2 * 2].decode(name, errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")
