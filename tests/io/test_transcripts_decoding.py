"""The encoding heuristic of coder.io.transcripts.decoding, on real encoded samples.

The heuristic is why the project has its own decoder rather than calling
charset-normalizer: BOM, then UTF-16 recognised by its zero bytes, then strict UTF-8, then
cp1252 for Western text, and only then charset-normalizer's guess. Each test below feeds
bytes a real tool writes and checks the decoded text itself, so a reordering of the steps
(or a dropped one) garbles a sample here.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import charset_normalizer
import pytest

from coder.io.transcripts import decoding, read_transcripts
from coder.io.transcripts.decoding import decode_text
from coder.io.transcripts.errors import TranscriptFormatError

PATH = Path("session.txt")
FALLBACK = "the file is not UTF-8; read it as {}: check accented characters"

# What Word's "Save as Plain Text" (Windows, Western) writes: smart quotes, en dash,
# ellipsis and the euro sign live in cp1252's 0x80-0x9F block, which Latin-1 lacks.
WORD_WESTERN = "T: How was the café?\r\nP: “Fine” – I guess… it cost 20 €.\r\nT: Mm.\r\n"
# German, French and Spanish letters of ISO 8859-1 only (no 0x80-0x9F bytes).
LATIN_1 = "T: Grüß Gott, ça va?\nP: Naïve question, señor. Très bien.\nT: Où est-ce?\n"
RUSSIAN = "Т: Как вы себя чувствуете сегодня?\nП: Честно говоря, не очень хорошо.\n"
GREEK = "Θ: Πώς είστε σήμερα;\nΑ: Ειλικρινά, όχι πολύ καλά.\nΘ: Πείτε μου τι συνέβη.\n"
# Serbian Cyrillic: "ђ" and "Џ" are cp1251 bytes 0x90 and 0x8F, undefined in cp1252.
SERBIAN = "Т: Ђорђе, како сте данас?\nК: Искрено, није ми добро. Џеј је рекао...\n"


def test_word_plain_text_is_read_as_cp1252_with_a_warning() -> None:
    text, encoding, warnings = decode_text(WORD_WESTERN.encode("cp1252"), PATH)
    assert text == WORD_WESTERN
    assert encoding == "cp1252"
    assert warnings == [FALLBACK.format("cp1252 (Windows Western European)")]


def test_latin_1_text_is_read_right_through_cp1252() -> None:
    """cp1252 equals Latin-1 on every printable byte, so Latin-1 files come out right.
    charset-normalizer alone guesses cp1250 for this sample and turns "ñ" into "ń"
    (checked with charset-normalizer 3.5): the reason it comes after cp1252."""
    text, encoding, warnings = decode_text(LATIN_1.encode("latin-1"), PATH)
    assert text == LATIN_1
    assert encoding == "cp1252"
    assert len(warnings) == 1


@pytest.mark.parametrize("sample", [WORD_WESTERN, LATIN_1, RUSSIAN])
@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    ],
)
def test_a_byte_order_mark_decides(sample: str, bom: bytes, codec: str, expected: str) -> None:
    text, encoding, warnings = decode_text(bom + sample.encode(codec), PATH)
    assert (text, encoding, warnings) == (sample, expected, [])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("sample", [WORD_WESTERN, LATIN_1])
def test_utf16_without_bom_is_recognised_by_its_zero_bytes(sample: str, codec: str) -> None:
    text, encoding, warnings = decode_text(sample.encode(codec), PATH)
    assert (text, encoding, warnings) == (sample, codec, [])


def test_utf16_without_bom_reaches_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes("T: Très bien.\r\nP: “Fine”.\r\n".encode("utf-16-be"))
    [parsed] = read_transcripts(path)
    assert parsed.encoding == "utf-16-be"
    assert [t.text for t in parsed.transcript.turns] == ["Très bien.", '"Fine".']


def test_utf16_without_bom_with_a_broken_pair_is_refused() -> None:
    data = "T: hello\n".encode("utf-16-le") + b"\x01\xd8\x41\x00"  # U+D801, a lone high surrogate
    with pytest.raises(TranscriptFormatError, match="looks like utf-16-le text without"):
        decode_text(data, PATH)


def test_mixed_scripts_in_utf8_need_no_guess() -> None:
    sample = "T: Café, Ђорђе, Πώς, 東京 😀\nP: “ok” – fine\n"
    assert decode_text(sample.encode("utf-8"), PATH) == (sample, "utf-8", [])


def test_a_file_mixing_utf8_and_cp1252_lines_is_read_as_cp1252_and_flagged() -> None:
    """A transcript pasted together from two sources: not valid UTF-8, so the whole file
    is read as cp1252. The cp1252 line reads right, the UTF-8 line shows the classic
    "Ã©" for "é"; the warning is what tells the user to check the accents."""
    data = "T: How was the café?\n".encode() + "P: “Fine”, thanks.\n".encode("cp1252")
    text, encoding, warnings = decode_text(data, PATH)
    assert encoding == "cp1252"
    assert text == "T: How was the cafÃ©?\nP: “Fine”, thanks.\n"
    assert warnings == [FALLBACK.format("cp1252 (Windows Western European)")]


@pytest.mark.parametrize(("sample", "codec"), [(RUSSIAN, "cp1251"), (GREEK, "cp1253")])
def test_non_western_text_goes_to_charset_normalizer(sample: str, codec: str) -> None:
    """cp1252 decodes these bytes too, but into mostly accented Latin letters
    ("Êàê âû" for "Как вы"): the Western check hands them to charset-normalizer."""
    data = sample.encode(codec)
    assert not decoding._looks_western(data.decode("cp1252"))  # the branch is taken
    text, encoding, warnings = decode_text(data, PATH)
    assert text == sample
    assert codecs.lookup(encoding).name == codecs.lookup(codec).name
    assert warnings == [FALLBACK.format(f"{encoding} (guessed)")]


def test_bytes_cp1252_cannot_decode_go_to_charset_normalizer() -> None:
    data = SERBIAN.encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("cp1252")
    text, encoding, warnings = decode_text(data, PATH)
    assert text == SERBIAN
    assert codecs.lookup(encoding).name == "cp1251"
    assert "(guessed)" in warnings[0]


def test_cp1252_is_the_last_resort_when_charset_normalizer_has_no_guess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class NoGuess:
        def best(self) -> Any:
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: NoGuess())
    data = RUSSIAN.encode("cp1251")
    text, encoding, warnings = decode_text(data, PATH)
    assert (text, encoding) == (data.decode("cp1252"), "cp1252")
    assert warnings == [FALLBACK.format("cp1252 (Windows Western European)")]
    with pytest.raises(TranscriptFormatError, match=r"nor cp1252 \(byte 0x90 at offset 6\)"):
        decode_text(SERBIAN.encode("cp1251"), PATH)  # neither cp1252 nor a guess
