"""CSV transcripts: column mapping, sessions, times, bad rows, and real AnnoMI transcripts."""

from __future__ import annotations

import csv
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

import pytest

from coder.domain.errors import ValidationError
from coder.domain.roles import SpeakerRole
from coder.io.transcripts import ReadOptions, TranscriptFormatError, read_transcripts

WriteFile = Callable[[str, str | bytes], Path]
# Six AnnoMI-simple transcripts, rows unchanged (provenance: tests/data/annomi/README.md).
ANNOMI = Path(__file__).resolve().parents[1] / "data/annomi/annomi-simple-subset.csv"
ANNOMI_COLUMNS = {
    "session": "transcript_id",
    "speaker": "interlocutor",
    "start": "timestamp",
    "text": "utterance_text",
}

SESSIONS = """\
Session,Speaker,Start,End,Text
s2,T,0,4.5,"Hello, welcome."
s2,T,4.5,6,How are you?
s1,Therapist,00:00:01,00:00:03,First session.
s2,P,00:00:07.250,,"Fine, ""thanks""."
s1,Client,3,5,
s1,Client,5,7.5,Okay.
"""


def test_sessions_in_order_of_first_appearance(write_file: WriteFile) -> None:
    parsed = read_transcripts(write_file("multi.csv", SESSIONS))
    assert [p.group for p in parsed] == ["s2", "s1"]
    s2, s1 = (p.transcript.turns for p in parsed)
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in s2] == [
        ("T", 0, 6_000, "Hello, welcome.\nHow are you?"),
        ("P", 7_250, None, 'Fine, "thanks".'),
    ]
    assert [(t.speaker, t.role, t.start_ms) for t in s1] == [
        ("Therapist", SpeakerRole.THERAPIST, 1_000),
        ("Client", SpeakerRole.PATIENT, 5_000),
    ]
    assert parsed[1].warnings == ("line 6: empty text; row skipped",)
    assert parsed[0].warnings == ()
    kept = read_transcripts(write_file("multi2.csv", SESSIONS), ReadOptions(merge_cues=False))
    assert [len(p.transcript.turns) for p in kept] == [3, 2]


def test_single_transcript_tsv_with_mapping(write_file: WriteFile) -> None:
    text = "who\twhen\tsaid\nDr. Okafor\t00:01\tHi Lena.\nLena\t00:03\tHi.\n"
    options = ReadOptions(columns={"speaker": "Who", "start": "when", "text": "said"})
    [parsed] = read_transcripts(write_file("t.tsv", text), options)
    assert parsed.group is None
    assert [(t.speaker, t.start_ms) for t in parsed.transcript.turns] == [
        ("Dr. Okafor", 1_000),
        ("Lena", 3_000),
    ]


def test_missing_mapped_column(write_file: WriteFile) -> None:
    path = write_file("m.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(TranscriptFormatError) as info:
        read_transcripts(path, ReadOptions(columns={"speaker": "x", "text": "b"}))
    assert info.value.problem == "column 'x' (mapped to speaker) not in header: a, b, c"
    assert info.value.path == str(path)


def test_no_text_column_found(write_file: WriteFile) -> None:
    with pytest.raises(TranscriptFormatError, match="no text column"):
        read_transcripts(write_file("n.csv", "speaker,words\nT,hi\n"))


def test_unknown_column_role_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown column role"):
        ReadOptions(columns={"speakers": "x"})


def test_bad_times_and_reversed_times_are_warnings(write_file: WriteFile) -> None:
    text = "speaker,start,end,text\nT,00:09:025,,Hello.\nP,10,5,Hi.\n"
    [parsed] = read_transcripts(write_file("times.csv", text))
    turns = parsed.transcript.turns
    assert [(t.start_ms, t.end_ms) for t in turns] == [(None, None), (10_000, None)]
    assert parsed.warnings == (
        "line 2: start '00:09:025' is not a time; left empty",
        "line 3: ends before it starts; end time dropped",
    )


def test_csv_encoding_and_header_only(write_file: WriteFile) -> None:
    data = "speaker;text\nT;Ça va?\n".encode("cp1252")
    [parsed] = read_transcripts(write_file("fr.csv", data))
    assert parsed.encoding == "cp1252"
    assert parsed.transcript.turns[0].text == "Ça va?"
    with pytest.raises(TranscriptFormatError, match="no rows with text"):
        read_transcripts(write_file("header.csv", "speaker,text\n"))


def _annomi_rows() -> dict[str, list[str]]:
    with ANNOMI.open(encoding="utf-8", newline="") as handle:
        speakers: dict[str, list[str]] = {}
        for row in csv.DictReader(handle):
            speakers.setdefault(row["transcript_id"], []).append(row["interlocutor"])
    return speakers


@pytest.mark.parametrize(
    "columns", [ANNOMI_COLUMNS, {"session": "transcript_id"}], ids=["mapped", "detected"]
)
def test_annomi(columns: dict[str, str]) -> None:
    rows = _annomi_rows()
    parsed = read_transcripts(ANNOMI, ReadOptions(columns=columns))
    assert [p.group for p in parsed] == list(rows) == ["0", "7", "27", "38", "69", "114"]
    kept = read_transcripts(ANNOMI, ReadOptions(columns=columns, merge_cues=False))
    for merged, unmerged in zip(parsed, kept, strict=True):
        speakers = rows[merged.group or ""]
        assert len(unmerged.transcript.turns) == len(speakers)
        assert len(merged.transcript.turns) == len(list(groupby(speakers)))
        assert [t.speaker for t in unmerged.transcript.turns] == speakers
        assert {g.role for g in merged.role_guesses.values()} <= {
            SpeakerRole.THERAPIST,
            SpeakerRole.PATIENT,
        }
        assert all(g.certain for g in merged.role_guesses.values())
    first = parsed[0].transcript.turns[0]
    assert (first.speaker, first.start_ms, first.end_ms) == ("therapist", 13_000, None)
    assert first.text.startswith("Thanks for filling it out.")
    # Transcript 114, utterance 18: a newline inside a quoted field stays in the turn
    # (the space upstream has before it is trimmed, as at every line end).
    assert kept[-1].transcript.turns[18].text == (
        "In what ways might your life be better if you succeed in\nmaking the changes "
        "you mentioned?"
    )
    bad = [w for p in parsed for w in p.warnings]
    # Transcript 38, utterance 67: upstream's malformed timestamp (line 2441 of the full file).
    assert bad == ["line 212: start '00:09:025' is not a time; left empty"]
