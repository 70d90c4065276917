"""Formulation rules as data: types, difficulty axes, conditions, votes, reason templates.

A rule reads named metrics (the fixed vocabulary :data:`METRICS`) and compares them with
thresholds; ``all``/``any``/``not`` combine comparisons. Nothing is ever evaluated as an
expression, so a rules file cannot run code, and every metric a rule can name is listed
here (and validated by ``coder.io.formulation_file``). Evaluation uses three-valued
logic: a missing metric makes a comparison *unknown*, and ``all``/``any``/``not``
propagate unknown as in Kleene's logic, so "no IIP entered" never counts as "IIP low".
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from coder.domain.errors import ValidationError


class TypeLabel(StrEnum):
    A = "A"
    B = "B"
    C = "C"


TYPE_DESCRIPTIONS: Mapping[TypeLabel, str] = {
    TypeLabel.A: "major interpersonal struggles, typically with personality pathology",
    TypeLabel.B: "functioning well, but with interpersonal struggles",
    TypeLabel.C: "mature relational capacity",
}
"""One line per type, shown wherever A, B or C is offered or reported: a bare letter
means nothing to a reader who has not learnt the typology."""


def type_text(label: str | None) -> str:
    """``"B — functioning well, but with interpersonal struggles"``; "none" for None."""
    if not label:
        return "none"
    description = {str(k): v for k, v in TYPE_DESCRIPTIONS.items()}.get(label)
    return f"{label} — {description}" if description else str(label)


class Difficulty(StrEnum):
    AGENCY = "agency_self_definition"
    COMMUNION = "communion_relatedness"
    MIXED = "mixed"
    UNDIFFERENTIATED = "undifferentiated"


AXES = (Difficulty.AGENCY, Difficulty.COMMUNION)


class Op(StrEnum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="
    BETWEEN = "between"  # inclusive [low, high]


_T = "trait_like."
METRICS: dict[str, str] = {
    _T + "withdrawal_share": "mean share of segments with a withdrawal marker",
    _T + "confrontation_share": "mean share of segments with a confrontation marker",
    _T + "rupture_share": "mean share of segments with any rupture marker",
    _T + "withdrawal_per_10min": "mean withdrawal markers per 10 minutes",
    _T + "confrontation_per_10min": "mean confrontation markers per 10 minutes",
    _T + "markers_per_10min": "mean rupture markers per 10 minutes",
    _T + "mean_withdrawal_significance": "mean withdrawal significance/salience",
    _T + "mean_confrontation_significance": "mean confrontation significance/salience",
    _T + "max_withdrawal_significance": "mean of each session's highest withdrawal rating",
    _T + "max_confrontation_significance": "mean of each session's highest confrontation rating",
    _T + "mean_rupture_significance": "mean significance of rupture segments",
    _T + "resolution_rate": "mean share of rupture segments resolved",
    _T + "episodes_resolved_share": "mean share of stage episodes rated resolved",
    "profile.balance_index": "(W - C) / (W + C) over all sessions",
    "profile.n_sessions": "number of sessions with at least one coded segment",
    "intake.iip.elevation": "IIP SSM elevation (general interpersonal distress)",
    "intake.iip.x": "IIP SSM x: affiliation / communion",
    "intake.iip.y": "IIP SSM y: dominance / agency",
    "intake.iip.amplitude": "IIP SSM amplitude (profile differentiation)",
    "intake.iip.displacement": "IIP SSM displacement, degrees 0-360",
    "intake.iip.r2": "IIP SSM fit R squared",
    "intake.iip.standardised": "1 when the IIP SSM used norms (z scores), else 0",
    "intake.suip.mean": "SUIP-I mean over rated insight levels",
    "intake.suip.total": "SUIP-I total (all six levels rated)",
    "intake.sidp.n_disorders_meeting_threshold": "PDs whose criteria rated >= 2 meet the DSM count",
    "intake.sidp.max_criteria_met_ratio": "max over PDs of criteria met / DSM threshold",
    "intake.sidp.total_criteria_met": "criteria rated >= 2 over all PDs",
    "intake.sidp.total_dimensional": "sum of all criterion ratings",
}
"""The fixed metric vocabulary rules may read (documented in docs/profiles.md)."""


@dataclass(frozen=True, slots=True)
class Compare:
    metric: str
    op: Op
    value: float | tuple[float, float]

    def test(self, v: float) -> bool:
        if isinstance(self.value, tuple):
            return self.value[0] <= v <= self.value[1]
        t = self.value
        return {
            Op.GE: v >= t, Op.GT: v > t, Op.LE: v <= t, Op.LT: v < t,
            Op.EQ: math.isclose(v, t), Op.NE: not math.isclose(v, t),
        }[self.op]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Compare | AllOf | AnyOf | Not


def leaves(cond: Condition, negated: bool = False) -> list[tuple[Compare, bool]]:
    """Comparisons in document order, each with whether it sits under a ``not``."""
    if isinstance(cond, Compare):
        return [(cond, negated)]
    if isinstance(cond, Not):
        return leaves(cond.item, not negated)
    return [leaf for item in cond.items for leaf in leaves(item, negated)]


def evaluate_condition(cond: Condition, values: Mapping[str, float | None]) -> bool | None:
    if isinstance(cond, Compare):
        v = values.get(cond.metric)
        return None if v is None or math.isnan(v) else cond.test(v)
    if isinstance(cond, Not):
        inner = evaluate_condition(cond.item, values)
        return None if inner is None else not inner
    results = [evaluate_condition(item, values) for item in cond.items]
    decisive = isinstance(cond, AnyOf)  # any: one True decides; all: one False decides
    if decisive in results:
        return decisive
    return None if None in results else not decisive


@dataclass(frozen=True, slots=True)
class Vote:
    type: TypeLabel | None = None
    difficulty: Difficulty | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if (self.type is None) == (self.difficulty is None):
            raise ValidationError("a vote is for a type or for a difficulty axis, not both")
        if self.difficulty is not None and self.difficulty not in AXES:
            raise ValidationError("a difficulty vote names an axis (agency or communion)")
        if not self.weight > 0:
            raise ValidationError("a vote's weight must be greater than 0")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    when: Condition
    vote: Vote
    reason: str


DEFAULT_MIN_SESSION_COVERAGE = 1.0
"""Rules run only when every session is fully coded, unless a rules file says otherwise."""


@dataclass(frozen=True)
class RuleSet:
    """A rules file. ``min_session_coverage`` (0–1, default 1.0) is the share of its
    segments every session must have coded before the rules may suggest anything: below
    it, rates and shares describe part of the session, and a rule such as "ruptures in
    only 11 % of segments" would read missing data as a finding."""

    id: str
    version: str
    caveat: str
    rules: tuple[Rule, ...]
    type_approaches: Mapping[TypeLabel, str]
    difficulty_approaches: Mapping[Difficulty, str]
    min_session_coverage: float = DEFAULT_MIN_SESSION_COVERAGE

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_session_coverage <= 1.0:
            raise ValidationError("min_session_coverage must lie between 0 and 1")


def template_problem(template: str, n_leaves: int) -> str | None:
    """Why ``template`` cannot be a reason (None if it can): only ``{value}``,
    ``{threshold}``, ``{metric}`` and their ``_N`` forms for the N-th comparison."""
    allowed = {f"{k}{s}" for k in ("value", "threshold", "metric") for s in ("", "_1")}
    allowed |= {
        f"{k}_{n}" for k in ("value", "threshold", "metric") for n in range(2, n_leaves + 1)
    }
    try:
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is None:
                continue
            if name not in allowed or conversion:
                return f"placeholder {{{name}}} is not one of {', '.join(sorted(allowed))}"
            format(0.5, spec or "")
    except ValueError as exc:
        return f"bad placeholder: {exc}"
    return None


def render_reason(template: str, read: list[tuple[Compare, float | None]]) -> str:
    """Fill a reason template with the values read and the thresholds compared."""
    out = []
    for literal, name, spec, _ in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        kind, _, n = name.partition("_")
        leaf, value = read[int(n or 1) - 1]

        def fmt(x: float | None, spec: str = spec or "") -> str:
            return "n/a" if x is None else format(x, spec)

        if kind == "metric":
            out.append(leaf.metric)
        elif kind == "value":
            out.append(fmt(value))
        else:
            t = leaf.value
            out.append(f"{fmt(t[0])}–{fmt(t[1])}" if isinstance(t, tuple) else fmt(t))
    return "".join(out)
