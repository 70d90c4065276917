"""The lab lead's full per-code reliability table from a project, end to end.

    .venv/bin/python benchmarks/bench_project_reliability.py [--quick] [--check]

500 sessions x 12 five-minute segments x 3 raters, the 3RS-2015 scheme (24 presence
codes + 2 significance ratings + 4 session ratings = 30 items): time to query the codes,
build every units x raters matrix and compute every statistic (issue target <= 1 s
without bootstrap CIs; also reported with 1,000 resamples per item).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import synthetic_project
from bench_import import Figure, report
from synthetic_project import Coded, Shape

from coder.app import projects, reliability
from coder.store.database import ProjectDatabase

SESSIONS, SEGMENTS, RATERS = 500, 12, 3
PRESENCE = [f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)]
PRESENCE += [f"R{i}" for i in range(1, 11)]


def build(path: Path, sessions: int = SESSIONS) -> ProjectDatabase:
    """The project (:mod:`synthetic_project`): one one-word turn per segment; each rater
    marks each presence code with chance 0.06 × 0.85 and gives every rating."""
    rng = random.Random(500)

    def code(at: Coded, code_id: str, unit: str, index: int, value: int) -> dict[str, object]:
        return {
            "session_id": at.session_id,
            "rater_id": at.rater_id,
            "scheme_id": at.scheme_id,
            "code_id": code_id,
            "unit": unit,
            "unit_index": index,
            "value": value,
            "memo": "",
        }

    def codes(at: Coded) -> list[dict[str, object]]:
        rows = []
        for index in range(1, SEGMENTS + 1):
            truth = [c for c in PRESENCE if rng.random() < 0.06]
            rows += [code(at, c, "segment", index, 1) for c in truth if rng.random() < 0.85]
            for rating in ("W_SIG", "C_SIG"):
                rows.append(code(at, rating, "segment", index, rng.randint(1, 5)))
        for rating in ("G_W", "G_C", "G_TCONTRIB", "G_RESOLVED"):
            rows.append(code(at, rating, "session", 1, rng.randint(1, 5)))
        return rows

    shape = Shape(
        sessions=sessions,
        segments=SEGMENTS,
        turns=SEGMENTS,
        raters=[(name, name[:2].upper()) for name in ("Ada", "Ben", "Cy")[:RATERS]],
        patient="BIG",
        speakers=[("T", "therapist")],
        turn_start_ms=lambda i: (i - 1) * 300_000,
    )
    return synthetic_project.build(path, shape, lambda: ["x"] * SEGMENTS, codes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="coder-bench-irr-") as folder:
        db = build(Path(folder) / "irr.sqlite")
        n_codes = projects.counts(db).codes
        plain, boot = [], []
        for _ in range(reps):
            start = time.perf_counter()
            table = reliability.compute(db, None, bootstrap=0)
            plain.append(time.perf_counter() - start)
        for _ in range(max(1, reps // 2)):
            start = time.perf_counter()
            reliability.compute(db, None, bootstrap=1000)
            boot.append(time.perf_counter() - start)
        db.close()
    items = sum(1 for r in table.rows if r.kind in ("code", "rating", "session rating"))
    print(
        f"({SESSIONS} sessions x {SEGMENTS} segments x {RATERS} raters, {n_codes:,} codes, "
        f"{items} items + families/frequencies = {len(table.rows)} rows)"
    )
    figures = [
        Figure("project table, no CIs", plain, "s", 1.0),
        Figure("project table, 1000-resample CIs", boot, "s"),
    ]
    report(figures)
    return 1 if args.check and any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
