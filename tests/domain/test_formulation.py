"""Type formulation: each type, each difficulty axis, ties, unknowns, evidence, overrides."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pytest

from coder.domain.errors import ValidationError
from coder.domain.formulation import (
    METRICS,
    AllOf,
    AnyOf,
    Compare,
    Difficulty,
    FormulationInputs,
    Not,
    Op,
    Override,
    Rule,
    RuleSet,
    TypeLabel,
    Vote,
    approach_in_force,
    evaluate,
    evaluate_condition,
    final_call,
    render_reason,
)
from coder.domain.formulation_rules import type_text
from coder.domain.intake import IIP, OCTANT_ANGLES, OCTANTS, SUIPI, IIPVersion, Intake, PDInterview
from coder.io.formulation_file import load_formulation_file
from coder.stats.profiles import formulation_inputs

REPO = Path(__file__).resolve().parents[2]
SHIPPED, _ = load_formulation_file(REPO / "schemes" / "formulation" / "default.yaml")


def inputs(**values: float | None) -> FormulationInputs:
    """Metric values by short name: rupture_share -> trait_like.rupture_share, etc."""
    full: dict[str, float | None] = dict.fromkeys(METRICS)
    for key, value in values.items():
        [path] = [m for m in METRICS if m.endswith("." + key)]
        full[path] = value
    return FormulationInputs(full)


def test_type_a_from_pd_threshold_and_heavy_ruptures() -> None:
    f = evaluate(
        SHIPPED,
        inputs(n_disorders_meeting_threshold=1, rupture_share=0.6, mean_rupture_significance=4.0),
    )
    assert f.suggested_type is TypeLabel.A and f.type_scores["A"] == 3
    fired = {r.rule_id: r for r in f.fired}
    assert set(fired) == {"a_pd_threshold", "a_frequent_significant_ruptures"}
    assert fired["a_frequent_significant_ruptures"].reason == (
        "ruptures in 60% of segments (>= 50%) with mean significance 4.0 (>= 3.5)"
    )
    assert f.type_approach is not None and "main vehicle of change" in f.type_approach
    assert "not yet been empirically validated" in f.caveat


def test_type_b_from_moderate_ruptures_and_problems_without_pd() -> None:
    f = evaluate(
        SHIPPED,
        inputs(
            rupture_share=0.3, mean_rupture_significance=2.5,
            n_disorders_meeting_threshold=0, elevation=1.2, mean=3.0,
        ),
    )  # fmt: skip
    assert f.suggested_type is TypeLabel.B and f.type_scores["B"] == 2
    assert f.type_approach is not None and "module" in f.type_approach


def test_type_c_from_few_ruptures_no_pd_good_insight() -> None:
    f = evaluate(
        SHIPPED,
        inputs(rupture_share=0.1, n_disorders_meeting_threshold=0, elevation=0.4, mean=4.0),
    )
    assert f.suggested_type is TypeLabel.C and f.type_scores == {"A": 0, "B": 0, "C": 2}
    fired = {r.rule_id: r.reason for r in f.fired}
    assert fired["c_mature_capacity"] == "no PD at threshold and SUIP-I mean 4.0 (>= 3.5)"


def test_nothing_fires_and_ties_give_no_type() -> None:
    f = evaluate(SHIPPED, inputs())
    assert f.suggested_type is None and f.type_reason == "no type rule fired"
    assert f.difficulty is Difficulty.UNDIFFERENTIATED and f.fired == ()
    assert "intake.iip.r2" in f.undetermined["d_iip_agency"]
    assert f.difficulty_approach is not None  # the undifferentiated text
    tie_rules = RuleSet(
        "t", "1", "caveat text", (
            Rule("a", "", Compare("trait_like.rupture_share", Op.GE, 0.5), Vote(TypeLabel.A), "a"),
            Rule("b", "", Compare("profile.n_sessions", Op.GE, 1), Vote(TypeLabel.B), "b"),
        ), {}, {},
    )  # fmt: skip
    tie = evaluate(tie_rules, inputs(rupture_share=0.7, n_sessions=3))
    assert tie.suggested_type is None
    assert tie.type_reason == "tie between A and B (1 each): no suggestion"
    assert len(tie.fired) == 2 and tie.type_approach is None


def test_difficulty_from_balance_index() -> None:
    agency = evaluate(SHIPPED, inputs(balance_index=0.8))
    assert agency.difficulty is Difficulty.AGENCY
    assert agency.fired[0].reason == "withdrawal-prone: balance index +0.80 (>= +0.33)"
    assert agency.difficulty_approach is not None and "self-assertion" in agency.difficulty_approach
    communion = evaluate(SHIPPED, inputs(balance_index=-1.0))
    assert communion.difficulty is Difficulty.COMMUNION
    assert communion.difficulty_approach is not None and "vulnerab" in communion.difficulty_approach
    assert evaluate(SHIPPED, inputs(balance_index=0.0)).difficulty is Difficulty.UNDIFFERENTIATED


def iip_at(displacement: float, amplitude: float = 1.0, noise: float = 0.0) -> IIP:
    octants = {
        o: 2.0 + amplitude * math.cos(math.radians(OCTANT_ANGLES[o] - displacement))
        for o in OCTANTS
    }
    octants["PA"] += noise
    return IIP.from_octants(IIPVersion.IIP_32, octants)


def test_difficulty_from_iip_structural_summary() -> None:
    # Nonassertive theme (270°): near the dominance axis -> agency/self-definition
    f = evaluate(SHIPPED, formulation_inputs(None, Intake("P", iip=iip_at(270))))
    assert f.difficulty is Difficulty.AGENCY
    [rule] = f.fired
    assert rule.rule_id == "d_iip_agency" and rule.reason.startswith("IIP displacement 270 degrees")
    # Cold theme (180°): near the affiliation axis -> communion/relatedness
    f = evaluate(SHIPPED, formulation_inputs(None, Intake("P", iip=iip_at(180))))
    assert f.difficulty is Difficulty.COMMUNION and f.fired[0].rule_id == "d_iip_communion"
    # Low amplitude: no theme, so neither rule fires
    f = evaluate(SHIPPED, formulation_inputs(None, Intake("P", iip=iip_at(270, 0.2))))
    assert f.difficulty is Difficulty.UNDIFFERENTIATED
    # Poor fit (a bump on PA breaks the cosine shape): R2 < .70, no rule fires
    poor = formulation_inputs(None, Intake("P", iip=iip_at(0, 0.5, noise=1.5)))
    assert poor.values["intake.iip.r2"] is not None and poor.values["intake.iip.r2"] < 0.7
    assert evaluate(SHIPPED, poor).difficulty is Difficulty.UNDIFFERENTIATED


def test_balance_and_iip_disagreeing_is_mixed() -> None:
    values = dict(formulation_inputs(None, Intake("P", iip=iip_at(180))).values)
    values["profile.balance_index"] = 0.9
    f = evaluate(SHIPPED, FormulationInputs(values))
    assert f.difficulty is Difficulty.MIXED
    assert f.difficulty_reason == "agency/self-definition 1, communion/relatedness 1"


def test_intake_metrics_from_domain_objects() -> None:
    intake = Intake(
        "P",
        suip=SUIPI((4, 4, 4, 4, 4, 5)),
        pd=PDInterview({"borderline": [2] * 5 + [0] * 4, "paranoid": [3, 0, 0, 0, 0, 0, 0]}),
    )
    values = formulation_inputs(None, intake).values
    assert values["intake.sidp.n_disorders_meeting_threshold"] == 1
    assert values["intake.sidp.max_criteria_met_ratio"] == 1.0
    assert values["intake.sidp.total_criteria_met"] == 6
    assert values["intake.suip.total"] == 25
    f = evaluate(SHIPPED, formulation_inputs(None, intake))
    assert f.suggested_type is TypeLabel.A  # the PD rule (weight 2)


def test_evidence_names_sessions_and_segments() -> None:
    data = FormulationInputs(
        values={"trait_like.withdrawal_share": 0.5, "profile.balance_index": 1.0},
        per_session={"trait_like.withdrawal_share": {1: 0.8, 2: 0.2, 3: 0.5}},
        segments={"trait_like.withdrawal_share": {1: (1, 2, 4), 2: (3,), 3: (1, 2)}},
    )
    rules = RuleSet(
        "t", "1", "caveat text", (
            Rule("w", "withdrawal", Compare("trait_like.withdrawal_share", Op.GE, 0.4),
                 Vote(difficulty=Difficulty.AGENCY, weight=2),
                 "withdrawal in {value:.0%} of segments >= {threshold:.0%}"),
        ), {}, {},
    )  # fmt: skip
    f = evaluate(rules, data)
    [rule] = f.fired
    assert rule.reason == "withdrawal in 50% of segments >= 40%"
    [ev] = rule.evidence
    assert ev.sessions == (1, 3) and dict(ev.segments) == {1: (1, 2, 4), 3: (1, 2)}
    assert rule.values == {"trait_like.withdrawal_share": 0.5}
    json.dumps(f.to_dict(), allow_nan=False)


def test_three_valued_logic() -> None:
    yes, no = Compare("profile.n_sessions", Op.GE, 1), Compare("profile.n_sessions", Op.LT, 1)
    unknown = Compare("intake.iip.r2", Op.GE, 0.7)
    values = {"profile.n_sessions": 3.0, "intake.iip.r2": None}
    assert evaluate_condition(AllOf((yes, unknown)), values) is None
    assert evaluate_condition(AllOf((no, unknown)), values) is False
    assert evaluate_condition(AnyOf((yes, unknown)), values) is True
    assert evaluate_condition(AnyOf((no, unknown)), values) is None
    assert evaluate_condition(Not(unknown), values) is None  # "no IIP" is not "IIP low"
    between = Compare("intake.iip.displacement", Op.BETWEEN, (45.0, 135.0))
    assert between.test(45.0) and between.test(135.0) and not between.test(136.0)
    assert render_reason("{threshold:.0f} deg", [(between, 90.0)]) == "45–135 deg"
    assert render_reason("{value:.1f}", [(unknown, None)]) == "n/a"


def test_override_needs_a_rationale_and_wins() -> None:
    when = datetime(2026, 5, 4, 10, 30)
    with pytest.raises(ValidationError, match="rationale"):
        Override(TypeLabel.B, None, "   ", "Dr. Lee", when)
    with pytest.raises(ValidationError, match="type, a difficulty"):
        Override(None, None, "because", "Dr. Lee", when)
    f = evaluate(SHIPPED, inputs(n_disorders_meeting_threshold=1, balance_index=0.9))
    assert final_call(f, None) == (TypeLabel.A, Difficulty.AGENCY, "rules")
    override = Override(TypeLabel.B, None, "PD traits are remitting; works well", "Dr. Lee", when)
    assert final_call(f, override) == (TypeLabel.B, Difficulty.AGENCY, "clinician")


def test_the_approach_in_force_follows_the_decision() -> None:
    when = datetime(2026, 5, 4, 10, 30)
    f = evaluate(SHIPPED, inputs(n_disorders_meeting_threshold=1, balance_index=0.9))
    rules_own = approach_in_force(f, None)
    assert rules_own == {
        "type": SHIPPED.type_approaches[TypeLabel.A],
        "difficulty": SHIPPED.difficulty_approaches[Difficulty.AGENCY],
        "source": "rules",
        "changed": [],
    }
    decided = Override(None, Difficulty.COMMUNION, "confronts in sessions", "Dr. Lee", when)
    followed = approach_in_force(f, decided)
    assert followed["type"] == SHIPPED.type_approaches[TypeLabel.A]  # type kept
    assert followed["difficulty"] == SHIPPED.difficulty_approaches[Difficulty.COMMUNION]
    assert followed["changed"] == [
        {
            "what": "difficulty",
            "decided": "communion_relatedness",
            "suggested": "agency_self_definition",
        }
    ]
    # A decision on a withheld suggestion still gets its approach text.
    withheld = evaluate(SHIPPED, few_ruptures(P01_1=(3, 12)))
    assert withheld.withheld
    typed = approach_in_force(withheld, Override(TypeLabel.C, None, "known well", "Lee", when))
    assert typed["type"] == SHIPPED.type_approaches[TypeLabel.C]
    assert type_text("C") == "C — mature relational capacity" and type_text(None) == "none"


def test_votes_are_validated() -> None:
    with pytest.raises(ValidationError):
        Vote(TypeLabel.A, Difficulty.AGENCY)
    with pytest.raises(ValidationError):
        Vote(difficulty=Difficulty.MIXED)
    with pytest.raises(ValidationError):
        Vote(TypeLabel.A, weight=0)


# ---- coverage gate (issue 10) ---------------------------------------------------------
def few_ruptures(**coverage: tuple[int, int]) -> FormulationInputs:
    """Inputs on which c_few_ruptures fires, with the given per-session coverage."""
    from coder.domain.coverage import Coverage

    base = inputs(rupture_share=0.11)
    return FormulationInputs(
        base.values, coverage={k.replace("_", "/"): Coverage(*v) for k, v in coverage.items()}
    )


def test_incomplete_coding_withholds_the_suggestion() -> None:
    f = evaluate(SHIPPED, few_ruptures(P01_1=(12, 12), P01_2=(7, 12)))
    assert SHIPPED.min_session_coverage == 1.0  # the shipped default: every session coded
    assert f.withheld and f.suggested_type is None and f.difficulty is None
    assert f.fired == () and f.type_approach is None and f.difficulty_approach is None
    assert f.incomplete == ("P01/2: 7 of 12 segments coded",)
    assert f.notice is not None and "P01/2: 7 of 12 segments coded" in f.notice
    assert "No suggestion" in f.notice
    data = f.to_dict()
    assert data["status"] == "withheld" and data["incomplete_sessions"] == [
        "P01/2: 7 of 12 segments coded"
    ]
    assert data["fired_rules"] == [] and data["caveat"] == SHIPPED.caveat
    json.dumps(data)
    assert final_call(f, None) == (None, None, "rules")


def test_complete_coding_gives_the_suggestion() -> None:
    f = evaluate(SHIPPED, few_ruptures(P01_1=(12, 12), P01_2=(12, 12)))
    assert not f.withheld and not f.provisional and f.notice is None
    assert f.suggested_type is TypeLabel.C and f.to_dict()["status"] == "complete"


def test_threshold_is_met_at_equality_and_provisional_is_labelled() -> None:
    rules = RuleSet(
        SHIPPED.id, SHIPPED.version, SHIPPED.caveat, SHIPPED.rules, SHIPPED.type_approaches,
        SHIPPED.difficulty_approaches, min_session_coverage=0.75,
    )  # fmt: skip
    assert evaluate(rules, few_ruptures(P01_1=(9, 12))).suggested_type is TypeLabel.C
    below = evaluate(rules, few_ruptures(P01_1=(8, 12)))
    assert below.withheld and below.min_session_coverage == 0.75
    assert "at least 75% coded" in (below.notice or "")
    forced = evaluate(rules, few_ruptures(P01_1=(8, 12)), provisional=True)
    assert forced.provisional and forced.suggested_type is TypeLabel.C
    assert (
        forced.notice
        == "Provisional — computed on incomplete coding (P01/1: 8 of 12 segments coded)."
    )
    assert forced.to_dict()["label"] == "Provisional — computed on incomplete coding"
    # asking for a provisional suggestion on complete data gives an ordinary one
    assert evaluate(rules, few_ruptures(P01_1=(12, 12)), provisional=True).status == "complete"
    with pytest.raises(ValidationError, match="between 0 and 1"):
        RuleSet("x", "1", "c", (), {}, {}, min_session_coverage=1.5)
