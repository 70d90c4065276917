"""What a rater package holds and how it is checked against a project: the order of a
code's fields, which of them make a code what it is, the project's identity, and the
hashes of the stored turns and segment grids (see :mod:`coder.app.packages`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.domain.errors import CoderError
from coder.store.models import (
    ProjectMeta,
    SegmentationRow,
    SegmentRow,
    SpeakerRow,
    TurnRow,
)

# Order of a code's fields in the payload (a list per code keeps 100k codes compact).
CODE_COLUMNS = (
    "uid", "patient", "session", "scheme", "scheme_revision", "round", "code_id", "unit",
    "unit_index", "segment_rule", "episode", "value", "evidence_turn", "evidence_start",
    "evidence_end", "memo", "probability", "created_at", "updated_at",
)  # fmt: skip
# The fields that make a code what it is; timestamps and row ids are not compared.
CONTENT = (
    "round", "code_id", "unit", "unit_index", "segment_rule", "episode", "value",
    "evidence_turn", "evidence_start", "evidence_end", "memo", "probability",
)  # fmt: skip
# CONTENT is a run of CODE_COLUMNS, so a code's content is one slice of its list.
FIRST = CODE_COLUMNS.index(CONTENT[0])
LAST = FIRST + len(CONTENT)
assert CODE_COLUMNS[FIRST:LAST] == CONTENT
SessionKey = tuple[str, int]  # (patient code, session number)
ID_CHUNK = 5000  # ids per IN (...) query: well under every database's parameter limit


def project_identity(session: OrmSession) -> dict[str, str]:
    """Name and creation time: a copy of the project (a rater's laptop copy, a backup)
    shares them; another project, even one with the same name, does not."""
    meta = session.get(ProjectMeta, 1)
    if meta is None:
        raise CoderError("the project has no settings row; is it a Rupture Coder project?")
    return {"name": meta.name, "created_at": iso(meta.created_at)}


def iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def transcript_hashes(session: OrmSession, transcript_ids: Iterable[int]) -> dict[int, str]:
    """Transcript id → SHA-256 over its turns exactly as stored (index, speaker label,
    start and end ms, text)."""
    ids = sorted(set(transcript_ids))
    digests = {tid: hashlib.sha256() for tid in ids}
    if not ids:
        return {}
    rows = session.execute(
        select(
            TurnRow.transcript_id,
            TurnRow.index,
            SpeakerRow.label,
            TurnRow.start_ms,
            TurnRow.end_ms,
            TurnRow.text,
        )
        .join(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
        .where(TurnRow.transcript_id.in_(ids))
        .order_by(TurnRow.transcript_id, TurnRow.index)
    )
    for tid, index, label, start, end, text in rows:
        digests[tid].update(f"{index}\x1f{label}\x1f{start}\x1f{end}\x1f{text}\x1e".encode())
    return {tid: d.hexdigest() for tid, d in digests.items()}


def grid_hashes(session: OrmSession, transcript_id: int, rules: Iterable[str]) -> dict[str, str]:
    """Rule → SHA-256 over the segment grid (index, first and last turn, times); a rule
    the transcript lacks is absent."""
    grids = segment_grids(session, {transcript_id: rules}).get(transcript_id, {})
    return {rule: digest for rule, (digest, _ids) in grids.items()}


def segment_grids(
    session: OrmSession, wanted: Mapping[int, Iterable[str]]
) -> dict[int, dict[str, tuple[str, dict[int, int]]]]:
    """Transcript id → rule → (the grid's SHA-256 as :func:`grid_hashes` makes it,
    segment index → segment id), for the rules asked of each transcript. One query per
    few thousand transcripts: one per session was a fifth of a 100k-code merge."""
    rules = {tid: set(asked) for tid, asked in wanted.items()}
    digests: dict[tuple[int, str], Any] = {}
    ids: dict[tuple[int, str], dict[int, int]] = {}
    transcripts = sorted(rules)
    for start in range(0, len(transcripts), ID_CHUNK):
        rows = session.execute(
            select(
                SegmentationRow.transcript_id,
                SegmentationRow.rule,
                SegmentRow.index,
                SegmentRow.first_turn,
                SegmentRow.last_turn,
                SegmentRow.start_ms,
                SegmentRow.end_ms,
                SegmentRow.id,
            )
            .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
            .where(SegmentationRow.transcript_id.in_(transcripts[start : start + ID_CHUNK]))
            .order_by(SegmentationRow.transcript_id, SegmentationRow.rule, SegmentRow.index)
        )
        for tid, rule, index, first, last, start_ms, end_ms, seg_id in rows:
            if rule not in rules[tid]:
                continue
            key = (tid, rule)
            if key not in digests:
                digests[key], ids[key] = hashlib.sha256(), {}
            digests[key].update(repr((index, first, last, start_ms, end_ms)).encode())
            ids[key][index] = seg_id
    found: dict[int, dict[str, tuple[str, dict[int, int]]]] = {}
    for (tid, rule), digest in digests.items():
        found.setdefault(tid, {})[rule] = (digest.hexdigest(), ids[(tid, rule)])
    return found
