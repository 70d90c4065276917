"""The audit trail: every change recorded, with who and before/after, in its transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from coder.app import access, audit, consensus, disagreements, identity, rounds
from coder.app.access import NotAllowed
from coder.app.coding import CodingSession
from coder.app.episodes import delete_episode, restore_episode, set_end, start_episode
from coder.app.identity import ActingRater
from coder.domain.coding import BlindingPolicy, RoundStatus, TextSpan
from coder.domain.errors import ValidationError
from coder.store.database import ProjectDatabase
from coder.store.models import AuditRow, CodeApplicationRow

PASSPHRASE = "correct horse battery"  # as in conftest


@pytest.fixture
def lee(coded_db: ProjectDatabase) -> ActingRater:
    return identity.sign_in(coded_db, "Lee", PASSPHRASE)


def rows(db: ProjectDatabase, after_id: int = 0) -> list[AuditRow]:
    with db.reading() as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.id > after_id)))


def last_id(db: ProjectDatabase) -> int:
    with db.reading() as session:
        return session.scalar(select(AuditRow.id).order_by(AuditRow.id.desc()).limit(1)) or 0


def brief(entries: list[AuditRow]) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.table) for e in entries]


def test_apply_rating_undo_memo_leave_entries(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    mark = last_id(coded_db)
    code = cs.apply_code("W4", span=TextSpan(4, 0, 5))
    (entry,) = rows(coded_db, mark)
    assert (entry.actor, entry.rater_id, entry.action, entry.table) == (
        "Ada",
        ada.rater_id,
        "insert",
        "code_applications",
    )
    assert entry.row_key == code.uid and entry.session_id == cs.session_id
    assert entry.before is None
    assert entry.after is not None and entry.after["code_id"] == "W4"
    assert entry.after["evidence_turn"] == 4

    mark = last_id(coded_db)
    cs.set_rating("W_SIG", 2, 3)
    cs.set_rating("W_SIG", 2, 4)
    changes = rows(coded_db, mark)
    assert brief(changes) == [
        ("Ada", "insert", "code_applications"),
        ("Ada", "delete", "code_applications"),
        ("Ada", "insert", "code_applications"),
    ]
    assert changes[1].before is not None and changes[1].before["value"] == 3
    assert changes[1].after is None
    assert changes[2].after is not None and changes[2].after["value"] == 4

    mark = last_id(coded_db)
    cs.set_memo(code, "a withdrawal")
    (memo,) = rows(coded_db, mark)
    assert (memo.action, memo.row_key) == ("update", code.uid)
    assert memo.before == {"memo": ""} and memo.after == {"memo": "a withdrawal"}

    mark = last_id(coded_db)
    (snap,) = cs.remove([code.uid])  # the undo of the apply
    cs.restore([snap])  # its redo
    removed, restored = rows(coded_db, mark)
    assert (removed.action, removed.row_key, restored.action, restored.row_key) == (
        "delete",
        code.uid,
        "insert",
        code.uid,
    )
    assert removed.before is not None and removed.before["memo"] == "a withdrawal"


def test_boundary_move_and_episode(
    coded_db: ProjectDatabase, lee: ActingRater, ada: ActingRater
) -> None:
    cs = CodingSession(coded_db, lee, "P01", 1)
    mark = last_id(coded_db)
    cs.move_boundary(2, 3)
    moved = rows(coded_db, mark)
    assert brief(moved) == [("Lee", "update", "segments")] * 2
    assert {(tuple(e.before or {}), tuple(e.after or {})) for e in moved} == {
        (("last_turn",), ("last_turn",)),
        (("first_turn",), ("first_turn",)),
    }
    assert all(e.session_id == cs.session_id for e in moved)
    first = next(e for e in moved if e.before and "first_turn" in e.before)
    assert (first.before, first.after) == ({"first_turn": 4}, {"first_turn": 3})

    mine = CodingSession(coded_db, ada, "P01", 1, "safran-muran-stages")
    mark = last_id(coded_db)
    index = start_episode(mine, "withdrawal", 2)
    set_end(mine, index, 5)
    snap = delete_episode(mine, index)
    restore_episode(mine, snap)
    assert brief(rows(coded_db, mark)) == [
        ("Ada", "insert", "episodes"),
        ("Ada", "update", "episodes"),
        ("Ada", "delete", "episodes"),
        ("Ada", "insert", "episodes"),
    ]
    ended = rows(coded_db, mark)[1]
    assert (ended.before, ended.after) == ({"end_turn": None}, {"end_turn": 5})


def test_a_failed_edit_leaves_no_entry(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    cs.apply_code("W4", segment=2)
    mark = last_id(coded_db)
    with pytest.raises(ValidationError):
        cs.apply_code("W4", segment=2)  # refused after the check inside the transaction
    with pytest.raises(RuntimeError), coded_db.transaction(ada) as session:
        session.execute(update(CodeApplicationRow).values(memo="half-way"))
        session.flush()
        raise RuntimeError("power cut")
    assert rows(coded_db, mark) == []
    assert [c.memo for c in cs.codes()] == [""]


def test_rounds_settings_consensus_are_recorded(
    coded_db: ProjectDatabase, lee: ActingRater, ada: ActingRater, ben: ActingRater
) -> None:
    mark = last_id(coded_db)
    rounds.create_round(coded_db, lee, "pilot")
    rounds.assign(coded_db, lee, "Ada", "P01", 1, 1)
    rounds.set_round_status(coded_db, lee, 1, RoundStatus.LOCKED)
    access.set_blinding_policy(coded_db, lee, BlindingPolicy.NEVER)
    identity.set_require_rater_sign_in(coded_db, lee, True)
    entries = rows(coded_db, mark)
    assert brief(entries) == [
        ("Lee", "insert", "coding_rounds"),
        ("Lee", "insert", "assignments"),
        ("Lee", "update", "coding_rounds"),
        ("Lee", "update", "project"),
        ("Lee", "update", "project"),
    ]
    assert (entries[2].before, entries[2].after) == ({"status": "open"}, {"status": "locked"})
    assert entries[1].session_id is not None
    settings = entries[3].after
    assert settings is not None and settings["settings"]["blinding"] == "never"

    # consensus: the lead is who acts, whatever identity holds the consensus codes
    rounds.set_round_status(coded_db, lee, 1, RoundStatus.OPEN)
    for coder, value in ((ada, 2), (ben, 4)):
        CodingSession(coded_db, coder, "P01", 2).set_rating("W_SIG", 1, value)
    (d,) = [x for x in disagreements.find_disagreements(coded_db, lee) if x.item == "W_SIG"]
    mark = last_id(coded_db)
    consensus.settle(coded_db, lee, d, 3, memo="agreed")
    consensus.unsettle(coded_db, lee, d)
    entries = rows(coded_db, mark)
    assert {e.actor for e in entries if e.table in ("consensus_decisions",)} == {"Lee"}
    assert [(e.action, e.table) for e in entries if e.table != "raters"] == [
        ("insert", "code_applications"),
        ("insert", "consensus_decisions"),
        ("delete", "consensus_decisions"),
        ("delete", "code_applications"),
    ]


def test_secrets_never_recorded(coded_db: ProjectDatabase, lee: ActingRater) -> None:
    identity.set_rater_secret(coded_db, lee, "Ada", "4321")
    identity.set_lab_passphrase(coded_db, "another long passphrase", PASSPHRASE)
    with coded_db.reading() as session:
        dumped = session.execute(
            text(
                "SELECT COALESCE(CAST(\"before\" AS TEXT), '') "
                "|| COALESCE(CAST(\"after\" AS TEXT), '') FROM audit_log"
            )
        ).scalars()
        everything = " ".join(dumped)
    assert "scrypt" not in everything and "passphrase_hash" not in everything
    assert "lead_passphrase" not in everything
    assert '"has_pin": true' in everything
    assert '"lab_passphrase_set": true' in everything


def test_the_app_never_changes_the_trail(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    CodingSession(coded_db, ada, "P01", 1).apply_code("W4", segment=2)
    before = [(e.id, e.at, e.after) for e in rows(coded_db)]
    for statement in (
        update(AuditRow).values(actor="someone else"),
        delete(AuditRow),
    ):
        with pytest.raises(Exception, match="append-only"), coded_db.transaction() as session:
            session.execute(statement)
    assert [(e.id, e.at, e.after) for e in rows(coded_db)] == before


def test_imports_are_summarised(
    coded_db: ProjectDatabase, tmp_path: Path, lee: ActingRater
) -> None:
    from coder.app import codes

    entries = rows(coded_db)
    transcripts = [e for e in entries if e.table == "transcripts"]
    assert len(transcripts) == 2 and not [e for e in entries if e.table == "turns"]
    assert transcripts[0].after is not None and transcripts[0].after["turns"] == 6
    table = tmp_path / "codes.csv"
    table.write_text(
        "patient,session,rater,code,unit,unit_index,value\n"
        "P01,1,Ada,W4,segment,2,1\nP01,1,Ada,W2,segment,1,1\nP01,2,Ben,W4,segment,1,1\n",
        encoding="utf-8",
    )
    mark = last_id(coded_db)
    codes.import_codes(coded_db, table, lee)
    summary = rows(coded_db, mark)
    assert brief(summary) == [("Lee", "insert", "code_applications")] * 2
    afters: list[Any] = [e.after for e in summary]
    assert afters == [
        {"rows": 2, "source": "codes.csv", "raters": {"Ada": 2}},
        {"rows": 1, "source": "codes.csv", "raters": {"Ben": 1}},
    ]


def test_a_transcript_import_names_the_importer(
    coded_db: ProjectDatabase, tmp_path: Path, lee: ActingRater
) -> None:
    """Issue 11: imports were recorded with an empty owner even when a lead signed in."""
    from coder.app import importing

    path = tmp_path / "P02_S1.txt"
    path.write_text("[00:00:05] T: Hello.\n[00:00:09] P: Hi.\n", encoding="utf-8")
    mark = last_id(coded_db)
    options = importing.ImportOptions(pattern="{patient}_S{session}")
    report = importing.import_files(coded_db, [path], options, actor=lee)
    assert report.sessions == 1
    entries = rows(coded_db, mark)
    assert entries and {(e.actor, e.rater_id) for e in entries} == {("Lee", lee.rater_id)}
    assert [e.table for e in entries if e.table == "transcripts"] == ["transcripts"]


def test_reading_is_for_leads(
    coded_db: ProjectDatabase, lee: ActingRater, ada: ActingRater
) -> None:
    CodingSession(coded_db, ada, "P01", 1).apply_code("W4", segment=2)
    rounds.create_round(coded_db, lee)
    everything = audit.list_entries(coded_db, lee)
    assert [e.actor for e in everything][-2:] == ["Ada", "Lee"]
    assert [e.table for e in audit.list_entries(coded_db, lee, rater="Ada")] == [
        "code_applications"
    ]
    assert audit.list_entries(coded_db, lee, since=everything[-1].at) == everything[-1:]
    assert everything[-2].session == "P01 #1"
    with pytest.raises(NotAllowed):
        audit.list_entries(coded_db, ada)
    with pytest.raises(NotAllowed):
        audit.list_entries(coded_db, None)  # a project with a lead has no anonymous owner


def test_owner_reads_a_project_without_a_lead(db: ProjectDatabase) -> None:
    from coder.app import raters

    raters.add_rater(db, "Solo", "S")
    (entry,) = [e for e in audit.list_entries(db, None) if e.table == "raters"]
    assert entry.actor == "" and entry.cells()[1] == "(owner)"
