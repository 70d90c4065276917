"""The default project `coder` and `make run` open: a ready demo in the user data folder.

Created on first run with the 3RS-2015 scheme. The location follows the
platform convention (platformdirs); ``$CODER_HOME`` overrides it, e.g. for tests.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from coder.app import projects
from coder.store.database import ProjectDatabase

ENV_HOME = "CODER_HOME"
DEMO_FILE = "demo-project.sqlite"


def data_dir() -> Path:
    env = os.environ.get(ENV_HOME)
    folder = Path(env) if env else user_data_path("rupture-coder", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_project_path() -> Path:
    return data_dir() / DEMO_FILE


def ensure_demo_project() -> ProjectDatabase:
    """Open the default project, creating it if it does not exist yet."""
    path = default_project_path()
    if path.exists():
        return projects.open_project(path)
    return projects.create_project(path, name="Demo project")
