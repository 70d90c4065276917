"""``coder report``: a patient's Word report (and optionally the plot files)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from coder.commands.common import (
    as_option,
    db_option,
    opened,
    passphrase_option,
    profile_source_options,
    project_option,
    sign_in_as,
)
from coder.domain.errors import CoderError

# coder.app.reports.PLOT_FORMATS, spelled out: that module loads matplotlib, which
# `coder --help` must not (tests/test_cli_startup.py checks that the two agree).
PLOT_FORMATS = ("png", "svg")


@click.command(name="report")
@project_option
@db_option
@click.option("--patient", required=True)
@profile_source_options
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Word file to write (.docx).",
)
@click.option(
    "--plots-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the four plots into this folder.",
)
@click.option(
    "--plot-format",
    type=click.Choice(PLOT_FORMATS),
    default="png",
    show_default=True,
    help="Format of the plot files.",
)
@click.option(
    "--provisional",
    is_flag=True,
    help="Suggest a type even when sessions are not fully coded; labelled provisional.",
)
@as_option
@passphrase_option
def report_command(
    project: Path | None,
    db_url: str | None,
    patient: str,
    rater: str | None,
    consensus: bool,
    scheme_key: str | None,
    rules: Path | None,
    out: Path,
    plots_dir: Path | None,
    plot_format: str,
    provisional: bool,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Write a patient's report: profile tables, plots, intake, formulation, overrides."""
    from coder.app import profiles, reports

    if rater and consensus:
        raise CoderError("give either --rater or --consensus, not both")
    if out.suffix.lower() != reports.REPORT_SUFFIX:
        raise CoderError("the report is a Word file: give --out a .docx name", path=out)
    if plots_dir is not None and not plots_dir.is_dir():
        raise CoderError("folder does not exist", path=plots_dir)
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        report = profiles.build_report(
            db, patient, rater=rater, consensus=consensus, coder=coder, scheme_key=scheme_key,
            rules_path=rules, provisional=provisional,
        )  # fmt: skip
        written = reports.write_report(db, report, out, consensus=consensus)
    click.echo(f"Wrote {written} ({patient}, codes of {report.rater})")
    if plots_dir is not None:
        fmt = cast(reports.PlotFormat, plot_format)
        for path in reports.save_report_plots(report, plots_dir, fmt):
            click.echo(f"Wrote {path}")
