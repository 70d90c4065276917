"""Bootstrap CIs: the vectorised kernels equal the statistic on the resampled matrix,
results are reproducible from a seed, and the generic loop covers any statistic."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from reliability_data import COHEN_1960, KRIPPENDORFF_2011, from_confusion

from coder.stats import agreement, alpha, cohen
from coder.stats.bootstrap import percentile_interval, resample_weights
from coder.stats.reliability import (
    LEVELS,
    Stat,
    bootstrap_ci,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    reliability_report,
    with_bootstrap,
)
from coder.stats.units import Measure, compress

MEASURES: list[tuple[Measure, Any]] = [
    (agreement.PERCENT_AGREEMENT, percent_agreement),
    (agreement.FLEISS, fleiss_kappa),
    (agreement.AC1, gwet_ac1),
    (agreement.PABAK, pabak),
    *[(alpha.MEASURES[lv], lambda m, c, lv=lv: krippendorff_alpha(m, lv, c)) for lv in LEVELS],
]


def _presence(rng: np.random.Generator, units: int, raters: int) -> np.ndarray:
    truth = rng.random(units) < 0.15
    flips = rng.random((units, raters)) < 0.08
    matrix = (truth[:, None] ^ flips).astype(float)
    matrix[rng.random((units, raters)) < 0.05] = np.nan
    return matrix


@pytest.mark.parametrize("data", ["kripp", "presence"])
def test_kernels_on_resample_weights_equal_the_statistic_on_repeated_units(data: str) -> None:
    rng = np.random.default_rng(7)
    matrix = KRIPPENDORFF_2011 if data == "kripp" else _presence(rng, 60, 3)
    units = compress(matrix)
    for _ in range(5):
        draw = rng.integers(0, len(matrix), len(matrix))
        resampled = matrix[draw]
        # Weights per pattern for this exact resample.
        per_unit = np.bincount(draw, minlength=len(matrix))
        pattern_of_unit = _pattern_index(units, matrix)
        w = np.bincount(pattern_of_unit, weights=per_unit, minlength=len(units.freq))[None, :]
        for measure, fn in MEASURES:
            # The category set stays that of the study (it fixes q for AC1 and PABAK).
            direct = fn(resampled, units.values).value
            fast = float(measure.kernel(units, w)[0])
            if direct is None:
                assert not np.isfinite(fast) or fn(resampled, units.values).note
            else:
                assert fast == pytest.approx(direct, abs=1e-10), measure.method


def test_cohen_kernels_on_resample_weights() -> None:
    rng = np.random.default_rng(3)
    matrix = from_confusion(COHEN_1960)
    units = compress(matrix)
    for _ in range(5):
        draw = rng.integers(0, len(matrix), len(matrix))
        per_unit = np.bincount(draw, minlength=len(matrix))
        w = np.bincount(_pattern_index(units, matrix), weights=per_unit, minlength=len(units.freq))
        for weights, measure in cohen.MEASURES.items():
            direct = cohen_kappa(matrix[draw], weights=weights).value
            assert float(measure.kernel(units, w[None, :])[0]) == pytest.approx(direct)


def _pattern_index(units: Any, matrix: np.ndarray) -> np.ndarray:
    """Which pattern of ``units`` each row of ``matrix`` is."""
    index = np.full(matrix.shape, -1)
    ok = ~np.isnan(matrix)
    index[ok] = np.searchsorted(units.values, matrix[ok])
    lookup = {tuple(row): p for p, row in enumerate(units.codes.tolist())}
    return np.array([lookup[tuple(row)] for row in index.tolist()])


def test_resample_weights_are_multinomial_over_all_units() -> None:
    units = compress(np.array([[1, 1], [1, 1], [0, 1], [np.nan, np.nan]]))
    w = resample_weights(units, 500, np.random.default_rng(1))
    assert w.shape == (500, len(units.freq)) and (w.sum(axis=1) == 4).all()
    assert w.mean(axis=0) == pytest.approx(units.freq, abs=0.2)


def test_seed_makes_intervals_reproducible() -> None:
    matrix = from_confusion(COHEN_1960)
    a = bootstrap_ci(cohen_kappa, matrix, n=300, seed=11)
    b = bootstrap_ci(cohen_kappa, matrix, n=300, seed=np.random.default_rng(11))
    assert a.ci95 == b.ci95 and a.vectorised
    c = bootstrap_ci(cohen_kappa, matrix, n=300, seed=12)
    assert c.ci95 != a.ci95


def test_vectorised_and_loop_give_similar_intervals() -> None:
    matrix = from_confusion(COHEN_1960)
    fast = bootstrap_ci(cohen_kappa, matrix, n=2000, seed=1)
    slow = bootstrap_ci(lambda m: cohen_kappa(m), matrix, n=2000, seed=1)
    assert not slow.vectorised and fast.ci95 and slow.ci95
    assert fast.ci95 == pytest.approx(slow.ci95, abs=0.02)
    # Both bracket the point estimate and have the textbook width (SE about .05).
    kappa = (0.70 - 0.41) / (1 - 0.41)  # Cohen (1960)'s printed p_o and p_c
    assert fast.ci95[0] < kappa < fast.ci95[1]
    assert 0.15 < fast.ci95[1] - fast.ci95[0] < 0.25


def test_with_bootstrap_fills_ci_and_options_reach_the_kernel() -> None:
    stat = with_bootstrap(krippendorff_alpha, KRIPPENDORFF_2011, n=200, seed=5, level="interval")
    assert stat.value == pytest.approx(0.849, abs=5e-4) and stat.ci95 is not None
    assert stat.ci95[0] <= stat.ci95[1] <= 1.0
    weighted = with_bootstrap(
        cohen_kappa, from_confusion(COHEN_1960), n=200, seed=5, weights="linear"
    )
    assert weighted.value == pytest.approx(1 - 0.40 / 0.76) and weighted.ci95 is not None


def test_undefined_resamples_are_left_out_and_counted() -> None:
    # A rare code: many resamples contain no "1" at all, so kappa is undefined there.
    matrix = np.zeros((12, 2))
    matrix[0] = [1, 1]
    boot = bootstrap_ci(cohen_kappa, matrix, n=400, seed=2)
    assert boot.n_defined < 400
    assert boot.note is not None and "undefined" in boot.note


def test_no_interval_when_most_resamples_are_undefined() -> None:
    values = np.array([0.5, 0.6, np.nan, np.nan, np.nan])
    boot = percentile_interval(values, 5)
    assert boot.ci95 is None and boot.n_defined == 2
    assert boot.note == "no bootstrap CI: the statistic was undefined in 3 of 5 resamples"
    half = percentile_interval(np.array([0.5, 0.6, np.nan, np.nan]), 4)
    # Percentiles by linear interpolation between the two defined values .5 and .6:
    # .5 + .025 x .1 and .5 + .975 x .1.
    assert half.ci95 == pytest.approx((0.5025, 0.5975))


def test_generic_loop_for_any_statistic() -> None:
    def mean_rating(m: np.ndarray) -> Stat:
        return Stat(float(np.nanmean(m)), None, None, len(m), m.shape[1], "mean")

    boot = bootstrap_ci(mean_rating, KRIPPENDORFF_2011, n=200, seed=1)
    assert not boot.vectorised and boot.ci95 is not None
    assert boot.ci95[0] < np.nanmean(KRIPPENDORFF_2011) < boot.ci95[1]


def test_report_uses_one_shared_draw_and_zero_means_no_ci() -> None:
    matrix = from_confusion(COHEN_1960)
    with_ci = reliability_report(matrix, "ordinal", bootstrap=200, seed=9)
    again = reliability_report(matrix, "ordinal", bootstrap=200, seed=9)
    assert with_ci.as_dict() == again.as_dict()
    assert all(s.ci95 is not None for s in with_ci.stats.values() if s.value is not None)
    none = reliability_report(matrix, "ordinal", bootstrap=0)
    assert all(s.ci95 is None for s in none.stats.values())
    with pytest.raises(ValueError):
        bootstrap_ci(cohen_kappa, matrix, n=-1)


def test_ratio_alpha_over_many_distinct_values_gets_no_bootstrap_in_the_report() -> None:
    rng = np.random.default_rng(0)
    truth = rng.gamma(2.0, 10.0, 3000)
    matrix = np.abs(truth[:, None] + rng.normal(0, 1, (3000, 2)))
    report = reliability_report(matrix, "ratio", bootstrap=1000, seed=1)
    alpha_ratio = report.stats["krippendorff_alpha"]
    assert alpha_ratio.value is not None and alpha_ratio.ci95 is None
    assert (
        alpha_ratio.note
        and "no bootstrap CI: ratio alpha over 6000 distinct values" in alpha_ratio.note
    )


def _binary_stats(a: np.ndarray, b: np.ndarray, s: np.ndarray) -> dict[str, float]:
    """The five figures computed directly (sklearn-free, by definition)."""
    matrix = np.column_stack([a, b]).astype(float)
    tp, fp, fn = int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum())
    pos, neg = s[b], s[~b]
    auc = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (
        len(pos) * len(neg)
    )
    return {
        "kappa": float(cohen_kappa(matrix).value),
        "alpha": float(krippendorff_alpha(matrix, "nominal").value),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "auc": float(auc),
    }


def test_binary_rater_cis_resample_whole_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each resample's figures equal the statistics of the clusters it drew, counted as
    drawn; a single resample of every cluster once reproduces the point estimates; and
    intervals from clusters are wider than from units when clusters differ."""
    from coder.stats.bootstrap import binary_rater_cis

    rng = np.random.default_rng(3)
    clusters = np.repeat(np.arange(12), 40)
    level = rng.random(12)[clusters]  # clusters differ: units within one are alike
    b = rng.random(len(clusters)) < level
    a = np.where(rng.random(len(clusters)) < 0.8, b, ~b)
    s = np.round(a * 0.5 + rng.random(len(clusters)) * 0.5, 2)  # ties on purpose
    cis = binary_rater_cis(a, b, clusters, s, n=400, seed=1)
    point = _binary_stats(a, b, s)
    for key, value in point.items():
        low, high = cis[key].ci95  # type: ignore[misc]
        assert low <= value <= high, key
    one_cluster_each = binary_rater_cis(a, b, np.arange(len(a)), s, n=400, seed=1)
    assert (cis["kappa"].ci95[1] - cis["kappa"].ci95[0]) > (  # type: ignore[index]
        one_cluster_each["kappa"].ci95[1] - one_cluster_each["kappa"].ci95[0]  # type: ignore[index]
    )
    # A resample that draws cluster 0 twice and cluster 1 once equals the plain figures
    # of those units, cluster 0 duplicated.
    from coder.stats import bootstrap as boot

    class Fixed:
        def multinomial(self, n: int, p: Any, size: int) -> np.ndarray:
            draw = np.zeros((size, len(p)), dtype=int)
            draw[:, 0], draw[:, 1] = 2, 1
            return draw

    monkeypatch.setattr(boot.np.random, "default_rng", lambda seed=None: Fixed())
    fixed = binary_rater_cis(a, b, clusters, s, n=3)
    monkeypatch.undo()
    rows = np.r_[np.flatnonzero(clusters == 0), np.flatnonzero(clusters == 0)]
    rows = np.r_[rows, np.flatnonzero(clusters == 1)]
    expected = _binary_stats(a[rows], b[rows], s[rows])
    for key, value in expected.items():
        assert fixed[key].ci95 == pytest.approx((value, value)), key


def test_ordinal_rater_cis_resample_whole_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordinal ratings (a model's segment ratings) get the same cluster intervals as the
    presence codes: each contains its point estimate; a resample equals the statistics
    of the clusters it drew, counted as drawn; clusters that differ widen the interval."""
    from coder.stats import bootstrap as boot
    from coder.stats.alpha import krippendorff_alpha
    from coder.stats.bootstrap import ordinal_rater_cis
    from coder.stats.cohen import cohen_kappa

    def stats(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
        m = np.column_stack([a, b])
        return {
            "weighted_kappa": cohen_kappa(m, weights="quadratic").value,  # type: ignore[dict-item]
            "alpha_ordinal": krippendorff_alpha(m, "ordinal").value,  # type: ignore[dict-item]
            "exact_agreement": float(np.mean(a == b)),
        }

    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(15), 30)
    level = rng.integers(1, 5, 15)[clusters]  # sessions differ in how severe they are
    b = np.clip(level + rng.integers(-1, 2, len(clusters)), 1, 5).astype(float)
    a = np.clip(b + rng.integers(-1, 2, len(clusters)), 1, 5).astype(float)
    cis = ordinal_rater_cis(a, b, clusters, n=400, seed=2)
    for key, value in stats(a, b).items():
        low, high = cis[key].ci95  # type: ignore[misc]
        assert low <= value <= high, key
    units = ordinal_rater_cis(a, b, np.arange(len(a)), n=400, seed=2)
    width = cis["alpha_ordinal"].ci95[1] - cis["alpha_ordinal"].ci95[0]  # type: ignore[index]
    assert width > units["alpha_ordinal"].ci95[1] - units["alpha_ordinal"].ci95[0]  # type: ignore[index]

    class Fixed:
        def multinomial(self, n: int, p: Any, size: int) -> np.ndarray:
            draw = np.zeros((size, len(p)), dtype=int)
            draw[:, 0], draw[:, 3] = 2, 1
            return draw

    monkeypatch.setattr(boot.np.random, "default_rng", lambda seed=None: Fixed())
    fixed = ordinal_rater_cis(a, b, clusters, n=3)
    monkeypatch.undo()
    rows = np.r_[np.flatnonzero(clusters == 0), np.flatnonzero(clusters == 0)]
    rows = np.r_[rows, np.flatnonzero(clusters == 3)]
    for key, value in stats(a[rows], b[rows]).items():
        assert fixed[key].ci95 == pytest.approx((value, value)), key
