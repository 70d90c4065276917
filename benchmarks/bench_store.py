"""Store benchmarks: the cost of a synced commit, concurrent raters, SIGKILLs.

    .venv/bin/python benchmarks/bench_store.py [--quick] [--check]

* cost per coding edit (``CodingSession.toggle_code``, one transaction) with
  ``synchronous=FULL`` (what the app uses) and, for comparison, ``NORMAL``;
* concurrent raters (``store_harness.run_concurrent``): 4 processes on one SQLite file,
  and 20 clients on PostgreSQL when ``CODER_TEST_PG_URL`` is set; operations per second
  and losses (acknowledged operations not stored as acknowledged; must be 0);
* the kill harness (``store_harness.run_crashes``): 200 SIGKILLs (20 with ``--quick``),
  acknowledged edits, losses (must be 0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import store_harness as harness
from bench_import import Figure, report
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from coder.app import identity
from coder.app.coding import CodingSession
from coder.store.database import ProjectDatabase


def edit_cost(folder: Path, synchronous: str, edits: int) -> list[float]:
    """Milliseconds per ``toggle_code`` (each its own committed transaction)."""
    path = folder / f"cost-{synchronous}.sqlite"
    harness.make_project(str(path), 1, folder, is_url=False)
    db = ProjectDatabase.open(harness.db_url(str(path)), auto_backup=False)
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _sync(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA synchronous={synchronous}")  # type: ignore[attr-defined]

    cs = CodingSession(db, identity.sign_in(db, harness.rater_names(1)[0]), "P01", 1)
    times = []
    for i in range(edits):
        start = time.perf_counter()
        cs.toggle_code(harness.PRESENCE[i % len(harness.PRESENCE)], i % harness.SEGMENTS + 1)
        times.append((time.perf_counter() - start) * 1000)
    with db.engine.connect() as conn:
        assert (
            conn.exec_driver_sql("PRAGMA synchronous").scalar()
            == {"FULL": 2, "NORMAL": 1}[synchronous]
        )
    db.close()
    return times


def concurrency(target: str, label: str, writers: int, ops: int, reps: int) -> list[Figure]:
    rates, lost, errors = [], 0, 0
    for rep in range(reps):
        result = harness.run_concurrent(target, writers=writers, ops=ops, seed=rep + 1)
        rates.append(result.ops_per_s)
        lost += len(result.lost)
        errors += len(result.errors)
        for problem in (result.errors + result.lost)[:5]:
            print(f"  {label}: {problem}", file=sys.stderr)
    return [
        Figure(f"{label}: {writers} x {ops} ops, ops/s", rates, "ops/s"),
        Figure(f"{label}: raters with losses", [float(lost)], "", 0),
        Figure(f"{label}: errors (e.g. locked)", [float(errors)], "", 0),
    ]


def pg_database() -> tuple[str, object] | None:
    admin_url = os.environ.get("CODER_TEST_PG_URL")
    if not admin_url:
        return None
    name = f"coder_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller numbers")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    edits, ops, pg_ops, kills, reps = (50, 50, 20, 20, 1) if args.quick else (300, 200, 50, 200, 3)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="coder-bench-store-") as folder:
        tmp = Path(folder)
        full = edit_cost(tmp, "FULL", edits)
        normal = edit_cost(tmp, "NORMAL", edits)
        figures.append(Figure("coding edit, synchronous=FULL", full, "ms", 16))
        figures.append(Figure("coding edit, synchronous=NORMAL", normal, "ms"))
        print(
            f"FULL costs {statistics.median(full) - statistics.median(normal):.2f} ms "
            "more per edit (median)",
            file=sys.stderr,
        )
        sqlite_target = str(tmp / "concurrent.sqlite")
        harness.make_project(sqlite_target, 4, tmp, is_url=False)
        figures += concurrency(sqlite_target, "SQLite", 4, ops, reps)
        pg = pg_database()
        if pg is None:
            print("skipped: PostgreSQL (set CODER_TEST_PG_URL)", file=sys.stderr)
        else:
            url, drop = pg
            try:
                harness.make_project(url, 20, tmp, is_url=True)
                figures += concurrency(url, "PostgreSQL", 20, pg_ops, reps)
            finally:
                drop()  # type: ignore[operator]
        crash_target = tmp / "crash.sqlite"
        harness.make_project(str(crash_target), 1, tmp, is_url=False)
        start = time.perf_counter()
        crashes = harness.run_crashes(crash_target, kills=kills, seed=11)
        took = time.perf_counter() - start
        for problem in crashes.problems[:5]:
            print(f"  kill harness: {problem}", file=sys.stderr)
        figures += [
            Figure("kills (SIGKILL)", [float(crashes.kills)], ""),
            Figure("acknowledged edits", [float(crashes.acked)], ""),
            Figure("in-flight edit committed whole", [float(crashes.in_flight_applied)], ""),
            Figure("kills with a loss or corruption", [float(len(crashes.problems))], "", 0),
            Figure("kill harness duration", [took], "s"),
        ]
    report(figures)
    failed = [f.name for f in figures if f.passed is False]
    if failed:
        print(f"missed: {', '.join(failed)}", file=sys.stderr)
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
