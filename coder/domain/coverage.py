"""Coded or not coded: the one definition, and coverage (coded / total segments).

A profile read from partly coded sessions must not turn "nobody looked at this segment"
into "no rupture here". Every profile metric is therefore computed over the segments a
rater *coded*, and uncoded segments are missing, never zero. This module is the only
place that says what "coded" means; the profile (``coder.stats.profile_segments``), the
formulation gate (:mod:`coder.domain.formulation`) and every output read it from here.

**Definition.** A segment counts as coded by a rater when the rater gave *any* code or
rating in it: a segment-level code or rating, or a turn-level code on one of its turns.
A presence code stored with value 0 ("considered, not present") and a rating stored as
N/A are codings too: the rater looked and decided. Session ratings and episode (stage)
codes belong to no single segment and never make a segment coded.

*Why not "marked done"?* The brief allows "the rater marked it done, or gave it any code
or rating". Rupture Coder stores no "done" mark: the coding window's *done* is derived
(:func:`coder.app.progress.segment_is_done`: every segment rating of the scheme given,
or anything coded where the scheme has no segment ratings), and a done segment always
holds codes, so "done or any code" is exactly "any code". Should an explicit done mark
(e.g. "looked, nothing to code") ever be stored, it belongs in :func:`segment_is_coded`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coder.domain.coding import Unit

CODING_UNITS: frozenset[str] = frozenset({Unit.SEGMENT.value, Unit.TURN.value})
"""Units whose code applications make the segment holding them coded."""

CODED_DEFINITION = (
    "A segment counts as coded by a rater when the rater gave any code or rating in it "
    "(a segment-level code or rating, 0 and N/A included, or a turn-level code on one of "
    "its turns); uncoded segments are missing, never counted as segments without a rupture."
)
"""The definition in words, printed with profiles (JSON, report) so readers meet it."""


def segment_is_coded(units_applied: Iterable[Unit | str]) -> bool:
    """Whether a segment is coded, given the units of the rater's code applications
    placed in it (segment-level ones, and turn-level ones on its turns).

    Taking units rather than a yes/no keeps the rule here: a caller that also collected
    session or episode rows by mistake still gets the documented answer.
    """
    return any(str(unit) in CODING_UNITS for unit in units_applied)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of a session's (or a patient's) segments were coded."""

    coded: int
    total: int

    def __post_init__(self) -> None:
        if not 0 <= self.coded <= self.total:
            raise ValueError(f"coverage {self.coded} of {self.total} is not possible")

    @property
    def share(self) -> float | None:
        """coded / total; None without segments (nothing to cover)."""
        return self.coded / self.total if self.total else None

    @property
    def complete(self) -> bool:
        return self.coded == self.total

    def meets(self, threshold: float) -> bool:
        """Whether the share reaches ``threshold`` (a session without segments does)."""
        share = self.share
        return share is None or share >= threshold - 1e-12

    def text(self, label: str) -> str:
        """``"P01/2: 7 of 12 segments coded"``: how incomplete sessions are named."""
        return f"{label}: {self.coded} of {self.total} segments coded"

    def short(self) -> str:
        """``"7/12"``: the coverage cell of profile tables."""
        return f"{self.coded}/{self.total}"

    def to_dict(self) -> dict[str, object]:
        return {"coded_segments": self.coded, "total_segments": self.total, "share": self.share}
