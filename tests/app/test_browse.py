"""The session list: every session in order with the turn count of its current transcript."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from coder.app import browse, importing
from coder.app.importing import ImportOptions
from coder.store.database import ProjectDatabase
from coder.store.models import PatientRow, SessionRow


def turns(n: int) -> str:
    return "".join(
        f"[00:{k:02d}:00] {'T' if k % 2 else 'P'}: line {k} of {n}\n" for k in range(1, n + 1)
    )


def put(db: ProjectDatabase, folder: Path, name: str, n: int, *, replace: bool = False) -> None:
    path = folder / name
    path.write_text(turns(n), encoding="utf-8")
    options = ImportOptions(pattern="{patient}_S{session}", replace=replace)
    result = importing.import_file(db, path, options)
    assert result.ok, result.error


def listed(db: ProjectDatabase) -> list[tuple[str, int, int, str | None]]:
    return [(s.patient, s.session, s.n_turns, s.source_name) for s in browse.session_summaries(db)]


def test_each_session_lists_its_own_turn_count_in_order(
    db: ProjectDatabase, tmp_path: Path
) -> None:
    put(db, tmp_path, "P02_S1.txt", 3)
    put(db, tmp_path, "P01_S10.txt", 7)
    put(db, tmp_path, "P01_S2.txt", 5)
    assert listed(db) == [
        ("P01", 2, 5, "P01_S2.txt"),
        ("P01", 10, 7, "P01_S10.txt"),
        ("P02", 1, 3, "P02_S1.txt"),
    ]


def test_a_replaced_transcript_counts_only_its_new_turns(
    db: ProjectDatabase, tmp_path: Path
) -> None:
    put(db, tmp_path, "P01_S1.txt", 9)
    (tmp_path / "again").mkdir()
    put(db, tmp_path / "again", "P01_S1.txt", 4, replace=True)
    assert listed(db) == [("P01", 1, 4, "P01_S1.txt")]


def test_a_session_without_a_transcript_is_listed_with_no_turns(
    db: ProjectDatabase, tmp_path: Path
) -> None:
    put(db, tmp_path, "P01_S1.txt", 2)
    with db.transaction() as session:
        patient_id = session.scalar(select(PatientRow.id).where(PatientRow.code == "P01"))
        session.add(SessionRow(patient_id=patient_id, number=2, label="planned"))
    assert [(s.session, s.n_turns, s.label) for s in browse.session_summaries(db)] == [
        (1, 2, None),
        (2, 0, "planned"),
    ]
