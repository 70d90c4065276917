"""The last rater per project and computer: a convenience that never blocks work."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from backend import NewProject

from coder.app import preferences
from coder.store.database import ProjectDatabase


def test_nothing_remembered_at_first(db: ProjectDatabase) -> None:
    assert preferences.last_rater(db) is None


def test_remembered_per_project(db: ProjectDatabase, new_project: NewProject) -> None:
    other = new_project("other")  # closed by the fixture
    assert preferences.remember_rater(db, "Ada") is True
    assert preferences.remember_rater(other, "Ben") is True
    assert preferences.last_rater(db) == "Ada"
    assert preferences.last_rater(other) == "Ben"
    preferences.remember_rater(db, "Lee")
    assert (preferences.last_rater(db), preferences.last_rater(other)) == ("Lee", "Ben")


# Keyed by the project file's path; a server's key (its URL without the password) is
# test_a_server_url_is_stored_without_its_password.
@pytest.mark.sqlite_only
def test_stored_in_the_user_data_folder_keyed_by_path(
    db: ProjectDatabase, project_path: Path
) -> None:
    preferences.remember_rater(db, "Ada")
    path = preferences.preferences_path()
    assert path.parent == Path(os.environ["CODER_HOME"])  # set per test by conftest
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored == {"last_rater": {str(project_path.resolve()): "Ada"}}


def test_a_server_url_is_stored_without_its_password(db: ProjectDatabase) -> None:
    server = replace(db, url="postgresql+psycopg://lab:s3cret@db.example/lab")
    preferences.remember_rater(server, "Ada")
    text = preferences.preferences_path().read_text(encoding="utf-8")
    assert "s3cret" not in text and "db.example/lab" in text
    assert preferences.last_rater(server) == "Ada"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"last_rater": "Ada"}', ""])
def test_a_damaged_file_reads_as_nothing_and_is_repaired(db: ProjectDatabase, content: str) -> None:
    preferences.preferences_path().write_text(content, encoding="utf-8")
    assert preferences.last_rater(db) is None
    assert preferences.remember_rater(db, "Ada") is True
    assert preferences.last_rater(db) == "Ada"


def test_an_unwritable_folder_does_not_raise(
    db: ProjectDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("CODER_HOME", str(blocker))
    assert preferences.remember_rater(db, "Ada") is False
    assert preferences.last_rater(db) is None
