"""Scheme files (YAML): the declared format, its validation and conversion to the domain.

The format is declared as pydantic models (``extra="forbid"`` so a misspelt key is an
error, strict types so ``min: "one"`` is not coerced). Cross-references pydantic cannot
express (duplicate ids and hotkeys, ratings naming missing scales, stage order) are
checked afterwards; every problem is reported with file, line and field.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import ErrorDetails

from coder.domain.scheme import (
    Code,
    CodeFamily,
    CodeGroup,
    RatingDef,
    RatingScale,
    Scheme,
    Scope,
    SegmentationMode,
    SegmentationRule,
    Side,
    Stage,
    StagePathway,
    normalise_hotkey,
)
from coder.io.yaml_lines import (
    FileIssue,
    FileIssuesError,
    Loc,
    format_loc,
    read_yaml_source,
    validate_yaml,
)

FORMAT_VERSION = 1
MAX_SCHEME_BYTES = 2_000_000

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"
COLOUR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Family = Literal["withdrawal", "confrontation", "resolution", "other"]
_HOTKEY_RE = re.compile(r"^((Ctrl|Alt|Shift|Meta)\+)*([A-Za-z0-9]|F([1-9]|1[0-2]))$", re.I)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ScaleModel(_Strict):
    min: int
    max: int
    anchors: dict[int, str] = {}
    allow_na: bool = False


class SegmentationModel(_Strict):
    mode: Literal["time_window", "turn_block", "whole_session"] = "time_window"
    window_s: Annotated[int, Field(gt=0, le=7200)] = 300
    turns_per_block: Annotated[int, Field(gt=0, le=1000)] = 10
    words_per_minute: Annotated[int, Field(gt=0, le=1000)] = 150


class CodeModel(_Strict):
    id: Id
    name: Annotated[str, Field(min_length=1)]
    definition: str = ""
    examples: list[str] = []
    hotkey: str | None = None
    colour: Annotated[str, Field(pattern=COLOUR_PATTERN)] = "#888888"
    subfamily: str | None = None


class CodeGroupModel(_Strict):
    id: Id
    label: Annotated[str, Field(min_length=1)]
    family: Family = "other"
    scope: Literal["segment", "session", "episode"] = "segment"
    codes: Annotated[list[CodeModel], Field(min_length=1)]


class RatingModel(_Strict):
    id: Id
    label: Annotated[str, Field(min_length=1)]
    scale: str
    scope: Literal["segment", "session", "episode"]
    family: Family = "other"
    side: Literal["patient", "therapist"] | None = None
    definition: str = ""
    hotkey: str | None = None


class StageModel(_Strict):
    id: Id
    order: Annotated[int, Field(ge=1)]
    name: Annotated[str, Field(min_length=1)]
    definition: str = ""
    hotkey: str | None = None


class PathwayModel(_Strict):
    id: Id
    label: Annotated[str, Field(min_length=1)]
    family: Family = "other"
    stages: Annotated[list[StageModel], Field(min_length=1)]


class SchemeModel(_Strict):
    format: Literal[1]
    id: Id
    version: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1)]
    citation: str = ""
    description: str = ""
    segmentation: SegmentationModel = SegmentationModel()
    scales: dict[str, ScaleModel] = {}
    code_groups: list[CodeGroupModel] = []
    ratings: list[RatingModel] = []
    pathways: list[PathwayModel] = []


SchemeIssue = FileIssue


class SchemeFileError(FileIssuesError):
    """A scheme file is invalid; ``issues`` lists every problem found."""


def load_scheme_file(path: str | Path) -> tuple[Scheme, str]:
    """Read and validate a scheme file; return the scheme and its source text."""
    text = read_yaml_source(Path(path), "scheme file", MAX_SCHEME_BYTES)
    return parse_scheme_text(text, str(path)), text


def parse_scheme_text(text: str, source: str) -> Scheme:
    """Validate YAML text (from a file or from a project's stored copy)."""
    model, issue = validate_yaml(
        text, source, SchemeModel, SchemeFileError, _pydantic_message, what="a scheme file"
    )
    problems = [issue(loc, msg) for loc, msg in _cross_checks(model)]
    if problems:
        raise SchemeFileError(problems)
    return _to_domain(model)


def _pydantic_message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern")
        if pattern == ID_PATTERN:
            return f"{err['input']!r} is not a valid id (1-40 letters, digits, '_' or '-')"
        if pattern == COLOUR_PATTERN:
            return f"{err['input']!r} is not a colour (write it as #rrggbb, e.g. #1f77b4)"
    if kind == "literal_error" and err["loc"] and err["loc"][0] == "format":
        return f"must be {FORMAT_VERSION} (the scheme format this version of Rupture Coder reads)"
    return str(err["msg"])


def _cross_checks(m: SchemeModel) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for name, scale in m.scales.items():
        if scale.min > scale.max:
            problems.append(
                (("scales", name, "min"), f"min ({scale.min}) is greater than max ({scale.max})")
            )
        for anchor in scale.anchors:
            if not scale.min <= anchor <= scale.max:
                problems.append(
                    (
                        ("scales", name, "anchors", anchor),
                        f"anchor {anchor} is outside {scale.min}..{scale.max}",
                    )
                )

    seen_ids: dict[str, Loc] = {}
    seen_keys: dict[str, tuple[Loc, str]] = {}

    def claim(item_id: str, hotkey: str | None, loc: Loc) -> None:
        if item_id in seen_ids:
            problems.append(
                (
                    (*loc, "id"),
                    f"duplicate id {item_id!r} (already used at {format_loc(seen_ids[item_id])})",
                )
            )
        else:
            seen_ids[item_id] = loc
        if hotkey is None:
            return
        if not _HOTKEY_RE.match(hotkey):
            problems.append(
                (
                    (*loc, "hotkey"),
                    f"{hotkey!r} is not a hotkey (use e.g. '1', 'w', 'Shift+W', 'F2')",
                )
            )
            return
        key = normalise_hotkey(hotkey)
        if key in seen_keys:
            problems.append(
                ((*loc, "hotkey"), f"duplicate hotkey {hotkey!r} (also {seen_keys[key][1]})")
            )
        else:
            seen_keys[key] = (loc, item_id)

    group_ids: set[str] = set()
    for gi, group in enumerate(m.code_groups):
        if group.id in group_ids:
            problems.append((("code_groups", gi, "id"), f"duplicate group id {group.id!r}"))
        group_ids.add(group.id)
        for ci, code in enumerate(group.codes):
            claim(code.id, code.hotkey, ("code_groups", gi, "codes", ci))
    for ri, rating in enumerate(m.ratings):
        claim(rating.id, rating.hotkey, ("ratings", ri))
        if rating.scale not in m.scales:
            known = ", ".join(sorted(m.scales)) or "none declared"
            problems.append(
                (
                    ("ratings", ri, "scale"),
                    f"names scale {rating.scale!r}, which is not declared (scales: {known})",
                )
            )
    pathway_ids: set[str] = set()
    for pi, pathway in enumerate(m.pathways):
        if pathway.id in pathway_ids:
            problems.append((("pathways", pi, "id"), f"duplicate pathway id {pathway.id!r}"))
        pathway_ids.add(pathway.id)
        orders: set[int] = set()
        for si, stage in enumerate(pathway.stages):
            claim(stage.id, stage.hotkey, ("pathways", pi, "stages", si))
            if stage.order in orders:
                problems.append(
                    (
                        ("pathways", pi, "stages", si, "order"),
                        f"two stages share order {stage.order}",
                    )
                )
            orders.add(stage.order)
    return problems


def _to_domain(m: SchemeModel) -> Scheme:
    canonical = json.dumps(m.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    scales = {
        name: RatingScale(name, s.min, s.max, dict(s.anchors), s.allow_na)
        for name, s in m.scales.items()
    }
    groups = tuple(
        CodeGroup(
            g.id,
            g.label,
            CodeFamily(g.family),
            Scope(g.scope),
            tuple(
                Code(
                    c.id,
                    c.name,
                    g.id,
                    CodeFamily(g.family),
                    c.definition,
                    tuple(c.examples),
                    c.hotkey,
                    c.colour.lower(),
                    c.subfamily,
                )
                for c in g.codes
            ),
        )
        for g in m.code_groups
    )
    ratings = tuple(
        RatingDef(
            r.id,
            r.label,
            scales[r.scale],
            Scope(r.scope),
            CodeFamily(r.family),
            Side(r.side) if r.side else None,
            r.definition,
            r.hotkey,
        )
        for r in m.ratings
    )
    pathways = tuple(
        StagePathway(
            p.id,
            p.label,
            CodeFamily(p.family),
            tuple(
                Stage(s.id, s.order, s.name, s.definition, s.hotkey)
                for s in sorted(p.stages, key=lambda s: s.order)
            ),
        )
        for p in m.pathways
    )
    seg = m.segmentation
    return Scheme(
        id=m.id,
        version=m.version,
        name=m.name,
        content_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        segmentation=SegmentationRule(
            SegmentationMode(seg.mode), seg.window_s, seg.turns_per_block, seg.words_per_minute
        ),
        citation=m.citation,
        description=m.description,
        scales=scales,
        groups=groups,
        ratings=ratings,
        pathways=pathways,
    )
