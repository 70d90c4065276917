"""REFI-QDA exchange benchmark: ``coder export --format qdpx`` and ``coder import-qdpx``
of a generated project, a report (the issue sets no target for these).

    .venv/bin/python benchmarks/bench_exchange.py [--quick] [--check]

The project is ``bench_export``'s generator cut to 10 sessions (≈25k code applications:
8 raters × 26 codes and ratings × 12 segments × 10 sessions; every fifth code quotes
evidence, every fiftieth has a memo). Export writes one selection per code and validates
the XML against the official schema before writing; import reads it back into a fresh
project (schema validation, transcripts, every code checked as ``coder codes import``
checks it) in one transaction. Each run checks the counts. ``csv-long`` of the same rows
is timed alongside, so a figure taken on a loaded machine can still be read relative to it.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import bench_export
from bench_import import Figure, report, timed

from coder.app import exchange_export, exchange_import, export, projects
from coder.app.export import ExportFormat, ExportOptions

SESSIONS = 10
LONG = ExportOptions(format=ExportFormat.LONG)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else 3
    export_s: list[float] = []
    import_s: list[float] = []
    size_mb: list[float] = []
    csv_s: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source.sqlite"
        bench_export.build(source, SESSIONS)
        with sqlite3.connect(source) as con:
            expected = con.execute("SELECT count(*) FROM code_applications").fetchone()[0]
        db = projects.open_project(source)
        for rep in range(reps):
            out = folder / f"p{rep}.qdpx"
            seconds, result = timed(
                lambda o=out: exchange_export.export_qdpx(db, o, ExportOptions())
            )
            if result.codings != expected:
                raise SystemExit(f"exported {result.codings} codings, expected {expected}")
            export_s.append(seconds)
            csv = folder / f"p{rep}.csv"
            csv_s.append(timed(lambda c=csv: export.export(db, c, LONG))[0])
            size_mb.append(out.stat().st_size / 1e6)
            target = projects.create_project(folder / f"t{rep}.sqlite", scheme_ids=("3rs-2015",))
            seconds, done = timed(lambda t=target, o=out: exchange_import.import_qdpx(t, o))
            if done.codes != expected:
                raise SystemExit(
                    f"imported {done.codes} codes, expected {expected}: {done.skipped[:3]}"
                )
            import_s.append(seconds)
            target.close()
        db.close()
    print(f"REFI-QDA exchange of {expected:,} code applications ({SESSIONS} sessions)")
    report(
        [
            Figure(f"qdpx export: {expected // 1000}k codings", export_s, "s"),
            Figure("csv-long of the same rows (for scale)", csv_s, "s"),
            Figure("qdpx file size", size_mb, "MB"),
            Figure(f"import-qdpx: {expected // 1000}k codes", import_s, "s"),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
