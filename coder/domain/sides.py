"""Whose behaviour a code describes, and whether a turn's speaker fits it.

Rupture markers (withdrawal and confrontation groups) describe the patient's behaviour;
resolution strategies describe the therapist's. Evidence for a patient marker in a
therapist's turn (or the reverse) is allowed — coders sometimes mark the therapist's
words that show the patient's move — but it is worth a second look, so the app warns
without refusing.
"""

from __future__ import annotations

from coder.domain.roles import SpeakerRole
from coder.domain.scheme import CodeFamily, Scheme, Scope, Side

_FAMILY_SIDE = {
    CodeFamily.WITHDRAWAL: Side.PATIENT,
    CodeFamily.CONFRONTATION: Side.PATIENT,
    CodeFamily.RESOLUTION: Side.THERAPIST,
}
_ROLE_SIDE = {SpeakerRole.PATIENT: Side.PATIENT, SpeakerRole.THERAPIST: Side.THERAPIST}


def code_side(scheme: Scheme, code_id: str) -> Side | None:
    """The side a segment code's group describes, or None (episode codes, other)."""
    if not scheme.is_code(code_id):
        return None
    code = scheme.code(code_id)
    group = next((g for g in scheme.groups if g.id == code.group_id), None)
    if group is None or group.scope is not Scope.SEGMENT:
        return None
    return _FAMILY_SIDE.get(group.family)


def side_mismatch(scheme: Scheme, code_id: str, role: SpeakerRole, turn: int) -> str | None:
    """A warning when ``code_id`` describes one side and turn ``turn`` is the other's."""
    expected = code_side(scheme, code_id)
    spoken = _ROLE_SIDE.get(role)
    if expected is None or spoken is None or expected is spoken:
        return None
    kind = "patient marker" if expected is Side.PATIENT else "therapist strategy"
    return (
        f"⚠ {code_id} is a {kind}, but turn {turn} is the {spoken.value}'s: "
        "saved anyway; check the evidence"
    )
