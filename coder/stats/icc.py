"""Intraclass correlations: the six Shrout & Fleiss (1979) forms with F-based 95% CIs.

Why hand-written: the two-way ANOVA mean squares are a few lines of numpy, while pingouin
pulls in scikit-learn, matplotlib, seaborn and xarray (about +390 MB) and emits a pandas
deprecation warning that breaks our ``-W error`` runs (see shared/design/platform-notes.md).
The formulas follow Shrout & Fleiss (1979) and McGraw & Wong (1996); the confidence
intervals are those of R ``psych::ICC`` (and pingouin), with ``scipy.stats.f``.

For n targets (units) x k judges (raters), complete rows only:

* MSR (between targets), MSC (between judges), MSE (residual), MSW (within targets);
* ICC(1,1) = (MSR - MSW) / (MSR + (k-1) MSW)            McGraw & Wong ICC(1)
* ICC(2,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)   ICC(A,1)
* ICC(3,1) = (MSR - MSE) / (MSR + (k-1) MSE)            ICC(C,1)
* ICC(1,k) = (MSR - MSW) / MSR                          ICC(k)
* ICC(2,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)      ICC(A,k)
* ICC(3,k) = (MSR - MSE) / MSR                          ICC(C,k)

Use ICC(2,1) (absolute agreement) for a fixed panel whose raters stand for raters in
general, ICC(1,1) when each unit had different raters, ICC(3,1) for consistency only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats as scipy_stats  # type: ignore[import-untyped]

from coder.stats.result import Stat, defined, undefined
from coder.stats.units import as_ratings

Form = Literal["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
FORMS: tuple[Form, ...] = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
NAMES: dict[Form, tuple[str, str]] = {  # Shrout & Fleiss, McGraw & Wong
    "ICC1": ("ICC(1,1)", "ICC(1): one-way random, single rater"),
    "ICC2": ("ICC(2,1)", "ICC(A,1): two-way random, absolute agreement, single rater"),
    "ICC3": ("ICC(3,1)", "ICC(C,1): two-way mixed, consistency, single rater"),
    "ICC1k": ("ICC(1,k)", "ICC(k): one-way random, mean of k raters"),
    "ICC2k": ("ICC(2,k)", "ICC(A,k): two-way random, absolute agreement, mean of k raters"),
    "ICC3k": ("ICC(3,k)", "ICC(C,k): two-way mixed, consistency, mean of k raters"),
}


@dataclass(frozen=True, slots=True)
class MeanSquares:
    """Two-way ANOVA of an n x k complete matrix (Shrout & Fleiss 1979, Table 1)."""

    n: int
    k: int
    msr: float  # between targets, df n-1
    msc: float  # between judges, df k-1
    mse: float  # residual, df (n-1)(k-1)
    msw: float  # within targets, df n(k-1)


def mean_squares(complete: Any) -> MeanSquares:
    x = np.asarray(complete, dtype=np.float64)
    n, k = x.shape
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    ss_rows = float(k * ((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((x.mean(axis=0) - grand) ** 2).sum())
    ss_error = max(ss_total - ss_rows - ss_cols, 0.0)
    return MeanSquares(
        n=n,
        k=k,
        msr=ss_rows / (n - 1),
        msc=ss_cols / (k - 1),
        mse=ss_error / ((n - 1) * (k - 1)),
        msw=max(ss_total - ss_rows, 0.0) / (n * (k - 1)),
    )


def _ratio(num: float, den: float) -> float:
    """num / den, NaN unless den > 0: the denominators estimate a total variance, and a
    non-positive estimate (e.g. MSC < MSE in ICC(2,*)) gives no meaningful ICC."""
    return num / den if den > 1e-12 * max(1.0, abs(num)) else float("nan")


def _values(ms: MeanSquares) -> dict[Form, float]:
    n, k, msr, msc, mse, msw = ms.n, ms.k, ms.msr, ms.msc, ms.mse, ms.msw
    return {
        "ICC1": _ratio(msr - msw, msr + (k - 1) * msw),
        "ICC2": _ratio(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n),
        "ICC3": _ratio(msr - mse, msr + (k - 1) * mse),
        "ICC1k": _ratio(msr - msw, msr),
        "ICC2k": _ratio(msr - mse, msr + (msc - mse) / n),
        "ICC3k": _ratio(msr - mse, msr),
    }


def _why_undefined(form: Form, ms: MeanSquares) -> str:
    """Why ``form``'s value is undefined (its denominator is not positive), naming the
    mean square responsible: the (1,k) and (3,k) forms divide by MSR alone, so MSR = 0
    (units that do not differ) is their cause, not a negative variance estimate."""
    tiny = 1e-12 * max(ms.msr, ms.msc, ms.mse, ms.msw, 1e-300)
    no_msr = ms.msr <= tiny
    between = "the between-unit mean square MSR is 0: the units do not differ"
    if form in ("ICC1k", "ICC3k"):
        return f"undefined: {between}, so the reliability of the mean of k raters is 0/0"
    if form in ("ICC1", "ICC3"):
        kind = "error" if form == "ICC3" else "within-unit"
        return f"undefined: {between} and there is no {kind} variance either (0/0)"
    cause = (
        "the variance estimates leave no positive total variance "
        "(raters differ less than chance, MSC < MSE)"
    )
    return f"undefined: {between}, and {cause}" if no_msr else f"undefined: {cause}"


Interval = tuple[float, float]


def _intervals(ms: MeanSquares, icc2: float) -> dict[Form, Interval | str]:
    """95% CIs: Shrout & Fleiss (1979) eqs. for ICC(1,*) and ICC(3,*); ICC(2,*) with
    Satterthwaite's df as in McGraw & Wong (1996, Table 7) / psych::ICC.

    Each form gets its interval or the reason it has none (a note for the user): the
    F-based bounds divide by MSW (one-way forms) or MSE (two-way forms), and
    Satterthwaite's df can be 0/0 (e.g. raters who swap codes: MSR = MSC = 0). Computed
    in numpy float64 under ``errstate`` so a zero denominator is a NaN, never an exception.
    """
    out: dict[Form, Interval | str] = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = _f_bounds(ms, icc2, 0.975)
    for form in FORMS:
        ci = raw[form]
        if isinstance(ci, str):
            out[form] = ci
        elif np.isfinite(ci).all():
            out[form] = (float(ci[0]), float(ci[1]))
        else:
            out[form] = "no F-based CI: the interval is not finite for these data"
    return out


def _f_bounds(ms: MeanSquares, icc2: float, q: float) -> dict[Form, Any]:
    n, k = ms.n, ms.k
    msr, msc, mse, msw = (np.float64(v) for v in (ms.msr, ms.msc, ms.mse, ms.msw))
    out: dict[Form, Any] = {}
    if msw > 0:
        f1 = msr / msw
        fl = f1 / scipy_stats.f.ppf(q, n - 1, n * (k - 1))
        fu = f1 * scipy_stats.f.ppf(q, n * (k - 1), n - 1)
        out["ICC1"] = ((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))
        out["ICC1k"] = (
            (1 - 1 / fl, 1 - 1 / fu)
            if fl > 0 and fu > 0
            else "no F-based CI: the F ratio MSR/MSW is 0"
        )
    else:
        why = "no F-based CI: the within-unit mean square MSW is 0 (no within-unit variance)"
        out["ICC1"] = out["ICC1k"] = why
    if not mse > 0:
        why = "no F-based CI: the residual mean square MSE is 0 (no error variance)"
        out["ICC3"] = out["ICC3k"] = out["ICC2"] = out["ICC2k"] = why
        return out
    f3 = msr / mse
    fl = f3 / scipy_stats.f.ppf(q, n - 1, (n - 1) * (k - 1))
    fu = f3 * scipy_stats.f.ppf(q, (n - 1) * (k - 1), n - 1)
    out["ICC3"] = ((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))
    out["ICC3k"] = (
        (1 - 1 / fl, 1 - 1 / fu) if fl > 0 and fu > 0 else "no F-based CI: the F ratio MSR/MSE is 0"
    )
    if not np.isfinite(icc2):
        out["ICC2"] = out["ICC2k"] = "no CI: the point estimate is undefined"
        return out
    # Satterthwaite's v, McGraw & Wong (1996) / psych::ICC
    fj = msc / mse
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    if not (np.isfinite(v) and v > 0):
        why = (
            "no F-based CI: Satterthwaite's degrees of freedom are undefined for these data "
            f"({float(vn):.3g}/{float(vd):.3g})"
        )
        out["ICC2"] = out["ICC2k"] = why
        return out
    fu2 = scipy_stats.f.ppf(q, n - 1, v)
    fl2 = scipy_stats.f.ppf(q, v, n - 1)
    common = k * msc + (k * n - k - n) * mse
    low = n * (msr - fu2 * mse) / (fu2 * common + n * msr)
    high = n * (fl2 * msr - mse) / (common + n * fl2 * msr)
    out["ICC2"] = (low, high)
    out["ICC2k"] = (low * k / (1 + low * (k - 1)), high * k / (1 + high * (k - 1)))
    return out


def icc_all(matrix: Any) -> dict[Form, Stat]:
    """All six ICC forms with 95% CIs, keyed ``ICC1`` ... ``ICC3k`` (psych::ICC's names).

    Units with any missing rating are dropped (the ANOVA needs complete rows) and the
    note says how many. Undefined (value None) with fewer than two raters, fewer than two
    complete units, or no variance at all. Matches Shrout & Fleiss (1979) Table 2 data:
    .17, .29, .71, .44, .62, .91.
    """
    data = as_ratings(matrix)
    k = data.shape[1]
    complete = data[~np.isnan(data).any(axis=1)] if k else data
    n = len(complete)
    dropped = int((~np.isnan(data).all(axis=1)).sum()) - n if k else 0
    note = f"{dropped} unit(s) with a missing rating dropped (ICC needs complete rows)"
    reason = None
    if k < 2:
        reason = f"needs at least two raters (this table has {k})"
    elif n < 2:
        reason = f"needs at least 2 units rated by all {k} raters (found {n})"
    if reason is None:
        ms = mean_squares(complete)
        if ms.msr == 0 and ms.msw == 0:
            reason = "no variance: every rating is the same, so ICC is undefined"
    if reason is not None:
        return {
            f: undefined(f, reason if not dropped else f"{reason}; {note}", n, k) for f in FORMS
        }
    values = _values(ms)
    cis = _intervals(ms, values["ICC2"])
    result: dict[Form, Stat] = {}
    for form in FORMS:
        value = values[form]
        if not np.isfinite(value):
            why = _why_undefined(form, ms)
            result[form] = undefined(form, f"{why}; {note}" if dropped else why, n, k)
            continue
        stat = defined(form, value, n, k, note if dropped else None)
        ci = cis[form]
        if isinstance(ci, str):
            result[form] = stat.with_note(ci)
        else:
            result[form] = Stat(stat.value, ci, stat.note, n, k, form)
    return result


def icc(matrix: Any, form: Form = "ICC2") -> Stat:
    """One ICC form (see :func:`icc_all`); default ICC(2,1), absolute agreement."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}, not {form!r}")
    return icc_all(matrix)[form]
