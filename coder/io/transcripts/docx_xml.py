"""The safety check of one XML part of a Word file, before python-docx parses any of it.

What is refused (the guard against crafted files): a DTD or entity declaration (entity
expansion, "billion laughs", external entities; Word never writes one), more than
``MAX_XML_ELEMENTS`` elements (a 2 MB file of 100 MB of tiny elements makes python-docx's
tree take gigabytes), nesting deeper than ``MAX_XML_DEPTH``, and XML that is not
well-formed.

Two paths give the same verdicts. The *exact* path is a streaming SAX parse with
``defusedxml`` that counts elements and depth in a Python callback per element: constant
memory whatever the part holds, but it was half of a Word import's parse time. The *fast*
path decides the usual case in C: the part's bytes bound its element count before anything
is parsed (in UTF-8 every start tag is a ``<`` byte not followed by ``/``, ``!`` or ``?``),
so only a part already known to hold at most ``MAX_XML_ELEMENTS`` elements is parsed into
an lxml tree (no DTD loading, no entity resolution, no network, libxml2's default limits,
comments and processing instructions dropped), and depth is one XPath test. The fast path
only ever *accepts*; a part it is unsure of (not plain UTF-8, a ``<!DOCTYPE``, too many
tags, lxml's error, too deep) is handed to the exact path, which refuses it with the
message it always gave. The OPC standard allows only UTF-8 and UTF-16 parts and Word writes
UTF-8, so the exact path runs only for crafted or unusual files.
"""

from __future__ import annotations

import re
import xml.sax
import xml.sax.handler
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from lxml import etree

from coder.io.transcripts.errors import TranscriptFormatError

MAX_XML_ELEMENTS = 500_000  # per part; ~10 per paragraph, a long transcript has ~20,000
MAX_XML_DEPTH = 128  # nested tables reach ~30; libxml2 itself stops at 256
_CHUNK = 1 << 20
# The XML declaration's encoding, read in ASCII (UTF-8 and its subsets spell it so).
MAX_DECLARATION = 4096  # bytes; a longer XML declaration goes to the exact scan
_ENCODING = re.compile(rb"\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_PARSER = etree.XMLParser(
    encoding="utf-8",  # never let a declaration or the first bytes switch to another
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)
# True when any element sits deeper than the limit (the root is at depth 1).
_TOO_DEEP = etree.XPath("boolean(" + "/*" * (MAX_XML_DEPTH + 1) + ")")


def check_xml_part(data: bytes, part: str, path: Path) -> None:
    """Refuse ``data`` (one inflated XML part named ``part``) if it is unsafe to parse."""
    if not _fast_accepts(data):
        scanner = XmlScanner(part, path)
        for start in range(0, len(data), _CHUNK):
            scanner.feed(data[start : start + _CHUNK])
        scanner.close()


def tag_bound(data: bytes) -> int:
    """At least the number of elements in UTF-8 XML ``data``: every ``<`` byte not opening
    an end tag, a comment, CDATA, a declaration or a processing instruction."""
    return data.count(b"<") - data.count(b"</") - data.count(b"<!") - data.count(b"<?")


def _fast_accepts(data: bytes) -> bool:
    """True only when the part is certainly within every limit (see module docstring)."""
    head = data[:4]
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 or UTF-32: bytes do not bound tags
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body.startswith(b"<?xml"):
        # The whole declaration, however much whitespace it holds: python-docx decodes
        # the part by its declared encoding, so one hidden past a fixed window (UTF-7
        # after 250 spaces) would turn bytes this check reads as text into markup.
        end = body.find(b"?>", 0, MAX_DECLARATION)
        if end < 0:
            return False
        declared = _ENCODING.search(body[:end])
        if declared is not None and declared[1].lower() not in (b"utf-8", b"utf8"):
            return False
    if b"<!DOCTYPE" in data:
        return False
    # An element takes 4 bytes at least (<a/>), so a small part needs no count.
    if len(data) > 4 * MAX_XML_ELEMENTS and tag_bound(data) > MAX_XML_ELEMENTS:
        return False
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return False
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return False  # pragma: no cover - "<!DOCTYPE" was looked for above
    return not _TOO_DEEP(root)


class XmlScanner(xml.sax.handler.ContentHandler):
    """The exact path: counts elements and depth of one XML part while it streams past
    (constant memory), refusing DTDs through ``defusedxml``."""

    def __init__(self, part: str, path: Path) -> None:
        super().__init__()
        self.part, self.path = part, path
        self.elements = self.depth = 0
        self.parser = DefusedExpatParser(forbid_dtd=True)
        self.parser.setContentHandler(self)

    def startElement(self, name: str, attrs: object) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > MAX_XML_ELEMENTS:
            self._refuse(f"more than {MAX_XML_ELEMENTS:,} XML elements")
        if self.depth > MAX_XML_DEPTH:
            self._refuse(f"XML nested more than {MAX_XML_DEPTH} levels deep")

    def endElement(self, name: str) -> None:
        self.depth -= 1

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.feed(chunk)
        except DefusedXmlException as exc:
            self._refuse(f"a DTD or entity declaration, which Word never writes ({exc})")
        except ValueError as exc:  # expat: "multi-byte encodings are not supported" (UTF-7…)
            self._refuse(f"an encoding Word never writes ({exc})")
        except xml.sax.SAXParseException as exc:
            raise TranscriptFormatError(
                f"corrupt .docx file: part {self.part} is not well-formed XML "
                f"(line {exc.getLineNumber()}: {exc.getMessage()})",
                path=self.path,
            ) from None

    def close(self) -> None:
        self.feed(b"")
        try:
            self.parser.close()
        except xml.sax.SAXParseException as exc:
            raise TranscriptFormatError(
                f"corrupt or truncated .docx file: part {self.part} ends early "
                f"({exc.getMessage()})",
                path=self.path,
            ) from None

    def _refuse(self, what: str) -> None:
        raise TranscriptFormatError(
            f"refused: part {self.part} holds {what} (a damaged or crafted file)",
            path=self.path,
        )
