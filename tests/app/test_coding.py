"""Coding a session: every edit is one transaction and can be reversed exactly."""

from __future__ import annotations

import pytest

from coder.app import access
from coder.app.access import NotAllowed
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import BlindingPolicy, TextSpan, Unit
from coder.domain.errors import NotFoundError, ValidationError
from coder.store.database import ProjectDatabase


def test_segments_follow_the_scheme(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    assert [(s.index, s.first_turn, s.last_turn) for s in cs.segments] == [
        (1, 1, 3),
        (2, 4, 5),
        (3, 6, 6),
    ]
    assert cs.segment_for_turn(5).index == 2


def test_span_code_lands_in_the_turns_segment(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    text = cs.transcript.turns[3].text
    start = text.index("Can we talk")
    code = cs.apply_code("W4", span=TextSpan(4, start, len(text)))
    assert (code.unit, code.unit_index, code.rater, code.value) == (Unit.SEGMENT, 2, "Ada", 1)
    assert code.evidence == TextSpan(4, start, len(text))
    fresh = CodingSession(coded_db, ada, "P01", 1)  # what is stored, not what is cached
    assert [(c.code_id, c.unit_index, c.evidence) for c in fresh.codes()] == [
        ("W4", 2, code.evidence)
    ]


def test_toggle_adds_then_removes_all_applications(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    cs.apply_code("W2", span=TextSpan(2, 0, 5))
    removed, added = cs.toggle_code("W2", 1)
    assert added is None and len(removed) == 1 and cs.codes() == []
    removed, added = cs.toggle_code("W2", 1)
    assert removed == [] and added is not None and added.evidence is None


def test_remove_then_restore_is_exact(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    code = cs.apply_code("C5", segment=3, span=TextSpan(6, 10, 30), memo="progress complaint")
    (snapshot,) = cs.remove([code.uid])
    assert cs.codes() == []
    (back,) = cs.restore([snapshot])
    assert (back.code_id, back.unit_index, back.evidence, back.memo, back.created_at) == (
        "C5",
        3,
        code.evidence,
        "progress complaint",
        code.created_at,
    )
    assert cs.codes() == [back]


def test_ratings_replace_and_validate(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    before, first = cs.set_rating("W_SIG", 2, 3)
    assert before is None and first.value == 3
    before, second = cs.set_rating("W_SIG", 2, 4)
    assert before is not None and before.value == 3 and second.value == 4
    assert [c.value for c in cs.codes() if c.code_id == "W_SIG"] == [4]
    with pytest.raises(ValidationError, match="from 1 to 5"):
        cs.set_rating("W_SIG", 2, 9)
    _, na = cs.set_rating("G_RESOLVED", 1, None)
    assert na.unit is Unit.SESSION and na.value is None
    with pytest.raises(ValidationError):
        cs.set_rating("G_TCONTRIB", 1, None)
    with pytest.raises(NotFoundError):
        cs.set_rating("W_SIG", 9, 2)


def test_memo_round_trip(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    code = cs.apply_code("W1", segment=1)
    before, after = cs.set_memo(code, "denies tiredness")
    assert before.memo == "" and after.memo == "denies tiredness"
    assert cs.codes()[0].memo == "denies tiredness"
    cs.set_memo(after, before.memo)
    assert cs.codes()[0].memo == ""


def test_bad_edits_are_refused(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    with pytest.raises(NotFoundError):
        cs.apply_code("W99", segment=1)
    with pytest.raises(ValidationError, match="past the end"):
        cs.apply_code("W1", span=TextSpan(2, 0, 500))
    with pytest.raises(ValidationError, match="not per segment"):
        CodingSession(coded_db, ada, "P01", 1, "safran-muran-stages").apply_code(
            "EP_TX_META", segment=1
        )
    code = cs.apply_code("W1", segment=1)
    with pytest.raises(NotAllowed, match="only your own"):
        CodingSession(coded_db, ben, "P01", 1).remove([code.uid])
    assert len(cs.codes()) == 1


def test_boundary_move_and_back(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    with pytest.raises(NotAllowed, match="only a lead can move them while raters are blinded"):
        cs.move_boundary(2, 5)  # refused without saying whether anyone else has coded
    access.set_blinding_policy(coded_db, lead, BlindingPolicy.NEVER)
    old = cs.move_boundary(2, 5)
    assert old == 4
    assert [(s.first_turn, s.last_turn) for s in cs.segments[:2]] == [(1, 4), (5, 5)]
    assert cs.segment_for_turn(4).index == 1
    cs.move_boundary(2, old)
    assert [(s.first_turn, s.last_turn) for s in cs.segments[:2]] == [(1, 3), (4, 5)]
    with pytest.raises(ValidationError):
        cs.move_boundary(1, 2)
    with pytest.raises(ValidationError):
        cs.move_boundary(2, 1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W1", segment=1)
    with pytest.raises(NotAllowed, match="ask a lead"):
        cs.move_boundary(2, 5)
    CodingSession(coded_db, lead, "P01", 1).move_boundary(2, 5)
    assert CodingSession(coded_db, ada, "P01", 1).segment(2).first_turn == 5


def test_edits_in_one_session_never_touch_another(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    one = CodingSession(coded_db, ada, "P01", 1)
    two = CodingSession(coded_db, ada, "P01", 2)
    one.apply_code("W1", segment=1)
    two.apply_code("W2", segment=1)
    one.remove([c.uid for c in one.codes()])
    assert [c.code_id for c in two.codes()] == ["W2"]


def test_the_same_code_on_the_same_text_is_stored_once(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    cs.apply_code("W2", span=TextSpan(2, 0, 5))
    with pytest.raises(ValidationError, match="W2 is already marked on this text in turn 2"):
        cs.apply_code("W2", span=TextSpan(2, 0, 5))
    cs.apply_code("W2", span=TextSpan(2, 6, 13))  # other evidence for the same code: kept
    cs.apply_code("W1", segment=1)
    with pytest.raises(ValidationError, match="W1 is already marked in segment 1"):
        cs.apply_code("W1", segment=1)
    assert sorted(c.code_id for c in cs.own_codes()) == ["W1", "W2", "W2"]
