"""Signing in means something: exact names, per-rater PINs, the require-sign-in setting,
and nobody signs in as the consensus pseudo-rater."""

from __future__ import annotations

import pytest

from coder.app import identity, raters
from coder.app.identity import AccessDenied, ActingRater, SignInNeed
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import RaterRow

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture


def stored_hash(db: ProjectDatabase, name: str) -> str | None:
    with db.reading() as session:
        row = session.query(RaterRow).filter_by(name=name).one()
        return row.passphrase_hash


# ---- exact names ---------------------------------------------------------------------
def test_sign_in_matches_the_name_exactly(coded_db: ProjectDatabase) -> None:
    assert identity.sign_in(coded_db, "  Ada ").name == "Ada"  # surrounding spaces trimmed
    for spelling in ("ada", "ADA", "Ad a"):
        with pytest.raises(NotFoundError, match="no rater named"):
            identity.sign_in(coded_db, spelling)
    with pytest.raises(NotFoundError, match="did you mean 'Ada'"):
        identity.sign_in(coded_db, "ada")
    with pytest.raises(NotFoundError, match="did you mean 'Lee'"):
        identity.sign_in(coded_db, "lee", PASSPHRASE)


def test_names_differing_only_in_case_stay_refused(coded_db: ProjectDatabase) -> None:
    with pytest.raises(ValidationError, match="'Ada' already exists"):
        raters.add_rater(coded_db, "ADA", "AX")
    with pytest.raises(ValidationError, match="'Lee' already exists"):
        identity.add_lead(coded_db, "LEE", "LX", PASSPHRASE)


def test_consensus_is_reserved_and_nobody_signs_in_as_it(coded_db: ProjectDatabase) -> None:
    with pytest.raises(ValidationError, match="reserved"):
        raters.add_rater(coded_db, "consensus", "CO")  # before the pseudo-rater exists
    identity.consensus_coder(coded_db)
    with pytest.raises(AccessDenied, match="nobody's identity"):
        identity.sign_in(coded_db, "Consensus")
    with pytest.raises(AccessDenied, match="nobody's identity"):
        identity.sign_in_need(coded_db, "Consensus")
    with pytest.raises(ValidationError, match="reserved"):
        identity.add_lead(coded_db, "Consensus", "CO", PASSPHRASE)
    with pytest.raises(AccessDenied, match="nobody's identity"):
        identity.set_rater_secret(coded_db, None, "Consensus", "1234")


# ---- PINs ----------------------------------------------------------------------------
def test_a_rater_sets_a_pin_and_then_needs_it(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    assert identity.sign_in_need(coded_db, "Ada") is SignInNeed.NOTHING
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    assert identity.sign_in_need(coded_db, "Ada") is SignInNeed.PIN
    with pytest.raises(AccessDenied, match="Ada signs in with a PIN"):
        identity.sign_in(coded_db, "Ada")
    with pytest.raises(AccessDenied, match="wrong PIN for Ada"):
        identity.sign_in(coded_db, "Ada", "1357")
    assert identity.sign_in(coded_db, "Ada", "2468") == ada
    assert identity.sign_in(coded_db, "Ben").name == "Ben"  # Ben has none, needs none


def test_pin_is_hashed_like_the_lab_passphrase(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    stored = stored_hash(coded_db, "Ada")
    assert stored is not None and stored.startswith("scrypt$") and "2468" not in stored
    assert identity.verify_passphrase("2468", stored)
    identity.set_rater_secret(coded_db, ada, "Ada", "8642", current="2468")
    assert stored_hash(coded_db, "Ada") != stored  # a new salt each time


def test_changing_your_own_pin_needs_the_current_one(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    with pytest.raises(AccessDenied, match="give the current one"):
        identity.set_rater_secret(coded_db, ada, "Ada", "9999")
    with pytest.raises(AccessDenied, match="current PIN for Ada is wrong"):
        identity.set_rater_secret(coded_db, ada, "Ada", "9999", current="0000")
    with pytest.raises(AccessDenied, match="give the current one"):
        identity.set_rater_secret(coded_db, None, "Ada", "9999")  # not signed in: same rule
    identity.set_rater_secret(coded_db, None, "Ada", "9999", current="2468")
    assert identity.sign_in(coded_db, "Ada", "9999").name == "Ada"


def test_a_lead_sets_or_resets_anyones_pin(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    identity.set_rater_secret(coded_db, lead, "Ada", "forgotten-no-more")  # no current needed
    assert identity.sign_in(coded_db, "Ada", "forgotten-no-more").name == "Ada"
    identity.set_rater_secret(coded_db, lead, "Ben", "1111")
    assert identity.sign_in_need(coded_db, "Ben") is SignInNeed.PIN


def test_a_rater_cannot_set_someone_elses_pin(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater
) -> None:
    with pytest.raises(AccessDenied, match="only Ben or a lead can set Ben's PIN"):
        identity.set_rater_secret(coded_db, ada, "Ben", "1234")
    forged = ActingRater(ada.rater_id, ada.name, ada.initials, RaterRole.LEAD)
    with pytest.raises(AccessDenied, match="only Ben or a lead"):
        identity.set_rater_secret(coded_db, forged, "Ben", "1234")  # the project decides
    assert stored_hash(coded_db, "Ben") is None


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("", "at least 4 characters"),
        ("123", "at least 4 characters"),
        (" 1234", "must not start or end with a space"),
    ],
)
def test_bad_pins_are_refused_with_the_reason(
    coded_db: ProjectDatabase, ada: ActingRater, pin: str, problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        identity.set_rater_secret(coded_db, ada, "Ada", pin)
    assert stored_hash(coded_db, "Ada") is None


def test_leads_keep_the_lab_passphrase_not_a_pin(
    coded_db: ProjectDatabase, lead: ActingRater
) -> None:
    with pytest.raises(ValidationError, match="leads sign in with the lab passphrase"):
        identity.set_rater_secret(coded_db, lead, "Lee", "1234")
    assert identity.sign_in_need(coded_db, "Lee") is SignInNeed.LAB_PASSPHRASE
    with pytest.raises(AccessDenied, match="wrong lab passphrase"):
        identity.sign_in(coded_db, "Lee", "1234")


def test_set_pin_for_an_unknown_name_says_so(coded_db: ProjectDatabase, lead: ActingRater) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Ada'"):
        identity.set_rater_secret(coded_db, lead, "ada", "1234")


# ---- require sign-in -------------------------------------------------------------------
def test_only_a_lead_requires_sign_in(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    assert identity.require_rater_sign_in(coded_db) is False
    with pytest.raises(AccessDenied, match="only a lead"):
        identity.set_require_rater_sign_in(coded_db, ada, True)
    assert identity.require_rater_sign_in(coded_db) is False


def test_required_sign_in_needs_a_pin_first(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    assert identity.set_require_rater_sign_in(coded_db, lead, True) == ["Ben"]
    assert identity.require_rater_sign_in(coded_db) is True
    assert identity.sign_in_need(coded_db, "Ben") is SignInNeed.NEW_PIN
    with pytest.raises(AccessDenied, match="requires every rater") as refused:
        identity.sign_in(coded_db, "Ben")
    assert "coder raters set-pin Ben" in str(refused.value)
    assert "sign-in dialog" in str(refused.value)
    identity.set_rater_secret(coded_db, None, "Ben", "1357")  # the first PIN, not signed in
    assert identity.sign_in(coded_db, "Ben", "1357").name == "Ben"
    assert identity.sign_in(coded_db, "Ada", "2468").name == "Ada"
    assert identity.sign_in(coded_db, "Lee", PASSPHRASE).is_lead

    assert identity.set_require_rater_sign_in(coded_db, lead, False) == []
    raters.add_rater(coded_db, "Cy", "CY")
    assert identity.sign_in(coded_db, "Cy").name == "Cy"
    with pytest.raises(AccessDenied, match="Ben signs in with a PIN"):
        identity.sign_in(coded_db, "Ben")  # a PIN once set is still needed
