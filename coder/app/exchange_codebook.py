"""The REFI-QDA codebook, both ways: a project's schemes as REFI codes (``coder export
--format qdc`` and the codebook inside a ``.qdpx``), and another program's codebook as a
draft scheme file (``coder import-qdpx --codebook-to-scheme``, ``--add-codebook``).

Also what export and import share: :data:`MARK`, the first line of every description we
write (and recognise on import), and the GUIDs of our codes (:func:`code_guid`), derived
from the scheme id and the item id, which is how an import recognises our own codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app import export_common
from coder.app import schemes as scheme_service
from coder.app.export_columns import scale_text
from coder.domain.errors import CoderError
from coder.domain.scheme import Scheme, Scope
from coder.io.atomic import write_atomically
from coder.io.refi import RefiCode, stable_guid
from coder.io.refi.reader import read_codebook, read_project
from coder.io.refi.writer import write_qdc
from coder.store.database import ProjectDatabase
from coder.store.models import SchemeRow

MARK = "Rupture Coder"  # first line of the descriptions we write (and recognise)


@dataclass(frozen=True, slots=True)
class ExchangeResult:
    """What an export wrote (a codebook has no sources, codings or users)."""

    path: Path
    sources: int
    codings: int
    users: int


@cache
def code_guid(scheme_key: str, item_id: str) -> str:
    """The GUID of a scheme item (cached: an export asks once per code application)."""
    return stable_guid("code", scheme_key, item_id)


def scheme_codes(scheme: Scheme, *, prefix: str = "") -> list[RefiCode]:
    """The scheme as REFI codes: groups, ratings by scope and pathways become parents."""
    key = scheme.id
    parents: list[RefiCode] = []
    for group in scheme.groups:
        children = tuple(
            RefiCode(
                code_guid(key, c.id),
                f"{c.id} {c.name}",
                True,
                c.definition,
                c.colour if re.fullmatch(r"#[0-9A-Fa-f]{6}", c.colour) else None,
            )
            for c in group.codes
        )
        about = f"{group.family.value} codes, given per {group.scope.value}"
        parents.append(
            RefiCode(
                stable_guid("group", key, group.id),
                prefix + group.label,
                False,
                about,
                None,
                children,
            )
        )
    for scope in Scope:
        ratings = [r for r in scheme.ratings if r.scope is scope]
        if ratings:
            children = tuple(
                RefiCode(
                    code_guid(key, r.id),
                    f"{r.id} {r.label}",
                    True,
                    f"{r.definition}\nScale: {scale_text(scheme, r.id)} (the value is in each "
                    "coding's selection description)".strip(),
                )
                for r in ratings
            )
            parents.append(
                RefiCode(
                    stable_guid("ratings", key, scope.value),
                    f"{prefix}{scope.value.capitalize()} ratings",
                    False,
                    f"ratings given per {scope.value}",
                    None,
                    children,
                )
            )
    for pathway in scheme.pathways:
        children = tuple(
            RefiCode(code_guid(key, s.id), f"{s.id} {s.name}", True, s.definition)
            for s in pathway.stages
        )
        parents.append(
            RefiCode(
                stable_guid("pathway", key, pathway.id),
                prefix + pathway.label,
                False,
                f"resolution stages of the {pathway.id} pathway, given per episode",
                None,
                children,
            )
        )
    return parents


def latest_schemes(db: ProjectDatabase, session: OrmSession, key: str | None) -> list[Scheme]:
    export_common.scheme_key(session, key)
    stored = session.execute(
        select(SchemeRow.key, SchemeRow.revision).order_by(SchemeRow.key, SchemeRow.revision)
    ).all()
    latest = {k: r for k, r in stored if key is None or k == key}
    return [scheme_service.load_project_scheme_revision(db, k, r) for k, r in latest.items()]


def codebook(schemes: list[Scheme]) -> tuple[RefiCode, ...]:
    several = len(schemes) > 1
    found: list[RefiCode] = []
    for scheme in schemes:
        found += scheme_codes(scheme, prefix=f"{scheme.id}: " if several else "")
    return tuple(found)


def export_qdc(db: ProjectDatabase, out: Path, scheme_key: str | None = None) -> ExchangeResult:
    """The project's schemes (latest revisions) as a REFI-QDA codebook (``.qdc``)."""
    with db.reading() as session:
        codes = codebook(latest_schemes(db, session, scheme_key))
    write_qdc(out, codes)
    return ExchangeResult(out, 0, 0, 0)


# ---- codebook → draft scheme ----------------------------------------------------------------
def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", text.strip())[:36].strip("-_") or "code"
    if not base[0].isalnum():
        base = "c" + base
    slug, n = base, 2
    while slug.lower() in taken:
        slug = f"{base[:33]}-{n}"
        n += 1
    taken.add(slug.lower())
    return slug


_OUR_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_\-]{0,39}) (.+)$")


def codebook_to_scheme(path: Path, out: Path) -> Path:
    """Write the draft scheme of a ``.qdc`` (or a ``.qdpx``'s codebook) to ``out``; see
    :func:`draft_scheme_text`."""
    if path.suffix.lower() == ".qdc":
        codes = read_codebook(path)
        title = path.stem
    else:
        project = read_project(path)
        codes, title = project.codes, project.name or path.stem
    if not codes:
        raise CoderError("the codebook holds no codes", path=path)
    write_atomically(out, draft_scheme_text(codes, title, path.name).encode("utf-8"))
    return out


def draft_scheme_text(codes: tuple[RefiCode, ...], title: str, source: str) -> str:
    """A ``.qdc`` codebook (or a ``.qdpx`` project's codebook) as a draft scheme file.

    Parent codes become code groups (a code group per top-level code that has
    children; top-level codes without children gather in a group ``codes``); deeper
    levels are flattened into their top-level group, names kept as they are (so an
    import finds the codes by name). Every code is a presence code given per segment;
    ratings, scales, hotkeys and families are for the scheme's author to add. Names we
    wrote (``W1 Denial``) give back their ids. The draft passes ``coder schemes
    validate``."""
    taken: set[str] = set()
    group_ids: set[str] = set()
    groups: list[dict[str, object]] = []
    loose: list[dict[str, object]] = []

    def leaf(code: RefiCode, prefix: str) -> dict[str, object]:
        ours = _OUR_NAME.match(code.name)
        if ours and ours.group(1).lower() not in taken:
            item_id, name = ours.group(1), ours.group(2)
            taken.add(item_id.lower())
        else:
            item_id, name = _slug(code.name, taken), code.name
        entry: dict[str, object] = {"id": item_id, "name": prefix + name}
        if code.description:
            entry["definition"] = code.description
        if code.color and re.fullmatch(r"#[0-9A-Fa-f]{6}", code.color):
            entry["colour"] = code.color
        return entry

    def flatten(code: RefiCode, prefix: str) -> list[dict[str, object]]:
        found = [leaf(code, prefix)] if code.codable or not code.children else []
        for child in code.children:
            found += flatten(child, prefix)
        return found

    for top in codes:
        if top.children:
            members = [m for child in top.children for m in flatten(child, "")]
            if top.codable:
                members.insert(0, leaf(top, ""))
            groups.append({"id": _slug(top.name, group_ids), "label": top.name, "codes": members})
        else:
            loose.append(leaf(top, ""))
    if loose:
        groups.append({"id": _slug("codes", group_ids), "label": "Codes", "codes": loose})
    scheme_id = _slug(f"draft-{title}", set())
    document = {
        "format": 1,
        "id": scheme_id,
        "version": "draft",
        "name": f"Draft from {source}",
        "description": f"Drafted by {MARK} from the REFI-QDA codebook of {source}. Every "
        "code is a presence code per segment: add ratings, scales, hotkeys and families.",
        "code_groups": groups,
    }
    return (
        f"# Draft scheme from {source} (coder import-qdpx). Review before use:\n"
        "# check ids, add families, hotkeys, ratings; then `coder schemes validate`.\n"
        + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    )
