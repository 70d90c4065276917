"""A code application as the coding services hand it out: a snapshot that undo can put
back exactly (``id`` changes when it is re-inserted; timestamps are kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coder.domain.coding import TextSpan, Unit
from coder.store.models import CodeApplicationRow


@dataclass(frozen=True, slots=True)
class StoredCode:
    """A code application as stored (``id`` changes when an undo re-inserts it)."""

    id: int
    rater_id: int
    rater: str
    code_id: str
    unit: Unit
    unit_index: int
    value: int | None
    evidence: TextSpan | None
    memo: str
    round_number: int | None
    created_at: datetime
    updated_at: datetime
    episode_id: int | None = None


def stored(row: CodeApplicationRow, rater: str, round_number: int | None) -> StoredCode:
    span = None
    if (
        row.evidence_turn is not None
        and row.evidence_start is not None
        and row.evidence_end is not None
    ):
        span = TextSpan(row.evidence_turn, row.evidence_start, row.evidence_end)
    return StoredCode(
        row.id,
        row.rater_id,
        rater,
        row.code_id,
        Unit(row.unit),
        row.unit_index,
        row.value,
        span,
        row.memo,
        round_number,
        row.created_at,
        row.updated_at,
        row.episode_id,
    )
