"""Streaming CSV writer for the analysis exports (``coder export``).

Rows arrive as an iterator and are written in chunks through the one atomic writer
(:mod:`coder.io.atomic`), so a million rows are never held in memory, a failed or
cancelled export leaves nothing where the file was to go (and never its temporary file),
and the file gets the permissions a plain ``open()`` would give (umask).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path

from coder.io.atomic import atomic_file

CHUNK = 5000  # rows per writerows() call and per progress report

Progress = Callable[[int], None]


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write ``header`` and ``rows`` to ``path`` atomically; return the row count.

    ``bom`` writes UTF-8 with a byte-order mark (what Excel needs to read UTF-8).
    ``progress(rows_written)`` is called after every chunk; an exception it raises (a
    cancel) aborts the export and nothing is written. ``None`` values are written empty.
    """
    count = 0
    with atomic_file(path, encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            writer.writerows(chunk)
            count += len(chunk)
            if progress is not None:
                progress(count)
    return count


def write_lines(
    path: Path,
    header: Sequence[str],
    chunks: Iterable[Sequence[str]],
    *,
    bom: bool = False,
    progress: Progress | None = None,
) -> int:
    """:func:`write_csv` for rows that arrive as finished CSV lines (each ending in
    ``\n``), in chunks of any size: the same header, atomic write, and progress (and
    cancel) every ``CHUNK`` lines or so."""
    count = reported = 0
    with atomic_file(path, encoding="utf-8-sig" if bom else "utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerow(header)
        for chunk in chunks:
            fh.writelines(chunk)
            count += len(chunk)
            if progress is not None and count - reported >= CHUNK:
                progress(count)
                reported = count
        if progress is not None and count != reported:
            progress(count)
    return count
