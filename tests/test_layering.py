"""The core runs without Qt: layering is enforced, not hoped for."""

from __future__ import annotations

import subprocess
import sys
import tomllib
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
    assert "coder.ui modules are acyclic KEPT" in result.stdout


def test_the_acyclic_contract_covers_every_ui_module() -> None:
    """The contract names coder.ui itself, so a new UI module is covered without an edit."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    acyclic = [c for c in contracts if c["type"] == "acyclic_siblings"]
    assert [c["ancestors"] for c in acyclic] == [["coder.ui"]]
    assert not any(c.get("ignore_imports") or c.get("skip_descendants") for c in acyclic)


def test_a_ui_import_cycle_would_be_found() -> None:
    """What the contract relies on: grimp finds a cycle among coder.ui's modules as soon
    as one module imports another that imports it (here: the prompter importing the
    main window)."""
    import grimp

    graph = grimp.build_graph("coder")
    assert graph.nominate_cycle_breakers("coder.ui") == set()
    graph.add_import(
        importer="coder.ui.prompter",
        imported="coder.ui.main_window",
        line_number=1,
        line_contents="from coder.ui.main_window import MainWindow",
    )
    assert graph.nominate_cycle_breakers("coder.ui")
