"""What a merge will do, package by package and session by session (the preview, the
conflicts), and writing it (see :mod:`coder.app.packages`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, insert
from sqlalchemy.orm import Session as OrmSession

from coder.domain.errors import CoderError
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
)


class PackageRefused(CoderError):
    """A merge found problems; ``problems`` lists every one, nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(self.problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was merged:\n  {shown}")


@dataclass
class SessionChange:
    """What merging one package does to one therapy session."""

    patient: str
    number: int
    added: int = 0
    unchanged: int = 0
    episodes_added: int = 0
    conflicts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.patient}/{self.number}"


@dataclass
class PackagePreview:
    """One package's effect: per session changes, and problems with the whole package."""

    path: Path
    rater: str
    sessions: list[SessionChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(s.added for s in self.sessions)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.sessions)

    def all_problems(self) -> list[str]:
        found = [f"{self.path.name}: {p}" for p in self.problems]
        for s in self.sessions:
            found += [f"{self.path.name}: {s.label}: {c}" for c in s.conflicts]
        return found


@dataclass
class MergeResult:
    packages: list[PackagePreview]
    committed: bool

    @property
    def added(self) -> int:
        return sum(p.added for p in self.packages)

    @property
    def unchanged(self) -> int:
        return sum(p.unchanged for p in self.packages)

    @property
    def problems(self) -> list[str]:
        return [text for p in self.packages for text in p.all_problems()]


@dataclass
class MergePlan:
    preview: PackagePreview
    rater_id: int | None = None
    new_episodes: list[dict[str, Any]] = field(default_factory=list)
    # (session id, index) → episode row id, for codes pointing at an existing episode
    episode_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    new_codes: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: OrmSession) -> None:
        for ep in self.new_episodes:
            row = EpisodeRow(**{k: v for k, v in ep.items() if k != "key"})
            session.add(row)
            session.flush()
            self.episode_ids[ep["key"]] = row.id
        for code in self.new_codes:
            key = code.pop("episode_key")
            code["episode_id"] = self.episode_ids[key] if key is not None else None
        if self.new_codes:
            session.execute(insert_codes(session, self.new_codes), self.new_codes)


def insert_codes(session: OrmSession, rows: list[dict[str, Any]]) -> Any:
    """A Core insert of ``rows`` whose timestamps are still the package's ISO text.

    On SQLite they go in as the text SQLAlchemy itself would store
    (``YYYY-MM-DD HH:MM:SS.ffffff``), bound as strings: parsing 200,000 timestamps and
    formatting them again was a quarter of a 100k-code merge. Elsewhere they are parsed."""
    table = cast(Table, CodeApplicationRow.__table__)
    if session.get_bind().dialect.name != "sqlite":
        for row in rows:
            row["created_at"] = datetime.fromisoformat(row["created_at"])
            row["updated_at"] = datetime.fromisoformat(row["updated_at"])
        return insert(table)
    for row in rows:
        row["created_at"] = _sqlite_stamp(row["created_at"])
        row["updated_at"] = _sqlite_stamp(row["updated_at"])
    return insert(table).values(
        created_at=bindparam("created_at", type_=String),
        updated_at=bindparam("updated_at", type_=String),
    )


def _sqlite_stamp(iso: str) -> str:
    """``datetime.isoformat()`` text → SQLAlchemy's SQLite storage format."""
    text = iso.replace("T", " ", 1)
    return text if len(text) > 19 else text + ".000000"


def round_id_of(
    number: int | None, rounds: dict[int, tuple[int, str]], change: SessionChange
) -> int | None:
    if number is None:
        return None
    here = rounds.get(number)
    if here is None:
        change.conflicts.append(f"round {number} is not in this project")
        return None
    return here[0]
