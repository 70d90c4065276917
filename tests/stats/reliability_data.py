"""Published reliability data sets, as units x raters matrices (NaN = missing)."""

from __future__ import annotations

import numpy as np

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 observers x 12 units, values 1-5, with missing values (here transposed: units x coders).
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
).T

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)

# Fleiss (1971) as on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14 raters,
# 5 categories; each row counts the raters who chose category 1..5.
FLEISS_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Cohen (1960), Table 1: proportions for 200 units, 3 categories (rows rater A, cols B).
COHEN_1960 = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])


def from_counts(counts: np.ndarray) -> np.ndarray:
    """A units x raters matrix from per-unit category counts (categories 1..q)."""
    return np.array([np.repeat(np.arange(1, counts.shape[1] + 1), row) for row in counts], float)


def from_confusion(table: np.ndarray) -> np.ndarray:
    """A units x 2 matrix from a confusion table (categories 0..q-1)."""
    rows = [[a, b] for a in range(table.shape[0]) for b in range(table.shape[1])
            for _ in range(int(table[a, b]))]  # fmt: skip
    return np.array(rows, dtype=float)
