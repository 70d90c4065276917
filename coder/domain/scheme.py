"""Coding schemes: what raters can mark, rate and sequence.

A scheme is immutable once loaded. It is identified by ``(id, version, content_hash)``:
editing a scheme file yields a new content hash and is stored as a new version, so
existing codes are never silently reinterpreted. Files are validated in
``coder.io.scheme_file``; objects here are assumed consistent and only index it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from coder.domain.errors import NotFoundError


class CodeFamily(StrEnum):
    """What a code or rating is about; profiles and reliability group by it."""

    WITHDRAWAL = "withdrawal"
    CONFRONTATION = "confrontation"
    RESOLUTION = "resolution"
    OTHER = "other"


class Scope(StrEnum):
    """The unit a code or rating is given for."""

    SEGMENT = "segment"
    SESSION = "session"
    EPISODE = "episode"


class Side(StrEnum):
    """Whose behaviour a rating describes (3RS-2022 rates both sides)."""

    PATIENT = "patient"
    THERAPIST = "therapist"


class SegmentationMode(StrEnum):
    TIME_WINDOW = "time_window"
    TURN_BLOCK = "turn_block"
    WHOLE_SESSION = "whole_session"


@dataclass(frozen=True, slots=True)
class SegmentationRule:
    """How a session is cut into coding units.

    ``words_per_minute`` is used only when a transcript has no timestamps: windows are
    then estimated from word counts and marked as estimated.
    """

    mode: SegmentationMode = SegmentationMode.TIME_WINDOW
    window_s: int = 300
    turns_per_block: int = 10
    words_per_minute: int = 150


@dataclass(frozen=True, slots=True)
class RatingScale:
    id: str
    min: int
    max: int
    anchors: dict[int, str] = field(default_factory=dict)
    allow_na: bool = False

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True, slots=True)
class Code:
    """A presence code (a marker subtype or a resolution strategy)."""

    id: str
    name: str
    group_id: str
    family: CodeFamily
    definition: str = ""
    examples: tuple[str, ...] = ()
    hotkey: str | None = None
    colour: str = "#888888"
    subfamily: str | None = None


@dataclass(frozen=True, slots=True)
class CodeGroup:
    id: str
    label: str
    family: CodeFamily
    scope: Scope
    codes: tuple[Code, ...]


@dataclass(frozen=True, slots=True)
class RatingDef:
    """A rating item (significance, salience, global rating, episode rating)."""

    id: str
    label: str
    scale: RatingScale
    scope: Scope
    family: CodeFamily = CodeFamily.OTHER
    side: Side | None = None
    definition: str = ""
    hotkey: str | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    order: int
    name: str
    definition: str = ""
    hotkey: str | None = None


@dataclass(frozen=True, slots=True)
class StagePathway:
    id: str
    label: str
    family: CodeFamily
    stages: tuple[Stage, ...]

    @property
    def final_order(self) -> int:
        return max(s.order for s in self.stages)


@dataclass(frozen=True)
class Scheme:
    id: str
    version: str
    name: str
    content_hash: str
    segmentation: SegmentationRule = SegmentationRule()
    citation: str = ""
    description: str = ""
    scales: dict[str, RatingScale] = field(default_factory=dict)
    groups: tuple[CodeGroup, ...] = ()
    ratings: tuple[RatingDef, ...] = ()
    pathways: tuple[StagePathway, ...] = ()

    # ---- lookups -------------------------------------------------------------
    # Indexes are built once per scheme (cached_property writes to the instance dict,
    # which a frozen dataclass without slots allows): importing 100k coded rows looks
    # ids up several times per row.
    @cached_property
    def _codes_by_id(self) -> dict[str, Code]:
        return {code.id: code for group in self.groups for code in group.codes}

    @cached_property
    def _ratings_by_id(self) -> dict[str, RatingDef]:
        return {rating.id: rating for rating in self.ratings}

    @cached_property
    def _stages_by_id(self) -> dict[str, tuple[StagePathway, Stage]]:
        return {stage.id: (p, stage) for p in self.pathways for stage in p.stages}

    def codes(self) -> Iterator[Code]:
        for group in self.groups:
            yield from group.codes

    def is_code(self, item_id: str) -> bool:
        return item_id in self._codes_by_id

    def is_rating(self, item_id: str) -> bool:
        return item_id in self._ratings_by_id

    def is_stage(self, item_id: str) -> bool:
        return item_id in self._stages_by_id

    def code(self, code_id: str) -> Code:
        try:
            return self._codes_by_id[code_id]
        except KeyError:
            raise NotFoundError(f"scheme {self.id} has no code {code_id!r}") from None

    def rating(self, rating_id: str) -> RatingDef:
        try:
            return self._ratings_by_id[rating_id]
        except KeyError:
            raise NotFoundError(f"scheme {self.id} has no rating {rating_id!r}") from None

    def ratings_for(self, scope: Scope) -> tuple[RatingDef, ...]:
        return tuple(r for r in self.ratings if r.scope is scope)

    def stage(self, stage_id: str) -> tuple[StagePathway, Stage]:
        try:
            return self._stages_by_id[stage_id]
        except KeyError:
            raise NotFoundError(f"scheme {self.id} has no stage {stage_id!r}") from None

    def pathway(self, pathway_id: str) -> StagePathway:
        for pathway in self.pathways:
            if pathway.id == pathway_id:
                return pathway
        raise NotFoundError(f"scheme {self.id} has no pathway {pathway_id!r}")

    def has_id(self, any_id: str) -> bool:
        """True if ``any_id`` names a code, a rating or a stage of this scheme."""
        return self.is_code(any_id) or self.is_rating(any_id) or self.is_stage(any_id)

    def all_ids(self) -> set[str]:
        return set(self._codes_by_id) | set(self._ratings_by_id) | set(self._stages_by_id)

    def hotkeys(self) -> dict[str, str]:
        """Normalised hotkey -> code, rating or stage id."""
        keys: dict[str, str] = {}
        items: list[tuple[str | None, str]] = [(c.hotkey, c.id) for c in self.codes()]
        items += [(r.hotkey, r.id) for r in self.ratings]
        items += [(s.hotkey, s.id) for p in self.pathways for s in p.stages]
        for hotkey, item_id in items:
            if hotkey:
                keys[normalise_hotkey(hotkey)] = item_id
        return keys

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"


_MODIFIER_ORDER = ("ctrl", "alt", "shift", "meta")


def normalise_hotkey(hotkey: str) -> str:
    """Canonical form so 'shift+w' and 'Shift+W' count as the same key.

    Modifiers are sorted and title-cased; a single letter key is upper-cased, because
    Qt reports letter keys upper-case regardless of Shift.
    """
    parts = [p.strip() for p in hotkey.split("+")]
    *mods, key = parts
    mods_sorted = sorted({m.lower() for m in mods}, key=_MODIFIER_ORDER.index)
    key = key.upper() if len(key) == 1 else key.capitalize()
    return "+".join([m.capitalize() for m in mods_sorted] + [key])
