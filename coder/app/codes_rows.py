"""One row of a codes table checked against the project, before anything is written.

:class:`Resolver` caches what a file's rows refer to (schemes, sessions with their turn
lengths and segments), so 100k rows cost one query per session, not per row;
:func:`resolve` turns a record into the row to insert or says in words what is wrong
with it. The stored codes of the file's sessions (:func:`stored_rows`) tell a row
already present (skipped) from one that conflicts with a stored code (refused, with
:func:`conflict`'s words); :func:`refused_sessions` asks :mod:`coder.app.access` once
per session; :func:`episode_id` creates an episode on its first mention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import NotAllowed, assigned_in_open_round, check_editable
from coder.app.codes_raters import Who, as_consensus, line_list
from coder.app.identity import ActingRater
from coder.app.lookup import no_session, session_or_none
from coder.domain.coding import TextSpan, Unit, check_value
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.io.codes_csv import CodeRecord, format_span_end, format_span_start
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    ProjectMeta,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    TranscriptRow,
    TurnRow,
)


@dataclass
class SessionInfo:
    id: int
    patient: str
    number: int
    turn_lengths: dict[int, int]
    segments: dict[str, dict[int, int]]  # rule -> segment index -> segment row id


class Resolver:
    """Per-import caches so 100k rows cost one query per session, not per row."""

    def __init__(self, session: OrmSession, db: ProjectDatabase) -> None:
        self.session = session
        self.db = db
        self.schemes: dict[str | None, tuple[int, Scheme]] = {}
        self.scheme_keys: dict[int, str] = {}  # scheme row id -> key, for identity checks
        self.sessions: dict[tuple[str, int], SessionInfo | None] = {}

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
            self.schemes[key] = (row.id, scheme_service.scheme_of_row(row))
            self.scheme_keys[row.id] = row.key
        return self.schemes[key]

    def session_info(self, patient: str, number: int) -> SessionInfo | None:
        key = (patient, number)
        if key not in self.sessions:
            found = session_or_none(self.session, patient, number)
            if found is None:
                self.sessions[key] = None
            else:
                sid = found.id
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
                self.sessions[key] = SessionInfo(sid, patient, number, lengths, segments)
        return self.sessions[key]


@dataclass(frozen=True, slots=True)
class Candidate:
    rec: CodeRecord
    row: dict[str, object]
    who: Who
    slot: tuple[object, ...]  # what the row is about: one value per slot
    rating: bool


def resolve(rec: CodeRecord, resolver: Resolver) -> dict[str, object] | None:
    scheme_id, scheme = resolver.scheme(rec.scheme)
    if not scheme.has_id(rec.code):
        raise NotFoundError(f"code {rec.code!r} is not in scheme {scheme.id}")
    info = resolver.session_info(rec.patient, rec.session)
    if info is None:
        raise no_session(rec.patient, rec.session)
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


def episode_id(
    session: OrmSession,
    cache: dict[tuple[int, int, int], int],
    starts: dict[int, int],
    row: dict[str, object],
    rec: CodeRecord,
    scheme: Scheme,
    round_id: int | None,
) -> int:
    """Episode ``unit_index`` of this rater and session, created on first mention (in
    ``round_id``, like its codes); its pathway is that of the first stage coded in it."""
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
                round_id=round_id,
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


def evidence_of(row: dict[str, object]) -> tuple[object, object, object]:
    return (row["evidence_turn"], row["evidence_start"], row["evidence_end"])


def _where(rec: CodeRecord) -> str:
    return f"{rec.code} for {rec.unit.value} {rec.unit_index}"


def repeated(rec: CodeRecord, who: Who, rating: bool, earlier: int) -> str:
    if rating:
        return (
            f"{rec.code} is rated twice for {rec.unit.value} {rec.unit_index} by {who.name} "
            f"(first on line {earlier})"
        )
    span = " with the same evidence" if rec.evidence is not None else ""
    return f"{_where(rec)} by {who.name}{span} repeats line {earlier}"


def conflict(cand: Candidate, stored: tuple[object, object, object]) -> str:
    evidence, value, memo = stored
    rec = cand.rec
    if value != cand.row["value"]:
        differs = f"value {_shown(value)} (this row: {_shown(rec.value)})"
    elif memo != cand.row["memo"]:
        differs = "a different memo"
    else:
        differs = f"different evidence ({_span(evidence)})"
    return (
        f"{_where(rec)} by {cand.who.name} is already stored with {differs}; "
        "change it in the app, or remove the row"
    )


def _shown(value: object) -> str:
    return "NA" if value is None else str(value)


def _span(evidence: object) -> str:
    turn, start, end = cast(tuple[int | None, int | None, int | None], evidence)
    if turn is None or start is None or end is None:
        return "none"
    span = TextSpan(turn, start, end)
    return f"{format_span_start(span)}..{format_span_end(span)}"


def stored_rows(
    session: OrmSession, candidates: Sequence[Candidate]
) -> dict[tuple[object, ...], list[tuple[object, object, object]]]:
    """The stored codes of the file's sessions and raters, by what they are about
    (session, rater, scheme key, code, unit, unit index): one query per file."""
    session_ids = {c.row["session_id"] for c in candidates}
    rater_ids = {c.who.id for c in candidates if c.who.id is not None}
    found: dict[tuple[object, ...], list[tuple[object, object, object]]] = {}
    if not session_ids or not rater_ids:
        return found
    app = CodeApplicationRow
    query = (
        select(
            app.session_id,
            RaterRow.name,
            SchemeRow.key,
            app.code_id,
            app.unit,
            app.unit_index,
            app.evidence_turn,
            app.evidence_start,
            app.evidence_end,
            app.value,
            app.memo,
        )
        .join(RaterRow, app.rater_id == RaterRow.id)
        .join(SchemeRow, app.scheme_id == SchemeRow.id)
        .where(app.session_id.in_(session_ids), app.rater_id.in_(rater_ids))
    )
    for sid, rater, key, code, unit, index, turn, start, end, value, memo in session.execute(query):
        found.setdefault((sid, rater, key, code, unit, index), []).append(
            ((turn, start, end), value, memo)
        )
    return found


def refused_sessions(
    session: OrmSession, actor: ActingRater | None, fresh: Sequence[Candidate], resolver: Resolver
) -> list[tuple[int, str]]:
    """Rows refused because of the session they go into: one check per session (and
    kind of owner), reported with all the lines it refuses."""
    lines: dict[tuple[int, int | None], list[int]] = {}
    for cand in fresh:
        owner = cand.who.id if cand.who.is_consensus else None
        lines.setdefault((int(str(cand.row["session_id"])), owner), []).append(cand.rec.line)
    sessions = {info.id: info for info in resolver.sessions.values() if info is not None}
    assigned = assigned_in_open_round(session, actor)
    refused: list[tuple[int, str]] = []
    for (sid, consensus_id), at in lines.items():
        info = sessions[sid]
        label = f"{line_list(at)} ({info.patient} session {info.number})"
        try:
            if consensus_id is not None:
                # Consensus codes are written as the consensus, whose rules access knows.
                check_editable(session, as_consensus(consensus_id), sid, owner_id=consensus_id)
            else:
                # A lead may bring in anyone's codes, so only the session's round
                # status is asked of it; a rater's rows are all their own.
                owner = actor.rater_id if actor is not None else 0
                check_editable(session, actor, sid, owner_id=owner)
        except NotAllowed as exc:
            refused.append((at[0], f"{label}: {exc.problem}"))
            continue
        if assigned is not None and consensus_id is None and sid not in assigned[1]:
            refused.append(
                (at[0], f"{label}: this session is not assigned to you in round {assigned[0]}")
            )
    return refused
