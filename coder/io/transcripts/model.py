"""Options in, results out: the types every transcript reader shares.

Options are a frozen dataclass collected by the UI or CLI and passed in as an argument,
so the readers never ask the user anything (house style, codestyle.md section 1.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from coder.domain.errors import ValidationError
from coder.domain.transcript import Transcript
from coder.io.transcripts.roles import RoleGuess

FORMATS = ("auto", "docx", "txt", "vtt", "srt", "csv")
COLUMN_KEYS = ("speaker", "text", "start", "end", "session")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a transcript file.

    ``merge_cues``: consecutive chunks of one speaker (subtitle cues, CSV rows, labelled
    paragraphs) become one turn with the first start and the last end; off keeps each
    chunk as its own turn. ``columns`` maps the CSV roles ``speaker``, ``text``,
    ``start``, ``end``, ``session`` to header names; roles not given are looked up among
    common names. ``max_uncompressed_bytes`` is the zip-bomb guard for .docx files.
    """

    fmt: str = "auto"
    merge_cues: bool = True
    columns: Mapping[str, str] | None = None
    max_uncompressed_bytes: int = 100_000_000

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValidationError(
                f"unknown transcript format {self.fmt!r}; use one of {', '.join(FORMATS)}"
            )
        if self.columns is not None:
            unknown = sorted(set(self.columns) - set(COLUMN_KEYS))
            if unknown:
                raise ValidationError(
                    f"unknown column role(s) {', '.join(unknown)}; use {', '.join(COLUMN_KEYS)}"
                )
            object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        if self.max_uncompressed_bytes <= 0:
            raise ValidationError("max_uncompressed_bytes must be positive")


@dataclass(frozen=True)
class ParsedTranscript:
    """One transcript read from a file, with the evidence the import dialog shows.

    ``group`` is the CSV session value (None for single-transcript files);
    ``role_guesses`` has one entry per raw speaker label; the turns' roles are already set
    to those guesses so a caller that accepts them needs no further step.
    """

    transcript: Transcript
    group: str | None = None
    encoding: str | None = None
    role_guesses: dict[str, RoleGuess] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
