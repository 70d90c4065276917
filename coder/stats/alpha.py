"""Krippendorff's alpha for nominal, ordinal, interval and ratio data with missing values.

Definition: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", and the
``krippendorff`` package (Castro 2017), which implements the same formulas and which the
tests use as an oracle, value for value on random data at all four levels (the package is
a test dependency only, never imported here):

* only *pairable* values count: those in units with m_u >= 2 ratings; n = their number;
* coincidences o_ck = sum_u (number of ordered pairs (c, k) in u) / (m_u - 1); n_c = sum_k o_ck;
* alpha = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck, with the metric d2:
  nominal [c != k]; interval (c - k)^2; ratio ((c - k)/(c + k))^2;
  ordinal (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 (Krippendorff's frequency-based metric).

Computed here from the rating patterns of :mod:`coder.stats.units` rather than by calling
the package, so that 1,000 bootstrap resamples are a few matrix products. Two identities
keep the cost independent of the number of distinct values: the ordinal distance equals
(M_k - M_c)^2 with M_c = N_c - n_c / 2 (N cumulative), so ordinal and interval both reduce
to squared differences, and sum_ck n_c n_k (x_c - x_k)^2 = 2 n sum_c n_c (x_c - mean)^2.
The ratio metric has no such shortcut: its expected disagreement costs O(q^2) per
resample for q distinct values (cheap for ratings and counts, slow for thousands of
distinct continuous values), computed a block of rows at a time so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coder.stats.result import LEVELS, Level, Stat
from coder.stats.units import (
    FloatArray,
    Measure,
    Units,
    compress,
    evaluate,
    multi_rater_precheck,
    n_pairable,
    one_category_reason,
    pairable,
    safe_ratio,
)

_BLOCK = 4_000_000  # elements of the ratio distance matrix held at once


def _pair_slots(units: Units) -> list[tuple[int, int]]:
    r = units.n_raters
    return [(i, j) for i in range(r) for j in range(i + 1, r)]


def _within(units: Units, x: FloatArray) -> FloatArray:
    """Per pattern (last axis): sum over ordered rating pairs of (x_a - x_b)^2 / (m - 1).

    ``x`` maps category indices to positions; shape (q,) or (B, q) for per-resample
    positions (ordinal), giving (P,) or (B, P).
    """
    pair = pairable(units)
    scale = np.zeros(len(units.m))
    scale[pair] = 2.0 / (units.m[pair] - 1.0)
    total = np.zeros((*x.shape[:-1], len(units.m)))
    for a, b in _pair_slots(units):
        ca, cb = units.codes[:, a], units.codes[:, b]
        ok = (ca >= 0) & (cb >= 0)
        diff = x[..., np.where(ok, ca, 0)] - x[..., np.where(ok, cb, 0)]
        total += np.where(ok, diff**2, 0.0)
    result: FloatArray = total * scale
    return result


def _pairable_counts(units: Units, w: FloatArray) -> FloatArray:
    """n_c per resample: pairable values in each category, (B, q)."""
    return units.per_category(w, pairable(units).astype(np.float64))


def _alpha(n: FloatArray, observed: FloatArray, expected: FloatArray) -> FloatArray:
    result: FloatArray = 1.0 - safe_ratio((n - 1.0) * observed, expected)
    return result


def nominal_kernel(units: Units, w: FloatArray) -> FloatArray:
    pair = pairable(units)
    nc = _pairable_counts(units, w)
    n = nc.sum(axis=1)
    same = np.zeros(len(units.m))
    same[pair] = units.agreeing_pairs()[pair] / (units.m[pair] - 1.0)
    observed = n - w @ same  # sum of off-diagonal coincidences
    return _alpha(n, observed, n**2 - (nc**2).sum(axis=1))


def _squared_kernel(units: Units, w: FloatArray, x: FloatArray) -> FloatArray:
    """Alpha for d2 = (x_c - x_k)^2 with fixed positions x (interval)."""
    nc = _pairable_counts(units, w)
    n = nc.sum(axis=1)
    mean = safe_ratio(nc @ x, n)
    expected = 2.0 * n * (nc * (x[None, :] - mean[:, None]) ** 2).sum(axis=1)
    return _alpha(n, w @ _within(units, x), expected)


def interval_kernel(units: Units, w: FloatArray) -> FloatArray:
    x = units.values - (units.values.mean() if units.q else 0.0)  # centred: less cancellation
    return _squared_kernel(units, w, x)


def ordinal_kernel(units: Units, w: FloatArray) -> FloatArray:
    nc = _pairable_counts(units, w)
    n = nc.sum(axis=1)
    positions = np.cumsum(nc, axis=1) - nc / 2.0  # M_c, one row per resample
    mean = safe_ratio((nc * positions).sum(axis=1), n)
    expected = 2.0 * n * (nc * (positions - mean[:, None]) ** 2).sum(axis=1)
    observed = (w * _within(units, positions)).sum(axis=1)
    return _alpha(n, observed, expected)


def _ratio_d2(a: FloatArray, b: FloatArray) -> FloatArray:
    """((a - b) / (a + b))^2, 0 where a + b = 0 (as the krippendorff package)."""
    total = a + b
    out = np.zeros(np.broadcast(a, b).shape)
    np.divide((a - b) ** 2, total**2, out=out, where=total != 0)
    return out


def ratio_kernel(units: Units, w: FloatArray) -> FloatArray:
    v = units.values
    pair = pairable(units)
    per_pattern = np.zeros(len(units.m))
    for a, b in _pair_slots(units):
        ca, cb = units.codes[:, a], units.codes[:, b]
        ok = (ca >= 0) & (cb >= 0)
        per_pattern += np.where(ok, _ratio_d2(v[np.maximum(ca, 0)], v[np.maximum(cb, 0)]), 0.0)
    per_pattern[pair] *= 2.0 / (units.m[pair] - 1.0)
    nc = _pairable_counts(units, w)
    # sum_ck n_c n_k d2_ck, one block of rows of d2 at a time (q can be large).
    expected = np.zeros(w.shape[0])
    step = max(1, _BLOCK // max(units.q, 1))
    for start in range(0, units.q, step):
        block = _ratio_d2(v[start : start + step, None], v[None, :])
        expected += ((nc[:, start : start + step] @ block) * nc).sum(axis=1)
    return _alpha(nc.sum(axis=1), w @ per_pattern, expected)


KERNELS = {
    "nominal": nominal_kernel,
    "ordinal": ordinal_kernel,
    "interval": interval_kernel,
    "ratio": ratio_kernel,
}
MEASURES: dict[Level, Measure] = {
    level: Measure(
        f"krippendorff_alpha_{level}",
        KERNELS[level],
        n_pairable,
        multi_rater_precheck,
        lambda u: one_category_reason(u, pairable(u)),
    )
    for level in LEVELS
}


def krippendorff_alpha(
    matrix: Any,
    level: Level = "nominal",
    categories: Sequence[float] | None = None,
) -> Stat:
    """Krippendorff's alpha at ``level`` (see the module docstring for the definition).

    Matches Krippendorff (2011)'s worked example (4 coders x 12 units with missing values):
    nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797. Ratio data must be >= 0.
    """
    if level not in MEASURES:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return evaluate(MEASURES[level], compress(matrix, categories))
