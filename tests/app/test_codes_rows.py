"""Codes-table rows checked against the project (coder.app.codes_rows): rows refused for
the session they go into (assignments of an open round, a locked round; consensus codes
after a lock), and stored codes looked up once per file, not once per row."""

from __future__ import annotations

from pathlib import Path

import pytest
from backend import NewProject
from codes_data import HEADER, rows, setup_project, stored_codes, write
from sqlalchemy import event, select

from coder.app import codes, identity, raters, rounds
from coder.app.access import NotAllowed
from coder.app.identity import ActingRater
from coder.domain.coding import RoundStatus
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow


def test_imports_join_the_open_round_in_assigned_sessions_only(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    rounds.create_round(coded_db, lead, "calibration")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    text = rows(
        "P01,1,Ada,W1,segment,1,1,,,",
        "P01,2,Ada,W2,segment,1,1,,,",
        "P01,2,Ada,W3,segment,2,1,,,",
    )
    with pytest.raises(NotAllowed) as info:
        codes.import_codes(coded_db, write(tmp_path, text), ada)
    assert info.value.problems == [  # type: ignore[attr-defined]
        "lines 3-4 (P01 session 2): this session is not assigned to you in round 1"
    ]
    assert codes.import_codes(coded_db, write(tmp_path, rows(text.splitlines()[1])), ada).rows == 1
    # a lead is not bound by assignments; both codes join the open round
    ben_rows = rows("P01,2,Ben,W2,segment,1,1,,,")
    assert codes.import_codes(coded_db, write(tmp_path, ben_rows, "ben.csv"), lead).rows == 1
    assert stored_codes(coded_db) == [("Ada", "rater", "W1", 1), ("Ben", "rater", "W2", 1)]


def test_a_locked_round_takes_no_imported_codes(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    first = write(tmp_path, rows("P01,1,Ada,W1,segment,1,1,,,"))
    assert codes.import_codes(coded_db, first, ada).rows == 1
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    late = rows("P01,1,Ada,W1,segment,1,1,,,", "P01,1,Ada,W2,segment,2,1,,,")
    for who in (ada, lead):
        with pytest.raises(NotAllowed) as info:
            codes.import_codes(coded_db, write(tmp_path, late, "late.csv"), who)
        assert info.value.problems == [  # type: ignore[attr-defined]
            "line 3 (P01 session 1): round 1 is locked: its sessions take no more changes. "
            "A lead can reopen it."
        ]
        assert "late.csv" in str(info.value)
    again = codes.import_codes(coded_db, first, ada)  # nothing new: nothing to refuse
    assert (again.rows, again.already_present) == (0, 1)
    other = write(tmp_path, rows("P01,2,Ada,W2,segment,2,1,,,"), "other.csv")
    assert codes.import_codes(coded_db, other, ada).rows == 1  # not in the round
    assert stored_codes(coded_db) == [("Ada", "rater", "W1", 1), ("Ada", "rater", "W2", None)]


def test_lookups_do_not_grow_with_the_rows(new_project: NewProject, tmp_path: Path) -> None:
    """Existing codes are looked up once per file, not once per row."""
    db = setup_project(new_project, tmp_path)
    raters.add_rater(db, "Ada", "AL")
    raters.add_rater(db, "Ben", "BO")

    def statements(n_segments: int, name: str) -> int:
        text = HEADER + "".join(
            f"P01,1,{r},{code},segment,{s},1,,,,\n"
            for r in ("Ada", "Ben")
            for s in range(1, n_segments + 1)
            for code in ("W1", "W2", "W3")
        )
        path = write(tmp_path, text, name)
        codes.import_codes(db, path)
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert codes.import_codes(db, path).already_present == 6 * n_segments
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    assert statements(1, "one.csv") == statements(2, "two.csv")
    db.close()


def test_a_lead_imports_consensus_codes_after_a_round_is_locked(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    """Consensus codes are made once a round is locked (as coder.app.consensus makes
    them), so the lock that refuses raters' codes does not refuse them; they join no
    round and go to the existing consensus pseudo-rater."""
    consensus = identity.consensus_coder(coded_db)
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    path = write(tmp_path, rows("P01,1,Consensus,W_SIG,segment,1,4,,,"))
    assert codes.import_codes(coded_db, path, lead).rows == 1
    with coded_db.reading() as session:
        assert session.scalar(select(CodeApplicationRow.rater_id)) == consensus.rater_id
    assert stored_codes(coded_db) == [("Consensus", "consensus", "W_SIG", None)]
