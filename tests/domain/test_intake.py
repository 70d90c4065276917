"""Intake measures: scoring keys, range checks with clear messages, derived scores."""

from __future__ import annotations

import re
from datetime import date

import pytest

from coder.domain.errors import ValidationError
from coder.domain.intake import (
    IIP,
    IIP_KEYS,
    OCTANTS,
    PD_CRITERIA,
    SUIPI,
    IIPNorms,
    IIPVersion,
    Intake,
    PDInterview,
    RelationalNote,
)


@pytest.mark.parametrize(("version", "n_items"), [("IIP-64", 64), ("IIP-32", 32), ("IIP-SC", 32)])
def test_scoring_keys_cover_every_item_once(version: str, n_items: int) -> None:
    key = IIP_KEYS[IIPVersion(version)]
    assert list(key) == list(OCTANTS)
    numbers = sorted(n for items in key.values() for n in items)
    assert numbers == list(range(1, n_items + 1))
    assert len({len(items) for items in key.values()}) == 1  # equal octant lengths


def test_iip_sc_is_interleaved() -> None:
    assert IIP_KEYS[IIPVersion.IIP_SC]["PA"] == (1, 9, 17, 25)
    assert IIP_KEYS[IIPVersion.IIP_SC]["NO"] == (8, 16, 24, 32)


def test_items_are_scored_into_octant_means() -> None:
    items = {n: 0 for n in range(1, 33)}
    for n in IIP_KEYS[IIPVersion.IIP_32]["HI"]:  # 4, 6, 7, 12
        items[n] = 3
    items[22] = 4  # one PA item: PA = (4 + 0 + 0 + 0) / 4
    iip = IIP.from_items(IIPVersion.IIP_32, items)
    assert iip.octants["HI"] == 3.0 and iip.octants["PA"] == 1.0 and iip.octants["LM"] == 0.0
    assert iip.version is IIPVersion.IIP_32 and iip.items[22] == 4


def test_missing_items_up_to_half_an_octant() -> None:
    items = {n: 2 for n in range(1, 33)}
    del items[22], items[25]  # half of PA missing: still scored from 28 and 30
    assert IIP.from_items(IIPVersion.IIP_32, items).octants["PA"] == 2.0
    del items[28]
    with pytest.raises(ValidationError, match="octant PA: only 1 of items 22, 25, 28, 30"):
        IIP.from_items(IIPVersion.IIP_32, items)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ({1: 5}, "IIP-64 item 1: 5 is outside the allowed range 0–4"),
        ({1: -1}, "IIP-64 item 1: -1 is outside the allowed range 0–4"),
        ({65: 1}, "IIP-64 item 65: no such item (allowed 1–64)"),
        ({1: "3"}, "IIP-64 item 1: '3' is not a number"),
    ],
)
def test_iip_item_range(items: dict[int, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        IIP.from_items(IIPVersion.IIP_64, items)  # type: ignore[arg-type]


def test_iip_octants_entered_directly() -> None:
    iip = IIP.from_octants(IIPVersion.IIP_64, dict.fromkeys(OCTANTS, 1.25))
    assert iip.octants["NO"] == 1.25 and not iip.items
    with pytest.raises(ValidationError, match=r"IIP octant DE: 4\.5 is outside the allowed range"):
        IIP.from_octants(IIPVersion.IIP_64, {**dict.fromkeys(OCTANTS, 1.0), "DE": 4.5})
    with pytest.raises(ValidationError, match="missing NO"):
        IIP.from_octants(IIPVersion.IIP_64, {o: 1.0 for o in OCTANTS if o != "NO"})


def test_norms_need_positive_sds() -> None:
    with pytest.raises(ValidationError, match="IIP norm SD PA: must be greater than 0"):
        IIPNorms(dict.fromkeys(OCTANTS, 1.0), {**dict.fromkeys(OCTANTS, 0.5), "PA": 0.0})


def test_suip_i_total_mean_and_range() -> None:
    suip = SUIPI((3, 4, 5, 2, 3, 4))
    assert suip.total == 21 and suip.mean == 3.5
    assert suip.labels == tuple(f"Level {i}" for i in range(1, 7))
    partial = SUIPI((3, None, 5, None, None, None))
    assert partial.total is None and partial.mean == 4.0
    with pytest.raises(ValidationError, match="SUIP-I Level 2: 6 is outside the allowed range 1–5"):
        SUIPI((3, 6, 5, 2, 3, 4))
    custom = SUIPI((0, 6, 7, 1, 2, 3), scale_min=0, scale_max=7, labels=tuple("abcdef"))
    assert custom.total == 19
    with pytest.raises(ValidationError, match="six"):
        SUIPI((1, 2, 3))


def test_pd_interview_counts_and_thresholds() -> None:
    # Borderline: 9 criteria, threshold 5. Ratings ≥ 2 count: five of them here.
    pd = PDInterview({"borderline": [2, 3, 2, 2, 2, 1, 0, 1, 0], "avoidant": [1] * 7})
    results = {r.disorder: r for r in pd.results()}
    bpd = results["borderline"]
    assert (bpd.dimensional, bpd.criteria_met, bpd.threshold, bpd.meets_threshold) == (
        13, 5, 5, True,
    )  # fmt: skip
    assert bpd.ratio == 1.0
    assert results["avoidant"].criteria_met == 0 and not results["avoidant"].meets_threshold
    assert pd.instrument == "SIDP-IV"


def test_dsm_counts_and_thresholds_are_shipped() -> None:
    assert PD_CRITERIA["antisocial"] == (7, 3)
    assert PD_CRITERIA["obsessive_compulsive"] == (8, 4)
    assert sum(n for n, _ in PD_CRITERIA.values()) == 79  # DSM-IV/5 section II total


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        (
            {"borderline": [4] + [0] * 8},
            "borderline criterion 1: 4 is outside the allowed range 0–3",
        ),
        ({"borderline": [0] * 8}, "8 ratings given, the disorder has 9 criteria"),
        ({"depressive": [0] * 7}, "unknown disorder 'depressive'"),
    ],
)
def test_pd_interview_validation(ratings: dict[str, list[int]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PDInterview(ratings, instrument="SCID-5-PD")


def test_intake_aggregate_and_notes() -> None:
    note = RelationalNote(date(2026, 3, 2), "Fell out with her sister over the wedding plans.")
    intake = Intake("P02", suip=SUIPI((3, 3, 3, 3, 3, 3)), notes=(note,))
    assert intake.iip is None and intake.pd is None and intake.notes[0].when.year == 2026
    with pytest.raises(ValidationError, match="empty"):
        RelationalNote(date(2026, 3, 2), "   ")
