"""Random text into the text-format transcript readers: a transcript or a CoderError.

Anything else (an IndexError, a RecursionError, a ValueError from a time) would reach
the user as "internal error"; hypothesis searches for the text that causes one. The
alphabet is weighted towards what the parsers look for (colons, digits, arrows, quotes,
delimiters, WEBVTT headers), so the search reaches past the first line.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.domain.errors import CoderError
from coder.io.transcripts import ReadOptions, read_transcripts

_PIECES = st.sampled_from(
    ["T: ", "P: ", "\n", "\n\n", ":", "0", "1", "9", "59", "00:00:01.000", " --> ", ",", ";",
     "\t", '"', "[", "]", "(", ")", "<v T>", "</v>", "WEBVTT", "-", ".", "999", "speaker",
     "text", "start", "session", "\x00", "\ufeff", "é", " ", "a", "NOTE"]
)  # fmt: skip
_TEXT = st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=80).map("".join))
_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _read(tmp_path: Path, suffix: str, text: str, fmt: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        parsed = read_transcripts(path, ReadOptions(fmt=fmt))
    except CoderError:
        return
    for item in parsed:
        turns = item.transcript.turns
        assert turns and [t.index for t in turns] == list(range(1, len(turns) + 1))
        assert all("\x00" not in t.text for t in turns)


@_FUZZ
@given(text=_TEXT)
def test_txt(tmp_path: Path, text: str) -> None:
    _read(tmp_path, ".txt", text, "txt")


@_FUZZ
@given(text=_TEXT)
def test_vtt(tmp_path: Path, text: str) -> None:
    _read(tmp_path, ".vtt", "WEBVTT\n\n" + text, "vtt")


@_FUZZ
@given(text=_TEXT)
def test_srt(tmp_path: Path, text: str) -> None:
    _read(tmp_path, ".srt", text, "srt")


@_FUZZ
@given(text=_TEXT)
def test_csv(tmp_path: Path, text: str) -> None:
    _read(tmp_path, ".csv", "speaker,start,text,session\n" + text, "csv")
