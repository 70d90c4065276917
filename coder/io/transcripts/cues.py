"""What WebVTT and SRT share: blocks, timing lines, in-text speakers, speakerless cues.

Hand-written rather than built on webvtt-py, pysrt or srt: none is installed, and those
parsers stop at (or silently drop) the first malformed cue, whereas we must skip one bad
cue with a warning naming it, and recover Zoom's ``Name: text`` and SRT's ``- [Name]``
speakers. Both grammars are a handful of lines, so owning them costs little.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coder.io.transcripts.chunks import SourceChunk
from coder.io.transcripts.labels import is_plausible, match_label
from coder.io.transcripts.timecodes import parse_timecode

NEWLINE = re.compile(r"\r\n|\r|\n")
UNKNOWN_SPEAKER = "unknown"
_TIMING = re.compile(r"^\s*(?P<start>\S+)\s*-->\s*(?P<end>\S+)(?:\s.*)?$")


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive non-blank lines; ``line_no`` is the 1-based line of the first."""

    line_no: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cue:
    """One speaker's text within a cue (a cue may hold several voices)."""

    speaker: str | None
    text: str
    start_ms: int
    end_ms: int
    where: str


def split_blocks(text: str) -> list[Block]:
    """Blocks separated by blank lines, with their line numbers for messages."""
    blocks: list[Block] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(NEWLINE.split(text), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            blocks.append(Block(first, tuple(current)))
            current = []
    if current:
        blocks.append(Block(first, tuple(current)))
    return blocks


def timing_index(block: Block) -> int | None:
    """Index of the ``-->`` line: 0, or 1 after an identifier/number line."""
    for index, line in enumerate(block.lines[:2]):
        if "-->" in line:
            return index
    return None


def parse_timing(line: str) -> tuple[int, int]:
    """``(start_ms, end_ms)`` of ``start --> end [settings]``; ValueError if malformed."""
    match = _TIMING.match(line)
    if match is None:
        raise ValueError("expected 'start --> end'")
    return parse_timecode(match["start"]), parse_timecode(match["end"])


def label_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each shape-valid ``Name:`` label starts a line (evidence for speakers)."""
    return Counter(m.label for m in map(match_label, texts) if m is not None)


def split_prefixed(
    lines: Sequence[str], speaker: str | None, counts: Counter[str]
) -> list[tuple[str | None, str]]:
    """Split payload lines at plausible ``Name: text`` prefixes into (speaker, text)."""
    pieces: list[tuple[str | None, str]] = []
    for line in lines:
        found = match_label(line)
        if found is not None and is_plausible(found.label, counts[found.label]):
            pieces.append((found.label, found.body))
        elif pieces:
            pieces[-1] = (pieces[-1][0], f"{pieces[-1][1]} {line}")
        else:
            pieces.append((speaker, line))
    return pieces


def cues_to_chunks(cues: Sequence[Cue], warnings: list[str]) -> list[SourceChunk]:
    """Give speakerless cues the previous speaker (``unknown`` at the start); flag overlaps."""
    chunks: list[SourceChunk] = []
    previous: str | None = None
    carried: list[Cue] = []
    overlaps: list[Cue] = []
    last_end: int | None = None
    for cue in cues:
        speaker = cue.speaker
        if speaker is None:
            if previous is not None:
                carried.append(cue)
            speaker = previous or UNKNOWN_SPEAKER
        if last_end is not None and cue.start_ms < last_end and chunks[-1].where != cue.where:
            overlaps.append(cue)
        last_end = cue.end_ms
        previous = speaker
        chunks.append(SourceChunk(speaker, cue.text, cue.start_ms, cue.end_ms, cue.where, " "))
    if carried:
        warnings.append(
            f"{len(carried)} cue(s) had no speaker and were given the previous speaker "
            f"(first: {carried[0].where})"
        )
    if overlaps:
        warnings.append(
            f"{len(overlaps)} cue(s) start before the previous cue ends "
            f"(first: {overlaps[0].where})"
        )
    return chunks
