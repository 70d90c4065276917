"""Inter-rater reliability: the public API of :mod:`coder.stats`, and the full report.

Every statistic takes a units x raters matrix (float, NaN = missing; an array or a
DataFrame) and returns a :class:`Stat`. :func:`reliability_report` computes all of them
for one code or rating at a level of measurement, with bootstrap CIs drawn from one
shared set of resamples, and says for each statistic that does not apply why not.

Which statistic when (3RS practice, docs/reliability.md): ICC for significance/salience
ratings and per-session marker counts; Cohen's / Fleiss' kappa or Krippendorff's alpha
for presence codes per segment, with percent agreement and PABAK / AC1 beside them
because rare codes make kappa prevalence-sensitive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from coder.stats.agreement import (
    AC1,
    FLEISS,
    PABAK,
    PERCENT_AGREEMENT,
    brennan_prediger,
    fleiss_kappa,
    gwet_ac1,
    pabak,
    percent_agreement,
)
from coder.stats.alpha import MEASURES as ALPHA_MEASURES
from coder.stats.alpha import krippendorff_alpha
from coder.stats.bootstrap import (
    BootstrapCI,
    bootstrap_ci,
    bootstrap_kernels,
    with_bootstrap,
    with_ci,
)
from coder.stats.cohen import MEASURES as COHEN_MEASURES
from coder.stats.cohen import cohen_kappa, weighted_kappa
from coder.stats.icc import FORMS, Form, MeanSquares, icc, icc_all, mean_squares
from coder.stats.result import (
    BOOTSTRAP_HOW,
    HOW_COMPUTED,
    LEVELS,
    TITLES,
    Level,
    Stat,
    how_computed,
    interpret,
    interpret_all,
    undefined,
)
from coder.stats.units import Measure, compress, evaluate

__all__ = [
    "BOOTSTRAP_HOW",
    "FORMS",
    "HOW_COMPUTED",
    "LEVELS",
    "STAT_KEYS",
    "TITLES",
    "BootstrapCI",
    "Form",
    "Level",
    "MeanSquares",
    "ReliabilityReport",
    "Stat",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "how_computed",
    "icc",
    "icc_all",
    "interpret",
    "interpret_all",
    "krippendorff_alpha",
    "mean_squares",
    "pabak",
    "percent_agreement",
    "reliability_report",
    "weighted_kappa",
    "with_bootstrap",
]

STAT_KEYS = (
    "percent_agreement",
    "cohen_kappa",
    "weighted_kappa_linear",
    "weighted_kappa_quadratic",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "pabak",
)
_AS_CATEGORIES = "values treated as unordered categories"
_UNORDERED = {"cohen_kappa", "fleiss_kappa", "gwet_ac1", "pabak"}
_RATIO_WORK = 5e9  # resamples x distinct values^2 above which ratio alpha gets no bootstrap
_log = logging.getLogger(__name__)
T = TypeVar("T")


def failure_note(exc: BaseException) -> str:
    """The note of a statistic whose computation raised: what failed, so a user can report
    it, while the other statistics of the report are still shown."""
    return (
        f"could not be computed for these data ({type(exc).__name__}: {exc}); "
        "the other statistics are unaffected"
    )


def _failed(method: str, n_units: int, n_raters: int, why: str) -> Stat:
    return undefined(method, why, n_units, n_raters)


def guarded(compute: Callable[[], T], fallback: Callable[[str], T]) -> T:
    """``compute()``, or ``fallback(note)`` when it raises.

    Why: one report holds many statistics, and a numerical corner case in one of them
    (a zero denominator nobody foresaw) must become *that* statistic's null with a note,
    never an "internal error" that hides every other figure. The exception is logged with
    its traceback for the developers.
    """
    try:
        return compute()
    except Exception as exc:  # deliberately broad: see the docstring
        _log.exception("reliability statistic failed")
        return fallback(failure_note(exc))


@dataclass(frozen=True)
class ReliabilityReport:
    """All statistics for one units x raters matrix at one level of measurement."""

    level: Level
    n_units: int
    n_raters: int
    stats: dict[str, Stat]  # keyed by STAT_KEYS, in that order
    icc: dict[Form, Stat]
    bootstrap: int
    seed: int | None

    def as_dict(self) -> dict[str, Any]:
        """The ``coder irr --json`` object: n_units, n_raters, one object per statistic
        (value, ci95, note) and ``icc`` with the six forms."""
        out: dict[str, Any] = {"n_units": self.n_units, "n_raters": self.n_raters}
        for key, stat in self.stats.items():
            out[key] = stat_dict(stat)
        out["icc"] = {form: stat_dict(stat) for form, stat in self.icc.items()}
        return out


def stat_dict(stat: Stat) -> dict[str, Any]:
    return {
        "value": stat.value,
        "ci95": list(stat.ci95) if stat.ci95 is not None else None,
        "note": stat.note,
    }


def _measures(level: Level) -> dict[str, Measure | str]:
    """The measure for each report key, or the reason it does not apply."""
    ordered = level != "nominal"
    no_weights = "weighted kappa needs ordered categories; the level is nominal"
    return {
        "percent_agreement": PERCENT_AGREEMENT,
        "cohen_kappa": COHEN_MEASURES[None],
        "weighted_kappa_linear": COHEN_MEASURES["linear"] if ordered else no_weights,
        "weighted_kappa_quadratic": COHEN_MEASURES["quadratic"] if ordered else no_weights,
        "fleiss_kappa": FLEISS,
        "krippendorff_alpha": ALPHA_MEASURES[level],
        "gwet_ac1": AC1,
        "pabak": PABAK,
    }


def reliability_report(
    matrix: Any,
    level: Level,
    categories: Sequence[float] | None = None,
    bootstrap: int = 1000,
    seed: int | None = 2026,
) -> ReliabilityReport:
    """Every statistic for ``matrix`` at ``level``, with bootstrap CIs (``bootstrap``
    resamples of the units, one shared draw seeded by ``seed``; 0 = no CIs).

    Kappa-type statistics treat values as unordered categories; weighted kappa and ICC
    are only computed for ordinal, interval and ratio data. ICC CIs are F-based.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    units = compress(matrix, categories)
    stats: dict[str, Stat] = {}
    active: list[tuple[str, Measure]] = []
    for key, measure in _measures(level).items():
        if isinstance(measure, str):
            stats[key] = undefined(key, measure, 0, units.n_raters)
            continue
        stat = guarded(
            partial(evaluate, measure, units),
            partial(_failed, key, units.n_units, units.n_raters),
        )
        if level != "nominal" and key in _UNORDERED and stat.value is not None:
            stat = stat.with_note(_AS_CATEGORIES)
        stats[key] = replace(stat, method=measure.method)
        if stat.value is None:
            continue
        if measure.method == "krippendorff_alpha_ratio" and bootstrap * units.q**2 > _RATIO_WORK:
            stats[key] = stats[key].with_note(
                f"no bootstrap CI: ratio alpha over {units.q} distinct values costs "
                "q^2 per resample; round the values or use the interval level"
            )
            continue
        active.append((key, measure))
    if bootstrap > 0 and active:
        intervals = guarded(
            lambda: bootstrap_kernels(units, [m for _, m in active], bootstrap, seed),
            lambda why: [BootstrapCI(None, bootstrap, 0, True, failure=why) for _ in active],
        )
        for (key, _), boot in zip(active, intervals, strict=True):
            stats[key] = with_ci(stats[key], boot)
    if level == "nominal":
        why = "ICC needs numeric ratings on an interval scale; the level is nominal"
        forms = {form: undefined(form, why, 0, units.n_raters) for form in FORMS}
    else:
        forms = guarded(
            lambda: icc_all(matrix),
            lambda why: {
                form: undefined(form, why, units.n_units, units.n_raters) for form in FORMS
            },
        )
    return ReliabilityReport(
        level=level,
        n_units=units.n_units,
        n_raters=units.n_raters,
        stats=stats,
        icc=forms,
        bootstrap=bootstrap,
        seed=seed,
    )
