"""Segments, code applications, episodes, rounds: what raters produce.

A code application is attached to one *unit* (a segment, a turn, the whole session or
an episode) and may carry an evidence span: the exact text within one turn that the
rater marked. Presence codes have value 1; ratings carry their scale value; ``None``
is "not applicable" and only allowed where the scale says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from coder.domain.errors import ValidationError
from coder.domain.scheme import Scheme, StagePathway


class SegmentKind(StrEnum):
    TIME_WINDOW = "time_window"
    TURN_BLOCK = "turn_block"
    WHOLE_SESSION = "whole_session"


class Unit(StrEnum):
    """What a code application is given for (the ``unit`` column of the codes CSV)."""

    SEGMENT = "segment"
    TURN = "turn"
    SESSION = "session"
    EPISODE = "episode"


class RoundStatus(StrEnum):
    """An open round takes codes; a locked one takes no edits; unblinded shows all."""

    OPEN = "open"
    LOCKED = "locked"
    UNBLINDED = "unblinded"


class BlindingPolicy(StrEnum):
    """When a rater (not a lead) sees only their own codes: a project setting.

    ``always`` is the default: independent coding is the point of an observer study,
    and a rater who has seen a colleague's codes can no longer count as independent.
    ``during_rounds`` blinds while any round is open or locked (the behaviour before the
    setting existed); ``never`` suits a project coded by one person, or teaching.
    """

    ALWAYS = "always"
    DURING_ROUNDS = "during_rounds"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Segment:
    """A coding unit: turns ``first_turn..last_turn`` (1-based, inclusive).

    ``estimated`` marks windows whose times were inferred from word counts because
    the transcript had no timestamps.
    """

    index: int
    kind: SegmentKind
    first_turn: int
    last_turn: int
    start_ms: int | None = None
    end_ms: int | None = None
    estimated: bool = False

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValidationError(f"segment index must be 1 or more, not {self.index}")
        if self.first_turn < 1 or self.last_turn < self.first_turn:
            raise ValidationError(
                f"segment {self.index}: turns {self.first_turn}..{self.last_turn} are not a range"
            )

    def contains_turn(self, turn_index: int) -> bool:
        return self.first_turn <= turn_index <= self.last_turn


@dataclass(frozen=True, slots=True)
class TextSpan:
    """Characters ``start..end`` (end exclusive) of the text of turn ``turn``."""

    turn: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.turn < 1:
            raise ValidationError(f"span turn must be 1 or more, not {self.turn}")
        if self.start < 0 or self.end <= self.start:
            raise ValidationError(
                f"span {self.start}..{self.end} in turn {self.turn} is empty or reversed"
            )

    def check_within(self, text: str) -> None:
        if self.end > len(text):
            raise ValidationError(
                f"span {self.start}..{self.end} runs past the end of turn {self.turn} "
                f"({len(text)} characters)"
            )

    def overlaps(self, other: TextSpan) -> bool:
        return self.turn == other.turn and self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class CodeApplication:
    """One rater's code or rating on one unit."""

    rater: str
    code_id: str
    unit: Unit
    unit_index: int
    value: int | None = 1
    evidence: TextSpan | None = None
    memo: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.unit_index < 1:
            raise ValidationError(f"{self.unit} index must be 1 or more, not {self.unit_index}")


def check_value(scheme: Scheme, item_id: str, value: int | None) -> None:
    """Raise unless ``value`` is valid for the code, rating or stage ``item_id``."""
    if scheme.is_code(item_id):
        if value not in (0, 1):
            raise ValidationError(
                f"{item_id} is a presence code: value must be 1 (or 0), not {value}"
            )
        return
    if scheme.is_rating(item_id):
        scale = scheme.rating(item_id).scale
        if value is None:
            if not scale.allow_na:
                raise ValidationError(f"{item_id} needs a value from {scale.min} to {scale.max}")
            return
        if not scale.contains(value):
            raise ValidationError(f"{item_id} must be from {scale.min} to {scale.max}, not {value}")
        return
    _pathway, stage = scheme.stage(item_id)  # raises NotFoundError for unknown ids
    if value not in (None, 1, stage.order):
        raise ValidationError(f"stage {item_id} takes no value other than presence")


@dataclass(frozen=True, slots=True)
class StageEvent:
    stage_id: str
    turn: int
    seq: int


@dataclass(frozen=True, slots=True)
class Episode:
    """A rupture-resolution episode coded with a stage pathway."""

    index: int
    pathway_id: str
    start_turn: int
    end_turn: int | None = None
    events: tuple[StageEvent, ...] = ()
    memo: str = ""


@dataclass(frozen=True, slots=True)
class StageProgress:
    highest_order: int
    highest_stage: str | None
    out_of_order: tuple[int, ...]  # seq numbers of events that step backwards
    reached_final: bool


def stage_progress(pathway: StagePathway, events: tuple[StageEvent, ...]) -> StageProgress:
    """Highest stage reached and which events break the expected order.

    Oscillation is expected in these models (e.g. between qualified assertion and its
    avoidance), so a step backwards is *flagged*, never refused.
    """
    order = {s.id: s.order for s in pathway.stages}
    highest = 0
    highest_id: str | None = None
    flagged: list[int] = []
    for event in sorted(events, key=lambda e: e.seq):
        rank = order[event.stage_id]
        if rank < highest:
            flagged.append(event.seq)
        if rank > highest:
            highest, highest_id = rank, event.stage_id
    return StageProgress(highest, highest_id, tuple(flagged), highest == pathway.final_order)


@dataclass(frozen=True, slots=True)
class CodingRound:
    number: int
    name: str = ""
    status: RoundStatus = RoundStatus.OPEN


@dataclass(frozen=True, slots=True)
class Assignment:
    rater: str
    patient_code: str
    session_number: int
    round_number: int


@dataclass(frozen=True, slots=True)
class ProjectCounts:
    """The numbers ``coder info`` reports."""

    patients: int
    sessions: int
    turns: int
    raters: int
    codes: int
    extra: dict[str, int] = field(default_factory=dict)
