"""The ratings table: one row per unit, one column per rater, for ``coder irr --ratings``.

Layout (UTF-8 CSV; a comma, semicolon or tab separator is recognised from the header)::

    unit,Ana,Ben,Cleo
    S01-seg01,1,1,
    S01-seg02,0,1,0

The first column is a unit id (unique); every further column is one rater. An empty cell
is a missing rating. For ``nominal`` data the values may be labels (``yes``/``no``,
``W1``...): they are mapped to codes 0, 1, ... in the order of ``categories`` if given,
else in sorted order; if every value is a number the numbers are kept. ``ordinal``,
``interval`` and ``ratio`` data must be numbers (``ratio`` ones not negative).

The stdlib ``csv`` module is used rather than pandas so that every problem can name its
line and column (same reason as :mod:`coder.io.codes_csv`).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from coder.domain.errors import CoderError, file_error

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True, eq=False)
class RatingsTable:
    """A units x raters matrix read from a file.

    ``matrix`` holds floats with NaN for missing. ``labels`` is set when nominal values
    were text: ``labels[i]`` is the label coded as ``i``. ``categories`` are the category
    values (codes or numbers) to pass to the statistics, or None for "as observed".
    """

    path: Path
    units: tuple[str, ...]
    raters: tuple[str, ...]
    matrix: npt.NDArray[np.float64]
    categories: tuple[float, ...] | None
    labels: tuple[str, ...] | None


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise file_error(exc, path, writing=False) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CoderError(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV", path=path
        ) from None
    if not text.strip():
        raise CoderError("the file is empty", path=path)
    return text


def _delimiter(text: str) -> str:
    header = text.splitlines()[0]
    if "," not in header:
        for candidate in (";", "\t"):
            if candidate in header:
                return candidate
    return ","


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_ratings_table(path: Path, level: str, categories: list[str] | None = None) -> RatingsTable:
    """Read and check a ratings table; raise :class:`CoderError` naming file, line, column.

    ``categories`` are the user's category names (``--categories a,b,c``): labels for
    nominal text data, numbers otherwise. Every rating must be one of them if given.
    """
    if level not in LEVELS:
        raise CoderError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    text = _decode(path)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    header = [h.strip() for h in rows[0]]
    if len(header) < 2:
        raise CoderError("line 1: need a unit id column and at least one rater column", path=path)
    raters = header[1:]
    for i, name in enumerate(raters, start=2):
        if not name:
            raise CoderError(f"line 1, column {i}: the rater column has no name", path=path)
        if raters.index(name) + 2 != i:
            raise CoderError(f"line 1: rater {name!r} appears twice", path=path)
    units: list[str] = []
    cells: list[tuple[int, list[str]]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CoderError(
                f"line {line}: {len(row)} cells, the header has {len(header)}", path=path
            )
        unit = row[0].strip()
        if not unit:
            raise CoderError(f"line {line}: the unit id is empty", path=path)
        if unit in seen:
            raise CoderError(
                f"line {line}: unit {unit!r} appears twice (first on line {seen[unit]})",
                path=path,
            )
        seen[unit] = line
        units.append(unit)
        cells.append((line, [c.strip() for c in row[1:]]))
    if not units:
        raise CoderError("no units: the table has a header but no rows", path=path)
    values = [c for _, row in cells for c in row if c]
    textual = level == "nominal" and any(_number(v) is None for v in [*values, *(categories or [])])
    if textual:
        return _labelled(path, units, raters, cells, values, categories)
    return _numeric(path, level, units, raters, cells, categories)


def _where(line: int, raters: list[str], column: int) -> str:
    return f"line {line}, column {raters[column]!r}"


def _numeric(
    path: Path,
    level: str,
    units: list[str],
    raters: list[str],
    cells: list[tuple[int, list[str]]],
    categories: list[str] | None,
) -> RatingsTable:
    allowed: tuple[float, ...] | None = None
    if categories is not None:
        parsed = [_number(c) for c in categories]
        bad = [c for c, v in zip(categories, parsed, strict=True) if v is None]
        if bad:
            raise CoderError(
                f"--categories: {bad[0]!r} is not a number ({level} data need numbers)"
            )
        allowed = tuple(v for v in parsed if v is not None)
        if len(set(allowed)) != len(allowed):
            raise CoderError("--categories: a category is listed twice")
    matrix = np.full((len(units), len(raters)), np.nan)
    for i, (line, row) in enumerate(cells):
        for j, cell in enumerate(row):
            if not cell:
                continue
            value = _number(cell)
            if value is None:
                hint = " (leave the cell empty for a missing rating)" if cell.upper() in {
                    "NA", "N/A", "NAN", ".", "-"} else ""  # fmt: skip
                raise CoderError(
                    f"{_where(line, raters, j)}: {cell!r} is not a number "
                    f"(--level {level} needs numbers){hint}",
                    path=path,
                )
            if level == "ratio" and value < 0:
                raise CoderError(
                    f"{_where(line, raters, j)}: {cell} is negative; ratio data start at 0",
                    path=path,
                )
            if allowed is not None and value not in allowed:
                raise CoderError(
                    f"{_where(line, raters, j)}: {cell!r} is not one of the categories "
                    f"{', '.join(categories or [])}",
                    path=path,
                )
            matrix[i, j] = value
    return RatingsTable(path, tuple(units), tuple(raters), matrix, allowed, None)


def _labelled(
    path: Path,
    units: list[str],
    raters: list[str],
    cells: list[tuple[int, list[str]]],
    values: list[str],
    categories: list[str] | None,
) -> RatingsTable:
    if categories is not None:
        if len(set(categories)) != len(categories):
            raise CoderError("--categories: a category is listed twice")
        labels = list(categories)
    else:
        labels = sorted(set(values))
    code = {label: float(i) for i, label in enumerate(labels)}
    matrix = np.full((len(units), len(raters)), np.nan)
    for i, (line, row) in enumerate(cells):
        for j, cell in enumerate(row):
            if not cell:
                continue
            if cell not in code:
                raise CoderError(
                    f"{_where(line, raters, j)}: {cell!r} is not one of the categories "
                    f"{', '.join(labels)}",
                    path=path,
                )
            matrix[i, j] = code[cell]
    known = tuple(code.values()) if categories is not None else None
    return RatingsTable(path, tuple(units), tuple(raters), matrix, known, tuple(labels))
