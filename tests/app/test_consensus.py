"""Consensus: disagreements settled into consensus codes linked to their decision (with
how it was reached), unsettled, agreements adopted, exported like any rater's."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from coder.app import codes, consensus, disagreements, identity, rounds
from coder.app.access import NotAllowed
from coder.domain.coding import Unit
from coder.domain.errors import ValidationError
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, ConsensusDecisionRow


@pytest.fixture
def demo_db(demo_db: ProjectDatabase) -> ProjectDatabase:
    """The demo project (tests/conftest.py) with a lead, Lee."""
    identity.add_lead(demo_db, "Lee", "LP", "lab passphrase")
    return demo_db


def lead(db: ProjectDatabase) -> identity.ActingRater:
    return identity.sign_in(db, "Lee", "lab passphrase")


def test_settle_stores_consensus_code_with_link_and_unsettle_reverts(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    the_lead = lead(demo_db)
    d = next(x for x in disagreements.find_disagreements(demo_db, the_lead) if x.item == "W_SIG")
    with pytest.raises(ValidationError):
        consensus.settle(demo_db, the_lead, d, 9)
    decision = consensus.settle(demo_db, the_lead, d, 3, memo="agreed in meeting")
    with demo_db.reading() as s:
        row = s.get(ConsensusDecisionRow, decision.id)
        assert row is not None and row.code_application_id is not None
        code = s.get(CodeApplicationRow, row.code_application_id)
        assert code is not None and (code.code_id, code.value, code.unit_index) == (
            "W_SIG",
            3,
            d.unit_index,
        )
        assert row.rater_values == d.values
    again = next(x for x in disagreements.find_disagreements(demo_db, the_lead) if x.key == d.key)
    assert again.settled and again.decided == 3
    assert not any(
        x.key == d.key
        for x in disagreements.find_disagreements(demo_db, the_lead, include_settled=False)
    )
    out = tmp_path / "consensus.csv"
    codes.export_codes(demo_db, out, ["Consensus"], coder=the_lead)
    exported = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["rater"], r["code"], r["value"]) for r in exported] == [("Consensus", "W_SIG", "3")]
    consensus.unsettle(demo_db, the_lead, d)
    assert codes.export_codes(demo_db, out, ["Consensus"], coder=the_lead) == 0


def test_presence_decisions_and_adopting_agreements(demo_db: ProjectDatabase) -> None:
    the_lead = lead(demo_db)
    d = next(
        x
        for x in disagreements.find_disagreements(demo_db, the_lead)
        if demo_db and x.unit is Unit.SEGMENT and x.item[0] in "WC" and x.item[1].isdigit()
    )
    consensus.settle(demo_db, the_lead, d, disagreements.ABSENT)
    with pytest.raises(ValidationError, match="presence code"):
        consensus.settle(demo_db, the_lead, d, 2)
    added = consensus.adopt_agreements(demo_db, the_lead)
    assert added > 100
    assert consensus.adopt_agreements(demo_db, the_lead) == 0  # idempotent


def test_open_disagreements_are_counted_per_patient_for_those_who_see_everyone(
    demo_db: ProjectDatabase,
) -> None:
    the_lead = lead(demo_db)
    found = disagreements.find_disagreements(demo_db, the_lead)
    p01 = [d for d in found if d.patient == "P01"]
    assert p01 and len(p01) < len(found)
    assert disagreements.open_disagreement_count(demo_db, the_lead, "P01") == len(p01)
    first = p01[0]
    consensus.settle(
        demo_db, the_lead, first, disagreements.ABSENT if first.item[1:].isdigit() else 3
    )
    assert disagreements.open_disagreement_count(demo_db, the_lead, "P01") == len(p01) - 1
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    # the demo blinds during rounds only: with no round, Ada sees everyone's codes too
    assert disagreements.open_disagreement_count(demo_db, ada, "P01") == len(p01) - 1
    rounds.create_round(demo_db, the_lead)
    with pytest.raises(NotAllowed, match="blinded"):
        disagreements.open_disagreement_count(demo_db, ada, "P01")


def test_a_machine_code_enters_the_consensus_only_when_the_lead_adopts_it(
    screen_db: ProjectDatabase, machine_codes: list[tuple[str, int, float]]
) -> None:
    """Machine codes are out of the disagreements unless named, never count towards an
    agreement, and a decision taking a machine's value records that it was adopted."""
    MACHINE = (
        "Machine · test"  # the machine rater the screen_db fixture (tests/app/conftest.py) makes
    )
    from screening_data import PASSPHRASE

    from coder.app.coding import CodingSession

    for name, own in (("Ada", "W2"), ("Ben", "W3")):
        cs = CodingSession(screen_db, identity.sign_in(screen_db, name), "P01", 1)
        cs.toggle_code(own, 1)
        cs.toggle_code("C2", 1)  # both agree on C2
    lee = identity.sign_in(screen_db, "Lee", PASSPHRASE)
    assert all(MACHINE not in d.values for d in disagreements.find_disagreements(screen_db, lee))
    named = ["Ada", "Ben", MACHINE]
    found = disagreements.find_disagreements(screen_db, lee, raters=named)
    w1 = next(d for d in found if d.item == "W1")
    assert w1.values == {"Ada": disagreements.ABSENT, "Ben": disagreements.ABSENT, MACHINE: 1}
    w2 = next(d for d in found if d.item == "W2")
    with pytest.raises(ValidationError, match="did not give"):
        consensus.settle(screen_db, lee, w2, disagreements.ABSENT, taken_from="Ada")
    consensus.settle(screen_db, lee, w1, 1, "the model was right", taken_from=MACHINE)
    consensus.settle(screen_db, lee, w2, 1, taken_from="Ada")
    w3 = next(d for d in found if d.item == "W3")
    consensus.settle(screen_db, lee, w3, disagreements.ABSENT)
    with screen_db.reading() as session:
        decided = {r.item: r.decided for r in session.scalars(select(ConsensusDecisionRow)).all()}
    assert decided["W1"] == {
        "value": 1,
        "how": consensus.ADOPTED_MACHINE,
        "from": MACHINE,
        "probability": 0.9,
    }
    assert decided["W2"] == {"value": 1, "how": consensus.TAKEN, "from": "Ada"}
    assert decided["W3"] == {"value": disagreements.ABSENT, "how": consensus.OWN}
    again = disagreements.find_disagreements(screen_db, lee, raters=named)
    assert next(d for d in again if d.item == "W1").how == consensus.ADOPTED_MACHINE
    # C2: Ada and Ben agree; the machine (which has no C2) neither blocks nor joins it.
    assert consensus.adopt_agreements(screen_db, lee, raters=named) == 1
