"""Name redaction: whole words, longest first, stable placeholders across a batch."""

from __future__ import annotations

from coder.domain.redaction import Redactor
from coder.domain.roles import SpeakerRole
from coder.domain.transcript import Transcript, Turn


def test_placeholders_follow_list_order_and_ignore_comments() -> None:
    redactor = Redactor.from_lines(["# clients", "Sam", "", "  sam ortiz  ", "Ann", "SAM"])
    assert dict(redactor.placeholders) == {
        "sam": "[NAME-1]",
        "sam ortiz": "[NAME-2]",
        "ann": "[NAME-3]",
    }


def test_whole_words_case_insensitive_longest_first() -> None:
    redactor = Redactor(["Sam", "Sam Ortiz", "Ann"])
    assert redactor.redact_text("SAM  ortiz met sam, Ann and Anna; Samantha and Sams.") == (
        "[NAME-2] met [NAME-1], [NAME-3] and Anna; Samantha and Sams."
    )


def test_multiword_name_across_a_line_break() -> None:
    assert Redactor(["Sam Ortiz"]).redact_text("Sam\nOrtiz said") == "[NAME-1] said"


def test_possessives_keep_their_ending() -> None:
    redactor = Redactor(["Sam", "Chris"])
    assert redactor.redact_text("Sam's mum and Chris' dog and Sam’s cat") == (
        "[NAME-1]'s mum and [NAME-2]' dog and [NAME-1]’s cat"
    )


def test_names_with_punctuation_and_accents() -> None:
    redactor = Redactor(["Dr. Okafor", "José García", "Mary-Jane"])
    text = "dr. okafor saw JOSÉ GARCÍA and mary-jane (not Mary)."
    assert redactor.redact_text(text) == "[NAME-1] saw [NAME-2] and [NAME-3] (not Mary)."


def test_empty_list_changes_nothing() -> None:
    assert Redactor.from_lines(["", "# none"]).redact_text("Sam") == "Sam"


def test_redact_transcript_covers_labels_text_and_warnings_consistently() -> None:
    redactor = Redactor(["Lena", "Okafor"])
    first = Transcript(
        (
            Turn(1, "Dr. Okafor", SpeakerRole.THERAPIST, "Hello Lena.", 0, 1_000),
            Turn(2, "Lena", SpeakerRole.PATIENT, "Hi Dr Okafor.", 1_000, None),
        ),
        source_name="s1.vtt",
        warnings=("ignored 1 line(s) before the first speaker turn: 'Lena session 1'",),
    )
    second = Transcript((Turn(1, "Lena", SpeakerRole.PATIENT, "Lena again."),))
    one, two = redactor.redact_transcript(first), redactor.redact_transcript(second)
    assert [(t.speaker, t.text) for t in one.turns] == [
        ("Dr. [NAME-2]", "Hello [NAME-1]."),
        ("[NAME-1]", "Hi Dr [NAME-2]."),
    ]
    assert [(t.role, t.start_ms, t.end_ms) for t in one.turns] == [
        (SpeakerRole.THERAPIST, 0, 1_000),
        (SpeakerRole.PATIENT, 1_000, None),
    ]
    assert one.warnings == (
        "ignored 1 line(s) before the first speaker turn: '[NAME-1] session 1'",
    )
    assert one.source_name == "s1.vtt"
    assert two.turns[0].speaker == "[NAME-1]" and two.turns[0].text == "[NAME-1] again."
    assert first.turns[0].speaker == "Dr. Okafor"  # the original is untouched
