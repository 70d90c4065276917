"""Timecodes in transcripts: the many spellings found in practice, to milliseconds.

Transcribers and platforms write ``[00:01:23]``, ``(01:23)``, ``{12:31}``, ``1:23:45.678``
(WebVTT), ``00:01:23,456`` (SRT) and bare ``M:SS`` (Otter). One parser serves every reader
so that all formats agree on what a time is. It is strict about field ranges (minutes and
seconds below 60) so that prose such as "at 7:85" is not misread as a time, and lenient about
brackets, the fraction separator (dot or comma) and 1-3 fraction digits, because real files
vary. Wall-clock times (a Zoom ``14:03:22``) cannot be told apart from offsets by their
spelling; they are read as offsets.
"""

from __future__ import annotations

import math
import re

_CORE = re.compile(r"(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,3}))?")
_BRACKETS = {"[": "]", "(": ")", "{": "}"}
# A leading time: bracketed (no space needed after it) or bare (must be followed by space).
_LEADING = re.compile(
    r"^(?:(?P<br>[\[({][0-9:.,]{3,16}[\])}])|(?P<bare>\d[0-9:.,]{2,15})(?=\s|$))\s*"
)
_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def parse_timecode(text: str) -> int:
    """Milliseconds for a timecode such as ``[00:01:23]`` or ``1:23:45.678``.

    Raises ``ValueError`` naming the text when it is not a timecode, so callers can turn
    one bad time into a warning instead of failing the whole file.
    """
    token = text.strip()
    if len(token) >= 2 and _BRACKETS.get(token[0]) == token[-1]:
        token = token[1:-1].strip()
    match = _CORE.fullmatch(token)
    if match is None:
        raise ValueError(f"not a time: {text!r}")
    h, m, s, fraction = match.groups()
    minutes, seconds = int(m), int(s)
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"not a time (minutes and seconds must be below 60): {text!r}")
    millis = int(fraction.ljust(3, "0")) if fraction else 0
    return ((int(h or 0) * 60 + minutes) * 60 + seconds) * 1000 + millis


def parse_time_value(text: str) -> int:
    """Milliseconds for a table cell: plain seconds (``12.5``) or any timecode."""
    token = text.strip()
    if _SECONDS.fullmatch(token):
        seconds = float(token)  # a 400-digit number is inf: not a time, not an OverflowError
        if not math.isfinite(seconds):
            raise ValueError(f"not a time (too large): {text[:40]!r}")
        return round(seconds * 1000)
    return parse_timecode(token)


def format_timecode(ms: int, *, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (WebVTT style; pass ``separator=","`` for SRT)."""
    if ms < 0:
        raise ValueError(f"negative time: {ms} ms")
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def split_leading_timecode(line: str, *, bracketed_only: bool = False) -> tuple[int | None, str]:
    """Split ``"[00:01:23] T: text"`` into ``(83000, "T: text")``.

    Returns ``(None, line)`` unchanged when the line does not start with a time, so a
    bracketed note such as ``[inaudible]`` or ``(pause)`` stays in the text.
    ``bracketed_only`` is for text after a label, where a bare ``10:30`` is more likely
    said ("10:30 is when we met") than a timestamp.
    """
    match = _LEADING.match(line)
    if match is None or (bracketed_only and match["br"] is None):
        return None, line
    try:
        ms = parse_timecode(match["br"] or match["bare"])
    except ValueError:
        return None, line
    return ms, line[match.end() :]
