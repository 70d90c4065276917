"""``coder package export``: one rater's codes, episodes and memos with the scheme
revisions and transcript hashes they refer to (see :mod:`coder.app.packages`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder import __version__
from coder.app.access import (
    check_visible,
)
from coder.app.identity import ActingRater
from coder.app.package_format import (
    CODE_COLUMNS,
    grid_hashes,
    iso,
    project_identity,
    transcript_hashes,
)
from coder.app.raters import rater_row
from coder.io.package_file import write_package
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
)


@dataclass(frozen=True, slots=True)
class PackageExport:
    path: Path
    rater: str
    codes: int
    episodes: int
    sessions: int


def export_package(
    db: ProjectDatabase,
    rater: str,
    out: Path,
    actor: ActingRater | None = None,
    before_write: Callable[[], None] | None = None,
) -> PackageExport:
    """Write ``rater``'s package to ``out`` (atomically). Blinding holds: a rater exports
    their own package; in a project with a lead an anonymous export is refused.
    ``before_write()`` runs once the package is gathered, before anything is written: a
    cancel it raises (the desktop's) leaves no file."""
    with db.reading() as session:
        row = rater_row(session, rater)
        check_visible(session, actor, row.id, row.name)
        payload = _payload(session, row)
    if before_write is not None:
        before_write()
    write_package(
        out,
        {"rater": row.name, "exported_at": utcnow().isoformat(), "coder_version": __version__},
        payload,
    )
    return PackageExport(
        out, row.name, len(payload["codes"]), len(payload["episodes"]), len(payload["sessions"])
    )


def _payload(session: OrmSession, rater: RaterRow) -> dict[str, Any]:
    app = CodeApplicationRow
    sessions = {
        sid: (patient, number, tid)
        for sid, patient, number, tid in session.execute(
            select(SessionRow.id, PatientRow.code, SessionRow.number, TranscriptRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .outerjoin(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        )
    }
    schemes = {
        sid: (key, version, revision, digest)
        for sid, key, version, revision, digest in session.execute(
            select(
                SchemeRow.id,
                SchemeRow.key,
                SchemeRow.version,
                SchemeRow.revision,
                SchemeRow.content_hash,
            )
        )
    }
    rounds: dict[int | None, int] = dict(
        (rid, n) for rid, n in session.execute(select(RoundRow.id, RoundRow.number))
    )
    episodes: list[dict[str, Any]] = []
    episode_index: dict[int, int] = {}
    used_sessions: set[int] = set()
    used_schemes: set[int] = set()
    for ep in session.scalars(
        select(EpisodeRow).where(EpisodeRow.rater_id == rater.id).order_by(EpisodeRow.id)
    ):
        patient, number, _tid = sessions[ep.session_id]
        key, _version, revision, _digest = schemes[ep.scheme_id]
        episode_index[ep.id] = ep.index
        used_sessions.add(ep.session_id)
        used_schemes.add(ep.scheme_id)
        episodes.append({
            "patient": patient, "session": number, "scheme": key, "scheme_revision": revision,
            "round": rounds.get(ep.round_id), "index": ep.index, "pathway": ep.pathway_id,
            "start_turn": ep.start_turn, "end_turn": ep.end_turn, "memo": ep.memo,
            "created_at": iso(ep.created_at), "updated_at": iso(ep.updated_at),
        })  # fmt: skip
    rules: dict[int, set[str]] = defaultdict(set)
    codes: list[list[Any]] = []
    query = (
        select(
            app.uid, app.session_id, app.scheme_id, app.round_id, app.code_id, app.unit,
            app.unit_index, SegmentationRow.rule, app.episode_id, app.value,
            app.evidence_turn, app.evidence_start, app.evidence_end, app.memo,
            app.probability, app.created_at, app.updated_at,
        )
        .outerjoin(SegmentRow, app.segment_id == SegmentRow.id)
        .outerjoin(SegmentationRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(app.rater_id == rater.id)
        .order_by(app.session_id, app.id)
    )  # fmt: skip
    for (
        uid, sid, scheme_id, round_id, code_id, unit, unit_index, rule, episode_id, value,
        ev_turn, ev_start, ev_end, memo, probability, created, updated,
    ) in session.execute(query):  # fmt: skip
        patient, number, _tid = sessions[sid]
        key, _version, revision, _digest = schemes[scheme_id]
        used_sessions.add(sid)
        used_schemes.add(scheme_id)
        if rule is not None:
            rules[sid].add(rule)
        codes.append([
            uid, patient, number, key, revision, rounds.get(round_id), code_id, unit,
            unit_index, rule, episode_index.get(episode_id) if episode_id else None, value,
            ev_turn, ev_start, ev_end, memo, probability, iso(created), iso(updated),
        ])  # fmt: skip
    transcripts = {sessions[sid][2] for sid in used_sessions if sessions[sid][2] is not None}
    hashes = transcript_hashes(session, cast(Iterable[int], transcripts))
    session_rows = []
    for sid in sorted(used_sessions, key=lambda s: sessions[s][:2]):
        patient, number, tid = sessions[sid]
        session_rows.append({
            "patient": patient, "session": number,
            "turns_sha256": hashes.get(tid) if tid is not None else None,
            "segments_sha256": grid_hashes(session, tid, rules[sid]) if tid is not None else {},
        })  # fmt: skip
    return {
        "project": project_identity(session),
        "rater": {"name": rater.name, "initials": rater.initials, "role": rater.role},
        "schemes": [
            {"key": k, "version": v, "revision": r, "content_hash": h}
            for k, v, r, h in sorted(schemes[s] for s in used_schemes)
        ],
        "sessions": session_rows,
        "episodes": episodes,
        "code_columns": list(CODE_COLUMNS),
        "codes": codes,
    }
