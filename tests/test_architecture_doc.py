"""docs/ARCHITECTURE.md's module tables match the code: every module under ``coder/`` has
exactly one row, and every row names a module that exists (a reader trusts the map only
if it cannot drift from the territory)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `([^`]+\.py)` \| (.+?) \|$")


def listed_modules() -> Counter[str]:
    """The module rows of the *Modules* section (up to the next ``## `` heading)."""
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    rows = [ROW.match(line) for line in section.splitlines()]
    return Counter(m.group(1) for m in rows if m and m.group(2).strip())


def code_modules() -> set[str]:
    """Every module under coder/, except package ``__init__`` files and Alembic revisions."""
    root = REPO / "coder"
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if p.name != "__init__.py" and "migrations/versions" not in p.as_posix()
    }


def test_every_module_is_listed_once_and_every_row_exists() -> None:
    listed = listed_modules()
    modules = code_modules()
    assert sorted(modules - set(listed)) == [], "modules without a row in docs/ARCHITECTURE.md"
    assert sorted(set(listed) - modules) == [], "rows in docs/ARCHITECTURE.md for no module"
    assert sorted(m for m, n in listed.items() if n > 1) == [], "modules listed twice"


def test_the_check_sees_the_whole_tree() -> None:
    """Guards the parser: a section it could not find would make the test above vacuous."""
    listed = listed_modules()
    assert len(listed) == len(code_modules()) > 150
    assert {"app/access.py", "ui/main_window.py", "cli.py"} <= set(listed)
