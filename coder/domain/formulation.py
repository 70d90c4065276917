"""Type formulation: declarative rules suggest a Type (A/B/C) and a difficulty axis.

Zilcha-Mano & Muran (2024) assign patients at intake to Type A (rupture–repair as the main
mechanism of change), B (an added repair module) or C (no rupture-resolution work), and
the difficulty may lie in self-definition/agency or relatedness/communion. No cut-offs are
published (domain notes §4.1 [?]), so the app *suggests* and shows its evidence; the
clinician decides (:class:`Override`). Rules are data (schemes/formulation/default.yaml,
loaded by ``coder.io.formulation_file``): conditions compare named metrics with
thresholds, with no expression evaluation, so a rules file can never run code.

A rule fires only when its condition is definitely true (see
:mod:`coder.domain.formulation_rules` for the three-valued logic); rules left unknown
for lack of data are reported with the metrics they were missing.

Rules run only on sufficiently coded data: when a session's coverage (coded / total
segments, :mod:`coder.domain.coverage`) is below the rules file's
``min_session_coverage`` (default 1.0: every session fully coded), the suggestion is
*withheld* and the incomplete sessions are named. The user may ask for a *provisional*
suggestion anyway; it is computed the same way and labelled :data:`PROVISIONAL_LABEL`
everywhere it is shown. (The clinician's override is the other way to decide.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from coder.domain.coverage import Coverage
from coder.domain.errors import ValidationError
from coder.domain.formulation_rules import (
    AXES,
    DEFAULT_MIN_SESSION_COVERAGE,
    METRICS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Difficulty,
    Not,
    Op,
    Rule,
    RuleSet,
    TypeLabel,
    Vote,
    evaluate_condition,
    leaves,
    render_reason,
    template_problem,
)

__all__ = [
    "AXES", "DEFAULT_MIN_SESSION_COVERAGE", "METRICS", "PROVISIONAL_LABEL", "AllOf", "AnyOf",
    "Compare", "Condition", "Difficulty", "Evidence", "FiredRule", "Formulation",
    "FormulationInputs", "FormulationStatus", "Not", "Op", "Override", "Rule", "RuleSet",
    "TypeLabel", "Vote", "evaluate", "evaluate_condition", "final_call", "leaves",
    "render_reason", "template_problem",
]  # fmt: skip

PROVISIONAL_LABEL = "Provisional — computed on incomplete coding"
"""How a suggestion computed below the coverage threshold is labelled wherever it shows."""


class FormulationStatus(StrEnum):
    """Whether the rules ran on data that meets the rules file's coverage threshold."""

    COMPLETE = "complete"  # every session meets the threshold: an ordinary suggestion
    WITHHELD = "withheld"  # some session is below it: no suggestion, sessions named
    PROVISIONAL = "provisional"  # below it, computed anyway on request, labelled so


@dataclass(frozen=True)
class FormulationInputs:
    """Metric values (keys from :data:`METRICS`), with per-session values and segment
    lists of session metrics so a fired rule can name the sessions behind it."""

    values: Mapping[str, float | None]
    per_session: Mapping[str, Mapping[int, float | None]] = field(default_factory=dict)
    segments: Mapping[str, Mapping[int, tuple[int, ...]]] = field(default_factory=dict)
    coverage: Mapping[str, Coverage] = field(default_factory=dict)  # "P01/2" -> coverage

    def incomplete(self, threshold: float) -> tuple[str, ...]:
        """``"P01/2: 7 of 12 segments coded"`` for each session below ``threshold``."""
        return tuple(c.text(label) for label, c in self.coverage.items() if not c.meets(threshold))


@dataclass(frozen=True, slots=True)
class Evidence:
    metric: str
    sessions: tuple[int, ...]  # sessions whose own value meets the comparison
    segments: Mapping[int, tuple[int, ...]]  # session -> segment indexes

    def to_dict(self) -> dict[str, object]:
        segs = {str(k): list(v) for k, v in self.segments.items()}
        return {"metric": self.metric, "sessions": list(self.sessions), "segments": segs}


@dataclass(frozen=True, slots=True)
class FiredRule:
    rule_id: str
    description: str
    vote: Vote
    reason: str
    values: Mapping[str, float | None]
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, object]:
        v = self.vote
        return {
            "id": self.rule_id, "description": self.description, "reason": self.reason,
            "vote": {"type": v.type, "difficulty": v.difficulty, "weight": v.weight},
            "values": dict(self.values), "evidence": [e.to_dict() for e in self.evidence],
        }  # fmt: skip


@dataclass(frozen=True)
class Formulation:
    """A suggestion: type, difficulty axis, fired rules with evidence, approach, caveat."""

    suggested_type: TypeLabel | None
    type_reason: str
    type_scores: Mapping[str, float]
    difficulty: Difficulty | None  # None only when the suggestion is withheld
    difficulty_reason: str
    fired: tuple[FiredRule, ...]
    undetermined: Mapping[str, tuple[str, ...]]  # rule id -> missing metrics
    type_approach: str | None
    difficulty_approach: str | None
    caveat: str
    rules: str  # "id version"
    status: FormulationStatus = FormulationStatus.COMPLETE
    incomplete: tuple[str, ...] = ()  # "P01/2: 7 of 12 segments coded", below the threshold
    min_session_coverage: float = DEFAULT_MIN_SESSION_COVERAGE
    # Every approach text of the rules, so the one shown can follow a clinician's
    # decision when it differs from the suggestion (approach_in_force).
    type_approaches: Mapping[TypeLabel, str] = field(default_factory=dict)
    difficulty_approaches: Mapping[Difficulty, str] = field(default_factory=dict)

    @property
    def withheld(self) -> bool:
        return self.status is FormulationStatus.WITHHELD

    @property
    def provisional(self) -> bool:
        return self.status is FormulationStatus.PROVISIONAL

    @property
    def notice(self) -> str | None:
        """One line for every place that shows the suggestion (None when complete)."""
        if self.status is FormulationStatus.COMPLETE:
            return None
        sessions = "; ".join(self.incomplete)
        if self.provisional:
            return f"{PROVISIONAL_LABEL} ({sessions})."
        return (
            f"No suggestion: coding is incomplete. The rules need every session at least "
            f"{self.min_session_coverage:.0%} coded; incomplete: {sessions}."
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "suggested_type": self.suggested_type, "type_reason": self.type_reason,
            "type_scores": dict(self.type_scores), "difficulty": self.difficulty,
            "difficulty_reason": self.difficulty_reason,
            "fired_rules": [f.to_dict() for f in self.fired],
            "undetermined_rules": {k: list(v) for k, v in self.undetermined.items()},
            "recommended_approach": {
                "type": self.type_approach, "difficulty": self.difficulty_approach,
            },
            "caveat": self.caveat, "rules": self.rules,
            "status": self.status.value, "provisional": self.provisional,
            "label": PROVISIONAL_LABEL if self.provisional else None,
            "incomplete_sessions": list(self.incomplete),
            "min_session_coverage": self.min_session_coverage, "notice": self.notice,
        }  # fmt: skip


def _scores(labels: tuple[str, ...], votes: list[tuple[str, float]]) -> dict[str, float]:
    return {k: sum(w for label, w in votes if label == k) for k in labels}


def evaluate(
    rules: RuleSet, inputs: FormulationInputs, *, provisional: bool = False
) -> Formulation:
    """Fire every rule whose condition holds; sum vote weights per type and per axis.

    When a session's coverage is below ``rules.min_session_coverage`` nothing is
    suggested (status *withheld*, the sessions named) unless ``provisional`` asks for a
    suggestion anyway, which is then marked *provisional*.
    """
    threshold = rules.min_session_coverage
    incomplete = inputs.incomplete(threshold)
    if incomplete and not provisional:
        return _withheld(rules, incomplete)
    status = FormulationStatus.PROVISIONAL if incomplete else FormulationStatus.COMPLETE
    fired: list[FiredRule] = []
    undetermined: dict[str, tuple[str, ...]] = {}
    for rule in rules.rules:
        outcome = evaluate_condition(rule.when, inputs.values)
        found = leaves(rule.when)
        if outcome is None:
            undetermined[rule.id] = tuple(
                dict.fromkeys(c.metric for c, _ in found if inputs.values.get(c.metric) is None)
            )
        if not outcome:
            continue
        read = [(c, inputs.values.get(c.metric)) for c, _ in found]
        evidence = []
        for leaf, negated in found:
            value, per = inputs.values.get(leaf.metric), inputs.per_session.get(leaf.metric, {})
            if negated or value is None or not leaf.test(value) or not per:
                continue
            sessions = tuple(s for s, v in sorted(per.items()) if v is not None and leaf.test(v))
            segs = inputs.segments.get(leaf.metric, {})
            evidence.append(
                Evidence(leaf.metric, sessions, {s: segs[s] for s in sessions if segs.get(s)})
            )
        values = {c.metric: v for c, v in read}
        reason = render_reason(rule.reason, read)
        fired.append(
            FiredRule(rule.id, rule.description, rule.vote, reason, values, tuple(evidence))
        )
    type_scores = _scores(
        tuple(TypeLabel), [(f.vote.type, f.vote.weight) for f in fired if f.vote.type]
    )
    top = max(type_scores.values())
    leaders = [t for t, s in type_scores.items() if s == top]
    suggested: TypeLabel | None = None
    if top == 0:
        type_reason = "no type rule fired"
    elif len(leaders) > 1:
        type_reason = f"tie between {' and '.join(leaders)} ({top:g} each): no suggestion"
    else:
        suggested = TypeLabel(leaders[0])
        type_reason = ", ".join(f"{t}: {s:g}" for t, s in type_scores.items())
    axis = _scores(AXES, [(f.vote.difficulty, f.vote.weight) for f in fired if f.vote.difficulty])
    a, c = axis[Difficulty.AGENCY], axis[Difficulty.COMMUNION]
    difficulty = (
        Difficulty.UNDIFFERENTIATED if a == c == 0 else Difficulty.MIXED if a == c
        else Difficulty.AGENCY if a > c else Difficulty.COMMUNION
    )  # fmt: skip
    difficulty_reason = f"agency/self-definition {a:g}, communion/relatedness {c:g}"
    return Formulation(
        suggested, type_reason, type_scores, difficulty, difficulty_reason, tuple(fired),
        undetermined, rules.type_approaches.get(suggested) if suggested else None,
        rules.difficulty_approaches.get(difficulty), rules.caveat, f"{rules.id} {rules.version}",
        status, incomplete, threshold, dict(rules.type_approaches),
        dict(rules.difficulty_approaches),
    )  # fmt: skip


def _withheld(rules: RuleSet, incomplete: tuple[str, ...]) -> Formulation:
    """No type, no difficulty, no fired rules: nothing is read from incomplete coding."""
    n = len(incomplete)
    why = (
        f"withheld: {n} session{'s' if n != 1 else ''} below the coverage threshold "
        f"({rules.min_session_coverage:.0%} of segments coded)"
    )
    return Formulation(
        None, why, {}, None, why, (), {}, None, None, rules.caveat,
        f"{rules.id} {rules.version}", FormulationStatus.WITHHELD, incomplete,
        rules.min_session_coverage, dict(rules.type_approaches),
        dict(rules.difficulty_approaches),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Override:
    """The clinician's decision, which always wins over the suggestion."""

    type: TypeLabel | None
    difficulty: Difficulty | None
    rationale: str
    who: str
    when: datetime

    def __post_init__(self) -> None:
        if not self.rationale.strip():
            raise ValidationError("an override needs a rationale")
        if not self.who.strip():
            raise ValidationError("an override needs the name of who decided")
        if self.type is None and self.difficulty is None:
            raise ValidationError("an override sets a type, a difficulty, or both")


def approach_in_force(formulation: Formulation, override: Override | None) -> dict[str, object]:
    """The recommended approach for the type and difficulty in force: after a clinician's
    decision it follows the decided values (a report recommending the approach of a type
    the clinician rejected would contradict itself); ``changed`` lists what the decision
    changed (``{"what": "type", "decided": "B", "suggested": "A"}``) for the note that
    says so."""
    final_type, final_difficulty, source = final_call(formulation, override)
    pairs: tuple[tuple[str, str | None, str | None], ...] = (
        ("type", final_type, formulation.suggested_type),
        ("difficulty", final_difficulty, formulation.difficulty),
    )
    changed = [
        {"what": what, "decided": decided, "suggested": suggested}
        for what, decided, suggested in pairs
        if source == "clinician" and decided != suggested
    ]
    by_type: Mapping[str, str] = {str(k): v for k, v in formulation.type_approaches.items()} or (
        {formulation.suggested_type: formulation.type_approach}
        if formulation.suggested_type and formulation.type_approach
        else {}
    )
    by_difficulty: Mapping[str, str] = {
        str(k): v for k, v in formulation.difficulty_approaches.items()
    } or (
        {formulation.difficulty: formulation.difficulty_approach}
        if formulation.difficulty and formulation.difficulty_approach
        else {}
    )
    return {
        "type": by_type.get(final_type) if final_type else None,
        "difficulty": by_difficulty.get(final_difficulty) if final_difficulty else None,
        "source": source,
        "changed": changed,
    }


def final_call(
    formulation: Formulation, override: Override | None
) -> tuple[TypeLabel | None, Difficulty | None, str]:
    """(type, difficulty, source): the clinician's values where given, else the rules'."""
    if override is None:
        return formulation.suggested_type, formulation.difficulty, "rules"
    return (
        override.type if override.type is not None else formulation.suggested_type,
        override.difficulty if override.difficulty is not None else formulation.difficulty,
        "clinician",
    )
