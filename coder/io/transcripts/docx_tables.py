"""Word tables as transcripts: 2 or 3 columns, speaker | text with an optional time column.

Which column holds the time is decided by content (most cells parse as a timecode), not by
position, because labs use both ``time | speaker | text`` and ``speaker | time | text``.
A first row of column titles (Speaker, Text, Time, ...) is skipped. Tables of another
width (a metadata grid, a 4-column coding sheet) are read cell by cell as paragraphs,
with a warning, so no text is lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from docx.table import Table, _Row

from coder.io.transcripts.docx_text import cell_text
from coder.io.transcripts.lines import Line
from coder.io.transcripts.timecodes import parse_timecode

HEADER_WORDS = {
    "speaker", "name", "who", "role", "person", "text", "utterance", "transcript",
    "content", "speech", "time", "timestamp", "timecode", "time code", "start",
    "start time", "line", "turn", "nr", "no", "#",
}  # fmt: skip
_TIME_SHARE = 0.6


def table_lines(table: Table, number: int, warnings: list[str]) -> Iterator[Line]:
    """Lines for one table; speaker cells become trusted labels."""
    rows = [cells for cells in map(_row_texts, table.rows) if any(c.strip() for c in cells)]
    if not rows:
        return
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    if width not in (2, 3):
        warnings.append(
            f"table {number} has {width} columns, not a speaker table; "
            "its cells were read as paragraphs"
        )
        for row_no, row in enumerate(rows, start=1):
            for cell in row:
                yield from _cell_lines(cell, f"table {number} row {row_no}")
        return
    first = 1 if _is_header(rows[0]) else 0
    time_col = _time_column(rows[first:], width)
    others = [c for c in range(width) if c != time_col]
    # Without a time column a 3-column table is "nr | speaker | text": the last two count.
    speaker_col, text_col = (others[-2], others[-1]) if len(others) >= 2 else (None, others[0])
    for row_no, row in enumerate(rows[first:], start=first + 1):
        where = f"table {number} row {row_no}"
        if len(row) != width:
            warnings.append(f"{where}: {len(row)} cells instead of {width}; read as text")
            for cell in row:
                yield from _cell_lines(cell, where)
            continue
        start = _time_or_none(row[time_col]) if time_col is not None else None
        speaker = row[speaker_col].strip().rstrip(":：").strip() if speaker_col is not None else ""
        pieces = [p for p in row[text_col].split("\n") if p.strip()] or [""]
        yield Line(pieces[0], where, label=speaker or None, start_ms=start)
        for piece in pieces[1:]:
            yield Line(piece, where)


def _row_texts(row: _Row) -> list[str]:
    """Cell texts, once per cell: python-docx repeats a horizontally merged cell."""
    texts: list[str] = []
    previous: object = None
    for cell in row.cells:
        if cell._tc is previous:
            continue
        previous = cell._tc
        texts.append(cell_text(cell._tc))
    return texts


def _cell_lines(cell: str, where: str) -> Iterator[Line]:
    for piece in cell.split("\n"):
        if piece.strip():
            yield Line(piece, where)


def _is_header(row: Sequence[str]) -> bool:
    titles = [c.strip().lower().rstrip(":") for c in row if c.strip()]
    return bool(titles) and all(t in HEADER_WORDS for t in titles)


def _time_or_none(cell: str) -> int | None:
    try:  # timecodes only: a column of plain numbers is turn numbering, not seconds
        return parse_timecode(cell) if cell.strip() else None
    except ValueError:
        return None


def _time_column(rows: Sequence[Sequence[str]], width: int) -> int | None:
    """The first column whose non-empty cells are mostly timecodes."""
    for col in range(width):
        values = [r[col] for r in rows if len(r) == width and r[col].strip()]
        times = sum(1 for v in values if _time_or_none(v) is not None)
        if values and times / len(values) >= _TIME_SHARE:
            return col
    return None
