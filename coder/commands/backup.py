"""``coder backup`` and ``coder restore``: copies of a SQLite project, and putting one back.

Automatic rotating backups are made on open (see :mod:`coder.store.backups`); these
commands make one by hand and restore one.
"""

from __future__ import annotations

from pathlib import Path

import click

from coder.commands.common import project_option


@click.command(name="backup")
@project_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the copy here (default: the backups/ folder beside the project).",
)
def backup_command(project: Path | None, out: Path | None) -> None:
    """Make a consistent copy of a project file (safe while it is open and in use)."""
    from coder.app import projects

    made = projects.backup(_required(project), out)
    click.echo(f"Backed up to {made}")


@click.command(name="restore")
@project_option
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(project: Path | None, backup_file: Path) -> None:
    """Replace the project's contents with BACKUP_FILE.

    The backup must be a project this version can open; the project must not be open
    anywhere else. What it held is kept in backups/ first.
    """
    from coder.app import projects

    kept = projects.restore(_required(project), backup_file)
    click.echo(f"Restored {project} from {backup_file}; the replaced version is kept as {kept}")


def _required(project: Path | None) -> Path:
    if project is None:
        raise click.UsageError("give the project file with --project PATH")
    return project
