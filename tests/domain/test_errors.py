"""Operating-system errors in words: one mapping for every reader and writer."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from coder.domain.errors import CoderError, FileAccessError, file_error, os_error_problem


def oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


@pytest.mark.parametrize(
    ("code", "writing", "words"),
    [
        (errno.EACCES, True, "you don't have permission to write"),
        (errno.EPERM, True, "you don't have permission to write"),
        (errno.EACCES, False, "you don't have permission to read this file"),
        (errno.EISDIR, True, "is a folder; choose a file name"),
        (errno.EISDIR, False, "is a folder, not a file"),
        (errno.ENOENT, True, "the folder does not exist"),
        (errno.ENOENT, False, "no such file"),
        (errno.ENOTDIR, True, "part of the path is a file, not a folder"),
        (errno.ENOSPC, True, "the disk is full"),
        (errno.EROFS, True, "the disk is read-only"),
        (errno.ENAMETOOLONG, True, "the file name is too long"),
        (errno.EIO, True, f"cannot write the file: {os.strerror(errno.EIO)}"),
        (errno.EIO, False, f"cannot read the file: {os.strerror(errno.EIO)}"),
    ],
)
def test_each_errno_class_has_its_words(code: int, writing: bool, words: str) -> None:
    assert words in os_error_problem(oserror(code), writing=writing)


@pytest.mark.skipif(not hasattr(errno, "EDQUOT"), reason="no EDQUOT on this platform")
def test_a_used_up_quota_reads_as_a_full_disk() -> None:
    assert "the disk is full" in os_error_problem(oserror(errno.EDQUOT), writing=True)


def test_what_names_the_kind_of_file_and_the_fallback_survives_a_bare_oserror() -> None:
    assert os_error_problem(oserror(errno.ENOENT), writing=False, what="names list") == (
        "no such names list"
    )
    assert os_error_problem(OSError("odd"), writing=True) == "cannot write the file: odd"


def test_file_error_names_the_chosen_file_and_keeps_the_errno() -> None:
    error = file_error(oserror(errno.EISDIR), Path("out/codes.csv"), writing=True)
    assert isinstance(error, FileAccessError) and isinstance(error, CoderError)
    assert str(error) == f"{Path('out/codes.csv')}: is a folder; choose a file name"
    assert error.errno == errno.EISDIR and error.path == str(Path("out/codes.csv"))
