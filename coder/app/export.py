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
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased

from coder.app import export_columns as cols
from coder.app import schemes as scheme_service
from coder.app.access import check_visible, visible_rater_ids
from coder.app.export_common import filtered as _filtered
from coder.app.export_common import hms
from coder.app.export_common import iso as _iso
from coder.app.export_common import scheme_key as _scheme_key
from coder.app.export_tables import codebook, session_rows, wide_rows
from coder.app.identity import ActingRater
from coder.app.raters import rater_row
from coder.domain.coding import Unit
from coder.domain.errors import CoderError, NotFoundError
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.io.csv_export import CHUNK, Progress, write_csv
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    ConsensusDecisionRow,
    EpisodeRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)


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
            if fmt is ExportFormat.LONG:
                columns = list(cols.LONG)
                scheme_key = _scheme_key(session, options.scheme)
                rows_iter = _long_rows(db, session, rater_ids, round_id, scheme_key)
            else:
                scheme_key = _scheme_key(session, options.scheme)
                scheme = scheme_service.load_project_scheme(db, scheme_key)
                if fmt is ExportFormat.WIDE:
                    columns = [*cols.WIDE_FIXED, *cols.wide_item_columns(scheme)]
                    rows_iter = wide_rows(session, scheme, rater_ids, round_id)
                else:
                    columns = [*cols.SESSIONS_FIXED, *cols.session_item_columns(scheme)]
                    rows_iter = session_rows(session, scheme, rater_ids, round_id)
        header = [c.name for c in columns]
        n = write_csv(out, header, rows_iter, bom=options.excel, progress=progress)
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


def _stamp(session: OrmSession, column: Any) -> Any:
    """A timestamp column as ISO 8601 text made by SQLite itself (a million Python
    conversions were a third of the export's time); other databases give ``datetime``
    objects, converted by :func:`coder.app.export_common.iso`."""
    if session.get_bind().dialect.name != "sqlite":
        return column
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff': cut and glue with substr (replace and LIKE
    # scanned each value twice, a sixth of the query's time).
    text = type_coerce(column, String)
    time = case(
        (func.substr(text, 20) == ".000000", func.substr(text, 12, 8)),
        else_=func.substr(text, 12),
    )
    return func.substr(text, 1, 10).concat("T").concat(time)


def _describe(scheme: Scheme) -> dict[str, tuple[str, str, str]]:
    """Item id → (name, group, kind) for every item of a scheme (one spelling per group:
    the group id; ratings by scope; stages by pathway)."""
    found: dict[str, tuple[str, str, str]] = {}
    for pathway in scheme.pathways:
        for stage in pathway.stages:
            found[stage.id] = (stage.name, f"{pathway.id} pathway", "stage")
    for rating in scheme.ratings:
        found[rating.id] = (rating.label, f"{rating.scope.value} rating", "rating")
    for code in scheme.codes():
        found[code.id] = (code.name, code.group_id, "code")
    return found


# ---- csv-long -----------------------------------------------------------------------------
def _long_rows(
    db: ProjectDatabase,
    session: OrmSession,
    rater_ids: list[int] | None,
    round_id: int | None,
    scheme_key: str | None = None,
) -> Iterator[Sequence[object]]:
    """One query per therapy session (in patient, session order) over
    ``code_applications`` joined only to the quoted turn and its speaker; patients,
    raters, schemes, rounds, segments, episodes and consensus decisions are small tables
    looked up in dicts. Thirteen joins per row were most of the export's time.

    Each row is glued from a few cached tuples (what the rater, round, scheme and code
    say; what the segment and the episode say) and slices of the database row, which
    comes back with its columns already in export order and formatted by SQL
    (evidence positions, NA, timestamps): per-row Python work was a third of the time."""
    app = CodeApplicationRow
    turn_no = case((app.unit == Unit.TURN.value, app.unit_index), else_=app.evidence_turn)
    evidence = case(
        (
            app.evidence_start.is_not(None),
            func.substr(
                TurnRow.text, app.evidence_start + 1, app.evidence_end - app.evidence_start
            ),
        ),
        else_=None,
    )

    def position(column: Any) -> Any:
        return (
            type_coerce(app.evidence_turn, String).concat(":").concat(type_coerce(column, String))
        )

    transcript = bindparam("transcript_id", None, type_=Integer)  # (a value: compiles once)
    query = (
        select(
            # keys of the cached parts (0-5)
            app.rater_id,
            app.round_id,
            app.scheme_id,
            app.code_id,
            app.segment_id,
            app.episode_id,
            app.id,
            # 7-8: unit, unit_index
            app.unit,
            app.unit_index,
            # 9-14: turn .. evidence_text
            turn_no,
            SpeakerRow.label,
            SpeakerRow.role,
            position(app.evidence_start),
            position(app.evidence_end),
            evidence,
            # 15-16: value, memo
            func.coalesce(cast(app.value, String), "NA"),
            app.memo,
            # 17-18: created, updated
            _stamp(session, app.created_at),
            _stamp(session, app.updated_at),
        )
        .outerjoin(TurnRow, (TurnRow.transcript_id == transcript) & (TurnRow.index == turn_no))
        .outerjoin(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
        .where(app.session_id == bindparam("session_id", None, type_=Integer))
        .order_by(
            app.rater_id,
            app.unit,
            app.unit_index,
            app.code_id,
            app.evidence_turn,
            app.evidence_start,
        )
    )
    query = _filtered(query, rater_ids, round_id)
    if scheme_key is not None:
        query = query.where(
            app.scheme_id.in_(select(SchemeRow.id).where(SchemeRow.key == scheme_key))
        )
    raters = {
        rid: (name, role, role == RaterRole.CONSENSUS.value)
        for rid, name, role in session.execute(select(RaterRow.id, RaterRow.name, RaterRow.role))
    }
    schemes: dict[int, tuple[str, str, int]] = {
        sid: (key, version, revision)
        for sid, key, version, revision in session.execute(
            select(SchemeRow.id, SchemeRow.key, SchemeRow.version, SchemeRow.revision)
        )
    }
    described: dict[int, dict[str, tuple[str, str, str]]] = {}
    rounds: dict[int | None, int] = {
        rid: number for rid, number in session.execute(select(RoundRow.id, RoundRow.number))
    }
    decider = aliased(RaterRow)
    decisions = {
        code_id: (values, name)
        for code_id, values, name in session.execute(
            select(
                ConsensusDecisionRow.code_application_id,
                ConsensusDecisionRow.rater_values,
                decider.name,
            )
            .join(decider, ConsensusDecisionRow.decided_by == decider.id)
            .where(ConsensusDecisionRow.code_application_id.is_not(None))
        )
    }

    def who(
        rater_id: int, round_row: int | None, scheme_id: int, code_id: str
    ) -> tuple[object, ...]:
        """(rater .. item_kind) for one rater, round, scheme revision and code."""
        rater, role, is_consensus = raters[rater_id]
        key, version, revision = schemes[scheme_id]
        names = described.get(scheme_id)
        if names is None:
            scheme = scheme_service.load_project_scheme_revision(db, key, revision)
            names = described[scheme_id] = _describe(scheme)
        name, group, kind = names.get(code_id, _UNKNOWN)
        return (
            rater, role, 1 if is_consensus else 0, rounds.get(round_row), key, version,
            revision, code_id, name, group, kind,
        )  # fmt: skip

    def how(app_id: int) -> tuple[str | None, str | None, str | None]:
        decision = decisions.get(app_id)
        if decision is None:
            return ("agreement", None, None)
        rater_values, decided_by = decision
        values = "; ".join(f"{r}={v}" for r, v in sorted(rater_values.items()))
        return ("decision", values, decided_by)

    sessions = session.execute(
        select(
            SessionRow.id,
            PatientRow.code,
            SessionRow.number,
            type_coerce(SessionRow.date, String),
            TranscriptRow.id,
        )
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .outerjoin(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .order_by(PatientRow.code, SessionRow.number)
    ).all()
    parts: dict[tuple[int, int | None, int, str], tuple[object, ...]] = {}
    run = _raw_runner(session, query)
    sqlite = session.get_bind().dialect.name == "sqlite"
    for session_id, patient, number, day, transcript_id in sessions:
        rows = run({"session_id": session_id, "transcript_id": transcript_id})
        chunk = rows.fetchmany(CHUNK)
        if not chunk:
            continue
        head = (patient, number, _iso(day) if day is not None else None)
        segments: dict[int | None, tuple[object, ...]] = {None: (None, None, None, None)}
        for seg_id, start, end in session.execute(
            select(SegmentRow.id, SegmentRow.start_ms, SegmentRow.end_ms)
            .join(SegmentationRow)
            .where(SegmentationRow.transcript_id == transcript_id)
        ):
            segments[seg_id] = (start, end, hms(start), hms(end))
        episodes: dict[int | None, tuple[object, ...]] = {None: _NO_EPISODE}
        for eid, index, start, end in session.execute(
            select(
                EpisodeRow.id, EpisodeRow.index, EpisodeRow.start_turn, EpisodeRow.end_turn
            ).where(EpisodeRow.session_id == session_id)
        ):
            episodes[eid] = (index, start, end)
        while chunk:
            for r in chunk:
                part_key = (r[0], r[1], r[2], r[3])
                part = parts.get(part_key)
                if part is None:
                    part = parts[part_key] = who(*part_key)
                stamps = r[17:19] if sqlite else (_iso(r[17]), _iso(r[18]))
                yield (
                    head + part + r[7:9] + segments.get(r[4], _NO_SEGMENT) + r[9:15]
                    + episodes.get(r[5], _NO_EPISODE) + r[15:17]
                    + (how(r[6]) if part[2] else _NO_DECISION) + stamps
                )  # fmt: skip
            chunk = rows.fetchmany(CHUNK)


def _raw_runner(session: OrmSession, query: Any) -> Callable[[dict[str, object]], Any]:
    """``run(params)`` → something with ``fetchmany``. On SQLite the statement is compiled
    once and run on the driver's cursor in the session's transaction: building
    SQLAlchemy ``Row`` objects for a million rows cost a tenth of the export. Elsewhere
    the ordinary (typed) execution."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return lambda params: connection.execute(query, params)
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    sql, names = str(compiled), compiled.positiontup or []
    # the filters' values (raters, round, scheme); the per-session ones come with each run
    fixed = dict(compiled.params)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def run(params: dict[str, object]) -> Any:
        values = {**fixed, **params}
        return cursor.execute(sql, [values[name] for name in names])

    return run


_NO_SEGMENT = (None, None, None, None)
_NO_EPISODE = (None, None, None)
_NO_DECISION = (None, None, None)
_UNKNOWN = ("", "", "")
