"""``coder profile``, ``coder intake import`` and ``coder override``."""

from __future__ import annotations

from pathlib import Path

import click

from coder.commands.common import (
    as_option,
    db_option,
    emit_json,
    opened,
    passphrase_option,
    profile_source_options,
    project_option,
    sign_in_as,
)
from coder.domain.errors import CoderError


def session_table(sessions: list[dict[str, object]]) -> list[str]:
    """The per-session table in the columns of the Word report and the patient view
    (:data:`coder.io.profile_text.SESSION_COLUMNS`: one list, so no output drops one)."""
    from coder.io.profile_text import SESSION_COLUMNS, fmt, session_value

    headers = [title for _key, title, _spec in SESSION_COLUMNS]
    rows = [
        [fmt(session_value(s, key), spec) for key, _title, spec in SESSION_COLUMNS]
        for s in sessions
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    return [
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
        for line in [headers, *rows]
    ]


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


@click.command(name="profile")
@project_option
@db_option
@click.option("--patient", help="The patient to profile.")
@click.option(
    "--therapists",
    is_flag=True,
    help="Instead: ruptures per therapist (patients' 'therapist' attribute).",
)
@profile_source_options
@click.option(
    "--provisional",
    is_flag=True,
    help="Suggest a type even when sessions are not fully coded (below the rules file's "
    "min_session_coverage); the suggestion is labelled provisional.",
)
@as_option
@passphrase_option
@click.option("--json", "as_json", is_flag=True)
def profile_command(
    project: Path | None,
    db_url: str | None,
    patient: str | None,
    therapists: bool,
    rater: str | None,
    consensus: bool,
    scheme_key: str | None,
    rules: Path | None,
    provisional: bool,
    as_name: str | None,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """A patient's rupture profile across sessions and the suggested type formulation.

    Metrics use coded segments only; the type is suggested only when every session meets
    the rules file's coverage threshold (default: fully coded), unless --provisional."""
    from coder.app import profiles
    from coder.io.profile_text import coverage_lines

    if rater and consensus:
        raise CoderError("give either --rater or --consensus, not both")
    if therapists:
        _therapists(
            project, db_url, rater, consensus, scheme_key, as_name, passphrase_file, as_json
        )
        return
    if patient is None:
        raise CoderError("give --patient ID (or --therapists)")
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        report = profiles.build_report(
            db,
            patient,
            rater=rater,
            consensus=consensus,
            coder=coder,
            scheme_key=scheme_key,
            rules_path=rules,
            provisional=provisional,
        )
    data = report.to_dict()
    if as_json:
        emit_json(data)
        return
    click.echo(f"Patient {patient} — codes of {report.rater} — {report.scheme.label}")
    if report.disagreements_text:
        click.echo(f"Consensus not final: {report.disagreements_text}.")
    for line in session_table(data["sessions"]):
        click.echo(line)
    for line in coverage_lines(data):
        click.echo(line)
    click.echo(f"Balance index (W − C)/(W + C): {_fmt(data['balance_index'])}")
    formulation = report.formulation
    if formulation.notice:
        click.echo(formulation.notice)
    if formulation.withheld:
        click.echo("Suggested type: none (coding incomplete; --provisional to compute one)")
    else:
        from coder.domain.formulation import PROVISIONAL_LABEL  # with the rules: not at start-up

        label = f" [{PROVISIONAL_LABEL}]" if formulation.provisional else ""
        click.echo(
            f"Suggested type{label}: {data['suggested_type'] or 'none'}; "
            f"difficulty: {data['difficulty']}"
        )
    for reason in data["reasons"]:
        click.echo(f"  because {reason}")
    if data["override"]:
        o = data["override"]
        click.echo(
            f"Clinician's decision: type {o['type'] or '(unchanged)'}, difficulty "
            f"{o['difficulty'] or '(unchanged)'} — {o['rationale']} ({o['who']}, {o['when']})"
        )
    click.echo(report.formulation.caveat)


@click.group(name="intake")
def intake_group() -> None:
    """Intake measures (IIP, SUIP-I, SIDP-IV): numbers only, never item text."""


@intake_group.command(name="import")
@project_option
@db_option
@as_option
@passphrase_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def intake_import(
    project: Path | None,
    db_url: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
    file: Path,
) -> None:
    """Import intake scores from a long CSV: patient, instrument, item, value."""
    from coder.app import intake

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        result = intake.import_intake_csv(db, coder, file)
    click.echo(f"{file}: {result.instruments} instruments for {', '.join(result.patients)}")


@click.command(name="override")
@project_option
@db_option
@click.option("--patient", required=True)
@click.option("--type", "type_", type=click.Choice(["A", "B", "C"]))
@click.option(
    "--difficulty",
    type=click.Choice(
        ["agency_self_definition", "communion_relatedness", "mixed", "undifferentiated"]
    ),
)
@click.option("--rationale", required=True, help="Why (required; stored with who and when).")
@as_option
@passphrase_option
def override_command(
    project: Path | None,
    db_url: str | None,
    patient: str,
    type_: str | None,
    difficulty: str | None,
    rationale: str,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Record the clinician's type/difficulty decision; the suggestion stays visible."""
    from coder.app import profiles

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        if coder is None:
            raise CoderError("say who decides: --as NAME")
        saved = profiles.set_override(db, coder, patient, type_, difficulty, rationale)
    click.echo(
        f"Recorded for {patient}: type {saved.type or '(unchanged)'}, difficulty "
        f"{saved.difficulty or '(unchanged)'} by {saved.who}"
    )


def _therapists(
    project: Path | None,
    db_url: str | None,
    rater: str | None,
    consensus: bool,
    scheme_key: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    from coder.app import profiles

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        found = profiles.therapist_summaries(
            db, rater=rater, consensus=consensus, coder=coder, scheme_key=scheme_key
        )
    if as_json:
        emit_json([t.to_dict() for t in found])
        return
    click.echo(
        f"{'therapist':<20}{'patients':>9}{'sessions':>9}{'coded':>11}{'rupture %':>10}"
        f"{'W segs':>7}{'C segs':>7}{'resolved':>9}"
    )
    for t in found:
        share = f"{t.rupture_share:.0%}" if t.rupture_share is not None else "—"
        click.echo(
            f"{t.therapist:<20}{len(t.patients):>9}{t.n_sessions:>9}"
            f"{t.coverage.short():>11}"
            f"{share:>10}{t.withdrawal_segments:>7}{t.confrontation_segments:>7}"
            f"{_fmt(t.mean_resolution_rate):>9}"
        )
        for rating, value in sorted(t.therapist_ratings.items()):
            click.echo(f"{'':<20}therapist-side {rating}: {_fmt(value)}")
    click.echo("coded = coded / all segments; the rupture share is over coded segments.")
