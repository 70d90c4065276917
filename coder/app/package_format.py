"""What a rater package holds and how it is checked against a project: the order of a
code's fields, which of them make a code what it is, the project's identity, and the
hashes of the stored turns and segment grids (see :mod:`coder.app.packages`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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
    found: dict[str, Any] = {}
    rows = session.execute(
        select(
            SegmentationRow.rule,
            SegmentRow.index,
            SegmentRow.first_turn,
            SegmentRow.last_turn,
            SegmentRow.start_ms,
            SegmentRow.end_ms,
        )
        .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(SegmentationRow.transcript_id == transcript_id, SegmentationRow.rule.in_(rules))
        .order_by(SegmentationRow.rule, SegmentRow.index)
    )
    for rule, *bounds in rows:
        found.setdefault(rule, hashlib.sha256()).update(repr(tuple(bounds)).encode())
    return {rule: d.hexdigest() for rule, d in found.items()}
