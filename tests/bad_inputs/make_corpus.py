"""The hostile-input corpus: files every importer and reader must refuse with a message.

``python tests/bad_inputs/make_corpus.py`` writes the small files to
``tests/bad_inputs/files/`` (committed, so a probe can use them by hand); the large ones
(200 MB, zip bombs, docx files of megabytes of XML) and the special ones (a FIFO, a
folder, ``/dev/zero``) are made at test time only, in a temporary folder, by
``test_bad_inputs.py``. Every file is made by code below, deterministically, so the
committed copies can be checked against the script.

Each :class:`Case` says which command reads the file and words the refusal must contain;
each :class:`Good` is an awkward file that is valid (UTF-16 without a byte-order mark,
overlapping cues) and must be read exactly, never garbled.
"""

from __future__ import annotations

import io
import os
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
REPO = HERE.parents[1]
MB = 1_000_000

# The template project of the test holds patient P01, session 1: this transcript, with the
# built-in 3rs-2015 scheme (5-minute segments: 3 segments).
TEMPLATE_TRANSCRIPT = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:05:10] P: I don't want to talk about it.
[00:11:00] T: Honestly, let us look at that.
"""

Maker = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """A file that must be refused: ``command`` reads it, the message holds ``expect``."""

    name: str
    command: str  # import | codes | scheme | rules | open
    expect: tuple[str, ...]
    make: Maker
    large: bool = False  # made at test time only (big, or not a regular file)
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Good:
    """A valid but awkward transcript: read exactly these ``(speaker, text)`` turns."""

    name: str
    make: Maker
    turns: tuple[tuple[str, str], ...]


def data(content: bytes) -> Maker:
    return lambda path: path.write_bytes(content)


def text(content: str, encoding: str = "utf-8") -> Maker:
    return data(content.encode(encoding))


def sparse(size: int, head: bytes = b"") -> Maker:
    """A file of ``size`` bytes that takes no disk space (zeros after ``head``)."""

    def make(path: Path) -> None:
        with path.open("wb") as fh:
            fh.write(head)
            fh.truncate(size)

    return make


def rand(n: int, seed: int, *, no_nul: bool = False) -> bytes:
    rng = random.Random(seed)
    low = 1 if no_nul else 0
    return bytes(rng.randrange(low, 256) for _ in range(n))


# ---- docx -------------------------------------------------------------------------------
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def body(paragraphs: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:document {W}><w:body>{paragraphs}</w:body></w:document>"
    ).encode()


def para(t: str) -> str:
    return f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>"


VALID_BODY = body(para("T: How are you?") + para("P: Fine."))


def docx_bytes(document: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word package around ``document`` (fixed dates: deterministic bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("[Content_Types].xml", CONTENT_TYPES.encode()),
            ("_rels/.rels", RELS.encode()),
            ("word/document.xml", document),
            *(extra or {}).items(),
        ):
            archive.writestr(
                zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def docx(document: bytes, extra: dict[str, bytes] | None = None) -> Maker:
    return lambda path: path.write_bytes(docx_bytes(document, extra))


def zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("model/weights.bin", (2024, 1, 1, 0, 0, 0)), rand(2000, 7))
        archive.writestr(zipfile.ZipInfo("METADATA", (2024, 1, 1, 0, 0, 0)), "Name: other\n")
    return buffer.getvalue()


def corrupt_member() -> bytes:
    raw = bytearray(docx_bytes(body("".join(para(f"T: line {i} of talk") for i in range(200)))))
    at = raw.index(b"word/document.xml") + 40  # inside the compressed stream
    for i in range(at, at + 30):
        raw[i] ^= 0x5A
    return bytes(raw)


def lying_sizes(path: Path) -> None:
    """Real XML of 30 MB whose zip headers declare 1,000 bytes (sizes are only claims)."""
    document = body(para("T: x") * (30 * MB // 32))
    raw = bytearray(docx_bytes(document))
    real = len(document).to_bytes(4, "little")
    fake = (1000).to_bytes(4, "little")
    start = 0
    while (at := raw.find(real, start)) >= 0:  # local header and central directory
        raw[at : at + 4] = fake
        start = at + 4
    path.write_bytes(bytes(raw))


def big_xml(path: Path) -> None:
    """30 MB of varied text in document.xml: compresses ~3:1, so no ratio alarm."""
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(5000)]
    parts, size = [], 0
    while size < 30 * MB:
        chunk = para("T: " + " ".join(rng.choice(words) for _ in range(40)))
        parts.append(chunk)
        size += len(chunk)
    path.write_bytes(docx_bytes(body("".join(parts))))


def many_elements(path: Path) -> None:
    """600,000 empty paragraphs with random ids: under the size limits, over the count."""
    rng = random.Random(4)
    paragraphs = "".join(f'<w:p w:rsidR="{rng.getrandbits(32):08X}"/>' for _ in range(600_000))
    path.write_bytes(docx_bytes(body(paragraphs)))


def zip_bomb(path: Path) -> None:
    """document.xml of 60 MB of one repeated paragraph (compresses over 200:1)."""
    path.write_bytes(docx_bytes(body(para("T: la") * (60 * MB // 30))))


def many_members(path: Path) -> None:
    extra = {f"word/media/p{i}.bin": b"x" for i in range(2100)}
    path.write_bytes(docx_bytes(VALID_BODY, extra))


ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + f"]>\n<w:document {W}><w:body>".encode()
    + para("T: &lol9;").encode()
    + b"</w:body></w:document>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    + f"<w:document {W}><w:body>".encode()
    + para("T: &x;").encode()
    + b"</w:body></w:document>"
)
DEEP_XML = body("<w:p>" * 5000 + "</w:p>" * 5000)


# ---- YAML -------------------------------------------------------------------------------
def builtin_scheme() -> str:
    return (REPO / "schemes" / "3rs-2015.yaml").read_text(encoding="utf-8")


def scheme_edit(old: str, new: str) -> Maker:
    def make(path: Path) -> None:
        source = builtin_scheme()
        assert old in source, old
        path.write_text(source.replace(old, new, 1), encoding="utf-8")

    return make


ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


# ---- codes tables -----------------------------------------------------------------------
CODES_HEADER = "patient,session,rater,code,unit,unit_index,value\n"


def codes(*rows: str, header: str = CODES_HEADER) -> Maker:
    return text(header + "".join(r + "\n" for r in rows))


# ---- the corpus -------------------------------------------------------------------------
def special_fifo(path: Path) -> None:
    os.mkfifo(path)


def special_folder(path: Path) -> None:
    path.mkdir()


def special_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def sqlite_of_another_program(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not ours')")
    conn.commit()
    conn.close()


VTT_OK = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v T>Hello there.\n\n"
CASES: tuple[Case, ...] = (
    # -- transcripts: empty, huge, not files ---------------------------------------------
    Case("empty.txt", "import", ("empty",), data(b"")),
    Case("whitespace_only.txt", "import", ("empty",), text(" \n\t\n  \n")),
    Case("bom_only.txt", "import", ("empty",), data(b"\xef\xbb\xbf\n")),
    Case("huge_200mb.txt", "import", ("200.0 mb", "limit"), sparse(200 * MB, b"T: hi\n"), True),
    Case("huge_200mb.csv", "import", ("limit",), sparse(200 * MB, b"speaker,text\n"), True),
    Case("huge_200mb.docx", "import", ("limit",), sparse(200 * MB, b"PK\x03\x04"), True),
    Case("fifo.txt", "import", ("pipe",), special_fifo, True),
    Case("dev_zero.txt", "import", ("device",), special_dev_zero, True),
    Case("a_folder.txt", "import", ("folder",), special_folder, True),
    # -- transcripts: binary, encodings ----------------------------------------------------
    Case("binary_random.txt", "import", ("decode",), data(rand(3000, 1))),
    Case("binary_no_nul.txt", "import", ("decode",), data(rand(3000, 2, no_nul=True))),
    Case("png_as.txt", "import", ("decode",), data(b"\x89PNG\r\n\x1a\n" + rand(2000, 3))),
    Case(
        "elf_as.txt", "import", ("nul",), data(b"\x7fELF\x02\x01\x01" + b"\x00" * 40 + b"T: hi\n")
    ),
    Case(
        "control_chars.txt",
        "import",
        ("control characters",),
        data(b"T: hi\n" + bytes(range(1, 9)) * 50 + b"\nP: yo\n"),
    ),
    Case("nul_in_line.txt", "import", ("line 2", "nul"), data(b"T: hello\nP: fi\x00ne\n")),
    Case(
        "utf16_bom_odd_length.txt",
        "import",
        ("utf-16",),
        data(b"\xff\xfe" + "T: hello\n".encode("utf-16-le") + b"\x41"),
    ),
    Case(
        "utf8_bom_then_latin1.txt",
        "import",
        ("byte-order mark",),
        data(b"\xef\xbb\xbfT: caf\xe9\n"),
    ),
    Case("rtf_as.txt", "import", ("rtf",), text("{\\rtf1\\ansi T: hello}\n")),
    Case("prose_no_speakers.txt", "import", ("no speaker turns",), text("Just prose.\nMore.\n")),
    Case(
        "txt_time_999_hours.txt",
        "import",
        ("line 2", "24 hours"),
        text("[00:00:01] T: hi\n[999:59:59] P: yo\n"),
    ),
    Case(
        "txt_time_gap.txt",
        "import",
        ("line 2", "3 hours"),
        text("[00:00:01] T: hi\n[10:00:00] P: yo\n"),
    ),
    # -- WebVTT / SRT ----------------------------------------------------------------------
    Case("vtt_no_header.vtt", "import", ("webvtt",), text("00:00:01.000 --> 00:00:02.000\nhi\n")),
    Case(
        "vtt_all_malformed.vtt",
        "import",
        ("cue",),
        text("WEBVTT\n\n00:00:xx --> 00:00:02.000\n<v T>hi\n\n1:2 --> 3\n<v P>yo\n"),
    ),
    Case(
        "vtt_negative.vtt",
        "import",
        ("cue",),
        text("WEBVTT\n\n-00:00:01.000 --> -00:00:00.500\n<v T>hi\n"),
    ),
    Case(
        "vtt_999_hours.vtt",
        "import",
        ("24 hours",),
        text(VTT_OK + "999:59:58.000 --> 999:59:59.000\n<v P>Much later.\n"),
    ),
    Case(
        "vtt_gap.vtt",
        "import",
        ("3 hours",),
        text(VTT_OK + "20:00:00.000 --> 20:00:01.000\n<v P>Much later.\n"),
    ),
    Case("vtt_binary_body.vtt", "import", ("decode",), data(b"WEBVTT\n\n" + rand(2000, 5))),
    Case("vtt_only_header.vtt", "import", ("cue",), text("WEBVTT\n\nNOTE nothing here\n")),
    Case(
        "srt_malformed.srt",
        "import",
        ("cue",),
        text("1\n00:00:01,000 -> 00:00:02,000\nT: hi\n\n2\nnot a time\nP: yo\n"),
    ),
    Case(
        "srt_negative.srt", "import", ("cue",), text("1\n-00:00:01,000 --> 00:00:02,000\nT: hi\n")
    ),
    Case(
        "srt_999_hours.srt",
        "import",
        ("24 hours",),
        text(
            "1\n00:00:01,000 --> 00:00:02,000\nT: hi\n\n2\n999:00:01,000 --> 999:00:02,000\nP: yo\n"
        ),
    ),
    Case(
        "srt_gap.srt",
        "import",
        ("3 hours",),
        text(
            "1\n00:00:01,000 --> 00:00:02,000\nT: hi\n\n2\n05:00:01,000 --> 05:00:02,000\nP: yo\n"
        ),
    ),
    Case("srt_truncated.srt", "import", ("cue",), text("1\n00:00:01,000 --> 00:0")),
    # -- CSV transcripts -------------------------------------------------------------------
    Case("csv_header_only.csv", "import", ("no rows",), text("speaker,text\n")),
    Case("csv_no_text_column.csv", "import", ("no text column",), text("speaker,words\nT,hi\n")),
    Case("csv_no_speaker_column.csv", "import", ("no speaker column",), text("who,text\nT,hi\n")),
    Case(
        "csv_rows_missing_cells.csv", "import", ("no rows",), text("speaker,start,text\nT,1\nP,2\n")
    ),
    Case("csv_only_delimiters.csv", "import", ("no speaker column",), text(",,,\n,,,\n")),
    Case(
        "csv_nul_in_cell.csv",
        "import",
        ("line 3", "nul"),
        data(b"speaker,text\nT,hi\nP,f\x00ine\n"),
    ),
    Case(
        "csv_unterminated_quote.csv",
        "import",
        ("line 2", "quote"),
        text('speaker,start,text\nT,1,"hello\nP,2,fine\nT,3,ok\n'),
    ),
    Case(
        "csv_unterminated_at_end.csv",
        "import",
        ("line 3", "quote"),
        text('speaker,start,text\nT,1,hello\nP,2,"fine\nand more\n'),
    ),
    Case(
        "csv_time_999999999999.csv",
        "import",
        ("line 3", "24 hours"),
        text("speaker,start,text\nT,1,hello\nP,999999999999,fine\n"),
    ),
    Case(
        "csv_session_20_digits.csv",
        "import",
        ("too large",),
        text("session,speaker,text\n99999999999999999999,T,hi\n"),
    ),
    Case(
        "csv_session_5000_digits.csv",
        "import",
        ("too large",),
        text("session,speaker,text\n" + "9" * 5000 + ",T,hi\n"),
    ),
    Case("csv_binary.csv", "import", ("decode",), data(b"speaker,text\n" + rand(2000, 6))),
    # -- Word ------------------------------------------------------------------------------
    Case(
        "docx_truncated.docx",
        "import",
        ("corrupt or truncated",),
        lambda p: p.write_bytes(docx_bytes(VALID_BODY)[:300]),
    ),
    Case("docx_not_zip.docx", "import", ("not a zip",), text("T: I am plain text\n")),
    Case(
        "docx_encrypted.docx",
        "import",
        ("encrypted",),
        data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rand(1000, 8)),
    ),
    Case(
        "legacy_word.doc",
        "import",
        ("legacy",),
        data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ),
    Case(
        "docx_no_document.docx", "import", ("no word/document.xml",), data(zip_without_document())
    ),
    Case("model_package.pt", "import", ("no word/document.xml",), data(zip_without_document())),
    Case("docx_corrupt_member.docx", "import", ("corrupt",), data(corrupt_member())),
    Case("docx_entity_bomb.docx", "import", ("dtd",), docx(ENTITY_BOMB)),
    Case("docx_external_entity.docx", "import", ("dtd",), docx(EXTERNAL_ENTITY)),
    Case("docx_deep_xml.docx", "import", ("nested more than",), docx(DEEP_XML)),
    Case(
        "docx_malformed_xml.docx",
        "import",
        ("well-formed",),
        docx(b"<w:document><w:body><w:p></w:body>"),
    ),
    Case(
        "docx_unclosed_xml.docx",
        "import",
        ("ends early",),
        docx(f"<w:document {W}><w:body>".encode()),
    ),
    Case("docx_binary_xml.docx", "import", ("well-formed",), docx(rand(3000, 9))),
    Case("docx_empty_body.docx", "import", ("no speaker turns",), docx(body(""))),
    Case("docx_zip_bomb.docx", "import", ("zip bomb",), zip_bomb, True),
    Case("docx_lying_sizes.docx", "import", ("corrupt",), lying_sizes, True),
    Case("docx_30mb_xml.docx", "import", ("over 25,000,000 bytes",), big_xml, True),
    Case("docx_600k_elements.docx", "import", ("500,000 xml elements",), many_elements, True),
    Case("docx_2100_parts.docx", "import", ("parts",), many_members, True),
    # -- scheme files (YAML) ---------------------------------------------------------------
    Case("scheme_alias_bomb.yaml", "scheme", ("alias",), text(ALIAS_BOMB)),
    Case("scheme_self_alias.yaml", "scheme", ("alias",), text("a: &x [*x]\n")),
    Case(
        "scheme_5000_digits.yaml",
        "scheme",
        ("cannot be read",),
        text("format: " + "1" * 5000 + "\n"),
    ),
    Case(
        "scheme_deep_nesting.yaml",
        "scheme",
        ("nested",),
        text("a: " + "[" * 5000 + "]" * 5000 + "\n"),
    ),
    Case(
        "scheme_deep_mappings.yaml",
        "scheme",
        ("nested",),
        text("".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "x\n"),
    ),
    Case("scheme_empty.yaml", "scheme", ("empty",), data(b"")),
    Case("scheme_not_mapping.yaml", "scheme", ("mapping",), text("- just\n- a list\n")),
    Case("scheme_binary.yaml", "scheme", ("not utf-8",), data(rand(2000, 10))),
    Case(
        "scheme_python_tag.yaml",
        "scheme",
        ("not allowed",),
        text("format: !!python/object/apply:os.system [ls]\n"),
    ),
    Case(
        "scheme_python_scalar_tag.yaml",
        "scheme",
        ("cannot be read",),
        text("format: !!python/name:os.system x\n"),
    ),
    Case("scheme_bad_date.yaml", "scheme", ("cannot be read",), text("format: 2024-13-45\n")),
    Case("scheme_complex_key.yaml", "scheme", ("key",), text("? [a, b]\n: 1\n")),
    Case("scheme_duplicate_key.yaml", "scheme", ("appears twice",), text("format: 1\nformat: 1\n")),
    Case(
        "scheme_wrong_type.yaml",
        "scheme",
        ("window_s",),
        scheme_edit("window_s: 300", "window_s: five minutes"),
    ),
    Case(
        "scheme_missing_scale.yaml",
        "scheme",
        ("significance",),
        scheme_edit("  significance:\n    min: 1", "  significanse:\n    min: 1"),
    ),
    Case(
        "scheme_scale_wrong_type.yaml",
        "scheme",
        ("min",),
        scheme_edit("  significance:\n    min: 1", "  significance:\n    min: [1]"),
    ),
    Case("scheme_huge_200mb.yaml", "scheme", ("limit",), sparse(200 * MB, b"format: 1\n"), True),
    Case("scheme_fifo.yaml", "scheme", ("pipe",), special_fifo, True),
    # -- formulation rules (YAML) ----------------------------------------------------------
    Case("rules_alias_bomb.yaml", "rules", ("alias",), text(ALIAS_BOMB)),
    Case("rules_self_alias.yaml", "rules", ("alias",), text("rules: &x [*x]\n")),
    Case(
        "rules_5000_digits.yaml",
        "rules",
        ("cannot be read",),
        text("version: " + "7" * 5000 + "\n"),
    ),
    # -- codes tables ----------------------------------------------------------------------
    Case("codes_empty.csv", "codes", ("empty",), data(b"")),
    Case(
        "codes_missing_columns.csv",
        "codes",
        ("missing required column",),
        text("patient,session,rater\nP01,1,Ada\n"),
    ),
    Case("codes_unknown_code.csv", "codes", ("line 2", "zz9"), codes("P01,1,Ada,ZZ9,segment,1,1")),
    Case("codes_unknown_session.csv", "codes", ("line 2",), codes("P01,7,Ada,W1,segment,1,1")),
    Case("codes_unknown_patient.csv", "codes", ("line 2",), codes("P99,1,Ada,W1,segment,1,1")),
    # An unknown rater is created by a good import; in a refused file it must not be.
    Case(
        "codes_unknown_rater_bad_row.csv",
        "codes",
        ("line 2",),
        codes("P01,1,Newcomer,W1,segment,999,1"),
    ),
    Case(
        "codes_session_1e300.csv",
        "codes",
        ("line 2", "session"),
        codes("P01,1e300,Ada,W1,segment,1,1"),
    ),
    Case(
        "codes_session_5000_digits.csv",
        "codes",
        ("line 2", "too large"),
        codes("P01," + "9" * 5000 + ",Ada,W1,segment,1,1"),
    ),
    Case(
        "codes_index_20_digits.csv",
        "codes",
        ("line 2", "too large"),
        codes("P01,1,Ada,W1,segment,99999999999999999999,1"),
    ),
    Case(
        "codes_nul.csv",
        "codes",
        ("line 2", "nul"),
        data(CODES_HEADER.encode() + b"P01,1,Ada,W1,seg\x00ment,1,1\n"),
    ),
    Case("codes_binary.csv", "codes", ("utf-8",), data(rand(2000, 11))),
    Case("codes_bad_unit.csv", "codes", ("line 2", "unit"), codes("P01,1,Ada,W1,minute,1,1")),
    Case(
        "codes_bad_evidence.csv",
        "codes",
        ("line 2", "turn:char"),
        codes(
            "P01,1,Ada,W1,segment,1,1,1:x,1:4",
            header=CODES_HEADER.rstrip() + ",evidence_start,evidence_end\n",
        ),
    ),
    Case(
        "codes_bad_date.csv",
        "codes",
        ("line 2", "date-time"),
        codes(
            "P01,1,Ada,W1,segment,1,1,2024-02-31", header=CODES_HEADER.rstrip() + ",created_at\n"
        ),
    ),
    Case(
        "codes_huge_200mb.csv", "codes", ("limit",), sparse(200 * MB, CODES_HEADER.encode()), True
    ),
    Case("codes_fifo.csv", "codes", ("pipe",), special_fifo, True),
    # -- project files ---------------------------------------------------------------------
    Case("project_not_sqlite.sqlite", "open", ("not a sqlite database",), text("hello\n")),
    Case("project_empty.sqlite", "open", ("not a sqlite database",), data(b"")),
    Case("project_zip.sqlite", "open", ("not a sqlite database",), data(zip_without_document())),
    Case(
        "project_corrupt.sqlite",
        "open",
        ("cannot open database",),
        data(b"SQLite format 3\x00" + rand(8000, 12)),
    ),
    Case(
        "project_of_another_program.sqlite", "open", ("another program",), sqlite_of_another_program
    ),
    Case("project_folder.sqlite", "open", ("directory",), special_folder, True),
)

GOOD: tuple[Good, ...] = (
    Good(
        "utf16le_bom.txt",
        text("T: café au lait\nP: naïve\n", "utf-16"),
        (("T", "café au lait"), ("P", "naïve")),
    ),
    Good(
        "utf16be_bom.txt",
        data(b"\xfe\xff" + "T: café\nP: oui\n".encode("utf-16-be")),
        (("T", "café"), ("P", "oui")),
    ),
    Good(
        "utf16le_no_bom.txt",
        text("T: Hello there\nP: Fine, thanks\n", "utf-16-le"),
        (("T", "Hello there"), ("P", "Fine, thanks")),
    ),
    Good(
        "utf16be_no_bom.txt",
        text("T: Hello there\nP: Fine, thanks\n", "utf-16-be"),
        (("T", "Hello there"), ("P", "Fine, thanks")),
    ),
    Good(
        "utf16le_no_bom.csv",
        text("speaker,text\nT,Hello\nP,Fine\n", "utf-16-le"),
        (("T", "Hello"), ("P", "Fine")),
    ),
    Good(
        "vtt_overlapping.vtt",
        text(
            "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v T>Hello there.\n\n"
            "00:00:03.000 --> 00:00:04.000\n<v P>Hi.\n"
        ),
        (("T", "Hello there."), ("P", "Hi.")),
    ),
    Good(
        "srt_overlapping.srt",
        text(
            "1\n00:00:01,000 --> 00:00:05,000\nT: Hello.\n\n2\n00:00:02,000 --> 00:00:03,000\nP: Hi.\n"
        ),
        (("T", "Hello."), ("P", "Hi.")),
    ),
    Good(
        "csv_extra_cells.csv",
        text("speaker,text\nT,Hello,extra,cells\nP,Fine,x\n"),
        (("T", "Hello"), ("P", "Fine")),
    ),
)


def write_small(folder: Path = FILES) -> list[Path]:
    """Write every small file (the committed part of the corpus); return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in (*CASES, *GOOD):
        if isinstance(item, Case) and item.large:
            continue
        target = folder / item.name
        if target.is_dir():
            continue
        target.unlink(missing_ok=True)
        item.make(target)
        written.append(target)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else FILES
    paths = write_small(out)
    print(f"wrote {len(paths)} files to {out} ({sum(p.stat().st_size for p in paths):,} bytes)")
