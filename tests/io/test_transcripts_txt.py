"""Plain-text transcripts: labels, continuations, headers, timestamps and encodings."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.domain.roles import SpeakerRole
from coder.io import limits
from coder.io.transcripts import ReadOptions, TranscriptFormatError, read_transcripts

WriteFile = Callable[[str, str | bytes], Path]

LAB_TRANSCRIPT = """\
STUDY 07 - Session 4 - 12 March
Transcriber: KB

T: So you came in today saying you almost didn't come.
C: Yeah. (pause) I wasn't sure what the point was.
T: Mm. What made it feel pointless?
C: Just... last time you kind of cut me off when I was talking about [NAME].
   And I didn't say anything, but [inaudible] it bugged me.

   So what I said was: nothing.
T: I'm glad you're telling me now.
[00:12:31]
C: OK (T: mm-hmm) fine.
[00:13:05] T: Note: we stop at ten.
"""


def test_labelled_lab_transcript(write_file: WriteFile) -> None:
    [parsed] = read_transcripts(write_file("s4.txt", LAB_TRANSCRIPT))
    turns = parsed.transcript.turns
    assert [t.speaker for t in turns] == ["T", "C", "T", "C", "T", "C", "T"]
    assert [t.index for t in turns] == list(range(1, 8))
    assert turns[3].text == (
        "Just... last time you kind of cut me off when I was talking about [NAME]. "
        "And I didn't say anything, but [inaudible] it bugged me.\n"
        "So what I said was: nothing."
    )
    assert turns[5].text == "OK (T: mm-hmm) fine."
    assert turns[5].start_ms == 751_000  # own-line timestamp starts the next turn
    assert turns[6].start_ms == 785_000
    assert turns[6].text == "Note: we stop at ten."
    assert all(t.end_ms is None for t in turns)  # never invented
    assert turns[0].start_ms is None
    assert parsed.transcript.source_format == "txt"
    assert parsed.group is None
    assert parsed.encoding == "utf-8"
    assert parsed.role_guesses["C"].role is SpeakerRole.PATIENT
    assert not parsed.role_guesses["C"].certain
    [header_warning] = parsed.warnings
    assert "ignored 2 line(s) before the first speaker turn" in header_warning
    assert "'Transcriber: KB'" in header_warning


def test_named_speakers_with_leading_times(write_file: WriteFile) -> None:
    text = (
        "00:00:05 Dr. Okafor: Hello Lena.\n"
        "00:00:09 Lena: Hi.   Sorry I'm late.\n"
        "00:00:12\tDr. Okafor: No problem.\n"
    )
    [parsed] = read_transcripts(write_file("zoom.txt", text))
    turns = parsed.transcript.turns
    assert [(t.speaker, t.start_ms, t.text) for t in turns] == [
        ("Dr. Okafor", 5_000, "Hello Lena."),
        ("Lena", 9_000, "Hi. Sorry I'm late."),
        ("Dr. Okafor", 12_000, "No problem."),
    ]
    assert parsed.role_guesses["Lena"].role is SpeakerRole.PATIENT


def test_rev_and_otter_headers(write_file: WriteFile) -> None:
    rev = "Therapist (00:00):\nBefore we start.\n\nClient (00:06):\nYeah, actually.\n"
    [parsed] = read_transcripts(write_file("rev.txt", rev))
    assert [(t.speaker, t.start_ms, t.text) for t in parsed.transcript.turns] == [
        ("Therapist", 0, "Before we start."),
        ("Client", 6_000, "Yeah, actually."),
    ]
    otter = (
        "Speaker 1  0:04\nThanks for coming in.\n\nRosa Almeida  0:11\nUm, I'm not sure.\n\n"
        "Transcribed by https://otter.ai\n"
    )
    [parsed] = read_transcripts(write_file("otter.txt", otter))
    assert [(t.speaker, t.start_ms) for t in parsed.transcript.turns] == [
        ("Speaker 1", 4_000),
        ("Rosa Almeida", 11_000),
    ]
    assert parsed.transcript.turns[-1].text == "Um, I'm not sure."


def test_label_alone_on_its_line(write_file: WriteFile) -> None:
    [parsed] = read_transcripts(write_file("a.txt", "THERAPIST\nRight, so.\nCLIENT\nOK.\n"))
    assert [(t.speaker, t.text) for t in parsed.transcript.turns] == [
        ("THERAPIST", "Right, so."),
        ("CLIENT", "OK."),
    ]


def test_merge_and_keep_consecutive_turns(write_file: WriteFile) -> None:
    path = write_file("m.txt", "T: one\nT: two\nP: three\n")
    [merged] = read_transcripts(path)
    assert [t.text for t in merged.transcript.turns] == ["one\ntwo", "three"]
    [kept] = read_transcripts(path, ReadOptions(merge_cues=False))
    assert [t.text for t in kept.transcript.turns] == ["one", "two", "three"]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252")],
)
def test_encodings(write_file: WriteFile, encoding: str, expected: str) -> None:
    text = "T:\tHow was the café?\r\nP: Très bien – “thanks”.\r\n"
    [parsed] = read_transcripts(write_file("enc.txt", text.encode(encoding)))
    assert parsed.encoding == expected
    assert parsed.transcript.encoding == expected
    turns = parsed.transcript.turns
    assert turns[0].text == "How was the café?"
    assert turns[1].text == 'Très bien – "thanks".'  # smart quotes normalised
    assert bool(parsed.warnings) == (encoding == "cp1252")


def test_undecodable_bytes_name_file_and_offset(write_file: WriteFile) -> None:
    data = b"T: hello\nP: " + bytes(range(0x80, 0x100)) * 2 + b"\n"
    path = write_file("bad.txt", data)
    with pytest.raises(TranscriptFormatError) as info:
        read_transcripts(path)
    message = str(info.value)
    assert str(path) in message
    assert "offset 12" in message
    assert info.value.path == str(path)


def test_empty_and_blank_files(write_file: WriteFile) -> None:
    for name, content in [("e.txt", b""), ("b.txt", b" \r\n\n"), ("bom.txt", b"\xef\xbb\xbf\n")]:
        with pytest.raises(TranscriptFormatError, match="the file is empty"):
            read_transcripts(write_file(name, content))


def test_no_turns(write_file: WriteFile) -> None:
    path = write_file("prose.txt", "This is just prose.\nit has no speakers at all.\n")
    with pytest.raises(TranscriptFormatError, match="no speaker turns found"):
        read_transcripts(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TranscriptFormatError, match="no such transcript file"):
        read_transcripts(tmp_path / "nope.txt")


def test_a_folder_or_an_unreadable_file_is_said_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(TranscriptFormatError, match="is a folder, not a transcript file") as info:
        read_transcripts(tmp_path)
    assert info.value.path == str(tmp_path)

    def refuse(*_: object) -> bytes:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    unreadable = tmp_path / "P01_S1.txt"
    unreadable.write_text("T: hello\n", encoding="utf-8")
    # Files are opened in coder.io.limits (after a stat check); tests run as root, so a
    # chmod would not refuse anything.
    monkeypatch.setattr(limits, "open", refuse, raising=False)
    with pytest.raises(TranscriptFormatError, match="you don't have permission to read"):
        read_transcripts(unreadable)


def test_notes_times_in_speech_and_numbered_labels(write_file: WriteFile) -> None:
    text = (
        "Date: 12 March\n"
        "Session: 4\n"
        "12  T1: What time did you arrive?\n"
        "13  C1: 10:30 is when I got there.\n"
        "Note: client looks away\n"
        "14  T2: [00:02:10] And then?\n"
    )
    [parsed] = read_transcripts(write_file("n.txt", text))
    assert [(t.speaker, t.start_ms, t.text) for t in parsed.transcript.turns] == [
        ("T1", None, "What time did you arrive?"),
        ("C1", None, "10:30 is when I got there. Note: client looks away"),
        ("T2", 130_000, "And then?"),
    ]
    assert "'Date: 12 March', 'Session: 4'" in parsed.warnings[0]
