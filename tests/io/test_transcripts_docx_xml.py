"""The XML part check of Word files: the fast lxml path and the exact streaming path agree.

Every attack is checked through ``check_xml_part`` (what the reader calls) and, where the
fast path has a decision of its own to make, through ``_fast_accepts`` too, so a fast path
that accepted an attack would fail here even if the exact path still existed beside it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx.document import Document

from coder.io.transcripts import TranscriptFormatError
from coder.io.transcripts.docx_xml import (
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    _fast_accepts,
    check_xml_part,
    tag_bound,
)

DocxBytes = Callable[[Callable[[Document], object]], bytes]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HERE = Path("x.docx")


def _document(inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:document {W}><w:body>{inner}</w:body></w:document>"
    ).encode()


def _refusal(data: bytes) -> str:
    with pytest.raises(TranscriptFormatError) as caught:
        check_xml_part(data, "word/document.xml", HERE)
    return caught.value.problem


def _paragraph_and_table(d: Document) -> None:
    d.add_paragraph("T: hello")
    d.add_table(rows=2, cols=2).cell(0, 0).text = "C"


def test_every_part_of_a_real_word_file_takes_the_fast_path(docx_bytes: DocxBytes) -> None:
    data = docx_bytes(_paragraph_and_table)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
        assert "word/document.xml" in parts and "word/styles.xml" in parts
        for name in parts:
            assert _fast_accepts(archive.read(name)), name
            check_xml_part(archive.read(name), name, HERE)


def _nested(depth: int) -> bytes:
    """A part whose deepest element is at ``depth`` (the root counts as 1)."""
    inner = depth - 2  # w:document and w:body
    return _document("<w:p>" * inner + "</w:p>" * inner)


def test_depth_limit_is_exact_below_libxml2s_own_limit() -> None:
    # 129..256 levels parse fine in lxml: the fast path itself must see the depth.
    assert _fast_accepts(_nested(MAX_XML_DEPTH))
    check_xml_part(_nested(MAX_XML_DEPTH), "word/document.xml", HERE)
    for depth in (MAX_XML_DEPTH + 1, 200, 255):
        assert not _fast_accepts(_nested(depth))
        assert f"nested more than {MAX_XML_DEPTH} levels deep" in _refusal(_nested(depth))


def test_very_deep_xml_is_refused_with_the_depth_message() -> None:
    assert "nested more than" in _refusal(_nested(5000))  # past libxml2's 256 too


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + f"]>\n<w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>".encode()
    + b"</w:body></w:document>"
)
EXTERNAL = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    + f"<w:document {W}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>".encode()
    + b"</w:body></w:document>"
)
EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "http://example.org/d.dtd">\n<d/>'


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, EXTERNAL_DTD])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    assert not _fast_accepts(data)
    assert "a DTD or entity declaration" in _refusal(data)


def test_a_dtd_in_utf16_is_refused_too() -> None:
    data = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    encoded = data.encode("utf-16")
    assert not _fast_accepts(encoded)  # bytes do not bound UTF-16: the exact path decides
    assert "a DTD or entity declaration" in _refusal(encoded)


def test_utf16_and_latin1_parts_are_still_read_by_the_exact_path() -> None:
    text = _document("<w:p><w:r><w:t>caf\u00e9</w:t></w:r></w:p>").decode()
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    latin1 = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    for data in (utf16, latin1):
        assert not _fast_accepts(data)
        check_xml_part(data, "word/document.xml", HERE)  # accepted, as before


def test_too_many_elements_are_refused() -> None:
    data = _document("<w:p/>" * (MAX_XML_ELEMENTS + 10))
    assert len(data) > 4 * MAX_XML_ELEMENTS  # so the count is not skipped as "small"
    assert not _fast_accepts(data)
    assert f"more than {MAX_XML_ELEMENTS:,} XML elements" in _refusal(data)


def test_a_large_part_under_the_count_is_accepted() -> None:
    text = "<w:p><w:r><w:t>" + "words " * 400 + "</w:t></w:r></w:p>"
    data = _document(text * 1200)  # ~3 MB, 3,600 elements
    assert len(data) > 4 * MAX_XML_ELEMENTS
    assert _fast_accepts(data)


@pytest.mark.parametrize(
    "inner",
    [
        "<w:p/>",
        "<!-- <w:p> </x> <? --><w:p/>",
        "<![CDATA[ <a> </a> <!x ]]><w:p/>",
        '<?pi <a?><w:p w:x="a > b /> c"/>',
        "<w:p>\u00e9<w:r/></w:p>",
    ],
)
def test_the_tag_bound_never_undercounts(inner: str) -> None:
    from lxml import etree

    data = _document(inner * 3)
    elements = sum(1 for _ in etree.fromstring(data).iter(tag=etree.Element))
    assert tag_bound(data) >= elements


@pytest.mark.parametrize(
    "data",
    [
        b"<w:document><w:body><w:p></w:body>",
        _document("<w:p>")[:-5],
        b"\x00\x01binary\xff" * 50,
        b"<?xml version='1.0' encoding='ebcdic-cp-us'?><a/>",
    ],
)
def test_malformed_parts_get_the_exact_paths_message(data: bytes) -> None:
    assert not _fast_accepts(data)
    message = _refusal(data)
    assert "corrupt" in message and "word/document.xml" in message


def _utf7(text: str) -> bytes:
    import base64

    return b"+" + base64.b64encode(text.encode("utf-16-be")).rstrip(b"=") + b"-"


def test_an_encoding_hidden_far_into_the_declaration_is_not_read_as_utf8() -> None:
    """python-docx decodes a part by its declared encoding: UTF-7 declared after 250
    spaces turns what UTF-8 reads as text into a DTD and a deep tree (found in review)."""
    declaration = b'<?xml version="1.0"' + b" " * 250 + b'encoding="UTF-7"?>'
    hidden = _utf7("<!DOCTYPE w:document []>" + "<d>" * 200 + "</d>" * 200)
    data = declaration + f"<w:document {W}><w:body><w:p><w:r><w:t>".encode() + hidden
    data += b"</w:t></w:r></w:p></w:body></w:document>"
    assert not _fast_accepts(data)
    assert "an encoding Word never writes" in _refusal(data)


def test_a_declaration_without_its_end_goes_to_the_exact_scan() -> None:
    data = b'<?xml version="1.0"' + b" " * 5000 + b"?><a/>"
    assert not _fast_accepts(data)
    check_xml_part(data, "word/document.xml", HERE)  # harmless: the exact scan accepts it
