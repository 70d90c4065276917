"""SubRip (.srt) subtitles: numbered cues with ``00:00:05,120 --> 00:00:11,480`` timings.

SRT has no speaker field, so speakers follow ad-hoc conventions: ``NAME: text``,
``[Name] text``, ``>> Name: text`` and dialogue dashes (``- text``, one line per
speaker; a dash without a name is an unknown speaker). Tolerated: missing or repeated
numbers, a dot for the comma, missing hours, display coordinates after the end time,
``<i>``/``<font>`` tags and ``{\\an8}`` position codes. Parsing is hand-written for the
reasons given in :mod:`cues`; malformed cues are skipped with a warning as for WebVTT.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from coder.io.transcripts.chunks import build_parsed
from coder.io.transcripts.cues import (
    UNKNOWN_SPEAKER,
    Cue,
    cues_to_chunks,
    label_counts,
    parse_timing,
    split_blocks,
    split_prefixed,
    timing_index,
)
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.labels import role_like
from coder.io.transcripts.model import ParsedTranscript, ReadOptions

_MARKUP = re.compile(r"</?[^>\n]*>|\{\\[^}]*\}")
_DASH = re.compile(r"^[-–]\s*(?:\[(?P<name>[^\]]{1,40})\]\s*)?(?P<body>.*)$")
_BRACKET = re.compile(r"^\[(?P<name>[^\]]{1,40})\]\s*(?P<body>.*)$")
_CHEVRONS = re.compile(r"^>>\s*")


def read_srt(
    text: str, *, path: Path, encoding: str, warnings: list[str], options: ReadOptions
) -> list[ParsedTranscript]:
    """One transcript from decoded SRT text."""
    notes = list(warnings)
    timed: list[tuple[list[str], int, int, str]] = []
    bad = 0
    for ordinal, block in enumerate(split_blocks(text), start=1):
        index = timing_index(block)
        number = block.lines[0].strip() if index == 1 else str(ordinal)
        where = f"cue {number} at line {block.line_no + (index or 0)}"
        try:
            if index is None:
                raise ValueError("no 'start --> end' timing line")
            start, end = parse_timing(block.lines[index])
        except ValueError as exc:
            notes.append(f"{where}: malformed timing ({exc}); cue skipped")
            bad += 1
            continue
        payload = [_clean(line) for line in block.lines[index + 1 :]]
        timed.append(([line for line in payload if line], start, end, where))
    if not timed:
        detail = f"all {bad} cue(s) are malformed" if bad else "the file has no cues"
        raise TranscriptFormatError(f"no cues could be read: {detail}", path=path)
    counts = label_counts(line for lines, *_ in timed for line in lines)
    brackets = _bracket_counts(line for lines, *_ in timed for line in lines)
    cues: list[Cue] = []
    for lines, start, end, where in timed:
        for speaker, body in _speakers(lines, counts, brackets):
            cues.append(Cue(speaker, body, start, end, where))
    chunks = cues_to_chunks(cues, notes)
    return [
        build_parsed(
            chunks,
            path=path,
            fmt="srt",
            options=options,
            encoding=encoding,
            warnings=notes,
            no_turns="no cue holds any text",
        )
    ]


def _clean(line: str) -> str:
    return _CHEVRONS.sub("", _MARKUP.sub("", line)).strip()


def _bracket_counts(lines: Iterable[str]) -> Counter[str]:
    """How often each ``[Name]`` opens a line: ``[Laughs]`` once is a sound, not a speaker."""
    matches = (_DASH.match(line) or _BRACKET.match(line) for line in lines)
    return Counter(m["name"] for m in matches if m is not None and m["name"])


def _speakers(
    lines: list[str], counts: Counter[str], brackets: Counter[str]
) -> list[tuple[str | None, str]]:
    """Split a cue's lines into (speaker, text): dashes and brackets first, then prefixes."""
    pieces: list[tuple[str | None, str]] = []
    for line in lines:
        dash = _DASH.match(line)
        bracket = _BRACKET.match(line)
        if dash is not None:
            pieces.append((dash["name"] or UNKNOWN_SPEAKER, dash["body"]))
        elif bracket is not None and (brackets[bracket["name"]] >= 2 or role_like(bracket["name"])):
            pieces.append((bracket["name"], bracket["body"]))
        else:
            speaker = pieces[-1][0] if pieces else None
            split = split_prefixed([line], speaker, counts)
            if pieces and split[0][0] == speaker:
                pieces[-1] = (speaker, f"{pieces[-1][1]} {split[0][1]}")
            else:
                pieces.extend(split)
    return pieces
