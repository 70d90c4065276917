"""Cohen's kappa for exactly two raters: unweighted (Cohen 1960) and weighted (Cohen 1968).

Definition, matching ``sklearn.metrics.cohen_kappa_score`` (not a dependency here; the
tests use published and hand-computed values instead):

* categories = the given ones, else the sorted union of the values observed in the units
  rated by both raters; ``i, j`` are *ranks* in that list (so weights depend on order,
  not on numeric distance, as in sklearn);
* O = confusion matrix of the units rated by both raters (units missing a rating are
  dropped), E = outer product of the two raters' marginals / n;
* kappa = 1 - sum(w * O) / sum(w * E) with disagreement weights w = [i != j] (unweighted),
  |i - j| (linear) or (i - j)^2 (quadratic). This equals (p_o - p_e) / (1 - p_e) with
  agreement weights 1 - |i-j|/(q-1) or 1 - (i-j)^2/(q-1)^2 (Fleiss, Cohen & Everitt 1969).

The kernels avoid the q x q matrix so they stay cheap for many categories and 1,000
bootstrap resamples: the observed disagreement is a per-pattern constant, and the expected
one comes from the marginals: sum_ij p_i p'_j [i != j] = 1 - sum_k p_k p'_k;
sum_ij p_i p'_j |i - j| = sum_t F(t)(1 - G(t)) + G(t)(1 - F(t)) (F, G cumulative);
sum_ij p_i p'_j (i - j)^2 = E[X^2] + E[Y^2] - 2 E[X] E[Y].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from coder.stats.result import Stat
from coder.stats.units import (
    FloatArray,
    Kernel,
    Measure,
    Units,
    compress,
    evaluate,
    one_category_reason,
    safe_ratio,
)

Weights = Literal["linear", "quadratic"] | None
METHODS: dict[Weights, str] = {
    None: "cohen_kappa",
    "linear": "weighted_kappa_linear",
    "quadratic": "weighted_kappa_quadratic",
}


def _both(units: Units) -> npt.NDArray[np.bool_]:
    if units.n_raters != 2:
        return np.zeros(len(units.codes), dtype=bool)
    result: npt.NDArray[np.bool_] = (units.codes[:, 0] >= 0) & (units.codes[:, 1] >= 0)
    return result


def _n_both(units: Units) -> int:
    return units.count(_both(units))


def _used(units: Units, both: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Categories that count for the ranks: all given ones, else those observed in the
    units rated by both raters (as sklearn sees the data after dropping the others)."""
    used = np.zeros(units.q, dtype=bool)
    if units.given:
        used[:] = True
    else:
        used[units.codes[both].ravel()] = True
    return used


def _kernel(weights: Weights) -> Kernel:
    def kernel(units: Units, w: FloatArray) -> FloatArray:
        both = _both(units)
        if not both.any():
            return np.full(w.shape[0], np.nan)
        wb = w * both  # resample weights of units rated by both raters
        n = wb.sum(axis=1)
        used = _used(units, both)
        rank = (np.cumsum(used) - 1).astype(np.float64)
        i = np.where(both, rank[np.maximum(units.codes[:, 0], 0)], 0.0)
        j = np.where(both, rank[np.maximum(units.codes[:, 1], 0)], 0.0)
        if weights == "quadratic":
            observed = wb @ ((i - j) ** 2)
            ex, ey = wb @ i, wb @ j
            expected = (wb @ (i**2)) * n + (wb @ (j**2)) * n - 2.0 * ex * ey
            return 1.0 - safe_ratio(observed * n, expected)
        pa = units.per_category(wb, np.ones(len(both)), slots=(0,))[:, used]
        pb = units.per_category(wb, np.ones(len(both)), slots=(1,))[:, used]
        if weights == "linear":
            observed = wb @ np.abs(i - j)
            f, g = np.cumsum(pa, axis=1)[:, :-1], np.cumsum(pb, axis=1)[:, :-1]
            expected = (f * (n[:, None] - g) + g * (n[:, None] - f)).sum(axis=1)
            return 1.0 - safe_ratio(observed * n, expected)
        observed = wb @ (i != j).astype(np.float64)
        expected = n**2 - (pa * pb).sum(axis=1)
        return 1.0 - safe_ratio(observed * n, expected)

    return kernel


def _precheck(units: Units) -> str | None:
    if units.n_raters != 2:
        return (
            f"Cohen's kappa compares exactly two raters (this table has {units.n_raters}); "
            "use Fleiss' kappa or Krippendorff's alpha"
        )
    n = _n_both(units)
    if n < 2:
        return f"needs at least 2 units rated by both raters (found {n})"
    return None


def _note(units: Units) -> str | None:
    dropped = units.count((units.m >= 1) & ~_both(units))
    if dropped:
        return f"{dropped} unit(s) rated by only one rater left out"
    return None


MEASURES: dict[Weights, Measure] = {
    weights: Measure(
        method,
        _kernel(weights),
        _n_both,
        _precheck,
        lambda u: one_category_reason(u, _both(u)),
        _note,
    )
    for weights, method in METHODS.items()
}


def cohen_kappa(
    matrix: Any, categories: Sequence[float] | None = None, weights: Weights = None
) -> Stat:
    """Cohen's kappa between the two columns of ``matrix`` (units x 2 raters).

    ``weights=None`` is Cohen (1960); ``"linear"`` / ``"quadratic"`` is Cohen's (1968)
    weighted kappa with the sklearn ``cohen_kappa_score`` definition (see the module
    docstring). Quadratic weighted kappa equals Lin's concordance coefficient of the
    category ranks (with 1/n moments), which the tests check.
    """
    if weights not in METHODS:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    return evaluate(MEASURES[weights], compress(matrix, categories))


def weighted_kappa(
    matrix: Any,
    categories: Sequence[float] | None = None,
    weights: Literal["linear", "quadratic"] = "linear",
) -> Stat:
    """Weighted Cohen's kappa (Cohen 1968); see :func:`cohen_kappa`."""
    return cohen_kappa(matrix, categories, weights)
