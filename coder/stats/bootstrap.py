"""Percentile bootstrap confidence intervals over units.

Method: draw ``n`` resamples of the units with replacement, compute the statistic on
each, and take the 2.5th and 97.5th percentiles (``numpy.quantile``, linear
interpolation) of the resamples where it is defined (Efron & Tibshirani 1993, ch. 13).
Resamples where it is undefined (e.g. every resampled unit in one category) are left out
and counted; with fewer than half defined, no interval is given.

Why it is fast: resampling N units with replacement and counting how many of each
rating *pattern* were drawn is exactly a multinomial draw over the patterns with
probabilities freq / N. So for the statistics of :mod:`coder.stats.agreement`,
:mod:`coder.stats.cohen` and :mod:`coder.stats.alpha` we draw a (resamples x patterns)
count matrix and evaluate the vectorised kernels on it once, instead of calling a
function 1,000 times (a presence code over 6,000 units has at most 27 patterns). Any
other ``stat_fn`` falls back to the plain loop over resampled matrices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from coder.stats import agreement, alpha, cohen
from coder.stats.result import Stat
from coder.stats.units import FloatArray, Measure, Units, as_ratings, compress

Seed = np.random.Generator | int | None
StatFn = Callable[..., Stat]
_CHUNK_ELEMENTS = 4_000_000  # array elements per resample chunk (bounds memory)


@dataclass(frozen=True, slots=True)
class BootstrapCI:
    """A percentile interval and how many resamples gave a defined value."""

    ci95: tuple[float, float] | None
    n_resamples: int
    n_defined: int
    vectorised: bool
    failure: str | None = None  # why no interval could be computed at all

    @property
    def note(self) -> str | None:
        if self.failure:
            return f"no bootstrap CI: {self.failure}"
        if self.n_resamples == 0 or self.n_defined == self.n_resamples:
            return None
        left, total = self.n_resamples - self.n_defined, self.n_resamples
        if self.ci95 is None:
            return f"no bootstrap CI: the statistic was undefined in {left} of {total} resamples"
        return (
            f"bootstrap CI from {self.n_defined} of {self.n_resamples} resamples ({left} undefined)"
        )


def percentile_interval(values: FloatArray, n_resamples: int) -> BootstrapCI:
    finite = values[np.isfinite(values)]
    if n_resamples == 0 or len(finite) < max(2, n_resamples / 2):
        return BootstrapCI(None, n_resamples, len(finite), True)
    low, high = np.quantile(finite, [0.025, 0.975])
    return BootstrapCI((float(low), float(high)), n_resamples, len(finite), True)


def resample_weights(units: Units, n: int, rng: np.random.Generator) -> FloatArray:
    """(n, patterns) counts of each pattern in n resamples of all units with replacement."""
    if units.n_units == 0:
        return np.zeros((n, len(units.freq)))
    counts = rng.multinomial(units.n_units, units.freq / units.n_units, size=n)
    return counts.astype(np.float64)


def cluster_resample_weights(
    cluster_counts: FloatArray, n: int, rng: np.random.Generator
) -> FloatArray:
    """(n, patterns) counts of each pattern when whole *clusters* are resampled.

    ``cluster_counts`` is (clusters, patterns): how many units of each pattern each
    cluster (a therapy session, a patient) holds. Drawing S clusters with replacement is
    a multinomial draw over the clusters; the pattern counts of a resample are then that
    draw times ``cluster_counts``.
    """
    s = cluster_counts.shape[0]
    if s == 0:
        return np.zeros((n, cluster_counts.shape[1]))
    draws = rng.multinomial(s, np.full(s, 1.0 / s), size=n).astype(np.float64)
    return np.asarray(draws @ cluster_counts, dtype=np.float64)


def bootstrap_kernels(
    units: Units,
    measures: Sequence[Measure],
    n: int,
    seed: Seed = None,
    *,
    cluster_counts: FloatArray | None = None,
) -> list[BootstrapCI]:
    """Intervals for several statistics from the *same* resamples (one draw, many kernels).

    With ``cluster_counts`` ((clusters, patterns), summing to ``units.freq``) whole
    clusters are resampled instead of single units: the honest interval when units
    within a cluster are not independent (the turns of one session)."""
    rng = np.random.default_rng(seed)
    p, r, q = max(len(units.freq), 1), max(units.n_raters, 1), max(units.q, 1)
    width = 2 * max(p * r, q)  # the kernels hold a few (resamples x patterns or categories)
    chunk = max(1, min(n, _CHUNK_ELEMENTS // width))
    results: list[list[FloatArray]] = [[] for _ in measures]
    failures: list[str | None] = [None for _ in measures]
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        w = (
            resample_weights(units, size, rng)
            if cluster_counts is None
            else cluster_resample_weights(cluster_counts, size, rng)
        )
        for i, measure in enumerate(measures):
            if failures[i] is None:  # a kernel that failed once is not run again
                try:
                    results[i].append(measure.kernel(units, w))
                except Exception as exc:  # one statistic's failure stays its own
                    failures[i] = f"the resampled statistic failed ({type(exc).__name__}: {exc})"
    return [
        BootstrapCI(None, n, 0, True, failure=failure)
        if failure
        else percentile_interval(np.concatenate(parts) if parts else np.zeros(0), n)
        for parts, failure in zip(results, failures, strict=True)
    ]


def _fast_measure(stat_fn: StatFn, options: dict[str, Any]) -> Measure | None:
    if stat_fn is agreement.percent_agreement:
        return agreement.PERCENT_AGREEMENT
    if stat_fn is agreement.fleiss_kappa:
        return agreement.FLEISS
    if stat_fn is agreement.gwet_ac1:
        return agreement.AC1
    if stat_fn is agreement.pabak:
        return agreement.PABAK
    if stat_fn is cohen.cohen_kappa:
        return cohen.MEASURES.get(options.get("weights"))
    if stat_fn is cohen.weighted_kappa:
        return cohen.MEASURES.get(options.get("weights", "linear"))
    if stat_fn is alpha.krippendorff_alpha:
        return alpha.MEASURES.get(options.get("level", "nominal"))
    return None


def bootstrap_ci(
    stat_fn: StatFn, matrix: Any, n: int = 1000, seed: Seed = None, **options: Any
) -> BootstrapCI:
    """Percentile 95% CI of ``stat_fn(matrix, **options)`` over ``n`` unit resamples.

    ``seed`` is a ``numpy.random.Generator`` or an int (reproducible) or None. Known
    statistics are vectorised (see the module docstring); others run ``stat_fn`` on each
    resampled matrix.
    """
    if n < 0:
        raise ValueError("the number of resamples cannot be negative")
    measure = _fast_measure(stat_fn, options)
    if measure is not None:
        units = compress(matrix, options.get("categories"))
        return bootstrap_kernels(units, [measure], n, seed)[0]
    data = as_ratings(matrix)
    rng = np.random.default_rng(seed)
    values = np.full(n, np.nan)
    for b in range(n):
        resampled = data[rng.integers(0, len(data), len(data))] if len(data) else data
        value = stat_fn(resampled, **options).value
        values[b] = np.nan if value is None else value
    return replace(percentile_interval(values, n), vectorised=False)


def with_ci(stat: Stat, boot: BootstrapCI) -> Stat:
    """``stat`` with the bootstrap interval filled in (and a note if resamples failed)."""
    if stat.value is None:
        return stat
    return replace(stat, ci95=boot.ci95).with_note(boot.note)


def with_bootstrap(
    stat_fn: StatFn, matrix: Any, n: int = 1000, seed: Seed = None, **options: Any
) -> Stat:
    """``stat_fn(matrix, **options)`` with a percentile bootstrap 95% CI."""
    stat = stat_fn(matrix, **options)
    if stat.value is None or n == 0:
        return stat
    return with_ci(stat, bootstrap_ci(stat_fn, matrix, n, seed, **options))


# ---- a binary rater against a reference, resampling clusters -----------------------------
BINARY_STATS = ("kappa", "alpha", "precision", "recall", "auc")
_BINARY_PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.intp)  # (rater, ref)


def binary_rater_cis(
    rater: Any,
    reference: Any,
    clusters: Any,
    scores: Any | None = None,
    n: int = 1000,
    seed: Seed = None,
) -> dict[str, BootstrapCI]:
    """Percentile 95% CIs of a present/absent rater (a screening model) against a
    reference rater on the same units: Cohen's kappa, Krippendorff's alpha (nominal),
    precision, recall and, with ``scores``, ROC AUC.

    Whole clusters (``clusters[i]`` names unit i's session or patient) are resampled,
    because turns of one session are not independent: resampling single turns would
    give intervals that are too narrow. Kappa and alpha use the same vectorised kernels
    as every other interval (:mod:`coder.stats.cohen`, :mod:`coder.stats.alpha`);
    precision and recall come from the same resampled 2 x 2 counts; AUC is the
    Mann-Whitney statistic with each unit weighted by how often its cluster was drawn
    (ties count one half), so no resample is looped over in Python.
    """
    a = np.asarray(rater, dtype=bool)
    b = np.asarray(reference, dtype=bool)
    _, cluster_index = np.unique(np.asarray(clusters), return_inverse=True)
    n_clusters = int(cluster_index.max()) + 1 if len(cluster_index) else 0
    pattern = 2 * a.astype(np.intp) + b.astype(np.intp)
    counts = np.zeros((n_clusters, 4))
    np.add.at(counts, (cluster_index, pattern), 1.0)
    units = Units(_BINARY_PATTERNS, counts.sum(axis=0), np.array([0.0, 1.0]), len(a), True)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n, _CHUNK_ELEMENTS // max(len(a), 1)))
    parts: dict[str, list[FloatArray]] = {k: [] for k in BINARY_STATS}
    order = tie_starts = y_sorted = None
    if scores is not None:
        s = np.asarray(scores, dtype=np.float64)
        order = np.argsort(s, kind="stable")
        sorted_scores = s[order]
        tie_starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
        y_sorted = b[order].astype(np.float64)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        draws = (
            rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=size)
            if n_clusters
            else np.zeros((size, 0))
        ).astype(np.float64)
        w = draws @ counts  # (size, 4): (0,0), (0,1), (1,0), (1,1)
        parts["kappa"].append(cohen.MEASURES[None].kernel(units, w))
        parts["alpha"].append(alpha.MEASURES["nominal"].kernel(units, w))
        with np.errstate(invalid="ignore", divide="ignore"):
            parts["precision"].append(w[:, 3] / (w[:, 2] + w[:, 3]))
            parts["recall"].append(w[:, 3] / (w[:, 1] + w[:, 3]))
        if order is not None and tie_starts is not None and y_sorted is not None:
            unit_w = draws[:, cluster_index[order]]  # (size, units) in score order
            pos = np.add.reduceat(unit_w * y_sorted, tie_starts, axis=1)
            neg = np.add.reduceat(unit_w * (1.0 - y_sorted), tie_starts, axis=1)
            below = np.cumsum(neg, axis=1) - neg
            num = (pos * (below + 0.5 * neg)).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                parts["auc"].append(num / (pos.sum(axis=1) * neg.sum(axis=1)))
    out = {}
    for key in BINARY_STATS:
        if key == "auc" and scores is None:
            continue
        values = np.concatenate(parts[key]) if parts[key] else np.zeros(0)
        out[key] = percentile_interval(np.where(np.isfinite(values), values, np.nan), n)
    return out


# ---- an ordinal rater against a reference, resampling clusters ---------------------------
ORDINAL_STATS = ("weighted_kappa", "alpha_ordinal", "exact_agreement")


def ordinal_rater_cis(
    rater: Any, reference: Any, clusters: Any, n: int = 1000, seed: Seed = None
) -> dict[str, BootstrapCI]:
    """Percentile 95% CIs of an ordinal rater (a screening model's segment ratings)
    against a reference rater on the same units: quadratic-weighted Cohen's kappa,
    ordinal Krippendorff's alpha and exact agreement.

    As in :func:`binary_rater_cis`, whole clusters (sessions or patients) are resampled:
    the segments of one session are not independent. The value patterns (rater,
    reference) are counted per cluster once; each resample is a multinomial draw over the
    clusters times those counts, evaluated by the same kernels as every other interval.
    """
    data = np.column_stack([np.asarray(rater, dtype=float), np.asarray(reference, dtype=float)])
    values = np.unique(data[~np.isnan(data)])
    if len(data) == 0:
        return {key: BootstrapCI(None, n, 0, True) for key in ORDINAL_STATS}
    index = np.searchsorted(values, data)  # both columns are rated on every unit here
    patterns, pattern_of = np.unique(index, axis=0, return_inverse=True)
    pattern_of = np.asarray(pattern_of).reshape(-1)
    _, cluster_index = np.unique(np.asarray(clusters), return_inverse=True)
    cluster_index = np.asarray(cluster_index).reshape(-1)
    counts = np.zeros((int(cluster_index.max()) + 1, len(patterns)))
    np.add.at(counts, (cluster_index, pattern_of), 1.0)
    units = Units(
        np.ascontiguousarray(patterns, dtype=np.intp), counts.sum(axis=0), values, len(data)
    )
    agree = patterns[:, 0] == patterns[:, 1]
    exact = Measure(
        "exact_agreement",
        lambda _u, w: w[:, agree].sum(axis=1) / w.sum(axis=1),
        lambda u: u.n_units,
        lambda _u: None,
        lambda _u: "",
    )
    measures = [cohen.MEASURES["quadratic"], alpha.MEASURES["ordinal"], exact]
    cis = bootstrap_kernels(units, measures, n, seed, cluster_counts=counts)
    return dict(zip(ORDINAL_STATS, cis, strict=True))
