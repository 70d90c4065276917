"""Reliability benchmarks: bootstrap CIs and the per-code statistics of a coding round.

    .venv/bin/python benchmarks/bench_reliability.py [--quick] [--check]

Inputs are generated here (seeded numpy): presence codes (0/1) over 6,000 units
(= 500 sessions x 12 five-minute segments) rated by 3 raters, with 2-30 % prevalence,
8 % rater noise and 3 % missing ratings; and a 1-5 significance rating for the ordinal
line. Prints median/min/max per figure; ``--check`` exits 1 when a target is missed or
when our alpha is slower than calling the ``krippendorff`` package.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from functools import partial

import krippendorff
import numpy as np
from bench_import import Figure, report, timed

from coder.stats.reliability import (
    bootstrap_ci,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    reliability_report,
)

UNITS, RATERS, CODES, RESAMPLES = 6_000, 3, 30, 1_000
PRESENCE = (0.0, 1.0)


def ms(work: Callable[[], object]) -> float:
    """Milliseconds taken by ``work()`` (timed like every benchmark here)."""
    return timed(work)[0] * 1000


def presence_code(rng: np.random.Generator, prevalence: float) -> np.ndarray:
    truth = rng.random(UNITS) < prevalence
    noisy = truth[:, None] ^ (rng.random((UNITS, RATERS)) < 0.08)
    matrix = noisy.astype(np.float64)
    matrix[rng.random((UNITS, RATERS)) < 0.03] = np.nan
    return matrix


def significance(rng: np.random.Generator) -> np.ndarray:
    truth = rng.integers(1, 6, UNITS)
    noisy = np.clip(truth[:, None] + rng.integers(-1, 2, (UNITS, RATERS)), 1, 5)
    matrix: np.ndarray = noisy.astype(np.float64)
    matrix[rng.random((UNITS, RATERS)) < 0.03] = np.nan
    return matrix


def codes() -> list[np.ndarray]:
    rng = np.random.default_rng(2026)
    return [presence_code(rng, p) for p in np.linspace(0.02, 0.30, CODES)]


def ours(code: np.ndarray) -> None:
    percent_agreement(code)
    cohen_kappa(code[:, :2])
    fleiss_kappa(code)
    krippendorff_alpha(code, "nominal")
    gwet_ac1(code, PRESENCE)
    pabak(code, PRESENCE)


def with_library_alpha(code: np.ndarray) -> None:
    percent_agreement(code)
    cohen_kappa(code[:, :2])
    fleiss_kappa(code)
    krippendorff.alpha(reliability_data=code.T, level_of_measurement="nominal")
    gwet_ac1(code, PRESENCE)
    pabak(code, PRESENCE)


def each(work: Callable[[np.ndarray], object], data: list[np.ndarray]) -> None:
    for code in data:
        work(code)


def bench(reps: int) -> list[Figure]:
    data = codes()
    one = data[4]  # about 6 % prevalence
    ordinal = significance(np.random.default_rng(7))
    boot: dict[str, Callable[[], object]] = {
        "bootstrap 1000: Cohen kappa 6000x2": partial(
            bootstrap_ci, cohen_kappa, one[:, :2], RESAMPLES, 1
        ),
        "bootstrap 1000: alpha nominal 6000x3": partial(
            bootstrap_ci, krippendorff_alpha, one, RESAMPLES, 1
        ),
        "bootstrap 1000: all stats, one code": partial(
            reliability_report, one, "nominal", PRESENCE, RESAMPLES, 1
        ),
        "bootstrap 1000: alpha ordinal 1-5": partial(
            bootstrap_ci, krippendorff_alpha, ordinal, RESAMPLES, 1, level="ordinal"
        ),
    }
    figures = [
        Figure(name, [ms(work) for _ in range(reps)], "ms", 500) for name, work in boot.items()
    ]
    figures[-1].target = None  # the ordinal line is a report
    batch: dict[str, tuple[Callable[[], object], float | None]] = {
        "30 codes: 6 stats, ours": (partial(each, ours, data), 1000),
        "30 codes: 6 stats, library alpha": (partial(each, with_library_alpha, data), None),
        "30 codes: alpha only, ours": (
            partial(each, lambda c: krippendorff_alpha(c, "nominal"), data),
            None,
        ),
        "30 codes: alpha only, library": (
            partial(
                each,
                lambda c: krippendorff.alpha(reliability_data=c.T, level_of_measurement="nominal"),
                data,
            ),
            None,
        ),
    }
    figures += [
        Figure(name, [ms(work) for _ in range(reps)], "ms", target)
        for name, (work, target) in batch.items()
    ]
    return figures


def never_slower(figures: list[Figure]) -> bool:
    by_name = {f.name: statistics.median(f.values) for f in figures}
    pairs = [
        ("30 codes: 6 stats, ours", "30 codes: 6 stats, library alpha"),
        ("30 codes: alpha only, ours", "30 codes: alpha only, library"),
    ]
    ok = True
    for mine, theirs in pairs:
        ratio = by_name[mine] / by_name[theirs]
        verdict = "PASS" if ratio <= 1.0 else "FAIL"
        print(f"{mine} / {theirs.split(', ')[-1]}: {ratio:.2f}x  (<= 1)  {verdict}")
        ok = ok and ratio <= 1.0
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    figures = bench(3 if args.quick else 7)
    report(figures)
    faster = never_slower(figures)
    failed = [f.name for f in figures if f.passed is False]
    return 1 if args.check and (failed or not faster) else 0


if __name__ == "__main__":
    sys.exit(main())
