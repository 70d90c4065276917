"""``coder package export`` and ``coder package merge``: rater packages (docs/packages.md)."""

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


@click.group(name="package")
def package_group() -> None:
    """Carry one rater's codes from a copy of the project into the lab project."""


@package_group.command(name="export")
@project_option
@db_option
@click.option("--rater", required=True, help="Whose codes (named exactly).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Package to write.")
@as_option
@passphrase_option
def package_export(
    project: Path | None,
    db_url: str | None,
    rater: str,
    out: Path,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Write RATER's codes, episodes and memos, with the scheme revisions and transcript
    hashes they refer to, to one checksummed file (written atomically)."""
    from coder.app import packages

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        result = packages.export_package(db, rater, out, coder)
    click.echo(
        f"Wrote {result.rater}'s package to {result.path}: {result.codes} codes, "
        f"{result.episodes} episodes, {result.sessions} sessions"
    )


@package_group.command(name="merge")
@project_option
@db_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
@as_option
@passphrase_option
def package_merge(
    project: Path | None,
    db_url: str | None,
    files: tuple[Path, ...],
    dry_run: bool,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Merge rater packages into the project, all in one transaction.

    Codes already there are skipped (merging twice adds nothing); nothing is deleted or
    overwritten. A package from another project, or whose transcripts or scheme
    revisions differ, and every conflict, are listed and nothing is merged. In a project
    with a lead say who you are with --as: a rater merges only their own package.
    """
    from coder.app import packages

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        result = packages.merge_packages(db, list(files), coder, dry_run=dry_run)
    for pkg in result.packages:
        click.echo(f"{pkg.path.name} ({pkg.rater}):")
        for problem in pkg.problems:
            click.echo(f"  problem: {problem}")
        for s in pkg.sessions:
            line = f"  {s.label}: {s.added} added, {s.unchanged} unchanged"
            if s.episodes_added:
                line += f", {s.episodes_added} episodes added"
            if s.conflicts:
                line += f", {len(s.conflicts)} conflicts"
            click.echo(line)
            for conflict in s.conflicts:
                click.echo(f"    conflict: {conflict}")
    if dry_run:
        verdict = "would be refused" if result.problems else "would merge"
        click.echo(
            f"Dry run: {verdict}; {result.added} codes to add, {result.unchanged} unchanged, "
            f"{len(result.problems)} problems. Nothing was written."
        )
    else:
        click.echo(f"Merged {result.added} codes ({result.unchanged} already present)")
