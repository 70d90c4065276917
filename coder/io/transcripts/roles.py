"""Suggest a role for each raw speaker label; never decide silently.

Labels in the wild are ambiguous: ``C`` is *client* in most labs and *counsellor* in others
(Rogers transcripts even use ``C`` for Carl, the therapist), ``P`` may be patient or
participant, and Zoom labels are whatever people typed as their display name. So only the
full role words are ``certain``; everything else is a suggestion the user confirms in the
import dialog, with a ``reason`` that says why it was suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from coder.domain.roles import SpeakerRole

_CERTAIN = {
    "therapist": SpeakerRole.THERAPIST,
    "counsellor": SpeakerRole.THERAPIST,
    "counselor": SpeakerRole.THERAPIST,
    "patient": SpeakerRole.PATIENT,
    "client": SpeakerRole.PATIENT,
}
_SUGGESTED = {
    "t": SpeakerRole.THERAPIST,
    "th": SpeakerRole.THERAPIST,
    "tx": SpeakerRole.THERAPIST,
    "ther": SpeakerRole.THERAPIST,
    "interviewer": SpeakerRole.THERAPIST,
    "iv": SpeakerRole.THERAPIST,
    "doctor": SpeakerRole.THERAPIST,
    "p": SpeakerRole.PATIENT,
    "pt": SpeakerRole.PATIENT,
    "pat": SpeakerRole.PATIENT,
    "cl": SpeakerRole.PATIENT,
    "interviewee": SpeakerRole.PATIENT,
    "ie": SpeakerRole.PATIENT,
}
_GENERIC = {"", "unknown", "unknown speaker", "speaker"}
_TRAILING = re.compile(r"[\W\d_]+$")
_DOCTOR = re.compile(r"dr\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RoleGuess:
    """A role for one label; ``certain`` only for unambiguous full role words."""

    role: SpeakerRole
    certain: bool
    reason: str


def _key(label: str) -> str:
    """Lower-case label without trailing numbers/punctuation: ``"Therapist 1:"`` -> therapist."""
    return _TRAILING.sub("", label.strip()).strip().lower()


def _own_guess(label: str) -> RoleGuess | None:
    """The guess a label earns by itself, or ``None`` when it is just a name."""
    key = _key(label)
    if key in _CERTAIN:
        role = _CERTAIN[key]
        return RoleGuess(role, True, f"{label!r} is the role word {key!r}")
    if key in _SUGGESTED:
        role = _SUGGESTED[key]
        return RoleGuess(role, False, f"{label!r} is a usual abbreviation for the {role}")
    if _DOCTOR.match(key):
        return RoleGuess(
            SpeakerRole.THERAPIST, False, f"{label!r} starts with 'Dr', usually the therapist"
        )
    return None


def is_ambiguous_c(label: str) -> bool:
    """``C``, ``C1``, ``C:``: client in most labs, counsellor in others."""
    return _key(label) == "c"


def _is_generic(label: str) -> bool:
    """Placeholders such as ``unknown`` or ``Speaker 2`` carry no role information."""
    key = _key(label)
    return key in _GENERIC or key.startswith("speaker")


def guess_role(label: str, all_labels: Iterable[str]) -> RoleGuess:
    """Suggest a role for ``label`` given every label in the same transcript.

    ``all_labels`` matters for labels that are only meaningful in context: ``C`` next to
    ``T`` is the client; an unrecognised name next to exactly one therapist-like label
    (``Dr. Okafor``) is suggested to be the patient, and vice versa.
    """
    others = [o for o in dict.fromkeys(all_labels) if o != label]
    other_roles = [g.role for g in map(_own_guess, others) if g is not None]
    if is_ambiguous_c(label):
        if SpeakerRole.THERAPIST in other_roles:
            return RoleGuess(
                SpeakerRole.PATIENT,
                False,
                f"{label!r} is ambiguous (client or counsellor); suggested patient because "
                "another label looks like the therapist",
            )
        return RoleGuess(
            SpeakerRole.UNKNOWN, False, f"{label!r} is ambiguous (client or counsellor)"
        )
    own = _own_guess(label)
    if own is not None:
        return own
    if _is_generic(label):
        return RoleGuess(SpeakerRole.UNKNOWN, False, f"{label!r} does not name a role")
    names = [
        o for o in others if _own_guess(o) is None and not is_ambiguous_c(o) and not _is_generic(o)
    ]
    if not names and len(other_roles) == 1 and other_roles[0] != SpeakerRole.OTHER:
        role = (
            SpeakerRole.PATIENT
            if other_roles[0] == SpeakerRole.THERAPIST
            else SpeakerRole.THERAPIST
        )
        return RoleGuess(role, False, f"the only other speaker looks like the {other_roles[0]}")
    return RoleGuess(SpeakerRole.UNKNOWN, False, f"{label!r} is a name, not a role")
