"""The one place that decides who may see and change which codes (coder.app.access)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from coder.app import access, codes, rounds
from coder.app.access import IdentityRequired, NotAllowed
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import BlindingPolicy, RoundStatus, Unit
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, SegmentRow


def raters_seen(db: ProjectDatabase, who: ActingRater) -> set[str]:
    return {c.rater for c in CodingSession(db, who, "P01", 1).codes()}


def test_blinding_policies(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.ALWAYS  # the default
    assert raters_seen(coded_db, ben) == {"Ben"}  # no round at all, and still blinded
    assert raters_seen(coded_db, lead) == {"Ada", "Ben"}

    access.set_blinding_policy(coded_db, lead, BlindingPolicy.DURING_ROUNDS)
    assert raters_seen(coded_db, ben) == {"Ada", "Ben"}
    rounds.create_round(coded_db, lead)
    assert raters_seen(coded_db, ben) == {"Ben"}
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    assert raters_seen(coded_db, ben) == {"Ben"}  # locked is still blinded
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.UNBLINDED)
    assert raters_seen(coded_db, ben) == {"Ada", "Ben"}

    access.set_blinding_policy(coded_db, lead, BlindingPolicy.ALWAYS)
    assert raters_seen(coded_db, ben) == {"Ben"}  # unblinded rounds do not unblind raters


def test_only_a_lead_changes_blinding_and_never_mid_round(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    for who in (ada, None):
        with pytest.raises(NotAllowed, match="only a lead"):
            access.set_blinding_policy(coded_db, who, BlindingPolicy.NEVER)
    rounds.create_round(coded_db, lead)
    with pytest.raises(Exception, match="lock it before relaxing"):
        access.set_blinding_policy(coded_db, lead, BlindingPolicy.NEVER)
    assert access.read_blinding_policy(coded_db) is BlindingPolicy.ALWAYS


def test_anonymous_access_only_without_a_lead(
    db: ProjectDatabase, coded_db: ProjectDatabase
) -> None:
    with db.reading() as session:
        assert access.visible_rater_ids(session, None) is None  # a single-user project
    with coded_db.reading() as session, pytest.raises(IdentityRequired, match="--as NAME"):
        access.visible_rater_ids(session, None)


def test_a_blinded_rater_exports_only_own_codes(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    out = tmp_path / "ben.csv"
    assert codes.export_codes(coded_db, out, coder=ben) == 1
    assert "Ada" not in out.read_text(encoding="utf-8")


def test_a_locked_round_freezes_its_sessions(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    cs = CodingSession(coded_db, ada, "P01", 1)
    kept = cs.apply_code("W1", segment=1)
    removed = cs.apply_code("W2", segment=1)
    (snapshot,) = cs.remove([removed.uid])
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)

    refusals: list[Callable[[], object]] = [
        lambda: cs.apply_code("W3", segment=2),
        lambda: cs.set_rating("W_SIG", 1, 3),
        lambda: cs.set_memo(kept, "note"),
        lambda: cs.remove([kept.uid]),
        lambda: cs.restore([snapshot]),  # undo of a removal
        lambda: CodingSession(coded_db, ben, "P01", 1).apply_code("W1", segment=1),
        lambda: CodingSession(coded_db, lead, "P01", 1).move_boundary(2, 5),
    ]
    for refused in refusals:
        with pytest.raises(NotAllowed, match=r"round 1 is locked.*A lead can reopen it"):
            refused()
    assert [c.code_id for c in CodingSession(coded_db, lead, "P01", 1).codes()] == ["W1"]
    CodingSession(coded_db, ada, "P01", 2).apply_code("W1", segment=1)  # not in the round

    rounds.set_round_status(coded_db, lead, 1, RoundStatus.OPEN)  # reopened
    cs.restore([snapshot])
    assert {c.code_id for c in cs.own_codes()} == {"W1", "W2"}


def test_a_recoding_round_opens_a_locked_session_again(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    rounds.create_round(coded_db, lead)
    cs = CodingSession(coded_db, ada, "P01", 1)
    first = cs.apply_code("W1", segment=1)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.UNBLINDED)
    with pytest.raises(NotAllowed, match="round 1 is unblinded"):
        cs.apply_code("W2", segment=1)
    rounds.create_round(coded_db, lead, "re-coding")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 2)
    second = cs.apply_code("W2", segment=1)
    assert second.round_number == 2
    with pytest.raises(NotAllowed, match="round 1 is unblinded"):
        cs.remove([first.uid])  # round 1's own codes stay as they were


# ---- one transaction per edit: a failure between the steps leaves the old state ---------
class Boom(RuntimeError):
    pass


def fail_inserts(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise Boom("the disk went away")

    monkeypatch.setattr(CodingSession, "_insert", broken)


def own(cs: CodingSession) -> list[tuple[str, int, int | None]]:
    return sorted((c.code_id, c.unit_index, c.value) for c in cs.own_codes())


def test_changing_a_rating_is_one_transaction(
    coded_db: ProjectDatabase, ada: ActingRater, monkeypatch: pytest.MonkeyPatch
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    cs.set_rating("W_SIG", 1, 3)
    fail_inserts(monkeypatch)
    with pytest.raises(Boom):
        cs.set_rating("W_SIG", 1, 4)
    assert own(cs) == [("W_SIG", 1, 3)]


def test_undoing_a_rating_change_is_one_transaction(
    coded_db: ProjectDatabase, ada: ActingRater, monkeypatch: pytest.MonkeyPatch
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    before, _ = cs.set_rating("W_SIG", 1, 3)
    previous, _ = cs.set_rating("W_SIG", 1, 4)
    assert before is None and previous is not None

    def broken(self: CodingSession, session: object, snapshots: object) -> None:
        raise Boom("restore failed after the delete")

    monkeypatch.setattr(CodingSession, "restore_rows", broken)
    with pytest.raises(Boom):
        cs.replace_rating("W_SIG", Unit.SEGMENT, 1, previous)
    assert own(cs) == [("W_SIG", 1, 4)]


def test_toggle_clear_and_restore_are_one_transaction(
    coded_db: ProjectDatabase, ada: ActingRater, monkeypatch: pytest.MonkeyPatch
) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    a = cs.apply_code("W1", segment=1)
    b = cs.apply_code("W2", segment=1)
    snapshots = cs.remove([a.uid, b.uid])
    original = CodingSession.restore_rows

    def second_fails(self: CodingSession, session: object, snaps: list[object]) -> object:
        original(self, session, snaps[:1])  # type: ignore[arg-type]
        raise Boom("the second re-insert failed")

    monkeypatch.setattr(CodingSession, "restore_rows", second_fails)
    with pytest.raises(Boom):
        cs.restore(snapshots)
    assert own(cs) == []  # not one of the two came back
    monkeypatch.undo()

    cs.set_rating("W_SIG", 2, 2)
    original_delete = CodingSession.delete_rows

    def delete_then_fail(self: CodingSession, session: object, rows: list[object]) -> object:
        original_delete(self, session, rows)  # type: ignore[arg-type]
        raise Boom("failed after deleting")

    monkeypatch.setattr(CodingSession, "delete_rows", delete_then_fail)
    with pytest.raises(Boom):
        cs.clear_rating("W_SIG", Unit.SEGMENT, 2)
    cs.apply_code("W3", segment=3)
    with pytest.raises(Boom):
        cs.toggle_code("W3", 3)
    assert own(cs) == [("W3", 3, 1), ("W_SIG", 2, 2)]


def test_a_boundary_move_is_one_transaction(
    coded_db: ProjectDatabase, lead: ActingRater, monkeypatch: pytest.MonkeyPatch
) -> None:
    cs = CodingSession(coded_db, lead, "P01", 1)
    calls = 0
    original = SegmentRow.__setattr__

    def fail_second_segment(self: SegmentRow, name: str, value: object) -> None:
        nonlocal calls
        if name == "first_turn" and getattr(self, "index", None) == 2:
            calls += 1
            raise Boom("the second half of the move failed")
        original(self, name, value)

    monkeypatch.setattr(SegmentRow, "__setattr__", fail_second_segment)
    with pytest.raises(Boom):
        cs.move_boundary(2, 5)
    monkeypatch.undo()
    assert calls == 1
    with coded_db.reading() as session:
        bounds = session.execute(
            select(SegmentRow.first_turn, SegmentRow.last_turn)
            .where(SegmentRow.segmentation_id == cs.segmentation_id)
            .order_by(SegmentRow.index)
        ).all()
    assert [tuple(b) for b in bounds][:2] == [(1, 3), (4, 5)]  # segment 1's end unchanged


def test_restored_codes_keep_their_identity(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1)
    a = cs.apply_code("W1", segment=1)
    (gone,) = cs.remove([a.uid])
    b = cs.apply_code("W2", segment=3)  # may take the freed row id
    (back,) = cs.restore([gone])
    assert back.uid == a.uid != b.uid
    assert back.created_at == a.created_at
    with pytest.raises(Exception, match="already there"):
        cs.restore([gone])
    with coded_db.reading() as session:
        uids = session.scalars(select(CodeApplicationRow.uid)).all()
    assert len(uids) == len(set(uids)) == 2


def test_who_may_move_segment_boundaries(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    """Boundaries are shared: a lead always; a rater only unblinded and alone."""
    with coded_db.reading() as session:
        sid = CodingSession(coded_db, ada, "P01", 1).session_id
        access.check_boundaries_movable(session, lead, sid)
        with pytest.raises(NotAllowed, match="while raters are blinded"):
            access.check_boundaries_movable(session, ada, sid)
    access.set_blinding_policy(coded_db, lead, BlindingPolicy.NEVER)
    with coded_db.reading() as session:
        access.check_boundaries_movable(session, ada, sid)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W1", segment=1)
    with coded_db.reading() as session:
        with pytest.raises(NotAllowed, match="other raters have coded this session"):
            access.check_boundaries_movable(session, ada, sid)
        access.check_boundaries_movable(session, lead, sid)
