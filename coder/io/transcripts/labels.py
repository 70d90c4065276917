"""Recognising speaker labels at the start of a line, and telling them from prose.

A line such as ``Therapist: How was the week?`` starts with a label, but so does
``So what I said was: no.`` The shape alone (a short run of words before a colon, no
sentence punctuation) cannot tell them apart, so readers also weigh evidence: a label is
*plausible* when it recurs, names a role (``T``, ``Client``, ``Dr. X``) or looks like a
name (every word capitalised, like ``Maya Lindqvist (she/her)`` or ``Client iPad``).
Only the start of a line is ever considered; ``(T: mm-hmm)`` inside a turn stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coder.domain.roles import SpeakerRole
from coder.io.transcripts.roles import guess_role, is_ambiguous_c
from coder.io.transcripts.timecodes import parse_timecode

MAX_LABEL = 40
_CHARS = r"[\w .'’()\-/&#+@]"
# "Label: text", "Label：text", "Label<TAB>text", Rev's "Label (01:23): text".
_PREFIX = re.compile(
    rf"^(?P<label>[^\W\d_]{_CHARS}{{0,{MAX_LABEL - 1}}}?)\s*"
    r"(?:\((?P<time>(?:\d+:)?\d{1,2}:\d{2})\))?"
    r"(?:\s*[:：](?!//)|\t)\s*(?P<body>.*)$"
)
# Otter / Teams .docx header line: "Speaker 1  0:04" (two or more spaces or a tab).
_TIMED_HEADER = re.compile(
    rf"^(?P<label>[^\W\d_]{_CHARS}{{0,{MAX_LABEL - 1}}}?)(?:\s{{2,}}|\t)\s*"
    r"(?P<time>(?:\d+:)?\d{1,2}:\d{2})\s*$"
)
_PARTICLES = {"de", "da", "del", "der", "den", "van", "von", "la", "le", "du", "di", "al", "bin"}
_LINE_NUMBER = re.compile(r"^\d{1,5}\s+")
# Header fields and transcriber notes: "Note: ..." at a line start is not a speaker.
_METADATA = {
    "note", "notes", "nb", "n.b", "comment", "comments", "date", "time", "duration",
    "session", "title", "subject", "re", "file", "recording", "location", "study",
    "transcriber", "transcribed by", "participants", "page", "source",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A label found at the start of a line; ``body`` is the rest of the line."""

    label: str
    body: str
    start_ms: int | None = None


def match_label(line: str) -> LabelMatch | None:
    """The label a line starts with, judged by shape only (see :func:`is_plausible`)."""
    # Only a line ending in a digit can be a timed header: most lines skip that pattern.
    patterns = (_TIMED_HEADER, _PREFIX) if line.rstrip()[-1:].isdigit() else (_PREFIX,)
    for pattern in patterns:
        match = pattern.match(line)
        if match is None:
            continue
        label = match["label"].strip()
        if not label or len(label) > MAX_LABEL:
            continue
        groups = match.groupdict()
        start = parse_timecode(groups["time"]) if groups.get("time") else None
        return LabelMatch(label, (groups.get("body") or "").strip(), start)
    return None


def strip_line_number(line: str) -> str | None:
    """``"12  T: text"`` -> ``"T: text"`` (typed line numbers); None if there is none."""
    match = _LINE_NUMBER.match(line)
    return line[match.end() :] if match else None


def role_like(label: str) -> bool:
    """Whether the label by itself suggests a role (``T``, ``Client``, ``Dr. X``, ``C``)."""
    return is_ambiguous_c(label) or guess_role(label, ()).role is not SpeakerRole.UNKNOWN


def is_metadata(label: str) -> bool:
    """Header or note keys (``Date``, ``Session``, ``Note``) that never name a speaker."""
    return label.strip().lower().rstrip(".") in _METADATA


def name_like(label: str) -> bool:
    """Whether every word looks like part of a name: capitalised, a number or a particle."""
    words = label.split()
    if not words or len(words) > 5:
        return False
    for word in words:
        if word[0] in "([" or word.lower() in _PARTICLES:
            continue
        if not any(c.isupper() or c.isdigit() for c in word):
            return False
    return True


def is_plausible(label: str, count: int) -> bool:
    """Evidence that a shape-valid label really is a speaker (see module docstring)."""
    if is_metadata(label):
        return False
    return count >= 2 or role_like(label) or name_like(label)


def is_role_word_alone(line: str) -> bool:
    """A line that is only a certain role word, e.g. ``THERAPIST`` before its text."""
    return guess_role(line.strip(), ()).certain
