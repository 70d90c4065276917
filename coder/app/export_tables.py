"""The export tables built per segment, per session and per scheme item: ``csv-wide``
(session × segment × rater, a column per code and rating), ``csv-sessions`` (session ×
rater) and ``csv-codebook`` (the scheme itself). Both code tables come from one pass over
each session's codes (:func:`sessions_codes`), one session in memory at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam, select, type_coerce
from sqlalchemy.orm import Session as OrmSession

from coder.app import export_columns as cols
from coder.app import schemes as scheme_service
from coder.app.export_common import filtered, hms, iso
from coder.app.export_common import scheme_key as check_scheme_key
from coder.domain.coding import Unit
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
)


@dataclass
class _Seg:
    index: int
    first_turn: int
    last_turn: int
    start_ms: int | None
    end_ms: int | None


@dataclass
class _SessionCodes:
    """One session's segments and, per rater, what they coded (by segment)."""

    patient: str
    number: int
    day: str | None
    segments: list[_Seg]
    # rater -> segment index -> item -> value ("1" for codes, the rating, or None for NA)
    by_rater: dict[tuple[str, bool], dict[int, dict[str, object]]]
    session_values: dict[tuple[str, bool], dict[str, object]]
    totals: dict[tuple[str, bool], int]


def sessions_codes(
    session: OrmSession, scheme: Scheme, rater_ids: list[int] | None, round_id: int | None
) -> Iterator[_SessionCodes]:
    """Per session (in patient, session order), the scheme's segments and the visible
    raters' codes under every revision of the scheme, turn codes placed in their segment."""
    app = CodeApplicationRow
    rule = rule_key(scheme.segmentation)
    seg_rows = session.execute(
        select(
            SessionRow.id,
            SegmentRow.index,
            SegmentRow.first_turn,
            SegmentRow.last_turn,
            SegmentRow.start_ms,
            SegmentRow.end_ms,
        )
        .join(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .join(SegmentationRow, SegmentationRow.transcript_id == TranscriptRow.id)
        .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(SegmentationRow.rule == rule)
        .order_by(SessionRow.id, SegmentRow.index)
    )
    segments: dict[int, list[_Seg]] = defaultdict(list)
    for sid, index, first, last, start_ms, end_ms in seg_rows:
        segments[sid].append(_Seg(index, first, last, start_ms, end_ms))
    codes = filtered(
        select(RaterRow.name, RaterRow.role, app.code_id, app.unit, app.unit_index, app.value)
        .join(RaterRow, app.rater_id == RaterRow.id)
        .where(
            app.session_id == bindparam("session_id", type_=Integer),
            app.scheme_id.in_(select(SchemeRow.id).where(SchemeRow.key == scheme.id)),
        ),
        rater_ids,
        round_id,
    )
    sessions = session.execute(
        select(
            SessionRow.id, PatientRow.code, SessionRow.number, type_coerce(SessionRow.date, String)
        )
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .order_by(PatientRow.code, SessionRow.number)
    ).all()
    consensus = RaterRole.CONSENSUS.value
    for sid, patient, number, day in sessions:  # one session's codes in memory at a time
        rows = session.execute(codes, {"session_id": sid}).all()
        if not rows:
            continue
        segs = segments.get(sid, [])
        by_turn = {t: s.index for s in segs for t in range(s.first_turn, s.last_turn + 1)}
        by_rater: dict[tuple[str, bool], dict[int, dict[str, object]]] = {}
        session_values: dict[tuple[str, bool], dict[str, object]] = {}
        totals: dict[tuple[str, bool], int] = defaultdict(int)
        for rater, role, code_id, unit, unit_index, value in rows:
            who = (rater, role == consensus)
            totals[who] += 1
            marks = by_rater.setdefault(who, {})
            segment = None
            if unit == Unit.SEGMENT.value:
                segment = unit_index
            elif unit == Unit.TURN.value:
                segment = by_turn.get(unit_index)
            elif unit == Unit.SESSION.value:
                session_values.setdefault(who, {})[code_id] = value
            if segment is not None:
                marks.setdefault(segment, {})[code_id] = value
        yield _SessionCodes(patient, number, iso(day), segs, by_rater, session_values, dict(totals))


def wide_rows(
    session: OrmSession, scheme: Scheme, rater_ids: list[int] | None, round_id: int | None
) -> Iterator[Sequence[object]]:
    items = cols.wide_items(scheme)
    is_code = [scheme.is_code(i) for i in items]
    for s in sessions_codes(session, scheme, rater_ids, round_id):
        for seg in s.segments:
            fixed = [
                s.patient, s.number, s.day, scheme.id, seg.index, seg.start_ms, seg.end_ms,
                hms(seg.start_ms), hms(seg.end_ms), seg.first_turn, seg.last_turn,
            ]  # fmt: skip
            for (rater, consensus), marks in sorted(s.by_rater.items()):
                given = marks.get(seg.index)
                if given is None:
                    cells: list[object] = [None] * len(items)
                else:
                    cells = [
                        (1 if item in given else 0) if code else given.get(item)
                        for item, code in zip(items, is_code, strict=True)
                    ]
                yield [*fixed, rater, int(consensus), 0 if given is None else 1, *cells]


def session_rows(
    session: OrmSession, scheme: Scheme, rater_ids: list[int] | None, round_id: int | None
) -> Iterator[Sequence[object]]:
    ratings, codes = cols.session_items(scheme)
    for s in sessions_codes(session, scheme, rater_ids, round_id):
        for who, marks in sorted(s.by_rater.items()):
            rater, consensus = who
            n_segments = len(s.segments)
            coded = sum(1 for seg in s.segments if seg.index in marks)
            values = s.session_values.get(who, {})
            per_code = [sum(1 for m in marks.values() if c in m) for c in codes]
            yield [
                s.patient, s.number, s.day, scheme.id, rater, int(consensus), n_segments,
                coded, n_segments - coded, s.totals.get(who, 0),
                *(values.get(r) for r in ratings), *per_code,
            ]  # fmt: skip


def codebook(
    db: ProjectDatabase, session: OrmSession, key: str | None
) -> tuple[list[cols.Column], list[list[object]]]:
    stored = session.execute(
        select(SchemeRow.key, SchemeRow.version, SchemeRow.revision).order_by(
            SchemeRow.key, SchemeRow.revision
        )
    ).all()
    latest: dict[str, tuple[str, int]] = {k: (v, r) for k, v, r in stored}
    if key is not None:
        check_scheme_key(session, key)
        latest = {key: latest[key]}
    rows: list[list[object]] = []
    for scheme_key, (version, revision) in latest.items():
        scheme = scheme_service.load_project_scheme_revision(db, scheme_key, revision)
        head = [scheme_key, version, revision]
        for group in scheme.groups:
            for code in group.codes:
                rows.append([
                    *head, "code", group.id, group.label, code.family.value, group.scope.value,
                    code.id, code.name, code.definition, code.hotkey, "0/1", None, 0,
                ])  # fmt: skip
        for rating in scheme.ratings:
            anchors = "; ".join(f"{v}={a}" for v, a in sorted(rating.scale.anchors.items()))
            rows.append([
                *head, "rating", f"{rating.scope.value} rating", f"{rating.scope.value} ratings",
                rating.family.value, rating.scope.value, rating.id, rating.label,
                rating.definition, rating.hotkey, cols.scale_text(scheme, rating.id),
                anchors or None, int(rating.scale.allow_na),
            ])  # fmt: skip
        for pathway in scheme.pathways:
            for stage in pathway.stages:
                rows.append([
                    *head, "stage", f"{pathway.id} pathway", pathway.label,
                    pathway.family.value, "episode", stage.id, stage.name, stage.definition,
                    stage.hotkey, f"order {stage.order}", None, 0,
                ])  # fmt: skip
    return list(cols.CODEBOOK), rows
