"""Paragraph and cell text of a Word body, exactly as python-docx spells it, in fewer steps.

python-docx computes ``Paragraph.text`` with one XPath query per paragraph and another per
run, then a Python method call per text element; for a 400-row table that was a third of
the whole import. Here one compiled XPath finds every text-bearing element of a paragraph
in document order and a table maps each to its text. The rules are python-docx's
(``docx.oxml.text``): ``w:t`` is its text, ``w:tab`` and ``w:ptab`` a tab, ``w:cr`` a
newline, ``w:noBreakHyphen`` a dash, ``w:br`` a newline when it is a line break (no type,
or ``textWrapping``) and nothing for a page or column break; only runs directly in the
paragraph or in a hyperlink count (tracked insertions, fields and smart tags do not, as in
python-docx). A cell's text is its own paragraphs' texts joined by newlines.
``tests/io/test_transcripts_docx_text.py`` compares both on every case.
"""

from __future__ import annotations

from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT = ("br", "cr", "noBreakHyphen", "ptab", "t", "tab")
_PIECES = etree.XPath(
    " | ".join(f"{where}w:r/w:{tag}" for where in ("", "w:hyperlink/") for tag in _CONTENT),
    namespaces={"w": _W},
)
_T, _BR = f"{{{_W}}}t", f"{{{_W}}}br"
_BR_TYPE = f"{{{_W}}}type"
_VAL = f"{{{_W}}}val"
_OFF = ("0", "false", "off")  # ST_OnOff values that switch a property off
_FIXED = {f"{{{_W}}}tab": "\t", f"{{{_W}}}ptab": "\t", f"{{{_W}}}cr": "\n",
          f"{{{_W}}}noBreakHyphen": "-"}  # fmt: skip
_P = f"{{{_W}}}p"
_BOLD = f"{{{_W}}}r/{{{_W}}}rPr/{{{_W}}}b"


def paragraph_text(p: etree._Element) -> str:
    """The text of a ``w:p`` element, as ``docx.text.paragraph.Paragraph.text``."""
    out = []
    for element in _PIECES(p):
        tag = element.tag
        if tag == _T:
            out.append(element.text or "")
        elif tag == _BR:
            out.append("\n" if element.get(_BR_TYPE, "textWrapping") == "textWrapping" else "")
        else:
            out.append(_FIXED[tag])
    return "".join(out)


def cell_text(tc: etree._Element) -> str:
    """The text of a ``w:tc`` element, as ``docx.table._Cell.text``."""
    return "\n".join(paragraph_text(p) for p in tc.iterchildren(_P))


def has_bold_run(p: etree._Element) -> bool:
    """Whether any run directly in the paragraph has bold (``w:b``) set on it, as
    ``any(run.bold for run in paragraph.runs)`` (``w:b w:val="0"`` is not bold)."""
    return any(b.get(_VAL, "true") not in _OFF for b in p.iterfind(_BOLD))
