"""The reliability Word report from plain data: reopened with python-docx, it holds the
heading facts, the methods, one table per section with formatted figures, numbered
reasons for undefined figures and the how-computed appendix; it is written atomically."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.enum.section import WD_ORIENT

from coder.app.reliability_format import HEADLINE_TITLES
from coder.domain.errors import CoderError
from coder.io.reliability_docx import (
    APPENDIX_HEADING,
    FIXED_COLUMNS,
    NOTES_HEADING,
    figure,
    write_reliability_report,
)

GENERATED = datetime(2026, 3, 2, 14, 30)
EMPTY_REASON = "only one category was used: chance agreement is complete (0/0)"


def stat(
    title: str, value: float | None, ci: list[float] | None = None, note: str | None = None
) -> dict[str, Any]:
    return {"title": title, "value": value, "ci95": ci, "note": note}


def data() -> dict[str, Any]:
    return {
        "project": "Pilot study",
        "scheme": "3rs-2015 v2015.1",
        "raters": ["Ada Lovelace", "Ben Okafor"],
        "sessions": 6,
        "round": "2 — pilot (locked)",
        "session_filter": "P01, P02/3",
        "bootstrap": 500,
        "seed": 7,
        "methods": {
            "units": ["Presence codes: segments (nominal).", "Segment ratings: segments."],
            "missing": "A rater who did not code a session is missing, not 0.",
            "presence": "A code is present in a segment when the rater applied it there.",
            "intervals": "Percentile bootstrap over units.",
            "bands": "ICC(2,1) under Koo & Li (2016).",
        },
        "sections": [
            {
                "kind": "code",
                "title": "Presence codes",
                "unit": "segments",
                "level": "nominal",
                "band": "Cohen's κ under Landis & Koch (1977)",
                "columns": ["% agreement", "Cohen's κ"],
                "rows": [
                    {
                        "item": "W1",
                        "label": "Denial",
                        "n_units": 34,
                        "n_raters": 2,
                        "stats": [
                            stat("% agreement", 0.8824, [0.7647, 0.9706]),
                            stat("Cohen's κ", 0.6, [0.061, 0.912], "bootstrap CI from 499 of 500"),
                        ],
                        "band": [{"label": "moderate", "source": "Landis & Koch (1977)"}],
                        "band_note": None,
                    },
                    {
                        "item": "W5",
                        "label": "Self-criticism",
                        "n_units": 34,
                        "n_raters": 2,
                        "stats": [
                            stat("% agreement", 1.0, None, "agreement is trivial"),
                            stat("Cohen's κ", None, None, EMPTY_REASON),
                        ],
                        "band": [],
                        "band_note": EMPTY_REASON,
                    },
                ],
            },
            {
                "kind": "rating",
                "title": "Segment ratings",
                "unit": "segments",
                "level": "ordinal",
                "band": "ICC(2,1) under Koo & Li (2016)",
                "columns": ["% agreement", "ICC(2,1)"],
                "rows": [
                    {
                        "item": "W_SIG",
                        "label": "Withdrawal significance",
                        "n_units": 34,
                        "n_raters": 2,
                        "stats": [None, stat("ICC(2,1)", -0.125, [-0.5, 0.25])],
                        "band": [
                            {"label": "poor", "source": "Koo & Li (2016)"},
                            {"label": "poor", "source": "Cicchetti (1994)"},
                        ],
                        "band_note": None,
                    }
                ],
            },
        ],
        "how_computed": [
            {"title": "Cohen's kappa", "text": "Cohen (1960): (po - pe) / (1 - pe)."},
            {"title": "ICC(2,1) = ICC(A,1)", "text": "Two-way random, absolute agreement."},
        ],
        "bands": [
            {
                "name": name,
                "applies_to": "κ",
                "thresholds": "good ≥ 0.60",
                "reference": f"{name}, the full reference",
            }
            for name in (
                "Landis & Koch (1977)",
                "Koo & Li (2016)",
                "Cicchetti (1994)",
                "Krippendorff (2004)",
            )
        ],
    }


def paragraphs(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def stat_tables(doc: Document) -> list[list[list[str]]]:
    found = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return [t for t in found if tuple(t[0][: len(FIXED_COLUMNS)]) == FIXED_COLUMNS]


def written(tmp_path: Path) -> Document:
    path = write_reliability_report(
        tmp_path / "irr.docx", data(), title="Inter-rater reliability", generated=GENERATED
    )
    return docx.Document(str(path))


def test_figures_read_value_and_ci() -> None:
    assert figure(stat("x", 0.8163, [0.6149, 0.9512])) == "0.82 [0.61, 0.95]"
    assert figure(stat("x", -0.0645, [-0.18, 0.0])) == "-0.06 [-0.18, 0.00]"
    assert figure(stat("x", 1.0)) == "1.00"  # ICC without a CI, or --bootstrap 0
    assert figure(stat("x", None, None, "why")) == "—"
    assert figure(None) == ""  # not reported for this row


def test_heading_methods_and_one_table_per_section(tmp_path: Path) -> None:
    doc = written(tmp_path)
    text = paragraphs(doc)
    assert text[0] == "Inter-rater reliability"
    for line in (
        "Project: Pilot study",
        "Scheme: 3rs-2015 v2015.1",
        "Raters: Ada Lovelace, Ben Okafor",
        "Sessions: 6 (only P01, P02/3)",
        "Coding round: 2 — pilot (locked)",
        "Bootstrap: 500 resamples, seed 7",
    ):
        assert line in text
    assert any(t.startswith("Generated 2026-03-02 14:30") for t in text)
    assert "Methods" in text
    assert "Missing data. A rater who did not code a session is missing, not 0." in text
    assert "Presence codes: segments (nominal)." in text  # the units, one bullet per kind
    tables = stat_tables(doc)
    assert len(tables) == 2
    codes, ratings = tables
    assert codes[0] == [*FIXED_COLUMNS, "% agreement", "Cohen's κ", "Band"]
    assert codes[1] == [
        "W1", "Denial", "34", "2", "0.88 [0.76, 0.97]", "0.60 [0.06, 0.91]",
        "moderate (Landis & Koch (1977))",
    ]  # fmt: skip
    assert ratings[1] == [
        "W_SIG", "Withdrawal significance", "34", "2", "", "-0.12 [-0.50, 0.25]",
        "poor (Koo & Li (2016)); poor (Cicchetti (1994))",
    ]  # fmt: skip
    assert "Unit: segments. Band: ICC(2,1) under Koo & Li (2016)." in text
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE  # wide tables


def test_undefined_figures_are_numbered_with_their_reason(tmp_path: Path) -> None:
    doc = written(tmp_path)
    w5 = stat_tables(doc)[0][2]
    assert w5[4] == "1.00" and w5[5] == "— [1]" and w5[6] == "— [1]"  # one reason, one number
    text = paragraphs(doc)
    notes = text.index(NOTES_HEADING)
    assert f"[1] {EMPTY_REASON} — W5: Cohen's κ, band" in text[notes:]
    assert "W1 — Cohen's κ: bootstrap CI from 499 of 500" in text[notes:]
    assert "W5 — % agreement: agreement is trivial" in text[notes:]


def test_every_figure_defined_says_so(tmp_path: Path) -> None:
    plain = data()
    plain["sections"] = plain["sections"][1:]
    path = write_reliability_report(tmp_path / "r.docx", plain, title="T", generated=GENERATED)
    assert "Every figure in the tables is defined." in paragraphs(docx.Document(str(path)))


def test_appendix_has_how_computed_and_the_band_sources(tmp_path: Path) -> None:
    doc = written(tmp_path)
    text = paragraphs(doc)
    appendix = text.index(APPENDIX_HEADING)
    assert appendix > text.index(NOTES_HEADING)
    assert "Cohen's kappa. Cohen (1960): (po - pe) / (1 - pe)." in text[appendix:]
    bands = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert bands[0] == ["Scale", "Applies to", "Bands", "Reference"]
    assert [row[0] for row in bands[1:]] == [
        "Landis & Koch (1977)",
        "Koo & Li (2016)",
        "Cicchetti (1994)",
        "Krippendorff (2004)",
    ]


def test_without_round_filter_or_bootstrap_the_heading_says_so(tmp_path: Path) -> None:
    plain = data()
    plain.update(round=None, session_filter=None, bootstrap=0, project="")
    path = write_reliability_report(tmp_path / "r.docx", plain, title="T", generated=GENERATED)
    text = paragraphs(docx.Document(str(path)))
    assert "Sessions: 6" in text and "Bootstrap: none (no bootstrap CIs)" in text
    assert not any(t.startswith(("Coding round", "Project")) for t in text)


def test_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "irr.docx"
    path.write_bytes(b"the previous report")

    def fail(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("coder.io.atomic.os.replace", fail)
    with pytest.raises(CoderError, match="the disk is full") as info:
        write_reliability_report(path, data(), title="T")
    assert info.value.path == str(path)
    assert path.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["irr.docx"]  # no temporary file left
    with pytest.raises(CoderError, match="folder does not exist"):
        write_reliability_report(tmp_path / "missing" / "irr.docx", data(), title="T")


def test_the_same_remark_on_several_items_is_one_line(tmp_path: Path) -> None:
    plain = data()
    rows = plain["sections"][0]["rows"]
    rows[0]["stats"][0]["note"] = "agreement is trivial"  # W1 now shares W5's remark
    path = write_reliability_report(tmp_path / "r.docx", plain, title="T", generated=GENERATED)
    text = paragraphs(docx.Document(str(path)))
    assert "W1, W5 — % agreement: agreement is trivial" in text
    assert not any(t.startswith("W5 — % agreement") for t in text)


def test_no_header_word_breaks_even_with_every_statistic(
    tmp_path: Path, header_words_fit: Callable[[Document], None]
) -> None:
    """The widest section (every headline statistic) keeps each header word whole:
    shorter headers and a legend replace the full ones when they cannot fit."""
    report = data()
    section = report["sections"][0]
    section["columns"] = list(HEADLINE_TITLES.values())
    for row in section["rows"]:
        row["stats"] = [stat(t, 0.5, [0.25, 0.75]) for t in section["columns"]]
    path = write_reliability_report(
        tmp_path / "wide.docx", report, title="Reliability", generated=GENERATED
    )
    doc = docx.Document(str(path))
    header_words_fit(doc)
    legend = [p for p in paragraphs(doc) if p.startswith("Columns: ")]
    assert legend and "Kripp. α = Krippendorff's α" in legend[0]
    header_words_fit(written(tmp_path))  # the usual report too
