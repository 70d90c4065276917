"""``coder project``: project-wide settings that decide who sees and signs in as whom
(changes need a lead)."""

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
from coder.domain.coding import BlindingPolicy
from coder.domain.errors import CoderError


@click.group(name="project")
def project_group() -> None:
    """Project-wide settings (changes need a lead)."""


@project_group.command(name="require-sign-in")
@click.argument("state", type=click.Choice(["on", "off"]))
@as_option
@passphrase_option
@project_option
@db_option
def project_require_sign_in(
    state: str,
    as_name: str | None,
    passphrase_file: Path | None,
    project: Path | None,
    db_url: str | None,
) -> None:
    """Require every rater to sign in with a PIN (on), or let raters without one sign in
    by name (off)."""
    from coder.app import identity

    with opened(project, db_url) as db:
        lead = sign_in_as(db, as_name, passphrase_file)
        if lead is None:
            raise CoderError("say which lead you are: --as NAME --passphrase-file FILE")
        without = identity.set_require_rater_sign_in(db, lead, state == "on")
    if state == "off":
        click.echo("Raters without a PIN may sign in by name; raters with a PIN still give it")
        return
    click.echo("Every rater now signs in with a PIN")
    if without:
        click.echo(
            f"No PIN yet: {', '.join(without)}. Each chooses one when signing in to the app, "
            "or with: coder raters set-pin NAME"
        )


@project_group.command(name="blinding")
@click.argument("policy", required=False, type=click.Choice([p.value for p in BlindingPolicy]))
@as_option
@passphrase_option
@project_option
@db_option
def project_blinding(
    policy: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
    project: Path | None,
    db_url: str | None,
) -> None:
    """Show or set when raters see only their own codes: always (the default),
    during_rounds (while a round is open or locked) or never."""
    from coder.app import access

    with opened(project, db_url) as db:
        if policy is None:
            click.echo(f"Blinding: {access.read_blinding_policy(db).value}")
            return
        actor = sign_in_as(db, as_name, passphrase_file)
        access.set_blinding_policy(db, actor, BlindingPolicy(policy))
    click.echo(f"Blinding is now: {policy}")


@project_group.command(name="suggestions")
@click.argument("state", required=False, type=click.Choice(["on", "off"]))
@as_option
@passphrase_option
@project_option
@db_option
def project_suggestions(
    state: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
    project: Path | None,
    db_url: str | None,
) -> None:
    """Show or set whether raters see a screening model's suggestions while coding (off
    by default; never on a session in an open round). A lead decides."""
    from coder.app import access

    with opened(project, db_url) as db:
        if state is None:
            with db.reading() as session:
                enabled = access.suggestions_enabled(session)
            click.echo(f"Suggestions: {'on' if enabled else 'off'}")
            return
        actor = sign_in_as(db, as_name, passphrase_file)
        access.set_suggestions_enabled(db, actor, state == "on")
    click.echo(f"Suggestions are now: {state}")
