"""Analysis-ready exports: ``coder export`` and File ▸ Export.

Four CSV formats (see docs/exporting.md): ``csv-long`` (one row per code application),
``csv-wide`` (session × segment × rater, one column per code and rating),
``csv-sessions`` (session × rater: session ratings, segment counts, code totals) and
``csv-codebook`` (the scheme). Columns come from :mod:`coder.app.export_columns`, which
also describes them in the data dictionary.

Blinding holds: whose codes are exported is decided by
:func:`coder.app.access.visible_rater_ids` (a blinded rater exports only their own
codes; asking for someone else's is refused; in a project with a lead an anonymous
export is refused). The codebook holds no codes and needs no identity.

Rows are streamed: the database is read with a column query in chunks and written in
chunks, never as ORM objects, so a million code applications cost little memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app import export_columns as cols
from coder.app import schemes as scheme_service
from coder.app.access import check_visible, visible_rater_ids
from coder.app.export_common import scheme_key as _scheme_key
from coder.app.export_long import long_context, long_rows
from coder.app.export_long_sql import long_lines
from coder.app.export_tables import codebook, session_rows, wide_rows
from coder.app.identity import ActingRater
from coder.app.raters import rater_row
from coder.domain.errors import CoderError, NotFoundError
from coder.domain.roles import RaterRole
from coder.io.csv_export import Progress, write_csv, write_lines
from coder.store.database import ProjectDatabase
from coder.store.models import RaterRow, RoundRow


class ExportFormat(StrEnum):
    LONG = "csv-long"
    WIDE = "csv-wide"
    SESSIONS = "csv-sessions"
    CODEBOOK = "csv-codebook"


FORMAT_TITLES = {
    ExportFormat.LONG: "Codes, one row per code (csv-long)",
    ExportFormat.WIDE: "Segments × codes (csv-wide)",
    ExportFormat.SESSIONS: "Sessions summary (csv-sessions)",
    ExportFormat.CODEBOOK: "Codebook (csv-codebook)",
}


class ExportCancelled(CoderError):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: ExportFormat = ExportFormat.LONG
    rater: str | None = None  # only this rater's codes (exact name)
    consensus: bool = False  # only the consensus codes
    round: int | None = None  # only codes made in this round (number)
    scheme: str | None = None  # wide/sessions: default scheme; long, codebook: every scheme
    with_dictionary: bool = False
    excel: bool = False  # UTF-8 with BOM


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: int
    dictionary: Path | None


def dictionary_path(out: Path) -> Path:
    """``codes.csv`` → ``codes.dictionary.csv`` (next to the export)."""
    return out.with_name(f"{out.stem}.dictionary.csv")


def export(
    db: ProjectDatabase,
    out: Path,
    options: ExportOptions,
    coder: ActingRater | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write ``out`` (and its dictionary when asked); return what was written."""
    if options.rater and options.consensus:
        raise CoderError("give either a rater or the consensus, not both")
    fmt = ExportFormat(options.format)
    with db.reading() as session:
        if fmt is ExportFormat.CODEBOOK:
            columns, rows = codebook(db, session, options.scheme)
            rows_iter: Iterator[Sequence[object]] = iter(rows)
        else:
            rater_ids = _whose(session, options, coder)
            round_id = _round_id(session, options.round)
            scheme_key = _scheme_key(session, options.scheme)
            if fmt is ExportFormat.LONG:
                columns = list(cols.LONG)
                ctx = long_context(db, session)
                if session.get_bind().dialect.name == "sqlite" and not _PYTHON_ROWS:
                    lines = long_lines(ctx, session, rater_ids, round_id, scheme_key)
                    n = write_lines(
                        out, [c.name for c in columns], lines, bom=options.excel, progress=progress
                    )
                    return _with_dictionary(out, columns, n, options)
                rows_iter = long_rows(ctx, session, rater_ids, round_id, scheme_key)
            else:
                scheme = scheme_service.load_project_scheme(db, scheme_key)
                if fmt is ExportFormat.WIDE:
                    columns = [*cols.WIDE_FIXED, *cols.wide_item_columns(scheme)]
                    rows_iter = wide_rows(session, scheme, rater_ids, round_id)
                else:
                    columns = [*cols.SESSIONS_FIXED, *cols.session_item_columns(scheme)]
                    rows_iter = session_rows(session, scheme, rater_ids, round_id)
        header = [c.name for c in columns]
        n = write_csv(out, header, rows_iter, bom=options.excel, progress=progress)
    return _with_dictionary(out, columns, n, options)


# csv-long is written as finished lines built by SQLite on SQLite
# (coder.app.export_long_sql), as rows of values for csv.writer elsewhere; tests set this
# to run the second way on SQLite too and compare the bytes.
_PYTHON_ROWS = False


def _with_dictionary(
    out: Path, columns: Sequence[cols.Column], n: int, options: ExportOptions
) -> ExportResult:
    dictionary = None
    if options.with_dictionary:
        dictionary = dictionary_path(out)
        write_csv(
            dictionary,
            [c.name for c in cols.DICTIONARY],
            cols.dictionary_rows(columns),
            bom=options.excel,
        )
    return ExportResult(out, n, dictionary)


def cancel_after(should_stop: Callable[[], bool]) -> Progress:
    """A progress callback that raises :class:`ExportCancelled` once ``should_stop()``."""

    def check(_rows: int) -> None:
        if should_stop():
            raise ExportCancelled("export cancelled; nothing was written")

    return check


# ---- whose codes ------------------------------------------------------------------------
def _whose(
    session: OrmSession, options: ExportOptions, coder: ActingRater | None
) -> list[int] | None:
    """Rater ids to export (``None``: everyone's), blinding applied."""
    if options.consensus:
        row = session.scalar(select(RaterRow).where(RaterRow.role == RaterRole.CONSENSUS.value))
        if row is None:
            raise NotFoundError("the project has no consensus codes yet")
    elif options.rater:
        row = rater_row(session, options.rater)  # exact: a typo never exports nobody
    else:
        return visible_rater_ids(session, coder)
    check_visible(session, coder, row.id, row.name)
    return [row.id]


def _round_id(session: OrmSession, number: int | None) -> int | None:
    if number is None:
        return None
    found = session.scalar(select(RoundRow.id).where(RoundRow.number == number))
    if found is None:
        raise NotFoundError(f"the project has no round {number}")
    return int(found)
