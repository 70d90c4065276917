"""Export benchmark: ``csv-long`` of ~200k code applications (time + peak RSS), and pandas
reading and writing the same rows for comparison. CPU time (user + system) is reported too:
on a shared machine the wall time mostly measures the other processes.

    .venv/bin/python benchmarks/bench_export.py [--quick] [--check]

The project is generated here (rows inserted directly, deterministic, invented filler
text): 80 sessions of one patient, 120 timed turns each (12 five-minute segments), raters
``Rater A``…``Rater H`` each marking all 24 presence codes and both significance ratings
in every segment = 199,680 code applications; every fifth code quotes evidence from a
turn of its segment and every fiftieth has a memo. Each export runs in a fresh child
interpreter so its peak RSS is its own. Targets are those of the issue scaled to 200k
rows (≤ 1 s, i.e. 5 s per million, linear), peak RSS ≤ 500 MB, and ≤ 3× pandas.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synthetic_project
from bench_import import PRESENCE, WORDS, Figure, report, timed
from synthetic_project import Coded, Shape

from coder.app import access, export, identity, projects

SESSIONS, SEGMENTS, TURNS, RATERS = 80, 12, 120, 8
EXPECTED = SESSIONS * SEGMENTS * RATERS * (len(PRESENCE) + 2)  # 199,680
WIDE_ROWS = SESSIONS * SEGMENTS * RATERS
PER_MILLION = 1_000_000 / EXPECTED


def build(path: Path, sessions: int = SESSIONS, raters: int = RATERS) -> None:
    """The project (:mod:`synthetic_project`): ``raters`` raters each mark all 24
    presence codes and both significance ratings in every segment of ``sessions``
    sessions."""
    rng = random.Random(12)
    made = 0  # code rows so far: every fifth quotes evidence, every fiftieth has a memo

    def texts() -> list[str]:
        return [" ".join(rng.choice(WORDS) for _ in range(14)) for _ in range(TURNS)]

    def codes(at: Coded) -> list[dict[str, object]]:
        nonlocal made
        rows: list[dict[str, object]] = []
        per = at.turns_per_segment
        for index in range(1, SEGMENTS + 1):
            items = [(c, 1) for c in PRESENCE]
            items += [("W_SIG", rng.randint(1, 5)), ("C_SIG", rng.randint(1, 5))]
            for code, value in items:
                turn = (index - 1) * per + 1 + made % per
                quoted = made % 5 == 0
                length = len(at.texts[turn - 1])
                rows.append(
                    {
                        "session_id": at.session_id,
                        "rater_id": at.rater_id,
                        "scheme_id": at.scheme_id,
                        "code_id": code,
                        "unit": "segment",
                        "unit_index": index,
                        "segment_id": at.segment_ids[index],
                        "value": value,
                        "evidence_turn": turn if quoted else None,
                        "evidence_start": 0 if quoted else None,
                        "evidence_end": min(20, length) if quoted else None,
                        "memo": "looks like a withdrawal, check" if made % 50 == 0 else "",
                    }
                )
                made += 1
        return rows

    shape = Shape(
        sessions=sessions,
        segments=SEGMENTS,
        turns=TURNS,
        raters=[(f"Rater {chr(65 + r)}", f"R{chr(65 + r)}") for r in range(raters)],
        patient="P01",
        speakers=[("T", "therapist"), ("P", "patient")],
        turn_start_ms=lambda i: 5000 + 30_000 * (i - 1),
    )
    synthetic_project.build(path, shape, texts, codes).close()


def child(project: Path, out: Path, fmt: str) -> None:
    """In a fresh interpreter: export, print one JSON line with time, rows and RSS (KiB).
    A project with a lead (the lab project) is exported as its lead."""
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    db = projects.open_project(project)
    coder = None
    with db.reading() as session:
        has_lead = access.project_has_lead(session)
    if has_lead:
        from make_lab_project import LEAD, LEAD_PASSPHRASE

        coder = identity.sign_in(db, LEAD[0], LEAD_PASSPHRASE)
    options = export.ExportOptions(format=export.ExportFormat(fmt))
    before = resource.getrusage(resource.RUSAGE_SELF)
    seconds, result = timed(lambda: export.export(db, out, options, coder=coder))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": result.rows,
                      "baseline_kib": baseline, "peak_kib": peak}))  # fmt: skip


def run_child(project: Path, out: Path, fmt: str, expected: int = EXPECTED) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(project), str(out), fmt],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"export child failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["rows"] != expected:
        raise SystemExit(f"expected {expected} {fmt} rows, exported {result['rows']}")
    return result


def lab(reps: int) -> list[Figure]:
    """``csv-long`` of the lab project of ``make_lab_project.py`` (1,003,004 code
    applications, 3 raters, episodes, rounds, memos; built once into benchmarks/.cache/,
    about 5 minutes): the issue's million rows measured, not extrapolated."""
    from make_lab_project import cached_project

    project = cached_project()
    with sqlite3.connect(project) as con:
        (expected,) = con.execute("SELECT COUNT(*) FROM code_applications").fetchone()
    con.close()
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as folder:
        tmp = Path(folder)
        runs = [
            run_child(project, tmp / f"lab{rep}.csv", "csv-long", expected) for rep in range(reps)
        ]
        size = (tmp / "lab0.csv").stat().st_size / 1e6
        pd = [
            pandas_round_trip(tmp / "lab0.csv", tmp / f"pd{rep}.csv", expected)
            for rep in range(reps)
        ]
    print(f"lab csv-long file: {size:.1f} MB, {expected:,} rows")
    return [
        Figure(f"lab csv-long {expected:,}: export", [r["seconds"] for r in runs], "s", 5),
        Figure("lab csv-long: CPU (user + system)", [r["cpu"] for r in runs], "s"),
        Figure(
            "lab csv-long: child peak RSS", [r["peak_kib"] * 1024 / 1e6 for r in runs], "MB", 500
        ),
        Figure("lab: pandas read_csv + to_csv", pd, "s"),
        Figure(
            "lab csv-long / pandas",
            [r["seconds"] / p for r, p in zip(runs, pd, strict=True)],
            "x",
            3,
        ),
    ]


def pandas_round_trip(source: Path, out: Path, expected: int = EXPECTED) -> float:
    """pandas reading the exported rows and writing them again (same columns, all text)."""
    import pandas as pd

    def work() -> int:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        frame.to_csv(out, index=False)
        return len(frame)

    seconds, rows = timed(work)
    if rows != expected:
        raise SystemExit(f"pandas read {rows} rows, expected {expected}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--lab", action="store_true", help="csv-long of the 1M-code lab project instead"
    )
    args = parser.parse_args(argv)
    if args.build:
        build(args.build)
        return 0
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return 0
    reps = 1 if args.quick else 3
    if args.lab:
        table = lab(reps)
        report(table)
        return 1 if args.check and any(f.passed is False for f in table) else 0
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as folder:
        tmp = Path(folder)
        project = tmp / "export.sqlite"
        start = time.perf_counter()
        # Built in its own interpreter: Linux keeps a process's peak RSS across exec, so
        # a big parent would be charged to every export child it starts.
        subprocess.run([sys.executable, __file__, "--build", str(project)], check=True)
        print(f"built {EXPECTED:,} code applications in {time.perf_counter() - start:.1f} s")
        runs = [run_child(project, tmp / f"long{rep}.csv", "csv-long") for rep in range(reps)]
        wide = [
            run_child(project, tmp / f"wide{rep}.csv", "csv-wide", WIDE_ROWS) for rep in range(reps)
        ]
        size = (tmp / "long0.csv").stat().st_size / 1e6
        pandas = [pandas_round_trip(tmp / "long0.csv", tmp / f"pd{rep}.csv") for rep in range(reps)]
    seconds = [r["seconds"] for r in runs]
    peak = [r["peak_kib"] * 1024 / 1e6 for r in runs]  # ru_maxrss is KiB on Linux
    added = [(r["peak_kib"] - r["baseline_kib"]) * 1024 / 1e6 for r in runs]
    ratio = [s / p for s, p in zip(seconds, pandas, strict=True)]
    print(f"csv-long file: {size:.1f} MB, {EXPECTED:,} rows")
    figures = [
        Figure("csv-long 200k: export", seconds, "s", 5 / PER_MILLION),
        Figure("csv-long: extrapolated to 1M", [s * PER_MILLION for s in seconds], "s", 5),
        Figure("csv-long 200k: CPU (user + system)", [r["cpu"] for r in runs], "s"),
        Figure("csv-long: CPU extrapolated to 1M", [r["cpu"] * PER_MILLION for r in runs], "s"),
        Figure("csv-long 200k: child peak RSS", peak, "MB", 500),
        Figure("csv-long 200k: RSS added by export", added, "MB"),
        Figure("pandas read_csv + to_csv, same rows", pandas, "s"),
        Figure("csv-long / pandas", ratio, "x", 3),
        Figure("csv-wide 200k codes: export", [r["seconds"] for r in wide], "s"),
        Figure("csv-wide: child peak RSS", [r["peak_kib"] * 1024 / 1e6 for r in wide], "MB"),
    ]
    report(figures)
    failed = [f.name for f in figures if f.passed is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
