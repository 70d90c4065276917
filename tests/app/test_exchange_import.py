"""REFI-QDA project import (issue 12 item 2): a project survives export → import into a
fresh project (row sets compared straight from the databases), foreign files import
with their selections mapped to turns, adding a codebook is a lead's right, and a bad
file changes nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from backend import NewProject, query
from exchange_data import (
    CRLF_TEXT,
    NS,
    SHARED,
    foreign_qdpx,
    fresh,
    import_sample_codes,
    qde,
    rows,
    source_texts,
)
from lxml import etree

from coder.app import exchange_codebook, exchange_export, exchange_import, schemes
from coder.app.export import ExportOptions
from coder.app.identity import ActingRater
from coder.domain.errors import CoderError
from coder.store.database import ProjectDatabase


@pytest.fixture
def coded(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    return import_sample_codes(coded_db, lead, tmp_path)


def test_round_trip_into_a_fresh_project_keeps_every_code(
    demo_db: ProjectDatabase, new_project: NewProject, tmp_path: Path
) -> None:
    out = exchange_export.export_qdpx(demo_db, tmp_path / "demo.qdpx", ExportOptions()).path
    target = fresh(new_project)
    report = exchange_import.import_qdpx(target, out)
    assert report.skipped == []
    before = rows(demo_db)
    assert len(before) > 500
    assert rows(target) == before
    # transcripts came back turn for turn
    turns = (
        'SELECT p.code, s.number, t."index", t.text, t.start_ms, t.end_ms, sp.label, sp.role '
        "FROM turns t JOIN transcripts tr ON tr.id = t.transcript_id JOIN sessions s ON "
        "s.id = tr.session_id JOIN patients p ON p.id = s.patient_id JOIN speakers sp ON "
        "sp.id = t.speaker_id"
    )
    assert set(query(demo_db, turns)) == set(query(target, turns))
    # importing again adds nothing; exporting again gives the same file
    again = exchange_import.import_qdpx(target, out)
    assert (again.codes, again.sessions) == (0, [])
    assert again.already_present == report.codes
    second = exchange_export.export_qdpx(target, tmp_path / "second.qdpx", ExportOptions()).path
    assert qde(second).getroot().find("q:Sources", NS) is not None
    assert source_texts(second) == source_texts(out)
    target.close()


def test_foreign_project_with_crlf_text_maps_selections_to_turns(
    new_project: NewProject, tmp_path: Path
) -> None:
    start = CRLF_TEXT.index("Fine.")
    end = CRLF_TEXT.index(" say.")  # across the CR/LF inside turn 2
    target = fresh(new_project)
    report = exchange_import.import_qdpx(target, foreign_qdpx(tmp_path / "f.qdpx", start, end))
    assert report.sessions == ["Interview-1/1"]
    assert report.codes == 1 and report.new_raters == ("Kim",)
    assert any("Humour" in s for s in report.skipped)  # not in our schemes: said, not guessed
    stored = rows(target)
    turn_text = "Fine.\r\nI'd rather not say."
    expected_end = turn_text.index(" say.")
    assert stored == {
        (
            "Interview-1",
            1,
            "Kim",
            "3rs-2015",
            "W2",
            "turn",
            2,
            1,
            2,
            0,
            expected_end,
            "shuts it down",
        )
    }
    target.close()


def test_selection_spanning_turns_keeps_its_first_turn(
    new_project: NewProject, tmp_path: Path
) -> None:
    start = CRLF_TEXT.index("How")
    end = CRLF_TEXT.index("Fine.") + 2
    target = fresh(new_project)
    report = exchange_import.import_qdpx(target, foreign_qdpx(tmp_path / "f.qdpx", start, end))
    assert any("spans turns; kept the part in turn 1" in s for s in report.skipped)
    [row] = rows(target)
    assert row[6:11] == (1, 1, 1, 0, len("How are you?"))
    target.close()


def test_adding_a_codebook_is_a_leads_right(
    coded: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    packed = foreign_qdpx(tmp_path / "f.qdpx", 0, 5)
    with pytest.raises(CoderError, match="lead"):
        exchange_import.import_qdpx(coded, packed, ada, add_codebook=True)
    with pytest.raises(CoderError, match=r"f\.qdpx: .*coding 1\b"):  # Kim is no rater of Ada's
        exchange_import.import_qdpx(coded, packed, ada)
    report = exchange_import.import_qdpx(coded, packed, lead, add_codebook=True)
    assert report.codes == 2  # Minimal response by name in 3RS-2015, Humour in the draft
    assert query(coded, "SELECT count(*) FROM schemes WHERE key LIKE 'draft-%'") == [(1,)]


def test_bad_file_writes_nothing_to_the_project(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    before = rows(coded)
    bad = foreign_qdpx(tmp_path / "bad.qdpx", 0, 10_000)
    with pytest.raises(CoderError, match=r"bad\.qdpx.*out of range"):
        exchange_import.import_qdpx(coded, bad, lead)
    good_codes_bad_rows = tmp_path / "refused.qdpx"
    out = exchange_export.export_qdpx(coded, tmp_path / "mine.qdpx", ExportOptions(), lead).path
    # the same sessions with different text: the transcript is refused, so are its codes
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(good_codes_bad_rows, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(
                name, data.replace(b"tired", b"TIRED") if name.startswith("Sources/") else data
            )
    with pytest.raises(CoderError, match=r"refused\.qdpx"):
        exchange_import.import_qdpx(coded, good_codes_bad_rows, lead)
    assert rows(coded) == before
    assert query(coded, "SELECT count(*) FROM patients") == [(1,)]


# ---- the published examples (read from ../shared when present) ------------------------------
def _with_placeholder_sources(example: Path, out: Path) -> Path:
    """The examples are bare project.qde files whose sources were never published: give
    each internal:// source a placeholder text long enough for its selections."""
    tree = etree.parse(str(example))
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", example.read_bytes())
        for source in tree.iterfind(".//q:TextSource", NS):
            ends = [int(s.get("endPosition")) for s in source.iterfind("q:PlainTextSelection", NS)]
            name = source.get("plainTextPath", "").removeprefix("internal://")
            words = " ".join(["word"] * (max(ends, default=10) // 5 + 2))
            archive.writestr(f"sources/{name}", words)
    return out


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/refi-qda (the published examples) is absent"
)
@pytest.mark.parametrize(
    "name", ["atlasti-8.4.0_standard-project.qde", "f4-2025.2.9_valid-document.qde"]
)
def test_published_examples_import(name: str, new_project: NewProject, tmp_path: Path) -> None:
    example = SHARED / "examples" / name
    with pytest.raises(CoderError, match="is missing"):  # their sources were not published
        exchange_import.import_qdpx(fresh(new_project, "a"), example)
    packed = _with_placeholder_sources(example, tmp_path / "example.qdpx")
    tree = etree.parse(str(example))
    n_text = sum(1 for _ in tree.iterfind(".//q:TextSource", NS))
    codings = len(tree.findall(".//q:TextSource/q:PlainTextSelection/q:Coding", NS))
    draft = exchange_codebook.codebook_to_scheme(packed, tmp_path / "draft.yaml")
    assert schemes.validate_files([draft])[0].problems == ()
    # without its codebook, the codings are listed as left out; the transcripts come in
    plain = exchange_import.import_qdpx(fresh(new_project, "c"), packed)
    assert len(plain.sessions) == n_text and plain.codes == 0
    assert sum(int(s.split()[0]) for s in plain.skipped if "schemes" in s) == codings
    # with its codebook added as a scheme (same transaction): every coding has a code
    target = fresh(new_project, "b")
    report = exchange_import.import_qdpx(target, packed, add_codebook=True)
    assert report.scheme is not None and report.scheme.startswith("draft-")
    assert len(report.sessions) == n_text
    assert codings > 0
    assert report.codes == codings, report.skipped
    assert not any("not in the project's schemes" in s for s in report.skipped)
    target.close()


def test_bare_qde_with_inline_text_and_clashing_source_names(
    new_project: NewProject, tmp_path: Path
) -> None:
    sources = "".join(
        f'<TextSource guid="5000aaaa-0000-0000-0000-00000000000{n}" name="Interview 1.{ext}">'
        f"<PlainTextContent>I: Question {n}?\nR: Answer.</PlainTextContent></TextSource>"
        for n, ext in ((1, "docx"), (2, "txt"))
    )
    path = tmp_path / "inline.qde"
    path.write_text(
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>{sources}</Sources></Project>',
        encoding="utf-8",
    )
    target = fresh(new_project)
    report = exchange_import.import_qdpx(target, path)
    assert report.sessions == ["Interview-1/1", "Interview-1/2"]
    turns = query(
        target,
        "SELECT s.number, t.text, sp.label FROM turns t JOIN transcripts tr ON "
        "tr.id = t.transcript_id JOIN sessions s ON s.id = tr.session_id "
        'JOIN speakers sp ON sp.id = t.speaker_id ORDER BY s.number, t."index"',
    )
    assert turns == [
        (1, "Question 1?", "I"), (1, "Answer.", "R"), (2, "Question 2?", "I"), (2, "Answer.", "R")
    ]  # fmt: skip
    target.close()
