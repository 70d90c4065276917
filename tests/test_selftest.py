"""`coder --selftest` (issue 15): the installed program checks itself, headless."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coder.app import resources


def run_selftest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CODER_HOME": str(tmp_path / "h")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "coder", "--selftest"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environ,
        cwd=tmp_path,
    )


@pytest.mark.slow
def test_selftest_passes_with_one_line_per_step(tmp_path: Path) -> None:
    done = run_selftest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ok load modules (numpy ")
    assert lines[1].startswith("ok create project")
    assert "ok import P01_S1.docx (106 turns)" in lines
    for fmt in ("docx", "txt", "vtt", "srt", "csv"):
        assert any(line.startswith("ok import ") and f".{fmt} (" in line for line in lines)
    for step in ("ok code (", "ok reliability (", "ok reliability report (", "ok patient report (",
                 "ok export codes csv (", "ok open and close main window (offscreen"):  # fmt: skip
        assert any(line.startswith(step) for line in lines), step
    assert lines[-1].startswith("selftest passed")
    assert not any(line.startswith("FAILED") for line in lines)
    # the user's data folder is not touched; the temporary project is gone
    assert not (tmp_path / "h").exists()


def test_selftest_names_the_failing_step_and_exits_non_zero(tmp_path: Path) -> None:
    empty = tmp_path / "no-schemes"
    empty.mkdir()
    done = run_selftest(tmp_path, CODER_SCHEMES_DIR=str(empty))
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].startswith("FAILED create project:")


def test_resources_come_from_the_bundle_when_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "schemes").mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_dir("schemes") == tmp_path / "schemes"
    # a folder the bundle lacks falls back to the checkout's
    assert (
        resources.resource_dir("sample_transcripts")
        == resources.source_root() / "sample_transcripts"
    )


def test_resources_in_a_checkout_and_the_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    root = resources.source_root()
    assert resources.resource_dir("schemes") == root / "schemes"
    assert (resources.resource_dir("sample_transcripts") / "P01_S1.docx").is_file()
    monkeypatch.setenv("CODER_SCHEMES_DIR", str(tmp_path))
    assert resources.resource_dir("schemes", "CODER_SCHEMES_DIR") == tmp_path
