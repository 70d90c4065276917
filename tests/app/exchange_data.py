"""What the REFI-QDA exchange tests share (tests/app/test_exchange_*.py): the official
schemas' folder, a small codes table, readers of a project's code rows and of a
``.qdpx``'s parts, and a hand-written foreign project with CR/LF text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from backend import NewProject, query
from lxml import etree

from coder.app import codes
from coder.app.identity import ActingRater
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


def rows(project: ProjectDatabase) -> set[tuple[object, ...]]:
    """The stored codes of a project, read with plain SQL (either back end)."""
    return set(query(project, ROWS))


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


def import_sample_codes(db: ProjectDatabase, lead: ActingRater, folder: Path) -> ProjectDatabase:
    """``db`` with :data:`CODES` imported by the lead (everyone's codes)."""
    source = folder / "in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(db, source, lead)
    return db


def fresh(new_project: NewProject, stem: str = "fresh") -> ProjectDatabase:
    """A new project to import into, on the back end under test."""
    return new_project(stem, name="fresh", scheme_ids=("3rs-2015", "safran-muran-stages"))


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
