"""``coder import-qdpx``: a REFI-QDA project into a project, or a codebook into a draft
scheme file (see docs/exchange.md). The app is imported inside the function so that
``coder --help`` stays fast (tests/test_cli_startup.py)."""

from __future__ import annotations

from pathlib import Path

import click

from coder.commands.common import (
    as_option,
    db_option,
    opened,
    passphrase_option,
    project_option,
    sign_in_as,
)
from coder.domain.errors import CoderError


@click.command(name="import-qdpx")
@project_option
@db_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write the file's codebook as a draft scheme file OUT instead of importing "
    "(for a .qdc, the default is FILE.yaml beside it).",
)
@click.option(
    "--add-codebook",
    is_flag=True,
    help="Also add the file's codebook to the project as a draft scheme (same "
    "transaction), so another program's codings find their codes.",
)
@as_option
@passphrase_option
@click.argument("file", type=click.Path(path_type=Path))
def import_qdpx_command(
    project: Path | None,
    db_url: str | None,
    out: Path | None,
    add_codebook: bool,
    as_name: str | None,
    passphrase_file: Path | None,
    file: Path,
) -> None:
    """Import a REFI-QDA project (.qdpx) or turn a codebook (.qdc) into a draft scheme.

    A .qdpx adds its text sources as transcripts and its codings as codes, all in one
    transaction: a bad file adds nothing. Codings whose code is not in the project's
    schemes are listed and left out, unless --add-codebook adds the file's codebook as a
    scheme. A .qdc (needs no project), or any file with --out, becomes a draft scheme
    file to review and check with `coder schemes validate`. See docs/exchange.md.
    """
    from coder.app import exchange_codebook, exchange_import

    if file.suffix.lower() == ".qdc":
        target = out or file.with_suffix(".yaml")
        exchange_codebook.codebook_to_scheme(file, target)
        click.echo(
            f"Wrote a draft scheme to {target}; check it with: coder schemes validate {target}"
        )
        return
    if out is not None:
        raise CoderError("--out is for a .qdc codebook; a .qdpx is imported into the project")
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        report = exchange_import.import_qdpx(db, file, coder)
    click.echo(
        f"Imported {report.codes} codes and {len(report.sessions)} transcripts from {file}"
        + (f" ({report.already_present} codes already present)" if report.already_present else "")
    )
    if report.reused:
        click.echo(f"Transcripts already in the project: {', '.join(report.reused)}")
    if report.new_raters:
        click.echo(f"New raters: {', '.join(report.new_raters)}")
    for line in report.skipped:
        click.echo(f"Left out: {line}")
