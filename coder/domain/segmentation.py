"""Cutting a transcript into coding units (the rows of the segment grid).

Time windows follow the recording clock: segment *i* is always minutes
``(i-1)·w .. i·w``, so "segment 4" means the same stretch of video to every rater and in
every export. A turn belongs to the window in which it starts; a window in which no turn
starts (a long story running through it) still exists and holds the turn that is
ongoing, because raters code every window of the session.

Without timestamps, each turn's start is estimated from the words spoken before it at
a stated speaking rate, and the resulting segments are marked ``estimated``.
"""

from __future__ import annotations

from collections.abc import Sequence

from coder.domain.coding import Segment, SegmentKind
from coder.domain.errors import ValidationError
from coder.domain.scheme import SegmentationMode, SegmentationRule
from coder.domain.transcript import Turn

# Far above any session (24 h of 1-minute windows is 1,440): a guard so that a bad time
# that got past the readers fails with a message instead of building billions of windows.
MAX_SEGMENTS = 100_000


def rule_key(rule: SegmentationRule) -> str:
    """Stable identifier of a segmentation, used to share segments between schemes."""
    if rule.mode is SegmentationMode.TIME_WINDOW:
        return f"time_window:{rule.window_s}"
    if rule.mode is SegmentationMode.TURN_BLOCK:
        return f"turn_block:{rule.turns_per_block}"
    return "whole_session"


def build_segments(
    turns: Sequence[Turn], rule: SegmentationRule, *, untimed: str = "words"
) -> list[Segment]:
    """Segments for ``turns`` under ``rule``.

    ``untimed`` chooses what a time-window rule does when turns lack timestamps:
    ``"words"`` estimates times from word counts, ``"turns"`` falls back to blocks of
    ``rule.turns_per_block`` turns.
    """
    if not turns:
        return []
    if rule.mode is SegmentationMode.WHOLE_SESSION:
        return [Segment(1, SegmentKind.WHOLE_SESSION, 1, len(turns), _start(turns), _end(turns))]
    if rule.mode is SegmentationMode.TURN_BLOCK:
        return turn_blocks(turns, rule.turns_per_block)
    timed = all(t.start_ms is not None for t in turns)
    if timed:
        starts = [t.start_ms or 0 for t in turns]
        return time_windows(starts, rule.window_s * 1000, estimated=False)
    if untimed == "turns":
        return turn_blocks(turns, rule.turns_per_block)
    if untimed != "words":
        raise ValidationError(f"untimed must be 'words' or 'turns', not {untimed!r}")
    return time_windows(
        estimated_starts(turns, rule.words_per_minute), rule.window_s * 1000, estimated=True
    )


def turn_blocks(turns: Sequence[Turn], size: int) -> list[Segment]:
    if size < 1:
        raise ValidationError("a turn block needs at least one turn")
    segments = []
    for i, first in enumerate(range(0, len(turns), size), start=1):
        block = turns[first : first + size]
        segments.append(
            Segment(
                i,
                SegmentKind.TURN_BLOCK,
                block[0].index,
                block[-1].index,
                _start(block),
                _end(block),
            )
        )
    return segments


def estimated_starts(turns: Sequence[Turn], words_per_minute: int) -> list[int]:
    """Start time of each turn if everyone spoke at ``words_per_minute``."""
    if words_per_minute < 1:
        raise ValidationError("speaking rate must be at least 1 word per minute")
    ms_per_word = 60_000 / words_per_minute
    starts, words = [], 0
    for turn in turns:
        starts.append(round(words * ms_per_word))
        words += max(turn.word_count, 1)
    return starts


def time_windows(starts: Sequence[int], window_ms: int, *, estimated: bool) -> list[Segment]:
    """Windows from the first one holding a turn start to the last one.

    ``starts`` must be non-decreasing (a transcript's clock); a turn that starts before
    the previous one is kept in the previous turn's window rather than reordering text.
    """
    if window_ms < 1:
        raise ValidationError("a time window must be at least 1 ms long")
    window_of: list[int] = []
    current = 0
    for start in starts:
        current = max(current, start // window_ms)
        window_of.append(current)
    count = window_of[-1] - window_of[0] + 1
    if count > MAX_SEGMENTS:
        raise ValidationError(
            f"the turns' times span {count:,} time windows (limit {MAX_SEGMENTS:,}): "
            "a time in the transcript is wrong"
        )
    segments: list[Segment] = []
    turn = 0  # 0-based position of the next turn to place
    n = len(starts)
    for window in range(window_of[0], window_of[-1] + 1):
        first = turn
        while turn < n and window_of[turn] == window:
            turn += 1
        if turn > first:
            first_turn, last_turn = first + 1, turn
        else:  # nobody starts speaking in this window: the ongoing turn fills it
            first_turn = last_turn = first
        segments.append(
            Segment(
                window + 1,
                SegmentKind.TIME_WINDOW,
                first_turn,
                last_turn,
                window * window_ms,
                (window + 1) * window_ms,
                estimated,
            )
        )
    return segments


def segment_of_turn(segments: Sequence[Segment], turn_index: int) -> Segment | None:
    """The segment a turn starts in (the first, when an ongoing turn fills later ones)."""
    for segment in segments:
        if segment.contains_turn(turn_index):
            return segment
    return None


def _start(turns: Sequence[Turn]) -> int | None:
    return turns[0].start_ms


def _end(turns: Sequence[Turn]) -> int | None:
    last = turns[-1]
    return last.end_ms if last.end_ms is not None else last.start_ms
