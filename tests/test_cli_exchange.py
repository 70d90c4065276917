"""``coder export --format qdpx|qdc`` and ``coder import-qdpx`` from the command line:
files written, round trip through a fresh project, and every bad input as one line
naming the file, exit 2, nothing written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backend import InitTarget, project_args, query

from coder.cli import main
from coder.store.database import ProjectDatabase

COUNT = "SELECT count(*) FROM code_applications"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err


def count(db: ProjectDatabase, sql: str = COUNT) -> int:
    return int(query(db, sql)[0][0])  # type: ignore[call-overload]


@pytest.fixture
def demo(demo_db: ProjectDatabase) -> ProjectDatabase:
    return demo_db


@pytest.fixture
def fresh(
    capsys: pytest.CaptureFixture[str], new_target: Callable[..., InitTarget]
) -> Iterator[ProjectDatabase]:
    target = new_target("fresh")
    code, _, err = run(
        capsys, "init", *target.init_args, "--scheme", "3rs-2015", "--scheme", "safran-muran-stages"
    )
    assert code == 0, err
    with ProjectDatabase.open(target.url) as db:
        yield db


def test_export_and_import_round_trip(
    capsys: pytest.CaptureFixture[str],
    demo: ProjectDatabase,
    fresh: ProjectDatabase,
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo.qdpx"
    code, stdout, err = run(
        capsys, "export", *project_args(demo), "--format", "qdpx", "--out", str(out)
    )
    assert code == 0, err
    assert f"Wrote {count(demo)} codings" in stdout and zipfile.is_zipfile(out)
    code, stdout, err = run(capsys, "import-qdpx", *project_args(fresh), str(out))
    assert code == 0, err
    assert f"Imported {count(demo)} codes and 6 transcripts" in stdout
    assert count(fresh) == count(demo)
    code, stdout, err = run(capsys, "import-qdpx", *project_args(fresh), str(out))
    assert code == 0 and "Imported 0 codes" in stdout and count(fresh) == count(demo)


def test_codebook_to_draft_scheme_that_validates(
    capsys: pytest.CaptureFixture[str], demo: ProjectDatabase, tmp_path: Path
) -> None:
    qdc = tmp_path / "book.qdc"
    code, stdout, err = run(
        capsys, "export", *project_args(demo), "--format", "qdc", "--out", str(qdc)
    )
    assert code == 0, err
    code, stdout, err = run(capsys, "import-qdpx", str(qdc))
    assert code == 0, err
    draft = tmp_path / "book.yaml"
    assert str(draft) in stdout
    code, stdout, err = run(capsys, "schemes", "validate", str(draft))
    assert code == 0, stdout + err


def test_bad_inputs_are_one_line_exit_2_and_change_nothing(
    capsys: pytest.CaptureFixture[str],
    demo: ProjectDatabase,
    fresh: ProjectDatabase,
    tmp_path: Path,
) -> None:
    def refused(*args: str, names: Path, says: str) -> None:
        code, _, err = run(capsys, *args)
        assert code == 2, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert str(names) in err and says in err, err

    not_zip = tmp_path / "x.qdpx"
    not_zip.write_text("hello", encoding="utf-8")
    refused("import-qdpx", *project_args(fresh), str(not_zip), names=not_zip, says="not a zip")
    good = tmp_path / "good.qdpx"
    assert (
        run(capsys, "export", *project_args(demo), "--format", "qdpx", "--out", str(good))[0] == 0
    )
    missing = tmp_path / "missing.qdpx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(missing, "w") as dst:
        members = src.namelist()
        for name in members[:-1]:  # the last source is left out
            dst.writestr(name, src.read(name))
    refused("import-qdpx", *project_args(fresh), str(missing), names=missing, says="is missing")
    invalid = tmp_path / "invalid.qdpx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(invalid, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":  # a coding without its CodeRef breaks the schema
                data = data.replace(b"<CodeRef", b"<CodeReference", 1)
            dst.writestr(name, data)
    refused("import-qdpx", *project_args(fresh), str(invalid), names=invalid, says="schema")
    assert count(fresh) == 0 and count(fresh, "SELECT count(*) FROM transcripts") == 0
    folder = tmp_path / "out.qdpx"
    folder.mkdir()
    refused(
        "export",
        *project_args(demo),
        "--format",
        "qdpx",
        "--out",
        str(folder),
        names=folder,
        says="folder",
    )
    refused(
        "export", *project_args(demo), "--format", "qdc", "--out", str(tmp_path / "no" / "c.qdc"),
        names=tmp_path / "no" / "c.qdc", says="folder",
    )  # fmt: skip
