"""Command-line interface: a thin shell over :mod:`coder.app`.

Every command parses options, calls one service and prints. Errors a user can fix
(:class:`CoderError`, bad options) print one line on stderr and exit with status 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from coder.commands import (
    audit,
    backup,
    codes,
    irr,
    patients,
    profile,
    project,
    report,
    rounds,
    screen,
    transcripts,
)
from coder.commands.common import (
    EXIT_ERROR,
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
from coder.commands.export import export_command
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole

# Imports of coder.app (the database, statistics, reports) happen inside the commands,
# so `coder --help` and `coder info` start fast (tests/test_cli_startup.py). These two
# constants are spelled out for the same reason; the test checks they agree with
# coder.app.projects.DEFAULT_SCHEME and coder.app.identity.MIN_PIN.
DEFAULT_SCHEME = "3rs-2015"
MIN_PIN = 4

# An encrypted project's passphrase: long enough that guessing it offline is hopeless
# (SQLCipher derives the key with 256,000 PBKDF2 rounds, which slows but cannot save a
# short one).
MIN_KEY_LENGTH = 10


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the version is looked up only when asked (coder.__version__ reads
    the installed package's metadata, which every other start-up would pay for)."""
    if not value or ctx.resilient_parsing:
        return
    from coder import __version__

    click.echo(f"coder {__version__}")
    ctx.exit()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.option(
    "--selftest",
    is_flag=True,
    help="Check this installation headless (temporary project, every sample format, "
    "coding, reliability, reports, export, main window offscreen); exit 0 if all worked.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, selftest: bool) -> None:
    """Rupture Coder: code alliance ruptures in psychotherapy transcripts.

    Run without a command to open the desktop app on your default project.
    """
    if selftest:
        if ctx.invoked_subcommand is not None:
            raise click.UsageError("--selftest runs alone, without a command")
        from coder.ui import selftest as ui_selftest

        sys.exit(ui_selftest.run(debug=debug))
    if ctx.invoked_subcommand is None:
        from coder.ui.launch import launch

        sys.exit(launch())


@cli.command()
@project_option
@click.option(
    "--rater",
    help="Open as this rater, named exactly (skips choosing in the sign-in dialog; a lead "
    "or a rater with a PIN gives it with --passphrase-file, else the dialog asks for it).",
)
@passphrase_option
@click.option(
    "--open", "open_session", metavar="PATIENT/SESSION", help="Open this session, e.g. P01/2."
)
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render the main window to this PNG file and exit (works offscreen).",
)
def gui(
    project: Path | None,
    rater: str | None,
    passphrase_file: Path | None,
    open_session: str | None,
    screenshot: Path | None,
) -> None:
    """Open the desktop app (on PROJECT, or the default demo project)."""
    from coder.ui.launch import launch

    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    sys.exit(
        launch(
            project=project,
            screenshot=screenshot,
            rater=rater,
            open_session=open_session,
            passphrase=passphrase,
        )
    )


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Create the project in this database instead of a file (e.g. "
    "postgresql+psycopg://lead@server/lab, an empty database). Default: $CODER_DB_URL.",
)
@click.option(
    "--scheme",
    "scheme_ids",
    multiple=True,
    metavar="ID",
    help=f"Built-in scheme to add (repeatable; first is the default). Default: {DEFAULT_SCHEME}.",
)
@click.option("--name", help="Project name (default: the file name).")
@click.option(
    "--encrypt",
    is_flag=True,
    help="Encrypt the project file (SQLCipher) with a passphrase: typed twice at a "
    "terminal, or read with --passphrase-file. Without it the file cannot be opened.",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --encrypt: the file holding the new project's passphrase.",
)
def init(
    path: Path | None,
    db_url: str | None,
    scheme_ids: tuple[str, ...],
    name: str | None,
    encrypt: bool,
    passphrase_file: Path | None,
) -> None:
    """Create a new project: a file at PATH, or in a database server with --db URL."""
    from coder.app import projects
    from coder.store.database import ENV_URL

    chosen_ids = scheme_ids or (projects.DEFAULT_SCHEME,)
    if path is not None and db_url:
        raise click.UsageError("give either a file PATH or --db URL, not both")
    url = db_url or (None if path is not None else os.environ.get(ENV_URL))
    if path is None and not url:
        raise click.UsageError("give a file PATH, or --db URL (or set CODER_DB_URL)")
    if passphrase_file is not None and not encrypt:
        raise click.UsageError("--passphrase-file is for --encrypt")
    if encrypt and url:
        raise click.UsageError(
            "--encrypt is for a project file; on a server use its TLS and disk encryption"
        )
    if url:
        db = projects.create_project(url, name=name, scheme_ids=chosen_ids, is_url=True)
        where = projects.describe(url)
    else:
        assert path is not None
        key = None
        if encrypt:
            if not projects.encryption_available():
                raise CoderError(
                    "encryption needs SQLCipher: pip install 'rupture-coder[encryption]'"
                )
            key = read_secret(
                passphrase_file,
                "Passphrase for the new project",
                "--encrypt needs a passphrase: give --passphrase-file FILE",
                confirm=True,
            )
            if len(key) < MIN_KEY_LENGTH:
                raise CoderError(
                    f"the passphrase is too short: use at least {MIN_KEY_LENGTH} characters"
                )
        db = projects.create_project(path, name=name, scheme_ids=chosen_ids, key=key)
        where = str(path) + (" (encrypted)" if key else "")
    db.close()
    click.echo(f"Created project {where} with scheme(s) {', '.join(chosen_ids)}")


@cli.command()
@project_option
@db_option
@as_option
@passphrase_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def info(
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


# ---- schemes -------------------------------------------------------------------------
@cli.group(name="schemes")
def schemes_group() -> None:
    """List, show and validate coding schemes."""


@schemes_group.command(name="list")
@project_option
@db_option
def schemes_list(project: Path | None, db_url: str | None) -> None:
    """Built-in schemes, or the schemes stored in a project."""
    from coder.app import schemes

    if project or db_url:
        with opened(project, db_url) as db:
            for s in schemes.project_schemes(db):
                mark = "  (default)" if s.is_default else ""
                click.echo(f"{s.key:<22} v{s.version:<10} rev {s.revision}  {s.name}{mark}")
        return
    for scheme, path in schemes.list_builtin():
        n_codes = sum(1 for _ in scheme.codes())
        click.echo(
            f"{scheme.id:<22} v{scheme.version:<10} {n_codes:>3} codes  "
            f"{len(scheme.ratings):>2} ratings  {scheme.name}  [{path.name}]"
        )


@schemes_group.command(name="show")
@click.argument("scheme_id")
@click.option("--json", "as_json", is_flag=True, help="Print codes and ratings as JSON.")
def schemes_show(scheme_id: str, as_json: bool) -> None:
    """Show a built-in scheme's codes, ratings, stages and hotkeys."""
    from coder.app import schemes

    scheme, _, source = schemes.find_builtin(scheme_id)
    if as_json:
        emit_json(
            {
                "id": scheme.id,
                "version": scheme.version,
                "name": scheme.name,
                "content_hash": scheme.content_hash,
                "source": source,
                "codes": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "group": c.group_id,
                        "family": c.family.value,
                        "hotkey": c.hotkey,
                    }
                    for c in scheme.codes()
                ],
                "ratings": [
                    {
                        "id": r.id,
                        "label": r.label,
                        "scope": r.scope.value,
                        "min": r.scale.min,
                        "max": r.scale.max,
                    }
                    for r in scheme.ratings
                ],
                "stages": [
                    {"id": s.id, "pathway": p.id, "order": s.order, "name": s.name}
                    for p in scheme.pathways
                    for s in p.stages
                ],
            }
        )
        return
    click.echo(f"{scheme.name}\n{scheme.id} v{scheme.version}  hash {scheme.content_hash[:12]}")
    if scheme.citation:
        click.echo(f"Citation: {scheme.citation}")
    rule = scheme.segmentation
    click.echo(
        f"Segmentation: {rule.mode.value}"
        + (f", {rule.window_s} s windows" if rule.mode.value == "time_window" else "")
    )
    for group in scheme.groups:
        click.echo(f"\n[{group.id}] {group.label} ({group.scope.value})")
        for code in group.codes:
            key = f"[{code.hotkey}]" if code.hotkey else ""
            click.echo(f"  {code.id:<8}{key:<10}{code.name}")
    if scheme.ratings:
        click.echo("\nRatings")
        for r in scheme.ratings:
            click.echo(f"  {r.id:<12}{r.scope.value:<9}{r.scale.min}-{r.scale.max}  {r.label}")
    for pathway in scheme.pathways:
        click.echo(f"\nPathway [{pathway.id}] {pathway.label}")
        for stage in pathway.stages:
            key = f"[{stage.hotkey}]" if stage.hotkey else ""
            click.echo(f"  {stage.order}. {stage.id:<6}{key:<6}{stage.name}")


@schemes_group.command(name="validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def schemes_validate(files: tuple[Path, ...]) -> None:
    """Validate scheme files; print every problem with file and line."""
    from coder.app import schemes

    failed = False
    for result in schemes.validate_files(files):
        if result.scheme is not None:
            click.echo(
                f"{result.path}: ok ({result.scheme.label}, hash {result.scheme.content_hash[:12]})"
            )
        else:
            failed = True
            for problem in result.problems:
                click.echo(problem, err=True)
    if failed:
        sys.exit(EXIT_ERROR)


# ---- raters --------------------------------------------------------------------------
@cli.group(name="raters")
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


# ---- project settings ----------------------------------------------------------------
cli.add_command(transcripts.import_command)
cli.add_command(transcripts.transcript_group)
cli.add_command(codes.codes_group)
cli.add_command(export_command)
cli.add_command(irr.irr_command)
cli.add_command(profile.profile_command)
cli.add_command(profile.intake_group)
cli.add_command(profile.override_command)
cli.add_command(report.report_command)
cli.add_command(patients.patients_group)
cli.add_command(rounds.rounds_group)
cli.add_command(project.project_group)
cli.add_command(backup.backup_command)
cli.add_command(backup.restore_command)
cli.add_command(screen.screen_group)


# ---- entry point ---------------------------------------------------------------------
def fail(message: str) -> NoReturn:
    click.echo(f"coder: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every user-fixable error into one line and exit status 2."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="coder", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted")
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message(), err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        if debug:
            raise
        fail(exc.format_message())
    except CoderError as exc:
        if debug:
            raise
        fail(str(exc))
    except OSError as exc:
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        fail("interrupted")
    except Exception as exc:  # a bug: still one line, but say how to see more
        if debug:
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
    sys.exit(0)


cli.add_command(audit.audit_command)
