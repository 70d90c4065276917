"""Importing and exporting the long codes table.

Import resolves every row against the project (patients, sessions, segments, turns,
scheme ids, value ranges) before writing anything, then stores the whole file in one
transaction. Export writes the same columns plus descriptive ones, so that export ->
import into a fresh project -> export reproduces the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import visible_rater_ids
from coder.app.identity import Coder
from coder.app.raters import check_spelling, exact_names
from coder.domain.coding import TextSpan, Unit, check_value
from coder.domain.errors import CoderError, NotFoundError, ValidationError
from coder.domain.project import Rater
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.io.codes_csv import (
    EXPORT_COLUMNS,
    CodeRecord,
    CodesFileError,
    format_span_end,
    format_span_start,
    read_codes,
    write_rows_atomically,
)
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    PatientRow,
    ProjectMeta,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
    TurnRow,
)


@dataclass(frozen=True, slots=True)
class CodesImport:
    path: Path
    rows: int
    skipped_absent: int
    new_raters: tuple[str, ...]


@dataclass
class _SessionInfo:
    id: int
    turn_lengths: dict[int, int]
    segments: dict[str, dict[int, int]]  # rule -> segment index -> segment row id


class _Resolver:
    """Per-import caches so 100k rows cost one query per session, not per row."""

    def __init__(self, session: OrmSession, db: ProjectDatabase) -> None:
        self.session = session
        self.db = db
        self.schemes: dict[str | None, tuple[int, Scheme]] = {}
        self.sessions: dict[tuple[str, int], _SessionInfo | None] = {}

    def scheme(self, key: str | None) -> tuple[int, Scheme]:
        if key not in self.schemes:
            query = select(SchemeRow)
            if key is None:
                query = query.join(ProjectMeta, ProjectMeta.default_scheme_id == SchemeRow.id)
            else:
                query = query.where(SchemeRow.key == key).order_by(SchemeRow.revision.desc())
            row = self.session.scalars(query.limit(1)).first()
            if row is None:
                raise NotFoundError(f"the project has no scheme {key!r}")
            self.schemes[key] = (row.id, scheme_service.load_project_scheme(self.db, row.key))
        return self.schemes[key]

    def session_info(self, patient: str, number: int) -> _SessionInfo | None:
        key = (patient, number)
        if key not in self.sessions:
            sid = self.session.scalar(
                select(SessionRow.id)
                .join(PatientRow)
                .where(PatientRow.code == patient, SessionRow.number == number)
            )
            if sid is None:
                self.sessions[key] = None
            else:
                lengths: dict[int, int] = dict(
                    self.session.execute(
                        select(TurnRow.index, func.length(TurnRow.text))
                        .join(TranscriptRow)
                        .where(TranscriptRow.session_id == sid)
                    ).all()
                )
                segments: dict[str, dict[int, int]] = {}
                for rule, index, seg_id in self.session.execute(
                    select(SegmentationRow.rule, SegmentRow.index, SegmentRow.id)
                    .join(SegmentationRow)
                    .join(TranscriptRow)
                    .where(TranscriptRow.session_id == sid)
                ):
                    segments.setdefault(rule, {})[index] = seg_id
                self.sessions[key] = _SessionInfo(sid, lengths, segments)
        return self.sessions[key]


def import_codes(db: ProjectDatabase, path: Path) -> CodesImport:
    """Validate every row, then store the whole file in one transaction."""
    records = read_codes(path)
    problems: list[str] = []
    with db.transaction() as session:
        resolver = _Resolver(session, db)
        raters = {r.name.lower(): r.id for r in session.scalars(select(RaterRow))}
        new_raters: list[str] = []
        rows: list[dict[str, object]] = []
        episodes: dict[tuple[int, int, int], int] = {}
        starts: dict[int, int] = {}  # episode id -> earliest evidence turn seen
        rated: set[tuple[object, ...]] = set()
        skipped = 0
        for rec in records:
            try:
                row = _resolve(rec, resolver)
            except CoderError as exc:
                problems.append(f"line {rec.line}: {exc.problem}")
                continue
            if row is None:
                skipped += 1
                continue
            if rec.rater.lower() not in raters:
                raters[rec.rater.lower()] = _new_rater(session, rec.rater)
                new_raters.append(rec.rater)
            row["rater_id"] = raters[rec.rater.lower()]
            scheme = resolver.scheme(rec.scheme)[1]
            if rec.unit is Unit.EPISODE:
                row["episode_id"] = _episode(session, episodes, starts, row, rec, scheme)
            if scheme.is_rating(rec.code):  # stages and codes may repeat; ratings may not
                key = (row["rater_id"], row["session_id"], rec.code, rec.unit, rec.unit_index)
                if key in rated:
                    problems.append(
                        f"line {rec.line}: {rec.code} is rated twice for "
                        f"{rec.unit.value} {rec.unit_index} by {rec.rater}"
                    )
                    continue
                rated.add(key)
            rows.append(row)
        if problems:
            raise CodesFileError(path, problems)
        if rows:
            # Core insert with the import time set once: the ORM's per-row bookkeeping
            # and per-row default calls were half the time of a 100k-row import.
            now = utcnow()
            for row in rows:
                row.setdefault("created_at", now)
                row.setdefault("updated_at", row["created_at"])
                row.setdefault("episode_id", None)
            session.execute(insert(cast(Table, CodeApplicationRow.__table__)), rows)
    return CodesImport(path, len(rows), skipped, tuple(new_raters))


def _resolve(rec: CodeRecord, resolver: _Resolver) -> dict[str, object] | None:
    scheme_id, scheme = resolver.scheme(rec.scheme)
    if not scheme.has_id(rec.code):
        raise NotFoundError(f"code {rec.code!r} is not in scheme {scheme.id}")
    info = resolver.session_info(rec.patient, rec.session)
    if info is None:
        raise NotFoundError(f"no session {rec.session} for patient {rec.patient!r}")
    if scheme.is_code(rec.code) and rec.value == 0:
        return None  # absence is the lack of a row; keep the file importable
    check_value(scheme, rec.code, rec.value)
    segment_id = None
    if rec.unit is Unit.SEGMENT:
        rule = rule_key(scheme.segmentation)
        segment_id = info.segments.get(rule, {}).get(rec.unit_index)
        if segment_id is None:
            n = len(info.segments.get(rule, {}))
            raise NotFoundError(
                f"session {rec.session} of {rec.patient} has no segment "
                f"{rec.unit_index} ({n} segments under {rule})"
            )
    elif rec.unit is Unit.TURN and rec.unit_index not in info.turn_lengths:
        raise NotFoundError(f"session {rec.session} of {rec.patient} has no turn {rec.unit_index}")
    elif rec.unit is Unit.SESSION and rec.unit_index != 1:
        raise ValidationError("a session-level rating has unit_index 1")
    if rec.evidence is not None:
        length = info.turn_lengths.get(rec.evidence.turn)
        if length is None:
            raise NotFoundError(f"evidence names turn {rec.evidence.turn}, which does not exist")
        if rec.evidence.end > length:
            raise ValidationError(
                f"evidence runs past the end of turn {rec.evidence.turn} ({length} characters)"
            )
    row: dict[str, object] = {
        "session_id": info.id,
        "scheme_id": scheme_id,
        "code_id": rec.code,
        "unit": rec.unit.value,
        "unit_index": rec.unit_index,
        "segment_id": segment_id,
        "value": rec.value,
        "memo": rec.memo,
        "evidence_turn": rec.evidence.turn if rec.evidence else None,
        "evidence_start": rec.evidence.start if rec.evidence else None,
        "evidence_end": rec.evidence.end if rec.evidence else None,
    }
    if rec.created_at is not None:
        row["created_at"] = rec.created_at
    if rec.updated_at is not None:
        row["updated_at"] = rec.updated_at
    return row


def _episode(
    session: OrmSession,
    cache: dict[tuple[int, int, int], int],
    starts: dict[int, int],
    row: dict[str, object],
    rec: CodeRecord,
    scheme: Scheme,
) -> int:
    """Episode ``unit_index`` of this rater and session, created on first mention; its
    pathway is that of the first stage coded in it."""
    pathway = scheme.stage(rec.code)[0].id if scheme.is_stage(rec.code) else ""
    key = (int(str(row["rater_id"])), int(str(row["session_id"])), rec.unit_index)
    if key not in cache:
        found = session.scalar(
            select(EpisodeRow.id).where(
                EpisodeRow.rater_id == key[0],
                EpisodeRow.session_id == key[1],
                EpisodeRow.index == key[2],
            )
        )
        if found is None:
            episode = EpisodeRow(
                session_id=key[1],
                rater_id=key[0],
                scheme_id=int(str(row["scheme_id"])),
                index=key[2],
                pathway_id=pathway,
                start_turn=rec.evidence.turn if rec.evidence else 1,
            )
            session.add(episode)
            session.flush()
            found = episode.id
        cache[key] = found
    episode_row = session.get(EpisodeRow, cache[key])
    if episode_row is not None:
        if pathway and not episode_row.pathway_id:
            episode_row.pathway_id = pathway
        # An episode starts at its earliest evidence, whatever order the rows come in,
        # so export -> import keeps start turns.
        if rec.evidence is not None:
            known = starts.get(episode_row.id)
            if known is None or rec.evidence.turn < known:
                starts[episode_row.id] = rec.evidence.turn
                episode_row.start_turn = rec.evidence.turn
    return cache[key]


def _new_rater(session: OrmSession, name: str) -> int:
    """Create a rater named in the file; initials from the name's words."""
    words = re.findall(r"[A-Za-z]+", name)
    rater = Rater(name, "".join(w[0] for w in words)[:4].upper() or "R")
    row = RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value)
    session.add(row)
    session.flush()
    return row.id


# ---- export -----------------------------------------------------------------------------
def export_codes(
    db: ProjectDatabase,
    out: Path,
    raters: Sequence[str] | None = None,
    coder: Coder | None = None,
) -> int:
    """Write code applications (optionally only ``raters``'); return the row count.

    Blinding holds here too (:func:`coder.app.access.visible_rater_ids`): a blinded
    rater exports only their own codes; in a project with a lead an anonymous export is
    refused.
    """
    with db.reading() as session:
        check_spelling(session, raters or ())  # a wrong case is an error, not an empty file
        rater_ids = visible_rater_ids(session, coder)
    return write_rows_atomically(out, EXPORT_COLUMNS, _export_rows(db, raters, rater_ids))


def _export_rows(
    db: ProjectDatabase, raters: Sequence[str] | None, rater_ids: list[int] | None
) -> Iterator[list[object]]:
    """Rows in a stable order. Columns are selected one by one (not whole ORM objects):
    building 100k ORM instances was most of the export time."""
    app = CodeApplicationRow
    query = (
        select(
            PatientRow.code,
            SessionRow.number,
            RaterRow.name,
            app.code_id,
            app.unit,
            app.unit_index,
            app.value,
            SchemeRow.key,
            app.evidence_turn,
            app.evidence_start,
            app.evidence_end,
            app.memo,
            SchemeRow.version,
            SchemeRow.revision,
            SegmentRow.start_ms,
            SegmentRow.end_ms,
            app.created_at,
            app.updated_at,
        )
        .join(SessionRow, app.session_id == SessionRow.id)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .join(RaterRow, app.rater_id == RaterRow.id)
        .join(SchemeRow, app.scheme_id == SchemeRow.id)
        .outerjoin(SegmentRow, app.segment_id == SegmentRow.id)
        .order_by(
            PatientRow.code,
            SessionRow.number,
            RaterRow.name,
            app.unit,
            app.unit_index,
            app.code_id,
            app.evidence_turn,
            app.evidence_start,
        )
    )
    if raters:
        query = query.where(RaterRow.name.in_(exact_names(raters)))
    if rater_ids is not None:
        query = query.where(app.rater_id.in_(rater_ids))
    schemes: dict[tuple[str, int], Scheme] = {}
    described: dict[tuple[str, int, str], tuple[str, str]] = {}
    with db.reading() as session:
        for (
            patient,
            number,
            rater,
            code_id,
            unit,
            unit_index,
            value,
            key,
            ev_turn,
            ev_start,
            ev_end,
            memo,
            version,
            revision,
            seg_start,
            seg_end,
            created,
            updated,
        ) in session.execute(query):
            label = (key, revision, code_id)
            if label not in described:
                if (key, revision) not in schemes:
                    schemes[key, revision] = scheme_service.load_project_scheme_revision(
                        db, key, revision
                    )
                described[label] = _describe(schemes[key, revision], code_id)
            name, group = described[label]
            span = None
            if ev_turn is not None and ev_start is not None and ev_end is not None:
                span = TextSpan(ev_turn, ev_start, ev_end)
            yield [
                patient,
                number,
                rater,
                code_id,
                unit,
                unit_index,
                "NA" if value is None else value,
                key,
                format_span_start(span),
                format_span_end(span),
                memo,
                name,
                group,
                f"{version} rev {revision}",
                seg_start,
                seg_end,
                created.isoformat(),
                updated.isoformat(),
            ]


def _describe(scheme: Scheme, item_id: str) -> tuple[str, str]:
    for code in scheme.codes():
        if code.id == item_id:
            return code.name, code.group_id
    for rating in scheme.ratings:
        if rating.id == item_id:
            return rating.label, f"{rating.scope.value} rating"
    pathway, stage = scheme.stage(item_id)
    return stage.name, f"{pathway.id} pathway"
