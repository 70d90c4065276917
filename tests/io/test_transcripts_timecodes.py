"""Timecode parsing: every spelling in the format spec, strict ranges, round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.io.transcripts.timecodes import (
    format_timecode,
    parse_time_value,
    parse_timecode,
    split_leading_timecode,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("[00:01:23]", 83_000),
        ("(01:23)", 83_000),
        ("{12:31}", 751_000),
        ("00:01:23", 83_000),
        ("1:23:45.678", 5_025_678),
        ("00:01:23,456", 83_456),
        ("00:01:23.456", 83_456),
        ("0:04", 4_000),
        ("00:00:05.5", 5_500),
        ("100:00:00.000", 360_000_000),
    ],
)
def test_parse_timecode_spellings(text: str, ms: int) -> None:
    assert parse_timecode(text) == ms


@pytest.mark.parametrize("text", ["00:09:025", "7:85", "00:60:00", "abc", "12", "[00:01:23", ""])
def test_parse_timecode_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_timecode(text)


def test_parse_time_value_accepts_seconds() -> None:
    assert parse_time_value("12.5") == 12_500
    assert parse_time_value("3") == 3_000
    assert parse_time_value("00:00:03") == 3_000


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[00:01:23] T: text", (83_000, "T: text")),
        ("[00:01:23]T: text", (83_000, "T: text")),
        ("00:01:23 Maya: text", (83_000, "Maya: text")),
        ("00:01:23\tMaya: text", (83_000, "Maya: text")),
        ("(01:23)", (83_000, "")),
        ("[inaudible] words", (None, "[inaudible] words")),
        ("(pause) words", (None, "(pause) words")),
        ("12 apples", (None, "12 apples")),
        ("12:30pm lunch", (None, "12:30pm lunch")),
    ],
)
def test_split_leading_timecode(line: str, expected: tuple[int | None, str]) -> None:
    assert split_leading_timecode(line) == expected


@given(st.integers(min_value=0, max_value=999 * 3_600_000 - 1), st.sampled_from([".", ","]))
def test_format_then_parse_round_trips(ms: int, separator: str) -> None:
    text = format_timecode(ms, separator=separator)
    assert parse_timecode(text) == ms
    assert parse_timecode(f"[{text}]") == ms


def test_format_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_timecode(-1)
