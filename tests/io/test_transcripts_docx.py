"""Word transcripts: every layout variant, and every way a .docx can be unusable."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx.document import Document

from coder.domain.roles import SpeakerRole
from coder.io.transcripts import ReadOptions, TranscriptFormatError, read_transcripts

MakeDocx = Callable[[Callable[[Document], object]], Path]
DocxBytes = Callable[[Callable[[Document], object]], bytes]
WriteFile = Callable[[str, str | bytes], Path]


def _speakers_and_text(path: Path) -> list[tuple[str, str]]:
    [parsed] = read_transcripts(path)
    return [(t.speaker, t.text) for t in parsed.transcript.turns]


def _prefix_layout(d: Document) -> None:
    d.add_paragraph("Study 07, session 4")
    d.add_paragraph("T: So you came in today.")
    d.add_paragraph("C: Yeah. I almost didn't.")
    d.add_paragraph("It felt pointless.")  # continuation paragraph
    d.add_paragraph("[00:01:00]")
    d.add_paragraph("T: Pointless how?")
    d.add_paragraph("")
    d.add_paragraph("00:01:23 C: Like last time.")


def test_prefix_paragraphs(make_docx: MakeDocx) -> None:
    [parsed] = read_transcripts(make_docx(_prefix_layout))
    turns = parsed.transcript.turns
    assert [(t.speaker, t.text, t.start_ms) for t in turns] == [
        ("T", "So you came in today.", None),
        ("C", "Yeah. I almost didn't.\nIt felt pointless.", None),
        ("T", "Pointless how?", 60_000),
        ("C", "Like last time.", 83_000),
    ]
    assert parsed.encoding is None
    assert parsed.transcript.source_format == "docx"
    assert "'Study 07, session 4'" in parsed.warnings[0]


def _bold_layout(d: Document) -> None:
    d.add_paragraph().add_run("Session 4 transcript").bold = True  # a heading, not a speaker
    for label, text in [("Therapist:", " How are you?"), ("Client", " Tired."),
                        ("Therapist:", " Tired how?"), ("Client", "  Just tired.")]:  # fmt: skip
        paragraph = d.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(text)
    soft = d.add_paragraph()
    soft.add_run("Therapist:").bold = True
    soft.add_run(" Line one.").add_break()
    soft.add_run("Line two.")


def test_bold_run_labels(make_docx: MakeDocx) -> None:
    [parsed] = read_transcripts(make_docx(_bold_layout), ReadOptions(merge_cues=False))
    assert [(t.speaker, t.text) for t in parsed.transcript.turns] == [
        ("Therapist", "How are you?"),
        ("Client", "Tired."),
        ("Therapist", "Tired how?"),
        ("Client", "Just tired."),
        ("Therapist", "Line one.\nLine two."),  # soft break kept as a newline
    ]
    assert parsed.role_guesses["Therapist"].certain
    assert "Session 4 transcript" in parsed.warnings[0]


def test_bold_emphasis_is_not_a_speaker(make_docx: MakeDocx) -> None:
    def build(d: Document) -> None:
        d.add_paragraph("T: Tell me.")
        paragraph = d.add_paragraph()
        paragraph.add_run("Really").bold = True
        paragraph.add_run(" it was fine.")

    assert _speakers_and_text(make_docx(build)) == [("T", "Tell me.\nReally it was fine.")]


def _table(d: Document, rows: list[list[str]]) -> None:
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def test_two_column_table(make_docx: MakeDocx) -> None:
    rows = [["Speaker", "Text"], ["T", "How was the week?"], ["P", "Long."], ["", "Very long."]]
    assert _speakers_and_text(make_docx(lambda d: _table(d, rows))) == [
        ("T", "How was the week?"),
        ("P", "Long.\nVery long."),  # empty speaker cell continues the turn
    ]


@pytest.mark.parametrize(
    "rows",
    [
        [["Time", "Speaker", "Text"], ["00:00:04", "Therapist", "Hello."],
         ["00:00:09", "Client", "Hi."], ["0:15", "Therapist", "Shall we start?"]],
        [["Speaker", "Time", "Text"], ["Therapist", "00:00:04", "Hello."],
         ["Client", "00:00:09", "Hi."], ["Therapist", "0:15", "Shall we start?"]],
        [["Therapist", "[00:00:04]", "Hello."], ["Client", "(00:09)", "Hi."],
         ["Therapist", "00:00:15", "Shall we start?"]],
    ],
)  # fmt: skip
def test_three_column_table_with_time(make_docx: MakeDocx, rows: list[list[str]]) -> None:
    [parsed] = read_transcripts(make_docx(lambda d: _table(d, rows)))
    assert [(t.speaker, t.start_ms, t.end_ms, t.text) for t in parsed.transcript.turns] == [
        ("Therapist", 4_000, None, "Hello."),
        ("Client", 9_000, None, "Hi."),
        ("Therapist", 15_000, None, "Shall we start?"),
    ]
    assert parsed.transcript.turns[1].role is SpeakerRole.PATIENT


def test_numbered_three_column_table(make_docx: MakeDocx) -> None:
    rows = [["1", "T", "Hello."], ["2", "P", "Hi."]]
    [parsed] = read_transcripts(make_docx(lambda d: _table(d, rows)))
    assert [(t.speaker, t.start_ms) for t in parsed.transcript.turns] == [("T", None), ("P", None)]


# --- unusable files -------------------------------------------------------------------


def _read_error(path: Path, options: ReadOptions = ReadOptions()) -> str:  # noqa: B008
    with pytest.raises(TranscriptFormatError) as info:
        read_transcripts(path, options)
    assert info.value.path == str(path)
    return info.value.problem


def test_not_a_zip(write_file: WriteFile) -> None:
    path = write_file("plain.docx", "T: this is text, not Word\n")
    assert _read_error(path) == "not a Word .docx file (not a zip archive)"


def test_encrypted_or_legacy_doc(write_file: WriteFile) -> None:
    path = write_file("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "password-protected (encrypted) or a legacy .doc" in _read_error(path)
    legacy = write_file("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "save it as an unprotected .docx" in _read_error(legacy)


def test_truncated_docx(write_file: WriteFile, docx_bytes: DocxBytes) -> None:
    data = docx_bytes(lambda d: d.add_paragraph("T: hello"))
    path = write_file("cut.docx", data[: len(data) // 2])
    assert "corrupt or truncated" in _read_error(path)


def test_corrupt_member(write_file: WriteFile, docx_bytes: DocxBytes) -> None:
    data = bytearray(docx_bytes(lambda d: d.add_paragraph("T: hello " * 200)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    payload = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    data[payload : payload + 40] = bytes(40)  # scribble over the compressed document
    assert "corrupt" in _read_error(write_file("scribbled.docx", bytes(data)))


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            if item.filename in replace:
                dst.writestr(item.filename, replace.pop(item.filename))
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def test_zip_bomb_over_total_limit(write_file: WriteFile, docx_bytes: DocxBytes) -> None:
    data = docx_bytes(lambda d: d.add_paragraph("T: hello"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml")
    padded = xml.replace(b"<w:body>", b"<w:body>" + b" " * 500_000)
    path = write_file("bomb.docx", _rezip(data, {"word/document.xml": padded}))
    message = _read_error(path, ReadOptions(max_uncompressed_bytes=300_000))
    assert "refused" in message and "zip bomb" in message
    [parsed] = read_transcripts(path)  # the default limit lets the same (harmless) file in
    assert parsed.transcript.turns[0].text == "hello"


def test_zip_bomb_by_compression_ratio(write_file: WriteFile, docx_bytes: DocxBytes) -> None:
    data = docx_bytes(lambda d: d.add_paragraph("T: hello"))
    path = write_file("ratio.docx", _rezip(data, {"customXml/item1.xml": b"\0" * 3_000_000}))
    message = _read_error(path)
    assert "compressed" in message and "zip bomb" in message


def test_missing_document_part(write_file: WriteFile) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert "word/document.xml" in _read_error(write_file("hollow.docx", out.getvalue()))


def test_empty_docx_file(write_file: WriteFile) -> None:
    assert _read_error(write_file("empty.docx", b"")) == "the file is empty"


def test_docx_without_turns(make_docx: MakeDocx) -> None:
    path = make_docx(lambda d: d.add_paragraph("Just a memo with no speakers at all."))
    assert "no speaker turns found" in _read_error(path)
