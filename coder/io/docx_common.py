"""Word-document helpers shared by the patient report and the reliability report.

Small building blocks over python-docx (a styled table with 9-point text, shading, a
caveat box, "label: text" lines, landscape pages) and :func:`save_document`, which builds
the file in memory and moves it into place (:func:`coder.io.atomic.write_atomically`),
so a failed export never leaves half a report.

Column widths come from the content (:func:`fit_widths`): Word and LibreOffice split a
word across lines when a column is narrower than it, and an equal split of the page
turned headers such as "Krippendorff's" into "Krippendo/rff's". Every column is at least
as wide as its longest header word; the rest of the page goes to the columns whose text
would otherwise wrap most. When even the longest words do not fit side by side, the
caller's shorter headers are used and a legend under the table spells them out.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
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


# Advance widths in em of a wide sans-serif (Arial/DejaVu-like; Calibri, Word's default,
# is narrower), by character class: an estimate that errs on the wide side.
_NARROW = set("iljI.,:;!|'()[] ")
_WIDE = set("mwMW%@≥≤")
CELL_PADDING = 0.2  # inches: Word's default cell margins (0.08 in each side) and a little
MAX_PREFERRED = 3.2  # inches: beyond this, long text wraps rather than widening further
BOLD_FACTOR = 1.2


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """The estimated printed width of ``text`` in inches (no wrapping)."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.32
        elif char in _WIDE:
            em += 0.9
        elif char.isupper() or char.isdigit():
            em += 0.68
        else:
            em += 0.58
    return em * font_size / 72 * (BOLD_FACTOR if bold else 1.0)


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w]


def min_widths(header: Sequence[str], font_size: float) -> list[float]:
    """Per column, the width its longest (bold) header word needs unbroken."""
    return [
        max((text_width(w, font_size, bold=True) for w in _words(h)), default=0.0) + CELL_PADDING
        for h in header
    ]


def fit_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    available: float,
    font_size: float,
) -> list[float]:
    """Column widths in inches from the content, within ``available`` where possible.

    Each column gets at least :func:`min_widths` (never less than its longest body word
    either, up to a fair share of the page); what is left of ``available`` is shared in
    proportion to how much more each column would like (its longest line, capped at
    :data:`MAX_PREFERRED`). The sum exceeds ``available`` only when the minimums do.
    """
    n = len(header)
    fair = available / max(n, 1)
    minimum = min_widths(header, font_size)
    preferred = []
    for c in range(n):
        body = [str(r[c]) for r in rows]
        longest_word = max((text_width(w, font_size) for t in body for w in _words(t)), default=0.0)
        minimum[c] = max(minimum[c], min(longest_word + CELL_PADDING, fair))
        longest_line = max(
            [text_width(header[c], font_size, bold=True)]
            + [text_width(line, font_size) for t in body for line in t.splitlines()]
        )
        preferred.append(max(minimum[c], min(longest_line + CELL_PADDING, MAX_PREFERRED)))
    if sum(preferred) <= available:
        return preferred
    spare = available - sum(minimum)
    if spare <= 0:
        return minimum
    wants = [p - m for p, m in zip(preferred, minimum, strict=True)]
    total = sum(wants) or 1.0
    return [m + spare * w / total for m, w in zip(minimum, wants, strict=True)]


def usable_width(doc: Document) -> float:
    """The width between the margins of the document's last section, in inches."""
    section = doc.sections[-1]
    emu = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return emu / Inches(1)


def add_table(
    doc: Document,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    font_size: float = 9,
    widths: Sequence[float] | None = None,
    short_headers: Mapping[str, str] | None = None,
) -> Table:
    """A table with a header row (the style makes it bold) and ``font_size``-point text.

    Column widths are fitted to the content and the page (:func:`fit_widths`) unless
    ``widths`` (inches, one per column) are given. ``short_headers`` (full → short) are
    used only when the full headers' words cannot fit side by side; a legend line under
    the table then gives each short header's meaning.
    """
    available = usable_width(doc)
    legend: list[str] = []
    if widths is None and short_headers and sum(min_widths(header, font_size)) > available:
        shortened = [short_headers.get(h, h) for h in header]
        pairs = [(s, h) for h, s in zip(header, shortened, strict=True) if s != h]
        legend = [f"{s} = {h}" for s, h in dict.fromkeys(pairs)]
        header = shortened
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
    set_widths(
        table, widths if widths is not None else fit_widths(header, rows, available, font_size)
    )
    if legend:
        small_line(doc, "Columns: " + "; ".join(legend) + ".", size=font_size)
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
