"""Word (.docx) transcripts via python-docx, after checking the zip container ourselves.

Why check the container first: python-docx opens any zip and inflates parts on demand, so a
crafted file (a "zip bomb") could exhaust memory, and its errors for a renamed .doc or an
encrypted document are cryptic. The checks below run on the raw bytes before python-docx
sees them: zip magic, OLE magic (encrypted .docx and legacy .doc both are OLE compound
files), the declared uncompressed total, the per-member compression ratio, and the main part; then
every member is inflated in bounded chunks and its *real* bytes counted (declared sizes are
only claims), and every XML part is checked (:mod:`docx_xml`): a DTD or entity declaration
(entity expansion, "billion laughs"), more than 500,000 elements or nesting deeper than 128
levels is refused. Without the element limit a 2 MB file of 100 MB of tiny elements makes
python-docx's tree take gigabytes; without the size limit a 190 MB ``document.xml`` takes
minutes.

Layouts read, in document order: labelled paragraphs (``T: ...``), a bold first run as
the label, and 2- or 3-column tables (speaker | text, time | speaker | text, ...). Page
headers, footers, footnotes and comments are not part of the body and are never read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from coder.io.transcripts.chunks import build_parsed
from coder.io.transcripts.docx_tables import table_lines
from coder.io.transcripts.docx_text import has_bold_run, paragraph_text
from coder.io.transcripts.docx_xml import check_xml_part
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.labels import MAX_LABEL
from coder.io.transcripts.lines import Line, chunks_from_lines
from coder.io.transcripts.model import ParsedTranscript, ReadOptions

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
MAX_RATIO = 200
RATIO_FLOOR = 1_000_000  # smaller members cannot hurt, and tiny runs of padding compress >200x
MAIN_PART = "word/document.xml"
MAX_XML_PART_BYTES = 25_000_000  # a 3-hour transcript's document.xml is 1-5 MB
MAX_MEMBERS = 2_000  # a Word file has 10-30 parts (more with pictures)
_CHUNK = 1 << 20
_XML_SUFFIXES = (".xml", ".rels")


def check_container(data: bytes, path: Path, limit: int) -> None:
    """Refuse anything that is not a safe-to-open .docx package (see module docstring)."""
    if data.startswith(OLE_MAGIC):
        raise TranscriptFormatError(
            "password-protected (encrypted) or a legacy .doc file; save it as an unprotected .docx",
            path=path,
        )
    if not data.startswith(b"PK"):
        raise TranscriptFormatError("not a Word .docx file (not a zip archive)", path=path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_declared(members, path, limit)
            total = 0
            for member in members:
                total += _check_member(archive, member, path, limit - total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, zlib.error,
            NotImplementedError, RuntimeError) as exc:  # fmt: skip
        raise TranscriptFormatError(
            f"corrupt or truncated .docx file (zip archive unreadable: {exc})", path=path
        ) from exc


def _check_declared(members: list[zipfile.ZipInfo], path: Path, limit: int) -> None:
    """Cheap checks on the sizes the archive declares, before inflating anything."""
    if len(members) > MAX_MEMBERS:
        raise TranscriptFormatError(
            f"refused: the archive holds {len(members):,} parts (a Word file has tens)",
            path=path,
        )
    total = sum(m.file_size for m in members)
    if total > limit:
        raise TranscriptFormatError(
            f"refused: the .docx would unpack to {total:,} bytes, over the limit of "
            f"{limit:,} (a damaged file or a zip bomb)",
            path=path,
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise TranscriptFormatError(
                f"refused: member {member.filename} is compressed {ratio:,.0f}:1 "
                f"(limit {MAX_RATIO}:1), typical of a zip bomb",
                path=path,
            )
    if MAIN_PART not in {m.filename for m in members}:
        raise TranscriptFormatError(
            f"not a Word document: the archive has no {MAIN_PART}", path=path
        )


def _check_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path, budget: int
) -> int:
    """Inflate one member in bounded chunks, counting the bytes that really come out.

    Declared sizes are only claims: the count is what limits memory. Every XML part (at
    most ``MAX_XML_PART_BYTES``) is then checked whole by :func:`check_xml_part` for a DTD
    or entity declarations, which no Word file has and which "billion laughs" attacks
    need, and for absurd element counts or nesting that would make python-docx's tree
    take gigabytes or minutes.
    The CRC is checked by ``zipfile`` at the end of each member.
    """
    is_xml = member.filename.lower().endswith(_XML_SUFFIXES)
    part_limit = min(budget, MAX_XML_PART_BYTES) if is_xml else budget
    xml_chunks: list[bytes] = []  # at most MAX_XML_PART_BYTES, checked as they come
    size = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > part_limit:
                what = (
                    f"its XML part {member.filename} is over {part_limit:,} bytes"
                    if is_xml and part_limit == MAX_XML_PART_BYTES
                    else f"it unpacks to more than the limit of {budget:,} bytes"
                )
                raise TranscriptFormatError(
                    f"refused: {what} (a damaged file or a zip bomb)", path=path
                )
            if is_xml:
                xml_chunks.append(chunk)
    if is_xml:
        check_xml_part(b"".join(xml_chunks), member.filename, path)
    return size


def read_docx(data: bytes, *, path: Path, options: ReadOptions) -> list[ParsedTranscript]:
    """One transcript from the bytes of a .docx file."""
    check_container(data, path, options.max_uncompressed_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, KeyError, ValueError,
            SyntaxError, EOFError) as exc:  # fmt: skip
        raise TranscriptFormatError(
            f"corrupt .docx file: its contents cannot be read ({exc})", path=path
        ) from exc
    warnings: list[str] = []
    lines = list(_body_lines(document, warnings))
    chunks, found = chunks_from_lines(lines)
    return [
        build_parsed(
            chunks,
            path=path,
            fmt="docx",
            options=options,
            encoding=None,
            warnings=warnings + found,
        )
    ]


def _body_lines(document: docx.document.Document, warnings: list[str]) -> Iterator[Line]:
    paragraph_no = table_no = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraph_no += 1
            yield from paragraph_lines(block, f"paragraph {paragraph_no}")
        elif isinstance(block, Table):
            table_no += 1
            yield from table_lines(block, table_no, warnings)


def paragraph_lines(paragraph: Paragraph, where: str) -> Iterator[Line]:
    """A paragraph as lines: soft breaks (Shift+Enter) start a new line in the same turn."""
    text = paragraph_text(paragraph._p)
    label = _bold_label(paragraph, text)
    if label is not None:
        text = text.lstrip()[len(label[1]) :].lstrip(" \t:：")
    pieces = [p for p in text.split("\n") if p.strip()]
    if label is not None and not pieces:
        pieces = [""]
    for i, piece in enumerate(pieces):
        if i == 0 and label is not None:
            weak = not label[1].endswith((":", "："))
            yield Line(piece, where, label=label[0], weak_label=weak)
        else:
            yield Line(piece, where)  # soft breaks are newlines, like paragraphs


def _bold_label(paragraph: Paragraph, text: str) -> tuple[str, str] | None:
    """``(label, raw bold text)`` when the paragraph starts with a bold label run.

    The bold text counts as a label when it ends with a colon or is followed by more
    text; a wholly bold paragraph without a colon is a heading, not a speaker.
    """
    if not has_bold_run(paragraph._p):
        return None  # the usual case, decided in C without python-docx's run objects
    runs = paragraph.runs
    bold: list[str] = []
    for run in runs:
        run_text = str(run.text)
        if not bold and not run_text.strip():
            continue
        if not run.bold:
            break
        bold.append(run_text)
    raw = "".join(bold).strip()
    label = raw.rstrip(" :：\t")
    if not label or len(label) > MAX_LABEL or "\n" in raw:
        return None
    rest = text.lstrip()[len(raw) :].strip(" \t:：")
    if not text.lstrip().startswith(raw) or not (raw.endswith((":", "：")) or rest):
        return None
    return label, raw
