"""Options and helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from coder.app import identity, projects
from coder.app.identity import Coder
from coder.domain.errors import CoderError, file_error
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


def read_passphrase(path: Path | None) -> str:
    """From a file, or typed at a terminal; never wait on a non-terminal stdin."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise file_error(exc, path, writing=False, what="passphrase file") from None
    if not sys.stdin.isatty():
        raise CoderError("a lead needs the lab passphrase: give --passphrase-file FILE")
    return str(click.prompt("Lab passphrase", hide_input=True))


def sign_in_as(db: ProjectDatabase, name: str | None, passphrase_file: Path | None) -> Coder | None:
    """The identity a command acts as (``--as``); a lead also needs the passphrase."""
    if name is None:
        return None
    coder = identity.sign_in(
        db, name, read_passphrase(passphrase_file) if passphrase_file else None
    )
    return coder


as_option = click.option(
    "--as",
    "as_name",
    metavar="NAME",
    help="Act as this rater (blinding applies); a lead also needs --passphrase-file.",
)
passphrase_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the lab passphrase (leads).",
)
