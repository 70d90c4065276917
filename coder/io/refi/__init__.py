"""REFI-QDA exchange files (``.qdpx`` projects, ``.qdc`` codebooks): pure reading and
writing, no database.

The standard (QDA-XML 1.0, REFI-QDA 1.5, www.qdasoftware.org) is what ATLAS.ti, MAXQDA,
NVivo and QualCoder exchange. :mod:`.model` holds the plain data both directions use,
:mod:`.writer` builds and validates the XML and writes the files atomically, and
:mod:`.reader` opens untrusted files safely and validates them against the official
schemas bundled in ``schemas/`` (MIT licence, header kept; see schemas/README.md).
"""

from coder.io.refi.model import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
    RefiVariable,
    stable_guid,
)

__all__ = [
    "RefiCode",
    "RefiCoding",
    "RefiNote",
    "RefiProject",
    "RefiSelection",
    "RefiSource",
    "RefiUser",
    "RefiVariable",
    "stable_guid",
]
