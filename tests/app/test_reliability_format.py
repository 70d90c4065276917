"""One formatter for every reliability CSV: the project form, the ratings-table form, the
spans form and the window's Export CSV print a number the same way."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from coder.app import reliability_format
from coder.app.reliability import ReliabilityRow, ReliabilityTable
from coder.stats.reliability import ReliabilityReport, reliability_report
from coder.stats.unitizing import Continuum, unitizing_alpha

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (0.28970588235294115, "0.289706"),
        (1.0, "1"),
        (-0.0123456789, "-0.0123457"),
        (1234.56789, "1234.57"),
    ],
)
def test_csv_number_has_one_precision(value: float | None, cell: str) -> None:
    assert reliability_format.CSV_SIGNIFICANT == 6
    assert reliability_format.csv_number(value) == cell


def _report() -> ReliabilityReport:
    return reliability_report(SHROUT_FLEISS, "interval", bootstrap=50, seed=1)


def _cells(text: str, key: str) -> dict[str, tuple[str, str, str]]:
    return {
        row[key]: (row["value"], row["ci_low"], row["ci_high"])
        for row in csv.DictReader(io.StringIO(text))
    }


def test_ratings_form_and_project_form_print_the_same_digits() -> None:
    report = _report()
    table = ReliabilityTable(
        "3RS", ("A", "B", "C", "D"), 6, (ReliabilityRow("rating", "sig", "Sig", "segment", report),)
    )
    ratings = _cells(reliability_format.report_csv(report), "statistic")
    project = _cells(reliability_format.as_csv(table), "statistic")
    assert ratings == project
    icc2 = ratings["ICC2"][0]
    assert icc2 == f"{report.icc['ICC2'].value:.6g}" and len(icc2) == len("0.289764")
    assert round(float(icc2), 2) == 0.29  # Shrout & Fleiss (1979), Table 4: ICC(2,1) = .29
    ci_low = ratings["krippendorff_alpha"][1]
    assert ci_low and len(ci_low.lstrip("-0.").rstrip("0")) <= 6  # not repr()'s 17 digits


def test_spans_form_uses_the_same_precision() -> None:
    result = unitizing_alpha([Continuum(0, 30, ((0, 0, 10), (1, 2, 12)))], 2)
    text = reliability_format.spans_csv({"X": result})
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["u_alpha"] == reliability_format.csv_number(result.stat.value)
    assert row["d_o"] == reliability_format.csv_number(result.d_o)
