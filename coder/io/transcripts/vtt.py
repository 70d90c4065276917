"""WebVTT subtitles (W3C spec), including Zoom and Microsoft Teams transcripts.

Speakers come from voice spans ``<v Name>`` (generic and Teams, closing ``</v>``
optional, classes like ``<v.loud Name>`` allowed) or, without a voice span, Zoom's
``Display Name: text`` prefix. Teams' GUID cue identifiers (``6c0d.../12-0``) are
identifier lines and never text. NOTE, STYLE and REGION blocks are skipped. A cue with a
malformed timing line is skipped with a warning naming it; the file fails only when no cue
at all can be read. Parsing is hand-written for the reasons given in :mod:`cues`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from coder.io.transcripts.chunks import build_parsed
from coder.io.transcripts.cues import (
    Cue,
    cues_to_chunks,
    label_counts,
    parse_timing,
    split_blocks,
    split_prefixed,
    timing_index,
)
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.model import ParsedTranscript, ReadOptions

_HEADER = re.compile(r"^\ufeff?WEBVTT(?:[ \t].*)?$")
_SKIPPED = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[^>\n]*>")


def read_vtt(
    text: str, *, path: Path, encoding: str, warnings: list[str], options: ReadOptions
) -> list[ParsedTranscript]:
    """One transcript from decoded WebVTT text."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not _HEADER.match(first_line):
        raise TranscriptFormatError("not a WebVTT file: line 1 must start with 'WEBVTT'", path=path)
    notes = list(warnings)
    blocks = split_blocks(text)[1:]  # the first block is the header
    raw: list[tuple[list[tuple[str | None, str]], int, int, str]] = []
    bad = 0
    for block in blocks:
        if _SKIPPED.match(block.lines[0]):
            continue
        index = timing_index(block)
        ident = block.lines[0].strip() if index == 1 else None
        where = f"cue {len(raw) + bad + 1}" + (f" (id {ident})" if ident else "")
        where += f" at line {block.line_no + (index or 0)}"
        try:
            if index is None:
                raise ValueError("no 'start --> end' timing line")
            start, end = parse_timing(block.lines[index])
        except ValueError as exc:
            notes.append(f"{where}: malformed timing ({exc}); cue skipped")
            bad += 1
            continue
        raw.append((_voices(block.lines[index + 1 :]), start, end, where))
    if not raw:
        detail = f"all {bad} cue(s) are malformed" if bad else "the file has no cues"
        raise TranscriptFormatError(f"no cues could be read: {detail}", path=path)
    counts = label_counts(t for pieces, *_ in raw for s, t in pieces if s is None)
    cues: list[Cue] = []
    for pieces, start, end, where in raw:
        for voice, body in pieces:
            lines = body.split("\n")
            resolved = [(voice, " ".join(lines))] if voice else split_prefixed(lines, None, counts)
            cues.extend(Cue(s, t, start, end, where) for s, t in resolved)
    chunks = cues_to_chunks(cues, notes)
    return [
        build_parsed(
            chunks,
            path=path,
            fmt="vtt",
            options=options,
            encoding=encoding,
            warnings=notes,
            no_turns="no cue holds any text",
        )
    ]


def _voices(payload: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """Split a cue payload at voice spans into (speaker or None, plain text) pieces."""
    parts = _VOICE.split("\n".join(payload))
    pieces: list[tuple[str | None, str]] = []
    if parts[0].strip():
        pieces.append((None, _plain(parts[0])))
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        speaker = (name or "").strip() or None
        pieces.append((speaker, _plain(body)))
    return [(s, t) for s, t in pieces if t.strip()]


def _plain(markup: str) -> str:
    """Text without tags (``<c>``, ``<i>``, inline ``<00:00:05.250>``), entities decoded."""
    lines = (html.unescape(_TAG.sub("", line)).strip() for line in markup.split("\n"))
    return "\n".join(line for line in lines if line)
