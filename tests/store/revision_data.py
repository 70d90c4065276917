"""Representative project data at each schema revision (issue 11, "migrations over time").

``ROWS[rev]`` are the rows a project could first hold once it was at revision ``rev``:
a project saved at revision N holds the rows of 0001..N. They are written with plain
SQL (no ORM models: those describe the newest schema only), so the same rows go into a
SQLite fixture (tests/store/fixtures/make_fixtures.py) and into a PostgreSQL database
taken to revision N (tests/store/test_migrations_over_time.py). :func:`build` walks the
revisions with Alembic, inserting each revision's rows after upgrading to it.

The 0001 rows repeat the original release-0.1 fixture (project, 3RS scheme, Ada
Lovelace, patient P01) and add what a coded project holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Engine, bindparam, text

from coder.io.scheme_file import parse_scheme_text
from coder.store import migrate

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = migrate.MIGRATIONS_DIR / "versions"


def revisions() -> list[str]:
    """Every revision in the migrations folder, oldest first (ids are zero-padded)."""
    return sorted(p.name.split("_", 1)[0] for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _scheme(row_id: int, file: str, added: datetime) -> dict[str, Any]:
    source = (ROOT / "schemes" / file).read_text(encoding="utf-8")
    scheme = parse_scheme_text(source, file)
    return {
        "id": row_id,
        "key": scheme.id,
        "version": scheme.version,
        "revision": 1,
        "content_hash": scheme.content_hash,
        "name": scheme.name,
        "source_text": source,
        "source_name": file,
        "added_at": added,
    }


T0 = datetime(2026, 1, 10, 9, 0, 0)


def at(day: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, 9, minute, 0)


# The specific facts the tests check after an upgrade.
SPAN_CODE = {"code_id": "W2", "turn": 2, "start": 0, "end": 15, "memo": "Short answer, moves away"}
RATING = {"code_id": "W_SIG", "unit_index": 1, "value": 3}
EPISODE_STAGES = [("WS1", 2), ("WS3", 4)]  # stage events of episode 1 (0001), as codes later
CONSENSUS_MEMO = "Agreed after discussion: W2 present"
MACHINE_UID = "8" * 32
MACHINE_PROBABILITY = 0.83
BEN_UID = "b" * 32

Rows = list[tuple[str, list[dict[str, Any]]]]


def _code(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "round_id": None,
        "segment_id": None,
        "episode_id": None,
        "value": None,
        "evidence_turn": None,
        "evidence_start": None,
        "evidence_end": None,
        "memo": "",
        "created_at": T0,
        "updated_at": T0,
    }
    row.update(values)
    return row


def rows_0001() -> Rows:
    session1_turns = [
        (1, 1, "How have things been since we last met?"),
        (2, 2, "Fine. Nothing much. Same as always."),
        (3, 1, "You sound a bit flat today."),
        (4, 2, "I said it's fine. Can we talk about something else?"),
        (5, 1, "I notice we keep moving away from this. What is that like for you?"),
        (6, 2, "Well, maybe I did mind what you said last time."),
    ]
    session2_turns = [
        (1, 3, "Where would you like to start?"),
        (2, 4, "This is pointless, you never help."),
        (3, 3, "It sounds like you are angry with me."),
        (4, 4, "Maybe. Yes."),
    ]
    return [
        ("schemes", [_scheme(1, "3rs-2015.yaml", T0), _scheme(2, "safran-muran-stages.yaml", T0)]),
        (
            "project",
            [
                {
                    "id": 1,
                    "name": "Fixture at revision 0001",
                    "created_at": T0,
                    "default_scheme_id": 1,
                    "settings": {},
                }
            ],
        ),
        (
            "raters",
            [
                {"id": 1, "name": "Ada Lovelace", "initials": "AL", "role": "rater"},
                {"id": 2, "name": "Lena Lead", "initials": "LL", "role": "lead"},
                {"id": 3, "name": "Ben Rater", "initials": "BR", "role": "rater"},
            ],
        ),
        (
            "patients",
            [
                {"id": 1, "code": "P01", "attributes": {"age_band": "30-39"}},
                {"id": 2, "code": "P02", "attributes": {}},
            ],
        ),
        (
            "sessions",
            [
                {
                    "id": 1,
                    "patient_id": 1,
                    "number": 1,
                    "label": "Intake",
                    "date": date(2026, 1, 5),
                    "duration_s": 600,
                },
                {"id": 2, "patient_id": 1, "number": 2, "label": None, "date": None},
                {"id": 3, "patient_id": 2, "number": 1, "label": None, "date": None},
            ],
        ),
        ("coding_rounds", [{"id": 1, "number": 1, "name": "Round 1", "status": "open"}]),
        (
            "assignments",
            [
                {"id": 1, "rater_id": 1, "session_id": 1, "round_id": 1},
                {"id": 2, "rater_id": 3, "session_id": 1, "round_id": 1},
            ],
        ),
        (
            "transcripts",
            [
                {
                    "id": t,
                    "session_id": t,
                    "source_name": f"P01_s{t}.txt",
                    "source_format": "txt",
                    "encoding": "utf-8",
                    "content_hash": f"{t:064x}",
                    "imported_at": T0,
                    "warnings": {},
                }
                for t in (1, 2)
            ],
        ),
        (
            "speakers",
            [
                {"id": 1, "transcript_id": 1, "label": "T", "role": "therapist"},
                {"id": 2, "transcript_id": 1, "label": "P", "role": "patient"},
                {"id": 3, "transcript_id": 2, "label": "Therapist", "role": "therapist"},
                {"id": 4, "transcript_id": 2, "label": "Client", "role": "patient"},
            ],
        ),
        (
            "turns",
            [
                {"transcript_id": 1, "index": i, "speaker_id": s, "text": t}
                for i, s, t in session1_turns
            ]
            + [
                {"transcript_id": 2, "index": i, "speaker_id": s, "text": t}
                for i, s, t in session2_turns
            ],
        ),
        ("segmentations", [{"id": 1, "transcript_id": 1, "rule": "time_window:300"}]),
        (
            "segments",
            [
                {
                    "id": 1,
                    "segmentation_id": 1,
                    "index": 1,
                    "kind": "time_window",
                    "first_turn": 1,
                    "last_turn": 3,
                    "start_ms": 0,
                    "end_ms": 300_000,
                    "estimated": True,
                },
                {
                    "id": 2,
                    "segmentation_id": 1,
                    "index": 2,
                    "kind": "time_window",
                    "first_turn": 4,
                    "last_turn": 6,
                    "start_ms": 300_000,
                    "end_ms": 600_000,
                    "estimated": True,
                },
            ],
        ),
        (
            "episodes",
            [
                {
                    "id": 1,
                    "session_id": 1,
                    "rater_id": 1,
                    "scheme_id": 2,
                    "round_id": 1,
                    "index": 1,
                    "pathway_id": "withdrawal",
                    "start_turn": 2,
                    "end_turn": 6,
                    "memo": "Withdrawal, then asserts",
                }
            ],
        ),
        (
            "stage_events",
            [
                {"episode_id": 1, "stage_id": stage, "turn": turn, "seq": seq, "created_at": at(11, seq)}
                for seq, (stage, turn) in enumerate(EPISODE_STAGES, start=1)
            ],
        ),
        (
            "code_applications",
            [
                _code(  # a span code: W2 with its evidence and memo
                    session_id=1,
                    rater_id=1,
                    scheme_id=1,
                    round_id=1,
                    code_id=SPAN_CODE["code_id"],
                    unit="segment",
                    unit_index=1,
                    segment_id=1,
                    evidence_turn=SPAN_CODE["turn"],
                    evidence_start=SPAN_CODE["start"],
                    evidence_end=SPAN_CODE["end"],
                    memo=SPAN_CODE["memo"],
                ),
                _code(  # a rating
                    session_id=1,
                    rater_id=1,
                    scheme_id=1,
                    round_id=1,
                    code_id=RATING["code_id"],
                    unit="segment",
                    unit_index=RATING["unit_index"],
                    segment_id=1,
                    value=RATING["value"],
                ),
                _code(  # a session global rating
                    session_id=1, rater_id=1, scheme_id=1, code_id="G_W", unit="session",
                    unit_index=1, value=2,
                ),
                _code(  # Ben's presence code, and the lead's
                    session_id=1, rater_id=3, scheme_id=1, round_id=1, code_id="W2",
                    unit="segment", unit_index=1, segment_id=1,
                ),
                _code(
                    session_id=2, rater_id=2, scheme_id=1, code_id="C1", unit="turn",
                    unit_index=2, evidence_turn=2, evidence_start=0, evidence_end=10,
                    memo="Complaint about the therapist",
                ),
            ],
        ),
    ]  # fmt: skip


def rows_0002() -> Rows:  # stage events are episode codes now
    return [
        (
            "episodes",
            [
                {
                    "id": 2,
                    "session_id": 2,
                    "rater_id": 2,
                    "scheme_id": 2,
                    "round_id": None,
                    "index": 1,
                    "pathway_id": "confrontation",
                    "start_turn": 2,
                    "end_turn": None,
                    "memo": "",
                }
            ],
        ),
        (
            "code_applications",
            [
                _code(
                    session_id=2, rater_id=2, scheme_id=2, code_id="CS1", unit="episode",
                    unit_index=1, episode_id=2, value=1, evidence_turn=2, evidence_start=0,
                    evidence_end=35,
                ),
                _code(
                    session_id=1, rater_id=1, scheme_id=2, round_id=1, code_id="EP_RESOLVED",
                    unit="episode", unit_index=1, episode_id=1, value=2,
                ),
            ],
        ),
    ]  # fmt: skip


def rows_0003() -> Rows:
    return [
        (
            "rater_positions",
            [
                {"rater_id": 1, "session_id": 1, "scheme_key": "3rs-2015", "turn": 4},
                {"rater_id": 2, "session_id": None, "scheme_key": None, "turn": 1},
            ],
        )
    ]


def rows_0004() -> Rows:
    return [
        (
            "intake_records",
            [
                {
                    "id": 1,
                    "patient_id": 1,
                    "instrument": "notes",
                    "data": {"notes": [{"when": "2026-01-04", "text": "Referred by GP"}]},
                    "entered_by": 2,
                }
            ],
        ),
        (
            "formulation_overrides",
            [
                {
                    "id": 1,
                    "patient_id": 1,
                    "type": "B",
                    "difficulty": None,
                    "rationale": "Clinical judgement after intake",
                    "rater_id": 2,
                    "created_at": at(12),
                }
            ],
        ),
    ]


def rows_0005() -> Rows:
    return [
        ("raters", [{"id": 4, "name": "Consensus", "initials": "CONS", "role": "consensus"}]),
        (
            "code_applications",
            [
                _code(
                    id=100, session_id=1, rater_id=4, scheme_id=1, round_id=1, code_id="W2",
                    unit="segment", unit_index=1, segment_id=1,
                )
            ],
        ),
        (
            "consensus_decisions",
            [
                {
                    "id": 1,
                    "session_id": 1,
                    "scheme_key": "3rs-2015",
                    "unit": "segment",
                    "unit_index": 1,
                    "item": "W2",
                    "rater_values": {"AL": 1, "BR": 1},
                    "decided": {"value": 1},
                    "code_application_id": 100,
                    "decided_by": 2,
                    "memo": CONSENSUS_MEMO,
                    "created_at": at(13),
                }
            ],
        ),
    ]  # fmt: skip


def rows_0006() -> Rows:  # every code has a uid
    return [
        (
            "code_applications",
            [
                _code(
                    uid=BEN_UID, session_id=1, rater_id=3, scheme_id=1, round_id=1,
                    code_id="W_SIG", unit="segment", unit_index=1, segment_id=1, value=4,
                )
            ],
        )
    ]  # fmt: skip


def rows_0007() -> Rows:
    return [
        (
            "audit_log",
            [
                {
                    "id": 1,
                    "at": at(14),
                    "rater_id": 3,
                    "actor": "Ben Rater",
                    "action": "insert",
                    "table": "code_applications",
                    "row_key": BEN_UID,
                    "session_id": 1,
                    "before": None,
                    "after": {"code_id": "W_SIG", "value": 4},
                },
                {
                    "id": 2,
                    "at": at(14, 5),
                    "rater_id": 3,
                    "actor": "Ben Rater",
                    "action": "update",
                    "table": "code_applications",
                    "row_key": BEN_UID,
                    "session_id": 1,
                    "before": {"value": 4},
                    "after": {"value": 4, "memo": ""},
                },
            ],
        )
    ]


def rows_0008() -> Rows:
    return [
        ("raters", [{"id": 5, "name": "screen-3rs", "initials": "ML", "role": "machine"}]),
        (
            "code_applications",
            [
                _code(
                    uid=MACHINE_UID, session_id=1, rater_id=5, scheme_id=1, code_id="W2",
                    unit="segment", unit_index=2, segment_id=2, probability=MACHINE_PROBABILITY,
                )
            ],
        ),
    ]  # fmt: skip


def rows_0009() -> Rows:  # Ada dismissed the machine's W2 suggestion on segment 2
    return [
        (
            "suggestion_dismissals",
            [
                {
                    "id": 1, "rater_id": 1, "session_id": 1, "machine_id": 5, "scheme_id": 1,
                    "code_id": "W2", "unit_index": 2, "turn": 0,
                    "probability": MACHINE_PROBABILITY, "dismissed_at": at(15),
                }
            ],
        )
    ]  # fmt: skip


ROWS: dict[str, Callable[[], Rows]] = {
    "0001": rows_0001,
    "0002": rows_0002,
    "0003": rows_0003,
    "0004": rows_0004,
    "0005": rows_0005,
    "0006": rows_0006,
    "0007": rows_0007,
    "0008": rows_0008,
    "0009": rows_0009,
}


def _defaults(table: str, row: dict[str, Any]) -> dict[str, Any]:
    if table == "raters":
        return {"passphrase_hash": None, "created_at": T0, **row}
    if table == "speakers":
        return {"role_confirmed": True, **row}
    if table == "turns":
        return {"start_ms": None, "end_ms": None, **row}
    if table == "sessions":
        return {"duration_s": None, **row}
    if table in ("coding_rounds",):
        return {"created_at": T0, **row}
    if table in ("episodes",):
        return {"created_at": T0, "updated_at": T0, **row}
    if table in ("rater_positions", "intake_records"):
        return {"updated_at": T0, **row}
    return row


_TYPES = ((bool, Boolean()), (datetime, DateTime()), (date, Date()), ((dict, list), JSON()))


def insert(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Plain INSERTs; values are bound with the column's type (dates, JSON, booleans),
    so each dialect stores them the way SQLAlchemy would."""
    for raw in rows:
        row = _defaults(table, raw)
        cols = ", ".join(f'"{c}"' for c in row)
        values = ", ".join(f":{c}" for c in row)
        stmt = text(f'INSERT INTO "{table}" ({cols}) VALUES ({values})')
        typed = []
        for name, value in row.items():
            for kinds, type_ in _TYPES:
                if isinstance(value, kinds):
                    typed.append(bindparam(name, type_=type_))
                    break
        if typed:
            stmt = stmt.bindparams(*typed)
        conn.execute(stmt, row)


def insert_revision(conn: Connection, revision: str) -> None:
    for table, rows in ROWS[revision]():
        insert(conn, table, rows)
    if conn.dialect.name == "postgresql":  # explicit ids do not move the sequences
        for table in {table for table, _ in ROWS[revision]()} - {"rater_positions"}:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
            )


def build(engine: Engine, target: str, after_each: Callable[[str], None] | None = None) -> None:
    """Take an empty database through every revision up to ``target``, inserting each
    revision's rows once it is reached; ``after_each(rev)`` runs after each step."""
    for rev in revisions():
        migrate.upgrade(engine, None, target=rev)
        with engine.begin() as conn:
            insert_revision(conn, rev)
        if after_each is not None:
            after_each(rev)
        if rev == target:
            return
    raise ValueError(f"no revision {target}")


# ---- what a fully upgraded project must hold ----------------------------------------


def rows_up_to(revision: str) -> dict[str, int]:
    """How many rows each table holds in a project saved at ``revision`` and then
    upgraded to head (stage events became episode codes in 0002)."""
    counts: dict[str, int] = {}
    for rev in revisions():
        if rev not in ROWS:
            raise KeyError(f"tests/store/revision_data.py has no rows for revision {rev}")
        for table, rows in ROWS[rev]():
            counts[table] = counts.get(table, 0) + len(rows)
        if rev == revision:
            break
    stage_events = counts.pop("stage_events", 0)
    counts["code_applications"] = counts.get("code_applications", 0) + stage_events
    return counts
