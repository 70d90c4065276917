"""``coder info``: what a project holds (codes counted as the acting identity may see)."""

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
    sign_in_as,
)


@click.command(name="info")
@project_option
@db_option
@as_option
@passphrase_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def info_command(
    project: Path | None,
    db_url: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Counts of patients, sessions, turns, raters and codes.

    The total number of codes is shown to a lead (or, without --as, in a project that
    has no lead); a rater (--as NAME) sees how many codes they made themself.
    """
    from coder.app import identity, projects, schemes

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        scope = projects.code_count_scope(db, coder)
        own = scope is projects.CodeCount.OWN
        c = projects.counts(db, own_only_for=coder if own else None)
        numbers: list[tuple[str, str, int]] = [
            ("patients", "Patients", c.patients),
            ("sessions", "Sessions", c.sessions),
            ("turns", "Turns", c.turns),
            ("raters", "Raters", c.raters),
        ]
        if scope is projects.CodeCount.ALL:
            numbers.append(("codes", "Codes", c.codes))
        elif own:
            numbers.append(("own_codes", "Own codes", c.codes))
        if as_json:
            data: dict[str, object] = {key: value for key, _, value in numbers}
            if own and coder is not None:
                data["own_codes_of"] = coder.name
            emit_json(data)
            return
        click.echo(f"Project: {projects.project_name(db)}")
        for key, label, value in numbers:
            whose = f"  (made by {coder.name})" if key == "own_codes" and coder else ""
            click.echo(f"  {label:<9}{value:>8}{whose}")
        if scope is projects.CodeCount.NONE:
            click.echo("  Codes    (shown to a lead; a rater sees their own with --as NAME)")
        if identity.require_rater_sign_in(db):
            click.echo("  Sign-in  every rater signs in with a PIN")
        for stored in schemes.project_schemes(db):
            mark = " (default)" if stored.is_default else ""
            click.echo(f"  Scheme   {stored.key} v{stored.version} rev {stored.revision}{mark}")
