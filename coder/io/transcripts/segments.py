"""From raw segments to a :class:`ParsedTranscript`: the steps every format shares.

Readers only find segments (speaker, text, times, where in the file). Normalising text,
merging a speaker's consecutive segments, checking times, guessing roles and numbering the
turns happen here once, so every format behaves the same.

Text layout inside a turn: whitespace within a line collapses to one space; separate
*paragraphs* (a new docx paragraph, a text line after a blank line, a merged CSV row or
labelled paragraph) are joined with one newline; wrapped lines of one paragraph and merged
subtitle cues are joined with one space, because cue boundaries fall mid-sentence.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit a reader found: a cue, a row, a labelled paragraph with its continuations.

    ``joiner`` is how this segment is glued to the previous one of the same speaker
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
    lines = (" ".join(line.split()) for line in text.translate(_TRANSLATE).splitlines())
    return "\n".join(line for line in lines if line)


def normalise_label(label: str) -> str:
    return " ".join(label.translate(_TRANSLATE).split())


def merge_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Consecutive segments of one speaker become one: first start, last end."""
    merged: list[Segment] = []
    for seg in segments:
        if merged and merged[-1].speaker == seg.speaker:
            prev = merged[-1]
            merged[-1] = Segment(
                prev.speaker,
                prev.text + seg.joiner + seg.text,
                prev.start_ms,
                seg.end_ms,
                prev.where,
                prev.joiner,
            )
        else:
            merged.append(seg)
    return merged


def check_times(segments: Sequence[Segment], path: Path) -> None:
    """Refuse times no session has: past 24 hours, or hours after the turn before.

    Why refuse rather than warn: segments are cut along the recording clock, so one turn
    at 999:59:59 (a typo, or a wall-clock time among offsets) would make thousands of
    empty 1-minute windows for raters to code, and an absurd one (10^12 s) billions.
    A session is at most a few hours; 24 hours also admits wall-clock times of day.
    """
    previous: int | None = None
    for seg in segments:
        for what, ms in (("starts", seg.start_ms), ("ends", seg.end_ms)):
            if ms is not None and ms > MAX_TIME_MS:
                raise TranscriptFormatError(
                    f"{seg.where}: {what} at {_hours(ms)}, more than 24 hours into the "
                    "session; correct the time (a typo?) and import again",
                    path=path,
                )
        if seg.start_ms is None:
            continue
        if previous is not None and seg.start_ms - previous > MAX_GAP_MS:
            raise TranscriptFormatError(
                f"{seg.where}: starts at {_hours(seg.start_ms)}, "
                f"{_hours(seg.start_ms - previous)} after the turn before it; a session has no "
                "gaps of more than 3 hours: correct the time (a typo?) and import again",
                path=path,
            )
        previous = seg.start_ms


def _hours(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def build_parsed(
    segments: Sequence[Segment],
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
    kept: list[Segment] = []
    for seg in segments:
        text = normalise_text(seg.text)
        if not text:
            notes.append(f"{seg.where}: speaker {seg.speaker!r} has no text; skipped")
            continue
        kept.append(Segment(seg.speaker, text, seg.start_ms, seg.end_ms, seg.where, seg.joiner))
    if not kept:
        raise TranscriptFormatError(no_turns, path=path)
    check_times(kept, path)
    if options.merge_cues:
        kept = merge_segments(kept)
    labels = list(dict.fromkeys(seg.speaker for seg in kept))
    guesses = {label: guess_role(label, labels) for label in labels}
    turns = []
    for index, seg in enumerate(kept, start=1):
        end = seg.end_ms
        if end is not None and seg.start_ms is not None and end < seg.start_ms:
            notes.append(f"{seg.where}: ends before it starts; end time dropped")
            end = None
        turns.append(
            Turn(index, seg.speaker, guesses[seg.speaker].role, seg.text, seg.start_ms, end)
        )
    transcript = Transcript(
        tuple(turns),
        source_name=path.name,
        source_format=fmt,
        encoding=encoding,
        warnings=tuple(notes),
    )
    return ParsedTranscript(transcript, group, encoding, guesses, tuple(notes))
