"""Bytes to text for .txt/.vtt/.srt/.csv files, recording which encoding was used.

Order: a BOM decides (UTF-8, UTF-16); then strict UTF-8; then Windows-1252, which is what
"Save as Plain Text" in older Word produces; charset-normalizer only after that. Why not
charset-normalizer first: on short transcripts it misguesses Western text badly (a
three-line cp1252 file with "café" comes back as cp1006 or cp1257), while a real cp1252
file almost never fails to decode as cp1252. The exception is text where cp1252 would turn
most letters into accented ones (Cyrillic, Greek saved as cp125x): then charset-normalizer's
language model is the better judge. Latin-1 is never a candidate because it decodes every
byte and would hide a broken file. Bytes no candidate accepts are an error naming the offset.

UTF-16 without a BOM (some Windows tools write it) is recognised by its zero bytes: text
that is mostly ASCII has a zero in every other byte, on the odd positions for
little-endian and the even ones for big-endian. Checked before anything else because it
is unambiguous and because guessing would otherwise garble it.

After decoding, :func:`check_text` refuses text that still holds NUL characters or is
mostly control characters: no transcript contains them, so they mean a damaged file
(blocks of zeros written over it after a crash or a failed sync) or binary data with a
text name. Refused rather than stripped, because the damage usually took real text with
it and a silently "repaired" transcript would be coded with lines missing; and PostgreSQL
cannot store NUL in text at all.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from coder.io.transcripts.errors import TranscriptFormatError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_NON_ASCII_LETTERS = 0.25
_UTF16_SAMPLE = 4096
_UTF16_ZERO_SHARE = 0.6  # of the expected-zero positions that are zero in UTF-16 text
_MAX_CONTROL_SHARE = 0.01  # control characters (not tab, newline...) in real text: ~0
# Control characters other than whitespace (\t \n \v \f \r) and \x1a, the DOS end-of-file mark.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")


def decode_text(data: bytes, path: Path) -> tuple[str, str, list[str]]:
    """Return ``(text, encoding name, warnings)``; raise when no encoding fits."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name, []
            except UnicodeDecodeError as exc:
                raise TranscriptFormatError(
                    f"starts with a {name} byte-order mark but byte offset {exc.start} "
                    f"is not valid {name}",
                    path=path,
                ) from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16, []
        except UnicodeDecodeError as exc:
            raise TranscriptFormatError(
                f"looks like {utf16} text without a byte-order mark, but byte offset "
                f"{exc.start} is not valid {utf16}; save it as UTF-8",
                path=path,
            ) from exc
    try:  # also with NULs: then check_text names the line holding them
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    cp1252 = _try_decode(data, "cp1252")
    if cp1252 is not None and b"\x00" not in data and _looks_western(cp1252):
        return cp1252, "cp1252", [_fallback_warning("cp1252 (Windows Western European)")]
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        name = str(best.encoding)
        return str(best), name, [_fallback_warning(f"{name} (guessed)")]
    if cp1252 is not None and b"\x00" not in data:
        return cp1252, "cp1252", [_fallback_warning("cp1252 (Windows Western European)")]
    raise TranscriptFormatError(_undecodable_message(data, utf8_error), path=path)


def check_text(text: str, path: Path) -> None:
    """Refuse decoded text holding NULs or mostly control characters (see module doc)."""
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise TranscriptFormatError(
            f"line {line}: holds a NUL character (a zero byte), which never occurs in text: "
            "the file is damaged or not a text file; remove the zero bytes (or export the "
            "transcript again) and import it again",
            path=path,
        )
    sample = text[:100_000]
    controls = len(_CONTROLS.findall(sample))  # in C: a Python loop here took ~2 ms
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise TranscriptFormatError(
            f"{controls} control characters in the first {len(sample):,} characters: "
            "this is binary data, not a text transcript",
            path=path,
        )


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the zero bytes say so, else None."""
    sample = data[:_UTF16_SAMPLE]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0), odd.count(0)
    if odd_zeros >= _UTF16_ZERO_SHARE * len(odd) and even_zeros == 0:
        return "utf-16-le"
    if even_zeros >= _UTF16_ZERO_SHARE * len(even) and odd_zeros == 0:
        return "utf-16-be"
    return None


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_western(text: str) -> bool:
    """True when accented letters are the exception, as in Western European text."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    non_ascii = sum(1 for c in letters if not c.isascii())
    return non_ascii / len(letters) <= _MAX_NON_ASCII_LETTERS


def _fallback_warning(what: str) -> str:
    return f"the file is not UTF-8; read it as {what}: check accented characters"


def _undecodable_message(data: bytes, utf8_error: UnicodeDecodeError) -> str:
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return (
            f"cannot decode the text: NUL byte at byte offset {offset} and no known "
            "encoding fits (is this a binary file?)"
        )
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as exc:
        cp_part = f", nor cp1252 (byte 0x{data[exc.start]:02X} at offset {exc.start})"
    else:  # pragma: no cover - cp1252 decoded, so we would not be here
        cp_part = ""
    bad = data[utf8_error.start]
    return (
        f"cannot decode the text: not UTF-8 (byte 0x{bad:02X} at offset {utf8_error.start})"
        f"{cp_part}; save it as UTF-8"
    )
