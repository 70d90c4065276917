"""Trait-like intake measures: IIP octants, SUIP-I insight levels, a PD interview, notes.

These are the inputs the type formulation reads besides the rupture profile (domain notes
§4). Only numbers are held: item *text* of these instruments is licensed (IIP: Mind Garden)
and is never shipped; users type in responses or scores. What *is* shipped are the public
scoring keys (which IIP item belongs to which octant) and the DSM criterion counts and
thresholds per personality disorder, because a clinician cannot be expected to retype
them and they carry no item wording.

Every value is range-checked on construction, so an out-of-range entry is refused at the
form (with the field and the allowed range in the message) instead of silently skewing a
structural summary later.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from coder.domain.errors import ValidationError

OCTANTS: tuple[str, ...] = ("PA", "BC", "DE", "FG", "HI", "JK", "LM", "NO")
"""Octant codes in the circumplex package's order (PA first, counter-clockwise)."""

OCTANT_ANGLES: dict[str, float] = {
    "PA": 90.0, "BC": 135.0, "DE": 180.0, "FG": 225.0,
    "HI": 270.0, "JK": 315.0, "LM": 360.0, "NO": 45.0,
}  # fmt: skip

IIP_ITEM_RANGE = (0, 4)


class IIPVersion(StrEnum):
    """Which IIP form; recorded because "32 items" is ambiguous (domain notes §4.3)."""

    IIP_64 = "IIP-64"
    IIP_32 = "IIP-32"
    IIP_SC = "IIP-SC"


# Scoring keys (item numbers per octant), from jmgirard/circumplex data-raw/iip64.R,
# iip32.R and iipsc.R. Numbers only, never item text.
_IIP_32: dict[str, tuple[int, ...]] = {
    "PA": (22, 25, 28, 30), "BC": (14, 16, 17, 18), "DE": (10, 11, 13, 15),
    "FG": (2, 5, 9, 19), "HI": (4, 6, 7, 12), "JK": (1, 8, 20, 31),
    "LM": (23, 26, 27, 32), "NO": (3, 21, 24, 29),
}  # fmt: skip
IIP_KEYS: dict[IIPVersion, dict[str, tuple[int, ...]]] = {
    IIPVersion.IIP_64: {
        "PA": (17, 31, 44, 45, 50, 52, 57, 59),
        "BC": (1, 22, 24, 29, 32, 40, 56, 64),
        "DE": (11, 15, 16, 20, 23, 27, 36, 60),
        "FG": (3, 7, 14, 18, 33, 35, 55, 62),
        "HI": (5, 6, 8, 9, 12, 13, 19, 39),
        "JK": (2, 10, 25, 34, 38, 42, 53, 61),
        "LM": (21, 28, 37, 46, 49, 51, 54, 63),
        "NO": (4, 26, 30, 41, 43, 47, 48, 58),
    },
    IIPVersion.IIP_32: _IIP_32,
    IIPVersion.IIP_SC: {o: (k, k + 8, k + 16, k + 24) for k, o in enumerate(OCTANTS, start=1)},
}


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValidationError(f"{name}: {value!r} is not a number (allowed {low}–{high})")
    if not low <= value <= high:
        raise ValidationError(f"{name}: {value} is outside the allowed range {low}–{high}")


@dataclass(frozen=True)
class IIP:
    """One IIP administration: the version and the eight octant means (0–4).

    Build it with :meth:`from_items` (item responses scored with the version's key) or
    :meth:`from_octants` (octant means taken from a scoring sheet). ``items`` keeps the
    responses when they were entered, so a later key correction can rescore them.
    """

    version: IIPVersion
    octants: Mapping[str, float]
    items: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.octants) != set(OCTANTS):
            missing = sorted(set(OCTANTS) - set(self.octants))
            extra = sorted(set(self.octants) - set(OCTANTS))
            raise ValidationError(
                f"IIP octants: need exactly {', '.join(OCTANTS)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(map(str, extra))}" if extra else "")
            )
        for octant, score in self.octants.items():
            _check_range(f"IIP octant {octant}", score, *IIP_ITEM_RANGE)
        object.__setattr__(self, "octants", {o: float(self.octants[o]) for o in OCTANTS})

    @classmethod
    def from_octants(cls, version: IIPVersion, octants: Mapping[str, float]) -> IIP:
        return cls(IIPVersion(version), octants)

    @classmethod
    def from_items(cls, version: IIPVersion, items: Mapping[int, int]) -> IIP:
        """Score item responses (item number → 0–4) with the version's key.

        An octant score is the mean of its answered items. Missing items are allowed up to
        half of an octant (a common prorating rule, our choice, not the manual's); more
        missing is refused, because a mean of one or two items is not an octant score.
        """
        version = IIPVersion(version)
        key = IIP_KEYS[version]
        n_items = sum(len(v) for v in key.values())
        for number, response in items.items():
            if isinstance(number, bool) or not isinstance(number, int):
                raise ValidationError(f"{version} item {number!r}: item numbers are integers")
            if not 1 <= number <= n_items:
                raise ValidationError(
                    f"{version} item {number}: no such item (allowed 1–{n_items})"
                )
            _check_range(f"{version} item {number}", response, *IIP_ITEM_RANGE)
        octants: dict[str, float] = {}
        for octant, numbers in key.items():
            answered = [items[n] for n in numbers if n in items]
            if len(answered) * 2 < len(numbers):
                raise ValidationError(
                    f"{version} octant {octant}: only {len(answered)} of items "
                    f"{', '.join(map(str, numbers))} answered; at least half are needed"
                )
            octants[octant] = sum(answered) / len(answered)
        return cls(version, octants, dict(items))


@dataclass(frozen=True)
class IIPNorms:
    """User-supplied norms (octant means and SDs on the 0–4 item-mean metric).

    Norm tables are in the licensed manual, so none is shipped; a lab enters its own or
    the published ones it is permitted to use. ``label`` names the sample.
    """

    means: Mapping[str, float]
    sds: Mapping[str, float]
    label: str = ""

    def __post_init__(self) -> None:
        for name, values in (("mean", self.means), ("SD", self.sds)):
            if set(values) != set(OCTANTS):
                raise ValidationError(f"IIP norms: a {name} is needed for each of the 8 octants")
        for octant in OCTANTS:
            _check_range(f"IIP norm mean {octant}", self.means[octant], *IIP_ITEM_RANGE)
            sd = self.sds[octant]
            _check_range(f"IIP norm SD {octant}", sd, 0, 4)
            if sd <= 0:
                raise ValidationError(f"IIP norm SD {octant}: must be greater than 0")


DEFAULT_SUIP_LABELS = tuple(f"Level {i}" for i in range(1, 7))


@dataclass(frozen=True)
class SUIPI:
    """SUIP-I interview coding: one Likert rating per insight level (six levels).

    The level names and the Likert range are not verified (domain notes §4.2, [?]), so
    both are configurable; the default 1–5 is an assumption. ``None`` = level not rated.
    """

    ratings: tuple[int | None, ...]
    scale_min: int = 1
    scale_max: int = 5
    labels: tuple[str, ...] = DEFAULT_SUIP_LABELS

    def __post_init__(self) -> None:
        if self.scale_min >= self.scale_max:
            raise ValidationError("SUIP-I scale: the minimum must be below the maximum")
        if len(self.labels) != 6 or len(self.ratings) != 6:
            raise ValidationError("SUIP-I has six insight levels: give six ratings and labels")
        for label, value in zip(self.labels, self.ratings, strict=True):
            if value is not None:
                _check_range(f"SUIP-I {label}", value, self.scale_min, self.scale_max)

    @property
    def total(self) -> int | None:
        """Sum of the six ratings; None unless all six were rated."""
        if any(v is None for v in self.ratings):
            return None
        return sum(v for v in self.ratings if v is not None)

    @property
    def mean(self) -> float | None:
        """Mean over the rated levels; None if none was rated."""
        rated = [v for v in self.ratings if v is not None]
        return sum(rated) / len(rated) if rated else None


# DSM-IV / DSM-5 section II personality disorders: (number of criteria, criteria needed).
PD_CRITERIA: dict[str, tuple[int, int]] = {
    "paranoid": (7, 4), "schizoid": (7, 4), "schizotypal": (9, 5), "antisocial": (7, 3),
    "borderline": (9, 5), "histrionic": (8, 5), "narcissistic": (9, 5), "avoidant": (7, 4),
    "dependent": (8, 5), "obsessive_compulsive": (8, 4),
}  # fmt: skip
PD_RATING_RANGE = (0, 3)
PD_PRESENT = 2  # a criterion rated 2 (present) or 3 (strongly present) counts


@dataclass(frozen=True, slots=True)
class PDResult:
    disorder: str
    dimensional: int  # sum of criterion ratings
    criteria_met: int  # criteria rated >= 2
    threshold: int
    meets_threshold: bool

    @property
    def ratio(self) -> float:
        """criteria_met / threshold: 1.0 or more means the DSM threshold is met."""
        return self.criteria_met / self.threshold


@dataclass(frozen=True)
class PDInterview:
    """Criterion ratings 0–3 per disorder from SIDP-IV (or SCID-5-PD: set ``instrument``).

    Disorders not assessed are simply absent. Antisocial's adult-criteria count is used
    as is; its extra conditions (age, conduct disorder before 15) are the interviewer's.
    """

    ratings: Mapping[str, Sequence[int]]
    instrument: str = "SIDP-IV"

    def __post_init__(self) -> None:
        if not self.instrument.strip():
            raise ValidationError("PD interview: the instrument name is required")
        for disorder, values in self.ratings.items():
            if disorder not in PD_CRITERIA:
                raise ValidationError(
                    f"{self.instrument}: unknown disorder {disorder!r} "
                    f"(known: {', '.join(PD_CRITERIA)})"
                )
            n_criteria = PD_CRITERIA[disorder][0]
            if len(values) != n_criteria:
                raise ValidationError(
                    f"{self.instrument} {disorder}: {len(values)} ratings given, "
                    f"the disorder has {n_criteria} criteria"
                )
            for i, value in enumerate(values, start=1):
                _check_range(f"{self.instrument} {disorder} criterion {i}", value, *PD_RATING_RANGE)
        object.__setattr__(self, "ratings", {d: tuple(v) for d, v in self.ratings.items()})

    def results(self) -> list[PDResult]:
        out = []
        for disorder, values in self.ratings.items():
            threshold = PD_CRITERIA[disorder][1]
            met = sum(1 for v in values if v >= PD_PRESENT)
            out.append(PDResult(disorder, sum(values), met, threshold, met >= threshold))
        return out


@dataclass(frozen=True, slots=True)
class RelationalNote:
    """A free-text note on a relational episode the patient told at intake."""

    when: date
    text: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValidationError("relational episode note: the text is empty")


@dataclass(frozen=True)
class Intake:
    """Everything assessed at intake for one patient; every part is optional."""

    patient: str
    iip: IIP | None = None
    suip: SUIPI | None = None
    pd: PDInterview | None = None
    notes: tuple[RelationalNote, ...] = ()
    assessed_on: date | None = None
