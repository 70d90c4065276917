"""The parts of a REFI-QDA project that Rupture Coder writes and reads.

Only what maps onto our data is modelled: users, the (hierarchical) codebook, plain-text
sources with their selections and codings, and notes. Positions are character offsets
into the source text exactly as stored in the archive (a CR/LF line break counts as two
characters), which is what the standard prescribes and what makes CR/LF files line up.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

# Our namespace for name-based (version 5) UUIDs: the same project exported twice gives
# the same GUIDs, so a re-export diffs cleanly and an import recognises our own codes.
_NAMESPACE = uuid.UUID("8f0b6c1e-4d7a-5b0e-9a3c-2f6d1e7b9c40")


_NAMESPACE_BYTES = _NAMESPACE.bytes


def stable_guid(kind: str, *parts: object) -> str:
    """A GUID derived from what an item is (``kind``) and our identifiers for it.

    Exactly ``str(uuid.uuid5(namespace, "kind/part/..."))`` (a test checks it), computed
    without building UUID objects: an export makes three per code application."""
    name = "/".join([kind, *(str(p) for p in parts)])
    raw = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True, slots=True)
class RefiUser:
    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class RefiCode:
    guid: str
    name: str
    codable: bool
    description: str = ""
    color: str | None = None
    children: tuple[RefiCode, ...] = ()

    def walk(
        self, parents: tuple[RefiCode, ...] = ()
    ) -> Iterator[tuple[RefiCode, tuple[RefiCode, ...]]]:
        """This code and its descendants, each with its chain of parents."""
        yield self, parents
        for child in self.children:
            yield from child.walk((*parents, self))


@dataclass(frozen=True, slots=True)
class RefiCoding:
    guid: str
    code_guid: str
    user_guid: str | None = None
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefiSelection:
    guid: str
    start: int
    end: int
    description: str = ""
    user_guid: str | None = None
    created: datetime | None = None
    codings: tuple[RefiCoding, ...] = ()
    note_guids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefiVariable:
    """A document variable (MAXQDA's document variables, NVivo's attributes)."""

    guid: str
    name: str
    type: str  # "Text" or "Integer" (the standard's typeOfVariable)
    description: str = ""


@dataclass(frozen=True, slots=True)
class RefiSource:
    guid: str
    name: str
    text: str
    description: str = ""
    selections: tuple[RefiSelection, ...] = ()
    values: tuple[tuple[str, str | int], ...] = ()  # (variable guid, value)


@dataclass(frozen=True, slots=True)
class RefiNote:
    guid: str
    text: str
    user_guid: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class RefiProject:
    name: str
    users: tuple[RefiUser, ...] = ()
    codes: tuple[RefiCode, ...] = ()
    sources: tuple[RefiSource, ...] = ()
    notes: tuple[RefiNote, ...] = ()
    variables: tuple[RefiVariable, ...] = ()
    description: str = ""
    origin: str = ""
    skipped: tuple[str, ...] = field(default=())  # what the reader did not take, in words

    def all_codes(self) -> Iterator[tuple[RefiCode, tuple[RefiCode, ...]]]:
        for code in self.codes:
            yield from code.walk()
