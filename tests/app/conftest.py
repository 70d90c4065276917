"""Fixtures of the app tests: a small screened project (``screen_db``:
tests/app/test_screening*.py, test_suggestions.py, test_consensus.py). The demo project
(``demo_db``) is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from screening_data import MACHINE, PASSPHRASE, transcript
from sqlalchemy import select

from coder.app import identity, importing, raters
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
    TurnRow,
)


@pytest.fixture
def screen_db(tmp_path: Path, new_project: Callable[..., ProjectDatabase]) -> ProjectDatabase:
    """Four patients x 2 sessions; Ada coded all, Ben the first two sessions; lead Lee."""
    db = new_project("s", scheme_ids=("3rs-2015",))
    raters.add_rater(db, "Ada", "AL")
    raters.add_rater(db, "Ben", "BO")
    identity.add_lead(db, "Lee", "LP", PASSPHRASE)
    positives: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for p in range(1, 5):
        for s in (1, 2):
            text, w1, c1 = transcript(p, s)
            path = tmp_path / f"P0{p}_S{s}.txt"
            path.write_text(text, encoding="utf-8")
            assert importing.import_file(db, path, ImportOptions(pattern="{patient}_S{session}")).ok
            positives[(f"P0{p}", s)] = (w1, c1)
    with db.transaction() as session:
        scheme_id = session.scalar(select(SchemeRow.id))
        ids = dict(session.execute(select(RaterRow.name, RaterRow.id)).all())
        for (patient, number), (w1, c1) in positives.items():
            sid = session.scalar(
                select(SessionRow.id)
                .join(PatientRow)
                .where(PatientRow.code == patient, SessionRow.number == number)
            )
            who = ["Ada"] + (["Ben"] if patient == "P01" else [])
            for name in who:
                for code, turns in (("W1", w1), ("C1", c1)):
                    for t in turns:
                        if name == "Ben" and t == w1[0]:
                            continue  # Ben misses one: human kappa below 1
                        session.add(
                            CodeApplicationRow(
                                session_id=sid, rater_id=ids[name], scheme_id=scheme_id,
                                code_id=code, unit="turn", unit_index=t, value=1,
                            )
                        )  # fmt: skip
    return db


@pytest.fixture
def lee(screen_db: ProjectDatabase) -> ActingRater:
    return identity.sign_in(screen_db, "Lee", PASSPHRASE)


@pytest.fixture
def machine_codes(screen_db: ProjectDatabase) -> list[tuple[str, int, float]]:
    """A machine rater's W1 on patient turns 2, 4, 6 of P01/1 (segment 1) with
    probabilities 0.9, 0.6, 0.3, stored as ``coder screen run`` stores them."""
    suggested = [("W1", 2, 0.9), ("W1", 4, 0.6), ("W1", 6, 0.3)]
    with screen_db.transaction() as session:
        machine = RaterRow(name=MACHINE, initials="MC", role=RaterRole.MACHINE.value)
        session.add(machine)
        session.flush()
        sid = session.scalar(
            select(SessionRow.id)
            .join(PatientRow)
            .where(PatientRow.code == "P01", SessionRow.number == 1)
        )
        turns = dict(
            session.execute(
                select(TurnRow.index, TurnRow.text)
                .join(TranscriptRow)
                .where(TranscriptRow.session_id == sid)
            ).all()
        )
        segment_id = session.scalar(
            select(SegmentRow.id)
            .join(SegmentationRow)
            .join(TranscriptRow)
            .where(TranscriptRow.session_id == sid, SegmentRow.index == 1)
        )
        for code, turn, p in suggested:
            session.add(
                CodeApplicationRow(
                    session_id=sid, rater_id=machine.id, scheme_id=session.scalar(select(SchemeRow.id)),
                    code_id=code, unit="segment", unit_index=1, segment_id=segment_id,
                    evidence_turn=turn, evidence_start=0, evidence_end=len(turns[turn]),
                    value=1, probability=p,
                )
            )  # fmt: skip
        session.add(  # a machine rating: a value, never offered as a suggestion
            CodeApplicationRow(
                session_id=sid, rater_id=machine.id, scheme_id=session.scalar(select(SchemeRow.id)),
                code_id="W_SIG", unit="segment", unit_index=1, segment_id=segment_id, value=3,
                probability=0.95,
            )
        )  # fmt: skip
    return suggested
