"""Rater package benchmark: export and merge a package of ~100k code applications.

    .venv/bin/python benchmarks/bench_package.py [--quick] [--check]

The project is generated as in ``bench_export.py`` (rows inserted directly, invented
filler text) but with one rater, ``Rater A``, and 321 one-hour sessions: 321 × 12
segments × 26 items = 100,152 code applications (every fifth quoting evidence, every
fiftieth with a memo). The lab copy is a SQLite backup of it with Rater A's codes
deleted. Each step runs in a fresh child interpreter (its own peak RSS): export the
package, merge it into the lab copy (target ≤ 5 s, the issue's), merge it again (adds
nothing), and a dry run. Wall time and CPU time (user + system) are both reported,
because on a shared machine the wall time mostly measures the other processes.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_export
from bench_import import Figure, report, timed

from coder.app import packages, projects

SESSIONS, RATERS = 321, 1
EXPECTED = SESSIONS * bench_export.SEGMENTS * RATERS * (len(bench_export.PRESENCE) + 2)


def build(path: Path) -> None:
    bench_export.build(path, SESSIONS, RATERS)


def lab_copy(source: Path, lab: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(lab) as dst:
        src.backup(dst)
    con = sqlite3.connect(lab)
    with con:
        con.execute("DELETE FROM code_applications")
    con.close()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(step: str, project: Path, package: Path) -> None:
    """In a fresh interpreter: one step, then one JSON line (seconds, cpu, count, RSS)."""
    db = projects.open_project(project)
    start_cpu = cpu()
    if step == "export":
        seconds, made = timed(lambda: packages.export_package(db, "Rater A", package))
        count = made.codes
    else:
        seconds, result = timed(
            lambda: packages.merge_packages(db, [package], dry_run=step == "dry-run")
        )
        count = result.added if step != "again" else result.unchanged
    used = cpu() - start_cpu
    db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu": used, "count": count, "peak_kib": peak}))


def run_child(step: str, project: Path, package: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(project), str(package)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{step} child failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["count"] != EXPECTED:
        raise SystemExit(f"{step}: expected {EXPECTED} codes, got {result['count']}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(args.build)
        return 0
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0
    reps = 1 if args.quick else 3
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as folder:
        tmp = Path(folder)
        source, package = tmp / "source.sqlite", tmp / "a.rcpkg"
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(source)], check=True)
        print(f"built {EXPECTED:,} code applications in {time.perf_counter() - start:.1f} s")
        exports, merges, agains, dries = [], [], [], []
        for rep in range(reps):
            exports.append(run_child("export", source, package))
            lab = tmp / f"lab{rep}.sqlite"
            lab_copy(source, lab)
            dries.append(run_child("dry-run", lab, package))
            merges.append(run_child("merge", lab, package))
            agains.append(run_child("again", lab, package))
        size = package.stat().st_size / 1e6
    print(f"package: {size:.1f} MB, {EXPECTED:,} codes")

    def figures(name: str, runs: list[dict[str, float]], target: float | None) -> list[Figure]:
        return [
            Figure(f"{name}: wall", [r["seconds"] for r in runs], "s", target),
            Figure(f"{name}: CPU", [r["cpu"] for r in runs], "s"),
            Figure(f"{name}: peak RSS", [r["peak_kib"] * 1024 / 1e6 for r in runs], "MB"),
        ]

    table = [
        *figures("package export 100k", exports, None),
        *figures("merge 100k (dry run)", dries, None),
        *figures("merge 100k into lab copy", merges, 5),
        *figures("merge again (all present)", agains, None),
    ]
    report(table)
    failed = [f.name for f in table if f.passed is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
