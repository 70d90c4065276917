"""``coder package export|merge`` from the command line: the preview, idempotency, and bad
input as one line naming the file with exit status 2 and nothing written."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import project_args, query
from sqlalchemy import text

from coder.cli import main
from coder.store.database import ProjectDatabase


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err


def count(db: ProjectDatabase) -> int:
    return int(query(db, "SELECT COUNT(*) FROM code_applications")[0][0])  # type: ignore[call-overload]


@pytest.fixture
def demo(
    demo_db: ProjectDatabase, copy_project: Callable[[ProjectDatabase, str], ProjectDatabase]
) -> tuple[ProjectDatabase, ProjectDatabase]:
    """(the project, a lab copy without Ben's codes)."""
    lab = copy_project(demo_db, "lab")
    with lab.engine.begin() as conn:
        conn.execute(text("DELETE FROM code_applications WHERE rater_id = "
                          "(SELECT id FROM raters WHERE name = 'Ben Okafor')"))  # fmt: skip
    return demo_db, lab


def test_export_dry_run_merge_and_merge_again(
    capsys: pytest.CaptureFixture[str],
    demo: tuple[ProjectDatabase, ProjectDatabase],
    tmp_path: Path,
) -> None:
    source, lab = demo
    package = tmp_path / "ben.rcpkg"
    code, out, err = run(capsys, "package", "export", *project_args(source),
                         "--rater", "Ben Okafor", "--out", str(package))  # fmt: skip
    assert code == 0, err
    assert f"Wrote Ben Okafor's package to {package}" in out
    assert package.stat().st_mode & 0o777 == 0o666 & ~_umask()
    before = count(lab)
    code, out, err = run(capsys, "package", "merge", *project_args(lab), str(package),
                         "--dry-run")  # fmt: skip
    assert code == 0, err
    assert "P01/1:" in out and "Dry run: would merge" in out and count(lab) == before
    code, out, err = run(capsys, "package", "merge", *project_args(lab), str(package))
    assert code == 0, err
    assert count(lab) == count(source) > before
    code, out, err = run(capsys, "package", "merge", *project_args(lab), str(package))
    assert code == 0 and "Merged 0 codes" in out and count(lab) == count(source)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("bad", ["folder", "missing", "garbage", "truncated"])
def test_bad_packages_exit_2_naming_the_file(
    capsys: pytest.CaptureFixture[str],
    demo: tuple[ProjectDatabase, ProjectDatabase],
    tmp_path: Path,
    bad: str,
) -> None:
    source, lab = demo
    package = tmp_path / "ben.rcpkg"
    assert run(capsys, "package", "export", *project_args(source), "--rater", "Ben Okafor",
               "--out", str(package))[0] == 0  # fmt: skip
    if bad == "folder":
        package = tmp_path
    elif bad == "missing":
        package = tmp_path / "nope.rcpkg"
    elif bad == "garbage":
        package.write_bytes(b"\x00" * 100)
    else:
        package.write_bytes(package.read_bytes()[:-200])
    before = count(lab)
    code, _out, err = run(capsys, "package", "merge", *project_args(lab), str(package))
    assert code == 2
    assert err.strip().count("\n") == 0 and str(package) in err, err
    assert count(lab) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_output_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    demo: tuple[ProjectDatabase, ProjectDatabase],
    tmp_path: Path,
) -> None:
    source, _lab = demo
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _out, err = run(capsys, "package", "export", *project_args(source),
                              "--rater", "Ben Okafor", "--out", str(locked / "b.rcpkg"))  # fmt: skip
    finally:
        locked.chmod(0o700)
    assert code == 2 and "permission" in err and str(locked / "b.rcpkg") in err
    assert list(locked.iterdir()) == []


def test_output_folder_exits_2(
    capsys: pytest.CaptureFixture[str],
    demo: tuple[ProjectDatabase, ProjectDatabase],
    tmp_path: Path,
) -> None:
    source, _lab = demo
    code, _out, err = run(capsys, "package", "export", *project_args(source),
                          "--rater", "Ben Okafor", "--out", str(tmp_path))  # fmt: skip
    assert code == 2 and "is a folder" in err


def test_a_folder_the_os_refuses_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str],
    demo: tuple[ProjectDatabase, ProjectDatabase],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unwritable output where chmod cannot show it (root, ACLs): the OS's refusal."""
    import errno

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    source, _lab = demo
    out = tmp_path / "out" / "ben.rcpkg"
    out.parent.mkdir()
    monkeypatch.setattr("coder.io.atomic.tempfile.mkstemp", refuse)
    code, _out, err = run(capsys, "package", "export", *project_args(source),
                          "--rater", "Ben Okafor", "--out", str(out))  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert str(out) in err and "permission to write" in err
    assert list(out.parent.iterdir()) == []
