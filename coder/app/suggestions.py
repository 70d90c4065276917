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
Dismissing (:func:`dismiss_suggestion`) is kept per rater in ``suggestion_dismissals``
(revision 0009), keyed by the passage (machine rater, code, segment, turn) rather than
the machine code's uid, so it survives a restart and a second ``coder screen run`` of the
same model; the list and its counts leave dismissed passages out. Codes are never
changed by dismissing, and :func:`restore_suggestion` takes it back (undo).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as OrmSession

from coder.app.access import NotAllowed, suggestions_refusal
from coder.domain.coding import TextSpan, Unit
from coder.domain.errors import NotFoundError
from coder.domain.roles import RaterRole
from coder.store.models import CodeApplicationRow, RaterRow, SuggestionDismissalRow

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
    dismissed: bool = False  # listed only with ``include_dismissed``

    @property
    def turn(self) -> int | None:
        return self.span.turn if self.span else None


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What the panel shows: the suggestions, or why there are none to show."""

    items: list[Suggestion]
    refusal: str | None = None
    dismissed: int = 0  # suggestions at or above the threshold the rater dismissed


# A dismissed passage: (machine rater, scheme row, code, segment, turn or 0).
Passage = tuple[int, int, str, int, int]


def _passage(row: CodeApplicationRow) -> Passage:
    return (row.rater_id, row.scheme_id, row.code_id, row.unit_index, row.evidence_turn or 0)


def dismissed_passages(session: OrmSession, rater_id: int, session_id: int) -> set[Passage]:
    """The passages ``rater_id`` dismissed on ``session_id``, from any machine rater."""
    rows = session.execute(
        select(
            SuggestionDismissalRow.machine_id,
            SuggestionDismissalRow.scheme_id,
            SuggestionDismissalRow.code_id,
            SuggestionDismissalRow.unit_index,
            SuggestionDismissalRow.turn,
        ).where(
            SuggestionDismissalRow.rater_id == rater_id,
            SuggestionDismissalRow.session_id == session_id,
        )
    ).all()
    return {tuple(r) for r in rows}  # type: ignore[misc]


def list_suggestions(
    cs: CodingSession,
    threshold: float = 0.0,
    dismissed: Collection[str] = (),
    *,
    include_dismissed: bool = False,
) -> Suggestions:
    """The machine's codes on ``cs``'s session at or above ``threshold``, most probable
    first, leaving out those the rater already coded (the same code on the same turn, or
    in the same segment for a segment suggestion) and those dismissed (the rater's stored
    dismissals and the ``dismissed`` uids); ``include_dismissed`` lists the dismissed
    ones too, marked, so they can be taken back. ``Suggestions.dismissed`` counts them."""
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
        gone = dismissed_passages(session, cs.coder.rater_id, cs.session_id) if cs.coder else set()
    mine = cs.own_codes()
    own_turns = {(c.code_id, c.evidence.turn) for c in mine if c.evidence is not None}
    own_segments = {(c.code_id, c.unit_index) for c in mine if c.unit is Unit.SEGMENT}
    items = []
    n_dismissed = 0
    for row, name in rows:
        if not cs.scheme.is_code(row.code_id):
            continue  # the machine's ratings are values, not passages to check
        was_dismissed = row.uid in dismissed or _passage(row) in gone
        span = None
        if row.evidence_turn is not None:
            span = TextSpan(row.evidence_turn, row.evidence_start or 0, row.evidence_end or 0)
            if (row.code_id, row.evidence_turn) in own_turns:
                continue
        elif (row.code_id, row.unit_index) in own_segments:
            continue
        if was_dismissed:
            n_dismissed += 1
            if not include_dismissed:
                continue
        items.append(
            Suggestion(
                row.uid, name, row.code_id, row.unit_index, span, row.probability or 0.0,
                was_dismissed,
            )
        )  # fmt: skip
    items.sort(key=lambda s: (-s.probability, s.turn or 0, s.segment, s.code_id))
    return Suggestions(items, dismissed=n_dismissed)


def _machine_code(session: OrmSession, cs: CodingSession, suggestion: Suggestion) -> Passage:
    """The passage of ``suggestion``'s machine code, checking the rater may see it."""
    refusal = suggestions_refusal(session, cs.coder, cs.session_id)
    if refusal is not None:
        raise NotAllowed(refusal)
    row = session.scalar(
        select(CodeApplicationRow).where(
            CodeApplicationRow.uid == suggestion.uid,
            CodeApplicationRow.session_id == cs.session_id,
        )
    )
    if row is None:
        raise NotFoundError("this suggestion is gone (the model was run again)")
    return _passage(row)


def dismiss_suggestion(cs: CodingSession, suggestion: Suggestion) -> bool:
    """Record that ``cs``'s rater dismissed ``suggestion`` (one transaction); ``False``
    when that passage was already dismissed. Nothing else changes."""
    with cs.db.transaction(cs.coder) as session:
        passage = _machine_code(session, cs, suggestion)
        assert cs.coder is not None  # suggestions_refusal requires an identity
        if passage in dismissed_passages(session, cs.coder.rater_id, cs.session_id):
            return False
        machine_id, scheme_id, code_id, unit_index, turn = passage
        session.add(
            SuggestionDismissalRow(
                rater_id=cs.coder.rater_id,
                session_id=cs.session_id,
                machine_id=machine_id,
                scheme_id=scheme_id,
                code_id=code_id,
                unit_index=unit_index,
                turn=turn,
                probability=suggestion.probability,
            )
        )
    return True


def restore_suggestion(cs: CodingSession, suggestion: Suggestion) -> None:
    """Take a dismissal back (undo): the suggestion is listed again."""
    with cs.db.transaction(cs.coder) as session:
        machine_id, scheme_id, code_id, unit_index, turn = _machine_code(session, cs, suggestion)
        assert cs.coder is not None
        session.execute(
            delete(SuggestionDismissalRow).where(
                SuggestionDismissalRow.rater_id == cs.coder.rater_id,
                SuggestionDismissalRow.session_id == cs.session_id,
                SuggestionDismissalRow.machine_id == machine_id,
                SuggestionDismissalRow.scheme_id == scheme_id,
                SuggestionDismissalRow.code_id == code_id,
                SuggestionDismissalRow.unit_index == unit_index,
                SuggestionDismissalRow.turn == turn,
            )
        )
