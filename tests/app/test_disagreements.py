"""Disagreements: found from the stored codes (the sample codes table says where the
raters differ), shown to leads only."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from coder.app import disagreements, identity
from coder.app.access import NotAllowed
from coder.domain.coding import Unit
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_db(demo_db: ProjectDatabase) -> ProjectDatabase:
    """The demo project (tests/conftest.py) with a lead, Lee."""
    identity.add_lead(demo_db, "Lee", "LP", "lab passphrase")
    return demo_db


def lead(db: ProjectDatabase) -> identity.ActingRater:
    return identity.sign_in(db, "Lee", "lab passphrase")


def test_disagreements_match_the_codes_csv(demo_db: ProjectDatabase) -> None:
    found = disagreements.find_disagreements(demo_db, lead(demo_db))
    rows = [
        r
        for r in csv.DictReader((REPO / "sample_transcripts" / "codes.csv").open(encoding="utf-8"))
        if r["scheme"] in ("", "3rs-2015") and r["value"] != "0"
    ]
    w_sig: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in rows:
        if r["code"] == "W_SIG":
            w_sig.setdefault((r["patient"], r["session"], r["unit_index"]), {})[r["rater"]] = r[
                "value"
            ]
    expected = {k for k, v in w_sig.items() if len(set(v.values())) > 1}
    got = {(d.patient, str(d.session), str(d.unit_index)) for d in found if d.item == "W_SIG"}
    assert got == expected and expected
    presence = next(
        d for d in found if d.unit is Unit.SEGMENT and d.item.startswith("W") and d.item != "W_SIG"
    )
    assert set(presence.values.values()) == {1, disagreements.ABSENT}
    assert presence.first_turn is not None and presence.last_turn is not None


def test_only_leads_review(demo_db: ProjectDatabase) -> None:
    with pytest.raises(NotAllowed):
        disagreements.find_disagreements(demo_db, identity.sign_in(demo_db, "Ada Lovelace"))
