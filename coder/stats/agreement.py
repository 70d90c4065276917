"""Multi-rater agreement on categories: percent agreement, Fleiss' kappa, Gwet's AC1, PABAK.

All four share one observed-agreement term and differ only in the chance term, following
Gwet (2014), *Handbook of Inter-Rater Reliability* (4th ed.), chapters 2-5:

* r_ik = raters putting unit i in category k, r_i = sum_k r_ik, q = number of categories;
* p_a = mean over the n' units with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1));
* pi_k = mean over the n units with r_i >= 1 of r_ik / r_i.

Then percent agreement = p_a; Fleiss' kappa: p_e = sum_k pi_k^2; AC1: p_e =
sum_k pi_k (1 - pi_k) / (q - 1); Brennan-Prediger / PABAK: p_e = 1/q; each
(p_a - p_e) / (1 - p_e). With every unit rated by the same number of raters this *is*
Fleiss (1971); with unequal numbers it is Gwet's generalisation (his ``fleiss.kappa.raw``
in R irrCAC), which keeps single-rated units in pi_k but not in p_a.

Why not statsmodels' ``fleiss_kappa``: it needs complete data and pulls in statsmodels.
Why hand-written kernels: each statistic is evaluated for 1,000 bootstrap resamples at
once as matrix products over rating patterns (see :mod:`coder.stats.units`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coder.stats.result import Stat
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


# ---- kernels -------------------------------------------------------------------------------
def observed_agreement(units: Units, w: FloatArray) -> FloatArray:
    """p_a per row of ``w``: mean share of agreeing pairs over units with >= 2 ratings."""
    pair = pairable(units)
    m = units.m
    share = np.zeros(len(m))
    share[pair] = units.agreeing_pairs()[pair] / (m[pair] * (m[pair] - 1.0))
    result: FloatArray = safe_ratio(w @ share, w @ pair.astype(np.float64))
    return result


def category_shares(units: Units, w: FloatArray) -> FloatArray:
    """pi_k per row of ``w``: category shares averaged per unit over units with a rating."""
    rated = units.m >= 1
    inverse = np.zeros(len(units.m))
    inverse[rated] = 1.0 / units.m[rated]
    totals = units.per_category(w, inverse)
    result: FloatArray = safe_ratio(totals, (w @ rated.astype(np.float64))[:, None])
    return result


def _chance_corrected(pa: FloatArray, pe: FloatArray) -> FloatArray:
    result: FloatArray = safe_ratio(pa - pe, 1.0 - pe)
    return result


def percent_agreement_kernel(units: Units, w: FloatArray) -> FloatArray:
    return observed_agreement(units, w)


def fleiss_kernel(units: Units, w: FloatArray) -> FloatArray:
    pi = category_shares(units, w)
    return _chance_corrected(observed_agreement(units, w), (pi**2).sum(axis=1))


def ac1_kernel(units: Units, w: FloatArray) -> FloatArray:
    if units.q < 2:
        return np.full(w.shape[0], np.nan)
    pi = category_shares(units, w)
    pe = (pi * (1.0 - pi)).sum(axis=1) / (units.q - 1)
    return _chance_corrected(observed_agreement(units, w), pe)


def pabak_kernel(units: Units, w: FloatArray) -> FloatArray:
    if units.q < 2:
        return np.full(w.shape[0], np.nan)
    pa = observed_agreement(units, w)
    return _chance_corrected(pa, np.full_like(pa, 1.0 / units.q))


# ---- notes ----------------------------------------------------------------------------------
def _one_category_note(units: Units) -> str | None:
    used = units.used_categories(pairable(units))
    if len(used) == 1:
        return (
            f"only one category ({used[0]:g}) was used: the value reflects prevalence, "
            "not a demonstrated ability to tell categories apart"
        )
    return None


def _too_few_categories(units: Units) -> str:
    return (
        f"needs at least two categories (only {units.q} known); "
        "give the full category list, e.g. 0,1 for presence codes"
    )


PERCENT_AGREEMENT = Measure(
    "percent_agreement",
    percent_agreement_kernel,
    n_pairable,
    multi_rater_precheck,
    lambda _u: "undefined for these data",
    lambda u: (
        "only one category was used: agreement is complete but trivial"
        if len(u.used_categories(pairable(u))) == 1
        else None
    ),
)
FLEISS = Measure(
    "fleiss_kappa",
    fleiss_kernel,
    n_pairable,
    multi_rater_precheck,
    lambda u: one_category_reason(u, u.m >= 1),
)
AC1 = Measure(
    "gwet_ac1",
    ac1_kernel,
    n_pairable,
    lambda u: multi_rater_precheck(u) or (_too_few_categories(u) if u.q < 2 else None),
    lambda _u: "undefined for these data",
    _one_category_note,
)
PABAK = Measure(
    "pabak",
    pabak_kernel,
    n_pairable,
    lambda u: multi_rater_precheck(u) or (_too_few_categories(u) if u.q < 2 else None),
    lambda _u: "undefined for these data",
    _one_category_note,
)


# ---- public functions -------------------------------------------------------------------------
def percent_agreement(matrix: Any, categories: Sequence[float] | None = None) -> Stat:
    """Mean share of agreeing rater pairs over units with at least two ratings.

    For two raters and complete data this is the plain proportion of units on which they
    agree. Not chance-corrected, so it has no interpretation band; report it beside a
    kappa for rare codes, where kappa is prevalence-sensitive.
    """
    return evaluate(PERCENT_AGREEMENT, compress(matrix, categories))


def fleiss_kappa(matrix: Any, categories: Sequence[float] | None = None) -> Stat:
    """Fleiss' (1971) kappa; Gwet's (2014) generalisation when units have unequal numbers
    of ratings (see the module docstring for the formula). Matches Fleiss' worked example
    (10 subjects x 14 raters, 5 categories: kappa = 0.210).

    With complete data kappa cannot fall below -1. With missing ratings it has no lower
    bound: units rated once enter the category shares (hence p_e) but not p_a, so p_a can
    be 0 while p_e approaches 1. Two units on which two raters disagree plus three units
    rated once, all in one category, give p_a = 0, p_e = 0.68 and kappa = -2.125."""
    return evaluate(FLEISS, compress(matrix, categories))


def gwet_ac1(matrix: Any, categories: Sequence[float] | None = None) -> Stat:
    """Gwet's AC1 (Gwet 2008; 2014 formula for multiple raters and missing ratings).

    ``q`` is the number of categories: pass ``categories`` for presence codes (0, 1) so a
    category nobody used still counts.
    """
    return evaluate(AC1, compress(matrix, categories))


def pabak(matrix: Any, categories: Sequence[float] | None = None) -> Stat:
    """PABAK / Brennan-Prediger coefficient (p_a - 1/q) / (1 - 1/q) (Brennan & Prediger
    1981; Byrt, Bishop & Carlin 1993 give 2p_o - 1 for two categories)."""
    return evaluate(PABAK, compress(matrix, categories))


brennan_prediger = pabak
