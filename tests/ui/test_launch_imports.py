"""The desktop window starts without loading what only its menus and other windows need
(issue 15: cold start to a usable window).

Plots, statistics, reports, screening, the transcript readers (python-docx, lxml), the
exchange formats and rater packages are imported when their window or menu item is first
used. This runs the real start-up path (``coder.ui.launch``: open the project, sign in,
build and show the window with its session list) in a fresh interpreter and looks at
``sys.modules`` afterwards, as tests/test_cli_startup.py does for the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase

HEAVY = ("matplotlib", "scipy", "pandas", "numpy", "sklearn", "docx", "lxml", "krippendorff")
NOT_AT_START = (
    "coder.stats",
    "coder.screening",
    "coder.app.reports",
    "coder.app.reliability",
    "coder.app.importing",
    "coder.io.transcripts",
    "coder.app.exchange_import",
    "coder.app.exchange_export",
    "coder.app.packages",
)

PROBE = """
import json, sys
from coder.app import projects
from coder.ui.launch import application, build_window
app = application()
db = projects.open_project(db_url=sys.argv[1])
window = build_window(db, sys.argv[2], None, None, ask=False)
window.show()
app.processEvents()
rows = window.sessions_model.rowCount()
window.close()
db.close()
print("\\nSTARTED " + json.dumps({"rows": rows, "modules": sorted(sys.modules)}))
"""


def test_the_window_starts_without_heavy_modules(
    coded_db: ProjectDatabase, ada: ActingRater, tmp_path: Path
) -> None:
    env = dict(os.environ, CODER_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, coded_db.url, ada.name],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    started = json.loads(done.stdout.rsplit("STARTED ", 1)[1])
    assert started["rows"] == 1  # it did start: patient P01 with its sessions
    modules: list[str] = started["modules"]
    tops = {name.split(".")[0] for name in modules}
    assert not tops & set(HEAVY), sorted(tops & set(HEAVY))
    late = sorted(m for m in modules if m.startswith(NOT_AT_START))
    assert not late, late
