"""REFI-QDA exchange (issue 12 item 2): export validates against the official schemas,
selections point at the right characters, users carry the raters, blinding holds, a
project survives export → import into a fresh project (row sets compared straight from
the databases), foreign files import, and a bad file changes nothing."""

from __future__ import annotations

import io
import os
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from coder.app import codes, exchange_codebook, exchange_export, exchange_import, projects, schemes
from coder.app.demo import ensure_demo_project
from coder.app.export import ExportOptions
from coder.app.identity import ActingRater
from coder.domain.errors import CoderError, FileAccessError
from coder.io.refi import stable_guid
from coder.store.database import ProjectDatabase

DATA = Path(__file__).resolve().parents[1] / "data" / "refi-qda"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}
CODES = """\
patient,session,rater,code,unit,unit_index,value,evidence_start,evidence_end,memo
P01,1,Ada,W2,segment,1,1,2:0,2:5,short answer
P01,1,Ada,W_SIG,segment,1,3,,,
P01,1,Ben,C1,segment,2,1,,,
P01,2,Ben,W2,turn,2,1,,,
P01,2,Ben,G_W,session,1,4,,,
"""
ROWS = """SELECT p.code, s.number, r.name, sc.key, a.code_id, a.unit, a.unit_index, a.value,
                 a.evidence_turn, a.evidence_start, a.evidence_end, a.memo
          FROM code_applications a JOIN sessions s ON s.id = a.session_id
          JOIN patients p ON p.id = s.patient_id JOIN raters r ON r.id = a.rater_id
          JOIN schemes sc ON sc.id = a.scheme_id"""


def rows(path: Path) -> set[tuple[object, ...]]:
    with sqlite3.connect(path) as con:
        return set(con.execute(ROWS).fetchall())


def qde(path: Path) -> etree._ElementTree:
    with zipfile.ZipFile(path) as archive:
        return etree.parse(io.BytesIO(archive.read("project.qde")))


def source_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            n.split("/")[-1].removesuffix(".txt"): archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.startswith("Sources/")
        }


@pytest.fixture
def coded(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    source = tmp_path / "in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)
    return coded_db


@pytest.fixture
def demo() -> Iterator[ProjectDatabase]:
    db = ensure_demo_project()
    yield db
    db.close()


def fresh(tmp_path: Path, name: str = "fresh.sqlite") -> ProjectDatabase:
    return projects.create_project(tmp_path / name, scheme_ids=("3rs-2015", "safran-muran-stages"))


# ---- export -------------------------------------------------------------------------------
def test_qdpx_validates_and_selections_hold_the_evidence(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "p.qdpx"
    result = exchange_export.export_qdpx(coded, out, ExportOptions(), lead)
    assert (result.codings, result.users) == (5, 2)
    tree = qde(out)
    etree.XMLSchema(etree.parse(str(DATA / "Project-mrt2019.xsd"))).assertValid(tree)
    users = {u.get("name"): u.get("guid") for u in tree.iterfind(".//q:User", NS)}
    assert users == {n: stable_guid("rater", n) for n in ("Ada", "Ben")}
    texts = source_texts(out)
    evidence = [
        s
        for s in tree.iterfind(".//q:PlainTextSelection", NS)
        if "evidence: yes" in (s.findtext("q:Description", namespaces=NS) or "")
    ]
    assert len(evidence) == 1
    sel = evidence[0]
    text = texts[sel.getparent().get("guid")]
    assert text[int(sel.get("startPosition")) : int(sel.get("endPosition"))] == "Fine."
    assert sel.find("q:Coding", NS).get("creatingUser") == users["Ada"]
    memo_ref = sel.find("q:NoteRef", NS).get("targetGUID")
    note = tree.find(f".//q:Note[@guid='{memo_ref}']", NS)
    assert note.findtext("q:PlainTextContent", namespaces=NS) == "short answer"
    rating = [
        s
        for s in tree.iterfind(".//q:PlainTextSelection", NS)
        if "value: 3" in (s.findtext("q:Description", namespaces=NS) or "")
    ]
    assert len(rating) == 1  # the W_SIG rating travels with its value
    # session globals are also document variables: patient, session, G_W by Ben
    variables = {v.get("name"): v.get("guid") for v in tree.iterfind(".//q:Variable", NS)}
    assert set(variables) == {"patient", "session", "G_W Ben"}
    session2 = tree.find(".//q:TextSource[@name='P01_S2']", NS)
    given = {
        vv.find("q:VariableRef", NS).get("targetGUID"): vv[1].text
        for vv in session2.iterfind("q:VariableValue", NS)
    }
    assert given == {
        variables["patient"]: "P01",
        variables["session"]: "2",
        variables["G_W Ben"]: "4",
    }
    # the codebook's groups are parent codes
    parents = tree.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert all(p.get("isCodable") == "false" and p.findall("q:Code", NS) for p in parents)
    # deterministic: the same project exported again gives the same bytes
    again = exchange_export.export_qdpx(coded, tmp_path / "again.qdpx", ExportOptions(), lead)
    assert again.path.read_bytes() == out.read_bytes()


def test_blinded_rater_exports_only_own_codes(
    coded: ProjectDatabase, ada: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "ada.qdpx"
    result = exchange_export.export_qdpx(coded, out, ExportOptions(), ada)
    assert (result.codings, result.users) == (2, 1)  # not Ben's C1, W2 and G_W
    names = {u.get("name") for u in qde(out).iterfind(".//q:User", NS)}
    assert names == {"Ada"}
    with pytest.raises(CoderError):
        exchange_export.export_qdpx(coded, tmp_path / "ben.qdpx", ExportOptions(rater="Ben"), ada)
    assert not (tmp_path / "ben.qdpx").exists()


def test_qdc_validates_and_becomes_a_valid_draft_scheme(
    coded: ProjectDatabase, tmp_path: Path
) -> None:
    out = exchange_codebook.export_qdc(coded, tmp_path / "c.qdc", "3rs-2015").path
    etree.XMLSchema(etree.parse(str(DATA / "Codebook-mrt2019.xsd"))).assertValid(
        etree.parse(str(out))
    )
    draft = exchange_codebook.codebook_to_scheme(out, tmp_path / "draft.yaml")
    [result] = schemes.validate_files([draft])
    assert result.problems == (), result.problems
    text = draft.read_text(encoding="utf-8")
    assert "id: W1" in text and "name: Denial" in text


def test_unwritable_output_is_refused_and_leaves_nothing(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    folder = tmp_path / "dir.qdpx"
    folder.mkdir()
    with pytest.raises(FileAccessError, match=r"dir\.qdpx"):
        exchange_export.export_qdpx(coded, folder, ExportOptions(), lead)
    with pytest.raises(FileAccessError, match="nowhere"):
        exchange_codebook.export_qdc(coded, tmp_path / "nowhere" / "c.qdc")
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(FileAccessError, match="locked"):
            exchange_export.export_qdpx(coded, locked / "p.qdpx", ExportOptions(), lead)
        assert list(locked.iterdir()) == []


# ---- import -------------------------------------------------------------------------------
def test_round_trip_into_a_fresh_project_keeps_every_code(
    demo: ProjectDatabase, tmp_path: Path
) -> None:
    out = exchange_export.export_qdpx(demo, tmp_path / "demo.qdpx", ExportOptions()).path
    target = fresh(tmp_path)
    report = exchange_import.import_qdpx(target, out)
    assert report.skipped == []
    before = rows(Path(os.environ["CODER_HOME"]) / "demo-project.sqlite")
    assert len(before) > 500
    assert rows(tmp_path / "fresh.sqlite") == before
    # transcripts came back turn for turn
    query = (
        'SELECT p.code, s.number, t."index", t.text, t.start_ms, t.end_ms, sp.label, sp.role '
        "FROM turns t JOIN transcripts tr ON tr.id = t.transcript_id JOIN sessions s ON "
        "s.id = tr.session_id JOIN patients p ON p.id = s.patient_id JOIN speakers sp ON "
        "sp.id = t.speaker_id"
    )
    with sqlite3.connect(Path(os.environ["CODER_HOME"]) / "demo-project.sqlite") as a, \
            sqlite3.connect(tmp_path / "fresh.sqlite") as b:  # fmt: skip
        assert set(a.execute(query)) == set(b.execute(query))
    # importing again adds nothing; exporting again gives the same file
    again = exchange_import.import_qdpx(target, out)
    assert (again.codes, again.sessions) == (0, [])
    assert again.already_present == report.codes
    second = exchange_export.export_qdpx(target, tmp_path / "second.qdpx", ExportOptions()).path
    assert qde(second).getroot().find("q:Sources", NS) is not None
    assert source_texts(second) == source_texts(out)
    target.close()


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Interview study" origin="Other QDA 1.0">
 <Users><User guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Kim"/></Users>
 <CodeBook><Codes>
  <Code guid="C0000000-0000-0000-0000-000000000001" name="Markers" isCodable="false">
   <Code guid="C0000000-0000-0000-0000-000000000002" name="Minimal response" isCodable="true"/>
  </Code>
  <Code guid="C0000000-0000-0000-0000-000000000003" name="Humour" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{5000AAAA-0000-0000-0000-000000000001}" name="Interview 1.docx"
     plainTextPath="internal://5000AAAA-0000-0000-0000-000000000001.txt">
   <PlainTextSelection guid="5E000000-0000-0000-0000-000000000001" startPosition="{s}" endPosition="{e}"
      creatingUser="AAAAAAAA-0000-0000-0000-000000000001">
    <Coding guid="C1000000-0000-0000-0000-000000000001" creatingUser="AAAAAAAA-0000-0000-0000-000000000001">
     <CodeRef targetGUID="C0000000-0000-0000-0000-000000000002"/></Coding>
    <Coding guid="C1000000-0000-0000-0000-000000000002" creatingUser="AAAAAAAA-0000-0000-0000-000000000001">
     <CodeRef targetGUID="C0000000-0000-0000-0000-000000000003"/></Coding>
    <NoteRef targetGUID="A0000000-0000-0000-0000-000000000009"/>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes><Note guid="A0000000-0000-0000-0000-000000000009" name="memo">
  <PlainTextContent>shuts it down</PlainTextContent></Note></Notes>
</Project>"""
CRLF_TEXT = "I: How are you?\r\nR: Fine.\r\nI'd rather not say.\r\nI: OK."


def foreign_qdpx(path: Path, start: int, end: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", FOREIGN.replace("{s}", str(start)).replace("{e}", str(end)))
        archive.writestr("sources/5000AAAA-0000-0000-0000-000000000001.txt", CRLF_TEXT.encode())
    return path


def test_foreign_project_with_crlf_text_maps_selections_to_turns(tmp_path: Path) -> None:
    start = CRLF_TEXT.index("Fine.")
    end = CRLF_TEXT.index(" say.")  # across the CR/LF inside turn 2
    target = fresh(tmp_path)
    report = exchange_import.import_qdpx(target, foreign_qdpx(tmp_path / "f.qdpx", start, end))
    assert report.sessions == ["Interview-1/1"]
    assert report.codes == 1 and report.new_raters == ("Kim",)
    assert any("Humour" in s for s in report.skipped)  # not in our schemes: said, not guessed
    stored = rows(tmp_path / "fresh.sqlite")
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


def test_selection_spanning_turns_keeps_its_first_turn(tmp_path: Path) -> None:
    start = CRLF_TEXT.index("How")
    end = CRLF_TEXT.index("Fine.") + 2
    target = fresh(tmp_path)
    report = exchange_import.import_qdpx(target, foreign_qdpx(tmp_path / "f.qdpx", start, end))
    assert any("spans turns; kept the part in turn 1" in s for s in report.skipped)
    [row] = rows(tmp_path / "fresh.sqlite")
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
    with sqlite3.connect(tmp_path / "p.sqlite") as con:
        assert con.execute("SELECT count(*) FROM schemes WHERE key LIKE 'draft-%'").fetchone() == (
            1,
        )


def test_bad_file_writes_nothing_to_the_project(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    before = rows(tmp_path / "p.sqlite")
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
    assert rows(tmp_path / "p.sqlite") == before
    with sqlite3.connect(tmp_path / "p.sqlite") as con:
        assert con.execute("SELECT count(*) FROM patients").fetchone() == (1,)


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
def test_published_examples_import(name: str, tmp_path: Path) -> None:
    example = SHARED / "examples" / name
    with pytest.raises(CoderError, match="is missing"):  # their sources were not published
        exchange_import.import_qdpx(fresh(tmp_path, "a.sqlite"), example)
    packed = _with_placeholder_sources(example, tmp_path / "example.qdpx")
    tree = etree.parse(str(example))
    n_text = sum(1 for _ in tree.iterfind(".//q:TextSource", NS))
    codings = len(tree.findall(".//q:TextSource/q:PlainTextSelection/q:Coding", NS))
    draft = exchange_codebook.codebook_to_scheme(packed, tmp_path / "draft.yaml")
    assert schemes.validate_files([draft])[0].problems == ()
    # without its codebook, the codings are listed as left out; the transcripts come in
    plain = exchange_import.import_qdpx(fresh(tmp_path, "c.sqlite"), packed)
    assert len(plain.sessions) == n_text and plain.codes == 0
    assert sum(int(s.split()[0]) for s in plain.skipped if "schemes" in s) == codings
    # with its codebook added as a scheme (same transaction): every coding has a code
    target = fresh(tmp_path, "b.sqlite")
    report = exchange_import.import_qdpx(target, packed, add_codebook=True)
    assert report.scheme is not None and report.scheme.startswith("draft-")
    assert len(report.sessions) == n_text
    assert codings > 0
    assert report.codes == codings, report.skipped
    assert not any("not in the project's schemes" in s for s in report.skipped)
    target.close()


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/refi-qda (the published examples) is absent"
)
def test_published_codebook_becomes_a_draft_scheme(tmp_path: Path) -> None:
    draft = exchange_codebook.codebook_to_scheme(
        SHARED / "examples" / "refi-qda-1.5_annexA1_codebook.qdc", tmp_path / "d.yaml"
    )
    assert schemes.validate_files([draft])[0].problems == ()
    assert "Health care" in draft.read_text(encoding="utf-8")


def test_bare_qde_with_inline_text_and_clashing_source_names(tmp_path: Path) -> None:
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
    target = fresh(tmp_path)
    report = exchange_import.import_qdpx(target, path)
    assert report.sessions == ["Interview-1/1", "Interview-1/2"]
    with sqlite3.connect(tmp_path / "fresh.sqlite") as con:
        turns = con.execute(
            "SELECT s.number, t.text, sp.label FROM turns t JOIN transcripts tr ON "
            "tr.id = t.transcript_id JOIN sessions s ON s.id = tr.session_id "
            'JOIN speakers sp ON sp.id = t.speaker_id ORDER BY s.number, t."index"'
        ).fetchall()
    assert turns == [
        (1, "Question 1?", "I"), (1, "Answer.", "R"), (2, "Question 2?", "I"), (2, "Answer.", "R")
    ]  # fmt: skip
    target.close()
