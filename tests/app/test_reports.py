"""Exporting a patient's report and plots from a stored project, and ``coder report``."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from backend import project_args
from click.testing import CliRunner
from docx.document import Document

from coder.app import identity, intake, profiles, reports, rounds
from coder.app.access import NotAllowed
from coder.commands.report import report_command
from coder.domain.errors import CoderError
from coder.domain.intake import IIP, OCTANTS, SUIPI, IIPVersion, PDInterview
from coder.io.profile_text import SESSION_COLUMNS
from coder.store.database import ProjectDatabase

HEADER = [header for _, header, _ in SESSION_COLUMNS]


def text_of(doc: Document) -> str:
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def profile_rows(doc: Document) -> list[list[str]]:
    for table in doc.tables:
        found = [[c.text for c in row.cells] for row in table.rows]
        if found[0] == HEADER:
            return found
    raise AssertionError("no profile table")


def test_exported_report_holds_the_profile_and_formulation(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    path = reports.export_patient_report(demo_db, ada, "P01", tmp_path / "P01.docx")
    data = profiles.build_report(demo_db, "P01", rater="Ada Lovelace").to_dict()
    doc = docx.Document(str(path))
    table = profile_rows(doc)
    assert len(table) == len(data["sessions"]) + 1 == 4
    for row, session in zip(table[1:], data["sessions"], strict=True):
        assert row[0] == str(session["session"])
        assert row[2] == str(session["withdrawal_segments"])
        assert row[5] == f"{session['mean_confrontation_significance']:.2f}"
        assert row[7] == f"{session['resolution_rate']:.2f}"
    assert table[1][:4] == ["1", "6/6", "5", "0"]  # hand-checked in tests/stats/test_profiles.py
    text = text_of(doc)
    assert data["formulation"]["caveat"] in text
    for reason in data["reasons"]:
        assert reason in text
    assert len(doc.inline_shapes) == 4
    assert "No intake measures entered." in text and "No override recorded" in text


def test_intake_and_override_sections_appear_when_present(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    intake.save_iip(
        demo_db,
        ada,
        "P01",
        IIP.from_octants(IIPVersion.IIP_64, {o: 1.0 + (0.5 if o == "HI" else 0) for o in OCTANTS}),
    )
    intake.save_suip(demo_db, ada, "P01", SUIPI((4, 4, 4, 3, 4, 4)))
    intake.save_pd(demo_db, ada, "P01", PDInterview({"dependent": (2, 2, 2, 2, 2, 0, 0, 0)}))
    profiles.set_override(demo_db, ada, "P01", "A", None, "PD at threshold: repair is central")
    path = reports.export_patient_report(
        demo_db, ada, "P01", tmp_path / "P01.docx", rater="Ben Okafor"
    )
    doc = docx.Document(str(path))
    text = text_of(doc)
    assert "codes of Ben Okafor" in doc.paragraphs[1].text
    assert "IIP (IIP-64)" in text and "Structural summary:" in text
    assert "SUIP-I (ratings 1–5)" in text and "Mean 3.83; total 23" in text
    assert "Personality disorder interview (SIDP-IV)" in text and "dependent" in text
    assert "Rationale: PD at threshold: repair is central" in text
    assert "Decided by: Ada Lovelace" in text
    report = profiles.build_report(demo_db, "P01", rater="Ben Okafor")
    assert "a_pd_threshold" in [r.rule_id for r in report.formulation.fired]
    for rule in report.formulation.fired:
        assert rule.reason in text


def test_export_plots_writes_four_files(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    written = reports.export_plots(demo_db, None, "P02", tmp_path, "svg", rater="Ben Okafor")
    assert [p.name for p in written] == [
        f"P02-Ben_Okafor-{name}.svg"
        for name in ("sessions", "significance", "balance", "resolution")
    ]
    assert all("<svg" in p.read_text(encoding="utf-8") for p in written)
    pngs = reports.export_plots(
        demo_db, None, "P02", tmp_path, "png", rater="Ben Okafor", prefix="fig 1"
    )
    assert pngs[0].name == "fig_1-sessions.png" and pngs[0].read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(CoderError, match="folder does not exist"):
        reports.export_plots(demo_db, None, "P02", tmp_path / "nope", "png", rater="Ben Okafor")


def test_report_needs_a_docx_name(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    with pytest.raises(CoderError, match=r"\.docx"):
        reports.export_patient_report(
            demo_db, None, "P01", tmp_path / "P01.pdf", rater="Ada Lovelace"
        )


def test_sources_and_blinding(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    labels = [s.label for s in reports.profile_sources(demo_db, ada, "P01")]
    assert labels == ["Ada Lovelace (you)", "Ben Okafor"]
    identity.add_lead(demo_db, "Lee", "LP", "lab passphrase")
    lead = identity.sign_in(demo_db, "Lee", "lab passphrase")
    rounds.create_round(demo_db, lead)
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    assert [s.rater for s in reports.profile_sources(demo_db, ada, "P01")] == ["Ada Lovelace"]
    assert [s.rater for s in reports.profile_sources(demo_db, lead, "P01")] == [
        "Ada Lovelace",
        "Ben Okafor",
    ]
    with pytest.raises(NotAllowed):
        reports.export_patient_report(demo_db, ada, "P01", tmp_path / "x.docx", rater="Ben Okafor")
    assert not (tmp_path / "x.docx").exists()


def test_cli_report_command(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    project = project_args(demo_db)
    demo_db.close()
    out, plots_dir = tmp_path / "r.docx", tmp_path / "plots"
    plots_dir.mkdir()
    result = CliRunner().invoke(
        report_command,
        [
            *project, "--patient", "P02", "--rater", "Ben Okafor",
            "--out", str(out), "--plots-dir", str(plots_dir), "--plot-format", "svg",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    assert len(profile_rows(docx.Document(str(out)))) == 4
    assert sorted(p.suffix for p in plots_dir.iterdir()) == [".svg"] * 4
    both = CliRunner().invoke(
        report_command,
        [*project, "--patient", "P02", "--rater", "Ben Okafor", "--consensus",
         "--out", str(out)],
    )  # fmt: skip
    assert both.exit_code != 0 and "either --rater or --consensus" in str(both.exception)
