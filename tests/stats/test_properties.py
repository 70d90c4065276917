"""Property tests: invariances, identical raters, ranges, and agreement with independent
definitions (the krippendorff package; Lin's concordance for quadratic kappa; a brute-force
weighted kappa; Krippendorff's alpha-Scott's pi relation)."""

from __future__ import annotations

from collections.abc import Callable

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coder.stats.reliability import (
    LEVELS,
    Stat,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    icc_all,
    krippendorff_alpha,
    pabak,
    percent_agreement,
)

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def ratings(
    draw: st.DrawFn, min_raters: int = 2, max_raters: int = 4, missing: bool = True
) -> np.ndarray:
    """Small units x raters matrices of categories 1..5, with some NaN."""
    units = draw(st.integers(2, 25))
    raters = draw(st.integers(min_raters, max_raters))
    q = draw(st.integers(1, 5))
    matrix = draw(arrays(np.float64, (units, raters), elements=st.integers(1, q).map(float)))
    if missing:
        holes = draw(arrays(np.bool_, (units, raters), elements=st.booleans()))
        thin = draw(st.floats(0, 0.4))
        matrix[holes & (np.arange(units * raters).reshape(units, raters) % 10 < thin * 10)] = np.nan
    return matrix


def _value(stat: Stat) -> float | None:
    return stat.value


SYMMETRIC: list[Callable[[np.ndarray], Stat]] = [
    percent_agreement,
    fleiss_kappa,
    lambda m: gwet_ac1(m, categories=[1, 2, 3, 4, 5]),
    lambda m: pabak(m, categories=[1, 2, 3, 4, 5]),
    *[lambda m, lv=level: krippendorff_alpha(m, lv) for level in LEVELS],
]
KAPPAS: list[Callable[[np.ndarray], Stat]] = [
    lambda m: cohen_kappa(m),
    lambda m: cohen_kappa(m, weights="linear"),
    lambda m: cohen_kappa(m, weights="quadratic"),
]


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and np.isclose(a, b))


@SETTINGS
@given(ratings(), st.randoms(use_true_random=False))
def test_permuting_units_changes_nothing(matrix: np.ndarray, rnd: object) -> None:
    order = np.random.default_rng(0).permutation(len(matrix))
    for fn in SYMMETRIC:
        assert _same(fn(matrix).value, fn(matrix[order]).value)
    two = matrix[:, :2]
    for fn in KAPPAS:
        assert _same(fn(two).value, fn(two[order]).value)


@SETTINGS
@given(ratings())
def test_permuting_raters_changes_nothing(matrix: np.ndarray) -> None:
    order = np.arange(matrix.shape[1])[::-1]
    for fn in SYMMETRIC:
        assert _same(fn(matrix).value, fn(matrix[:, order]).value)
    two = matrix[:, :2]
    for fn in KAPPAS:
        assert _same(fn(two).value, fn(two[:, ::-1]).value)
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    a, b = icc_all(complete), icc_all(complete[:, order])
    assert all(_same(a[f].value, b[f].value) for f in a)


@SETTINGS
@given(ratings(min_raters=1, max_raters=1, missing=False), st.integers(2, 4))
def test_identical_raters_give_one_or_undefined(column: np.ndarray, copies: int) -> None:
    matrix = np.repeat(column, copies, axis=1)
    several = len(np.unique(column)) >= 2
    stats = [fn(matrix) for fn in SYMMETRIC] + [fn(matrix[:, :2]) for fn in KAPPAS]
    stats += list(icc_all(matrix).values())
    for stat in stats:
        if several:
            assert stat.value == pytest.approx(1.0), stat
        elif stat.method not in {"percent_agreement", "gwet_ac1", "pabak"}:
            assert stat.value is None and stat.note, stat  # one category: undefined


@SETTINGS
@given(ratings())
def test_kappa_family_stays_in_range(matrix: np.ndarray) -> None:
    stats = [fn(matrix) for fn in SYMMETRIC] + [fn(matrix[:, :2]) for fn in KAPPAS]
    for stat in stats:
        if stat.value is not None:
            # Alpha, and Gwet's generalised Fleiss' kappa with missing ratings, have no
            # lower bound of -1 (e.g. a single-rated unit shifts the category shares).
            unbounded = stat.method == "fleiss_kappa" and np.isnan(matrix).any()
            if stat.method.startswith("krippendorff_alpha") or unbounded:
                assert stat.value <= 1 + 1e-9
            else:
                assert -1 - 1e-9 <= stat.value <= 1 + 1e-9, stat
    for stat in icc_all(matrix).values():
        if stat.value is not None:
            assert stat.value <= 1 + 1e-9


@SETTINGS
@given(ratings(), st.sampled_from(LEVELS))
def test_alpha_matches_the_krippendorff_package(matrix: np.ndarray, level: str) -> None:
    ours = krippendorff_alpha(matrix, level)  # type: ignore[arg-type]
    pairable = (~np.isnan(matrix)).sum(axis=1) >= 2
    values = np.unique(matrix[pairable][~np.isnan(matrix[pairable])])
    if ours.value is None:
        assume(False)
    assert len(values) >= 2
    reference = krippendorff.alpha(matrix.T, level_of_measurement=level)
    assert ours.value == pytest.approx(reference, abs=1e-9)


@SETTINGS
@given(ratings(max_raters=2, missing=False))
def test_quadratic_kappa_is_lins_concordance(matrix: np.ndarray) -> None:
    stat = cohen_kappa(matrix, weights="quadratic")
    x, y = matrix[:, 0], matrix[:, 1]
    cats = np.unique(matrix)
    assume(stat.value is not None and np.array_equal(cats, np.arange(cats[0], cats[-1] + 1)))
    covariance = ((x - x.mean()) * (y - y.mean())).mean()
    ccc = 2 * covariance / (x.var() + y.var() + (x.mean() - y.mean()) ** 2)
    assert stat.value == pytest.approx(ccc)


@SETTINGS
@given(ratings(max_raters=2), st.sampled_from([None, "linear", "quadratic"]))
def test_weighted_kappa_matches_brute_force(matrix: np.ndarray, weights: str | None) -> None:
    stat = cohen_kappa(matrix, weights=weights)  # type: ignore[arg-type]
    both = matrix[~np.isnan(matrix).any(axis=1)]
    assume(stat.value is not None)
    cats = np.unique(both)
    i = np.searchsorted(cats, both[:, 0])
    j = np.searchsorted(cats, both[:, 1])
    q = len(cats)
    observed = np.zeros((q, q))
    np.add.at(observed, (i, j), 1)
    expected = np.outer(observed.sum(1), observed.sum(0)) / observed.sum()
    d = np.abs(np.subtract.outer(np.arange(q), np.arange(q))).astype(float)
    w = {None: (d > 0).astype(float), "linear": d, "quadratic": d**2}[weights]
    assert stat.value == pytest.approx(1 - (w * observed).sum() / (w * expected).sum())


@SETTINGS
@given(ratings(max_raters=2, missing=False))
def test_alpha_and_fleiss_relation_for_two_raters(matrix: np.ndarray) -> None:
    # With two raters and no missing data Fleiss' kappa is Scott's pi, and
    # alpha_nominal = 1 - (2N - 1) / (2N) * (1 - pi) (Krippendorff 2004, section 11.3).
    pi, alpha = fleiss_kappa(matrix).value, krippendorff_alpha(matrix).value
    assume(pi is not None and alpha is not None)
    n = len(matrix)
    assert alpha == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi))
