"""Command-line interface: a thin shell over :mod:`coder.app`.

Every command parses options, calls one service and prints. Errors a user can fix
(:class:`CoderError`, bad options) print one line on stderr and exit with status 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import click

from coder.commands import (
    audit,
    backup,
    codes,
    info,
    init,
    irr,
    package,
    patients,
    profile,
    project,
    raters,
    report,
    rounds,
    schemes,
    screen,
    transcripts,
)
from coder.commands.common import (
    EXIT_ERROR,
    db_option,
    passphrase_option,
    project_option,
    read_passphrase,
)
from coder.commands.exchange import import_qdpx_command
from coder.commands.export import export_command
from coder.domain.errors import CoderError

# Imports of coder.app (the database, statistics, reports) happen inside the commands,
# so `coder --help` and `coder info` start fast (tests/test_cli_startup.py).


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
        sys.exit(desktop().launch())
    if ctx.invoked_subcommand != "gui":
        # Exit fast: the interpreter's last garbage collections walk every object the
        # imports made (SQLAlchemy's alone: ~0.1 s of CPU, a fifth of `coder info`).
        # Freezing them at exit skips that walk; closing the database, flushing output
        # and the other exit handlers do not depend on it. Not for the desktop app,
        # whose Qt objects are left to their usual teardown.
        atexit.unregister(gc.freeze)  # once, however often main() runs in one process
        atexit.register(gc.freeze)


def desktop() -> ModuleType:
    """:mod:`coder.ui.launch`, imported with the garbage collector paused.

    The desktop's imports (Qt, SQLAlchemy, the windows) make ~65,000 objects that live as
    long as the process; collecting again and again while they are made cost ~50 ms CPU
    of every start. They are then frozen out of later collections (never walked again:
    shorter pauses while the window runs) before the collector resumes."""
    gc.disable()
    try:
        from coder.ui import launch
    finally:
        gc.freeze()
        gc.enable()
    return launch


# The desktop app's two doors (the group above, and `coder gui`) stay here: coder.cli is the
# one layer above coder.ui, and no coder.commands module may import it (import-linter).
@click.command(name="gui")
@project_option
@db_option
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
def gui_command(
    project: Path | None,
    db_url: str | None,
    rater: str | None,
    passphrase_file: Path | None,
    open_session: str | None,
    screenshot: Path | None,
) -> None:
    """Open the desktop app (on PROJECT or --db URL, or the default demo project)."""
    launch = desktop().launch
    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    sys.exit(
        launch(
            project=project,
            db_url=db_url,
            screenshot=screenshot,
            rater=rater,
            open_session=open_session,
            passphrase=passphrase,
        )
    )


# ---- the commands (each defined in its coder.commands module) ----------------------------
cli.add_command(gui_command)
cli.add_command(init.init_command)
cli.add_command(info.info_command)
cli.add_command(schemes.schemes_group)
cli.add_command(raters.raters_group)
cli.add_command(transcripts.import_command)
cli.add_command(transcripts.transcript_group)
cli.add_command(codes.codes_group)
cli.add_command(package.package_group)
cli.add_command(export_command)
cli.add_command(import_qdpx_command)
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
cli.add_command(audit.audit_command)


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
