"""The result every reliability statistic returns, and the texts the UI shows beside it.

Why a small frozen dataclass and not a float: a reliability figure is meaningless without
its N, and an undefined case (one category only, no variance, a single rater) must reach
the user as *undefined, because ...* rather than as a crash, a NaN or a silent 1.0. So
every function in :mod:`coder.stats` returns a :class:`Stat` whose ``value`` is ``None``
exactly when the statistic is undefined, with ``note`` saying why.

The interpretation bands are data (label thresholds with the publication they come from),
so a report can name its source; see :func:`interpret`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True, slots=True)
class Stat:
    """One reliability figure.

    ``value`` is ``None`` when the statistic is undefined for these data and ``note`` then
    says why; a defined value may carry a note too (units dropped, caveats).
    ``n_units`` counts the units that entered the computation (e.g. units rated by both
    raters for Cohen's kappa, complete rows for ICC), ``n_raters`` the rater columns.
    ``method`` is a stable key (``"cohen_kappa"``, ``"ICC2"``…) into :data:`HOW_COMPUTED`.
    """

    value: float | None
    ci95: tuple[float, float] | None
    note: str | None
    n_units: int
    n_raters: int
    method: str

    @property
    def defined(self) -> bool:
        return self.value is not None

    def with_note(self, extra: str | None) -> Stat:
        """The same result with ``extra`` appended to its note."""
        if not extra:
            return self
        return replace(self, note=f"{self.note}; {extra}" if self.note else extra)


def undefined(method: str, why: str, n_units: int, n_raters: int) -> Stat:
    return Stat(None, None, why, n_units, n_raters, method)


def defined(
    method: str, value: float, n_units: int, n_raters: int, note: str | None = None
) -> Stat:
    if not math.isfinite(value):  # a guard: callers check their denominators first
        return undefined(method, "the statistic is undefined for these data", n_units, n_raters)
    return Stat(float(value), None, note, n_units, n_raters, method)


# ---- how each statistic is computed (one short paragraph each, for the UI) --------------
_KAPPA_FAMILY = "Units with fewer than two ratings are left out of the observed agreement."
HOW_COMPUTED: dict[str, str] = {
    "percent_agreement": (
        "Share of agreeing rater pairs within each unit rated by at least two raters, "
        "averaged over those units (exact match of values; not chance-corrected)."
    ),
    "cohen_kappa": (
        "Cohen (1960): (po - pe) / (1 - pe) from the two raters' confusion matrix, pe from "
        "the product of each rater's own marginals. Units missing either rating are dropped."
    ),
    "weighted_kappa_linear": (
        "Cohen (1968) weighted kappa with linear agreement weights 1 - |i-j|/(q-1) on the "
        "category ranks; the same definition as sklearn cohen_kappa_score(weights='linear')."
    ),
    "weighted_kappa_quadratic": (
        "Cohen (1968) weighted kappa with quadratic agreement weights 1 - (i-j)^2/(q-1)^2 on "
        "the category ranks; as sklearn cohen_kappa_score(weights='quadratic')."
    ),
    "fleiss_kappa": (
        "Fleiss (1971) kappa for any number of raters; with unequal numbers of ratings per "
        "unit, Gwet's (2014) generalisation: chance from category shares averaged per unit. "
        + _KAPPA_FAMILY
    ),
    "gwet_ac1": (
        "Gwet's AC1 (Gwet 2008, 2014): chance agreement sum pk(1-pk)/(q-1), which stays "
        "stable when one category is rare. " + _KAPPA_FAMILY
    ),
    "pabak": (
        "Prevalence- and bias-adjusted kappa in the q-category Brennan-Prediger form "
        "(po - 1/q) / (1 - 1/q); for two categories 2po - 1 (Byrt et al. 1993)."
    ),
    "ICC1": "ICC(1,1) = McGraw & Wong ICC(1): one-way random effects, single rater.",
    "ICC2": "ICC(2,1) = McGraw & Wong ICC(A,1): two-way random, absolute agreement, single.",
    "ICC3": "ICC(3,1) = McGraw & Wong ICC(C,1): two-way mixed, consistency, single rater.",
    "ICC1k": "ICC(1,k) = McGraw & Wong ICC(k): one-way random effects, mean of k raters.",
    "ICC2k": "ICC(2,k) = McGraw & Wong ICC(A,k): two-way random, absolute, mean of k raters.",
    "ICC3k": "ICC(3,k) = McGraw & Wong ICC(C,k): two-way mixed, consistency, mean of k raters.",
}
HOW_COMPUTED["u_alpha"] = (
    "Krippendorff's unitizing alpha (Krippendorff 1995; 2004, pp. 251-256) for one code: "
    "each rater's spans of the code cut the character continuum of each transcript into "
    "units and gaps (gaps count: a span inside another rater's gap is a disagreement); "
    "uα = 1 - Do/De, with De from all units and gaps of all raters; sessions are pooled "
    "end to end; only sessions coded by every rater enter (the method needs every rater to "
    "unitize the whole continuum). 95% CI: percentile bootstrap over sessions (whole "
    "transcripts resampled with replacement), because characters of one session are not "
    "independent."
)
HOW_COMPUTED["turn_overlap"] = (
    "Descriptive, not chance-corrected: of the turns at least one rater marked with a span "
    "of the code, the share that every rater marked (sessions coded by every rater)."
)
for _level in LEVELS:
    HOW_COMPUTED[f"krippendorff_alpha_{_level}"] = (
        f"Krippendorff's alpha, {_level} metric: 1 - Do/De from the coincidence matrix of "
        "pairable values (Krippendorff 2011); any number of raters, missing values allowed; "
        "identical to the krippendorff package."
    )
for _key in ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"):
    HOW_COMPUTED[_key] += (
        " Shrout & Fleiss (1979) mean squares; F-based 95% CI; units with a missing rating "
        "are dropped."
    )
BOOTSTRAP_HOW = (
    "95% CI: percentile bootstrap over units (units resampled with replacement, 2.5th and "
    "97.5th percentiles of the resampled statistic)."
)


TITLES: dict[str, str] = {
    "percent_agreement": "Percent agreement",
    "cohen_kappa": "Cohen's kappa",
    "weighted_kappa_linear": "Weighted kappa (linear)",
    "weighted_kappa_quadratic": "Weighted kappa (quadratic)",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
    "pabak": "PABAK (Brennan-Prediger)",
    "ICC1": "ICC(1,1) = ICC(1)",
    "ICC2": "ICC(2,1) = ICC(A,1)",
    "ICC3": "ICC(3,1) = ICC(C,1)",
    "ICC1k": "ICC(1,k) = ICC(k)",
    "ICC2k": "ICC(2,k) = ICC(A,k)",
    "ICC3k": "ICC(3,k) = ICC(C,k)",
    "u_alpha": "Krippendorff's unitizing alpha (uα)",
    "turn_overlap": "Turns marked by all raters (share)",
}
for _level in LEVELS:
    TITLES[f"krippendorff_alpha_{_level}"] = f"Krippendorff's alpha ({_level})"


def how_computed(method: str) -> str:
    """The short "how computed" paragraph for a method key (``Stat.method``)."""
    try:
        return HOW_COMPUTED[method]
    except KeyError:
        raise ValueError(f"unknown statistic {method!r}") from None


# ---- interpretation bands ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Band:
    """Values above ``low`` (or equal to it when ``includes_low``) get ``label``."""

    low: float
    label: str
    includes_low: bool = True


@dataclass(frozen=True, slots=True)
class BandScale:
    name: str
    source: str
    bands: tuple[Band, ...]  # highest first

    def label(self, value: float) -> str:
        for band in self.bands:
            if value > band.low or (band.includes_low and value == band.low):
                return band.label
        return self.bands[-1].label


_NEG = -math.inf
LANDIS_KOCH = BandScale(
    "Landis & Koch (1977)",
    "Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for "
    "categorical data. Biometrics, 33(1), 159-174.",
    (
        Band(0.80, "almost perfect", includes_low=False),
        Band(0.60, "substantial", includes_low=False),
        Band(0.40, "moderate", includes_low=False),
        Band(0.20, "fair", includes_low=False),
        Band(0.0, "slight"),
        Band(_NEG, "poor"),
    ),
)
KOO_LI = BandScale(
    "Koo & Li (2016)",
    "Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass "
    "correlation coefficients for reliability research. J Chiropr Med, 15(2), 155-163.",
    (
        Band(0.90, "excellent", includes_low=False),
        Band(0.75, "good"),
        Band(0.50, "moderate"),
        Band(_NEG, "poor"),
    ),
)
CICCHETTI = BandScale(
    "Cicchetti (1994)",
    "Cicchetti, D. V. (1994). Guidelines, criteria, and rules of thumb for evaluating normed "
    "and standardized assessment instruments in psychology. Psychol Assess, 6(4), 284-290.",
    (
        Band(0.75, "excellent"),
        Band(0.60, "good"),
        Band(0.40, "fair"),
        Band(_NEG, "poor"),
    ),
)
KRIPPENDORFF = BandScale(
    "Krippendorff (2004)",
    "Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology (2nd ed.), "
    "section 11.4. Sage.",
    (
        Band(0.800, "reliable"),
        Band(0.667, "tentative conclusions only"),
        Band(_NEG, "unreliable"),
    ),
)


UNCORRECTED = frozenset({"percent_agreement", "turn_overlap"})  # shares, not chance-corrected


def scales_for(stat_name: str) -> tuple[BandScale, ...]:
    """The band scales that apply to a statistic (the first is the primary one)."""
    if stat_name.startswith("ICC"):
        return (KOO_LI, CICCHETTI)
    if stat_name.startswith("krippendorff_alpha") or stat_name == "u_alpha":
        return (KRIPPENDORFF,)
    if stat_name in {
        "cohen_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic", "fleiss_kappa",
    }:  # fmt: skip
        return (LANDIS_KOCH,)
    # Landis & Koch published their bands for kappa. AC1 and PABAK behave differently near
    # the extremes of prevalence (that is why they exist), so kappa's bands would mislead.
    if stat_name in {"percent_agreement", "turn_overlap", "gwet_ac1", "pabak"}:
        return ()
    raise ValueError(f"unknown statistic {stat_name!r}")


def interpret(stat_name: str, value: float | None) -> tuple[str, str]:
    """``(label, source)`` for a value under the primary band scale of ``stat_name``.

    Cohen's, weighted and Fleiss' kappa use Landis & Koch (1977), ICC uses Koo & Li (2016)
    (see :func:`interpret_all` for Cicchetti 1994 as well), alpha uses Krippendorff (2004).
    Percent agreement, overlap shares, AC1 and PABAK have no band published for them; an
    undefined value has no label.
    """
    scales = scales_for(stat_name)
    if value is None:
        return ("undefined", "")
    if not scales:
        if stat_name in UNCORRECTED:
            return ("no band", "not chance-corrected: no published band for this statistic")
        return ("no band", "no band was published for this statistic (Landis & Koch's are kappa's)")
    return (scales[0].label(value), scales[0].name)


def interpret_all(stat_name: str, value: float | None) -> list[tuple[str, str]]:
    """``(label, source)`` under every band scale that applies (ICC: Koo & Li, Cicchetti)."""
    if value is None:
        return []
    return [(scale.label(value), scale.name) for scale in scales_for(stat_name)]
