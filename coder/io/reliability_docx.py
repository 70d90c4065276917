"""The inter-rater reliability report as a Word file: what was compared, how, the figures
per kind of unit with their 95% CIs and bands, the reasons for every undefined figure,
and how each statistic is computed.

Input is plain data built by the app layer
(:func:`coder.app.reports.reliability_report_data`), so this module needs nothing above
``coder.io`` and no statistics: it lays out and formats, nothing else. The shape::

    project, scheme: str; raters: [str]; sessions: int; round: str | None;
    session_filter: str | None; bootstrap: int; seed: int | None;
    methods: {units: [str], missing, presence, intervals, bands: str};
    sections: [{kind, title, unit, level, band: str, missing: str | None, columns: [str],
                rows: [{item, label: str, n_units, n_raters: int,
                        stats: [{title, value, ci95, note} | None] (one per column),
                        band: [{label, source}] (empty when undefined or none),
                        band_note: str | None, no_band: str | None}]}];
    how_computed: [{title, text}]; bands: [{name, applies_to, thresholds, reference}]

A figure reads ``0.82 [0.61, 0.95]`` (value and 95% CI); an undefined one ``—`` with a
numbered note that gives the reason. The file is written atomically
(:func:`coder.io.docx_common.save_document`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx.document import Document

from coder.io.docx_common import (
    add_table,
    landscape,
    new_document,
    pair_lines,
    save_document,
    small_line,
)

UNDEFINED = "—"
FIXED_COLUMNS = ("Item", "Label", "n units", "n raters")
# Shorter statistic headers, used (with a legend under the table) only when the full
# ones cannot fit on the page without breaking a word (coder.io.docx_common.add_table).
SHORT_HEADERS = {
    "% agreement": "% agr.",
    "Krippendorff's α": "Kripp. α",
    "Gwet's AC1": "AC1",
    "κw (quadratic)": "κw quad.",
    "uα (unitizing)": "uα",
    "turns marked by all": "by all",
}
NOTES_HEADING = "Notes"
APPENDIX_HEADING = "Appendix: How computed"


def figure(stat: Mapping[str, Any] | None) -> str:
    """``0.82 [0.61, 0.95]``; ``0.82`` without a CI; "—" when undefined; "" when the
    statistic is not reported for the row."""
    if stat is None:
        return ""
    value = stat.get("value")
    if value is None:
        return UNDEFINED
    ci = stat.get("ci95")
    return f"{value:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


class _Notes:
    """Numbered reasons for undefined figures (one number per distinct reason, with every
    place it applies) and the remarks on defined ones."""

    def __init__(self) -> None:
        self.undefined: dict[str, dict[str, list[str]]] = {}  # reason -> item -> titles
        self.remarks: dict[tuple[str, str], list[str]] = {}  # (item, note) -> titles

    def mark(self, reason: str | None, item: str, title: str) -> str:
        text = reason or "undefined for these data"
        self.undefined.setdefault(text, {}).setdefault(item, []).append(title)
        return f" [{list(self.undefined).index(text) + 1}]"

    def remark(self, item: str, note: str, title: str) -> None:
        self.remarks.setdefault((item, note), []).append(title)

    def places(self, reason: str) -> str:
        """``W5: Cohen's κ, band; C1: Cohen's κ``."""
        return "; ".join(f"{item}: {', '.join(t)}" for item, t in self.undefined[reason].items())

    def grouped_remarks(self) -> list[tuple[list[str], list[str], str]]:
        """(items, titles, note): items with the same note on the same statistics together."""
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for (item, note), titles in self.remarks.items():
            groups.setdefault((note, tuple(titles)), []).append(item)
        return [(items, list(titles), note) for (note, titles), items in groups.items()]


def _heading(doc: Document, data: Mapping[str, Any], title: str, generated: datetime) -> None:
    doc.add_heading(title, 0)
    boot = int(data.get("bootstrap") or 0)
    seed = data.get("seed")
    sessions = str(data.get("sessions", "?"))
    if data.get("session_filter"):
        sessions += f" (only {data['session_filter']})"
    pairs = [("Project", str(data["project"]))] if data.get("project") else []
    pairs += [
        ("Scheme", str(data.get("scheme", "?"))),
        ("Raters", ", ".join(data.get("raters") or []) or "?"),
        ("Sessions", sessions),
    ]
    if data.get("round"):
        pairs.append(("Coding round", str(data["round"])))
    pairs.append(
        (
            "Bootstrap",
            f"{boot} resamples, seed {seed}" if boot else "none (no bootstrap CIs)",
        )
    )
    pair_lines(doc, pairs)
    small_line(
        doc,
        f"Generated {generated:%Y-%m-%d %H:%M}. A figure reads 0.82 [0.61, 0.95]: the value "
        f"and its 95% confidence interval; {UNDEFINED} [n] means undefined, for the reason "
        f"given under {NOTES_HEADING}.",
    )


def _lead(doc: Document, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}. ").bold = True
    paragraph.add_run(text)


def _methods(doc: Document, methods: Mapping[str, Any]) -> None:
    doc.add_heading("Methods", 1)
    units = list(methods.get("units") or [])
    if units:
        _lead(doc, "Units", "Each line compares the raters over units of one kind:")
        for text in units:
            doc.add_paragraph(str(text), style="List Bullet")
    for key, label in (
        ("missing", "Missing data"),
        ("presence", "Presence"),
        ("intervals", "Confidence intervals"),
        ("bands", "Bands"),
    ):
        if methods.get(key):
            _lead(doc, label, str(methods[key]))


def _section(doc: Document, section: Mapping[str, Any], notes: _Notes) -> None:
    doc.add_heading(str(section.get("title", section.get("kind", ""))), 2)
    small_line(doc, f"Unit: {section.get('unit', '')}. Band: {section.get('band', '')}.")
    if section.get("missing"):
        small_line(doc, f"Missing: {section['missing']}.")
    columns = [str(c) for c in section.get("columns") or []]
    rows: list[list[str]] = []
    for row in section.get("rows") or []:
        item = str(row.get("item", ""))
        cells = [item, str(row.get("label", "")), str(row.get("n_units", "")),
                 str(row.get("n_raters", ""))]  # fmt: skip
        for stat in row.get("stats") or []:
            text = figure(stat)
            if stat is not None:
                title = str(stat.get("title", ""))
                if stat.get("value") is None:
                    text += notes.mark(stat.get("note"), item, title)
                elif stat.get("note"):
                    notes.remark(item, str(stat["note"]), title)
            cells.append(text)
        bands = row.get("band") or []
        if bands:
            band = "; ".join(f"{b['label']} ({b['source']})" for b in bands)
        elif row.get("no_band"):
            band = str(row["no_band"])  # a descriptive figure: no published band
        else:
            band = UNDEFINED + notes.mark(row.get("band_note"), item, "band")
        rows.append([*cells, band])
    add_table(
        doc, [*FIXED_COLUMNS, *columns, "Band"], rows, font_size=8, short_headers=SHORT_HEADERS
    )


def _notes(doc: Document, notes: _Notes) -> None:
    doc.add_heading(NOTES_HEADING, 1)
    if notes.undefined:
        doc.add_paragraph("Undefined figures (shown as — [n] in the tables) and why:")
        for number, reason in enumerate(notes.undefined, start=1):
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"[{number}] ").bold = True
            paragraph.add_run(reason)
            paragraph.add_run(f" — {notes.places(reason)}").italic = True
    else:
        doc.add_paragraph("Every figure in the tables is defined.")
    if notes.remarks:
        doc.add_heading("Remarks on computed figures", 2)
        for items, titles, note in notes.grouped_remarks():
            doc.add_paragraph(
                f"{', '.join(items)} — {', '.join(titles)}: {note}", style="List Bullet"
            )


def _appendix(
    doc: Document, how: Sequence[Mapping[str, Any]], bands: Sequence[Mapping[str, Any]]
) -> None:
    doc.add_heading(APPENDIX_HEADING, 1)
    for entry in how:
        _lead(doc, str(entry.get("title", "")), str(entry.get("text", "")))
    if bands:
        doc.add_heading("Interpretation bands and their sources", 2)
        add_table(
            doc,
            ["Scale", "Applies to", "Bands", "Reference"],
            [
                [str(b.get(k, "")) for k in ("name", "applies_to", "thresholds", "reference")]
                for b in bands
            ],
            widths=(1.4, 2.0, 2.6, 3.5),
        )
        doc.add_paragraph(
            "Bands are conventions, not tests. Koo & Li (2016) advise judging the whole 95% "
            "CI, not only the point estimate: an ICC of .80 with CI [.45, .93] is "
            "“poor to excellent”."
        )


def build_reliability_report(
    data: Mapping[str, Any], *, title: str, generated: datetime | None = None
) -> Document:
    """The report as a python-docx Document (see :func:`write_reliability_report`)."""
    doc = new_document()
    landscape(doc)
    _heading(doc, data, title, generated or datetime.now())
    _methods(doc, data.get("methods") or {})
    doc.add_heading("Results", 1)
    notes = _Notes()
    sections = list(data.get("sections") or [])
    for section in sections:
        _section(doc, section, notes)
    if not sections:
        doc.add_paragraph("No line could be computed.")
    _notes(doc, notes)
    _appendix(doc, list(data.get("how_computed") or []), list(data.get("bands") or []))
    return doc


def write_reliability_report(
    path: Path,
    table_data: Mapping[str, Any],
    *,
    title: str,
    generated: datetime | None = None,
) -> Path:
    """Write the reliability report to ``path`` atomically; ``table_data`` has the shape in
    the module docstring (:func:`coder.app.reports.reliability_report_data` builds it)."""
    doc = build_reliability_report(table_data, title=title, generated=generated)
    return save_document(doc, path)
