from __future__ import annotations

import pytest

from coder.domain.coding import (
    CodeApplication,
    Segment,
    SegmentKind,
    StageEvent,
    TextSpan,
    Unit,
    stage_progress,
)
from coder.domain.errors import ValidationError
from coder.domain.project import Patient, Rater, Session
from coder.domain.roles import RaterRole, SpeakerRole
from coder.domain.scheme import CodeFamily, Stage, StagePathway, normalise_hotkey
from coder.domain.transcript import Transcript, Turn, content_hash, renumber


def turn(i: int, speaker: str = "T", text: str = "hello there", start: int | None = None) -> Turn:
    return Turn(i, speaker, SpeakerRole.THERAPIST, text, start)


def test_transcript_requires_consecutive_one_based_indexes() -> None:
    Transcript((turn(1), turn(2)))
    with pytest.raises(ValidationError, match="1, 2, 3"):
        Transcript((turn(1), turn(3)))
    with pytest.raises(ValidationError):
        Turn(0, "T", SpeakerRole.THERAPIST, "x")


def test_turn_rejects_negative_and_reversed_times() -> None:
    with pytest.raises(ValidationError, match="negative"):
        Turn(1, "T", SpeakerRole.THERAPIST, "x", -5)
    with pytest.raises(ValidationError, match="before it starts"):
        Turn(1, "T", SpeakerRole.THERAPIST, "x", 2000, 1000)


def test_content_hash_ignores_whitespace_but_not_words_or_speakers() -> None:
    a = (turn(1, text="I am  fine"),)
    assert content_hash(a) == content_hash((turn(1, text="I am fine\n"),))
    assert content_hash(a) != content_hash((turn(1, text="I am not fine"),))
    assert content_hash(a) != content_hash((turn(1, speaker="P", text="I am fine"),))


def test_transcript_properties() -> None:
    t = Transcript((turn(1, "T", start=0), turn(2, "P", start=4000), turn(3, "T", start=9000)))
    assert t.has_timestamps
    assert list(t.speakers) == ["T", "P"]
    assert t.duration_ms == 9000
    assert not Transcript((turn(1), turn(2, start=5))).has_timestamps


def test_renumber_gives_consecutive_indexes() -> None:
    turns = renumber([turn(5), turn(9)])
    assert [t.index for t in turns] == [1, 2]


def test_patient_codes_are_checked() -> None:
    assert Patient(" P01 ").code == "P01"
    for bad in ("", "has space", "a/b", "x" * 65):
        with pytest.raises(ValidationError):
            Patient(bad)


def test_session_numbers_may_be_zero_but_not_negative() -> None:
    assert Session("P01", 0).number == 0
    with pytest.raises(ValidationError):
        Session("P01", -1)


def test_rater_initials_and_name() -> None:
    r = Rater(" Ada Lovelace ", "al", RaterRole.LEAD)
    assert (r.name, r.initials) == ("Ada Lovelace", "AL")
    with pytest.raises(ValidationError, match="initials"):
        Rater("Ada", "A1")
    with pytest.raises(ValidationError, match="empty"):
        Rater("  ", "AL")


def test_segment_and_span_invariants() -> None:
    seg = Segment(1, SegmentKind.TIME_WINDOW, 3, 7, 0, 300_000)
    assert seg.contains_turn(3) and seg.contains_turn(7) and not seg.contains_turn(8)
    with pytest.raises(ValidationError):
        Segment(1, SegmentKind.TIME_WINDOW, 7, 3)
    span = TextSpan(2, 4, 10)
    assert span.overlaps(TextSpan(2, 9, 12)) and not span.overlaps(TextSpan(2, 10, 12))
    assert not span.overlaps(TextSpan(3, 4, 10))
    with pytest.raises(ValidationError, match="empty or reversed"):
        TextSpan(2, 5, 5)
    with pytest.raises(ValidationError, match="past the end"):
        TextSpan(1, 0, 50).check_within("short")
    with pytest.raises(ValidationError):
        CodeApplication("AL", "W1", Unit.SEGMENT, 0)


def test_hotkeys_normalise_case_and_modifier_order() -> None:
    assert normalise_hotkey("shift+w") == normalise_hotkey("Shift+W") == "Shift+W"
    assert normalise_hotkey("alt+ctrl+1") == "Ctrl+Alt+1"
    assert normalise_hotkey("f2") == "F2"


def test_stage_progress_flags_steps_backwards_and_finds_highest() -> None:
    pathway = StagePathway(
        "withdrawal",
        "W",
        CodeFamily.WITHDRAWAL,
        tuple(Stage(f"WS{i}", i, f"stage {i}") for i in range(1, 6)),
    )
    events = (
        StageEvent("WS1", 3, 1),
        StageEvent("WS3", 8, 2),
        StageEvent("WS2", 9, 3),
        StageEvent("WS4", 12, 4),
    )
    progress = stage_progress(pathway, events)
    assert progress.highest_order == 4 and progress.highest_stage == "WS4"
    assert progress.out_of_order == (3,)
    assert not progress.reached_final
    assert stage_progress(pathway, (StageEvent("WS5", 1, 1),)).reached_final
