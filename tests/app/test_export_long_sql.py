"""csv-long on SQLite builds its lines in SQL: its pieces must write exactly what
``csv.writer`` and ``export_common.hms`` write (the whole files are pinned in
test_output_pinned.py; these cover values the pinned projects do not hold)."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from coder.app.export_common import hms
from coder.app.export_long_sql import Fragments, _hms, _quoted

TEXTS = [
    "", "plain", "a,b", 'say "no"', "line\nbreak", "cr\ronly", "crlf\r\n", "tab\there",
    " padded ", "'single'", "semi;colon", "é日本", '"', ",", "\n",
]  # fmt: skip
# The SQLite way of csv-long (lines built by SQLite itself); a server takes csv.writer,
# whose bytes test_output_pinned.py pins on both back ends.
pytestmark = pytest.mark.sqlite_only


def csv_cell(value: object) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value, "x"])
    return buffer.getvalue()[: -len(",x\n")]


@pytest.mark.parametrize("text", [*TEXTS, None])
def test_sql_quoting_is_csv_writer_quoting(text: str | None) -> None:
    with sqlite3.connect(":memory:") as con:
        (written,) = con.execute(f"SELECT {_quoted('?1')}", (text,)).fetchone()
    con.close()
    assert written == csv_cell(text)


@pytest.mark.parametrize(
    "ms", [None, 0, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 86_399_999, 360_000_123_456]
)
def test_sql_hms_is_hms(ms: int | None) -> None:
    with sqlite3.connect(":memory:") as con:
        (written,) = con.execute(f"SELECT {_hms('?1')}", (ms,)).fetchone()
    con.close()
    assert written == hms(ms)


def test_fragments_write_a_lone_empty_value_as_empty() -> None:
    fragment = Fragments()
    assert fragment((None,)) == "" and fragment(("",)) == ""
    assert fragment((1, None, "a,b", 2.5)) == '1,,"a,b",2.5'
    assert fragment(("x",)) == "x"  # the buffer is reused, not appended to
