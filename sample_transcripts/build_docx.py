"""Build the two Word sample transcripts for patient P01 from ``src/``.

    .venv/bin/python sample_transcripts/build_docx.py

* ``P01_S1.docx``: one 3-column table, header row "Time" | "Speaker" | "Text", one row per
  turn, speakers "Therapist" / "Client", times ``hh:mm:ss`` (turn start).
* ``P01_S2.docx``: one paragraph per turn: a normal run ``[hh:mm:ss] ``, a bold run
  ``Dr. Lee:`` / ``Sam:``, then the text in a normal run (starting with a space).

Output is byte-for-byte reproducible: core properties and zip entry dates are fixed.
All dialogue is invented by the Rupture Coder team (see README.md).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import transcript_source as ts  # noqa: E402

FIXED_TIME = dt.datetime(2025, 1, 6, 9, 0, 0)
ZIP_DATE = (2025, 1, 6, 9, 0, 0)


def _new_document(title: str) -> Document:
    doc = Document()
    props = doc.core_properties
    props.title = title
    props.author = "Rupture Coder team"
    props.last_modified_by = "Rupture Coder team"
    props.comments = "Invented sample transcript; no real clinical content."
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    return doc


def _save_reproducibly(doc: Document, path: Path) -> None:
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    path.write_bytes(out.getvalue())


def build_p01_s1(out_dir: Path) -> Path:
    session = ts.load("P01_S1")
    names = {"T": "Therapist", "P": "Client"}
    doc = _new_document("P01 Session 1")
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ("Time", "Speaker", "Text"), strict=True):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    for turn in session.turns:
        row = table.add_row().cells
        row[0].text = ts.hms(turn.start)
        row[1].text = names[turn.role]
        row[2].text = turn.text
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(2.2), Cm(2.6), Cm(11.7)), strict=True):
            cell.width = width
    path = out_dir / "P01_S1.docx"
    _save_reproducibly(doc, path)
    return path


def build_p01_s2(out_dir: Path) -> Path:
    session = ts.load("P01_S2")
    names = {"T": "Dr. Lee:", "P": "Sam:"}
    doc = _new_document("P01 Session 2")
    first = True
    for turn in session.turns:
        para = doc.paragraphs[0] if first and doc.paragraphs else doc.add_paragraph()
        first = False
        para.add_run(f"[{ts.hms(turn.start)}] ")
        para.add_run(names[turn.role]).bold = True
        para.add_run(f" {turn.text}")
    path = out_dir / "P01_S2.docx"
    _save_reproducibly(doc, path)
    return path


def main() -> None:
    for path in (build_p01_s1(HERE), build_p01_s2(HERE)):
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
