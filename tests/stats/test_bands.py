"""Interpretation bands and "how computed" notes."""

from __future__ import annotations

import pytest

from coder.stats.reliability import HOW_COMPUTED, TITLES, how_computed, interpret, interpret_all
from coder.stats.result import CICCHETTI, KOO_LI, KRIPPENDORFF, LANDIS_KOCH


@pytest.mark.parametrize(
    ("value", "label"),
    [(-0.1, "poor"), (0.0, "slight"), (0.2, "slight"), (0.21, "fair"), (0.4, "fair"),
     (0.41, "moderate"), (0.6, "moderate"), (0.61, "substantial"), (0.8, "substantial"),
     (0.81, "almost perfect"), (1.0, "almost perfect")],
)  # fmt: skip
def test_landis_koch(value: float, label: str) -> None:
    assert interpret("cohen_kappa", value) == (label, "Landis & Koch (1977)")
    assert LANDIS_KOCH.label(value) == label


@pytest.mark.parametrize(
    ("value", "koo_li", "cicchetti"),
    [(0.3, "poor", "poor"), (0.45, "poor", "fair"), (0.5, "moderate", "fair"),
     (0.62, "moderate", "good"), (0.75, "good", "excellent"), (0.9, "good", "excellent"),
     (0.91, "excellent", "excellent")],
)  # fmt: skip
def test_icc_bands(value: float, koo_li: str, cicchetti: str) -> None:
    assert interpret("ICC2", value) == (koo_li, "Koo & Li (2016)")
    assert interpret_all("ICC3k", value) == [
        (koo_li, "Koo & Li (2016)"),
        (cicchetti, "Cicchetti (1994)"),
    ]


@pytest.mark.parametrize(
    ("value", "label"),
    [(0.9, "reliable"), (0.8, "reliable"), (0.7999, "tentative conclusions only"),
     (0.667, "tentative conclusions only"), (0.6, "unreliable")],
)  # fmt: skip
def test_krippendorff_bands(value: float, label: str) -> None:
    assert interpret("krippendorff_alpha", value) == (label, "Krippendorff (2004)")
    assert interpret("krippendorff_alpha_ordinal", value)[0] == label


def test_unbanded_and_undefined() -> None:
    assert interpret("percent_agreement", 0.9)[0] == "no band"
    assert interpret("fleiss_kappa", None) == ("undefined", "")
    assert interpret_all("ICC1", None) == []
    with pytest.raises(ValueError):
        interpret("spearman", 0.5)


def test_every_scale_names_its_publication() -> None:
    for scale in (LANDIS_KOCH, KOO_LI, CICCHETTI, KRIPPENDORFF):
        assert scale.name.split("(")[1][:4] in scale.source


def test_every_method_has_a_how_computed_note_and_title() -> None:
    methods = [
        "percent_agreement", "cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic",
        "fleiss_kappa", "gwet_ac1", "pabak", "ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k",
        "krippendorff_alpha_nominal", "krippendorff_alpha_ordinal",
        "krippendorff_alpha_interval", "krippendorff_alpha_ratio",
    ]  # fmt: skip
    for method in methods:
        assert how_computed(method) == HOW_COMPUTED[method] and method in TITLES
    with pytest.raises(ValueError):
        how_computed("nope")


def test_bands_only_where_published_for_the_statistic() -> None:
    """Landis & Koch's bands were published for kappa; AC1, PABAK and plain shares get none."""
    assert interpret("cohen_kappa", 0.7) == ("substantial", "Landis & Koch (1977)")
    for stat in ("gwet_ac1", "pabak"):
        label, why = interpret(stat, 0.7)
        assert label == "no band" and "kappa" in why and "not chance-corrected" not in why
    assert interpret("percent_agreement", 0.9)[1].startswith("not chance-corrected")
