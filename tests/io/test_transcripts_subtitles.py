"""WebVTT (generic, Zoom, Teams) and SRT: speakers, merging, malformed cues."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coder.domain.roles import SpeakerRole
from coder.io.transcripts import ReadOptions, TranscriptFormatError, read_transcripts

WriteFile = Callable[[str, str | bytes], Path]
KEEP = ReadOptions(merge_cues=False)

SPEC_VTT = """\ufeffWEBVTT - session 4
Kind: captions

NOTE recorded in room B,
consent form 12 on file

STYLE
::cue { color: lime }

00:00:04.000 --> 00:00:07.500 align:left size:50%
<v Dr. Okafor>What would you like to focus on today?

00:00:08.100 --> 00:00:11.900
<v.loud Lena>I guess&hellip; the thing with my <i>sister</i> &amp; <c.x>work</c>.

00:00:11.200 --> 00:00:12.000
<v Dr. Okafor>Mm-hmm.
"""


def test_generic_vtt_voice_spans(write_file: WriteFile) -> None:
    [parsed] = read_transcripts(write_file("s.vtt", SPEC_VTT.replace("\n", "\r\n")))
    turns = parsed.transcript.turns
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in turns] == [
        ("Dr. Okafor", 4_000, 7_500, "What would you like to focus on today?"),
        ("Lena", 8_100, 11_900, "I guess… the thing with my sister & work."),
        ("Dr. Okafor", 11_200, 12_000, "Mm-hmm."),
    ]
    assert parsed.encoding == "utf-8-sig"
    assert parsed.role_guesses["Lena"].role is SpeakerRole.PATIENT  # next to "Dr. ..."
    assert not parsed.role_guesses["Lena"].certain
    assert any("start before the previous cue ends" in w for w in parsed.warnings)


ZOOM_VTT = """WEBVTT

1
00:00:02.310 --> 00:00:05.870
Maya Lindqvist (she/her): Okay, I think the recording is on now.

2
00:00:06.020 --> 00:00:09.440
Maya Lindqvist (she/her): So last week you mentioned the job interview.

3
00:00:10.100 --> 00:00:15.760
Client iPad: Yeah. It didn't go great, honestly: I froze.

4
00:00:16.000 --> 00:00:17.500
and then nothing came out
"""


def test_zoom_vtt_merges_cues_of_one_speaker(write_file: WriteFile) -> None:
    path = write_file("zoom.vtt", ZOOM_VTT)
    [merged] = read_transcripts(path)
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in merged.transcript.turns] == [
        (
            "Maya Lindqvist (she/her)",
            2_310,
            9_440,
            "Okay, I think the recording is on now. So last week you mentioned the job interview.",
        ),
        (
            "Client iPad",
            10_100,
            17_500,
            "Yeah. It didn't go great, honestly: I froze. and then nothing came out",
        ),
    ]
    [warning] = merged.warnings  # the speakerless cue, reported once
    assert "given the previous speaker" in warning and "cue 4" in warning
    [kept] = read_transcripts(path, KEEP)
    assert len(kept.transcript.turns) == 4
    assert kept.transcript.turns[3].speaker == "Client iPad"
    assert (kept.transcript.turns[0].start_ms, kept.transcript.turns[0].end_ms) == (2_310, 5_870)


TEAMS_VTT = """WEBVTT

6c0d2e1a-93b4-4f7e-8a51-2d9c0b7e4f13/11-0
00:00:03.480 --> 00:00:06.120
<v Amir Haddad>Can you hear me all right?</v>

6c0d2e1a-93b4-4f7e-8a51-2d9c0b7e4f13/11-1
00:00:06.120 --> 00:00:08.900
<v Amir Haddad>Good. Let's pick up where we left off.</v>

6c0d2e1a-93b4-4f7e-8a51-2d9c0b7e4f13/12-0
00:00:09.300 --> 00:00:13.050
<v Jo Park (Guest)>Sure. I've been sleeping a bit better.</v>
"""


def test_teams_vtt(write_file: WriteFile) -> None:
    path = write_file("teams.vtt", TEAMS_VTT)
    [parsed] = read_transcripts(path)
    assert [(t.speaker, t.start_ms, t.end_ms) for t in parsed.transcript.turns] == [
        ("Amir Haddad", 3_480, 8_900),
        ("Jo Park (Guest)", 9_300, 13_050),
    ]
    assert "/11-0" not in parsed.transcript.turns[0].text
    assert parsed.warnings == ()
    [kept] = read_transcripts(path, KEEP)
    assert [t.index for t in kept.transcript.turns] == [1, 2, 3]


def test_two_voices_in_one_cue_and_speakerless_first_cue(write_file: WriteFile) -> None:
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n(music)\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v T>Hi.</v>\n<v P>Hello.</v>\n"
    )
    [parsed] = read_transcripts(write_file("two.vtt", text))
    assert [(t.speaker, t.start_ms, t.text) for t in parsed.transcript.turns] == [
        ("unknown", 1_000, "(music)"),
        ("T", 3_000, "Hi."),
        ("P", 3_000, "Hello."),
    ]


def test_malformed_vtt_timing_is_skipped_with_warning(write_file: WriteFile) -> None:
    text = TEAMS_VTT.replace("00:00:06.120 --> 00:00:08.900", "00:00:06.120 --> 00:0x:08.900")
    [parsed] = read_transcripts(write_file("bad.vtt", text), KEEP)
    assert len(parsed.transcript.turns) == 2
    [warning] = parsed.warnings
    assert "cue 2" in warning
    assert "6c0d2e1a-93b4-4f7e-8a51-2d9c0b7e4f13/11-1" in warning
    assert "line 8" in warning
    assert "skipped" in warning


def test_vtt_block_without_arrow_is_skipped(write_file: WriteFile) -> None:
    text = ZOOM_VTT.replace("00:00:06.020 --> 00:00:09.440", "00:00:06.020 - 00:00:09.440")
    [parsed] = read_transcripts(write_file("arrow.vtt", text), KEEP)
    assert len(parsed.transcript.turns) == 3
    assert any("cue 2" in w and "line 7" in w for w in parsed.warnings)


def test_all_cues_malformed_is_an_error(write_file: WriteFile) -> None:
    text = "WEBVTT\n\n1\n00:00:xx.000 --> 00:00:02.000\nT: hi\n\n2\n00:01 -> 00:02\nP: hey\n"
    with pytest.raises(TranscriptFormatError, match=r"no cues could be read: all 2 cue\(s\)"):
        read_transcripts(write_file("allbad.vtt", text))


def test_vtt_needs_its_header(write_file: WriteFile) -> None:
    text = "1\n00:00:01.000 --> 00:00:02.000\nT: hi\n"
    with pytest.raises(TranscriptFormatError, match="must start with 'WEBVTT'"):
        read_transcripts(write_file("noheader.vtt", text))
    with pytest.raises(TranscriptFormatError, match="no cues could be read"):
        read_transcripts(write_file("headeronly.vtt", "WEBVTT\n\nNOTE nothing here\n"))


SPEC_SRT = """1
00:00:01,200 --> 00:00:04,050
THERAPIST: How has the week been?

2
00:00:04,600 --> 00:00:08,300 X1:100 X2:200 Y1:10 Y2:20
- [Client] Honestly? Long.
- [Therapist] Long how?

3
00:00:09,000 --> 00:00:10,300
<i>Just long.</i>

3
00:11.000 --> 00:12.500
>> CLIENT: Yeah.
- and this one nobody claims
"""


def test_srt(write_file: WriteFile) -> None:
    [parsed] = read_transcripts(write_file("spec.srt", SPEC_SRT), KEEP)
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in parsed.transcript.turns] == [
        ("THERAPIST", 1_200, 4_050, "How has the week been?"),
        ("Client", 4_600, 8_300, "Honestly? Long."),
        ("Therapist", 4_600, 8_300, "Long how?"),
        ("Therapist", 9_000, 10_300, "Just long."),  # no speaker: continues the previous
        ("CLIENT", 11_000, 12_500, "Yeah."),
        ("unknown", 11_000, 12_500, "and this one nobody claims"),
    ]
    assert parsed.role_guesses["THERAPIST"].certain
    assert parsed.role_guesses["unknown"].role is SpeakerRole.UNKNOWN
    [merged] = read_transcripts(write_file("spec2.srt", SPEC_SRT))
    assert [t.speaker for t in merged.transcript.turns] == [
        "THERAPIST", "Client", "Therapist", "CLIENT", "unknown",
    ]  # fmt: skip
    assert merged.transcript.turns[2].text == "Long how? Just long."
    assert (merged.transcript.turns[2].start_ms, merged.transcript.turns[2].end_ms) == (
        4_600,
        10_300,
    )


def test_srt_malformed_cue_skipped_and_all_malformed_error(write_file: WriteFile) -> None:
    text = SPEC_SRT.replace("00:00:09,000 --> 00:00:10,300", "00:00:09,000 --> 00:00:1O,300")
    [parsed] = read_transcripts(write_file("one_bad.srt", text), KEEP)
    assert len(parsed.transcript.turns) == 5
    assert any("cue 3 at line 11" in w and "skipped" in w for w in parsed.warnings)
    with pytest.raises(TranscriptFormatError, match="no cues could be read"):
        read_transcripts(write_file("bad.srt", "1\n00:00:01 --> soon\nT: hi\n"))
