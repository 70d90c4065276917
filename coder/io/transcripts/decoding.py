"""Bytes to text for .txt/.vtt/.srt/.csv files, recording which encoding was used.

Order: a BOM decides (UTF-8, UTF-16); then strict UTF-8; then Windows-1252, which is what
"Save as Plain Text" in older Word produces; charset-normalizer only after that. Why not
charset-normalizer first: on short transcripts it misguesses Western text badly (a
three-line cp1252 file with "café" comes back as cp1006 or cp1257), while a real cp1252
file almost never fails to decode as cp1252. The exception is text where cp1252 would turn
most letters into accented ones (Cyrillic, Greek saved as cp125x): then charset-normalizer's
language model is the better judge. Latin-1 is never a candidate because it decodes every
byte and would hide a broken file. Bytes no candidate accepts are an error naming the offset.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from coder.io.transcripts.errors import TranscriptFormatError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_NON_ASCII_LETTERS = 0.25


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
    utf8_error: UnicodeDecodeError | None = None
    if b"\x00" not in data:  # NULs mean UTF-16 without BOM or binary: let the guesser look
        try:
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


def _undecodable_message(data: bytes, utf8_error: UnicodeDecodeError | None) -> str:
    if utf8_error is None:
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
