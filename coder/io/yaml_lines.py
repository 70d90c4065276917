"""YAML loading that remembers where every value came from.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two equal
keys. Scheme authors need both: errors must point at a line, and a repeated key is
almost always a copy-paste mistake. So we compose the node tree ourselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml
from pydantic_core import ErrorDetails

from coder.domain.errors import CoderError
from coder.io.limits import read_regular_file

Loc = tuple[str | int, ...]


class YamlError(CoderError):
    """Malformed YAML; the message carries ``file:line``."""


MAX_NODES = 200_000  # values after aliases are expanded; a scheme has a few thousand
MAX_DEPTH = 64  # nesting levels; a scheme needs about 8
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def load_yaml_with_lines(text: str, source: str | Path) -> tuple[Any, dict[Loc, int]]:
    """Parse ``text``; return the data and a map from value path to 1-based line.

    Hostile files are refused with a message, not followed: aliases are expanded while
    walking, so a "billion laughs" file (nine aliases each repeating the one before ten
    times: 478 bytes, 10^9 values) stops at :data:`MAX_NODES` values; an alias inside
    its own anchor (``a: &x [*x]``) is a cycle; nesting is capped at :data:`MAX_DEPTH`
    (and PyYAML's recursive composer is stopped before Python's recursion limit); a value
    PyYAML cannot build (a 5,000-digit integer, an impossible date) names its line.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise YamlError(f"{source}{line}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(
            f"{source}: nested too deeply (more than {MAX_DEPTH} levels); not a valid file"
        ) from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlError(f"{source}: the file is empty")
    lines: dict[Loc, int] = {}
    constructor = yaml.SafeLoader("")
    visited = 0
    open_nodes: set[int] = set()  # ids of the collections being walked: an alias cycle

    def where(n: yaml.Node) -> str:
        return f"{source}:{n.start_mark.line + 1}"

    def scalar(n: yaml.Node) -> Any:
        try:
            return constructor.construct_object(n, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            shown = str(n.value)[:30] + ("..." if len(str(n.value)) > 30 else "")
            reason = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
            raise YamlError(f"{where(n)}: value {shown!r} cannot be read ({reason})") from None

    def walk(n: yaml.Node, loc: Loc) -> Any:
        nonlocal visited
        visited += 1
        if visited > MAX_NODES:
            raise YamlError(
                f"{where(n)}: more than {MAX_NODES:,} values once aliases (*name) are "
                "expanded; refused (a scheme has a few thousand: is this an alias bomb?)"
            )
        if len(loc) > MAX_DEPTH:
            raise YamlError(f"{where(n)}: nested more than {MAX_DEPTH} levels deep; refused")
        lines.setdefault(loc, n.start_mark.line + 1)
        if not isinstance(n, yaml.MappingNode | yaml.SequenceNode):
            return scalar(n)
        if n.tag not in _COLLECTION_TAGS:  # scalars' tags are checked by the constructor
            raise YamlError(f"{where(n)}: the tag {n.tag!r} is not allowed here")
        if id(n) in open_nodes:
            raise YamlError(f"{where(n)}: an alias (*name) refers to a value that contains it")
        open_nodes.add(id(n))
        try:
            if isinstance(n, yaml.SequenceNode):
                return [walk(item, (*loc, i)) for i, item in enumerate(n.value)]
            result: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError(f"{where(key_node)}: a key must be a plain value")
                key = scalar(key_node)
                if key in result:
                    raise YamlError(
                        f"{where(key_node)}: key {key!r} appears twice in the same mapping"
                    )
                lines[(*loc, key)] = key_node.start_mark.line + 1
                result[key] = walk(value_node, (*loc, key))
            return result
        finally:
            open_nodes.discard(id(n))

    return walk(node, ()), lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """Line of ``loc`` or of its nearest ancestor that has one."""
    while True:
        if loc in lines:
            return lines[loc]
        if not loc:
            return None
        loc = loc[:-1]


def format_loc(loc: Loc) -> str:
    """``('code_groups', 0, 'codes', 2, 'hotkey')`` -> ``code_groups[0].codes[2].hotkey``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True, slots=True)
class FileIssue:
    """One problem in a validated YAML file, shown as ``file:line: field: message``."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class FileIssuesError(CoderError):
    """A YAML file is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[FileIssue]) -> None:
        self.issues = issues
        more = f" (and {len(issues) - 1} more problems)" if len(issues) > 1 else ""
        super().__init__(f"{issues[0]}{more}")


def read_yaml_source(path: Path, what: str, max_bytes: int) -> str:
    """The text of a YAML file, or a one-line error naming the file and the problem."""
    raw = read_regular_file(path, max_bytes, what)  # no FIFOs, devices, endless files
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CoderError(f"{what} is not UTF-8 (byte {exc.start})", path=path) from None


Model = TypeVar("Model", bound=pydantic.BaseModel)
IssueMaker = Callable[[Loc, str], FileIssue]


def validate_yaml(
    text: str,
    source: str,
    model: type[Model],
    error: type[FileIssuesError],
    message: Callable[[ErrorDetails], str],
    *,
    what: str,
    clean_loc: Callable[[tuple[Any, ...]], Loc] = tuple,
) -> tuple[Model, IssueMaker]:
    """Parse YAML and validate it against a declared pydantic model.

    Returns the model and a function that turns a location into a :class:`FileIssue` with
    its line, for the caller's cross-checks. Raises ``error`` with every problem found.
    """
    data, lines = load_yaml_with_lines(text, source)
    if not isinstance(data, dict):
        raise error([FileIssue(source, 1, "", f"{what} must be a mapping")])

    def issue(loc: Loc, text: str) -> FileIssue:
        return FileIssue(source, line_of(lines, loc), format_loc(loc), text)

    try:
        validated = model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise error([issue(clean_loc(tuple(e["loc"])), message(e)) for e in exc.errors()]) from None
    return validated, issue
