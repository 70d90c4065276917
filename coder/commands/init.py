"""``coder init``: a new project in a file (optionally encrypted) or on a lab server."""

from __future__ import annotations

import os
from pathlib import Path

import click

from coder.commands.common import read_secret
from coder.domain.errors import CoderError

# Spelled out so `coder --help` loads no database code (tests/test_cli_startup.py checks
# it agrees with coder.app.projects.DEFAULT_SCHEME).
DEFAULT_SCHEME = "3rs-2015"

# An encrypted project's passphrase: long enough that guessing it offline is hopeless
# (SQLCipher derives the key with 256,000 PBKDF2 rounds, which slows but cannot save a
# short one).
MIN_KEY_LENGTH = 10


@click.command(name="init")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Create the project in this database instead of a file (e.g. "
    "postgresql+psycopg://lead@server/lab, an empty database). Default: $CODER_DB_URL.",
)
@click.option(
    "--scheme",
    "scheme_ids",
    multiple=True,
    metavar="ID",
    help=f"Built-in scheme to add (repeatable; first is the default). Default: {DEFAULT_SCHEME}.",
)
@click.option("--name", help="Project name (default: the file name).")
@click.option(
    "--encrypt",
    is_flag=True,
    help="Encrypt the project file (SQLCipher) with a passphrase: typed twice at a "
    "terminal, or read with --passphrase-file. Without it the file cannot be opened.",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --encrypt: the file holding the new project's passphrase.",
)
def init_command(
    path: Path | None,
    db_url: str | None,
    scheme_ids: tuple[str, ...],
    name: str | None,
    encrypt: bool,
    passphrase_file: Path | None,
) -> None:
    """Create a new project: a file at PATH, or in a database server with --db URL."""
    from coder.app import projects
    from coder.store.database import ENV_URL

    chosen_ids = scheme_ids or (projects.DEFAULT_SCHEME,)
    if path is not None and db_url:
        raise click.UsageError("give either a file PATH or --db URL, not both")
    url = db_url or (None if path is not None else os.environ.get(ENV_URL))
    if path is None and not url:
        raise click.UsageError("give a file PATH, or --db URL (or set CODER_DB_URL)")
    if passphrase_file is not None and not encrypt:
        raise click.UsageError("--passphrase-file is for --encrypt")
    if encrypt and url:
        raise click.UsageError(
            "--encrypt is for a project file; on a server use its TLS and disk encryption"
        )
    if url:
        db = projects.create_project(url, name=name, scheme_ids=chosen_ids, is_url=True)
        where = projects.describe(url)
    else:
        assert path is not None
        key = None
        if encrypt:
            if not projects.encryption_available():
                raise CoderError(
                    "encryption needs SQLCipher: pip install 'rupture-coder[encryption]'"
                )
            key = read_secret(
                passphrase_file,
                "Passphrase for the new project",
                "--encrypt needs a passphrase: give --passphrase-file FILE",
                confirm=True,
            )
            if len(key) < MIN_KEY_LENGTH:
                raise CoderError(
                    f"the passphrase is too short: use at least {MIN_KEY_LENGTH} characters"
                )
        db = projects.create_project(path, name=name, scheme_ids=chosen_ids, key=key)
        where = str(path) + (" (encrypted)" if key else "")
    db.close()
    click.echo(f"Created project {where} with scheme(s) {', '.join(chosen_ids)}")
