"""Built-in and project schemes: finding, validating, storing and loading them.

A project stores each scheme's source text with its content hash. Storing a scheme
whose content is already stored is a no-op; a changed scheme with the same id becomes
the next *revision*, and existing codes keep pointing at the revision they were made
with, so nothing is silently reinterpreted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coder.app import resources
from coder.domain.errors import CoderError, NotFoundError
from coder.domain.scheme import Scheme
from coder.store.database import ProjectDatabase
from coder.store.models import ProjectMeta, SchemeRow

# coder.io.scheme_file (pydantic, YAML) is imported where a scheme is parsed: `coder info`
# and opening a project only list stored schemes (tests/test_cli_startup.py).

ENV_SCHEMES_DIR = "CODER_SCHEMES_DIR"


def builtin_scheme_dir() -> Path:
    """``$CODER_SCHEMES_DIR``, else ``schemes/`` where the program's files are (source
    checkout, installer bundle or ``sys.prefix``; see :mod:`coder.app.resources`)."""
    return resources.resource_dir("schemes", ENV_SCHEMES_DIR)


def list_builtin() -> list[tuple[Scheme, Path]]:
    """Every valid built-in scheme, sorted by id; an invalid file is an error."""
    from coder.io.scheme_file import load_scheme_file

    folder = builtin_scheme_dir()
    if not folder.is_dir():
        raise CoderError("built-in scheme folder is missing", path=folder)
    found = [(load_scheme_file(p)[0], p) for p in sorted(folder.glob("*.yaml"))]
    return sorted(found, key=lambda item: item[0].id)


def find_builtin(scheme_id: str) -> tuple[Scheme, str, str]:
    """(scheme, source text, file name) of the built-in scheme with this id."""
    for scheme, path in list_builtin():
        if scheme.id == scheme_id:
            return scheme, path.read_text(encoding="utf-8-sig"), path.name
    known = ", ".join(s.id for s, _ in list_builtin())
    raise NotFoundError(f"no built-in scheme {scheme_id!r} (known: {known})")


@dataclass(frozen=True, slots=True)
class ValidationResult:
    path: Path
    scheme: Scheme | None
    problems: tuple[str, ...]


def validate_files(paths: Iterable[str | Path]) -> list[ValidationResult]:
    """Validate each file independently; one bad file never hides another's result."""
    from coder.io.scheme_file import SchemeFileError, load_scheme_file

    results = []
    for raw in paths:
        path = Path(raw)
        try:
            scheme, _ = load_scheme_file(path)
        except SchemeFileError as exc:
            results.append(ValidationResult(path, None, tuple(str(i) for i in exc.issues)))
        except CoderError as exc:
            results.append(ValidationResult(path, None, (str(exc),)))
        else:
            results.append(ValidationResult(path, scheme, ()))
    return results


@dataclass(frozen=True, slots=True)
class StoredScheme:
    key: str
    version: str
    revision: int
    content_hash: str
    name: str
    is_default: bool


def store_scheme(session: Session, scheme: Scheme, text: str, source: str) -> SchemeRow:
    """Add ``scheme`` to the project unless identical content is already stored."""
    existing = session.scalar(
        select(SchemeRow).where(
            SchemeRow.key == scheme.id, SchemeRow.content_hash == scheme.content_hash
        )
    )
    if existing is not None:
        return existing
    last = session.scalar(select(func.max(SchemeRow.revision)).where(SchemeRow.key == scheme.id))
    row = SchemeRow(
        key=scheme.id,
        version=scheme.version,
        revision=(last or 0) + 1,
        content_hash=scheme.content_hash,
        name=scheme.name,
        source_text=text,
        source_name=source,
    )
    session.add(row)
    return row


def add_scheme_file(db: ProjectDatabase, path: str | Path) -> StoredScheme:
    """Validate a scheme file and store it in the project (new revision if changed)."""
    from coder.io.scheme_file import load_scheme_file

    scheme, text = load_scheme_file(path)
    with db.transaction() as session:
        row = store_scheme(session, scheme, text, Path(path).name)
        session.flush()
        return _stored(row, _default_id(session))


def project_schemes(db: ProjectDatabase) -> list[StoredScheme]:
    with db.reading() as session:
        default = _default_id(session)
        rows = session.scalars(select(SchemeRow).order_by(SchemeRow.key, SchemeRow.revision))
        return [_stored(row, default) for row in rows]


def load_project_scheme(db: ProjectDatabase, key: str | None = None) -> Scheme:
    """The latest revision of ``key`` stored in the project, or the default scheme."""
    with db.reading() as session:
        if key is None:
            default = _default_id(session)
            row = session.get(SchemeRow, default) if default else None
        else:
            row = session.scalar(
                select(SchemeRow)
                .where(SchemeRow.key == key)
                .order_by(SchemeRow.revision.desc())
                .limit(1)
            )
        if row is None:
            raise NotFoundError(f"the project has no scheme {key or '(default)'!r}")
        return _parse_stored(row.source_text, f"{row.key} (stored in project)")


def default_and_latest_schemes(db: ProjectDatabase) -> tuple[Scheme, list[Scheme]]:
    """The default scheme and the latest revision of every stored key (in key order), in
    one reading session: every import asks, and a session per scheme was a good part of
    a small import's time."""
    with db.reading() as session:
        default_id = _default_id(session)
        default = session.get(SchemeRow, default_id) if default_id else None
        if default is None:
            raise NotFoundError("the project has no scheme '(default)'")
        latest = (
            select(SchemeRow.key, func.max(SchemeRow.revision).label("revision"))
            .group_by(SchemeRow.key)
            .subquery()
        )
        rows = session.execute(
            select(SchemeRow.key, SchemeRow.source_text)
            .join(
                latest, (SchemeRow.key == latest.c.key) & (SchemeRow.revision == latest.c.revision)
            )
            .order_by(SchemeRow.key)
        ).all()
        first = _parse_stored(default.source_text, f"{default.key} (stored in project)")
    return first, [_parse_stored(text, f"{key} (stored in project)") for key, text in rows]


def load_project_scheme_revision(db: ProjectDatabase, key: str, revision: int) -> Scheme:
    """A specific stored revision: what a code made with that revision means."""
    with db.reading() as session:
        row = session.scalar(
            select(SchemeRow).where(SchemeRow.key == key, SchemeRow.revision == revision)
        )
        if row is None:
            raise NotFoundError(f"the project has no scheme {key!r} revision {revision}")
        return _parse_stored(row.source_text, f"{row.key} (stored in project)")


def scheme_of_row(row: SchemeRow) -> Scheme:
    """The scheme a stored row holds, read from the row itself: callers inside a write
    transaction (which may just have stored it) need no second connection."""
    return _parse_stored(row.source_text, f"{row.key} (stored in project)")


@lru_cache(maxsize=32)
def _parse_stored(text: str, label: str) -> Scheme:
    from coder.io.scheme_file import parse_scheme_text

    return parse_scheme_text(text, label)


def _default_id(session: Session) -> int | None:
    meta = session.get(ProjectMeta, 1)
    return meta.default_scheme_id if meta else None


def _stored(row: SchemeRow, default_id: int | None) -> StoredScheme:
    return StoredScheme(
        row.key, row.version, row.revision, row.content_hash, row.name, row.id == default_id
    )
