"""The long-format codes table: one row per code application, for R/SPSS and for
bringing years of spreadsheet codings into a project.

Columns (see docs/codes-csv.md): required ``patient, session, rater, code, unit,
unit_index, value``; optional ``scheme, evidence_start, evidence_end, memo,
created_at, updated_at``; export adds descriptive columns that import ignores.
Evidence positions are written ``TURN:CHAR`` (1-based turn, 0-based character offset,
end exclusive) because a span lives inside one turn's text.

The stdlib ``csv`` module is used rather than pandas: every problem must name its line,
and values must round-trip as exact strings.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from coder.domain.coding import TextSpan, Unit
from coder.domain.errors import CoderError, ValidationError
from coder.domain.project import MAX_NUMBER, check_number
from coder.io.atomic import atomic_file
from coder.io.limits import MAX_CODES_CSV_BYTES, read_regular_file

REQUIRED = ("patient", "session", "rater", "code", "unit", "unit_index", "value")
OPTIONAL = ("scheme", "evidence_start", "evidence_end", "memo", "created_at", "updated_at")
DESCRIPTIVE = ("code_name", "code_group", "scheme_version", "segment_start_ms", "segment_end_ms")
EXPORT_COLUMNS = (*REQUIRED, *OPTIONAL[:4], *DESCRIPTIVE, "created_at", "updated_at")
MAX_ERRORS_SHOWN = 20
PROGRESS_EVERY = 5000  # rows between progress reports of an export


@dataclass(frozen=True, slots=True)
class CodeRecord:
    line: int
    patient: str
    session: int
    rater: str
    code: str
    unit: Unit
    unit_index: int
    value: int | None
    scheme: str | None = None
    evidence: TextSpan | None = None
    memo: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CodesFileError(CoderError):
    """Problems in a codes table; ``problems`` lists each with its line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{shown}{more}", path=path)


def read_codes(path: Path) -> list[CodeRecord]:
    """Parse and type-check every row; raise with all problems (nothing is returned
    half-read)."""
    raw = read_regular_file(path, MAX_CODES_CSV_BYTES, "file", kind="codes table")
    if not raw.strip():
        raise CoderError("the file is empty", path=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CoderError(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV", path=path
        ) from None
    nul = text.find("\x00")
    if nul >= 0:  # PostgreSQL cannot store NUL; it only ever means a damaged file
        raise CoderError(
            f"line {text.count(chr(10), 0, nul) + 1}: holds a NUL character (a zero byte): "
            "the file is damaged or not a CSV file",
            path=path,
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CoderError(
            f"missing required column(s) {', '.join(missing)} (header: {', '.join(header)})",
            path=path,
        )
    records: list[CodeRecord] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        try:
            records.append(_record(row, line))
        except ValidationError as exc:
            problems.append(f"line {line}: {exc.problem}")
    if problems:
        raise CodesFileError(path, problems)
    return records


def _record(row: dict[str, str | None], line: int) -> CodeRecord:
    def get(name: str) -> str:
        value = row.get(name)
        return (value or "").strip()

    for name in REQUIRED[:-1]:
        if not get(name):
            raise ValidationError(f"column {name!r} is empty")
    try:
        unit = Unit(get("unit").lower())
    except ValueError:
        raise ValidationError(
            f"unit {get('unit')!r} must be one of {', '.join(u.value for u in Unit)}"
        ) from None
    evidence = _span(get("evidence_start"), get("evidence_end"))
    return CodeRecord(
        line=line,
        patient=get("patient"),
        session=_int("session", get("session")),
        rater=get("rater"),
        code=get("code"),
        unit=unit,
        unit_index=_int("unit_index", get("unit_index")),
        value=None if get("value").upper() in ("", "NA") else _int("value", get("value")),
        scheme=get("scheme") or None,
        evidence=evidence,
        memo=row.get("memo") or "",
        created_at=_time("created_at", get("created_at")),
        updated_at=_time("updated_at", get("updated_at")),
    )


_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")


def _int(name: str, text: str) -> int:
    """A whole number as spreadsheets write it (``3`` or ``3.0``), within the stored range.

    Parsed from the digits, not through ``float``: ``1e300`` is "whole" as a float and
    would become a 301-digit integer no database column holds.
    """
    shown = text if len(text) <= 30 else f"{text[:20]}... ({len(text)} characters)"
    if not _WHOLE.fullmatch(text):
        try:
            float(text)
        except ValueError:
            raise ValidationError(f"{name} {shown!r} is not a number") from None
        raise ValidationError(f"{name} {shown!r} is not a whole number")
    digits = text.split(".")[0]
    if len(digits.lstrip("+-").lstrip("0")) > 10:
        raise ValidationError(f"{name} {shown!r} is too large (at most {MAX_NUMBER:,})")
    return check_number(name, int(digits))


def _time(name: str, text: str) -> datetime | None:
    """An ISO date-time as naive UTC, the project's convention (coder.store.clock).

    A time with an offset (``+05:00``, ``Z``) is converted, not stored as written: stored
    times are compared and exported as UTC, and a local time kept as if it were UTC would
    be hours off.
    """
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else f"{text[:30]}..."
        raise ValidationError(f"{name} {shown!r} is not an ISO date-time") from None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ValidationError(
                f"{name} {text!r} is out of range once converted to UTC"
            ) from None
    return value


def _span(start: str, end: str) -> TextSpan | None:
    if not start and not end:
        return None
    if not start or not end:
        raise ValidationError("evidence_start and evidence_end must be given together")
    s_turn, s_char = _position("evidence_start", start)
    e_turn, e_char = _position("evidence_end", end)
    if s_turn != e_turn:
        raise ValidationError(f"evidence {start}..{end} spans two turns; a span lies within one")
    return TextSpan(s_turn, s_char, e_char)


_POSITION = re.compile(r"\s*(\d{1,10})\s*:\s*(\d{1,10})\s*", re.ASCII)


def _position(name: str, text: str) -> tuple[int, int]:
    match = _POSITION.fullmatch(text)
    if match is None:
        shown = text if len(text) <= 30 else f"{text[:20]}..."
        raise ValidationError(f"{name} {shown!r} must look like TURN:CHAR, e.g. 12:40")
    return check_number(name, int(match[1])), check_number(name, int(match[2]))


def format_span_start(span: TextSpan | None) -> str:
    return f"{span.turn}:{span.start}" if span else ""


def format_span_end(span: TextSpan | None) -> str:
    return f"{span.turn}:{span.end}" if span else ""


def write_rows_atomically(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a CSV next to ``path`` and move it into place: a crash never leaves a
    truncated export where the previous good one was. Rows are streamed (100k rows are
    not held in memory); the shared atomic writer gives the file the usual permissions
    and words for any refusal by the operating system. ``progress(rows_written)`` is
    called every :data:`PROGRESS_EVERY` rows; an exception it raises (a cancel from the
    desktop's worker) aborts the write and leaves no file."""
    count = 0
    with atomic_file(path, encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    return count
