"""``coder irr``: inter-rater reliability, from a ratings table or from a project.

``coder irr --ratings FILE --level LEVEL`` reads a units x raters CSV (see
:mod:`coder.io.ratings_table`) and prints every statistic of
:func:`coder.stats.reliability.reliability_report`. ``coder irr --spans FILE`` reads
units that raters placed on one continuum (:mod:`coder.io.spans_table`) and prints
Krippendorff's unitizing alpha per category (:mod:`coder.stats.unitizing`). Without
``--ratings`` or ``--spans`` the project options go to
``coder.app.reliability.compute``, which reads the codings; with ``--docx FILE`` the
project form writes the Word report instead
(``coder.app.reports.export_reliability_report``).
"""

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
from coder.domain.errors import CoderError

# coder.stats.result.LEVELS, spelled out: importing the statistics package for a choice
# list cost every command's start-up (tests/test_cli_startup.py checks they agree).
LEVELS = ("nominal", "ordinal", "interval", "ratio")

if TYPE_CHECKING:  # imported where used, so `coder --help` starts fast
    from coder.io.ratings_table import RatingsTable
    from coder.io.spans_table import SpansTable
    from coder.stats.reliability import ReliabilityReport, Stat
    from coder.stats.unitizing import UnitizingAlpha


FORMATS = ("table", "csv", "json")


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if not all(parts):
        raise click.BadParameter("an empty name in the comma-separated list")
    return parts


@click.command(name="irr")
@click.option(
    "--ratings",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A ratings table: unit id, then one column per rater (empty cell = missing).",
)
@click.option(
    "--spans",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A spans table: rater,begin,length,category (Krippendorff's unitizing alpha).",
)
@click.option(
    "--continuum",
    metavar="BEGIN,END",
    help="The continuum of --spans (default: smallest begin to largest end).",
)
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    help="Level of measurement of the ratings (required with --ratings).",
)
@click.option("--categories", metavar="A,B,C", help="All categories, e.g. 0,1 (in order).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for 95% CIs (0 = none).",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Bootstrap seed.")
@project_option
@db_option
@click.option("--scheme", metavar="ID", help="Scheme (project form).")
@click.option("--raters", "rater_names", metavar="A,B", help="Raters to compare (project form).")
@click.option("--round", "round_number", type=int, help="Coding round (project form).")
@click.option(
    "--sessions",
    "session_names",
    metavar="P01,P02/3",
    help="Only these patients (all their sessions) or sessions (project form).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--docx",
    "docx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Word report to this .docx file instead of printing (project form).",
)
@as_option
@passphrase_option
def irr_command(
    ratings: Path | None,
    spans: Path | None,
    continuum: str | None,
    level: str | None,
    categories: str | None,
    as_json: bool,
    bootstrap: int,
    seed: int,
    project: Path | None,
    db_url: str | None,
    scheme: str | None,
    rater_names: str | None,
    round_number: int | None,
    fmt: str,
    as_name: str | None,
    passphrase_file: Path | None,
    session_names: str | None,
    docx_path: Path | None,
) -> None:
    """Inter-rater reliability: kappa, alpha, AC1, PABAK and ICC with 95% CIs.

    Either --ratings FILE --level LEVEL (a units x raters CSV), --spans FILE (units
    raters placed on one continuum: Krippendorff's unitizing alpha per category), or a
    project (--project/--db with --scheme, --raters, --round; --docx FILE writes the Word
    report). See docs/reliability.md.
    """
    from coder.io.ratings_table import read_ratings_table

    if as_json:
        fmt = "json"
    if continuum is not None and spans is None:
        raise click.UsageError("--continuum goes with --spans FILE")
    if spans is not None:
        if (
            ratings or level or categories or project or db_url or scheme or rater_names
            or session_names or docx_path or round_number is not None
        ):  # fmt: skip
            raise click.UsageError(
                "--spans reads a spans table; --ratings, --level, --categories and the "
                "project options do not go with it"
            )
        _spans(spans, continuum, fmt)
        return
    if ratings is None:
        if level is not None or categories is not None:
            raise click.UsageError("--level and --categories go with --ratings FILE")
        names = tuple(_split(rater_names) or ()) or None
        if docx_path is not None:
            _write_docx(
                docx_path, project, db_url, scheme, names, round_number,
                _split(session_names), bootstrap, seed, as_name, passphrase_file,
            )  # fmt: skip
            return
        text = _project_table(
            project, db_url, scheme, names, round_number, fmt, bootstrap, seed, as_name,
            passphrase_file, _split(session_names),
        )  # fmt: skip
        click.echo(text.rstrip("\n"))
        return
    if (
        project or db_url or scheme or rater_names or session_names or docx_path
        or round_number is not None
    ):  # fmt: skip
        raise click.UsageError(
            "--ratings reads a table file; --project, --db, --scheme, --raters, --round, "
            "--sessions and --docx are for the project form"
        )
    if level is None:
        raise click.UsageError("--level is required with --ratings")
    table = read_ratings_table(ratings, level, _split(categories))
    report = _compute(table, level, bootstrap, seed)
    if fmt == "json":
        emit_json(report.as_dict())
    elif fmt == "csv":
        from coder.app.reliability_format import report_csv

        click.echo(report_csv(report), nl=False)
    else:
        click.echo(_as_table(table, report))


def _project_table(
    project: Path | None,
    db_url: str | None,
    scheme: str | None,
    raters: tuple[str, ...] | None,
    round_number: int | None,
    fmt: str,
    bootstrap: int,
    seed: int,
    as_name: str | None,
    passphrase_file: Path | None,
    sessions: list[str] | None,
) -> str:
    """What ``coder irr --project ...`` prints: the project's table as text, CSV or JSON."""
    from coder.app import reliability, reliability_format

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        table = reliability.compute(
            db, coder, scheme_key=scheme, raters=raters, round_number=round_number,
            sessions=sessions, bootstrap=bootstrap, seed=seed,
        )  # fmt: skip
    if fmt == "json":
        return reliability_format.as_json(table)
    if fmt == "csv":
        return reliability_format.as_csv(table)
    return reliability_format.as_text(table)


def _write_docx(
    path: Path,
    project: Path | None,
    db_url: str | None,
    scheme: str | None,
    raters: tuple[str, ...] | None,
    round_number: int | None,
    sessions: list[str] | None,
    bootstrap: int,
    seed: int,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    from coder.app import reports

    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        written = reports.export_reliability_report(
            db, coder, path, scheme_key=scheme, raters=raters, round_number=round_number,
            sessions=sessions, bootstrap=bootstrap, seed=seed,
        )  # fmt: skip
    click.echo(f"Wrote {written}")


def _compute(table: RatingsTable, level: str, bootstrap: int, seed: int) -> ReliabilityReport:
    from coder.stats.reliability import reliability_report

    try:
        return reliability_report(
            table.matrix,
            level,  # type: ignore[arg-type]  # checked by click.Choice
            categories=table.categories,
            bootstrap=bootstrap,
            seed=seed,
        )
    except ValueError as exc:  # inconsistent categories: a problem with the input
        raise CoderError(str(exc), path=table.path) from None


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _band(key: str, stat: Stat) -> str:
    from coder.stats.reliability import interpret, interpret_all

    if stat.value is None:
        return ""
    if key.startswith("ICC"):
        return "; ".join(f"{label}, {source}" for label, source in interpret_all(key, stat.value))
    label, source = interpret(key, stat.value)
    return f"{label}, {source}" if source and key != "percent_agreement" else label


def _as_table(table: RatingsTable, report: ReliabilityReport) -> str:
    from coder.app.reliability_format import report_lines
    from coder.stats.reliability import BOOTSTRAP_HOW

    head = (
        f"{table.path}: {report.n_units} units x {report.n_raters} raters "
        f"({', '.join(table.raters)}), level {report.level}"
    )
    lines = [head, ""]
    lines.append(f"{'statistic':<32} {'value':>7}  {'95% CI':<17} {'n':>6}  interpretation")
    notes: list[str] = []
    for key, title, stat in report_lines(report):
        ci = f"[{stat.ci95[0]:.3f}, {stat.ci95[1]:.3f}]" if stat.ci95 else "-"
        band = _band(key, stat)
        if stat.note:
            if stat.note not in notes:
                notes.append(stat.note)
            band = f"{band} [{notes.index(stat.note) + 1}]".strip()
        lines.append(f"{title:<32} {_fmt(stat.value):>7}  {ci:<17} {stat.n_units:>6}  {band}")
    lines.append("")
    if report.bootstrap:
        lines.append(
            f"{BOOTSTRAP_HOW} {report.bootstrap} resamples, seed {report.seed}. "
            "ICC: F-based CIs (Shrout & Fleiss 1979; McGraw & Wong 1996)."
        )
    else:
        lines.append("No bootstrap CIs (--bootstrap 0). ICC: F-based CIs.")
    lines += [f"[{i}] {note}" for i, note in enumerate(notes, start=1)]
    return "\n".join(lines)


# ---- --spans: Krippendorff's unitizing alpha ------------------------------------------------
def _spans(path: Path, continuum: str | None, fmt: str) -> None:
    from coder.io.spans_table import parse_continuum, read_spans_table
    from coder.stats.unitizing import Continuum, unitizing_alpha

    table = read_spans_table(path, parse_continuum(continuum) if continuum else None)
    results = {
        category: unitizing_alpha(
            [Continuum(table.begin, table.end, table.units(category))], len(table.raters)
        )
        for category in table.categories
    }
    if fmt == "json":
        emit_json(
            {
                "u_alpha": {c: r.as_dict() for c, r in results.items()},
                "n_raters": len(table.raters),
            }
        )
    elif fmt == "csv":
        from coder.app.reliability_format import spans_csv

        click.echo(spans_csv(results), nl=False)
    else:
        click.echo(_spans_text(table, results))


def _spans_text(table: SpansTable, results: dict[str, UnitizingAlpha]) -> str:
    lines = [
        f"{table.path}: {len(table.rows)} units by {len(table.raters)} raters "
        f"({', '.join(table.raters)}) on the continuum {table.begin},{table.end} "
        f"(length {table.end - table.begin})",
        "",
        f"{'category':<16} {'u-alpha':>8} {'D_o':>10} {'D_e':>10} {'units':>6}  interpretation",
    ]
    notes: list[str] = []
    for category, r in results.items():
        band = _band("u_alpha", r.stat)
        if r.stat.note:
            if r.stat.note not in notes:
                notes.append(r.stat.note)
            band = f"{band} [{notes.index(r.stat.note) + 1}]".strip()
        d_o = "-" if r.d_o is None else f"{r.d_o:.4f}"
        d_e = "-" if r.d_e is None else f"{r.d_e:.4f}"
        lines.append(
            f"{category:<16} {_fmt(r.stat.value):>8} {d_o:>10} {d_e:>10} {r.n_marked:>6}  {band}"
        )
    lines += ["", HOW_U_ALPHA]
    lines += [f"[{i}] {note}" for i, note in enumerate(notes, start=1)]
    return "\n".join(lines)


HOW_U_ALPHA = (
    "Krippendorff's unitizing alpha per category, over the characters (positions) of the "
    "continuum: gaps count, so a unit one rater marked inside another's gap is a "
    "disagreement (Krippendorff 1995; 2004). One continuum: no bootstrap CI."
)
