"""Run every ``benchmarks/bench_*.py`` in its own interpreter, passing the same arguments.

    .venv/bin/python benchmarks/run_all.py [--quick] [--check]

Exits non-zero when any benchmark script does (with ``--check``: a missed target).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print(f"no bench_*.py in {HERE}")
        return 1
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.name} {' '.join(argv)}".rstrip(), flush=True)
        code = subprocess.run([sys.executable, str(script), *argv], check=False).returncode
        if code != 0:
            failed.append(f"{script.name} (exit {code})")
        print(flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
