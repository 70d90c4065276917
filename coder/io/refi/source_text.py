"""A transcript as the plain text of a REFI-QDA text source, and back.

Writing: one line per turn, ``[START-END] LABEL: text`` (times ``H:MM:SS.mmm``, left
out when unknown), lines separated by CR/LF, the turn's text exactly as stored (so a
turn's own line breaks stay inside it). Each turn's text offsets are returned, so a
code's evidence span becomes a selection by adding the turn's offset.

Reading: a line that starts with an optional bracketed time and a ``LABEL:`` (a label
of at most 40 characters without a colon; in our own exports, one of the speakers the
source's description lists) starts a turn; following lines without one
continue it (the line break is part of its text). Text before the first labelled line,
and every line of a source with no labels at all, becomes turns of the speaker
``Text``. Offsets are in characters of the text as given, CR/LF counting two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from coder.domain.roles import SpeakerRole
from coder.domain.transcript import Turn

NEWLINE = "\r\n"
UNLABELLED = "Text"
_TIME = r"(\d+):(\d\d):(\d\d)(?:\.(\d{1,3}))?"
_HEAD = re.compile(rf"^(?:\[{_TIME}(?:-{_TIME})?\]\s*)?([^:\r\n\[\]]{{1,40}}?):[ \t]?")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True, slots=True)
class PlacedTurn:
    """A turn and where its text lies in the source: ``text == source[start:end]``."""

    turn: Turn
    start: int
    end: int


def _clock(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{millis:03d}"


def _ms(h: str | None, m: str | None, s: str | None, frac: str | None) -> int | None:
    if h is None or m is None or s is None:
        return None
    millis = int((frac or "0").ljust(3, "0"))
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + millis


def write_turns(turns: Sequence[Turn]) -> tuple[str, list[PlacedTurn]]:
    """The source text of ``turns`` and each turn's text offsets in it."""
    parts: list[str] = []
    placed: list[PlacedTurn] = []
    at = 0
    for n, turn in enumerate(turns):
        if n:
            parts.append(NEWLINE)
            at += len(NEWLINE)
        time = ""
        if turn.start_ms is not None:
            end = f"-{_clock(turn.end_ms)}" if turn.end_ms is not None else ""
            time = f"[{_clock(turn.start_ms)}{end}] "
        head = f"{time}{turn.speaker}: "
        parts.append(head + turn.text)
        at += len(head)
        placed.append(PlacedTurn(turn, at, at + len(turn.text)))
        at += len(turn.text)
    return "".join(parts), placed


def read_turns(text: str, roles: dict[str, SpeakerRole] | None = None) -> list[PlacedTurn]:
    """Turns of a source's text, with their offsets (see the module docstring).

    ``roles`` (label → role) comes from our own exports' source description: when
    given, only those labels start a turn, so a turn's own line that happens to begin
    with ``word:`` stays inside it."""
    roles = roles or {}
    found: list[tuple[str, int | None, int | None, int, int]] = []  # label, times, span
    at = 0

    def head_of(line: str) -> re.Match[str] | None:
        head = _HEAD.match(line)
        if head is None or (roles and head.group(9).strip() not in roles):
            return None
        return head

    labelled = any(head_of(line) for line in text.splitlines())
    for match in _LINE.finditer(text):
        line = match.group(0)
        if not line:
            break
        body = line.rstrip("\r\n")
        head = head_of(body) if labelled else None
        if head is not None:
            label = head.group(9).strip()
            found.append((label, _ms(*head.group(1, 2, 3, 4)), _ms(*head.group(5, 6, 7, 8)),
                          at + head.end(), at + len(body)))  # fmt: skip
        elif found and found[-1][0] != UNLABELLED and labelled:
            label, start_ms, end_ms, start, _ = found[-1]
            found[-1] = (label, start_ms, end_ms, start, at + len(body))
        elif body.strip():
            found.append((UNLABELLED, None, None, at, at + len(body)))
        at += len(line)
    placed = []
    for index, (label, start_ms, end_ms, start, end) in enumerate(found, start=1):
        while end > start and text[end - 1] in "\r\n":  # a continuation's blank lines
            end -= 1
        role = roles.get(label, SpeakerRole.UNKNOWN)
        turn = Turn(index, label, role, text[start:end], start_ms, end_ms)
        placed.append(PlacedTurn(turn, start, end))
    return placed
