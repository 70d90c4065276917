"""Transcripts as a list of speaker turns.

Turn indexes are 1-based everywhere (domain, database, CLI, CSV) because they are what
users see and type; one convention avoids off-by-one translation layers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from coder.domain.errors import ValidationError
from coder.domain.roles import SpeakerRole


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn; times are milliseconds from the start of the recording."""

    index: int
    speaker: str
    role: SpeakerRole
    text: str
    start_ms: int | None = None
    end_ms: int | None = None

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValidationError(f"turn index must be 1 or more, not {self.index}")
        for name in ("start_ms", "end_ms"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValidationError(f"turn {self.index}: {name} must not be negative")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms < self.start_ms:
            raise ValidationError(
                f"turn {self.index}: ends ({self.end_ms} ms) before it starts ({self.start_ms} ms)"
            )

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Transcript:
    """A session's turns plus where they came from.

    ``content_hash`` is computed from speakers and text only, so the same transcript
    re-exported in another format is still recognised as a duplicate.
    """

    turns: tuple[Turn, ...]
    source_name: str = ""
    source_format: str = ""
    encoding: str | None = None
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for expected, turn in enumerate(self.turns, start=1):
            if turn.index != expected:
                raise ValidationError(
                    f"turn indexes must run 1, 2, 3...; found {turn.index} at position {expected}"
                )

    @property
    def content_hash(self) -> str:
        return content_hash(self.turns)

    @property
    def has_timestamps(self) -> bool:
        return bool(self.turns) and all(t.start_ms is not None for t in self.turns)

    @property
    def speakers(self) -> dict[str, SpeakerRole]:
        """Speaker labels in order of first appearance with their roles."""
        seen: dict[str, SpeakerRole] = {}
        for turn in self.turns:
            seen.setdefault(turn.speaker, turn.role)
        return seen

    @property
    def duration_ms(self) -> int | None:
        ends = [t.end_ms if t.end_ms is not None else t.start_ms for t in self.turns]
        known = [e for e in ends if e is not None]
        return max(known) if known else None


def content_hash(turns: Sequence[Turn]) -> str:
    """SHA-256 over speaker labels and normalised text: identity of a transcript."""
    # One encode and one update: the same bytes as updating field by field, in C.
    text = "".join(f"{turn.speaker}\x1f{' '.join(turn.text.split())}\x1e" for turn in turns)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def renumber(turns: Sequence[Turn]) -> tuple[Turn, ...]:
    """Give turns consecutive 1-based indexes (after merging or dropping turns)."""
    return tuple(
        Turn(i, t.speaker, t.role, t.text, t.start_ms, t.end_ms)
        for i, t in enumerate(turns, start=1)
    )
