"""Who may see and who may change which codes: the one place that decides.

Every service that returns codes asks :func:`visible_rater_ids`; every service that
writes them asks :func:`check_editable`. Nothing else in the code base looks at round
statuses or roles to decide visibility or editability, so one test of these two functions
(and one scenario per window) covers every view, command and export.

The *acting identity* is a :class:`~coder.app.identity.ActingRater`, or ``None`` for a command
run without ``--as``. ``None`` means the project's owner: in a project without a lead (one
person coding alone, or data brought in for analysis) the owner sees and may do
everything, as before rounds existed; in a project with a lead nobody is anonymous, and a
command that shows or changes codes must say who is acting.

Visibility (:func:`visible_rater_ids`):
  * a lead (and the internal consensus identity) sees everyone;
  * a rater is *blinded* by the project's :class:`BlindingPolicy` (default ``always``)
    and then sees only their own codes and ratings, in every window, command and export;
    a machine rater's codes (screening suggestions) are hidden from a blinded rater
    like anyone else's, and a machine rater is never a lead.

Suggestions (:func:`suggestions_refusal`): the one exception to blinding, and only for
machine raters. A rater sees the machine's codes on a session as *suggestions* while
coding it only when a lead has turned suggestions on for the project (off by default),
and never on a session covered by an open round: a rater anchored on the machine during
a reliability round would no longer be an independent rater.

Editability (:func:`check_editable`):
  * one changes only one's own codes (the consensus service writes as the consensus);
  * a code made in a round that is no longer open cannot change;
  * a session covered by a locked (or unblinded) round takes no new codes, ratings,
    memos, boundary moves or episode edits, unless an open round covers it again
    (a re-coding round); the lead can reopen a locked round;
  * while a round is open, a rater imports codes only into the sessions assigned to them
    in it (:func:`assigned_in_open_round`).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session as OrmSession

from coder.app.identity import ActingRater
from coder.domain.coding import BlindingPolicy, RoundStatus
from coder.domain.errors import CoderError, ValidationError
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import (
    AssignmentRow,
    CodeApplicationRow,
    ProjectMeta,
    RaterRow,
    RoundRow,
)

BLINDING_SETTING = "blinding"
SUGGESTIONS_SETTING = "suggestions"


class NotAllowed(CoderError):
    """The acting identity may not do this (role, blinding or round status)."""


class IdentityRequired(NotAllowed):
    """The project has a lead, so an anonymous command may not show or change codes."""


def require_lead(actor: ActingRater | None, what: str) -> None:
    if actor is None or not actor.is_lead:
        raise NotAllowed(f"only a lead can {what}")


# ---- the blinding setting -------------------------------------------------------------
def blinding_policy(session: OrmSession) -> BlindingPolicy:
    """The project's setting; a project from before the setting existed is blinded
    ``always`` (the safe reading: nobody is shown codes they were not shown before
    unless a lead decides so)."""
    meta = session.get(ProjectMeta, 1)
    value = meta.settings.get(BLINDING_SETTING) if meta is not None else None
    try:
        return BlindingPolicy(value) if value else BlindingPolicy.ALWAYS
    except ValueError:
        return BlindingPolicy.ALWAYS


def read_blinding_policy(db: ProjectDatabase) -> BlindingPolicy:
    with db.reading() as session:
        return blinding_policy(session)


def set_blinding_policy(
    db: ProjectDatabase, actor: ActingRater | None, policy: BlindingPolicy
) -> None:
    """Change when raters are blinded. Only a lead may, and only while no round is open:
    changing it mid-round would show raters codes they must not see."""
    with db.transaction(actor) as session:
        if project_has_lead(session) or actor is not None:
            require_lead(actor, "change the blinding setting")
        if policy is not BlindingPolicy.ALWAYS:
            current = session.scalar(
                select(RoundRow.number).where(RoundRow.status == RoundStatus.OPEN.value)
            )
            if current is not None:
                raise ValidationError(f"round {current} is open: lock it before relaxing blinding")
        meta = session.get(ProjectMeta, 1)
        if meta is None:
            raise CoderError("the project has no settings row; is it a Rupture Coder project?")
        meta.settings = {**meta.settings, BLINDING_SETTING: policy.value}


# ---- suggestions (machine codes shown to the rater coding a session) ------------------
def suggestions_enabled(session: OrmSession) -> bool:
    """The lead's choice; off unless a lead turned it on (new and old projects alike)."""
    meta = session.get(ProjectMeta, 1)
    return bool(meta is not None and meta.settings.get(SUGGESTIONS_SETTING) is True)


def set_suggestions_enabled(db: ProjectDatabase, actor: ActingRater | None, enabled: bool) -> None:
    """Let raters see the machine's suggestions while coding (a lead's decision)."""
    with db.transaction(actor) as session:
        if project_has_lead(session) or actor is not None:
            require_lead(actor, "turn screening suggestions on or off")
        meta = session.get(ProjectMeta, 1)
        if meta is None:
            raise CoderError("the project has no settings row; is it a Rupture Coder project?")
        meta.settings = {**meta.settings, SUGGESTIONS_SETTING: bool(enabled)}


def suggestions_refusal(
    session: OrmSession, actor: ActingRater | None, session_id: int
) -> str | None:
    """Why ``actor`` may not see the machine's suggestions on ``session_id`` (``None``:
    they may). Asked by every read of suggestions and by accepting one."""
    require_identity(session, actor, "see suggestions")
    if actor is not None and actor.role in (RaterRole.MACHINE, RaterRole.CONSENSUS):
        return "suggestions are for people coding a session"
    if not suggestions_enabled(session):
        return "suggestions are off in this project (a lead can turn them on)"
    open_rounds = _covering_rounds(session, session_id, [RoundStatus.OPEN.value])
    if open_rounds:
        return (
            f"round {open_rounds[0][0]} is open on this session: no suggestions during a "
            "reliability round (they would anchor the rater on the machine)"
        )
    return None


# ---- identity -------------------------------------------------------------------------
def project_has_lead(session: OrmSession) -> bool:
    return bool(session.scalar(select(exists().where(RaterRow.role == RaterRole.LEAD.value))))


def require_identity(session: OrmSession, actor: ActingRater | None, what: str = "do this") -> None:
    """In a project with a lead, refuse an anonymous caller."""
    if actor is None and project_has_lead(session):
        raise IdentityRequired(
            f"this project has a lead, so say who you are to {what} "
            "(--as NAME; a lead also --passphrase-file FILE)"
        )


# ---- visibility -----------------------------------------------------------------------
def is_blinded(session: OrmSession, actor: ActingRater | None) -> bool:
    """Whether ``actor`` sees only their own codes right now."""
    if actor is None:
        require_identity(session, actor, "see codes")
        return False
    if actor.role in (RaterRole.LEAD, RaterRole.CONSENSUS):
        return False
    policy = blinding_policy(session)
    if policy is BlindingPolicy.ALWAYS:
        return True
    if policy is BlindingPolicy.NEVER:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    RoundRow.status.in_([RoundStatus.OPEN.value, RoundStatus.LOCKED.value])
                )
            )
        )
    )


def visible_rater_ids(
    session: OrmSession, actor: ActingRater | None, wanted: list[int] | None = None
) -> list[int] | None:
    """Rater ids whose codes ``actor`` may see, narrowed to ``wanted`` (``None`` means
    everyone's). A blinded rater gets only their own id, whatever ``wanted`` asks for."""
    if is_blinded(session, actor):
        assert actor is not None
        return [actor.rater_id]
    return wanted


def check_visible(session: OrmSession, actor: ActingRater | None, rater_id: int, name: str) -> None:
    allowed = visible_rater_ids(session, actor)
    if allowed is not None and rater_id not in allowed:
        raise NotAllowed(f"raters are blinded: {name}'s codes are visible to leads only")


def require_everyone_visible(session: OrmSession, actor: ActingRater | None, what: str) -> None:
    """For views that compare raters (reliability, consensus): all codes or nothing."""
    if visible_rater_ids(session, actor) is not None:
        raise NotAllowed(f"raters are blinded: only a lead can {what}")


# ---- editability ----------------------------------------------------------------------
def closed_round_covering(session: OrmSession, session_id: int) -> tuple[int, str] | None:
    """(number, status) of a round that is no longer open and covers ``session_id``
    (assigned in it, or coded in it), unless an open round covers the session again."""
    if _covering_rounds(session, session_id, [RoundStatus.OPEN.value]):
        return None
    closed = _covering_rounds(
        session, session_id, [RoundStatus.LOCKED.value, RoundStatus.UNBLINDED.value]
    )
    return closed[0] if closed else None


def _covering_rounds(
    session: OrmSession, session_id: int, statuses: list[str]
) -> list[tuple[int, str]]:
    assigned = select(AssignmentRow.id).where(
        AssignmentRow.round_id == RoundRow.id, AssignmentRow.session_id == session_id
    )
    coded = select(CodeApplicationRow.id).where(
        CodeApplicationRow.round_id == RoundRow.id, CodeApplicationRow.session_id == session_id
    )
    rows = session.execute(
        select(RoundRow.number, RoundRow.status)
        .where(RoundRow.status.in_(statuses), assigned.exists() | coded.exists())
        .order_by(RoundRow.number.desc())
    )
    return [(number, status) for number, status in rows]


def check_editable(
    session: OrmSession,
    actor: ActingRater | None,
    session_id: int,
    *,
    owner_id: int,
    round_id: int | None = None,
) -> None:
    """Refuse (with one clear message) a change to codes of ``owner_id`` in therapy
    session ``session_id``; ``round_id`` is the round an existing code or episode was
    made in (``None`` for a new one)."""
    require_identity(session, actor, "change codes")
    if actor is not None and owner_id != actor.rater_id:
        raise NotAllowed("you can change only your own codes")
    if round_id is not None:
        number, status = session.execute(
            select(RoundRow.number, RoundRow.status).where(RoundRow.id == round_id)
        ).one()
        if status != RoundStatus.OPEN.value:
            raise NotAllowed(_locked_message(number, status))
    if actor is not None and actor.role is RaterRole.CONSENSUS:
        return  # consensus codes are made after a round is locked, by design
    closed = closed_round_covering(session, session_id)
    if closed is not None:
        raise NotAllowed(_locked_message(*closed))


def check_boundaries_movable(
    session: OrmSession, actor: ActingRater | None, session_id: int
) -> None:
    """Refuse moving segment boundaries of therapy session ``session_id`` unless ``actor``
    may: boundaries are shared by every rater of the session, so a lead always may, a
    rater only when not blinded and no one else has coded the session. A blinded rater is
    refused without being told whether anyone else has coded it (that would itself be a
    glimpse of another rater's work)."""
    if actor is None or actor.is_lead:
        return
    if is_blinded(session, actor):
        raise NotAllowed(
            "segment boundaries are shared by all raters: "
            "only a lead can move them while raters are blinded"
        )
    others = session.scalar(
        select(CodeApplicationRow.id)
        .where(
            CodeApplicationRow.session_id == session_id,
            CodeApplicationRow.rater_id != actor.rater_id,
        )
        .limit(1)
    )
    if others is not None:
        raise NotAllowed("other raters have coded this session; ask a lead to move boundaries")


def assigned_in_open_round(
    session: OrmSession, actor: ActingRater | None
) -> tuple[int, frozenset[int]] | None:
    """(round number, therapy session ids) a rater may bring codes into while a round is
    open: those assigned to them in it. ``None`` when ``actor`` is not restricted (no
    round is open; a lead; the consensus; the owner of a project without a lead).

    Bulk writes (a codes import) ask this so that a rater's spreadsheet cannot put codes
    into a round's sessions the lead did not give them.
    """
    if actor is None or actor.role in (RaterRole.LEAD, RaterRole.CONSENSUS):
        return None
    current = session.execute(
        select(RoundRow.id, RoundRow.number).where(RoundRow.status == RoundStatus.OPEN.value)
    ).first()
    if current is None:
        return None
    round_id, number = current
    assigned = session.scalars(
        select(AssignmentRow.session_id).where(
            AssignmentRow.round_id == round_id, AssignmentRow.rater_id == actor.rater_id
        )
    )
    return number, frozenset(assigned)


def _locked_message(number: int, status: str) -> str:
    reopen = " A lead can reopen it." if status == RoundStatus.LOCKED.value else ""
    return f"round {number} is {status}: its sessions take no more changes.{reopen}"
