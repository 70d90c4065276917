"""What the desktop window states about the project: the status-bar indicator (who is
signed in, the current round, whether raters are blinded) and the About box.

Whether someone is blinded is decided by :mod:`coder.app.access`; this only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coder import __version__
from coder.app import access, rounds
from coder.app.demo import data_dir
from coder.app.identity import ActingRater
from coder.app.logs import log_dir
from coder.domain.coding import BlindingPolicy, CodingRound, RoundStatus
from coder.store import migrate
from coder.store.database import ProjectDatabase, describe


@dataclass(frozen=True)
class WindowStatus:
    rater: str | None  # the signed-in name, None when nobody is
    role: str | None  # "lead" / "rater"
    round: CodingRound | None  # the open round, else the latest locked one, else None
    blinded: bool  # the signed-in identity sees only their own codes
    policy: BlindingPolicy

    def text(self) -> str:
        """One line for the status bar, e.g. ``Round 2 “calibration” open · blinded``."""
        if self.round is None:
            where = "No coding round"
        else:
            name = f" “{self.round.name}”" if self.round.name else ""
            where = f"Round {self.round.number}{name} {self.round.status.value}"
        if self.rater is None:
            seen = f"blinding: {self.policy.value.replace('_', ' ')}"
        else:
            seen = "blinded: own codes only" if self.blinded else "not blinded"
        return f"{where} · {seen}"


def window_status(db: ProjectDatabase, coder: ActingRater | None) -> WindowStatus:
    listed = rounds.list_rounds(db)
    current = next((r for r in reversed(listed) if r.status is RoundStatus.OPEN), None)
    if current is None:
        current = next((r for r in reversed(listed) if r.status is RoundStatus.LOCKED), None)
    with db.reading() as session:
        policy = access.blinding_policy(session)
        blinded = coder is not None and access.is_blinded(session, coder)
    return WindowStatus(
        coder.name if coder else None,
        ("lead" if coder.is_lead else "rater") if coder else None,
        current,
        blinded,
        policy,
    )


@dataclass(frozen=True)
class AboutInfo:
    version: str
    project: str  # file path, or server URL without password
    schema_revision: str | None  # the project's Alembic revision
    schema_head: str  # the newest revision this version knows
    data_folder: Path
    log_folder: Path | None  # None when it cannot be created

    def lines(self) -> list[tuple[str, str]]:
        revision = self.schema_revision or "unknown"
        if self.schema_revision == self.schema_head:
            revision += " (current)"
        else:
            revision += f" (this version writes {self.schema_head})"
        return [
            ("Version", self.version),
            ("Project", self.project),
            ("Project schema revision", revision),
            ("Data folder", str(self.data_folder)),
            ("Log folder", str(self.log_folder) if self.log_folder else "(cannot be created)"),
        ]


def about(db: ProjectDatabase) -> AboutInfo:
    try:
        logs: Path | None = log_dir()
    except OSError:
        logs = None
    return AboutInfo(
        __version__,
        describe(db.url),
        migrate.current_revision(db.engine),
        migrate.head_revision(),
        data_dir(),
        logs,
    )
