"""``coder patients list`` and ``coder patients set``: patients' free attributes."""

from __future__ import annotations

from pathlib import Path

import click

from coder.commands.common import db_option, emit_json, opened, project_option


@click.group(name="patients")
def patients_group() -> None:
    """Patients and their attributes (e.g. therapist, site, arm)."""


@patients_group.command(name="list")
@project_option
@db_option
@click.option("--json", "as_json", is_flag=True)
def patients_list(project: Path | None, db_url: str | None, as_json: bool) -> None:
    """List patients with their attributes."""
    from coder.app import patients

    with opened(project, db_url) as db:
        found = patients.attributes(db)
    if as_json:
        emit_json(found)
        return
    for code, attrs in found.items():
        shown = ", ".join(f"{k}={v}" for k, v in sorted(attrs.items()))
        click.echo(f"{code:<12}{shown}")


@patients_group.command(name="set")
@project_option
@db_option
@click.argument("patient")
@click.argument("key")
@click.argument("value", required=False)
def patients_set(
    project: Path | None, db_url: str | None, patient: str, key: str, value: str | None
) -> None:
    """Set attribute KEY of PATIENT to VALUE (no VALUE removes it).

    ``therapist`` groups the per-therapist summaries (coder profile --therapists);
    ``therapist_S3`` names another therapist for session 3.
    """
    from coder.app import patients

    with opened(project, db_url) as db:
        patients.set_attribute(db, patient, key, value)
    click.echo(f"{patient}: {key} = {value}" if value is not None else f"{patient}: {key} removed")
