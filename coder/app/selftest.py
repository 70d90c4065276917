"""``coder --selftest``: prove that an installed copy works, headless, in seconds.

In a temporary folder: create a project, import the shipped sample transcript of each
format, code two sessions as two raters through :class:`coder.app.coding.CodingSession`
(the service the coding window uses), compute reliability, write the Word reports and
the codes CSV. :mod:`coder.ui.selftest` adds opening and closing the main window
offscreen. Each step prints one line; the first failure stops the run and names the step.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coder.app import demo
from coder.app.resources import resource_dir
from coder.domain.errors import CoderError

if TYPE_CHECKING:
    from coder.app.identity import ActingRater
    from coder.store.database import ProjectDatabase

# Imported by the first step, so that a bundle missing a library (numpy's C code, Qt's
# libraries...) fails as a named step instead of before any step runs.
MODULES = (
    "coder.store.database",
    "coder.app.projects",
    "coder.app.importing",
    "coder.app.coding",
    "coder.app.reliability",
    "coder.app.reports",
    "coder.app.codes",
)

SAMPLE_FORMATS = (".docx", ".txt", ".vtt", ".srt", ".csv")
RATERS = (("Selftest Ada", "SA"), ("Selftest Bo", "SB"))
CODED_SESSIONS = (("P01", 1), ("P02", 1))


@dataclass
class Context:
    """What the steps share: the temporary folder and the open project."""

    folder: Path
    db: ProjectDatabase | None = None
    coders: list[ActingRater] = field(default_factory=list)

    @property
    def project(self) -> ProjectDatabase:
        assert self.db is not None, "no project: the create step did not run"
        return self.db


Step = tuple[str, Callable[[Context], str]]


def sample_files() -> list[Path]:
    """One sample transcript per format at least (all of them: six files)."""
    folder = demo.sample_dir()
    found = sorted(p for p in folder.glob("P0*_S*.*") if p.suffix in SAMPLE_FORMATS)
    missing = set(SAMPLE_FORMATS) - {p.suffix for p in found}
    if missing:
        raise CoderError(f"no sample transcript for {', '.join(sorted(missing))}", path=folder)
    return found


def _modules(ctx: Context) -> str:
    for name in MODULES:
        importlib.import_module(name)
    libraries = [importlib.import_module(n) for n in ("numpy", "pandas", "scipy", "matplotlib")]
    return ", ".join(f"{m.__name__} {getattr(m, '__version__', '?')}" for m in libraries)


def _create(ctx: Context) -> str:
    from coder.app import projects

    path = ctx.folder / "selftest.sqlite"
    ctx.db = projects.create_project(path, name="Self-test", scheme_ids=demo.DEMO_SCHEMES)
    return f"{path.name}, schemes from {resource_dir('schemes')}"


def _import_step(path: Path) -> Step:
    def run(ctx: Context) -> str:
        from coder.app import importing

        options = importing.ImportOptions(pattern="{patient}_S{session}", roles=demo.DEMO_ROLES)
        report = importing.import_files(ctx.project, [path], options)
        if report.failed:
            raise CoderError(str(report.failed[0].error), path=path)
        turns = sum(s.turns for f in report.files for s in f.sessions)
        if turns == 0:
            raise CoderError("no turns imported", path=path)
        return f"{turns} turns"

    return f"import {path.name}", run


def _raters(ctx: Context) -> str:
    from coder.app import identity, raters

    for name, initials in RATERS:
        raters.add_rater(ctx.project, name, initials)
        ctx.coders.append(identity.sign_in(ctx.project, name))
    return ", ".join(c.name for c in ctx.coders)


def _code(ctx: Context) -> str:
    """Two raters mark presence codes segment by segment; they agree most of the time."""
    from coder.app.coding import CodingSession

    total = 0
    for patient, number in CODED_SESSIONS:
        for r, coder in enumerate(ctx.coders):
            cs = CodingSession(ctx.project, coder, patient, number)
            marker_codes = [
                c.id for g in cs.scheme.groups if g.scope.value == "segment" for c in g.codes
            ][:4]
            if not marker_codes:
                raise CoderError(f"scheme {cs.scheme.id} has no segment codes")
            for segment in cs.segments:
                for k, code_id in enumerate(marker_codes):
                    agree = (segment.index + k) % 3 == 0
                    differs = r == 1 and (segment.index + 2 * k) % 5 == 0
                    if agree != differs:
                        cs.toggle_code(code_id, segment.index)
                        total += 1
            if not cs.codes():
                raise CoderError(f"{coder.name} stored no codes in {patient}/{number}")
    return f"{total} codes by {len(ctx.coders)} raters in {len(CODED_SESSIONS)} sessions"


def _reliability(ctx: Context) -> str:
    from coder.app import reliability

    table = reliability.compute(ctx.project, None, bootstrap=50, seed=1)
    if not table.rows:
        raise CoderError("reliability table is empty")
    return f"{len(table.rows)} rows, {len(table.raters)} raters, {table.sessions} sessions"


def _reliability_docx(ctx: Context) -> str:
    from coder.app import reports

    out = ctx.folder / "reliability.docx"
    reports.export_reliability_report(ctx.project, None, out, bootstrap=50, seed=1)
    return _size(out)


def _patient_docx(ctx: Context) -> str:
    from coder.app import reports

    out = ctx.folder / "P01.docx"
    reports.export_patient_report(ctx.project, None, "P01", out, rater=RATERS[0][0])
    return _size(out)


def _export_csv(ctx: Context) -> str:
    from coder.app import codes

    out = ctx.folder / "codes.csv"
    n = codes.export_codes(ctx.project, out)
    if n == 0:
        raise CoderError("no rows exported", path=out)
    return f"{n} rows, {_size(out)}"


def _size(path: Path) -> str:
    size = path.stat().st_size
    if size == 0:
        raise CoderError("file is empty", path=path)
    return f"{path.name}, {size:,} bytes"


def steps() -> list[Step]:
    """Every step but the window's, in order."""
    found: list[Step] = [("load modules", _modules), ("create project", _create)]
    found += [_import_step(p) for p in sample_files()]
    found += [
        ("add raters", _raters),
        ("code", _code),
        ("reliability", _reliability),
        ("reliability report", _reliability_docx),
        ("patient report", _patient_docx),
        ("export codes csv", _export_csv),
    ]
    return found


@contextmanager
def context() -> Iterator[Context]:
    """A temporary folder (removed afterwards) and the project made in it. The user's
    data folder is left alone: ``$CODER_HOME`` points into the temporary folder."""
    saved = os.environ.get(demo.ENV_HOME)
    with tempfile.TemporaryDirectory(prefix="rupture-coder-selftest-") as tmp:
        ctx = Context(Path(tmp))
        os.environ[demo.ENV_HOME] = str(ctx.folder / "home")
        try:
            yield ctx
        finally:
            if ctx.db is not None:
                ctx.db.close()
            if saved is None:
                os.environ.pop(demo.ENV_HOME, None)
            else:
                os.environ[demo.ENV_HOME] = saved


def run(
    extra: list[Step] | None = None,
    echo: Callable[[str], None] = print,
    debug: bool = False,
) -> int:
    """Run every step (then ``extra``, e.g. the window); 0 if all worked, else 1.

    A step that cannot even be listed (sample transcripts missing) fails like any other.
    """
    with context() as ctx:
        try:
            planned = steps() + (extra or [])
        except Exception as exc:
            echo(f"FAILED find sample transcripts: {exc}")
            return 1
        for name, step in planned:
            try:
                detail = step(ctx)
            except Exception as exc:
                echo(f"FAILED {name}: {type(exc).__name__}: {exc}")
                if debug:
                    echo(traceback.format_exc())
                return 1
            echo(f"ok {name}" + (f" ({detail})" if detail else ""))
    echo(f"selftest passed: {len(planned)} steps")
    return 0
