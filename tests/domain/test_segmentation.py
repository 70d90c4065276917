from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.domain.coding import SegmentKind
from coder.domain.errors import ValidationError
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import SegmentationMode, SegmentationRule
from coder.domain.segmentation import build_segments, estimated_starts, rule_key, segment_of_turn
from coder.domain.transcript import Turn

FIVE_MIN = SegmentationRule(SegmentationMode.TIME_WINDOW, window_s=300)


def turns_at(*starts_s: float | None, words: int = 5) -> list[Turn]:
    return [
        Turn(
            i,
            "T",
            SpeakerRole.THERAPIST,
            " ".join(["word"] * words),
            None if s is None else int(s * 1000),
        )
        for i, s in enumerate(starts_s, start=1)
    ]


def test_turns_go_to_the_window_they_start_in() -> None:
    segs = build_segments(turns_at(0, 100, 299.9, 300, 650), FIVE_MIN)
    assert [(s.index, s.first_turn, s.last_turn) for s in segs] == [(1, 1, 3), (2, 4, 4), (3, 5, 5)]
    assert (segs[1].start_ms, segs[1].end_ms) == (300_000, 600_000)
    assert not any(s.estimated for s in segs)
    assert all(s.kind is SegmentKind.TIME_WINDOW for s in segs)


def test_window_without_a_starting_turn_holds_the_ongoing_turn() -> None:
    segs = build_segments(turns_at(10, 200, 1000), FIVE_MIN)
    assert [(s.index, s.first_turn, s.last_turn) for s in segs] == [
        (1, 1, 2),
        (2, 2, 2),
        (3, 2, 2),
        (4, 3, 3),
    ]
    assert segment_of_turn(segs, 2) is segs[0]


def test_numbering_follows_the_clock_when_recording_starts_late() -> None:
    segs = build_segments(turns_at(700, 760), FIVE_MIN)
    assert [(s.index, s.start_ms) for s in segs] == [(3, 600_000)]


def test_untimed_transcripts_get_estimated_windows() -> None:
    # 150 words per minute, 150 words a turn: turn k starts at minute k-1.
    turns = turns_at(*([None] * 12), words=150)
    segs = build_segments(turns, FIVE_MIN)
    assert [(s.first_turn, s.last_turn) for s in segs] == [(1, 5), (6, 10), (11, 12)]
    assert all(s.estimated for s in segs)
    assert estimated_starts(turns[:3], 150) == [0, 60_000, 120_000]


def test_untimed_can_fall_back_to_turn_blocks() -> None:
    rule = SegmentationRule(SegmentationMode.TIME_WINDOW, window_s=300, turns_per_block=4)
    segs = build_segments(turns_at(*([None] * 10)), rule, untimed="turns")
    assert [(s.first_turn, s.last_turn, s.kind) for s in segs] == [
        (1, 4, SegmentKind.TURN_BLOCK),
        (5, 8, SegmentKind.TURN_BLOCK),
        (9, 10, SegmentKind.TURN_BLOCK),
    ]
    with pytest.raises(ValidationError):
        build_segments(turns_at(None), rule, untimed="bogus")


def test_whole_session_and_rule_keys() -> None:
    segs = build_segments(turns_at(0, 5, 9), SegmentationRule(SegmentationMode.WHOLE_SESSION))
    assert [(s.index, s.first_turn, s.last_turn) for s in segs] == [(1, 1, 3)]
    assert rule_key(FIVE_MIN) == "time_window:300"
    assert (
        rule_key(SegmentationRule(SegmentationMode.TURN_BLOCK, turns_per_block=8)) == "turn_block:8"
    )
    assert build_segments([], FIVE_MIN) == []


@given(
    st.lists(st.integers(min_value=0, max_value=4 * 3600 * 1000), min_size=1, max_size=200),
    st.sampled_from([60, 300]),
)
def test_every_turn_starts_in_exactly_one_segment_and_indexes_increase(
    starts: list[int], window: int
) -> None:
    starts.sort()
    turns = [Turn(i, "T", SpeakerRole.THERAPIST, "x", s) for i, s in enumerate(starts, start=1)]
    segs = build_segments(turns, SegmentationRule(SegmentationMode.TIME_WINDOW, window_s=window))
    indexes = [s.index for s in segs]
    assert indexes == list(range(indexes[0], indexes[0] + len(segs)))
    starting = [
        s for s in segs if s.first_turn != s.last_turn or segment_of_turn(segs, s.first_turn) is s
    ]
    covered = sorted({t for s in starting for t in range(s.first_turn, s.last_turn + 1)})
    assert covered == list(range(1, len(turns) + 1))
    for seg in segs:
        for t in range(seg.first_turn, seg.last_turn + 1):
            assert turns[t - 1].start_ms is not None
            assert turns[t - 1].start_ms < seg.end_ms  # type: ignore[operator]
