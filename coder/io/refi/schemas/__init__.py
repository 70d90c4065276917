"""The official REFI-QDA schemas (QDA-XML 1.0), bundled so that exports are checked
before they are written and imports are checked before they are trusted.

``Project-mrt2019.xsd`` and ``Codebook-mrt2019.xsd`` are copied byte for byte (MIT
licence, Copyright 2019 REFI www.qdasoftware.org; the notice is in each file's header);
provenance in ``tests/data/refi-qda/README.md``. Parsed once, on first use.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_HERE = Path(__file__).resolve().parent


@cache
def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_HERE / "Project-mrt2019.xsd")))


@cache
def codebook_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_HERE / "Codebook-mrt2019.xsd")))


def release_in_pieces(root: etree._Element) -> None:
    """Free a large document one subtree at a time.

    Freeing a whole document is one C call that holds the GIL: on a 500-session project
    it froze the desktop's window for 0.2–0.4 s while a REFI-QDA export or import ran in
    the background. Removed one top-level item at a time, each piece is freed on its own
    and the window's thread runs in between."""
    for container in list(root):
        while len(container):
            container.remove(container[0])
