"""Replacing listed personal names with stable placeholders before transcripts are shared.

The caller reads a names file (one name a line) and builds one :class:`Redactor` per
batch, so the same name gets the same placeholder in every file and in speaker labels as
well as text: coders can still follow who is who without seeing who it is. Placeholders
are numbered in list order (``[NAME-1]``, ``[NAME-2]``...), so a given names list always
gives the same output. Matching is case-insensitive, whole-word, and tries longer (and
multi-word) names first so "Sam Ortiz" is not half-replaced as "[NAME-2] Ortiz". A
possessive keeps its ending ("Sam's" -> "[NAME-1]'s") because the apostrophe is not part
of a word. This is a listed-names pass, not automatic de-identification: names that are
not on the list stay in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType

from coder.domain.transcript import Transcript, Turn


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def _name_pattern(key: str) -> str:
    return r"\s+".join(map(re.escape, key.split()))


class Redactor:
    """Replaces listed names by ``[NAME-n]``; pure, reusable across a batch of files."""

    def __init__(self, names: Iterable[str]) -> None:
        placeholders: dict[str, str] = {}
        for name in names:
            key = _key(name)
            if key and key not in placeholders:
                placeholders[key] = f"[NAME-{len(placeholders) + 1}]"
        self._placeholders = placeholders
        ordered = sorted(placeholders, key=lambda k: (-len(k.split()), -len(k)))
        alternatives = map(_name_pattern, ordered)
        self._pattern = (
            re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
            if ordered
            else None
        )

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Redactor:
        """From the lines of a names file: blank lines and ``#`` comments are ignored."""
        names = (line.strip() for line in lines)
        return cls(name for name in names if name and not name.startswith("#"))

    @property
    def placeholders(self) -> Mapping[str, str]:
        """Normalised (lower-case, single-spaced) name -> placeholder, in list order."""
        return MappingProxyType(self._placeholders)

    def redact_text(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._placeholder_for(m.group()), text)

    def _placeholder_for(self, found: str) -> str:
        key = _key(found)
        if key in self._placeholders:
            return self._placeholders[key]
        # Case-insensitive matching can pair letters whose lower() differs (e.g. "İ"/"i").
        for name, placeholder in self._placeholders.items():
            if re.fullmatch(_name_pattern(name), found, re.IGNORECASE):
                return placeholder
        raise AssertionError(f"matched {found!r} but no listed name fits")  # pragma: no cover

    def redact_transcript(self, transcript: Transcript) -> Transcript:
        """A copy with names replaced in speaker labels, turn text and warnings."""
        turns = tuple(
            Turn(
                t.index,
                self.redact_text(t.speaker),
                t.role,
                self.redact_text(t.text),
                t.start_ms,
                t.end_ms,
            )
            for t in transcript.turns
        )
        warnings = tuple(self.redact_text(w) for w in transcript.warnings)
        return replace(transcript, turns=turns, warnings=warnings)
