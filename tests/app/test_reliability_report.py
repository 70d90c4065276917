"""The reliability Word report from a stored project (the demo): computed through
``reliability.compute`` (so blinding holds), one table per kind of line with the same
figures, the methods and the how-computed appendix; and ``coder irr --docx``."""

from __future__ import annotations

from pathlib import Path

import docx
import numpy as np
import pytest
from backend import project_args
from docx.document import Document

from coder.app import identity, reliability, reliability_format, reports, rounds
from coder.app.access import NotAllowed
from coder.app.identity import ActingRater
from coder.app.reliability import ReliabilityRow, ReliabilityTable
from coder.cli import main
from coder.domain.errors import CoderError, NotFoundError
from coder.io.reliability_docx import APPENDIX_HEADING, FIXED_COLUMNS, write_reliability_report
from coder.stats.reliability import how_computed, reliability_report
from coder.store.database import ProjectDatabase

PASS = "lab passphrase"
BOOT = 100


@pytest.fixture
def demo_db(demo_db: ProjectDatabase) -> ProjectDatabase:
    """The demo project (tests/conftest.py) with a lead, Lee."""
    identity.add_lead(demo_db, "Lee", "LP", PASS)
    return demo_db


@pytest.fixture
def lee(demo_db: ProjectDatabase) -> ActingRater:
    """The lead: in a project with a lead nobody compares raters anonymously."""
    return identity.sign_in(demo_db, "Lee", PASS)


def text_of(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def stat_tables(doc: Document) -> list[list[list[str]]]:
    found = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return [t for t in found if tuple(t[0][: len(FIXED_COLUMNS)]) == FIXED_COLUMNS]


def cell(stat_value: float, ci: tuple[float, float] | None) -> str:
    return f"{stat_value:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def test_the_report_has_a_table_per_kind_with_the_computed_figures(
    demo_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    path = reports.export_reliability_report(demo_db, lee, tmp_path / "irr.docx", bootstrap=BOOT)
    table = reliability.compute(demo_db, lee, bootstrap=BOOT)
    doc = docx.Document(str(path))
    tables = stat_tables(doc)
    kinds = list(dict.fromkeys(r.kind for r in table.rows))
    assert kinds == [
        "code", "family", "rating", "session rating", "frequency", "span", "turn overlap"
    ]  # fmt: skip
    assert len(tables) == len(kinds)
    headings = [p.text for p in doc.paragraphs if p.style and p.style.name == "Heading 2"]
    assert headings[: len(kinds)] == [reliability_format.KINDS[k][0] for k in kinds]
    for kind, rows in zip(kinds, tables, strict=True):
        expected = [r for r in table.rows if r.kind == kind]
        assert [row[0] for row in rows[1:]] == [r.item for r in expected]
        assert [row[2] for row in rows[1:]] == [str(r.report.n_units) for r in expected]
        assert {row[3] for row in rows[1:]} == {"2"}
    ratings = tables[kinds.index("rating")]
    w_sig = next(row for row in ratings if row[0] == "W_SIG")
    icc = next(r for r in table.rows if r.item == "W_SIG").report.icc["ICC2"]
    assert icc.value is not None
    assert w_sig[ratings[0].index("ICC(2,1)")] == cell(icc.value, icc.ci95)
    assert w_sig[-1].startswith("excellent (Koo & Li (2016))")
    w1 = next(row for row in tables[0] if row[0] == "W1")
    kappa = next(r for r in table.rows if r.item == "W1").report.stats["cohen_kappa"]
    assert kappa.value is not None
    assert w1[tables[0][0].index("Cohen's κ")] == cell(kappa.value, kappa.ci95)
    assert "(Landis & Koch (1977))" in w1[-1]
    text = text_of(doc)
    assert "Raters: Ada Lovelace, Ben Okafor" in text and "Sessions: 6" in text
    assert f"Bootstrap: {BOOT} resamples, seed 2026" in text
    assert text[0] == "Inter-rater reliability: Demo project"


def test_methods_and_how_computed_appendix(
    demo_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    path = reports.export_reliability_report(demo_db, lee, tmp_path / "irr.docx", bootstrap=0)
    doc = docx.Document(str(path))
    text = text_of(doc)
    methods = text.index("Methods")
    body = "\n".join(text[methods:])
    assert "Missing data. A rater who did not code a session is missing" in body
    assert "not 0 (absent)" in body
    assert "Presence. A code is present in a segment when the rater applied it there" in body
    assert "No bootstrap CIs (0 resamples)" in body
    assert "ICC(2,1) (McGraw & Wong ICC(A,1)" in body
    appendix = text.index(APPENDIX_HEADING)
    tail = "\n".join(text[appendix:])
    for method in ("percent_agreement", "cohen_kappa", "krippendorff_alpha_nominal", "ICC2"):
        assert how_computed(method) in tail
    sources = "\n".join(c.text for row in doc.tables[-1].rows for c in row.cells)
    for source in ("Landis & Koch (1977)", "Koo & Li (2016)", "Cicchetti (1994)"):
        assert source in sources
    assert "Krippendorff (2004)" in sources and "Content Analysis" in sources


def test_sessions_narrow_the_report(
    demo_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    path = reports.export_reliability_report(
        demo_db, lee, tmp_path / "p01.docx", sessions=["P01"], bootstrap=0
    )
    doc = docx.Document(str(path))
    assert "Sessions: 3 (only P01)" in text_of(doc)
    ratings = next(t for t in stat_tables(doc) if t[1][0] == "W_SIG")
    assert ratings[1][2] == "16"  # P01 has 6 + 6 + 4 segments


def test_a_blinded_round_needs_a_lead_and_nothing_is_written(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    lee = identity.sign_in(demo_db, "Lee", PASS)
    rounds.create_round(demo_db, lee, "pilot")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(NotAllowed, match="say who you are"):
        reports.export_reliability_report(demo_db, None, out / "irr.docx", bootstrap=0)
    with pytest.raises(NotAllowed, match="only a lead"):
        ada = identity.sign_in(demo_db, "Ada Lovelace")
        reports.export_reliability_report(demo_db, ada, out / "irr.docx", bootstrap=0)
    with pytest.raises(NotFoundError, match="in round 1"):  # the open round has no codes yet
        reports.export_reliability_report(
            demo_db, lee, out / "irr.docx", round_number=1, bootstrap=0
        )
    assert list(out.iterdir()) == []
    written = reports.export_reliability_report(demo_db, lee, out / "irr.docx", bootstrap=0)
    assert written.is_file()


def test_the_report_must_be_a_docx(
    demo_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    with pytest.raises(CoderError, match=r"\.docx"):
        reports.export_reliability_report(demo_db, lee, tmp_path / "irr.txt", bootstrap=0)
    assert list(tmp_path.glob("irr*")) == []


def test_undefined_figures_carry_their_reason_into_the_notes(tmp_path: Path) -> None:
    same = np.zeros((8, 2))  # nobody ever coded W5: kappa is 0/0
    report = reliability_report(same, "nominal", None, 0)
    table = ReliabilityTable(
        "s", ("A", "B"), 2, (ReliabilityRow("code", "W5", "Self-criticism", "segment", report),)
    )
    data = reports.reliability_report_data(table, project="P")
    path = write_reliability_report(tmp_path / "r.docx", data, title="T")
    doc = docx.Document(str(path))
    row = stat_tables(doc)[0][1]
    kappa = report.stats["cohen_kappa"]
    assert kappa.value is None and kappa.note
    assert row[stat_tables(doc)[0][0].index("Cohen's κ")].startswith("— [")
    notes = "\n".join(text_of(doc)[text_of(doc).index("Notes") :])
    assert kappa.note in notes and "W5: Cohen's κ, Krippendorff's α, " in notes
    assert "band" in notes.split("W5: ")[1]


def test_cli_writes_the_docx(
    demo_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_db.close()
    project = project_args(demo_db)
    out = tmp_path / "out.docx"
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS, encoding="utf-8")
    lead = ["--as", "Lee", "--passphrase-file", str(secret)]
    with pytest.raises(SystemExit) as info:
        main(["irr", *project, "--docx", str(out), "--bootstrap", "100", *lead])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out}"
    assert len(stat_tables(docx.Document(str(out)))) == 7  # 5 kinds + spans + turn overlap
    with pytest.raises(SystemExit) as info:
        main(["irr", "--ratings", str(tmp_path / "t.csv"), "--docx", str(out)])
    assert info.value.code == 2
    assert "--docx" in capsys.readouterr().err


def test_cli_docx_of_a_blinded_round_needs_a_lead(
    demo_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rounds.create_round(demo_db, identity.sign_in(demo_db, "Lee", PASS))
    demo_db.close()
    project = project_args(demo_db)
    out = tmp_path / "out.docx"
    with pytest.raises(SystemExit) as info:
        main(["irr", *project, "--docx", str(out), "--bootstrap", "0"])
    assert info.value.code == 2 and "say who you are" in capsys.readouterr().err
    assert not out.exists()
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS, encoding="utf-8")
    args = ["--as", "Lee", "--passphrase-file", str(secret), "--bootstrap", "0"]
    with pytest.raises(SystemExit) as info:
        main(["irr", *project, "--docx", str(out), *args])
    assert info.value.code == 0 and out.is_file()


def test_text_spans_report_unitizing_alpha_and_an_unbanded_overlap(
    demo_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    """Issue 10: the report's span section is uα with Krippendorff's band; the turn
    overlap section is descriptive with no band; each section says what is missing."""
    path = reports.export_reliability_report(demo_db, lee, tmp_path / "irr.docx", bootstrap=0)
    doc = docx.Document(str(path))
    tables = stat_tables(doc)
    spans = next(t for t in tables if "uα (unitizing)" in t[0])
    overlap = next(t for t in tables if "turns marked by all" in t[0])
    assert all("Krippendorff (2004)" in row[-1] or "—" in row[-1] for row in spans[1:])
    assert all(row[-1].startswith("no band") for row in overlap[1:] if "—" not in row[-2])
    text = "\n".join(text_of(doc))
    assert "Text spans (unitizing)" in text and "gaps count" in text
    assert "Missing: a session not coded by every rater is left out" in text
