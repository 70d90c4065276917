"""The command line starts without loading what its commands need (issue 15).

`coder --help` and `coder info` used to import matplotlib, scipy, pandas, python-docx
and the reports before doing anything (2.7-4.3 s). Commands now import the app inside
their functions; these tests run the real entry point in a fresh interpreter and look
at `sys.modules` afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from backend import project_args

from coder.store.database import ProjectDatabase

HEAVY = ("matplotlib", "scipy", "pandas", "numpy", "docx", "PySide6")

# Run the CLI in-process in a fresh interpreter, then report which modules got loaded.
PROBE = """
import json, sys
from coder.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="coder", standalone_mode=False)
except SystemExit:
    pass
sys.stdout.flush()
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def loaded_by(*args: str, env_home: Path, full: bool = False) -> set[str]:
    """Top-level packages the command loaded (every module's full name with ``full``)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"CODER_HOME": str(env_home), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    names: list[str] = json.loads(done.stdout.rsplit("MODULES ", 1)[1])
    return set(names) if full else {name.split(".")[0] for name in names}


def test_help_loads_no_heavy_module_and_no_database(tmp_path: Path) -> None:
    loaded = loaded_by("--help", env_home=tmp_path)
    assert not loaded & {*HEAVY, "sqlalchemy", "alembic", "pydantic"}, sorted(loaded)


def test_help_loads_only_the_domain_modules_option_choices_need(tmp_path: Path) -> None:
    # Formulation rules, redaction (hashing, the transcript model), session selectors and
    # the statistics' result types are needed only when a command runs: ~15 ms of every
    # start-up.
    loaded = loaded_by("--help", env_home=tmp_path, full=True)
    needless = {
        "coder.domain.formulation",
        "coder.domain.redaction",
        "coder.domain.selectors",
        "coder.stats.result",
    }
    assert not loaded & needless, sorted(loaded & needless)


@pytest.mark.parametrize(
    "group", ["irr", "report", "profile", "import", "codes", "rounds", "import-qdpx", "package"]
)
def test_command_help_loads_no_heavy_module(tmp_path: Path, group: str) -> None:
    loaded = loaded_by(group, "--help", env_home=tmp_path)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_info_loads_no_heavy_module(tmp_path: Path, db: ProjectDatabase) -> None:
    loaded = loaded_by("info", *project_args(db), env_home=tmp_path)
    assert "sqlalchemy" in loaded  # it did open the project
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    # Opening an up-to-date project reads its revision without Alembic (and Mako), and
    # listing its schemes parses none (pydantic, YAML): together ~0.4 s CPU of start-up.
    assert not loaded & {"alembic", "mako", "pydantic", "yaml"}, sorted(loaded)


def test_spelled_out_constants_agree_with_their_sources() -> None:
    from coder.app import identity, projects, reports
    from coder.commands import init, irr, raters, report, transcripts
    from coder.io.ratings_table import LEVELS as TABLE_LEVELS
    from coder.io.transcripts.model import FORMATS
    from coder.stats.result import LEVELS

    assert init.DEFAULT_SCHEME == projects.DEFAULT_SCHEME
    assert raters.MIN_PIN == identity.MIN_PIN
    assert tuple(report.PLOT_FORMATS) == tuple(reports.PLOT_FORMATS)
    assert tuple(transcripts.FORMATS) == tuple(FORMATS)
    assert tuple(LEVELS) == tuple(TABLE_LEVELS) == irr.LEVELS
    from coder.app.export import ExportFormat
    from coder.commands import export

    assert tuple(f.value for f in ExportFormat) == export.CSV_FORMATS
    assert export.FORMATS == export.CSV_FORMATS + export.QDA_FORMATS


def test_the_desktop_is_imported_with_the_collector_paused_then_resumed() -> None:
    """`coder` and `coder gui` import the windows through :func:`coder.cli.desktop`: the
    collector is back on afterwards, with the imports' objects frozen out of it."""
    probe = (
        "import gc; from coder.cli import desktop; launch = desktop(); "
        "print(launch.__name__, gc.isenabled(), gc.get_freeze_count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    name, enabled, frozen = done.stdout.split()
    assert (name, enabled) == ("coder.ui.launch", "True")
    assert int(frozen) > 10_000  # Qt, SQLAlchemy and the windows' module objects
