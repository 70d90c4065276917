"""``coder screen train|run|evaluate``: machine pre-screening (docs/screening.md)."""

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

if TYPE_CHECKING:
    from coder.screening.model import Settings


def _sessions(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def _settings(model_type: str) -> Settings:
    """Settings with the chosen model type (a feature set; docs/screening.md, "Another
    model type"); an unknown name is bad input (exit 2), not a traceback."""
    from coder.domain.errors import ValidationError
    from coder.screening.features import feature_set
    from coder.screening.model import Settings

    try:
        feature_set(model_type)
    except ValueError as exc:
        raise ValidationError(f"--model-type: {exc}") from None
    return Settings(features=model_type)


MODEL_TYPE = click.option(
    "--model-type",
    default="tfidf",
    show_default=True,
    help="The model's feature set (tfidf: the baseline; see docs/screening.md).",
)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@click.group(name="screen")
def screen_group() -> None:
    """Train a model on the lab's own codes, store its suggestions as a machine rater, and
    evaluate it as one more rater. Everything runs offline on this computer."""


@screen_group.command(name="train")
@project_option
@db_option
@click.option("--from", "source", required=True, help="'consensus' or RATER[,RATER...]")
@click.option("--scheme", "scheme_key", help="Scheme id (default: the project's default).")
@click.option("--sessions", help="Only these sessions: P01,P02/3 (default: all coded).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@MODEL_TYPE
@as_option
@passphrase_option
def train_command(
    project: Path | None,
    db_url: str | None,
    source: str,
    scheme_key: str | None,
    sessions: str | None,
    out: Path,
    model_type: str,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Fit a model per code on the coded units and write it to --out.

    Codes with fewer than 10 positive units are listed and skipped. Training from the
    consensus or another rater needs a lead in a project with one.
    """
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        from coder.app import screening

        result = screening.train(
            db,
            coder,
            source,
            out,
            scheme_key=scheme_key,
            sessions=_sessions(sessions),
            settings=_settings(model_type),
        )
    click.echo(
        f"Trained on {result.n_sessions} sessions in {result.seconds:.1f} s; "
        f"wrote {out} (model {result.model_hash[:8]})"
    )
    for c in result.trained:
        if "levels" in c:  # an ordinal rating
            click.echo(
                f"  {c['code']:<12} {c['unit']:<8} {c['n_units']:>5} rated units"
                f"  values {', '.join(map(str, c['levels']))} (ordinal)"
            )
            continue
        click.echo(
            f"  {c['code']:<12} {c['unit']:<8} {c['n_positive']:>5} of {c['n_units']:>6} units"
            f"  threshold {c['threshold']:.2f}"
        )
    if result.skipped:
        click.echo("Skipped (too few examples):")
        for s in result.skipped:
            click.echo(f"  {s['code']:<12} {s['reason']}")


@screen_group.command(name="run")
@project_option
@db_option
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path))
@click.option("--sessions", required=True, help="Sessions to screen: P01,P02/3")
@click.option("--name", "machine_name", help="Machine rater's name (default 'Machine · HASH').")
@click.option(
    "--threshold",
    type=float,
    help="Probability at which a code is stored (default: each code's own, chosen in training).",
)
@as_option
@passphrase_option
def run_command(
    project: Path | None,
    db_url: str | None,
    model_path: Path,
    sessions: str,
    machine_name: str | None,
    threshold: float | None,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Store the model's suggestions as the codes of a machine rater, with probabilities.

    A model of another scheme revision, or a damaged file, is refused and nothing is
    written. Needs a lead (--as LEAD --passphrase-file F) in a project with one.
    """
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        from coder.app import screening

        result = screening.run(
            db,
            coder,
            model_path,
            _sessions(sessions) or [],
            as_name=machine_name,
            threshold=threshold,
        )
    click.echo(
        f"Stored {result.codes} suggestions in {result.sessions} sessions as "
        f"{result.rater!r} ({result.seconds:.2f} s)"
    )


@screen_group.command(name="evaluate")
@project_option
@db_option
@click.option("--from", "source", required=True, help="'consensus' or RATER")
@click.option("--scheme", "scheme_key", help="Scheme id (default: the project's default).")
@click.option("--sessions", help="Only these sessions: P01,P02/3.")
@click.option("--folds", default=5, show_default=True, type=int)
@click.option(
    "--group-by",
    type=click.Choice(["patient", "session"]),
    default="patient",
    show_default=True,
    help="Cross-validation groups (sessions when the data hold one patient).",
)
@click.option(
    "--bootstrap",
    default=1000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Resamples (of whole groups) for the 95% intervals; 0 for none.",
)
@click.option("--json", "as_json", is_flag=True)
@MODEL_TYPE
@as_option
@passphrase_option
def evaluate_command(
    project: Path | None,
    db_url: str | None,
    source: str,
    scheme_key: str | None,
    sessions: str | None,
    folds: int,
    group_by: str,
    bootstrap: int,
    as_json: bool,
    model_type: str,
    as_name: str | None,
    passphrase_file: Path | None,
) -> None:
    """Grouped cross-validation: the model as a rater against held-out human codes.

    Each figure of the machine has a 95% interval from resampling whole patients (or
    sessions); "human κ" is the human raters' own agreement on the same units.
    """
    with opened(project, db_url) as db:
        coder = sign_in_as(db, as_name, passphrase_file)
        from coder.app import screening_evaluation

        result = screening_evaluation.evaluate(
            db,
            coder,
            source,
            folds=folds,
            group_by=group_by,
            scheme_key=scheme_key,
            sessions=_sessions(sessions),
            bootstrap=bootstrap,
            settings=_settings(model_type),
        )
    if as_json:
        emit_json(result)
        return
    model = result["model"]
    click.echo(
        f"{model['n_folds']}-fold cross-validation by {model['group_by']} against "
        f"{model['trained_from']} ({model['n_sessions']} sessions)"
    )
    click.echo(f"{'code':<12}{'units':>7}{'pos':>6}  {'kappa [95% CI]':<20}{'alpha':>7}"
               f"{'prec':>6}{'rec':>6}{'AUC':>6}{'human κ':>9}")  # fmt: skip
    for c in result["codes"]:
        click.echo(
            f"{c['code']:<12}{c['n_units']:>7}{c['n_positive']:>6}  "
            f"{_with_ci(c['kappa'], c.get('kappa_ci')):<20}"
            f"{_fmt(c['alpha']):>7}{_fmt(c['precision']):>6}{_fmt(c['recall']):>6}"
            f"{_fmt(c['auc']):>6}{_fmt(c['human_kappa']):>9}"
        )
    if bootstrap:
        click.echo(f"Intervals: {bootstrap} resamples of whole {model['group_by']}s (--json: all).")
    if result["ratings"]:
        click.echo(
            f"{'rating':<12}{'rated':>7}  {'κ quadratic [95% CI]':<22}"
            f"{'α ordinal [95% CI]':<22}{'exact':>7}{'human κ':>9}"
        )
        for r in result["ratings"]:
            click.echo(
                f"{r['rating']:<12}{r['n_units']:>7}  "
                f"{_with_ci(r['weighted_kappa'], r.get('weighted_kappa_ci')):<22}"
                f"{_with_ci(r['alpha_ordinal'], r.get('alpha_ordinal_ci')):<22}"
                f"{_fmt(r['exact_agreement']):>7}{_fmt(r.get('human_weighted_kappa')):>9}"
            )


def _with_ci(value: float | None, ci: list[float] | None) -> str:
    if value is None or not ci:
        return _fmt(value)
    return f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
