"""The lead's desk services: assignments listed and taken back, the progress table."""

from __future__ import annotations

import pytest

from coder.app import progress, rounds
from coder.app.access import NotAllowed
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import RoundStatus
from coder.store.database import ProjectDatabase


def finish_segment(db: ProjectDatabase, coder: ActingRater, number: int, segment: int) -> None:
    cs = CodingSession(db, coder, "P01", number, "3rs-2015")
    cs.set_rating("W_SIG", segment, 1)
    cs.set_rating("C_SIG", segment, 2)


def test_assignments_are_listed_and_taken_back(
    coded_db: ProjectDatabase, lead: ActingRater
) -> None:
    rounds.create_round(coded_db, lead, "calibration")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    rounds.assign(coded_db, lead, "Ben", "P01", 2, 1)
    assert [(a.rater, a.session) for a in rounds.round_assignments(coded_db, 1)] == [
        ("Ada", 1),
        ("Ben", 2),
    ]
    assert rounds.unassign(coded_db, lead, "Ada", "P01", 1, 1)
    assert not rounds.unassign(coded_db, lead, "Ada", "P01", 1, 1)
    assert [a.rater for a in rounds.round_assignments(coded_db)] == ["Ben"]


def test_only_a_lead_unassigns(
    coded_db: ProjectDatabase, lead: ActingRater, ada: ActingRater
) -> None:
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    with pytest.raises(NotAllowed):
        rounds.unassign(coded_db, ada, "Ada", "P01", 1, 1)


def test_progress_rows_and_blinding(
    coded_db: ProjectDatabase, lead: ActingRater, ada: ActingRater, ben: ActingRater
) -> None:
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    rounds.assign(coded_db, lead, "Ben", "P01", 1, 1)
    finish_segment(coded_db, ada, 1, 1)
    finish_segment(coded_db, ben, 2, 1)  # coded without an assignment
    rows = progress.progress_table(coded_db, lead)
    assert [(r.rater, r.session, r.done, r.total, r.round) for r in rows] == [
        ("Ada", 1, 1, 3, 1),
        ("Ben", 1, 0, 3, 1),
        ("Ben", 2, 1, 3, None),
    ]
    assert rows[0].last_edit is not None and rows[1].last_edit is None
    # a blinded rater sees only their own rows: others' counts are information
    assert {r.rater for r in progress.progress_table(coded_db, ada)} == {"Ada"}
    unfinished = progress.unfinished_in_round(coded_db, lead, 1)
    assert [(r.rater, r.session) for r in unfinished] == [("Ada", 1), ("Ben", 1)]
    for segment in (2, 3):
        finish_segment(coded_db, ada, 1, segment)
    assert [r.rater for r in progress.unfinished_in_round(coded_db, lead, 1)] == ["Ben"]
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
