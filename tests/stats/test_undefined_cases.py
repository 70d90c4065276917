"""Undefined cases give value None and a note saying why: never a crash, never a silent 1.0."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from coder.stats.reliability import (
    LEVELS,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    icc,
    icc_all,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    reliability_report,
)

nan = np.nan
ALL_ZERO = np.zeros((20, 2))
CATEGORY_STATS = [percent_agreement, cohen_kappa, fleiss_kappa, gwet_ac1, pabak]


def test_one_category_only_is_undefined_for_chance_corrected_statistics() -> None:
    for stat in (cohen_kappa(ALL_ZERO), fleiss_kappa(ALL_ZERO)):
        assert stat.value is None and stat.note and "only one category (0)" in stat.note
    for level in LEVELS:
        stat = krippendorff_alpha(ALL_ZERO, level)
        assert stat.value is None and stat.note and "only one category" in stat.note
    for weights in ("linear", "quadratic"):
        stat = cohen_kappa(ALL_ZERO, weights=weights)  # type: ignore[arg-type]
        assert stat.value is None and stat.note


def test_one_category_without_the_category_list_leaves_q_unknown() -> None:
    for fn in (gwet_ac1, pabak):
        stat = fn(ALL_ZERO)
        assert stat.value is None and stat.note and "at least two categories" in stat.note


def test_one_category_with_the_category_list_is_defined_but_says_so() -> None:
    # AC1 and PABAK are defined when q is known; 1.0 is then not silent.
    for fn in (gwet_ac1, pabak):
        stat = fn(ALL_ZERO, categories=[0, 1])
        assert stat.value == pytest.approx(1.0)
        assert stat.note and "only one category (0)" in stat.note
    agreement = percent_agreement(ALL_ZERO)
    assert agreement.value == 1.0 and agreement.note and "trivial" in agreement.note


@pytest.mark.parametrize("fn", CATEGORY_STATS)
def test_fewer_than_two_raters(fn: object) -> None:
    stat = fn(np.array([[1.0], [0.0], [1.0]]))  # type: ignore[operator]
    assert stat.value is None and stat.note
    assert "two raters" in stat.note


@pytest.mark.parametrize("fn", CATEGORY_STATS)
def test_fewer_than_two_units_with_two_ratings(fn: object) -> None:
    m = np.array([[1, 0], [1, nan], [nan, 0], [nan, nan]])
    stat = fn(m)  # type: ignore[operator]
    assert stat.value is None and stat.note and "at least 2 units" in stat.note


def test_cohen_needs_exactly_two_raters() -> None:
    m = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 1]], dtype=float)
    for weights in (None, "linear", "quadratic"):
        stat = cohen_kappa(m, weights=weights)  # type: ignore[arg-type]
        assert stat.value is None and stat.note and "exactly two raters" in stat.note
        assert stat.n_raters == 3


def test_cohen_drops_units_with_a_missing_rating_and_says_so() -> None:
    m = np.array([[1, 1], [0, 0], [1, 0], [0, 1], [1, nan], [nan, nan]])
    stat = cohen_kappa(m)
    assert stat.value == pytest.approx(0.0)
    assert stat.n_units == 4
    assert stat.note == "1 unit(s) rated by only one rater left out"


def test_empty_and_all_missing_matrices() -> None:
    for m in (np.zeros((0, 2)), np.full((5, 3), nan)):
        for fn in CATEGORY_STATS:
            assert fn(m).value is None
        for level in LEVELS:
            assert krippendorff_alpha(m, level).value is None
        assert all(s.value is None and s.note for s in icc_all(m).values())


def test_icc_no_variance_and_missing_rows() -> None:
    flat = np.full((5, 3), 4.0)
    assert all(
        s.value is None and s.note and "no variance" in s.note for s in icc_all(flat).values()
    )
    m = np.array([[1, 2], [3, 3], [4, 5], [2, nan], [5, 5]])
    stat = icc(m, "ICC2")
    assert stat.value is not None and stat.n_units == 4
    assert stat.note and "1 unit(s) with a missing rating dropped" in stat.note
    assert icc(m[:, :1], "ICC1").note == "needs at least two raters (this table has 1)"
    assert icc(np.array([[1, 2], [nan, 3]]), "ICC3").value is None


def test_icc_perfect_agreement_is_one_without_a_ci() -> None:
    m = np.array([[1, 1], [2, 2], [4, 4]], dtype=float)
    result = icc_all(m)
    assert all(s.value == pytest.approx(1.0) for s in result.values())


def test_report_marks_what_does_not_apply_to_nominal_data() -> None:
    m = np.array([[1, 1], [0, 0], [1, 0], [0, 0]], dtype=float)
    report = reliability_report(m, "nominal", bootstrap=0)
    assert report.stats["weighted_kappa_linear"].value is None
    assert "nominal" in (report.stats["weighted_kappa_quadratic"].note or "")
    assert all(s.value is None and "nominal" in (s.note or "") for s in report.icc.values())
    # p_o = 3/4; the raters code 1 in 1/2 and 1/4 of units: p_e = .5 x .25 + .5 x .75 = .5
    assert report.stats["cohen_kappa"].value == pytest.approx((0.75 - 0.5) / (1 - 0.5))


def test_dataframes_are_accepted() -> None:
    frame = pd.DataFrame({"A": [1, 0, 1, 0], "B": [1, 0, 0, 0]})
    assert cohen_kappa(frame).value == cohen_kappa(frame.to_numpy(float)).value


def test_bad_input_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not among the categories"):
        fleiss_kappa(np.array([[1, 2], [2, 2]]), categories=[1])
    with pytest.raises(ValueError, match="units x raters"):
        fleiss_kappa(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="finite"):
        fleiss_kappa(np.array([[1, np.inf], [2, 2]]))
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa(np.zeros((2, 2)), weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(np.zeros((2, 2)), "binary")  # type: ignore[arg-type]


def test_ordinal_report_notes_which_statistics_ignore_order() -> None:
    m = np.array([[1, 1], [2, 2], [3, 2], [1, 2], [3, 3]], dtype=float)
    report = reliability_report(m, "ordinal", bootstrap=0)
    assert report.stats["cohen_kappa"].note == "values treated as unordered categories"
    assert report.stats["weighted_kappa_quadratic"].note is None
    assert report.stats["krippendorff_alpha"].note is None
    assert report.icc["ICC2"].value is not None


def test_icc2_with_no_positive_variance_estimate_is_undefined() -> None:
    # MSR = MSC = 0 and MSE = 1: the ICC(2,k) formula would give 2.0, a meaningless value.
    result = icc_all(np.array([[1, 2], [2, 1]], dtype=float))
    for form in ("ICC2", "ICC2k"):
        assert result[form].value is None
        assert "no positive total variance" in (result[form].note or "")
    assert result["ICC1"].value == pytest.approx(-1.0)


# ---- issue 10, part 5: found by an outside cross-check -------------------------------------
SWAPPED = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=float)
"""Two raters who swap presence codes: MSR = MSC = 0, MSE > 0."""


def test_swapped_codes_give_icc_values_and_notes_instead_of_a_division_by_zero() -> None:
    # Before the fix Satterthwaite's df was 0.0 / 0.0 in Python floats: ZeroDivisionError.
    result = icc_all(SWAPPED)
    assert result["ICC1"].value == pytest.approx(-1.0)
    assert result["ICC3"].value == pytest.approx(-1.0)
    # ICC(A,1) = -MSE / (MSE + 2 (0 - MSE) / 4) = -2 (psych::ICC gives the same value)
    assert result["ICC2"].value == pytest.approx(-2.0)
    assert result["ICC2"].ci95 is None
    assert "Satterthwaite" in (result["ICC2"].note or "")


def test_undefined_mean_of_k_raters_names_msr_as_the_cause() -> None:
    result = icc_all(SWAPPED)
    for form in ("ICC1k", "ICC3k"):
        note = result[form].note or ""
        assert result[form].value is None
        assert "between-unit mean square MSR is 0" in note
        assert "MSC < MSE" not in note  # the old note blamed the raters' variance


@pytest.mark.parametrize("level", ["ordinal", "interval", "ratio"])
def test_one_failing_statistic_does_not_take_the_report_down(level: str) -> None:
    report = reliability_report(SWAPPED, level, bootstrap=50)  # type: ignore[arg-type]
    assert report.stats["krippendorff_alpha"].value is not None
    assert report.icc["ICC2"].value == pytest.approx(-2.0)


def test_a_statistic_that_raises_becomes_null_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coder.stats import reliability as module

    def broken(matrix: object) -> object:
        raise ZeroDivisionError("float division by zero")

    original = module.evaluate

    def evaluate(measure: object, units: object) -> object:
        if getattr(measure, "method", "") == "fleiss_kappa":
            raise FloatingPointError("overflow")
        return original(measure, units)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "icc_all", broken)
    monkeypatch.setattr(module, "evaluate", evaluate)
    m = np.array([[1, 2], [3, 3], [4, 5], [2, 2], [5, 5]], dtype=float)
    report = reliability_report(m, "interval", bootstrap=20)
    assert all(s.value is None for s in report.icc.values())
    assert "ZeroDivisionError" in (report.icc["ICC2"].note or "")
    fleiss = report.stats["fleiss_kappa"]
    assert fleiss.value is None and "FloatingPointError" in (fleiss.note or "")
    assert report.stats["krippendorff_alpha"].value is not None
    assert report.stats["cohen_kappa"].ci95 is not None


def test_a_failing_bootstrap_kernel_leaves_only_its_own_ci_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coder.stats import agreement
    from coder.stats.bootstrap import bootstrap_kernels
    from coder.stats.units import compress

    def kernel(units: object, w: object) -> object:
        raise ZeroDivisionError("boom")

    bad = replace(agreement.FLEISS, kernel=kernel)
    units = compress(np.array([[1, 0], [0, 0], [1, 1], [0, 0], [1, 0]], dtype=float), None)
    good, failed = bootstrap_kernels(units, [agreement.AC1, bad], 30, seed=1)
    assert good.ci95 is not None and good.note is None
    assert failed.ci95 is None and "ZeroDivisionError" in (failed.note or "")


def test_no_error_variance_says_why_there_is_no_ci() -> None:
    # Rater B always scores one point above A: MSE = 0, ICC(3,1) = 1, no F-based CI.
    m = np.array([[1, 2], [2, 3], [4, 5], [3, 4]], dtype=float)
    result = icc_all(m)
    for form in ("ICC3", "ICC3k"):
        assert result[form].value == pytest.approx(1.0)
        assert result[form].ci95 is None
        assert "residual mean square MSE is 0" in (result[form].note or "")


def test_fleiss_generalisation_can_fall_well_below_minus_one() -> None:
    # Two units on which the two raters disagree, three rated once (all 1): p_a = 0,
    # pi = (0.2, 0.8), p_e = 0.68, kappa = -0.68 / 0.32 = -2.125 (docs/reliability.md).
    m = np.array([[0, 1], [0, 1], [1, nan], [1, nan], [1, nan]])
    assert fleiss_kappa(m).value == pytest.approx(-2.125)
    # With complete data it cannot fall below -1.
    assert fleiss_kappa(m[:2]).value == pytest.approx(-1.0)
