"""``coder raters``: add and list raters; set or reset a rater's PIN."""

from __future__ import annotations

from pathlib import Path

import click

from coder.commands.common import (
    as_option,
    db_option,
    emit_json,
    opened,
    passphrase_option,
    project_option,
    read_passphrase,
    read_secret,
    sign_in_as,
)
from coder.domain.roles import RaterRole

# Spelled out so `coder --help` loads no database code (tests/test_cli_startup.py checks
# it agrees with coder.app.identity.MIN_PIN).
MIN_PIN = 4


@click.group(name="raters")
def raters_group() -> None:
    """Add and list raters; set a rater's PIN."""


@raters_group.command(name="add")
@click.argument("name")
@click.option("--initials", required=True, help="1-4 letters, e.g. AL.")
@click.option(
    "--role",
    type=click.Choice([RaterRole.RATER.value, RaterRole.LEAD.value]),
    default=RaterRole.RATER.value,
    show_default=True,
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the lab passphrase (leads only). The first lead sets it.",
)
@project_option
@db_option
def raters_add(
    name: str,
    initials: str,
    role: str,
    passphrase_file: Path | None,
    project: Path | None,
    db_url: str | None,
) -> None:
    """Add a rater NAME to the project."""
    from coder.app import identity, raters

    with opened(project, db_url) as db:
        if role == RaterRole.LEAD.value:
            rater = identity.add_lead(db, name, initials, read_passphrase(passphrase_file))
        else:
            rater = raters.add_rater(db, name, initials, RaterRole(role))
    click.echo(f"Added {rater.role.value} {rater.name} ({rater.initials})")


@raters_group.command(name="list")
@project_option
@db_option
@click.option("--json", "as_json", is_flag=True)
def raters_list(project: Path | None, db_url: str | None, as_json: bool) -> None:
    """List the project's raters."""
    from coder.app import raters

    with opened(project, db_url) as db:
        found = raters.list_raters(db)
    if as_json:
        emit_json([{"name": r.name, "initials": r.initials, "role": r.role.value} for r in found])
        return
    if not found:
        click.echo("No raters yet. Add one with: coder raters add NAME --initials XX --project P")
    for r in found:
        click.echo(f"{r.initials:<5}{r.name:<30}{r.role.value}")


@raters_group.command(name="set-pin")
@click.argument("name")
@click.option(
    "--pin-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the new PIN (or passphrase, at least "
    f"{MIN_PIN} characters). Default: typed twice at a terminal.",
)
@as_option
@passphrase_option
@project_option
@db_option
def raters_set_pin(
    name: str,
    pin_file: Path | None,
    as_name: str | None,
    passphrase_file: Path | None,
    project: Path | None,
    db_url: str | None,
) -> None:
    """Set or change rater NAME's PIN (or passphrase).

    A rater sets their own (changing it needs the current one: --passphrase-file FILE
    or typed); a lead resets anyone's with --as LEAD --passphrase-file FILE.
    """
    from coder.app import identity

    with opened(project, db_url) as db:
        actor = None
        current = None
        if as_name is None or as_name.strip() == name.strip():
            need = identity.sign_in_need(db, name)
            if need is identity.SignInNeed.PIN:
                current = read_secret(
                    passphrase_file,
                    f"Current PIN for {name.strip()}",
                    f"{name.strip()} already has a PIN: give the current one with "
                    "--passphrase-file FILE (or ask a lead to reset it)",
                    "PIN",
                )
        else:
            actor = sign_in_as(db, as_name, passphrase_file)
        new = read_secret(
            pin_file,
            f"New PIN for {name.strip()}",
            "give the new PIN with --pin-file FILE",
            "PIN",
            confirm=True,
        )
        identity.set_rater_secret(db, actor, name, new, current)
    click.echo(f"PIN set for {name.strip()}")
