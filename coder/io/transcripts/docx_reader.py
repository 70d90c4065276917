"""Word (.docx) transcripts via python-docx, after checking the zip container ourselves.

Why check the container first: python-docx opens any zip and inflates parts on demand, so a
crafted file (a "zip bomb") could exhaust memory, and its errors for a renamed .doc or an
encrypted document are cryptic. The checks below run on the raw bytes before python-docx
sees them: zip magic, OLE magic (encrypted .docx and legacy .doc both are OLE compound
files), the declared uncompressed total, the per-member compression ratio, and the main part.
(``zipfile`` stops inflating a member at its declared size and then fails the CRC, so the
declared sizes can be trusted as an upper bound.)

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

from coder.io.transcripts.docx_tables import table_lines
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.labels import MAX_LABEL
from coder.io.transcripts.lines import Line, segments_from_lines
from coder.io.transcripts.model import ParsedTranscript, ReadOptions
from coder.io.transcripts.segments import build_parsed

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
MAX_RATIO = 200
RATIO_FLOOR = 1_000_000  # smaller members cannot hurt, and tiny runs of padding compress >200x
MAIN_PART = "word/document.xml"


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
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise TranscriptFormatError(
            f"corrupt or truncated .docx file (zip archive unreadable: {exc})", path=path
        ) from exc
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
    segments, found = segments_from_lines(lines)
    return [
        build_parsed(
            segments,
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
    text = str(paragraph.text)
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
    bold: list[str] = []
    for run in paragraph.runs:
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
