"""The ratings table for ``coder irr --ratings``: values, labels, and errors with line and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from coder.domain.errors import CoderError
from coder.io.ratings_table import read_ratings_table

WriteFile = Callable[[str, str | bytes], Path]


def test_numbers_and_missing_cells(write_file: WriteFile) -> None:
    path = write_file("r.csv", "unit,A,B,C\nu1,1,2,\nu2,3,,3\n\nu3,2.5,2,1\n")
    table = read_ratings_table(path, "interval")
    assert table.units == ("u1", "u2", "u3") and table.raters == ("A", "B", "C")
    np.testing.assert_array_equal(table.matrix, [[1, 2, np.nan], [3, np.nan, 3], [2.5, 2, 1]])
    assert table.labels is None and table.categories is None


def test_nominal_labels_are_coded_in_sorted_order(write_file: WriteFile) -> None:
    path = write_file("r.csv", "\ufeffseg,Ana,Ben\n1,yes,no\n2,no,no\n3,,yes\n")
    table = read_ratings_table(path, "nominal")
    assert table.labels == ("no", "yes")
    np.testing.assert_array_equal(table.matrix, [[1, 0], [0, 0], [np.nan, 1]])


def test_nominal_labels_follow_the_given_categories(write_file: WriteFile) -> None:
    path = write_file("r.csv", "seg,Ana,Ben\n1,yes,no\n2,no,no\n")
    table = read_ratings_table(path, "nominal", ["yes", "no", "maybe"])
    assert table.labels == ("yes", "no", "maybe") and table.categories == (0.0, 1.0, 2.0)
    np.testing.assert_array_equal(table.matrix, [[0, 1], [1, 1]])


def test_numeric_categories(write_file: WriteFile) -> None:
    path = write_file("r.csv", "seg;A;B\n1;0;1\n2;0;0\n")  # semicolons, as Excel writes them
    table = read_ratings_table(path, "nominal", ["0", "1"])
    assert table.categories == (0.0, 1.0) and table.labels is None
    with pytest.raises(CoderError, match=r"line 2, column 'B': '1' is not one of the categories 0"):
        read_ratings_table(path, "ordinal", ["0"])
    with pytest.raises(CoderError, match=r"--categories: 'low' is not a number"):
        read_ratings_table(path, "ordinal", ["low", "high"])


def test_tab_separated(write_file: WriteFile) -> None:
    table = read_ratings_table(write_file("r.tsv", "id\tA\tB\n1\t4\t5\n"), "ratio")
    np.testing.assert_array_equal(table.matrix, [[4, 5]])


@pytest.mark.parametrize(
    ("content", "level", "message"),
    [
        (
            "unit,A,B\nu1,1,x\n",
            "interval",
            r"r\.csv: line 2, column 'B': 'x' is not a number \(--level interval needs numbers\)",
        ),
        (
            "unit,A,B\nu1,1,2\nu2,NA,2\n",
            "ordinal",
            r"line 3, column 'A': 'NA' is not a number .*leave the cell empty",
        ),
        ("unit,A,B\nu1,1,-2\n", "ratio", r"line 2, column 'B': -2 is negative"),
        ("unit,A,B\nu1,1\n", "nominal", r"line 2: 2 cells, the header has 3"),
        ("unit,A,A\nu1,1,1\n", "nominal", r"line 1: rater 'A' appears twice"),
        ("unit,A,\nu1,1,1\n", "nominal", r"line 1, column 3: the rater column has no name"),
        ("unit\nu1\n", "nominal", r"line 1: need a unit id column and at least one rater"),
        (
            "unit,A,B\nu1,1,1\nu1,0,0\n",
            "nominal",
            r"line 3: unit 'u1' appears twice \(first on line 2\)",
        ),
        ("unit,A,B\n,1,1\n", "nominal", r"line 2: the unit id is empty"),
        ("unit,A,B\n", "nominal", r"no units"),
        ("  \n", "nominal", r"the file is empty"),
        (b"unit,A\n\xff,1\n", "nominal", r"not UTF-8"),
    ],
)
def test_errors_name_file_line_and_column(
    write_file: WriteFile, content: str | bytes, level: str, message: str
) -> None:
    path = write_file("r.csv", content)
    with pytest.raises(CoderError, match=message) as info:
        read_ratings_table(path, level)
    assert info.value.path == str(path)


def test_missing_file_and_unknown_level(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="no such file") as info:
        read_ratings_table(tmp_path / "absent.csv", "nominal")
    assert info.value.path == str(tmp_path / "absent.csv")
    with pytest.raises(CoderError, match="unknown level 'binary'"):
        read_ratings_table(tmp_path / "absent.csv", "binary")
    with pytest.raises(CoderError, match="is a folder"):
        read_ratings_table(tmp_path, "nominal")


def test_label_not_in_given_categories(write_file: WriteFile) -> None:
    path = write_file("r.csv", "seg,A,B\n1,yes,maybe\n")
    with pytest.raises(
        CoderError, match=r"line 2, column 'B': 'maybe' is not one of the categories yes, no"
    ):
        read_ratings_table(path, "nominal", ["yes", "no"])
