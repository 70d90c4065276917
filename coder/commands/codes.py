"""``coder codes import`` and ``coder codes export``: the long codes table."""

from __future__ import annotations

from pathlib import Path

import click

from coder.app import codes
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
def codes_import(project: Path | None, db_url: str | None, file: Path) -> None:
    """Import codings from FILE (all rows or none)."""
    with opened(project, db_url) as db:
        result = codes.import_codes(db, file)
    click.echo(f"{file}: {result.rows} code applications imported")
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
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        n = codes.export_codes(db, out, list(raters) or None, coder=coder)
    click.echo(f"Wrote {n} rows to {out}")
