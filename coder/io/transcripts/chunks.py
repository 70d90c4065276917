"""From raw chunks to a :class:`ParsedTranscript`: the steps every format shares.

Readers only find chunks (speaker, text, times, where in the file). Normalising text,
merging a speaker's consecutive chunks, checking times, guessing roles and numbering the
turns happen here once, so every format behaves the same.

Text layout inside a turn: whitespace within a line collapses to one space; separate
*paragraphs* (a new docx paragraph, a text line after a blank line, a merged CSV row or
labelled paragraph) are joined with one newline; wrapped lines of one paragraph and merged
subtitle cues are joined with one space, because cue boundaries fall mid-sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.domain.transcript import Transcript, Turn
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.model import ParsedTranscript, ReadOptions
from coder.io.transcripts.roles import guess_role

MAX_TIME_MS = 24 * 3600 * 1000
MAX_GAP_MS = 3 * 3600 * 1000
NO_TURNS = "no speaker turns found (expected lines like 'T: ...' or 'Name: ...')"
# Invisible characters and typographic variants that would break search and word counts.
_TRANSLATE = str.maketrans(
    {
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
        "\u00ad": None, "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    }
)  # fmt: skip


# What str.splitlines splits at.
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class SourceChunk:
    """One unit a reader found: a cue, a row, a labelled paragraph with its continuations.

    ``joiner`` is how this chunk is glued to the previous one of the same speaker
    when merging: ``" "`` for subtitle cues, ``"\\n"`` for paragraphs and rows.
    """

    speaker: str
    text: str
    start_ms: int | None
    end_ms: int | None
    where: str
    joiner: str = "\n"


def normalise_text(text: str) -> str:
    """Collapse whitespace in each line, drop empty lines, remove invisible characters."""
    if not text.isascii():  # every character translated is non-ASCII: skip the table
        text = text.translate(_TRANSLATE)
    if _LINE_BREAK.search(text) is None:
        return " ".join(text.split())  # one line, the usual turn: no loops needed
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def normalise_label(label: str) -> str:
    return " ".join(label.translate(_TRANSLATE).split())


def merge_chunks(chunks: Sequence[SourceChunk]) -> list[SourceChunk]:
    """Consecutive chunks of one speaker become one: first start, last end."""
    merged: list[SourceChunk] = []
    for chunk in chunks:
        if merged and merged[-1].speaker == chunk.speaker:
            prev = merged[-1]
            merged[-1] = SourceChunk(
                prev.speaker,
                prev.text + chunk.joiner + chunk.text,
                prev.start_ms,
                chunk.end_ms,
                prev.where,
                prev.joiner,
            )
        else:
            merged.append(chunk)
    return merged


def check_times(chunks: Sequence[SourceChunk], path: Path) -> None:
    """Refuse times no session has: past 24 hours, or hours after the turn before.

    Why refuse rather than warn: coding segments are cut along the recording clock, so one turn
    at 999:59:59 (a typo, or a wall-clock time among offsets) would make thousands of
    empty 1-minute windows for raters to code, and an absurd one (10^12 s) billions.
    A session is at most a few hours; 24 hours also admits wall-clock times of day.
    """
    previous: int | None = None
    for chunk in chunks:
        for what, ms in (("starts", chunk.start_ms), ("ends", chunk.end_ms)):
            if ms is not None and ms > MAX_TIME_MS:
                raise TranscriptFormatError(
                    f"{chunk.where}: {what} at {_hours(ms)}, more than 24 hours into the "
                    "session; correct the time (a typo?) and import again",
                    path=path,
                )
        if chunk.start_ms is None:
            continue
        if previous is not None and chunk.start_ms - previous > MAX_GAP_MS:
            raise TranscriptFormatError(
                f"{chunk.where}: starts at {_hours(chunk.start_ms)}, "
                f"{_hours(chunk.start_ms - previous)} after the turn before it; a session has no "
                "gaps of more than 3 hours: correct the time (a typo?) and import again",
                path=path,
            )
        previous = chunk.start_ms


def _hours(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def build_parsed(
    chunks: Sequence[SourceChunk],
    *,
    path: Path,
    fmt: str,
    options: ReadOptions,
    encoding: str | None,
    warnings: Sequence[str] = (),
    group: str | None = None,
    no_turns: str = NO_TURNS,
) -> ParsedTranscript:
    """Normalise, merge (if asked), check times, guess roles and number the turns."""
    notes = list(warnings)
    kept: list[SourceChunk] = []
    for chunk in chunks:
        text = normalise_text(chunk.text)
        if not text:
            notes.append(f"{chunk.where}: speaker {chunk.speaker!r} has no text; skipped")
            continue
        kept.append(
            SourceChunk(
                chunk.speaker, text, chunk.start_ms, chunk.end_ms, chunk.where, chunk.joiner
            )
        )
    if not kept:
        raise TranscriptFormatError(no_turns, path=path)
    check_times(kept, path)
    if options.merge_cues:
        kept = merge_chunks(kept)
    labels = list(dict.fromkeys(chunk.speaker for chunk in kept))
    guesses = {label: guess_role(label, labels) for label in labels}
    turns = []
    for index, chunk in enumerate(kept, start=1):
        end = chunk.end_ms
        if end is not None and chunk.start_ms is not None and end < chunk.start_ms:
            notes.append(f"{chunk.where}: ends before it starts; end time dropped")
            end = None
        turns.append(
            Turn(index, chunk.speaker, guesses[chunk.speaker].role, chunk.text, chunk.start_ms, end)
        )
    transcript = Transcript(
        tuple(turns),
        source_name=path.name,
        source_format=fmt,
        encoding=encoding,
        warnings=tuple(notes),
    )
    return ParsedTranscript(transcript, group, encoding, guesses, tuple(notes))
