"""A screening model's suggestions for the session a person is coding (issue 16).

A machine rater's codes (stored by ``coder screen run``) are shown to the rater coding a
session as a ranked list of *suggestions*, only where :func:`coder.app.access.
suggestions_refusal` allows it: a lead turned suggestions on, and no open round covers
the session. This is the one way a blinded rater ever sees codes that are not their own,
and it is limited to machine raters: another person's codes stay hidden.

Accepting a suggestion (:meth:`coder.app.coding.CodingSession.accept_suggestion`) stores
the rater's *own* code through the same transaction, checks and undo path as a hotkey;
the new code keeps the suggestion's probability, which is how a person's code records
that it was accepted from a suggestion (a code a person made unaided has none).
Dismissing is a view choice of the open window and changes nothing stored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from coder.app.access import suggestions_refusal
from coder.domain.coding import TextSpan, Unit
from coder.domain.roles import RaterRole
from coder.store.models import CodeApplicationRow, RaterRow

if TYPE_CHECKING:
    from coder.app.coding import CodingSession


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One machine code offered to the rater: where, what, how likely."""

    uid: str  # the machine code's stable identity
    machine: str  # the machine rater's name ("Machine · 3f9c2a1b")
    code_id: str
    segment: int
    span: TextSpan | None  # the turn it points at (turn-level models)
    probability: float

    @property
    def turn(self) -> int | None:
        return self.span.turn if self.span else None


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What the panel shows: the suggestions, or why there are none to show."""

    items: list[Suggestion]
    refusal: str | None = None


def list_suggestions(
    cs: CodingSession, threshold: float = 0.0, dismissed: Collection[str] = ()
) -> Suggestions:
    """The machine's codes on ``cs``'s session at or above ``threshold``, most probable
    first, leaving out ``dismissed`` uids and those the rater already coded (the same
    code on the same turn, or in the same segment for a segment suggestion)."""
    with cs.db.reading() as session:
        refusal = suggestions_refusal(session, cs.coder, cs.session_id)
        if refusal is not None:
            return Suggestions([], refusal)
        rows = session.execute(
            select(CodeApplicationRow, RaterRow.name)
            .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
            .where(
                CodeApplicationRow.session_id == cs.session_id,
                CodeApplicationRow.scheme_id.in_(cs.scheme_ids),
                RaterRow.role == RaterRole.MACHINE.value,
                CodeApplicationRow.unit == Unit.SEGMENT.value,
                CodeApplicationRow.probability >= threshold,
            )
        ).all()
    mine = cs.own_codes()
    own_turns = {(c.code_id, c.evidence.turn) for c in mine if c.evidence is not None}
    own_segments = {(c.code_id, c.unit_index) for c in mine if c.unit is Unit.SEGMENT}
    items = []
    for row, name in rows:
        if row.uid in dismissed or not cs.scheme.is_code(row.code_id):
            continue  # the machine's ratings are values, not passages to check
        span = None
        if row.evidence_turn is not None:
            span = TextSpan(row.evidence_turn, row.evidence_start or 0, row.evidence_end or 0)
            if (row.code_id, row.evidence_turn) in own_turns:
                continue
        elif (row.code_id, row.unit_index) in own_segments:
            continue
        items.append(
            Suggestion(row.uid, name, row.code_id, row.unit_index, span, row.probability or 0.0)
        )
    items.sort(key=lambda s: (-s.probability, s.turn or 0, s.segment, s.code_id))
    return Suggestions(items)
