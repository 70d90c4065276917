"""Word-document helpers shared by the patient report and the reliability report.

Small building blocks over python-docx (a styled table with 9-point text, shading, a
caveat box, "label: text" lines, landscape pages) and :func:`save_document`, which builds
the file in memory and moves it into place (:func:`coder.io.atomic.write_atomically`),
so a failed export never leaves half a report.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from coder.io.atomic import write_atomically

TABLE_STYLE = "Light Grid Accent 1"
CAVEAT_FILL = "FFF4CE"


def new_document(font_size: float = 10) -> Document:
    """An empty document whose Normal style uses ``font_size`` points."""
    doc = docx.Document()
    doc.styles["Normal"].font.size = Pt(font_size)
    return doc


def add_table(
    doc: Document,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    font_size: float = 9,
    widths: Sequence[float] | None = None,
) -> Table:
    """A table with a header row (the style makes it bold) and ``font_size``-point text;
    ``widths`` in inches, one per column, when the equal split would not read well."""
    table: Table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table.style = doc.styles[TABLE_STYLE]
    for cells, texts in zip(table.rows, [header, *rows], strict=True):
        for cell, text in zip(cells.cells, texts, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(font_size)
    if widths is not None:
        set_widths(table, widths)
    return table


def set_widths(table: Table, inches: Sequence[float]) -> None:
    """Fix the column widths (Word reads the cells' widths, LibreOffice the grid's)."""
    table.autofit = False
    for column, width in zip(table.columns, inches, strict=True):
        column.width = Inches(width)
        for cell in column.cells:
            cell.width = Inches(width)


def shade(table: Table, fill: str) -> None:
    for row in table.rows:
        for cell in row.cells:
            cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:fill="{fill}"/>'))


def caveat_box(doc: Document, text: str, label: str = "Caveat: ") -> None:
    """A shaded one-cell box: a bold label, then the text in italics."""
    box = doc.add_table(rows=1, cols=1)
    box.style = doc.styles["Table Grid"]
    shade(box, CAVEAT_FILL)
    paragraph = box.rows[0].cells[0].paragraphs[0]
    head = paragraph.add_run(label)
    head.bold = True
    head.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)
    paragraph.add_run(text).italic = True


def pair_lines(doc: Document, pairs: Sequence[tuple[str, str]]) -> None:
    """One paragraph per pair: the label in bold, a colon, then the text."""
    for label, text in pairs:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(text)


def small_line(doc: Document, text: str, size: float = 9) -> Paragraph:
    """A paragraph of small print (a subtitle line, a table's caption)."""
    paragraph = doc.add_paragraph()
    paragraph.add_run(text).font.size = Pt(size)
    return paragraph


def landscape(doc: Document) -> None:
    """Turn every section of ``doc`` to landscape (wide tables), margins 0.7 in."""
    for section in doc.sections:
        if section.orientation != WD_ORIENT.LANDSCAPE:
            width, height = section.page_width, section.page_height
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = height, width
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Inches(0.7))


def save_document(doc: Document, path: Path) -> Path:
    """Write ``doc`` to ``path`` atomically (built in memory, then moved into place)."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return write_atomically(path, buffer.getvalue())
