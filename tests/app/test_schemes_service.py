"""Schemes in a project: stored with their text, new revision on change, never reinterpreted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from backend import InitTarget, NewProject
from sqlalchemy import create_engine, inspect

from coder.app import schemes
from coder.app.projects import create_project
from coder.domain.errors import NotFoundError
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[2]


def test_builtins_are_listed_and_found() -> None:
    ids = [s.id for s, _ in schemes.list_builtin()]
    assert ids == sorted(ids)
    assert {"3rs-2015", "3rs-2022", "safran-muran-stages"} <= set(ids)
    scheme, text, source = schemes.find_builtin("3rs-2022")
    assert scheme.id == "3rs-2022" and source == "3rs-2022.yaml" and "WD_P" in text
    with pytest.raises(NotFoundError, match="known: 3rs-2015"):
        schemes.find_builtin("nope")


def test_new_project_has_default_scheme(db: ProjectDatabase) -> None:
    stored = schemes.project_schemes(db)
    assert [(s.key, s.revision, s.is_default) for s in stored] == [("3rs-2015", 1, True)]
    assert schemes.load_project_scheme(db).id == "3rs-2015"


def test_project_with_several_schemes(tmp_path: Path, new_project: NewProject) -> None:
    db = new_project("p", scheme_ids=("3rs-2022", "safran-muran-stages"))
    try:
        stored = {s.key: s.is_default for s in schemes.project_schemes(db)}
        assert stored == {"3rs-2022": True, "safran-muran-stages": False}
        assert schemes.load_project_scheme(db, "safran-muran-stages").pathways
    finally:
        db.close()


def test_unknown_scheme_leaves_no_project_file(
    new_target: Callable[..., InitTarget], tmp_path: Path
) -> None:
    """Schemes are resolved before anything is written: no file, or no table on a server."""
    target = new_target("p")
    with pytest.raises(NotFoundError):
        create_project(target.path or target.url, is_url=target.path is None, scheme_ids=("bogus",))
    if target.path is not None:
        assert list(tmp_path.iterdir()) == []
        return
    engine = create_engine(target.url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_changed_scheme_becomes_new_revision(db: ProjectDatabase, tmp_path: Path) -> None:
    original = (REPO / "schemes" / "3rs-2015.yaml").read_text(encoding="utf-8")
    same = tmp_path / "same.yaml"
    same.write_text("# reformatted copy\n" + original, encoding="utf-8")
    assert schemes.add_scheme_file(db, same).revision == 1  # identical content: no-op
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        original.replace('name: "Denial"', 'name: "Avoidant denial"', 1), encoding="utf-8"
    )
    assert "Avoidant denial" in changed.read_text(encoding="utf-8")
    stored = schemes.add_scheme_file(db, changed)
    assert stored.revision == 2 and not stored.is_default
    revisions = [(s.key, s.revision) for s in schemes.project_schemes(db)]
    assert revisions == [("3rs-2015", 1), ("3rs-2015", 2)]
    assert schemes.load_project_scheme(db, "3rs-2015").code("W1").name == "Avoidant denial"


def test_validate_files_reports_each_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: x\n", encoding="utf-8")
    results = schemes.validate_files(
        [REPO / "schemes" / "3rs-2015.yaml", bad, tmp_path / "missing.yaml"]
    )
    assert results[0].scheme is not None and not results[0].problems
    assert results[1].scheme is None and any(
        "version: required key is missing" in p for p in results[1].problems
    )
    assert "no such scheme file" in results[2].problems[0]


def test_default_and_latest_schemes(db: ProjectDatabase, tmp_path: Path) -> None:
    original = (REPO / "schemes" / "3rs-2015.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        original.replace('name: "Denial"', 'name: "Avoidant denial"', 1), encoding="utf-8"
    )
    schemes.add_scheme_file(db, changed)
    schemes.add_scheme_file(db, REPO / "schemes" / "safran-muran-stages.yaml")
    default, latest = schemes.default_and_latest_schemes(db)
    # The default stays revision 1; the latest list has revision 2 and the other key.
    assert default.code("W1").name == "Denial"
    assert [s.id for s in latest] == ["3rs-2015", "safran-muran-stages"]
    assert latest[0].code("W1").name == "Avoidant denial"
    assert latest[1].pathways
