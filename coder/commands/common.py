"""Options and helpers every command shares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from coder.app import projects
from coder.store.database import ProjectDatabase

EXIT_ERROR = 2

project_option = click.option(
    "--project",
    "-p",
    "project",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project file (SQLite).",
)
db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL instead of --project (e.g. postgresql+psycopg://...). "
    "Default: $CODER_DB_URL.",
)


@contextmanager
def opened(project: Path | None, db_url: str | None) -> Iterator[ProjectDatabase]:
    db = projects.open_project(project, db_url)
    try:
        yield db
    finally:
        db.close()


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def format_ms(ms: int | None) -> str:
    if ms is None:
        return "--:--:--"
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
