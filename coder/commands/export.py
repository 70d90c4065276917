"""``coder export``: analysis-ready CSV files with an optional data dictionary, and the
REFI-QDA exchange files (``qdpx``, ``qdc``) for other QDA programs (docs/exchange.md)."""

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
from coder.domain.errors import CoderError

# Spelled out so `coder --help` need not import the exporters (a test checks they agree).
CSV_FORMATS = ("csv-long", "csv-wide", "csv-sessions", "csv-codebook")
QDA_FORMATS = (
    "qdpx",
    "qdc",
)  # REFI-QDA project and codebook (coder.app.exchange_export, exchange_codebook)
FORMATS = CSV_FORMATS + QDA_FORMATS


@click.command(name="export")
@project_option
@db_option
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(FORMATS),
    help="csv-long: one row per code; csv-wide: session x segment x rater, a column per "
    "code and rating; csv-sessions: session x rater summary; csv-codebook: the scheme; "
    "qdpx: a REFI-QDA project (transcripts and codes) for ATLAS.ti, MAXQDA, NVivo, "
    "QualCoder; qdc: the schemes as a REFI-QDA codebook.",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="File to write.")
@click.option("--rater", help="Only this rater's codes (named exactly).")
@click.option("--consensus", is_flag=True, help="Only the consensus codes.")
@click.option("--round", "round_number", type=int, help="Only codes made in round N.")
@click.option(
    "--scheme",
    "scheme_key",
    help="Scheme of csv-wide / csv-sessions (default: the project's); csv-long and the "
    "codebook: only this scheme (default: every scheme).",
)
@click.option(
    "--with-dictionary", is_flag=True, help="Also write FILE.dictionary.csv describing the columns."
)
@click.option("--excel", is_flag=True, help="UTF-8 with a byte-order mark, for Excel.")
@as_option
@passphrase_option
def export_command(
    project: Path | None,
    db_url: str | None,
    fmt: str,
    out: Path,
    rater: str | None,
    consensus: bool,
    round_number: int | None,
    scheme_key: str | None,
    with_dictionary: bool,
    excel: bool,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Export codes for R, SPSS or Excel (written atomically; see docs/exporting.md).

    Blinding applies: a blinded rater (--as NAME) exports only their own codes; in a
    project with a lead, say who you are with --as.
    """
    if rater and consensus:
        raise CoderError("give either --rater or --consensus, not both")
    if fmt in QDA_FORMATS:
        if with_dictionary or excel:
            raise CoderError("--with-dictionary and --excel are for the CSV formats")
        _export_qda(
            project, db_url, fmt, out, rater, consensus, round_number, scheme_key, as_name,
            passphrase_file,
        )  # fmt: skip
        return
    from coder.app import export as exporting

    options = exporting.ExportOptions(
        format=exporting.ExportFormat(fmt),
        rater=rater,
        consensus=consensus,
        round=round_number,
        scheme=scheme_key,
        with_dictionary=with_dictionary,
        excel=excel,
    )
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        result = exporting.export(db, out, options, coder=coder)
    click.echo(f"Wrote {result.rows} rows to {result.path}")
    if result.dictionary is not None:
        click.echo(f"Wrote the data dictionary to {result.dictionary}")


def _export_qda(
    project: Path | None,
    db_url: str | None,
    fmt: str,
    out: Path,
    rater: str | None,
    consensus: bool,
    round_number: int | None,
    scheme_key: str | None,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    from coder.app import exchange_codebook, exchange_export
    from coder.app.export import ExportOptions

    with opened(project, db_url) as db:
        if fmt == "qdc":
            exchange_codebook.export_qdc(db, out, scheme_key)
            click.echo(f"Wrote the codebook to {out}")
            return
        coder = sign_in_as(db, as_name, passphrase_file)
        options = ExportOptions(
            rater=rater, consensus=consensus, round=round_number, scheme=scheme_key
        )
        result = exchange_export.export_qdpx(db, out, options, coder=coder)
    click.echo(
        f"Wrote {result.codings} codings by {result.users} raters on {result.sources} "
        f"transcripts to {out}"
    )
