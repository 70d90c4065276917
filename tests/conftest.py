"""Shared fixtures. Qt runs offscreen; nothing touches the user's real data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODER_HOME", str(tmp_path_factory.mktemp("coder-home")))
    monkeypatch.delenv("CODER_DB_URL", raising=False)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "project.sqlite"


@pytest.fixture
def db(project_path: Path) -> Iterator[object]:
    from coder.app.projects import create_project

    database = create_project(project_path)
    yield database
    database.close()
