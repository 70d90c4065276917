"""Reference values from published worked examples, and hand calculations beside them."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from reliability_data import (
    COHEN_1960,
    FLEISS_COUNTS,
    KRIPPENDORFF_2011,
    SHROUT_FLEISS,
    from_confusion,
    from_counts,
)
from sklearn.metrics import cohen_kappa_score

from coder.stats.reliability import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    icc_all,
    krippendorff_alpha,
    pabak,
    percent_agreement,
)


# ---- Krippendorff (2011) -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("level", "printed"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_worked_example(level: str, printed: float) -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C (4
    observers x 12 units with missing values): the values printed there, to the 3 decimals
    printed. The ``krippendorff`` package (Castro 2017), the independent oracle, rounds to
    the same values: ``krippendorff.alpha(reliability_data=data.T, level_of_measurement=L)``."""
    stat = krippendorff_alpha(KRIPPENDORFF_2011, level)  # type: ignore[arg-type]
    assert stat.value is not None and round(stat.value, 3) == printed
    oracle = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011.T, level_of_measurement=level)
    assert round(float(oracle), 3) == printed
    assert stat.n_units == 11  # unit 12 has a single value: not pairable
    assert stat.n_raters == 4


def test_krippendorff_2011_nominal_by_hand() -> None:
    # The paper's coincidence matrix: n = 40 pairable values, diagonal 7, 10, 8, 4, 3
    # (sum 32), n_c = (9, 13, 10, 5, 3). alpha = 1 - (n-1)(n - sum o_cc) / (n^2 - sum n_c^2).
    n, diagonal, nc = 40, 32, np.array([9, 13, 10, 5, 3])
    expected = 1 - (n - 1) * (n - diagonal) / (n**2 - (nc**2).sum())
    assert expected == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(KRIPPENDORFF_2011, "nominal").value == pytest.approx(expected)


def test_alpha_with_explicit_value_domain_is_unchanged() -> None:
    """An unused category (6) changes neither the frequency-based ordinal metric nor the
    value; the oracle is the ``krippendorff`` package given the same value domain."""
    domain = [1, 2, 3, 4, 5, 6]
    with_domain = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", categories=domain)
    oracle = krippendorff.alpha(
        reliability_data=KRIPPENDORFF_2011.T, value_domain=domain, level_of_measurement="ordinal"
    )
    assert with_domain.value == pytest.approx(float(oracle), abs=1e-12)
    assert with_domain.value == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal").value, abs=1e-12
    )


# ---- Fleiss (1971) ------------------------------------------------------------------------
def test_fleiss_1971_wikipedia_example() -> None:
    matrix = from_counts(FLEISS_COUNTS)
    assert matrix.shape == (10, 14)
    stat = fleiss_kappa(matrix)
    # Hand calculation: P-bar = 0.378, P-bar_e = 0.213 (printed), kappa = 0.210.
    pj = FLEISS_COUNTS.sum(axis=0) / FLEISS_COUNTS.sum()
    pi = ((FLEISS_COUNTS * (FLEISS_COUNTS - 1)).sum(axis=1) / (14 * 13)).mean()
    assert round(pi, 3) == 0.378 and round((pj**2).sum(), 3) == 0.213
    assert stat.value is not None and round(stat.value, 3) == 0.210
    assert stat.value == pytest.approx((pi - (pj**2).sum()) / (1 - (pj**2).sum()))
    assert stat.n_units == 10 and stat.n_raters == 14


def test_fleiss_with_unequal_ratings_follows_gwet() -> None:
    # Gwet (2014): p_a over units with >= 2 ratings; pi_k averages r_ik / r_i over units
    # with >= 1 rating (so unit 4, rated once, counts in pi but not in p_a).
    m = np.array([[1, 1, 2], [1, 2, np.nan], [2, 2, 2], [1, np.nan, np.nan]])
    pa = np.mean([2 / 6, 0 / 2, 6 / 6])
    pi1 = np.mean([2 / 3, 1 / 2, 0, 1])
    pe = pi1**2 + (1 - pi1) ** 2
    assert fleiss_kappa(m).value == pytest.approx((pa - pe) / (1 - pe))
    assert percent_agreement(m).value == pytest.approx(pa)
    assert fleiss_kappa(m).n_units == 3


# ---- Cohen (1960) ---------------------------------------------------------------------------
def test_cohen_1960_table_1() -> None:
    matrix = from_confusion(COHEN_1960)
    stat = cohen_kappa(matrix)
    # Printed: p_o = .70, p_c = .41, kappa = .49.
    assert percent_agreement(matrix).value == pytest.approx(0.70)
    assert stat.value == pytest.approx((0.70 - 0.41) / (1 - 0.41))
    assert stat.value is not None and round(stat.value, 2) == 0.49
    assert stat.n_units == 200


def test_weighted_kappa_on_cohen_1960_by_hand() -> None:
    matrix = from_confusion(COHEN_1960)
    # Row marginals .60 .30 .10, column marginals .50 .30 .20.
    # Linear: observed disagreement .20*1 + .10*2 = .40; expected .42*1 + .17*2 = .76.
    # Quadratic: observed .20*1 + .10*4 = .60; expected .42 + .17*4 = 1.10.
    assert cohen_kappa(matrix, weights="linear").value == pytest.approx(1 - 0.40 / 0.76)
    assert cohen_kappa(matrix, weights="quadratic").value == pytest.approx(1 - 0.60 / 1.10)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_matches_scikit_learn(weights: str | None) -> None:
    """Oracle: ``sklearn.metrics.cohen_kappa_score(a, b, weights=weights)``, an
    implementation independent of ours, on Cohen's (1960) table and the paradox table."""
    for table in (COHEN_1960, np.array([[0, 2], [5, 118]]), np.array([[20, 5], [10, 15]])):
        matrix = from_confusion(table)
        oracle = cohen_kappa_score(matrix[:, 0], matrix[:, 1], weights=weights)
        ours = cohen_kappa(matrix, weights=weights)  # type: ignore[arg-type]
        assert ours.value == pytest.approx(oracle, abs=1e-12)


def test_wikipedia_two_by_two_example() -> None:
    # Wikipedia "Cohen's kappa": 50 proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    matrix = from_confusion(np.array([[20, 5], [10, 15]]))
    assert cohen_kappa(matrix).value == pytest.approx(0.4)
    assert pabak(matrix).value == pytest.approx(2 * 0.7 - 1)


def test_gwet_ac1_by_hand_on_cohen_1960() -> None:
    # pi_k = mean of both raters' marginals = (.55, .30, .15);
    # p_e = sum pi(1 - pi) / (q - 1) = .585 / 2; AC1 = (.70 - .2925) / (1 - .2925).
    matrix = from_confusion(COHEN_1960)
    assert gwet_ac1(matrix).value == pytest.approx((0.70 - 0.2925) / (1 - 0.2925))
    assert pabak(matrix).value == pytest.approx((0.70 - 1 / 3) / (1 - 1 / 3))


def test_kappa_paradox_high_agreement_low_kappa() -> None:
    # Feinstein & Cicchetti's paradox (as in Gwet 2008): 118 +/+, 5 +/-, 2 -/+, 0 -/-.
    matrix = from_confusion(np.array([[0, 2], [5, 118]]))
    assert percent_agreement(matrix).value == pytest.approx(118 / 125)
    kappa = cohen_kappa(matrix).value
    pe = 0.984 * 0.96 + 0.016 * 0.04
    assert kappa == pytest.approx((0.944 - pe) / (1 - pe))
    assert kappa is not None and round(kappa, 4) == -0.0234  # the line above, to 4 d.p.
    pi = (0.984 + 0.96) / 2
    assert gwet_ac1(matrix).value == pytest.approx(
        (0.944 - 2 * pi * (1 - pi)) / (1 - 2 * pi * (1 - pi))
    )
    assert pabak(matrix).value == pytest.approx(2 * 0.944 - 1)


# ---- Shrout & Fleiss (1979) -------------------------------------------------------------------
PRINTED = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}
# R psych::ICC(sf) on the same data (help page example), bounds as printed there.
PSYCH_CI = {
    "ICC1": (-0.133, 0.72),
    "ICC2": (0.019, 0.76),
    "ICC3": (0.342, 0.95),
    "ICC1k": (-0.884, 0.91),
    "ICC2k": (0.071, 0.93),
    "ICC3k": (0.676, 0.99),
}


def test_shrout_fleiss_table_2_values() -> None:
    result = icc_all(SHROUT_FLEISS)
    for form, printed in PRINTED.items():
        value = result[form].value  # type: ignore[index]
        assert value is not None and round(value, 2) == printed, form
        assert result[form].n_units == 6 and result[form].n_raters == 4  # type: ignore[index]


def test_shrout_fleiss_confidence_intervals() -> None:
    result = icc_all(SHROUT_FLEISS)
    for form, (low, high) in PSYCH_CI.items():
        ci = result[form].ci95  # type: ignore[index]
        assert ci is not None
        digits_low = len(str(low).split(".")[1])
        digits_high = len(str(high).split(".")[1])
        assert round(ci[0], digits_low) == low, form
        assert round(ci[1], digits_high) == high, form


def test_shrout_fleiss_icc1_ci_by_hand() -> None:
    # Shrout & Fleiss eq. for ICC(1,1): F = BMS/WMS with (n-1, n(k-1)) df. The mean
    # squares by the one-way ANOVA definitions, checked against Table 2's printed
    # BMS 11.24 and WMS 6.26.
    from scipy import stats

    n, k = SHROUT_FLEISS.shape
    target_means = SHROUT_FLEISS.mean(axis=1)
    bms = k * ((target_means - SHROUT_FLEISS.mean()) ** 2).sum() / (n - 1)
    wms = ((SHROUT_FLEISS - target_means[:, None]) ** 2).sum() / (n * (k - 1))
    assert (round(bms, 2), round(wms, 2)) == (11.24, 6.26)
    f_obs = bms / wms
    fl = f_obs / stats.f.ppf(0.975, n - 1, n * (k - 1))
    fu = f_obs * stats.f.ppf(0.975, n * (k - 1), n - 1)
    ci = icc_all(SHROUT_FLEISS)["ICC1"].ci95
    assert ci == pytest.approx(((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1)), rel=1e-6)


def test_generalised_fleiss_can_fall_below_minus_one_with_missing_ratings() -> None:
    # p_a = 0 (units 2-4 disagree); the single-rated unit 1 pulls pi_1 to .625:
    # p_e = .625^2 + .375^2 = .53125, kappa = -.53125 / .46875 = -1.1333 (Gwet 2014 formula).
    m = np.array([[np.nan, 1], [1, 2], [1, 2], [1, 2]])
    assert fleiss_kappa(m).value == pytest.approx(-0.53125 / 0.46875)
