"""Options and helpers every command shares."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coder.domain.errors import CoderError, file_error
from coder.store.cipher import ENV_KEY_FILE

if TYPE_CHECKING:  # imported where used: `coder --help` must start without the database
    from coder.app.identity import ActingRater
    from coder.store.database import ProjectDatabase

EXIT_ERROR = 2
F = TypeVar("F", bound=Callable[..., Any])


def _use_key_file(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    """``--key-file F`` is ``CODER_KEY_FILE=F`` for this command: the store reads the key
    from that file when it meets an encrypted project (and only then)."""
    if value is not None:
        os.environ[ENV_KEY_FILE] = str(value)


key_file_option = click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    expose_value=False,
    callback=_use_key_file,
    is_eager=True,
    help="File holding the passphrase of an encrypted project. Default: $CODER_KEY_FILE.",
)


def project_option(command: F) -> F:
    """``--project PATH`` and, for an encrypted project file, ``--key-file FILE``."""
    command = key_file_option(command)
    return click.option(
        "--project",
        "-p",
        "project",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Project file (SQLite).",
    )(command)


def profile_source_options(command: F) -> F:
    """``--rater``, ``--consensus``, ``--scheme`` and ``--rules``: whose codes a patient's
    profile is built from and with which formulation rules. ``coder profile`` and ``coder
    report`` describe the same profile, so they take these options from one place."""
    for option in reversed(
        [
            click.option("--rater", help="Whose codes (default: yours, given with --as)."),
            click.option("--consensus", is_flag=True, help="Use the consensus codes."),
            click.option(
                "--scheme", "scheme_key", help="Scheme whose segments and codes to profile."
            ),
            click.option(
                "--rules",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Formulation rules file (default: the built-in "
                "schemes/formulation/default.yaml).",
            ),
        ]
    ):
        command = option(command)
    return command


db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL instead of --project (e.g. postgresql+psycopg://...). "
    "Default: $CODER_DB_URL.",
)


@contextmanager
def opened(project: Path | None, db_url: str | None) -> Iterator[ProjectDatabase]:
    """The project, opened; an encrypted one without ``--key-file`` asks for its key at a
    terminal (and fails in words without one)."""
    from coder.app import projects

    try:
        db = projects.open_project(project, db_url)
    except projects.KeyNeeded:
        if not sys.stdin.isatty():
            raise
        key = read_secret(None, f"Key (passphrase) of {project}", "", "key")
        db = projects.open_project(project, db_url, key=key)
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


def read_secret(
    path: Path | None,
    prompt: str,
    missing: str,
    what: str = "passphrase",
    *,
    confirm: bool = False,
) -> str:
    """A secret from a file, or typed hidden at a terminal (twice with ``confirm``, for a
    new one); never wait on a non-terminal stdin (a script would hang), fail with
    ``missing`` instead."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise file_error(exc, path, writing=False, what=f"{what} file") from None
    if not sys.stdin.isatty():
        raise CoderError(missing)
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def read_passphrase(path: Path | None) -> str:
    """The lab passphrase, from a file or typed at a terminal."""
    return read_secret(
        path, "Lab passphrase", "a lead needs the lab passphrase: give --passphrase-file FILE"
    )


def sign_in_as(
    db: ProjectDatabase, name: str | None, passphrase_file: Path | None
) -> ActingRater | None:
    """The identity a command acts as (``--as``), with the secret that name needs."""
    if name is None:
        return None
    from coder.app import identity

    return identity.sign_in(db, name, secret_for(db, name, passphrase_file))


def secret_for(db: ProjectDatabase, name: str, passphrase_file: Path | None) -> str | None:
    """The secret signing in as ``name`` needs, or None if it needs none.

    A lead gives the lab passphrase, a rater with a PIN gives it: from
    ``--passphrase-file``, else typed (hidden) at a terminal. The name is checked
    first, so nobody is asked for a secret for a name that cannot sign in.
    """
    from coder.app import identity

    need = identity.sign_in_need(db, name)
    if passphrase_file is not None:
        return read_secret(passphrase_file, "", "")
    if need is identity.SignInNeed.LAB_PASSPHRASE:
        return read_passphrase(None)
    if need is identity.SignInNeed.PIN:
        return read_secret(
            None,
            f"PIN for {name.strip()}",
            f"{name.strip()} signs in with a PIN: give --passphrase-file FILE",
            "PIN",
        )
    return None


as_option = click.option(
    "--as",
    "as_name",
    metavar="NAME",
    help="Act as this rater, named exactly (blinding applies); a lead gives the lab "
    "passphrase, a rater with a PIN gives it (--passphrase-file, or typed at a terminal).",
)
passphrase_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the secret of --as: the lab passphrase for a lead, the PIN (or "
    "passphrase) for a rater who has one.",
)
