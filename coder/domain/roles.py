"""Who speaks in a transcript and who codes it."""

from __future__ import annotations

from enum import StrEnum


class SpeakerRole(StrEnum):
    """Role of a transcript speaker. ``unknown`` means nobody has decided yet."""

    THERAPIST = "therapist"
    PATIENT = "patient"
    OTHER = "other"
    UNKNOWN = "unknown"


class RaterRole(StrEnum):
    """A rater codes; a lead may also see everyone's codes and manage rounds.

    ``consensus`` is the pseudo-rater that holds codes agreed in a consensus meeting,
    so consensus codes flow through every query and export like any rater's.

    ``machine`` is a screening model's suggestions (``coder screen run``): compared like
    any rater in reliability, blinded like any rater, never a lead, never anyone's
    sign-in identity, and never part of a consensus.
    """

    RATER = "rater"
    LEAD = "lead"
    CONSENSUS = "consensus"
    MACHINE = "machine"
