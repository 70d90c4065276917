"""Formulation rules files: the shipped default validates, and every kind of mistake is
reported as file:line: field: message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from coder.domain.errors import CoderError
from coder.domain.formulation import AllOf, AnyOf, Compare, Difficulty, Not, Op, TypeLabel
from coder.io.formulation_file import FormulationFileError, load_formulation_file
from coder.io.yaml_lines import YamlError

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "schemes" / "formulation" / "default.yaml"

VALID = """\
format: 1
id: mini
version: "1"
caveat: "Not validated; a suggestion only, the clinician decides."
approaches:
  type: {A: "repair-centred", B: "repair module", C: "strengths"}
  difficulty: {agency_self_definition: "withdrawal path", communion_relatedness: "confrontation path"}
rules:
  - id: r1
    when:
      all:
        - {metric: trait_like.withdrawal_share, op: ">=", value: 0.4}
        - {metric: intake.sidp.max_criteria_met_ratio, op: ">=", value: 1}
    vote: {type: A, weight: 2}
    reason: "withdrawal in {value:.0%} of segments >= {threshold:.0%}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(FormulationFileError) as info:
        load_formulation_file(path)
    return [str(i).replace(str(path), "F") for i in info.value.issues]


def test_shipped_rules_validate() -> None:
    rules, text = load_formulation_file(SHIPPED)
    assert rules.id == "formulation-default" and "placeholder" in text.lower()
    assert len(rules.rules) == 10
    assert "not yet been empirically validated" in rules.caveat
    assert "clinician decides" in rules.caveat
    assert set(rules.type_approaches) == set(TypeLabel)
    assert set(rules.difficulty_approaches) == set(Difficulty)
    votes = {r.vote.type or r.vote.difficulty for r in rules.rules}
    assert votes == {"A", "B", "C", "agency_self_definition", "communion_relatedness"}
    iip_agency = next(r for r in rules.rules if r.id == "d_iip_agency")
    assert isinstance(iip_agency.when, AllOf) and isinstance(iip_agency.when.items[2], AnyOf)
    communion = next(r for r in rules.rules if r.id == "d_iip_communion")
    assert isinstance(communion.when, AllOf) and isinstance(communion.when.items[2], Not)


def test_valid_minimal_file_converts(tmp_path: Path) -> None:
    rules, _ = load_formulation_file(write(tmp_path, VALID))
    [rule] = rules.rules
    assert rule.vote.type is TypeLabel.A and rule.vote.weight == 2.0
    assert rule.when == AllOf(
        (
            Compare("trait_like.withdrawal_share", Op.GE, 0.4),
            Compare("intake.sidp.max_criteria_met_ratio", Op.GE, 1.0),
        )
    )
    assert Difficulty.MIXED not in rules.difficulty_approaches  # optional texts left out


def test_unknown_key(tmp_path: Path) -> None:
    text = VALID.replace("  - id: r1\n", "  - id: r1\n    bogus: 1\n")
    assert problems(tmp_path, text) == ["F:10: rules[0].bogus: unknown key"]


def test_unknown_metric_path_names_the_line(tmp_path: Path) -> None:
    text = VALID.replace("intake.sidp.max_criteria_met_ratio", "intake.sidp.max_criteria_ratio")
    [found] = problems(tmp_path, text)
    assert found.startswith("F:13: rules[0].when.all[1].metric: unknown metric path")
    assert "did you mean 'intake.sidp.max_criteria_met_ratio'" in found


def test_bad_op(tmp_path: Path) -> None:
    [found] = problems(tmp_path, VALID.replace('op: ">=", value: 0.4', 'op: "=>", value: 0.4'))
    assert found.startswith("F:12: rules[0].when.all[0].op: Input should be '>='")


def test_missing_reason(tmp_path: Path) -> None:
    text = VALID.replace(
        '    reason: "withdrawal in {value:.0%} of segments >= {threshold:.0%}"\n', ""
    )
    assert problems(tmp_path, text) == ["F:9: rules[0].reason: required key is missing"]


def test_reason_placeholders_are_checked(tmp_path: Path) -> None:
    text = VALID.replace("{threshold:.0%}", "{value_3}")
    [found] = problems(tmp_path, text)
    assert found.startswith("F:15: rules[0].reason: placeholder {value_3} is not one of")
    text = VALID.replace("{threshold:.0%}", "{value.__class__}")
    assert "placeholder {value.__class__}" in problems(tmp_path, text)[0]
    text = VALID.replace("{threshold:.0%}", "{value:d}")
    assert problems(tmp_path, text)[0].startswith("F:15: rules[0].reason: bad placeholder")


def test_between_needs_a_range_and_votes_one_target(tmp_path: Path) -> None:
    text = VALID.replace('op: ">=", value: 0.4', "op: between, value: 0.4")
    assert problems(tmp_path, text) == [
        "F:12: rules[0].when.all[0]: 'between' needs value: [low, high] with low <= high"
    ]
    text = VALID.replace("vote: {type: A, weight: 2}", "vote: {type: A, difficulty: mixed}")
    found = problems(tmp_path, text)
    assert found[0].startswith("F:14: rules[0].vote.difficulty: Input should be")
    text = VALID.replace("vote: {type: A, weight: 2}", "vote: {weight: 2}")
    assert problems(tmp_path, text) == [
        "F:14: rules[0].vote: a vote names either a type (A/B/C) or a difficulty axis"
    ]


def test_nested_not_and_duplicate_ids(tmp_path: Path) -> None:
    rule = """\
  - id: r1
    when: {not: {metric: profile.balance_indx, op: "<", value: 0}}
    vote: {difficulty: agency_self_definition}
    reason: "x"
"""
    found = problems(tmp_path, VALID + rule)
    assert found[0].startswith("F:17: rules[1].when.not.metric: unknown metric path")
    ok_rule = rule.replace("balance_indx", "balance_index")
    assert problems(tmp_path, VALID + ok_rule) == ["F:16: rules[1].id: duplicate rule id 'r1'"]


def test_format_caveat_and_yaml_errors(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace("format: 1", "format: 2"))
    assert found == [
        "F:1: format: must be 1 (the rules format this version of Rupture Coder reads)"
    ]
    found = problems(
        tmp_path,
        VALID.replace(
            'caveat: "Not validated; a suggestion only, the clinician decides."', 'caveat: ""'
        ),
    )
    assert found[0].startswith("F:4: caveat:")
    with pytest.raises(YamlError, match=r"rules\.yaml:\d+: not valid YAML"):
        load_formulation_file(write(tmp_path, VALID.replace('version: "1"', "version: [1")))
    with pytest.raises(CoderError, match="no such formulation rules file"):
        load_formulation_file(tmp_path / "missing.yaml")


def test_coverage_threshold_is_read_and_checked(tmp_path: Path) -> None:
    assert load_formulation_file(SHIPPED)[0].min_session_coverage == 1.0
    assert load_formulation_file(write(tmp_path, VALID))[0].min_session_coverage == 1.0
    lenient = VALID.replace("caveat:", "min_session_coverage: 0.8\ncaveat:")
    assert load_formulation_file(write(tmp_path, lenient))[0].min_session_coverage == 0.8
    whole = VALID.replace("caveat:", "min_session_coverage: 1\ncaveat:")
    assert load_formulation_file(write(tmp_path, whole))[0].min_session_coverage == 1.0
    assert problems(tmp_path, VALID.replace("caveat:", "min_session_coverage: 1.2\ncaveat:")) == [
        "F:4: min_session_coverage: Input should be less than or equal to 1"
    ]
