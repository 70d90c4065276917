"""The core runs without Qt: layering is enforced, not hoped for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BLOCK_QT = r"""
import importlib, importlib.abc, pkgutil, sys

class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6."):
            raise ImportError(f"blocked for this test: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
import coder
imported = []
for info in pkgutil.walk_packages(coder.__path__, "coder."):
    if info.name.startswith("coder.ui") or ".migrations" in info.name:
        continue
    importlib.import_module(info.name)
    imported.append(info.name)
assert "PySide6" not in sys.modules
print(len(imported))
"""


def test_every_non_ui_module_imports_without_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 15


def test_ui_really_needs_qt_so_the_block_is_effective() -> None:
    probe = BLOCK_QT.split("import coder")[0] + "import coder.ui.launch\n"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode != 0 and "blocked for this test: PySide6" in result.stderr


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing below the UI imports Qt KEPT" in result.stdout
    assert "Layers point one way" in result.stdout
