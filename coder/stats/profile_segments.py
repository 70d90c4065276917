"""Building blocks of the session profile: what each id *is*, segment data, resolution.

The profile never guesses from id spelling ("W1" looks like withdrawal): a code's role
comes from its scheme. A segment-scope code group of family withdrawal/confrontation holds
marker subtypes; family resolution holds strategies. Segment ratings of those families are
the significance (3RS-2015, no side) or salience (3RS-2022, side patient) ratings; ratings
with side therapist describe the therapist. Episode-scope ratings of family resolution
(EP_RESOLVED) say whether an episode was resolved, relative to their scale's range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass

import pandas as pd

from coder.domain.coverage import segment_is_coded
from coder.domain.errors import ValidationError
from coder.domain.scheme import CodeFamily, RatingScale, Scheme, Scope, Side, StagePathway

FAMILIES = (CodeFamily.WITHDRAWAL, CodeFamily.CONFRONTATION)


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    """Settings of the profile computation (all documented in docs/profiles.md).

    ``resolution_window``: how many following segments may show the drop in significance
    that, with a resolution strategy, marks a rupture segment as resolved.
    ``salience_threshold``: a patient-side salience rating (3RS-2022) at or above it makes
    the segment a withdrawal/confrontation segment (2 = "any evidence" convention, §1.7).
    ``phase_cuts``: relative positions splitting a patient's sessions into early, middle
    and late.
    """

    resolution_window: int = 1
    salience_threshold: int = 2
    phase_cuts: tuple[float, float] = (1 / 3, 2 / 3)

    def __post_init__(self) -> None:
        if self.resolution_window < 1:
            raise ValidationError("resolution_window must be 1 or more segments")
        if self.salience_threshold < 1:
            raise ValidationError("salience_threshold must be 1 or more")
        low, high = self.phase_cuts
        if not 0 < low < high < 1:
            raise ValidationError("phase_cuts must satisfy 0 < early cut < late cut < 1")


def jsonable(x: object) -> object:
    """Dataclasses, mappings and tuples as JSON-ready dicts and lists (NaN becomes None)."""
    if is_dataclass(x) and not isinstance(x, type):
        return {f.name: jsonable(getattr(x, f.name)) for f in fields(x)}
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def num(value: object) -> float | None:
    """A code value as float; None for N/A (NaN or None)."""
    if value is None:
        return None
    result = float(value)  # type: ignore[arg-type]
    return None if math.isnan(result) else result


@dataclass(frozen=True, slots=True)
class RatingSummary:
    mean: float | None
    max: float | None
    n: int  # segments where the rating was given

    def to_dict(self) -> dict[str, object]:
        return {"mean": self.mean, "max": self.max, "n": self.n}


def summarise(values: Sequence[float]) -> RatingSummary:
    if not values:
        return RatingSummary(None, None, 0)
    return RatingSummary(sum(values) / len(values), max(values), len(values))


@dataclass(frozen=True, slots=True)
class Roles:
    """What each id of the given schemes means for the profile."""

    marker: Mapping[str, CodeFamily]
    strategy: tuple[str, ...]
    significance: Mapping[CodeFamily, tuple[str, ...]]
    salience: Mapping[CodeFamily, tuple[str, ...]]
    therapist: tuple[str, ...]
    stages: Mapping[str, tuple[str, int]]  # stage id -> (pathway id, order)
    pathways: Mapping[str, StagePathway]
    episode_resolution: Mapping[str, RatingScale]
    known: frozenset[str]


def roles_of(schemes: Sequence[Scheme]) -> Roles:
    marker: dict[str, CodeFamily] = {}
    strategy: dict[str, None] = {}
    significance: dict[CodeFamily, list[str]] = {f: [] for f in FAMILIES}
    salience: dict[CodeFamily, list[str]] = {f: [] for f in FAMILIES}
    therapist: dict[str, None] = {}
    episode_resolution: dict[str, RatingScale] = {}
    for scheme in schemes:
        for group in scheme.groups:
            if group.scope is not Scope.SEGMENT:
                continue
            for code in group.codes:
                if code.family in FAMILIES:
                    marker[code.id] = code.family
                elif code.family is CodeFamily.RESOLUTION:
                    strategy[code.id] = None
        for rating in scheme.ratings:
            if rating.scope is Scope.EPISODE and rating.family is CodeFamily.RESOLUTION:
                episode_resolution[rating.id] = rating.scale
            if rating.scope is not Scope.SEGMENT:
                continue
            if rating.side is Side.THERAPIST:
                therapist[rating.id] = None
            elif rating.family in FAMILIES:
                if rating.id not in significance[rating.family]:
                    significance[rating.family].append(rating.id)
                if rating.side is Side.PATIENT and rating.id not in salience[rating.family]:
                    salience[rating.family].append(rating.id)
    return Roles(
        marker=marker,
        strategy=tuple(strategy),
        significance={f: tuple(v) for f, v in significance.items()},
        salience={f: tuple(v) for f, v in salience.items()},
        therapist=tuple(therapist),
        stages={s.id: (p.id, s.order) for sc in schemes for p in sc.pathways for s in p.stages},
        pathways={p.id: p for sc in schemes for p in sc.pathways},
        episode_resolution=episode_resolution,
        known=frozenset(i for sc in schemes for i in sc.all_ids()),
    )


@dataclass(slots=True)
class SegmentData:
    """Everything coded in one segment (turn-level codes already placed in it).

    ``units`` records the unit of every application placed here, whatever its value, so
    that :attr:`coded` can apply the one definition of :mod:`coder.domain.coverage`.
    """

    markers: dict[CodeFamily, list[str]] = field(default_factory=lambda: {f: [] for f in FAMILIES})
    strategies: list[str] = field(default_factory=list)
    ratings: dict[str, float] = field(default_factory=dict)
    units: set[str] = field(default_factory=set)

    @property
    def coded(self) -> bool:
        """Whether the rater coded this segment (any code or rating, 0 and N/A included)."""
        return segment_is_coded(self.units)

    def add(self, roles: Roles, code: str, value: float | None) -> None:
        if code in roles.marker:
            if value is not None and value > 0:
                self.markers[roles.marker[code]].append(code)
        elif code in roles.strategy:
            if value is not None and value > 0:
                self.strategies.append(code)
        elif value is not None:  # a rating; N/A is "not given"
            self.ratings[code] = max(value, self.ratings.get(code, value))

    def is_rupture(self, roles: Roles, family: CodeFamily, threshold: int) -> bool:
        """Salience decides where the scheme has patient-side salience; else marker codes."""
        if roles.salience[family]:
            return any(self.ratings.get(r, -math.inf) >= threshold for r in roles.salience[family])
        return bool(self.markers[family])

    def family_significance(self, roles: Roles, family: CodeFamily) -> float | None:
        values = [self.ratings[r] for r in roles.significance[family] if r in self.ratings]
        return max(values) if values else None

    def significance(self, roles: Roles) -> float | None:
        """The segment's significance: the higher of its withdrawal/confrontation ratings."""
        values = [v for f in FAMILIES if (v := self.family_significance(roles, f)) is not None]
        return max(values) if values else None


@dataclass(slots=True)
class Collected:
    """One session's codes sorted into segments, session ratings and episode rows."""

    order: list[int]  # segment indexes in order
    data: dict[int, SegmentData]
    globals: dict[str, float | None]
    episode_rows: list[tuple[int, str, float | None]]  # (episode, code, value)
    unplaced: int  # turn-level codes whose turn lies in no segment (or no turn ranges)


def collect(number: int, codes: pd.DataFrame, seg_table: pd.DataFrame, roles: Roles) -> Collected:
    """Walk the session's code rows once; turn codes go to the segment holding the turn."""
    seg_table = seg_table.sort_values("segment")
    order = [int(i) for i in seg_table["segment"]]
    data = {i: SegmentData() for i in order}
    turn_ranges: list[tuple[int, int, int]] = []
    if {"first_turn", "last_turn"} <= set(seg_table.columns):
        turn_ranges = [
            (int(r.first_turn), int(r.last_turn), int(r.segment))
            for r in seg_table.itertuples(index=False)
            if pd.notna(r.first_turn) and pd.notna(r.last_turn)
        ]
    globals_: dict[str, float | None] = {}
    episode_rows: list[tuple[int, str, float | None]] = []
    unplaced = 0
    for row in codes.itertuples(index=False):
        code, unit, index, value = str(row.code_id), str(row.unit), int(row.unit_index), row.value
        if unit == "session":
            globals_[code] = num(value)
            continue
        if unit == "episode":
            episode_rows.append((index, code, num(value)))
            continue
        if unit == "turn":
            found = [s for first, last, s in turn_ranges if first <= index <= last]
            if not found:
                unplaced += 1
                continue
            index = found[0]
        if index not in data:
            raise ValidationError(f"session {number}: {code} names segment {index}, not there")
        data[index].units.add(unit)
        data[index].add(roles, code, num(value))
    return Collected(order, data, globals_, episode_rows, unplaced)


@dataclass(frozen=True, slots=True)
class ResolutionSummary:
    """Rupture segments by outcome; ``rate`` = resolved / (resolved + unresolved)."""

    rate: float | None
    resolved: tuple[int, ...]
    unresolved: tuple[int, ...]
    not_evaluable: tuple[int, ...]
    window: int

    def to_dict(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


def resolution(
    order: Sequence[int],
    ruptures: Sequence[int],
    data: Mapping[int, SegmentData],
    sig: Mapping[int, float | None],
    window: int,
) -> ResolutionSummary:
    """Rupture segment i is *resolved* when, for some j among the next ``window``
    segments, sig(j) < sig(i) and a resolution strategy occurs in i..j.

    It is *not evaluable* (left out of the rate) when sig(i) is missing, or when the
    criterion was not met and the window runs past the last segment or holds a segment
    without a rating: the drop might have happened where nothing was observed.
    """
    pos = {s: k for k, s in enumerate(order)}
    resolved: list[int] = []
    unresolved: list[int] = []
    not_evaluable: list[int] = []
    for i in ruptures:
        base = sig[i]
        if base is None:
            not_evaluable.append(i)
            continue
        strategy, incomplete, done = bool(data[i].strategies), False, False
        for step in range(1, window + 1):
            if pos[i] + step >= len(order):
                incomplete = True
                break
            j = order[pos[i] + step]
            strategy = strategy or bool(data[j].strategies)
            later = sig[j]
            if later is None:
                incomplete = True
            elif strategy and later < base:
                done = True
                break
        (resolved if done else not_evaluable if incomplete else unresolved).append(i)
    evaluable = len(resolved) + len(unresolved)
    rate = len(resolved) / evaluable if evaluable else None
    return ResolutionSummary(rate, tuple(resolved), tuple(unresolved), tuple(not_evaluable), window)
