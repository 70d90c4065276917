"""What the codes-table tests share (tests/app/test_codes*.py): a one-session project,
a good codes table, and readers of files and of the stored codes."""

from __future__ import annotations

import csv
from pathlib import Path

from backend import NewProject
from sqlalchemy import select

from coder.app import importing
from coder.app.importing import ImportOptions
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, RaterRow, RoundRow

TRANSCRIPT = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:02:40] T: You said fine, but you sound tired.
[00:05:10] P: I don't want to talk about it. Can we talk about work instead?
[00:06:00] T: We can. I notice we moved away from how you feel, though.
"""

HEADER = (
    "patient,session,rater,code,unit,unit_index,value,scheme,evidence_start,evidence_end,memo\n"
)
GOOD = HEADER + (
    "P01,1,Ada,W2,segment,1,1,,2:0,2:5,terse\n"
    "P01,1,Ada,W_SIG,segment,1,3,,,,\n"
    'P01,1,Ada,W4,segment,2,1,3rs-2015,4:33,4:62,"asks to change topic, ""work"""\n'
    "P01,1,Ada,R4,turn,5,1,,,,\n"
    "P01,1,Ada,G_RESOLVED,session,1,NA,,,,\n"
    "P01,1,Bo Chen,W2,segment,1,1,,,,\n"
    "P01,1,Bo Chen,W_SIG,segment,1,2,,,,\n"
    "P01,1,Bo Chen,C1,segment,2,0,,,,\n"
)


def setup_project(new_project: NewProject, tmp: Path, stem: str = "p") -> ProjectDatabase:
    """A project on the back end under test holding session P01/1 (``TRANSCRIPT``)."""
    db = new_project(stem)
    source = tmp / "P01_S1.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
    return db


def write(tmp: Path, text: str, name: str = "codes.csv") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


LEAD_FILE = HEADER.replace(",memo\n", "\n")


def rows(*lines: str) -> str:
    return LEAD_FILE + "".join(f"{line}\n" for line in lines)


def stored_codes(db: ProjectDatabase) -> list[tuple[str, str, str, int | None]]:
    """(rater, role, code, round number) of every stored code."""
    with db.reading() as session:
        return sorted(
            (name, role, code, number)
            for name, role, code, number in session.execute(
                select(RaterRow.name, RaterRow.role, CodeApplicationRow.code_id, RoundRow.number)
                .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
                .outerjoin(RoundRow, CodeApplicationRow.round_id == RoundRow.id)
            )
        )
