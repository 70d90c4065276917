"""CSV/TSV transcripts: one row per utterance, optionally several sessions in one file.

The standard-library ``csv`` module rather than pandas: warnings need physical line
numbers (``reader.line_num``), every cell must stay text (no "007" -> 7, no "n/a" -> NaN),
and the file is already decoded by our own encoding rules. The delimiter (comma, tab or
semicolon) is taken from the header line, which is more predictable than ``csv.Sniffer``
on quoted prose full of commas. A bad time in one row (AnnoMI has ``00:09:025``) is left
empty with a warning rather than failing the file.

A missing closing quote makes the ``csv`` module read every following row into one cell,
silently. It is caught two ways: a quoted cell still open at the end of the file is
refused (certain: the rows after it would be lost into one turn), and a cell that spans
lines which themselves look like rows (as many delimiters as the header) is refused naming
both lines, since a real multi-line utterance rarely holds whole rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from coder.io.transcripts.chunks import SourceChunk, build_parsed
from coder.io.transcripts.errors import TranscriptFormatError
from coder.io.transcripts.model import COLUMN_KEYS, ParsedTranscript, ReadOptions
from coder.io.transcripts.timecodes import parse_time_value

DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "speaker": ("speaker", "interlocutor", "role"),
    "text": ("text", "utterance", "utterance_text", "transcript"),
    "start": ("start", "timestamp", "start_time"),
    "end": ("end", "end_time"),
    "session": ("session", "session_id"),
}
REQUIRED = ("speaker", "text")


def read_csv(
    text: str, *, path: Path, encoding: str, warnings: list[str], options: ReadOptions
) -> list[ParsedTranscript]:
    """One transcript per session value (in order of first appearance), or one in all."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        columns = resolve_columns(header, options.columns, path)
        groups: dict[str | None, list[SourceChunk]] = {}
        notes: dict[str | None, list[str]] = {}
        lines = text.split("\n")
        row_width = len(header) - 1  # delimiters in a line that is a whole row
        start_line = end_line = reader.line_num
        for row in reader:
            start_line, end_line = end_line + 1, reader.line_num
            if end_line > start_line:
                _check_spanning_row(row, start_line, delimiter, row_width, path)
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num

            def cell(key: str, row: list[str] = row) -> str:
                index = columns.get(key)
                return row[index].strip() if index is not None and index < len(row) else ""

            group = cell("session") if "session" in columns else None
            group_notes = notes.setdefault(group, [])
            if not cell("text"):
                group_notes.append(f"line {line}: empty text; row skipped")
                continue
            start = _time(cell("start"), "start", line, group_notes)
            end = _time(cell("end"), "end", line, group_notes)
            speaker = cell("speaker") or "unknown"
            chunk = SourceChunk(speaker, cell("text"), start, end, f"line {line}")
            groups.setdefault(group, []).append(chunk)
        if end_line > 1:
            _check_last_row_closed(lines, start_line, delimiter, path)
    except StopIteration:
        raise TranscriptFormatError("the file is empty", path=path) from None
    except csv.Error as exc:
        raise TranscriptFormatError(f"line {reader.line_num}: bad CSV ({exc})", path=path) from exc
    if not groups:
        raise TranscriptFormatError("no rows with text found below the header", path=path)
    orphans = [n for g, ns in notes.items() if g not in groups for n in ns]
    return [
        build_parsed(
            chunks,
            path=path,
            fmt="csv",
            options=options,
            encoding=encoding,
            warnings=warnings + orphans + notes.get(group, []),
            group=group,
        )
        for group, chunks in groups.items()
    ]


def _check_spanning_row(
    row: list[str], start_line: int, delimiter: str, row_width: int, path: Path
) -> None:
    """Refuse a quoted cell whose later lines look like rows of their own (see module)."""
    if row_width < 1:
        return
    for cell in row:
        for offset, inner in enumerate(cell.split("\n")[1:], start=1):
            if inner.count(delimiter) >= row_width:
                raise TranscriptFormatError(
                    f"line {start_line}: a quoted cell starting here runs on past line "
                    f"{start_line + offset}, which looks like a row of its own: a closing "
                    'quote (") is probably missing; fix it and import again',
                    path=path,
                )


def _check_last_row_closed(lines: list[str], start: int, delimiter: str, path: Path) -> None:
    """Refuse a file whose last record ends inside quotes.

    Only the last record is read again, strictly (the lenient reader used for the rows
    accepts an open quote at the end of the file); other strict complaints, such as a
    stray quote inside a cell, are what lenient reading is for and are ignored here.
    """
    tail = "\n".join(lines[start - 1 :])
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise TranscriptFormatError(
                f"line {start}: a quoted cell starting here is never closed, so every line "
                'after it would become one cell: a closing quote (") is missing',
                path=path,
            ) from None


def resolve_columns(
    header: list[str], mapping: Mapping[str, str] | None, path: Path
) -> dict[str, int]:
    """Column index per role: the mapping if given (exact, then case-insensitive), else
    the first common name found; speaker and text are required."""
    lowered: dict[str, int] = {}
    for index, name in enumerate(header):
        lowered.setdefault(name.lower(), index)
    columns: dict[str, int] = {}
    for key in COLUMN_KEYS:
        if mapping is not None and key in mapping:
            name = mapping[key]
            mapped = header.index(name) if name in header else lowered.get(name.lower())
            if mapped is None:
                raise TranscriptFormatError(
                    f"column {name!r} (mapped to {key}) not in header: {', '.join(header)}",
                    path=path,
                )
            columns[key] = mapped
            continue
        found = next((lowered[c] for c in DEFAULT_COLUMNS[key] if c in lowered), None)
        if found is not None:
            columns[key] = found
    for key in REQUIRED:
        if key not in columns:
            raise TranscriptFormatError(
                f"no {key} column: expected one of {', '.join(DEFAULT_COLUMNS[key])} "
                f"(or map one with the columns option); header: {', '.join(header)}",
                path=path,
            )
    return columns


def _time(value: str, what: str, line: int, notes: list[str]) -> int | None:
    if not value:
        return None
    try:
        return parse_time_value(value)
    except ValueError:
        notes.append(f"line {line}: {what} {value[:40]!r} is not a time; left empty")
        return None
