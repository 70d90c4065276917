"""Labelled lines to chunks: the layout shared by .txt files and Word documents.

Human-typed transcripts are a sequence of lines (txt) or paragraphs (docx), each either
starting a turn with a label (``T: ...``, a bold ``Client:`` run, a table's speaker cell)
or continuing the previous turn. Two passes: the first counts candidate labels, so the
second can tell a recurring ``Maya:`` from a one-off ``So what I said was: no.`` (see
:mod:`labels`). Lines before the first turn are a title block and are reported, not kept.
A line holding only a time (``[00:12:31]``) sets the start of the next turn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from coder.io.transcripts.chunks import SourceChunk
from coder.io.transcripts.labels import (
    is_metadata,
    is_plausible,
    is_role_word_alone,
    match_label,
    role_like,
    strip_line_number,
)
from coder.io.transcripts.timecodes import split_leading_timecode

_MAX_LISTED = 5


@dataclass(frozen=True, slots=True)
class Line:
    """A non-empty line or paragraph; ``label``/``start_ms`` when the layout gives them.

    A layout label (table speaker cell, bold run ending in a colon) is trusted; a
    ``weak_label`` (a bold first word without a colon, which may just be emphasis) is kept
    only if it recurs or names a role.
    """

    text: str
    where: str
    label: str | None = None
    start_ms: int | None = None
    paragraph: bool = True  # starts a new paragraph (joined with a newline, not a space)
    weak_label: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    label: str | None
    body: str
    start_ms: int | None
    raw: str  # the whole line, used if the label is rejected
    forced: bool = False
    weak: bool = False


@dataclass(slots=True)
class _Open:
    """The turn being collected."""

    label: str
    start_ms: int | None
    where: str
    text: str = ""

    def add(self, text: str, paragraph: bool) -> None:
        if self.text:
            self.text += "\n" if paragraph else " "
        self.text += text

    def close(self) -> SourceChunk:
        return SourceChunk(self.label, self.text, self.start_ms, None, self.where)


def _first(*values: int | None) -> int | None:
    return next((v for v in values if v is not None), None)


def _candidate(line: Line) -> _Candidate:
    raw = line.text.strip()
    time, text = split_leading_timecode(raw)
    start = time if line.start_ms is None else line.start_ms
    if line.label is not None:
        raw = f"{line.label} {raw}".strip()
        time2, body = split_leading_timecode(text, bracketed_only=True)
        start = _first(start, time2)
        return _Candidate(line.label, body.strip(), start, raw, True, line.weak_label)
    found = match_label(text)
    if found is None and (numbered := strip_line_number(text)) is not None:
        found = match_label(numbered)
    if found is not None:
        time2, body = split_leading_timecode(found.body, bracketed_only=True)
        return _Candidate(found.label, body.strip(), _first(start, found.start_ms, time2), raw)
    if is_role_word_alone(text):
        return _Candidate(text.strip(), "", start, raw)
    return _Candidate(None, text.strip(), start, raw)


def chunks_from_lines(lines: Sequence[Line]) -> tuple[list[SourceChunk], list[str]]:
    """Find turns in labelled lines; returns the chunks and warnings."""
    candidates = [_candidate(line) for line in lines]
    counts = Counter(c.label for c in candidates if c.label is not None)
    strong = {
        label
        for label, n in counts.items()
        if not is_metadata(label) and (n >= 2 or role_like(label))
    }
    chunks: list[SourceChunk] = []
    header: list[str] = []
    current: _Open | None = None
    pending: int | None = None
    for line, cand in zip(lines, candidates, strict=True):
        label = cand.label
        if label is not None and label not in strong:
            before_first = current is None and bool(strong)
            if cand.forced:
                trusted = not cand.weak and not is_metadata(label)
            else:
                trusted = is_plausible(label, counts[label])
            if before_first or not trusted:
                label = None
        if label is not None:
            if current is not None:
                chunks.append(current.close())
            current = _Open(label, _first(cand.start_ms, pending), line.where)
            if cand.body:
                current.add(cand.body, paragraph=True)
            pending = None
        elif cand.label is None and not cand.body:
            pending = _first(cand.start_ms, pending)  # a line holding only a time
        elif current is None:
            header.append(cand.raw)
        else:
            current.add(cand.raw, line.paragraph)
    if current is not None:
        chunks.append(current.close())
    warnings = [_header_warning(header)] if header and chunks else []
    return chunks, warnings


def _header_warning(header: Sequence[str]) -> str:
    shown = ", ".join(repr(h if len(h) <= 60 else h[:57] + "...") for h in header[:_MAX_LISTED])
    more = f" and {len(header) - _MAX_LISTED} more" if len(header) > _MAX_LISTED else ""
    return f"ignored {len(header)} line(s) before the first speaker turn: {shown}{more}"
