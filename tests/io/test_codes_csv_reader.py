"""The codes-table reader's own rules: times to naive UTC, numbers within stored range."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from coder.domain.errors import CoderError
from coder.io.codes_csv import read_codes

HEADER = "patient,session,rater,code,unit,unit_index,value,created_at\n"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "codes.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_times_with_an_offset_become_naive_utc(tmp_path: Path) -> None:
    (record, zulu, naive) = read_codes(
        _write(
            tmp_path,
            "P01,1,Ada,W1,segment,1,1,2024-01-01T10:00:00+05:00",
            "P01,1,Ada,W2,segment,1,1,2024-01-01T10:00:00Z",
            "P01,1,Ada,W3,segment,1,1,2024-01-01T10:00:00",
        )
    )
    assert record.created_at == datetime(2024, 1, 1, 5, 0, 0)
    assert zulu.created_at == datetime(2024, 1, 1, 10, 0, 0)
    assert naive.created_at == datetime(2024, 1, 1, 10, 0, 0)


@pytest.mark.parametrize(
    ("session", "words"),
    [("1e300", "not a whole number"), ("9" * 5000, "too large"), ("2147483648", "too large"),
     ("3.5", "not a whole number"), ("x", "not a number")],
)  # fmt: skip
def test_numbers_out_of_range_are_problems_with_a_line(
    tmp_path: Path, session: str, words: str
) -> None:
    with pytest.raises(CoderError, match=f"line 2: session .*{words}"):
        read_codes(_write(tmp_path, f"P01,{session},Ada,W1,segment,1,1,"))


def test_spreadsheet_style_whole_numbers_still_read(tmp_path: Path) -> None:
    (record,) = read_codes(_write(tmp_path, "P01,3.0,Ada,W1,segment,2,1,"))
    assert (record.session, record.unit_index) == (3, 2)
