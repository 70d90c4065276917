"""Fixtures for the transcript readers (files are written into tmp_path at test time)
and for the Word writers (``header_words_fit``).

Word-table widths are checked against an independent measurement: a word's advance width
in DejaVu Sans Bold (shipped with matplotlib), wider than Calibri, Word's default, so a
header word that fits here fits in Word and LibreOffice too.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.shared import Inches
from docx.table import Table
from matplotlib import font_manager
from PIL import ImageFont

WriteFile = Callable[[str, str | bytes], Path]
MakeDocx = Callable[[Callable[[Document], object]], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write text (UTF-8, newlines kept as given) or bytes to ``tmp_path / name``."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return write


def _docx_bytes(build: Callable[[Document], object]) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def docx_bytes() -> Callable[[Callable[[Document], object]], bytes]:
    """The bytes of a .docx built with python-docx (for tests that damage them)."""
    return _docx_bytes


@pytest.fixture
def make_docx(tmp_path: Path) -> MakeDocx:
    """Build a .docx with python-docx: ``make_docx(lambda d: d.add_paragraph("T: hi"))``."""
    counter = iter(range(1, 1000))

    def make(build: Callable[[Document], object]) -> Path:
        path = tmp_path / f"doc{next(counter)}.docx"
        path.write_bytes(_docx_bytes(build))
        return path

    return make


WORD_CELL_MARGINS = 0.16  # inches: Word's default left + right cell margins


@cache
def _font(size: float) -> ImageFont.FreeTypeFont:
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold"))
    return ImageFont.truetype(path, size=round(size * 100))  # 1/100 pt units


def printed_width(word: str, points: float) -> float:
    """Inches ``word`` takes in bold ``points``-point DejaVu Sans."""
    return _font(points).getlength(word) / 100 / 72


def table_font_size(table: Table) -> float:
    sizes = [r.font.size.pt for c in table.rows[0].cells for p in c.paragraphs for r in p.runs]
    return max(s for s in sizes if s) if sizes else 11.0


def assert_no_header_word_breaks(doc: Document) -> None:
    """Every table: each header word fits its column, as Word (cell) and LibreOffice
    (grid) read the width."""
    for table in doc.tables:
        if len(table.columns) < 2:
            continue  # caveat boxes: one full-width cell of prose
        size = table_font_size(table)
        grid = table._tbl.tblGrid.gridCol_lst
        for c, cell in enumerate(table.rows[0].cells):
            assert cell.width is not None and grid[c].w is not None
            room = min(cell.width, grid[c].w) / Inches(1) - WORD_CELL_MARGINS
            for word in cell.text.split():
                assert printed_width(word, size) <= room, (
                    f"{word!r} ({printed_width(word, size):.2f} in) breaks in a "
                    f"{room:.2f} in column of {[x.text for x in table.rows[0].cells]}"
                )


@pytest.fixture
def header_words_fit() -> Callable[[Document], None]:
    """Asserts that no table header word of a document breaks across lines."""
    return assert_no_header_word_breaks
