"""``coder schemes``: built-in and project schemes; validating scheme files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coder.commands.common import EXIT_ERROR, db_option, emit_json, opened, project_option


@click.group(name="schemes")
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
