"""``coder import`` and ``coder transcript show``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder.commands.common import (
    EXIT_ERROR,
    as_option,
    db_option,
    emit_json,
    format_ms,
    opened,
    passphrase_option,
    project_option,
    sign_in_as,
)
from coder.domain.errors import CoderError, file_error
from coder.domain.project import MAX_NUMBER

if TYPE_CHECKING:  # imported where used: it loads hashing and the transcript model
    from coder.domain.redaction import Redactor

# coder.io.transcripts.model.FORMATS, spelled out: that package loads python-docx, which
# `coder --help` must not (tests/test_cli_startup.py checks that the two agree).
FORMATS = ("auto", "docx", "txt", "vtt", "srt", "csv")


def _redactor(path: Path | None) -> Redactor | None:
    from coder.domain.redaction import Redactor

    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise file_error(exc, path, writing=False, what="names list") from None
    except UnicodeDecodeError:
        raise CoderError("names list is not UTF-8 text", path=path) from None
    return Redactor.from_lines(lines)


@click.command(name="import")
@project_option
@db_option
@click.option("--patient", help="Patient code for all FILES.")
@click.option("--session", type=click.IntRange(0, MAX_NUMBER), help="Session number (single file).")
@click.option("--pattern", help='File-name pattern, e.g. "{patient}_S{session}" ("*" = anything).')
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--roles", help='Confirm or override speaker roles, e.g. "C=therapist,S=patient".')
@click.option(
    "--strict-roles", is_flag=True, help="Fail a file whose speakers are not all confirmed."
)
@click.option(
    "--redact",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Text file of names (one per line) to replace with placeholders.",
)
@click.option(
    "--columns", help="CSV column mapping, e.g. speaker=who,text=utterance,start=t,session=id."
)
@click.option("--keep-cues", is_flag=True, help="Keep each subtitle cue/CSV row as its own turn.")
@click.option(
    "--untimed",
    type=click.Choice(["words", "turns"]),
    default="words",
    show_default=True,
    help="Without timestamps: estimate windows from word counts, or use turn blocks.",
)
@click.option(
    "--replace", is_flag=True, help="Replace a session's existing transcript (if uncoded)."
)
@as_option
@passphrase_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_command(
    project: Path | None,
    db_url: str | None,
    patient: str | None,
    session: int | None,
    pattern: str | None,
    fmt: str,
    roles: str | None,
    strict_roles: bool,
    redact: Path | None,
    columns: str | None,
    keep_cues: bool,
    untimed: str,
    replace: bool,
    as_name: str | None,
    passphrase_file: Path | None,
    files: tuple[Path, ...],
) -> None:
    """Import transcript FILES (docx, txt, vtt, srt, csv); one transaction per file."""
    from coder.app import importing
    from coder.io.transcripts import ReadOptions

    options = importing.ImportOptions(
        patient=patient,
        session=session,
        pattern=pattern,
        read=ReadOptions(
            fmt=fmt,
            merge_cues=not keep_cues,
            columns=importing.parse_columns(columns) if columns else None,
        ),
        roles=importing.parse_role_map(roles) if roles else {},
        strict_roles=strict_roles,
        redactor=_redactor(redact),
        replace=replace,
        untimed=untimed,
    )
    with opened(project, db_url) as db:
        # Signed in only to name the importer in the audit trail: importing itself is
        # open to anyone who can open the project.
        coder = sign_in_as(db, as_name, passphrase_file)
        report = importing.import_files(db, list(files), options, actor=coder)
    for result in report.files:
        if not result.ok:
            click.echo(f"FAILED {result.error}", err=True)
            continue
        click.echo(f"{result.path}:")
        for s in result.sessions:
            unit = "estimated segments" if s.estimated else "segments"
            label = f" ({s.label})" if s.label else ""
            click.echo(
                f"  patient {s.patient} session {s.session}{label}: {s.turns} turns, "
                f"{s.segments} {unit}, encoding {s.encoding or 'n/a'}"
            )
            if len(result.sessions) <= 10 or s is result.sessions[0]:
                for sp in s.speakers:
                    state = "" if sp.confirmed else f"  <- {sp.reason}; confirm with --roles"
                    click.echo(f"    speaker {sp.label!r} = {sp.role.value}{state}")
                for warning in s.warnings:
                    click.echo(f"    warning: {warning}")
    failed = len(report.failed)
    click.echo(
        f"Total: {len(report.files)} files, {report.sessions} sessions, "
        f"{report.turns} turns imported; {failed} failed"
    )
    if failed:
        sys.exit(EXIT_ERROR)


@click.group(name="transcript")
def transcript_group() -> None:
    """Show stored transcripts."""


@transcript_group.command(name="show")
@project_option
@db_option
@click.option("--patient", required=True)
@click.option("--session", "number", required=True, type=click.IntRange(0, MAX_NUMBER))
@click.option("--scheme", "scheme_key", help="Scheme whose segments to show (default scheme).")
@click.option("--json", "as_json", is_flag=True)
def transcript_show(
    project: Path | None,
    db_url: str | None,
    patient: str,
    number: int,
    scheme_key: str | None,
    as_json: bool,
) -> None:
    """Print a session's turns and segments (indexes are 1-based)."""
    from coder.app import browse

    with opened(project, db_url) as db:
        transcript = browse.load_transcript(db, patient, number)
        segments = browse.load_segments(db, patient, number, scheme_key)
    if as_json:
        emit_json(
            {
                "patient": patient,
                "session": number,
                "turns": [
                    {
                        "index": t.index,
                        "speaker": t.speaker,
                        "role": t.role.value,
                        "start_ms": t.start_ms,
                        "end_ms": t.end_ms,
                        "text": t.text,
                    }
                    for t in transcript.turns
                ],
                "segments": [
                    {
                        "index": s.index,
                        "start_ms": s.start_ms,
                        "end_ms": s.end_ms,
                        "first_turn": s.first_turn,
                        "last_turn": s.last_turn,
                        "estimated": s.estimated,
                    }
                    for s in segments
                ],
            }
        )
        return
    starts = {s.first_turn: s for s in segments}
    for t in transcript.turns:
        seg = starts.get(t.index)
        if seg is not None:
            approx = "~" if seg.estimated else ""
            click.echo(
                f"--- segment {seg.index} ({approx}{format_ms(seg.start_ms)}"
                f"-{approx}{format_ms(seg.end_ms)}) ---"
            )
        click.echo(f"{t.index:>4} {format_ms(t.start_ms)} {t.speaker} [{t.role.value}]: {t.text}")
