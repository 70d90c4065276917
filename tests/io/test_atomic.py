"""The shared atomic writer: refusals by the operating system in words that name the
chosen file, never a temporary file left behind, the usual file permissions."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coder.domain.errors import CoderError, FileAccessError
from coder.io.atomic import atomic_file, write_atomically
from coder.io.codes_csv import write_rows_atomically


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to; the test is skipped where that has no effect
    (running as root, which ignores permission bits)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root (or similar): chmod 0555 does not stop writing")
        yield folder
    finally:
        folder.chmod(0o755)


class FullDisk:
    """A file whose writes fail as on a full disk (or a used-up quota)."""

    def __init__(self, fh: Any, code: int) -> None:
        self.fh, self.code = fh, code

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *_: object) -> None:
        self.fh.close()

    def write(self, _: object) -> int:
        raise OSError(self.code, os.strerror(self.code))


def fill_disk(monkeypatch: pytest.MonkeyPatch, code: int = errno.ENOSPC) -> None:
    real = os.fdopen
    monkeypatch.setattr(
        "coder.io.atomic.os.fdopen", lambda fd, *a, **k: FullDisk(real(fd, *a, **k), code)
    )


def test_a_folder_as_the_target_is_refused_in_words(tmp_path: Path) -> None:
    target = tmp_path / "exports"
    target.mkdir()
    with pytest.raises(FileAccessError) as info:
        write_atomically(target, b"x")
    assert str(info.value) == f"{target}: is a folder; choose a file name"
    assert info.value.errno == errno.EISDIR
    assert leftovers(tmp_path) == [] and target.is_dir()


def test_a_missing_folder_and_a_file_as_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="the folder does not exist") as info:
        write_atomically(tmp_path / "nope" / "r.docx", b"x")
    assert info.value.path == str(tmp_path / "nope" / "r.docx")
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(CoderError, match="part of the path is a file, not a folder"):
        write_atomically(tmp_path / "notes.txt" / "r.docx", b"x")


def test_a_read_only_folder_says_permission(read_only: Path) -> None:
    with pytest.raises(CoderError, match="you don't have permission to write") as info:
        write_atomically(read_only / "r.docx", b"x")
    assert info.value.path == str(read_only / "r.docx")
    assert list(read_only.iterdir()) == []


def test_permission_refused_by_the_os_says_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same words where chmod cannot be used (root, Windows ACLs, a file open in
    Word): the refusal as the OS reports it."""

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("coder.io.atomic.tempfile.mkstemp", refuse)
    with pytest.raises(CoderError, match="you don't have permission to write") as info:
        write_atomically(tmp_path / "r.docx", b"x")
    assert "open in another program" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)])
def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"the previous report")
    fill_disk(monkeypatch, code)
    with pytest.raises(CoderError, match="the disk is full") as info:
        write_atomically(target, b"new")
    assert info.value.path == str(target)
    assert target.read_bytes() == b"the previous report" and leftovers(tmp_path) == []


def test_read_only_file_system_and_other_errors_at_the_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(code: int) -> Any:
        def replace(*_: object) -> None:
            raise OSError(code, os.strerror(code))

        return replace

    monkeypatch.setattr("coder.io.atomic.os.replace", refuse(errno.EROFS))
    with pytest.raises(CoderError, match="the disk is read-only"):
        write_atomically(tmp_path / "a.png", b"x")
    monkeypatch.setattr("coder.io.atomic.os.replace", refuse(errno.EIO))
    with pytest.raises(CoderError, match=f"cannot write the file: {os.strerror(errno.EIO)}"):
        write_atomically(tmp_path / "a.png", b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_too_long_is_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="the file name is too long"):
        write_atomically(tmp_path / ("x" * 300 + ".csv"), b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_bug_in_the_block_removes_the_temporary_file_and_keeps_its_type(
    tmp_path: Path,
) -> None:
    with pytest.raises(ZeroDivisionError), atomic_file(tmp_path / "a.bin") as fh:
        fh.write(b"half")
        _ = 1 / 0
    assert list(tmp_path.iterdir()) == []


def test_new_files_get_the_umask_permissions_and_replaced_ones_keep_theirs(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        fresh = write_atomically(tmp_path / "new.png", b"x")
        kept = tmp_path / "shared.png"
        kept.write_bytes(b"old")
        kept.chmod(0o664)
        write_atomically(kept, b"new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    assert stat.S_IMODE(kept.stat().st_mode) == 0o664


# ---- the codes CSV writer uses the same writer ----------------------------------------
def test_csv_export_gets_the_usual_permissions_not_a_private_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        n = write_rows_atomically(tmp_path / "codes.csv", ["a", "b"], [[1, None], [2, "x"]])
    finally:
        os.umask(old)
    assert n == 2 and (tmp_path / "codes.csv").read_text(encoding="utf-8") == "a,b\n1,\n2,x\n"
    assert stat.S_IMODE((tmp_path / "codes.csv").stat().st_mode) == 0o644


def test_csv_export_refusals_are_in_words_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(CoderError, match="is a folder; choose a file name"):
        write_rows_atomically(tmp_path, ["a"], [[1]])
    fill_disk(monkeypatch)
    with pytest.raises(CoderError, match="the disk is full") as info:
        write_rows_atomically(tmp_path / "codes.csv", ["a"], ([i] for i in range(10_000)))
    assert info.value.path == str(tmp_path / "codes.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_raised_by_the_progress_callback_leaves_no_file(tmp_path: Path) -> None:
    """The desktop's Cancel arrives through ``progress``: nothing may stay behind."""
    seen: list[int] = []

    class Stop(Exception):
        pass

    def progress(n: int) -> None:
        seen.append(n)
        if n >= 10_000:
            raise Stop

    with pytest.raises(Stop):
        write_rows_atomically(tmp_path / "codes.csv", ["a"], ([i] for i in range(20_000)), progress)
    assert seen == [5000, 10_000]  # every PROGRESS_EVERY rows
    assert list(tmp_path.iterdir()) == []


def test_csv_export_into_a_read_only_folder(read_only: Path) -> None:
    with pytest.raises(CoderError, match="you don't have permission to write"):
        write_rows_atomically(read_only / "codes.csv", ["a"], [[1]])


def test_the_data_reaches_the_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """temp file + fsync + rename (issue 12): the rename must come after the fsync."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(tmp_path / "out.bin", b"data")
    # the file's data, then the rename, then the folder entry (so the rename itself lasts)
    assert events == ["fsync", "replace", "fsync"]
