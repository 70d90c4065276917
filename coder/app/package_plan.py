"""What a merge will do, package by package and session by session (the preview, the
conflicts), and writing it (see :mod:`coder.app.packages`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session as OrmSession

from coder.domain.errors import CoderError
from coder.store import audit
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
    new_codes: list[list[Any]] = field(default_factory=list)  # fields in STORED order

    def write(self, session: OrmSession) -> None:
        for ep in self.new_episodes:
            row = EpisodeRow(**{k: v for k, v in ep.items() if k != "key"})
            session.add(row)
            session.flush()
            self.episode_ids[ep["key"]] = row.id
        episode = STORED.index("episode_id")
        for code in self.new_codes:
            key = code[episode]  # (session id, episode index) until now
            code[episode] = self.episode_ids[key] if key is not None else None
        if self.new_codes:
            insert_codes(session, self.new_codes)


# What a merged code stores, in the order of MergePlan.new_codes.
STORED = (
    "uid", "session_id", "rater_id", "scheme_id", "round_id", "code_id", "unit",
    "unit_index", "segment_id", "episode_id", "value", "evidence_turn", "evidence_start",
    "evidence_end", "memo", "probability", "created_at", "updated_at",
)  # fmt: skip
# On SQLite the package's ISO timestamps are stored as the text SQLAlchemy itself stores
# ('YYYY-MM-DD HH:MM:SS.ffffff'), converted by SQLite (?NNN: the parameter's position).
_SQLITE_STAMP = (
    "CASE WHEN length(?{n}) > 19 THEN replace(?{n}, 'T', ' ') "
    "ELSE replace(?{n}, 'T', ' ') || '.000000' END"
)


def insert_codes(session: OrmSession, rows: list[list[Any]]) -> None:
    """Insert ``rows`` (fields in :data:`STORED` order, timestamps still the package's
    ISO text) in the session's transaction, recorded in the audit trail as any multi-row
    insert is: one summary entry per therapy session.

    On SQLite the rows go to the driver's ``executemany`` as they are: SQLAlchemy
    building parameters per row was half of a 100k-code merge, and parsing and
    re-formatting 200,000 timestamps in Python a quarter. Elsewhere: a Core insert of
    parsed rows through the session (which records it itself)."""
    table = cast(Table, CodeApplicationRow.__table__)
    if session.get_bind().dialect.name != "sqlite":
        parsed = [dict(zip(STORED, row, strict=True)) for row in rows]
        for values in parsed:
            values["created_at"] = datetime.fromisoformat(values["created_at"])
            values["updated_at"] = datetime.fromisoformat(values["updated_at"])
        session.execute(insert(table), parsed)
        return
    marks = [f"?{n}" for n in range(1, len(STORED) + 1)]
    for name in ("created_at", "updated_at"):
        position = STORED.index(name)
        marks[position] = _SQLITE_STAMP.format(n=position + 1)
    sql = f"INSERT INTO {table.name} ({', '.join(STORED)}) VALUES ({', '.join(marks)})"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(sql, rows)
    sid, rater = STORED.index("session_id"), STORED.index("rater_id")
    audit.record_bulk_insert(session, table, Counter((row[sid], row[rater]) for row in rows))


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
