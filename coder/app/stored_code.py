"""A code application as the coding services hand it out: a snapshot that undo can put
back exactly. ``uid`` is its stable identity (kept when undo re-inserts it, never reused);
``id`` is the database row id, which changes on re-insertion and may be reused after a
delete, so undo and redo never refer to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coder.domain.coding import TextSpan, Unit
from coder.store.models import CodeApplicationRow


@dataclass(frozen=True, slots=True)
class StoredCode:
    """A code application as stored."""

    id: int
    uid: str
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
    # A machine's code: the model's probability. A person's code: the probability of the
    # suggestion it was accepted from (None when made unaided).
    probability: float | None = None


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
        row.uid,
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
        row.probability,
    )
