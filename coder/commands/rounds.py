"""``coder rounds``: coding rounds and assignments (leads)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
from coder.domain.coding import RoundStatus
from coder.domain.errors import CoderError

if TYPE_CHECKING:  # imported where used, so `coder --help` starts fast
    from coder.app.identity import ActingRater
    from coder.store.database import ProjectDatabase


def _lead(db: ProjectDatabase, as_name: str | None, passphrase_file: Path | None) -> ActingRater:
    coder = sign_in_as(db, as_name, passphrase_file)
    if coder is None:
        raise CoderError("say which lead you are: --as NAME --passphrase-file FILE")
    return coder


@click.group(name="rounds")
def rounds_group() -> None:
    """Coding rounds (blinding) and session assignments; changes need a lead."""


@rounds_group.command(name="list")
@project_option
@db_option
@click.option("--json", "as_json", is_flag=True)
def rounds_list(project: Path | None, db_url: str | None, as_json: bool) -> None:
    """Rounds with their status and who was assigned which sessions."""
    from coder.app import rounds

    with opened(project, db_url) as db:
        found = rounds.list_rounds(db)
        assigned = rounds.round_assignments(db)
    by_round: dict[int, list[rounds.RoundAssignment]] = {}
    for a in assigned:
        by_round.setdefault(a.round, []).append(a)
    if as_json:
        emit_json(
            [
                {
                    "number": r.number,
                    "name": r.name,
                    "status": r.status.value,
                    "assignments": [
                        {"rater": a.rater, "patient": a.patient, "session": a.session}
                        for a in by_round.get(r.number, [])
                    ],
                }
                for r in found
            ]
        )
        return
    if not found:
        click.echo("No coding rounds yet (coder rounds open --as LEAD ...)")
    for r in found:
        click.echo(f"{r.number:>3}  {r.status.value:<10} {r.name}")
        per_rater: dict[str, list[str]] = {}
        for a in by_round.get(r.number, []):
            per_rater.setdefault(a.rater, []).append(f"{a.patient}/{a.session}")
        for rater, sessions in per_rater.items():
            click.echo(f"       {rater}: {' '.join(sessions)}")


@rounds_group.command(name="open")
@project_option
@db_option
@click.option("--name", default="", help="e.g. 'calibration 1'.")
@as_option
@passphrase_option
def rounds_open(
    project: Path | None,
    db_url: str | None,
    name: str,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Open a new round: from now on raters see only their own codes."""
    from coder.app import rounds

    with opened(project, db_url) as db:
        created = rounds.create_round(db, _lead(db, as_name, passphrase_file), name)
    click.echo(f"Round {created.number} is open")


def _status_command(status: RoundStatus, help_text: str) -> click.Command:
    @click.command(
        name={RoundStatus.LOCKED: "lock", RoundStatus.UNBLINDED: "unblind"}[status], help=help_text
    )
    @click.argument("number", type=int)
    @project_option
    @db_option
    @as_option
    @passphrase_option
    def command(
        number: int,
        project: Path | None,
        db_url: str | None,
        as_name: str | None,
        passphrase_file: Path | None,
    ) -> None:
        from coder.app import rounds

        with opened(project, db_url) as db:
            rounds.set_round_status(db, _lead(db, as_name, passphrase_file), number, status)
        click.echo(f"Round {number} is {status.value}")

    return command


rounds_group.add_command(
    _status_command(RoundStatus.LOCKED, "Lock round NUMBER: its codes can no longer change.")
)
rounds_group.add_command(
    _status_command(
        RoundStatus.UNBLINDED, "Unblind locked round NUMBER: everyone sees everyone's codes."
    )
)


@rounds_group.command(name="assign")
@click.argument("rater")
@click.argument("sessions", nargs=-1, required=True)
@click.option("--round", "round_number", type=int, required=True)
@project_option
@db_option
@as_option
@passphrase_option
def rounds_assign(
    rater: str,
    sessions: tuple[str, ...],
    round_number: int,
    project: Path | None,
    db_url: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Assign SESSIONS such as P01/1 P01/2 to RATER in a round."""
    from coder.app import rounds
    from coder.domain.selectors import parse_session_ref

    parsed = [parse_session_ref(item) for item in sessions]
    with opened(project, db_url) as db:
        lead = _lead(db, as_name, passphrase_file)
        for ref in parsed:
            rounds.assign(db, lead, rater, ref.patient, ref.number, round_number)
    click.echo(f"Assigned {len(parsed)} session(s) to {rater} in round {round_number}")
