"""The spans table: units that raters placed themselves on one continuum, for
``coder irr --spans`` (Krippendorff's unitizing alpha, :mod:`coder.stats.unitizing`).

Layout (UTF-8 CSV; comma, semicolon or tab recognised from the header; column order free)::

    rater,begin,length,category
    Ana,0,120,W3
    Ben,10,100,W3
    Ben,400,35,C1

``begin`` and ``length`` are integers on one continuum (e.g. character offsets in a
transcript); a unit covers ``begin .. begin+length-1``. One rater's units of one category
may touch but not overlap (the method compares each rater's partition of the continuum
into units and gaps; an overlap is an error naming both lines, not silently merged).
The continuum is ``--continuum BEGIN,END`` or else the smallest begin to the largest end.
Every rater in the file is one of the raters (m); a rater with no unit of a category
has an all-gap continuum for it.

The stdlib ``csv`` module is used (as in :mod:`coder.io.ratings_table`) so every problem
names its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from coder.domain.errors import CoderError
from coder.io.ratings_table import _decode, _delimiter

COLUMNS = ("rater", "begin", "length", "category")


@dataclass(frozen=True)
class SpanRow:
    line: int
    rater: str
    begin: int
    length: int
    category: str


@dataclass(frozen=True)
class SpansTable:
    """Spans read from a file, checked, on the continuum ``[begin, end)``."""

    path: Path
    raters: tuple[str, ...]  # in order of first appearance
    categories: tuple[str, ...]  # in order of first appearance
    begin: int
    end: int
    rows: tuple[SpanRow, ...]

    def units(self, category: str) -> tuple[tuple[int, int, int], ...]:
        """``(rater index, begin, length)`` of every unit of ``category``."""
        index = {r: i for i, r in enumerate(self.raters)}
        return tuple(
            (index[r.rater], r.begin, r.length) for r in self.rows if r.category == category
        )


def parse_continuum(text: str) -> tuple[int, int]:
    """``"0,5000"`` -> (0, 5000); CoderError unless two integers with BEGIN < END."""
    parts = [p.strip() for p in text.split(",")]
    try:
        begin, end = (int(p) for p in parts)
    except ValueError:
        raise CoderError(f"--continuum {text!r}: give two integers BEGIN,END") from None
    if end <= begin:
        raise CoderError(f"--continuum {text!r}: END must be larger than BEGIN")
    return begin, end


def _integer(path: Path, line: int, column: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CoderError(
            f"line {line}, column {column!r}: {text!r} is not a whole number", path=path
        ) from None


def read_spans_table(path: Path, continuum: tuple[int, int] | None = None) -> SpansTable:
    """Read and check a spans table; CoderError naming the file, line and problem."""
    text = _decode(path)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CoderError(
            f"line 1: missing column(s) {', '.join(missing)} (need {','.join(COLUMNS)})",
            path=path,
        )
    col = {name: header.index(name) for name in COLUMNS}
    spans: list[SpanRow] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CoderError(
                f"line {line}: {len(row)} cells, the header has {len(header)}", path=path
            )
        cells = {name: row[i].strip() for name, i in col.items()}
        for name in ("rater", "category"):
            if not cells[name]:
                raise CoderError(f"line {line}: the {name} is empty", path=path)
        begin = _integer(path, line, "begin", cells["begin"])
        length = _integer(path, line, "length", cells["length"])
        if length < 1:
            raise CoderError(
                f"line {line}, column 'length': {length} (a unit is at least 1 long)", path=path
            )
        spans.append(SpanRow(line, cells["rater"], begin, length, cells["category"]))
    if not spans:
        raise CoderError("no spans: the table has a header but no rows", path=path)
    if continuum is None:
        begin, end = min(s.begin for s in spans), max(s.begin + s.length for s in spans)
    else:
        begin, end = continuum
    for s in spans:
        if s.begin < begin or s.begin + s.length > end:
            raise CoderError(
                f"line {s.line}: unit {s.begin}..{s.begin + s.length} lies outside the "
                f"continuum {begin},{end}",
                path=path,
            )
    last: dict[tuple[str, str], SpanRow] = {}
    for s in sorted(spans, key=lambda s: (s.rater, s.category, s.begin)):
        before = last.get((s.rater, s.category))
        if before is not None and s.begin < before.begin + before.length:
            raise CoderError(
                f"line {s.line}: {s.rater}'s {s.category} unit at {s.begin} overlaps their "
                f"unit on line {before.line} (one rater's units of a category may not overlap)",
                path=path,
            )
        last[(s.rater, s.category)] = s
    raters = tuple(dict.fromkeys(s.rater for s in spans))
    categories = tuple(dict.fromkeys(s.category for s in spans))
    return SpansTable(path, raters, categories, begin, end, tuple(spans))
