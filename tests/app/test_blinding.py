"""Blinding: while a round is open a rater cannot see another rater's codes through any
service; a lead can; unblinding shows everyone's."""

from __future__ import annotations

import pytest

from coder.app import access, episodes, identity, rounds
from coder.app import codes as codes_service
from coder.app.access import NotAllowed
from coder.app.coding import CodingSession
from coder.app.identity import AccessDenied, ActingRater
from coder.domain.coding import BlindingPolicy, RoundStatus
from coder.domain.errors import NotFoundError, ValidationError
from coder.store.database import ProjectDatabase

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture


def test_open_round_hides_other_raters(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    rounds.create_round(coded_db, lead, "calibration")
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    bens_view = CodingSession(coded_db, ben, "P01", 1)
    assert [c.rater for c in bens_view.codes()] == ["Ben"]
    assert [c.rater for c in bens_view.codes([ada.rater_id])] == ["Ben"]  # asking does not help
    assert {c.rater for c in CodingSession(coded_db, lead, "P01", 1).codes()} == {"Ada", "Ben"}
    assert [c.rater for c in CodingSession(coded_db, lead, "P01", 1).codes([ada.rater_id])] == [
        "Ada"
    ]
    assert all(c.round_number == 1 for c in CodingSession(coded_db, lead, "P01", 1).codes())


def test_episodes_are_blinded_too(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    rounds.create_round(coded_db, lead)
    cs = CodingSession(coded_db, ada, "P01", 1, "safran-muran-stages")
    episodes.start_episode(cs, "withdrawal", 2)
    assert (
        episodes.list_episodes(CodingSession(coded_db, ben, "P01", 1, "safran-muran-stages")) == []
    )
    assert (
        len(episodes.list_episodes(CodingSession(coded_db, lead, "P01", 1, "safran-muran-stages")))
        == 1
    )


def test_locked_round_refuses_edits_and_unblinding_shows_all(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    access.set_blinding_policy(coded_db, lead, BlindingPolicy.DURING_ROUNDS)
    rounds.create_round(coded_db, lead)
    code = CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W1", segment=1)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    with pytest.raises(NotAllowed, match="round 1 is locked"):
        CodingSession(coded_db, ada, "P01", 1).remove([code.uid])
    assert [c.rater for c in CodingSession(coded_db, ben, "P01", 1).codes()] == ["Ben"]
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.UNBLINDED)
    assert {c.rater for c in CodingSession(coded_db, ben, "P01", 1).codes()} == {"Ada", "Ben"}
    with pytest.raises(ValidationError, match="cannot become open"):
        rounds.set_round_status(coded_db, lead, 1, RoundStatus.OPEN)


def test_only_leads_manage_rounds(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    with pytest.raises(NotAllowed):
        rounds.create_round(coded_db, ada)
    rounds.create_round(coded_db, lead)
    with pytest.raises(ValidationError, match="still open"):
        rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 2, 1)
    assert [(a.patient, a.session, a.round) for a in rounds.assignments_for(coded_db, ada)] == [
        ("P01", 2, 1)
    ]
    with pytest.raises(NotFoundError, match="did you mean 'Ada'"):
        rounds.assign(coded_db, lead, "ada", "P01", 1, 1)  # never the wrong person by a typo
    assert len(rounds.assignments_for(coded_db, ada)) == 1


def test_lead_needs_the_lab_passphrase(coded_db: ProjectDatabase) -> None:
    with pytest.raises(AccessDenied):
        identity.sign_in(coded_db, "Lee")
    with pytest.raises(AccessDenied):
        identity.sign_in(coded_db, "Lee", "wrong passphrase")
    with pytest.raises(AccessDenied):
        identity.add_lead(coded_db, "Mo", "MO", "not the passphrase")
    identity.add_lead(coded_db, "Mo", "MO", PASSPHRASE)
    assert identity.sign_in(coded_db, "Mo", PASSPHRASE).is_lead
    with pytest.raises(AccessDenied):
        identity.set_lab_passphrase(coded_db, "a new passphrase", "bad")
    identity.set_lab_passphrase(coded_db, "a new passphrase", PASSPHRASE)
    assert identity.sign_in(coded_db, "Lee", "a new passphrase").is_lead


def test_passphrase_is_stored_salted(coded_db: ProjectDatabase) -> None:
    from coder.store.models import ProjectMeta

    with coded_db.reading() as s:
        meta = s.get(ProjectMeta, 1)
        assert meta is not None
        stored = meta.settings["lead_passphrase"]
    assert PASSPHRASE not in stored and stored.startswith("scrypt$")
    assert identity.hash_passphrase(PASSPHRASE) != identity.hash_passphrase(PASSPHRASE)


def test_consensus_rater_is_created_once(coded_db: ProjectDatabase) -> None:
    first = identity.consensus_coder(coded_db)
    assert identity.consensus_coder(coded_db) == first
    assert codes_service.export_codes is not None


def test_refused_first_lead_leaves_no_passphrase(db: ProjectDatabase) -> None:
    from coder.app import raters

    raters.add_rater(db, "Lee", "LP")
    with pytest.raises(ValidationError, match="already exists"):
        identity.add_lead(db, "lee", "LP", "a good passphrase")
    assert not identity.has_lab_passphrase(db)
    with pytest.raises(ValidationError, match="at least 8"):
        identity.add_lead(db, "Mo", "MO", "short")
    assert not identity.has_lab_passphrase(db)
