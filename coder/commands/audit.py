"""``coder audit``: read the audit trail (a lead, or the owner of a project without one)."""

from __future__ import annotations

from datetime import datetime
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

_WIDE = 60  # before/after cells are cut to this many characters in the text table


@click.command(name="audit")
@project_option
@db_option
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Only changes from this day on (UTC).",
)
@click.option("--rater", metavar="NAME", help="Only changes made by this rater (exact name).")
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write every entry, in full, to this CSV file instead of printing a table.",
)
@as_option
@passphrase_option
def audit_command(
    project: Path | None,
    db_url: str | None,
    since: datetime | None,
    rater: str | None,
    csv_out: Path | None,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Who changed what, when, with the values before and after (lead only)."""
    from coder.app import audit

    day = since.date() if since is not None else None
    with opened(project, db_url) as db:
        actor = sign_in_as(db, as_name, passphrase_file)
        if csv_out is not None:
            count = audit.export_csv(db, actor, csv_out, day, rater)
            click.echo(f"Wrote {count} audit entries to {csv_out}")
            return
        entries = audit.list_entries(db, actor, day, rater)
    if not entries:
        click.echo("No audit entries match.")
        return
    rows = [tuple(_cut(c) for c in e.cells()) for e in entries]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(audit.COLUMNS)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(audit.COLUMNS, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cut(cell: str) -> str:
    cell = cell.replace("\n", " ")
    return cell if len(cell) <= _WIDE else cell[: _WIDE - 1] + "…"
