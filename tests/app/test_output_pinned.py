"""The bytes of ``csv-long``, ``csv-wide`` and ``csv-sessions`` and the rows a package
merge stores, pinned on two small deterministic projects, so that speed work on the
export and the merge (issue 12) provably changes nothing users get.

The projects: the demo project (two raters; segment, session and episode codes;
evidence) with memos that need CSV quoting (commas, quotes, CR/LF, non-ASCII), and the
``coded`` test project with a consensus (adopted agreements and a settled decision).
Timestamps are set to fixed values (some with microseconds, some on the second) so the
files are the same on every run. The pinned files in ``tests/data/pinned/`` were written
by the export and merge as they were before the speed work; after a deliberate change
of the output, rewrite them with ``CODER_WRITE_PINNED=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select, update

from coder.app import codes, consensus, disagreements, export, packages, projects
from coder.app.export import ExportFormat, ExportOptions
from coder.app.identity import ActingRater
from coder.domain.coding import Unit
from coder.store.database import ProjectDatabase, sqlite_path
from coder.store.models import CodeApplicationRow, EpisodeRow

PINNED = Path(__file__).resolve().parents[1] / "data" / "pinned"
WRITE = os.environ.get("CODER_WRITE_PINNED") == "1"
ADA = "Ada Lovelace"
FORMATS = (ExportFormat.LONG, ExportFormat.WIDE, ExportFormat.SESSIONS)

# Memos a CSV writer must quote or pass through exactly.
MEMOS = (
    'said "fine", then went quiet',
    "first line\nsecond line",
    "windows\r\nline end",
    "Überraschung — naïve café, 日本",
    "  leading and trailing spaces  ",
    "comma, only",
    '"',
    "",
)


def fix_timestamps(db: ProjectDatabase) -> None:
    """Fixed created/updated times: every other one on the whole second. Written past
    the program (no audit entry, no ``onupdate``), on either back end."""
    codes_table, episodes = CodeApplicationRow.__table__, EpisodeRow.__table__
    with db.engine.begin() as conn:
        ids = conn.execute(select(codes_table.c.id)).scalars().all()
        conn.execute(
            update(codes_table)
            .where(codes_table.c.id == bindparam("key"))
            .values(created_at=bindparam("created"), updated_at=bindparam("updated")),
            [
                {
                    "key": i,
                    "created": datetime(
                        2026, 1, 1 + i % 28, 10, i % 60, (i * 7) % 60, 0 if i % 2 else i * 37
                    ),
                    "updated": datetime(
                        2026, 2, 1 + i % 28, 11, i % 60, (i * 11) % 60, i * 41 if i % 3 else 0
                    ),
                }
                for i in ids
            ],
        )
        conn.execute(
            update(episodes).values(
                created_at=datetime(2026, 1, 5, 9, 0, 0),
                updated_at=datetime(2026, 1, 5, 9, 30, 0, 250000),
            )
        )


def add_memos(db: ProjectDatabase) -> None:
    table = CodeApplicationRow.__table__
    with db.engine.begin() as conn:
        ids = conn.execute(select(table.c.id).order_by(table.c.id)).scalars().all()
        for n, memo in enumerate(MEMOS):
            conn.execute(update(table).where(table.c.id == ids[n * 7 + 3]).values(memo=memo))


@pytest.fixture
def pinned_demo(demo_db: ProjectDatabase) -> ProjectDatabase:
    """The demo project with the memos and fixed times of the pinned files."""
    add_memos(demo_db)
    fix_timestamps(demo_db)
    return demo_db


CODES = """\
patient,session,rater,code,unit,unit_index,value,evidence_start,evidence_end,memo
P01,1,Ada,W2,segment,1,1,2:0,2:5,"terse, ""quoted"" too"
P01,1,Ada,W_SIG,segment,1,3,,,
P01,1,Ada,G_RESOLVED,session,1,2,,,
P01,2,Ada,W4,segment,2,1,,,
P01,1,Ben,W2,segment,1,1,,,
P01,1,Ben,C1,segment,2,1,,,
P01,2,Ben,W4,segment,2,1,4:3,4:9,
"""


@pytest.fixture
def consensus_db(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    source = tmp_path / "codes-in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)
    d = disagreements.Disagreement(
        "P01", 1, Unit.SEGMENT, 2, "C1", "C1", {"Ada": "absent", "Ben": 1}
    )
    consensus.settle(coded_db, lead, d, 1, memo="Ben is right, mostly")
    consensus.adopt_agreements(coded_db, lead)
    return coded_db


def check(name: str, content: bytes) -> None:
    pinned = PINNED / name
    if WRITE:
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_bytes(content)
    assert pinned.exists(), f"{pinned} is missing (write it with CODER_WRITE_PINNED=1)"
    assert content == pinned.read_bytes(), f"{name} differs from the pinned output"


def exported(db: ProjectDatabase, out: Path, coder: ActingRater | None, fmt: ExportFormat) -> bytes:
    export.export(db, out, ExportOptions(format=fmt), coder=coder)
    return out.read_bytes()


@pytest.fixture(params=["sql-lines", "python-rows"])
def long_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """csv-long both ways on SQLite: lines built by SQLite, rows written by csv.writer
    (the way other databases take)."""
    monkeypatch.setattr(export, "_PYTHON_ROWS", request.param == "python-rows")
    return str(request.param)


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_exports_are_byte_identical(
    pinned_demo: ProjectDatabase, tmp_path: Path, fmt: ExportFormat, long_way: str
) -> None:
    content = exported(pinned_demo, tmp_path / "out.csv", None, fmt)
    assert content.count(b"\n") > 10
    check(f"demo-{fmt.value}.csv", content)


@pytest.mark.parametrize("fmt", FORMATS)
def test_consensus_exports_are_byte_identical(
    consensus_db: ProjectDatabase,
    lead: ActingRater,
    tmp_path: Path,
    fmt: ExportFormat,
    long_way: str,
) -> None:
    fix_timestamps(consensus_db)
    content = exported(consensus_db, tmp_path / "out.csv", lead, fmt)
    assert b"decision" in content or fmt is not ExportFormat.LONG
    check(f"consensus-{fmt.value}.csv", content)


STORED = """
SELECT p.code, s.number, r.name, sc.key, sc.revision, cr.number, a.code_id, a.unit,
       a.unit_index, sg.rule, seg."index", e."index", e.pathway_id, e.start_turn, e.end_turn,
       e.memo, e.created_at, e.updated_at, a.value, a.evidence_turn, a.evidence_start,
       a.evidence_end, a.memo, a.probability, a.created_at, a.updated_at,
       typeof(a.value), typeof(a.created_at)
FROM code_applications a
JOIN sessions s ON s.id = a.session_id JOIN patients p ON p.id = s.patient_id
JOIN raters r ON r.id = a.rater_id JOIN schemes sc ON sc.id = a.scheme_id
LEFT JOIN coding_rounds cr ON cr.id = a.round_id
LEFT JOIN segments seg ON seg.id = a.segment_id
LEFT JOIN segmentations sg ON sg.id = seg.segmentation_id
LEFT JOIN episodes e ON e.id = a.episode_id
"""
AUDIT = """
SELECT rater_id, actor, action, "table", row_key, session_id, "before", "after"
FROM audit_log WHERE id > ? ORDER BY id
"""


def lines(path: Path, query: str, *args: object) -> Iterator[str]:
    with sqlite3.connect(path) as con:
        for row in con.execute(query, args):
            yield json.dumps(row, ensure_ascii=False, sort_keys=True)
    con.close()


# The pinned rows carry SQLite's storage class of each value (typeof), so they are of a
# project file; a merge on a server: test_postgres_exports.py's
# test_a_package_merges_into_a_project_on_postgres.
@pytest.mark.sqlite_only
def test_merge_stores_exactly_the_pinned_rows(pinned_demo: ProjectDatabase, tmp_path: Path) -> None:
    package, lab = tmp_path / "ada.rcpkg", tmp_path / "lab.sqlite"
    packages.export_package(pinned_demo, ADA, package)
    pinned_demo.close()
    demo_path = sqlite_path(pinned_demo.url)
    assert demo_path is not None
    shutil.copy(demo_path, lab)
    with sqlite3.connect(lab) as con:
        for table in ("code_applications", "episodes"):
            con.execute(
                f"DELETE FROM {table} WHERE rater_id = (SELECT id FROM raters WHERE name = ?)",
                (ADA,),
            )
        (last_audit,) = con.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
    con.close()
    db = projects.open_project(lab)
    try:
        result = packages.merge_packages(db, [package])
    finally:
        db.close()
    assert result.added > 50
    content = "\n".join(
        [*sorted(lines(lab, STORED)), "-- audit", *lines(lab, AUDIT, last_audit), ""]
    ).encode()
    check("demo-merge.jsonl", content)
