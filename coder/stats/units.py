"""Rating patterns: the compressed form every agreement statistic and its bootstrap use.

Why compress: a presence code over 6,000 segments rated by 3 raters has at most
3**3 = 27 distinct rows (0, 1 or missing per rater). Every statistic here is a function of
*how many units show each pattern*, so a data set is held as its distinct patterns
(``codes``, category indices with -1 for missing) and their frequencies (``freq``).
Resampling units with replacement then only changes the frequencies: a bootstrap
resample is a row of a weight matrix ``W`` (resamples x patterns) and each statistic is
computed for all resamples at once with a few matrix products (see
:mod:`coder.stats.bootstrap`). The point estimate is the same code with ``W = freq``.

A :class:`Measure` bundles a statistic's vectorised kernel with the checks that say why it
is undefined; :func:`evaluate` turns it into a :class:`~coder.stats.result.Stat`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from coder.stats.result import Stat, defined, undefined

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
Kernel = Callable[["Units", FloatArray], FloatArray]
EPS = 1e-12
_DENSE_LIMIT = 4_000_000  # patterns x categories below which a dense count matrix is used


def as_ratings(matrix: Any) -> FloatArray:
    """A units x raters float matrix (NaN = missing) from an array or DataFrame."""
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"ratings must be a units x raters matrix, got {data.ndim} dimension(s)")
    if np.isinf(data).any():
        raise ValueError("ratings must be finite numbers or NaN (missing)")
    return data


def category_values(data: FloatArray, categories: Sequence[float] | None) -> FloatArray:
    """Sorted categories: the given ones, or the sorted union of the observed values."""
    observed = np.unique(data[~np.isnan(data)])
    if categories is None:
        return observed.astype(np.float64)
    given = np.asarray(list(categories), dtype=np.float64)
    if given.ndim != 1 or np.isnan(given).any():
        raise ValueError("categories must be a list of numbers")
    cats = np.unique(given)
    if len(cats) != len(given):
        raise ValueError("categories contain duplicates")
    stray = np.setdiff1d(observed, cats)
    if len(stray):
        shown = ", ".join(f"{v:g}" for v in stray[:5])
        raise ValueError(f"rating(s) {shown} are not among the categories")
    return cats


@dataclass(frozen=True, eq=False)
class Units:
    """Distinct rating patterns of a units x raters matrix and how often each occurs."""

    codes: IntArray  # (P, R) index into ``values``; -1 = missing
    freq: FloatArray  # (P,) number of units with this pattern
    values: FloatArray  # (q,) sorted category values
    n_units: int  # rows of the input, including rows with no rating
    given: bool = False  # True when the categories were given rather than observed
    m: FloatArray = field(init=False)  # (P,) ratings per pattern

    def __post_init__(self) -> None:
        object.__setattr__(self, "m", (self.codes >= 0).sum(axis=1).astype(np.float64))

    @property
    def n_raters(self) -> int:
        return int(self.codes.shape[1])

    @property
    def q(self) -> int:
        return len(self.values)

    def count(self, mask: npt.NDArray[np.bool_]) -> int:
        """Units (not patterns) whose pattern satisfies ``mask``."""
        return int(self.freq[mask].sum())

    def used_categories(self, mask: npt.NDArray[np.bool_]) -> FloatArray:
        """Categories actually used in the patterns selected by ``mask``."""
        picked = self.codes[mask]
        return self.values[np.unique(picked[picked >= 0])]

    def agreeing_pairs(self) -> FloatArray:
        """Ordered pairs of ratings in each pattern that agree: sum_k n_k (n_k - 1)."""
        total = np.zeros(len(self.codes))
        r = self.n_raters
        for i in range(r):
            for j in range(i + 1, r):
                a, b = self.codes[:, i], self.codes[:, j]
                total += 2.0 * ((a == b) & (a >= 0))
        return total

    def per_category(
        self, w: FloatArray, weight: FloatArray, slots: Sequence[int] = ()
    ) -> FloatArray:
        """(B, q): sum over patterns of ``w[b, p] * weight[p]`` per rating in category c.

        ``slots`` restricts the count to some rater columns (all when empty).
        """
        cols = list(slots) or list(range(self.n_raters))
        p, q = len(self.codes), self.q
        if p * q <= _DENSE_LIMIT:
            dense = np.zeros((p, q))
            for r in cols:
                ok = self.codes[:, r] >= 0
                np.add.at(dense, (np.flatnonzero(ok), self.codes[ok, r]), 1.0)
            result: FloatArray = (w * weight) @ dense
            return result
        b = w.shape[0]
        out = np.zeros(b * q)
        offsets = (np.arange(b) * q)[:, None]
        for r in cols:
            ok = (self.codes[:, r] >= 0) & (weight != 0)
            index = (offsets + self.codes[ok, r][None, :]).ravel()
            out += np.bincount(index, weights=(w[:, ok] * weight[ok]).ravel(), minlength=b * q)
        return out.reshape(b, q)


def compress(matrix: Any, categories: Sequence[float] | None = None) -> Units:
    """Distinct rows of the matrix (as category indices) and their frequencies."""
    data = as_ratings(matrix)
    values = category_values(data, categories)
    n, r = data.shape
    index = np.full(data.shape, -1, dtype=np.intp)
    rated = ~np.isnan(data)
    index[rated] = np.searchsorted(values, data[rated])
    given = categories is not None
    if n == 0:
        return Units(index, np.zeros(0), values, 0, given)
    base = len(values) + 1
    if base**r < 2**62:  # one integer key per row: a 1-D unique is much faster
        key = ((index + 1) * (base ** np.arange(r, dtype=np.int64))).sum(axis=1)
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        codes = index[first]
    else:
        codes, counts = np.unique(index, axis=0, return_counts=True)
    return Units(np.ascontiguousarray(codes), counts.astype(np.float64), values, n, given)


def safe_ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den with NaN where the denominator is (numerically) zero."""
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.abs(den) > EPS
    np.divide(num, den, out=out, where=ok)
    return out


@dataclass(frozen=True)
class Measure:
    """A statistic as a vectorised kernel plus the reasons it can be undefined.

    ``kernel(units, W)`` returns one value per row of ``W`` (NaN where undefined);
    ``precheck`` returns a reason before computing (too few raters or units);
    ``explain`` says why a NaN point estimate is undefined; ``note`` adds a caveat
    to a defined value; ``n_used`` counts the units that entered the computation.
    """

    method: str
    kernel: Kernel
    n_used: Callable[[Units], int]
    precheck: Callable[[Units], str | None]
    explain: Callable[[Units], str]
    note: Callable[[Units], str | None] = lambda _units: None


def evaluate(measure: Measure, units: Units) -> Stat:
    """The point estimate: the kernel with each pattern weighted by its frequency."""
    n_used, r = measure.n_used(units), units.n_raters
    reason = measure.precheck(units)
    if reason:
        return undefined(measure.method, reason, n_used, r)
    value = float(measure.kernel(units, units.freq[None, :])[0])
    if not np.isfinite(value):
        return undefined(measure.method, measure.explain(units), n_used, r)
    return defined(measure.method, value, n_used, r, measure.note(units))


# ---- shared checks -----------------------------------------------------------------------
def pairable(units: Units) -> npt.NDArray[np.bool_]:
    return units.m >= 2


def n_pairable(units: Units) -> int:
    return units.count(pairable(units))


def multi_rater_precheck(units: Units) -> str | None:
    if units.n_raters < 2:
        return f"needs at least two raters (this table has {units.n_raters})"
    n = n_pairable(units)
    if n < 2:
        return f"needs at least 2 units rated by two or more raters (found {n})"
    return None


def one_category_reason(units: Units, mask: npt.NDArray[np.bool_]) -> str:
    used = units.used_categories(mask)
    if len(used) <= 1:
        shown = f" ({used[0]:g})" if len(used) else ""
        return (
            f"only one category{shown} was used, so chance agreement is complete "
            "and the statistic is undefined"
        )
    return "undefined for these data (no expected disagreement)"
