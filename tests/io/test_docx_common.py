"""Table column widths from content: no header word is ever split across lines
(checked by the ``header_words_fit`` fixture, an independent measurement; see conftest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from docx.document import Document

from coder.io.docx_common import add_table, fit_widths, landscape, new_document, usable_width


def test_widths_follow_content_within_the_page() -> None:
    header = ["Item", "Label", "Definition", "Krippendorff's α"]
    long = "A long text that would like a lot of room on the page, more than there is"
    rows = [["W1", long, long, "0.82"]]
    widths = fit_widths(header, rows, 6.0, 9)
    assert sum(widths) == pytest.approx(6.0)  # squeezed to the page
    assert min(widths[1:3]) > max(widths[0], widths[3])  # long texts get the spare room
    narrow = fit_widths(["n", "x"], [["1", "2"]], 6.0, 9)
    assert sum(narrow) < 2  # short content: no stretching to the page


@pytest.mark.parametrize("columns", [4, 9, 14])
def test_header_words_never_break(
    columns: int, header_words_fit: Callable[[Document], None]
) -> None:
    doc = new_document()
    header = ["Krippendorff's α", "Resolution rate", "Markers/10 min", "Withdrawal"] * 4
    add_table(doc, header[:columns], [["0.82 [0.61, 0.95]"] * columns], font_size=9)
    header_words_fit(doc)


def test_short_headers_and_a_legend_only_when_needed() -> None:
    short = {"Krippendorff's α": "Kripp. α", "Percent agreement": "% agr."}
    doc = new_document()
    landscape(doc)
    add_table(doc, ["Item", "Krippendorff's α"], [["W1", "0.8"]], short_headers=short)
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["Item", "Krippendorff's α"]
    assert not any(p.text.startswith("Columns:") for p in doc.paragraphs)

    crowded = ["Krippendorff's α", "Percent agreement"] * 6
    add_table(doc, crowded, [["0.8"] * 12], short_headers=short, font_size=9)
    assert [c.text for c in doc.tables[1].rows[0].cells][:2] == ["Kripp. α", "% agr."]
    legend = [p.text for p in doc.paragraphs if p.text.startswith("Columns:")]
    assert legend == ["Columns: Kripp. α = Krippendorff's α; % agr. = Percent agreement."]
    assert usable_width(doc) == pytest.approx(11 - 1.4)
