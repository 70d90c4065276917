"""Our paragraph and cell text equals python-docx's on every kind of run content."""

from __future__ import annotations

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from coder.io.transcripts.docx_text import cell_text, has_bold_run, paragraph_text

RUN = "<w:r><w:t>{}</w:t></w:r>"


def _xml_paragraph(inner: str) -> docx.oxml.text.paragraph.CT_P:
    return parse_xml(f"<w:p {nsdecls('w')}>{inner}</w:p>")


ODD_PARAGRAPHS = [
    RUN.format("T: plain"),
    "<w:r><w:t xml:space='preserve'> spaced </w:t><w:tab/><w:t>after tab</w:t></w:r>",
    "<w:r><w:t>a</w:t><w:br/><w:t>b</w:t><w:br w:type='page'/><w:t>c</w:t>"
    "<w:br w:type='column'/><w:br w:type='textWrapping'/></w:r>",
    "<w:r><w:t>x</w:t><w:cr/><w:noBreakHyphen/><w:ptab w:relativeTo='margin' "
    "w:alignment='right' w:leader='none'/><w:t/></w:r>",
    RUN.format("before ")
    + "<w:hyperlink w:anchor='x'>"
    + RUN.format("link")
    + "</w:hyperlink>"
    + RUN.format(" after"),
    "<w:ins w:id='1' w:author='a'>" + RUN.format("inserted") + "</w:ins>" + RUN.format("kept"),
    "<w:fldSimple w:instr='PAGE'>" + RUN.format("3") + "</w:fldSimple><w:smartTag w:uri='u' "
    "w:element='e'>" + RUN.format("tagged") + "</w:smartTag>",
    "<w:r><w:rPr><w:b/></w:rPr><w:t>Client:</w:t></w:r>" + RUN.format(" bold label"),
    "",
]


def test_paragraph_text_matches_python_docx() -> None:
    document = docx.Document()
    for inner in ODD_PARAGRAPHS:
        document.element.body.append(_xml_paragraph(inner))
    run = document.add_paragraph("T: one").add_run(" two")
    run.add_tab()
    run.add_break()
    run.add_break(WD_BREAK.PAGE)
    run.add_text("three")
    paragraphs = document.paragraphs
    assert len(paragraphs) == len(ODD_PARAGRAPHS) + 1
    for paragraph in paragraphs:
        assert paragraph_text(paragraph._p) == paragraph.text


def test_cell_text_matches_python_docx() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "00:00:01"
    table.cell(0, 1).text = "Therapist"
    cell = table.cell(0, 2)
    cell.text = "first paragraph"
    cell.add_paragraph("second\tparagraph")
    cell._tc.append(_xml_paragraph(ODD_PARAGRAPHS[4]))
    cell.add_table(rows=1, cols=1).cell(0, 0).text = "nested table: not the cell's own text"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "merged"
    for row in table.rows:
        for each in row.cells:
            assert cell_text(each._tc) == each.text
    assert "nested" not in cell_text(cell._tc)


def _bold_run(val: str | None) -> str:
    attribute = "" if val is None else f" w:val='{val}'"
    return f"<w:r><w:rPr><w:b{attribute}/></w:rPr><w:t>T:</w:t></w:r>"


def test_bold_run_check_matches_python_docx() -> None:
    cases = [
        RUN.format("no bold at all"),
        _bold_run(None) + RUN.format(" text"),
        RUN.format("plain ") + _bold_run("1"),
        _bold_run("0") + _bold_run("false") + _bold_run("off"),
        _bold_run("true"),
        _bold_run("on"),
        "<w:hyperlink w:anchor='x'>" + _bold_run(None) + "</w:hyperlink>",  # not a run of it
        "<w:r><w:rPr><w:i/></w:rPr><w:t>italic</w:t></w:r>",
    ]
    document = docx.Document()
    for inner in cases:
        document.element.body.append(_xml_paragraph(inner))
    found = [has_bold_run(p._p) for p in document.paragraphs]
    assert found == [any(run.bold for run in p.runs) for p in document.paragraphs]
    assert found == [False, True, True, False, True, True, False, False]
