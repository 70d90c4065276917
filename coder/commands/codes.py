"""``coder codes import`` and ``coder codes export``: the long codes table."""

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


@click.group(name="codes")
def codes_group() -> None:
    """Import and export code applications as a long CSV table (see docs/codes-csv.md)."""


@codes_group.command(name="import")
@project_option
@db_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@as_option
@passphrase_option
@click.option(
    "--create-raters",
    is_flag=True,
    help="Create raters the file names that the project lacks (in a project with a lead, "
    "only a lead may). Without it such rows are refused, so a typo is not a new rater.",
)
def codes_import(
    project: Path | None,
    db_url: str | None,
    file: Path,
    as_name: str | None,
    passphrase_file: Path | None,
    create_raters: bool,
) -> None:
    """Import codings from FILE (all rows or none).

    Rows already in the project are skipped, so importing a file again stores nothing
    new. In a project with a lead, say who you are with --as: a rater imports only
    their own codes (while a round is open, into sessions assigned to them); a lead
    (with --passphrase-file) anyone's, including the consensus. Sessions of a locked
    round take no new codes.
    """
    from coder.app import codes

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        result = codes.import_codes(db, file, coder, create_raters=create_raters)
    click.echo(
        f"Imported {result.rows} rows from {file.name} ({result.already_present} already present)"
    )
    if result.skipped_absent:
        click.echo(f"  {result.skipped_absent} rows with value 0 (absent) were not stored")
    if result.new_raters:
        click.echo(f"  new raters: {', '.join(result.new_raters)}")


@codes_group.command(name="export")
@project_option
@db_option
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rater", "raters", multiple=True, help="Only these raters (repeatable).")
@as_option
@passphrase_option
def codes_export(
    project: Path | None,
    db_url: str | None,
    out: Path,
    raters: tuple[str, ...],
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Write code applications to a CSV file (replaced atomically).

    While a coding round is open or locked, say who you are with --as: a rater exports
    only their own codes, a lead (with --passphrase-file) everyone's.
    """
    from coder.app import codes

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        n = codes.export_codes(db, out, list(raters) or None, coder=coder)
    click.echo(f"Wrote {n} rows to {out}")
