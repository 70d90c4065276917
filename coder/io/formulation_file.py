"""Formulation rules files (YAML): the declared format, validation, conversion to the domain.

Like scheme files (``coder.io.scheme_file``), the format is declared as strict pydantic
models with ``extra="forbid"``, and every problem is reported as ``file:line: field:
message``. A condition is one of four shapes, told apart by its key (``all``, ``any``,
``not``, else a comparison) through a callable discriminator, so an error inside a
condition is reported for the shape the author meant, not for every shape pydantic tried.
Metric paths are checked against the fixed vocabulary ``coder.domain.formulation.METRICS``
and reason templates against the placeholders their condition provides.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator
from pydantic import model_validator as after_model
from pydantic_core import ErrorDetails

from coder.domain.formulation import (
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
    leaves,
    template_problem,
)
from coder.io.yaml_lines import (
    FileIssue,
    FileIssuesError,
    Loc,
    read_yaml_source,
    validate_yaml,
)

MAX_RULES_BYTES = 1_000_000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,59}$"
_TAG = "cond:"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CompareModel(_Strict):
    metric: str
    op: Literal[">=", ">", "<=", "<", "==", "!=", "between"]
    value: Any

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        if metric not in METRICS:
            close = difflib.get_close_matches(metric, list(METRICS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see docs/profiles.md)"
            raise ValueError(f"unknown metric path {metric!r}{hint}")
        return metric

    @after_model(mode="after")
    def _value_fits_op(self) -> CompareModel:
        def number(x: object) -> bool:
            return isinstance(x, int | float) and not isinstance(x, bool)

        v = self.value
        if self.op == "between":
            if not (isinstance(v, list) and len(v) == 2 and all(map(number, v)) and v[0] <= v[1]):
                raise ValueError("'between' needs value: [low, high] with low <= high")
        elif not number(v):
            raise ValueError(f"op {self.op!r} needs a number as value, not {v!r}")
        return self


class AllModel(_Strict):
    all: Annotated[list[CondModel], Field(min_length=1)]


class AnyModel(_Strict):
    any: Annotated[list[CondModel], Field(min_length=1)]


class NotModel(_Strict):
    not_: CondModel = Field(alias="not")


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return _TAG + key
    if isinstance(data, AllModel | AnyModel | NotModel):
        return _TAG + type(data).__name__[:-5].lower()
    return _TAG + "compare"


CondModel = Annotated[
    Annotated[CompareModel, Tag(_TAG + "compare")]
    | Annotated[AllModel, Tag(_TAG + "all")]
    | Annotated[AnyModel, Tag(_TAG + "any")]
    | Annotated[NotModel, Tag(_TAG + "not")],
    Discriminator(_shape),
]
for _model in (AllModel, AnyModel, NotModel):
    _model.model_rebuild()


class VoteModel(_Strict):
    type: Literal["A", "B", "C"] | None = None
    difficulty: Literal["agency_self_definition", "communion_relatedness"] | None = None
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0

    @after_model(mode="after")
    def _one_target(self) -> VoteModel:
        if (self.type is None) == (self.difficulty is None):
            raise ValueError("a vote names either a type (A/B/C) or a difficulty axis")
        return self


class RuleModel(_Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    description: str = ""
    when: CondModel
    vote: VoteModel
    reason: Annotated[str, Field(min_length=1)]


class TypeTexts(_Strict):
    A: Annotated[str, Field(min_length=1)]
    B: Annotated[str, Field(min_length=1)]
    C: Annotated[str, Field(min_length=1)]


class DifficultyTexts(_Strict):
    agency_self_definition: Annotated[str, Field(min_length=1)]
    communion_relatedness: Annotated[str, Field(min_length=1)]
    mixed: str = ""
    undifferentiated: str = ""


class ApproachesModel(_Strict):
    type: TypeTexts
    difficulty: DifficultyTexts


class RulesFileModel(_Strict):
    format: Literal[1]
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    description: str = ""
    caveat: Annotated[str, Field(min_length=20)]
    # Share of its segments every session must have coded before the rules run (1.0:
    # every session fully coded); below it the suggestion is withheld, see
    # coder.domain.formulation.
    min_session_coverage: Annotated[float, Field(ge=0, le=1)] = DEFAULT_MIN_SESSION_COVERAGE
    approaches: ApproachesModel
    rules: Annotated[list[RuleModel], Field(min_length=1)]


FormulationIssue = FileIssue


class FormulationFileError(FileIssuesError):
    """A rules file is invalid; ``issues`` lists every problem found."""


def load_formulation_file(path: str | Path) -> tuple[RuleSet, str]:
    """Read and validate a rules file; return the rule set and its source text."""
    text = read_yaml_source(Path(path), "formulation rules file", MAX_RULES_BYTES)
    return parse_formulation_text(text, str(path)), text


def parse_formulation_text(text: str, source: str) -> RuleSet:
    model, issue = validate_yaml(
        text,
        source,
        RulesFileModel,
        FormulationFileError,
        _message,
        what="the file",
        clean_loc=_clean,
    )
    problems: list[FormulationIssue] = []
    seen: set[str] = set()
    rules = []
    for i, rm in enumerate(model.rules):
        if rm.id in seen:
            problems.append(issue(("rules", i, "id"), f"duplicate rule id {rm.id!r}"))
        seen.add(rm.id)
        when = _condition(rm.when)
        problem = template_problem(rm.reason, len(leaves(when)))
        if problem:
            problems.append(issue(("rules", i, "reason"), problem))
        vote = Vote(
            TypeLabel(rm.vote.type) if rm.vote.type else None,
            Difficulty(rm.vote.difficulty) if rm.vote.difficulty else None,
            rm.vote.weight,
        )
        rules.append(Rule(rm.id, rm.description.strip(), when, vote, rm.reason.strip()))
    if problems:
        raise FormulationFileError(problems)
    texts = model.approaches
    return RuleSet(
        id=model.id,
        version=model.version,
        caveat=" ".join(model.caveat.split()),
        rules=tuple(rules),
        type_approaches={TypeLabel(k): v.strip() for k, v in texts.type.model_dump().items()},
        difficulty_approaches={
            Difficulty(k): v.strip() for k, v in texts.difficulty.model_dump().items() if v.strip()
        },
        min_session_coverage=float(model.min_session_coverage),
    )


def _condition(m: CompareModel | AllModel | AnyModel | NotModel) -> Condition:
    if isinstance(m, AllModel):
        return AllOf(tuple(_condition(c) for c in m.all))
    if isinstance(m, AnyModel):
        return AnyOf(tuple(_condition(c) for c in m.any))
    if isinstance(m, NotModel):
        return Not(_condition(m.not_))
    value = m.value
    bound = (float(value[0]), float(value[1])) if isinstance(value, list) else float(value)
    return Compare(m.metric, Op(m.op), bound)


def _clean(loc: tuple[int | str, ...]) -> Loc:
    """Drop the discriminator tags pydantic inserts, so the path matches the YAML."""
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith(_TAG)))


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error" and err["loc"] and err["loc"][0] == "format":
        return "must be 1 (the rules format this version of Rupture Coder reads)"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")
