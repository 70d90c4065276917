"""Format detection: content beats a misleading extension; explicit formats are obeyed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from docx.document import Document

from coder.domain.errors import ValidationError
from coder.io.transcripts import ReadOptions, TranscriptFormatError, read_transcripts

WriteFile = Callable[[str, str | bytes], Path]
MakeDocx = Callable[[Callable[[Document], object]], Path]

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v T>Hi.\n"
SRT = "1\n00:00:01,000 --> 00:00:02,000\nT: Hi.\n"
CSV = "Speaker,Text\nT,Hi.\n"


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("captions.txt", VTT, "vtt"),
        ("captions.txt", SRT, "srt"),
        ("captions.vtt", SRT, "srt"),
        ("export.data", CSV, "csv"),
        ("notes", "T: Hi.\n", "txt"),
        ("transcript.srt", VTT, "vtt"),
    ],
)
def test_auto_detection_sniffs_content(
    write_file: WriteFile, name: str, content: str, fmt: str
) -> None:
    [parsed] = read_transcripts(write_file(name, content))
    assert parsed.transcript.source_format == fmt
    assert [(t.speaker, t.text) for t in parsed.transcript.turns] == [("T", "Hi.")]


def test_explicit_format_wins(write_file: WriteFile) -> None:
    path = write_file("odd.vtt", "T: Hi.\n")
    [parsed] = read_transcripts(path, ReadOptions(fmt="txt"))
    assert parsed.transcript.source_format == "txt"
    with pytest.raises(TranscriptFormatError, match="WEBVTT"):
        read_transcripts(path)


def test_unknown_format_option() -> None:
    with pytest.raises(ValidationError, match="unknown transcript format 'pdf'"):
        ReadOptions(fmt="pdf")


def test_rtf_is_explained(write_file: WriteFile) -> None:
    with pytest.raises(TranscriptFormatError, match="RTF"):
        read_transcripts(write_file("t.rtf", "{\\rtf1\\ansi T: hi}"))


def test_docx_named_txt_is_read_as_docx(write_file: WriteFile, make_docx: MakeDocx) -> None:
    docx_path = make_docx(lambda d: d.add_paragraph("T: Hi."))
    path = write_file("really_word.txt", docx_path.read_bytes())
    [parsed] = read_transcripts(path)
    assert parsed.transcript.source_format == "docx"


def test_rtf_named_doc_is_explained(write_file: WriteFile) -> None:
    with pytest.raises(TranscriptFormatError, match="RTF"):
        read_transcripts(write_file("t.doc", "{\\rtf1\\ansi T: hi}"))
