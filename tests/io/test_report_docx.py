"""The Word report: reopened with python-docx, its tables hold the report's numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.table import Table

from coder.app import profiles
from coder.domain.errors import CoderError
from coder.domain.formulation import Difficulty, Override, TypeLabel
from coder.domain.formulation_rules import type_text
from coder.domain.intake import IIP, OCTANTS, SUIPI, IIPVersion, Intake, PDInterview, RelationalNote
from coder.io import plots
from coder.io.profile_text import SESSION_COLUMNS
from coder.io.report_docx import write_patient_report
from coder.stats.circumplex import iip_ssm
from coder.store.database import ProjectDatabase

HEADER = [header for _, header, _ in SESSION_COLUMNS]


@pytest.fixture
def report(demo_db: ProjectDatabase) -> profiles.PatientReport:
    return profiles.build_report(demo_db, "P01", rater="Ada Lovelace")


def all_text(doc: Document) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_with(doc: Document, first_row: list[str]) -> list[list[str]]:
    found = [rows(t) for t in doc.tables if rows(t)[0] == first_row]
    assert len(found) == 1, f"no single table headed {first_row}"
    return found[0]


def full_intake() -> Intake:
    return Intake(
        "P01",
        iip=IIP.from_octants(IIPVersion.IIP_32, {o: 0.5 + 0.25 * i for i, o in enumerate(OCTANTS)}),
        suip=SUIPI((3, 4, None, 2, 5, 1)),
        pd=PDInterview({"borderline": (2, 2, 3, 2, 2, 0, 0, 1, 0), "avoidant": (0,) * 7}),
        notes=(RelationalNote(date(2024, 3, 1), "Argument with her sister about the move"),),
    )


def test_full_report_has_every_section(
    report: profiles.PatientReport, tmp_path: Path, header_words_fit: Callable[[Document], None]
) -> None:
    data = report.to_dict()
    intake = full_intake()
    assert intake.iip is not None
    history = [
        Override(
            TypeLabel.C, None, "first impression", "Ada Lovelace", datetime(2024, 3, 2, 9, 30)
        ),
        Override(
            TypeLabel.B,
            Difficulty.COMMUNION,
            "after session 3",
            "Ben Okafor",
            datetime(2024, 4, 1, 14, 0),
        ),
    ]
    data["override"] = {
        "type": "B",
        "difficulty": "communion_relatedness",
        "rationale": "after session 3",
        "who": "Ben Okafor",
        "when": "2024-04-01T14:00:00",
    }
    pictures = {
        title: plots.render_png(fn, report.profile, dpi=40) for title, fn in plots.PLOTS.values()
    }
    path = write_patient_report(
        tmp_path / "P01.docx",
        data,
        intake=intake,
        ssm=iip_ssm(intake.iip).to_dict(),
        history=history,
        plots=pictures,
        generated=datetime(2024, 5, 1, 12, 0),
    )
    doc = docx.Document(str(path))
    text = all_text(doc)

    # Title, then the caveat before any table of numbers.
    assert doc.paragraphs[0].text == "Patient P01: rupture profile and formulation"
    assert (
        "codes of Ada Lovelace" in doc.paragraphs[1].text and "2024-05-01" in doc.paragraphs[1].text
    )
    caveat = rows(doc.tables[0])[0][0]
    assert caveat.startswith("Caveat: ") and report.formulation.caveat in caveat

    profile = table_with(doc, HEADER)
    assert len(profile) == len(data["sessions"]) + 1
    for row, session in zip(profile[1:], data["sessions"], strict=True):
        m = session["metrics"]
        assert row[:4] == [
            str(session["session"]),
            f"{session['coverage']['coded_segments']}/{session['n_segments']}",
            str(session["withdrawal_segments"]),
            str(session["confrontation_segments"]),
        ]
        assert row[4] == f"{session['mean_withdrawal_significance']:.2f}"
        assert row[6] == f"{m['markers_per_10min']:.2f}"
        assert row[7] == (
            f"{session['resolution_rate']:.2f}" if session["resolution_rate"] is not None else "—"
        )
    assert "Coverage: 16 of 16 segments coded (100%). Metrics are computed over coded" in text
    assert "Not fully coded" not in text
    trait = table_with(doc, ["Metric", "Patient mean"])
    assert len(trait) == len(data["trait_like"]) + 1
    assert "Balance index: +1.00" in text and "(W - C) / (W + C)" in text
    assert table_with(doc, ["Phase", "Sessions", "Rupture share"])[1][:2] == ["early", "1"]

    assert len(doc.inline_shapes) == 4
    for title, _ in plots.PLOTS.values():
        assert title in text

    octants = table_with(doc, list(OCTANTS))
    assert octants[1][0] == "0.50" and octants[1][-1] == "2.25"
    ssm = table_with(
        doc, ["Elevation", "x (communion)", "y (agency)", "Amplitude", "Displacement", "R²"]
    )
    assert ssm[1][0] == f"{iip_ssm(intake.iip).elevation:.2f}"
    suip = table_with(doc, ["Insight level", "Rating"])
    assert suip[1:] == [
        ["Level 1", "3"],
        ["Level 2", "4"],
        ["Level 3", "—"],
        ["Level 4", "2"],
        ["Level 5", "5"],
        ["Level 6", "1"],
    ]
    assert "Mean 3.00; total —" in text
    pd = table_with(
        doc, ["Disorder", "Sum of ratings", "Criteria met (≥ 2)", "DSM threshold", "Meets it"]
    )
    assert ["borderline", "12", "5", "5", "yes"] in pd and ["avoidant", "0", "0", "4", "no"] in pd
    assert "2024-03-01: Argument with her sister about the move" in text

    for rule in report.formulation.fired:
        assert rule.reason in text
    assert report.formulation.difficulty_approach and report.formulation.difficulty_approach in text
    for rule_id in report.formulation.undetermined:
        assert f"{rule_id}: needs" in text
    assert "Rationale: after session 3" in text and "Decided by: Ben Okafor" in text
    history_rows = table_with(doc, ["When", "Who", "Type", "Difficulty", "Rationale"])
    assert history_rows[1:] == [
        ["2024-03-02 09:30", "Ada Lovelace", "C — mature relational capacity", "—",
         "first impression"],
        ["2024-04-01 14:00", "Ben Okafor", "B — functioning well, but with interpersonal "
         "struggles", "communion / relatedness", "after session 3"],
    ]  # fmt: skip
    header_words_fit(doc)


def section_text(doc: Document, heading: str) -> list[str]:
    """The paragraphs under ``heading`` up to the next heading."""
    texts = [(p.style.name if p.style else "", p.text) for p in doc.paragraphs]
    start = next(i for i, (_, t) in enumerate(texts) if t == heading) + 1
    end = next(
        (i for i in range(start, len(texts)) if texts[i][0].startswith("Heading")), len(texts)
    )
    return [t for _, t in texts[start:end]]


def test_recommended_approach_follows_the_clinicians_decision(
    report: profiles.PatientReport, tmp_path: Path
) -> None:
    rules = report.formulation
    suggested = rules.suggested_type
    decided = next(t for t in TypeLabel if t != suggested)
    overridden = replace(
        report,
        override=Override(decided, None, "clinical judgement", "Lee", datetime(2024, 5, 1, 9)),
    )
    doc = docx.Document(str(write_patient_report(tmp_path / "o.docx", overridden.to_dict())))
    approach = section_text(doc, "Recommended approach")
    assert approach[0] == (
        f"Follows the clinician's decision: type {type_text(decided)} (the rules suggested "
        f"{type_text(suggested)})."
    )
    assert approach[1] == rules.type_approaches[decided]
    if suggested is not None:
        assert rules.type_approaches[suggested] not in approach
    assert rules.difficulty_approach in approach  # the difficulty was kept: its own text
    text = all_text(doc)
    assert f"Type: {type_text(decided)}" in text
    assert f"In force: type {type_text(decided)}" in text

    # Without a decision the approach is the rules' own, with no note.
    plain = docx.Document(str(write_patient_report(tmp_path / "p.docx", report.to_dict())))
    approach = section_text(plain, "Recommended approach")
    assert not any(t.startswith("Follows") for t in approach)
    if suggested is not None:
        assert approach[0] == rules.type_approaches[suggested]
        assert f"Suggested type: {type_text(suggested)}" in all_text(plain)


def test_minimal_report_says_what_is_missing(
    report: profiles.PatientReport, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = write_patient_report(out / "bare.docx", report.to_dict(), consensus=True)
    doc = docx.Document(str(path))
    text = all_text(doc)
    assert "consensus codes" in doc.paragraphs[1].text
    assert "No intake measures entered." in text
    assert "No override recorded: the suggestion stands." in text
    assert len(doc.inline_shapes) == 0
    assert [p.name for p in out.iterdir()] == ["bare.docx"]  # no temp file left


def test_missing_values_and_an_empty_profile(tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "patient": "P00",
        "rater": "Ada",
        "scheme": "3rs-2015 v2015.1",
        "sessions": [],
        "trait_like": {"resolution_rate": None},
        "balance_index": None,
        "formulation": {"caveat": "Only a suggestion.", "fired_rules": []},
    }
    doc = docx.Document(str(write_patient_report(tmp_path / "empty.docx", data)))
    text = all_text(doc)
    assert "No session has segments for this scheme yet." in text
    assert "Balance index: —" in text and "No rule fired." in text
    assert rows(doc.tables[0])[0][0] == "Caveat: Only a suggestion."


def test_writing_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="folder does not exist"):
        write_patient_report(tmp_path / "nope" / "r.docx", {"patient": "P1"})


def test_withheld_suggestion_names_incomplete_sessions_and_open_disagreements(
    tmp_path: Path,
) -> None:
    notice = (
        "No suggestion: coding is incomplete. The rules need every session at least 100% "
        "coded; incomplete: P01/2: 7 of 12 segments coded."
    )
    data: dict[str, Any] = {
        "patient": "P01",
        "sessions": [],
        "coverage": {
            "coded_segments": 19,
            "total_segments": 24,
            "share": 19 / 24,
            "incomplete_sessions": ["P01/2: 7 of 12 segments coded"],
        },
        "disagreements_text": "3 disagreements open",
        "formulation": {
            "caveat": "Only a suggestion.",
            "status": "withheld",
            "notice": notice,
            "fired_rules": [],
        },
    }
    doc = docx.Document(str(write_patient_report(tmp_path / "w.docx", data, consensus=True)))
    text = all_text(doc)
    assert "Consensus not final: 3 disagreements open." in text
    assert "Coverage: 19 of 24 segments coded (79%)." in text
    assert "Not fully coded: P01/2: 7 of 12 segments coded." in text
    assert notice in text and "Suggested type" not in text and "No rule fired." not in text
    provisional = {
        **data,
        "formulation": {
            "caveat": "Only a suggestion.",
            "status": "provisional",
            "label": "Provisional — computed on incomplete coding",
            "notice": "Provisional — computed on incomplete coding (P01/2: 7 of 12 segments coded).",
            "suggested_type": "C",
            "fired_rules": [],
        },
    }
    doc = docx.Document(str(write_patient_report(tmp_path / "p.docx", provisional)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Provisional — computed on incomplete coding" in headings
    assert "Suggested type: C" in all_text(doc)
